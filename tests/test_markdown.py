"""ctxgen.markdown: bodies to HTML with link holes, filled per page."""
from __future__ import annotations

import pytest

from ctxgen.diagnostics import Severity, Span
from ctxgen.markdown import (
    HOLE_RE,
    fill_holes,
    heading_anchor,
    render_body,
    slugify_heading,
    strip_leading_h1,
    take_leading_h1,
)
from ctxgen.source import LinkRef

SPAN = Span("notes/a.md", 1)


def render(md: str, span: Span = SPAN, **kw):
    body, diags = render_body(md, span, **kw)
    assert diags == []
    return body


def fill(body, resolved: dict[str, str] | None = None, embed_for=None) -> str:
    """Fill holes: a target in `resolved` links there; anything else is missing."""
    resolved = resolved or {}
    return fill_holes(body, lambda ref: resolved.get(ref.target), embed_for)


def html_of(md: str, resolved: dict[str, str] | None = None, **kw) -> str:
    return fill(render(md, **kw), resolved)


# --- CommonMark and extensions -------------------------------------------------------------


@pytest.mark.parametrize(
    "md, expected",
    [
        ("Hello *world*", "<p>Hello <em>world</em></p>\n"),
        ("~~gone~~", "<p><s>gone</s></p>\n"),
        ("==marked== text", "<p><mark>marked</mark> text</p>\n"),
        ("a ==*b*== c", "<p>a <mark><em>b</em></mark> c</p>\n"),
        ("a == b == c", "<p>a == b == c</p>\n"),
        ("before %%hidden%% after", "<p>before  after</p>\n"),
        ("one\n\n%%\nblock\n\ncomment\n%%\n\ntwo", "<p>one</p>\n<p>two</p>\n"),
        ("`%%not a comment%%`", "<p><code>%%not a comment%%</code></p>\n"),
        ("www.example.com", "<p>www.example.com</p>\n"),  # linkify off
        ('"quotes" -- dashes', "<p>&quot;quotes&quot; -- dashes</p>\n"),  # typographer off
        (
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n",
        ),
        (
            "- [ ] todo\n- [x] done",
            '<ul class="contains-task-list">\n'
            '<li class="task-list-item"><input class="task-list-item-checkbox" disabled="disabled" type="checkbox"> todo</li>\n'
            '<li class="task-list-item"><input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox"> done</li>\n'
            "</ul>\n",
        ),
        ("```mermaid\ngraph TD; A-->B\n```", '<pre><code class="language-mermaid">graph TD; A--&gt;B\n</code></pre>\n'),
        ("```math\nx^2\n```", '<pre><code class="language-math">x^2\n</code></pre>\n'),
    ],
)
def test_markdown_features(md, expected):
    assert html_of(md) == expected


def test_footnotes():
    out = html_of("Text[^1].\n\n[^1]: The note.")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in out
    assert '<li id="fn1" class="footnote-item"><p>The note. <a href="#fnref1" class="footnote-backref">' in out


def test_external_links_render_directly_with_noopener():
    assert html_of("[x](https://example.com/a?b=1&c=2)") == '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener">x</a></p>\n'
    assert html_of("<https://example.com>") == '<p><a href="https://example.com" rel="noopener">https://example.com</a></p>\n'
    assert html_of("![logo](https://example.com/l.png)") == '<p><img src="https://example.com/l.png" alt="logo" /></p>\n'


def test_in_page_fragment_links_point_at_prefixed_ids():
    assert html_of("# Intro\n\n[up](#intro)") == '<h1 id="h-intro">Intro</h1>\n<p><a href="#h-intro">up</a></p>\n'


# --- headings ------------------------------------------------------------------------------


def test_headings_get_prefixed_unique_ids():
    body = render("# Intro\n\n## Intro\n\n## Graph\n\n### Café au lait!\n\n## Intro")
    assert [(h.level, h.text, h.anchor) for h in body.headings] == [
        (1, "Intro", "h-intro"),
        (2, "Intro", "h-intro-1"),
        (2, "Graph", "h-graph"),
        (3, "Café au lait!", "h-café-au-lait"),
        (2, "Intro", "h-intro-2"),
    ]
    assert '<h2 id="h-graph">Graph</h2>' in body.html
    assert 'id="graph"' not in body.html
    assert body.first_h1 == "Intro"


def test_first_h1_is_first_level_one_heading_and_headings_stay():
    body = render("Intro text\n\n## Sub\n\n# Title *here*")
    assert body.first_h1 == "Title here"
    assert '<h1 id="h-title-here">Title <em>here</em></h1>' in body.html
    assert render("## only h2").first_h1 is None


def test_slugify_is_unicode_aware():
    assert slugify_heading("Ünïcode Straße — 東京") == "ünïcode-strasse-東京"
    assert slugify_heading("!!!") == "section"


def test_heading_anchor_finds_by_text_or_slug():
    body = render("# Early Life\n\n## Early life")
    assert heading_anchor(body.headings, "early life") == "h-early-life"
    assert heading_anchor(body.headings, "early-life") == "h-early-life"
    assert heading_anchor(body.headings, "nope") is None


def test_a_heading_path_finds_the_heading_inside_the_section_named_first():
    """Obsidian's [[page#A#B]]: B under A; a B of another section, or an A#B out of order, is not it."""
    body = render("# Top\n\n## One\n\n### Sub\n\n## Two\n\n### Sub\n\n#### Deep\n\n## Three\n")
    anchors = [h.anchor for h in body.headings]
    assert anchors == ["h-top", "h-one", "h-sub", "h-two", "h-sub-1", "h-deep", "h-three"]
    assert heading_anchor(body.headings, "One#Sub") == "h-sub"
    assert heading_anchor(body.headings, "two#sub") == "h-sub-1"
    assert heading_anchor(body.headings, "Top#Two#Sub#Deep") == "h-deep"
    assert heading_anchor(body.headings, "Two#Deep") == "h-deep"  # anywhere inside, as Obsidian finds it
    assert heading_anchor(body.headings, "Three#Sub") is None
    assert heading_anchor(body.headings, "One#Deep") is None
    assert heading_anchor(body.headings, "Nope#Sub") is None


def test_strip_leading_h1():
    html = render("# Ada\n\nText").html
    assert strip_leading_h1(html, "Ada") == "<p>Text</p>\n"
    assert strip_leading_h1(html, "Other") == html
    assert strip_leading_h1(html) == "<p>Text</p>\n"
    assert strip_leading_h1("<p>x</p>\n", "x") == "<p>x</p>\n"
    assert take_leading_h1(html, "Ada") == ("<p>Text</p>\n", "h-ada")  # the id the page's own <h1> takes
    assert take_leading_h1(html, "Other") == (html, None)


# --- wikilinks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "md, target, heading, label, embed",
    [
        ("[[Ada]]", "Ada", None, None, False),
        ("[[Ada|the countess]]", "Ada", None, "the countess", False),
        ("[[Ada#Early life]]", "Ada", "Early life", None, False),
        ("[[Ada#Early life|youth]]", "Ada", "Early life", "youth", False),
        ("[[#Early life]]", "", "Early life", None, False),
        ("![[Ada]]", "Ada", None, None, True),
        ("![[pics/a.png]]", "pics/a.png", None, None, True),
        ("[[a\\|b]]", "a", None, "b", False),
        ("[[ people/Ada Lovelace ]]", "people/Ada Lovelace", None, None, False),
    ],
)
def test_wikilink_forms(md, target, heading, label, embed):
    (ref,) = render(md).links
    assert (ref.target, ref.heading, ref.label, ref.embed, ref.markdown_link) == (target, heading, label, embed, False)
    assert ref.hole == 0


def test_wikilink_filled_and_missing():
    body = render("See [[Ada|<b>Ada</b>]], [[Bob#Work]] and [[#Notes]].")
    out = fill(body, {"Ada": "../ada/"})
    assert out == (
        '<p>See <a href="../ada/" class="wikilink">&lt;b&gt;Ada&lt;/b&gt;</a>, '
        '<span class="wikilink missing" title="Missing: Bob#Work">Bob &gt; Work</span> and '
        '<span class="wikilink missing" title="Missing: #Notes">Notes</span>.</p>\n'
    )


def test_resolver_href_is_escaped_and_never_unsafe():
    body = render("[[a]] [[b]]")
    out = fill_holes(body, lambda r: 'x" onclick="y' if r.target == "a" else "JavaScript:alert(1)")
    assert out == (
        '<p><a href="x&quot; onclick=&quot;y" class="wikilink">a</a> '
        '<span class="wikilink missing" title="Missing: b">b</span></p>\n'
    )


def test_image_embeds():
    body = render("![[pics/a.png]] ![[b.JPG|300]] ![[c.png|200x100]] ![[d.png|A cat]] ![[e.png|A dog 640x480]]")
    out = fill_holes(body, lambda r: "../" + r.target)
    assert out == (
        '<p><img src="../pics/a.png" alt="a.png"> <img src="../b.JPG" alt="b.JPG" width="300"> '
        '<img src="../c.png" alt="c.png" width="200" height="100"> <img src="../d.png" alt="A cat"> '
        '<img src="../e.png" alt="A dog" width="640" height="480"></p>\n'
    )
    assert body.text == "pics/a.png b.JPG c.png A cat A dog"
    assert fill(render("![[gone.png]]")) == '<p><span class="wikilink missing" title="Missing: gone.png">gone.png</span></p>\n'


def test_markdown_image_width_after_a_bar_in_its_alt_text():
    """Obsidian: ![alt|100](a.png) and ![alt|100x50](a.png) size the image; a bare number is alt text."""
    body = render("![Ada|100](a.png) ![|100x50](b.png) ![100](c.png) ![a|b](d.png)")
    assert fill_holes(body, lambda r: r.target) == (
        '<p><img src="a.png" alt="Ada" width="100"> <img src="b.png" alt="b.png" width="100" height="50"> '
        '<img src="c.png" alt="100"> <img src="d.png" alt="a|b"></p>\n'
    )


def test_topic_embed_uses_embed_for_else_a_link():
    body = render("Intro\n\n![[Ada]]\n\nMore ![[Bob]]")
    out = fill(body, {"Ada": "../ada/", "Bob": "../bob/"}, embed_for=lambda r: "<p>Ada's summary</p>" if r.target == "Ada" else None)
    assert out == (
        "<p>Intro</p>\n"
        '<div class="embed"><p>Ada\'s summary</p></div>\n'
        '<p>More <a href="../bob/" class="wikilink">Bob</a></p>\n'
    )


def test_non_embedded_image_wikilink_is_a_link():
    assert fill(render("[[a.png]]"), {"a.png": "../a.png"}) == '<p><a href="../a.png" class="wikilink">a.png</a></p>\n'


def test_wikilink_in_table_cell_keeps_the_table():
    body = render("| who | note |\n|---|---|\n| [[Ada\\|Countess]] | x |")
    assert [(r.target, r.label) for r in body.links] == [("Ada", "Countess")]
    out = fill(body, {"Ada": "ada/"})
    assert '<td><a href="ada/" class="wikilink">Countess</a></td>\n<td>x</td>' in out


@pytest.mark.parametrize(
    "md",
    ["`[[Ada]]`", "```\n[[Ada]]\n```", "    [[Ada]]", "``x [[Ada]] y``"],
)
def test_no_wikilinks_in_code(md):
    body = render(md)
    assert body.links == ()
    assert "[[Ada]]" in body.html


@pytest.mark.parametrize("md", ["[[]]", "[[ ]]", "[[|label]]", "[[#]]"])
def test_empty_wikilink_is_text_with_a_warning(md):
    body, diags = render_body(md, Span("a.md", 3))
    assert body.links == ()
    assert body.html == f"<p>{md}</p>\n"
    assert [(d.severity, d.code, d.span) for d in diags] == [(Severity.WARNING, "link-empty", Span("a.md", 3, 1))]


def test_unclosed_or_multiline_wikilink_is_text():
    assert render("[[Ada").links == ()
    assert render("[[Ada\nLovelace]]").links == ()


# --- Markdown links to files ---------------------------------------------------------------


@pytest.mark.parametrize(
    "md, target, heading, label, embed",
    [
        ("[x](other.md)", "other.md", None, "x", False),
        ("[x](../people/Ada%20Lovelace.md#early-life)", "../people/Ada Lovelace.md", "early-life", "x", False),
        ("[x](<../people/Ada Lovelace.md>)", "../people/Ada Lovelace.md", None, "x", False),
        ("[pdf](files/a.pdf)", "files/a.pdf", None, "pdf", False),
        ("![a cat](images/a.png)", "images/a.png", None, "a cat", True),
        ("[x][r]\n\n[r]: notes/b.md", "notes/b.md", None, "x", False),
        ("[*em* and `code`](b.md)", "b.md", None, "em and code", False),
    ],
)
def test_markdown_link_forms(md, target, heading, label, embed):
    (ref,) = render(md).links
    assert (ref.target, ref.heading, ref.label, ref.embed, ref.markdown_link) == (target, heading, label, embed, True)


def test_markdown_links_filled():
    body = render("[*Ada*](ada.md) and ![cat](a.png) and [gone](x.md)")
    out = fill(body, {"ada.md": "../ada/", "a.png": "../a.png"})
    assert out == (
        '<p><a href="../ada/" class="wikilink"><em>Ada</em></a> and <img src="../a.png" alt="cat"> and '
        '<span class="wikilink missing" title="Missing: x.md">gone</span></p>\n'
    )


@pytest.mark.parametrize("md", ["[x](//host/path.md)", "[x](#h)", "[x](mailto:a@b.c)", "[x](https://a.b/c.md)"])
def test_non_relative_links_are_not_holes(md):
    assert render(md).links == ()


# --- positions -----------------------------------------------------------------------------


def spans(md: str, span: Span = SPAN) -> list[tuple[int, int]]:
    return [(r.span.line, r.span.col) for r in render(md, span).links]


def test_positions_after_front_matter_offset():
    md = "Intro [[A]] and [x](b.md)\n\nsecond\nline [[C]] [[A]]"
    assert spans(md, Span("n.md", 5)) == [(5, 7), (5, 17), (8, 6), (8, 12)]
    assert {r.span.path for r in render(md, Span("n.md", 5)).links} == {"n.md"}


def test_positions_in_lists_blockquotes_tables_headings():
    md = (
        "# Title [[H]]\n"  # 1
        "\n"
        "- item [[L1]]\n"  # 3
        "  - nested [x](n.md)\n"  # 4
        "\n"
        "> quoted\n"  # 6
        "> > deep [[Q]]\n"  # 7
        "\n"
        "| a | b |\n"  # 9
        "|---|---|\n"
        "| [[T1]] | x [[T1]] |\n"  # 11
        "\n"
        "1. `[[no]]` then [[C]]\n"  # 13
        "\n"
        "> [!note] Title\n"  # 15
        "> in callout [[K]]\n"  # 16
        "\n"
        "Text[^1]\n"
        "\n"
        "[^1]: note [[F]]\n"  # 20
        "\n"
        "| x |\n"  # 22
        "|---|\n"
        "| [[a\\|b]] [[c]] |\n"  # 24
    )
    # in HTML order: the footnote's text comes last
    assert spans(md) == [(1, 9), (3, 8), (4, 12), (7, 10), (11, 3), (11, 14), (13, 18), (16, 14), (24, 3), (24, 12), (20, 12)]


def test_positions_count_characters_not_bytes():
    assert spans("é ü 東京 [[A]]") == [(1, 8)]


def test_position_of_wikilink_after_same_text_in_code():
    assert spans("`[[A]]` [[A]]") == [(1, 9)]


def test_position_in_setext_heading_and_hard_break():
    assert spans("Title [[A]]\n===\n\nline  \nbreak [[B]]") == [(1, 7), (5, 7)]


# --- callouts, tags, plain text, contexts ------------------------------------------------


def test_callout():
    out = html_of("> [!warning] Mind the **gap**\n> Body [[A]].\n> More.", {"A": "a/"})
    assert out == (
        '<aside class="callout callout-warning">\n'
        '<p class="callout-title">Mind the <strong>gap</strong></p>\n'
        '<p>Body <a href="a/" class="wikilink">A</a>.\nMore.</p>\n'
        "</aside>\n"
    )


def test_callout_default_title_fold_and_nested():
    """A foldable callout is a <details> (closed for -, open for +), its title the <summary>."""
    out = html_of("> [!TIP]-\n> > [!info] Inner\n> > x\n> > > [!faq]+ Open\n> > > y")
    assert out == (
        '<details class="callout callout-tip" data-fold="closed">\n'
        '<summary class="callout-title">Tip</summary>\n'
        '<aside class="callout callout-info">\n'
        '<p class="callout-title">Inner</p>\n'
        "<p>x</p>\n"
        '<details class="callout callout-faq" data-fold="open" open="">\n'
        '<summary class="callout-title">Open</summary>\n'
        "<p>y</p>\n"
        "</details>\n"
        "</aside>\n"
        "</details>\n"
    )


def test_plain_blockquote_is_not_a_callout():
    assert html_of("> [!] no\n> [x]") == "<blockquote>\n<p>[!] no\n[x]</p>\n</blockquote>\n"


def test_tags_collected_outside_code_headings_and_urls():
    md = (
        "# Heading #notatag\n\n"
        "Text #alpha and #beta/child, (#gamma) #alpha again.\n\n"
        "`#code` [l](https://x.org/#frag) a#b #123 &#35;x \\#esc #über\n\n"
        "```\n#fenced\n```\n"
    )
    assert render(md).tags == ("alpha", "beta/child", "gamma", "über")


def test_plain_text_and_contexts():
    md = "# Ada\n\nShe *met* [[Babbage|Charles]] in 1833.\n\n- a list item with [x](b.md)\n\n| cell [[C]] | other |\n|--|--|\n"
    body = render(md)
    assert body.text == "Ada She met Charles in 1833. a list item with x cell C other"
    assert [r.context for r in body.links] == ["She met Charles in 1833.", "a list item with x", "cell C"]


def test_long_context_is_cut_around_the_link():
    md = " ".join(f"w{i}" for i in range(200)) + " [[Target]] " + " ".join(f"v{i}" for i in range(200))
    (ref,) = render(md).links
    assert ref.context.startswith("…") and ref.context.endswith("…")
    assert "Target" in ref.context
    assert len(ref.context) <= 210


# --- safety --------------------------------------------------------------------------------

XSS_LINKS = [
    "[a](javascript:alert(1))",
    "[a](JAVASCRIPT:alert(1))",
    "[a](jAvAsCrIpT:alert(1))",
    "[a](jav&#x61;script:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](vbscript:msgbox(1))",
    "[a](file:///etc/passwd)",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "[a](DATA:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)>",
    "<JavaScript:alert(1)>",
    "[a][r]\n\n[r]: javascript:alert(1)",
    "[a][r]\n\n[r]: <javascript:alert(1)>",
    "![a](javascript:alert(1))",
    "![a](data:image/svg+xml;base64,PHN2Zz4=)",
    "[a](%6Aavascript:alert(1))",
    "[[javascript:alert(1)]]",
    "![[javascript:alert(1).png]]",
]


@pytest.mark.parametrize("md", XSS_LINKS)
def test_unsafe_links_are_never_linked(md):
    # even a resolver that echoes the target back cannot produce an unsafe href
    out = fill_holes(render(md), lambda ref: ref.target)
    lowered = out.lower()
    for scheme in ("javascript:", "vbscript:", "file:", "data:"):
        assert f'href="{scheme}' not in lowered and f'src="{scheme}' not in lowered


def test_safe_data_image_is_allowed():
    assert html_of("![a](data:image/png;base64,AAAA)") == '<p><img src="data:image/png;base64,AAAA" alt="a" /></p>\n'


@pytest.mark.parametrize(
    "md, expected",
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
        ('<iframe src="https://evil"></iframe>', "<p>&lt;iframe src=&quot;https://evil&quot;&gt;&lt;/iframe&gt;</p>\n"),
        ("text <b onmouseover=x>bold</b>", "<p>text &lt;b onmouseover=x&gt;bold&lt;/b&gt;</p>\n"),
    ],
)
def test_raw_html_is_escaped_by_default(md, expected):
    assert html_of(md) == expected


def test_raw_html_passes_when_allowed():
    assert html_of("<div class=x>hi</div>\n\na <b>b</b>", allow_html=True) == '<div class=x>hi</div>\n<p>a <b>b</b></p>\n'


def test_labels_and_titles_are_escaped():
    body = render('[[x"><script>|"><img src=x onerror=1>]]')
    out = fill(body)
    assert "<script" not in out and "<img" not in out
    assert out == (
        '<p><span class="wikilink missing" title="Missing: x&quot;&gt;&lt;script&gt;">'
        "&quot;&gt;&lt;img src=x onerror=1&gt;</span></p>\n"
    )


def test_content_cannot_forge_a_hole():
    body = render("a \x000\x01 fake \x00\x02 b [[A]]")
    assert len(body.links) == 1
    assert len(HOLE_RE.findall(body.html)) == 1


# --- the contract with the render stage ----------------------------------------------------


def test_holes_and_links_correspond_in_order():
    body = render("[[A]] [b](b.md) ![[c.png]] ![d](d.png) ![[E]]\n\n# [[H]]")
    assert [int(m.group(1)) for m in HOLE_RE.finditer(body.html)] == [0, 1, 2, 3, 4, 5]
    assert [r.hole for r in body.links] == [0, 1, 2, 3, 4, 5]
    assert [r.target for r in body.links] == ["A", "b.md", "c.png", "d.png", "E", "H"]
    assert isinstance(body.links[0], LinkRef)


def test_wikilink_inside_markdown_link_label_is_not_nested():
    # as in CommonMark, a link cannot contain a link: the inner one wins
    body = render("[see [[A]]](b.md)")
    assert [(r.target, r.markdown_link) for r in body.links] == [("A", False)]
    assert fill(body, {"A": "a/"}) == '<p>[see <a href="a/" class="wikilink">A</a>](b.md)</p>\n'



def test_wikilink_in_image_alt_makes_no_hole():
    body = render("![see [[A]]](a.png)")
    assert [(r.target, r.label) for r in body.links] == [("a.png", "see A")]


def test_a_heading_link_without_a_label_reads_target_then_each_heading():
    html = render("[[Note#Heading One#Sub]] [[Note#Only]] [[#Methods#Results]] [[#Intro]]").html
    assert "Note &gt; Heading One &gt; Sub" in html and "Note &gt; Only" in html
    assert "\x01Methods &gt; Results\x00" in html and "\x01Intro\x00" in html
