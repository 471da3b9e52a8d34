"""TeX math in bodies (ctxgen.md_math), on both Markdown paths: the fast path in ctxgen.markdown
and ctxgen.md_legacy must give the same RenderedBody."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import ctxgen.md_legacy as md_legacy
from ctxgen.diagnostics import Span
from ctxgen.markdown import render_body
from ctxgen.md_math import MASK

SPAN = Span("notes/a.md", 3)


def both(md: str, allow_html: bool = False):
    body, diags = render_body(md, SPAN, allow_html)
    assert (body, diags) == md_legacy.render_body(md, SPAN, allow_html)
    assert not any(MASK <= ord(c) <= MASK + 0x7F for c in body.html + body.text)
    return body


def inline(tex: str) -> str:
    return f'<span class="math math-inline">\\({tex}\\)</span>'


@pytest.mark.parametrize(
    "md, html",
    [
        (r"Set $\{x \mid x_1 > 0\}$", "<p>Set " + inline(r"\{x \mid x_1 &gt; 0\}") + "</p>\n"),
        (r"$a_1 * b_2 * c$ and $\$5$", "<p>" + inline(r"a_1 * b_2 * c") + " and " + inline(r"\$5") + "</p>\n"),
        ("$$\n\\sum_{i=1}^n x_i\n$$", '<div class="math math-display">\\[\n\\sum_{i=1}^n x_i\n\\]</div>\n'),
        ("$$ a < b $$", '<div class="math math-display">\\[ a &lt; b \\]</div>\n'),
        ("so $$x^2$$ here", '<p>so <span class="math math-display">\\[x^2\\]</span> here</p>\n'),
        ("Text\n$$\nx\n$$\nmore", '<p>Text\n<span class="math math-display">\\[\nx\n\\]</span>\nmore</p>\n'),
        ("> $$\n> a_1\n> b_2\n> $$", '<blockquote>\n<div class="math math-display">\\[\na_1\nb_2\n\\]</div>\n</blockquote>\n'),
        ("- $x_1$ and *$y$*", "<ul>\n<li>" + inline("x_1") + " and <em>" + inline("y") + "</em></li>\n</ul>\n"),
        ("from $a +\nb$ on", "<p>from " + inline("a +\nb") + " on</p>\n"),  # a soft line break inside
        ("$[[x]]$ and $[a](b.md)$", "<p>" + inline("[[x]]") + " and " + inline("[a](b.md)") + "</p>\n"),
        ("$#tag$ %% $x$", "<p>" + inline("#tag") + " %% " + inline("x") + "</p>\n"),
        ("$α_1$ ü", "<p>" + inline("α_1") + " ü</p>\n"),
    ],
)
def test_math_renders_its_tex_as_written(md, html):
    assert both(md).html == html


@pytest.mark.parametrize(
    "md",
    [
        "it costs $5",
        "it costs $5 and $6",
        "from $5 to $10, or $5-$10",
        "$ a$ and $a $",  # a space after the opening or before the closing `$`
        "$a$5 b",  # the closing `$` followed by a digit
        r"a \$x$ b",  # an escaped dollar opens nothing
        "empty $$ $$",  # no TeX
        "$$$$",
        "$a\n\nb$",  # a blank line ends it
        "# Head $a\nb$",  # no math runs out of a heading
        "from $a\n- b$",  # ... or into a list item
        "`$x$` and ``$y` `` here",
        "costs $5, see `$HOME`",
        "```\n$x$\n```",
        "~~~tex\n$$\nx\n$$\n~~~",
        "- item\n\n  ```\n  $x$\n  ```",
        "    $x$ indented code",
        "[[a $b$ c]]",
        "[l](http://e.com/$a$)",
        "<http://e.com/$a$b>",
    ],
)
def test_not_math(md):
    body = both(md)
    assert "math" not in body.html
    assert "$" in body.html


def test_code_keeps_math_as_written():
    body = both("`$x_1$` and\n\n```\n$$a_1 *b*$$\n```")
    assert body.html == "<p><code>$x_1$</code> and</p>\n<pre><code>$$a_1 *b*$$\n</code></pre>\n"


def test_an_escaped_dollar_is_a_dollar_and_math_keeps_its_escapes():
    assert both(r"\$5 and $\$5$").html == r"<p>$5 and " + inline(r"\$5") + "</p>\n"


def test_plain_text_and_link_contexts_keep_the_tex():
    body = both(r"Set $\{x_1\}$ in [[b]] and $$y^2$$.")
    assert body.text == r"Set $\{x_1\}$ in b and $$y^2$$."
    assert body.links[0].context == body.text


def test_positions_of_links_after_math():
    md = "intro $\\{x \\mid x_1 > 0\\}$ [[b]] and $α_1$ [c](c.md)\n$$\na *b*\n$$ then [[d]]\n> $$\n> x\n> $$ [[e]]"
    body = both(md)
    lines = md.split("\n")
    where = [(k, line.index(mark)) for mark in ("[[b]]", "[c]", "[[d]]", "[[e]]")
             for k, line in enumerate(lines) if mark in line]
    assert [(r.span.line, r.span.col) for r in body.links] == [(SPAN.line + k, col + 1) for k, col in where]
    assert where[0] == (0, 27)


def test_links_in_a_math_label_and_math_in_a_link_label():
    body = both("[see $x_1$](b.md) and $[[c]]$")
    (ref,) = body.links
    assert ref.label == "see $x_1$" and ref.target == "b.md" and (ref.span.line, ref.span.col) == (3, 1)
    assert inline("x_1") in body.html and "c" not in [r.target for r in body.links]


def test_a_heading_with_math_keeps_its_tex_in_text_and_id():
    body = both("## Area $\\pi r^2$\n\nsee [there](#Area $\\pi r^2$)")
    assert body.headings[0].text == "Area $\\pi r^2$"
    assert body.html.startswith('<h2 id="h-area-pi-r-2">Area ' + inline("\\pi r^2") + "</h2>")


def test_tags_outside_math_still_count():
    assert both("$a#b$ #real").tags == ("real",)


def test_image_alt_text_keeps_math_as_written():
    assert 'alt="a $x &lt; y$"' in both("![a $x < y$](http://e.com/p.png)").html


def test_mask_code_points_in_the_text_are_not_masks():
    body = both(chr(MASK + 1) + "a$x$ " + chr(MASK + 0x24))
    assert body.html == "<p>\ufffda" + inline("x") + " \ufffd</p>\n"


def test_raw_html_attributes_keep_math_as_written():
    assert both('<b title="$a$">$b$</b>', allow_html=True).html == '<p><b title="$a$">' + inline("b") + "</b></p>\n"


def test_a_body_without_math_is_not_touched(monkeypatch):
    from ctxgen import markdown

    for module in (markdown, md_legacy):
        monkeypatch.setattr(module, "unmask_body", None)  # would raise if called
    assert both("costs $5, [[a]] `$x$`").html.startswith("<p>costs $5, ")


_PIECES = st.sampled_from(["$", "$$", "\\$", "\\", "5", "x", "_", "*", " ", "\n", "\n\n", "`x`", "`$y$`", "[[a]]",
                           "[b](c.md)", "# ", "> ", "- ", "{", "}", "<", "&", "#t"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=20).map("".join))
@example(md="> $\n- ")  # found by a fresh clone's run: a bare list marker after a quote line
def test_math_renders_the_same_on_both_paths(md):
    body, diags = render_body(md, SPAN)
    assert (body, diags) == md_legacy.render_body(md, SPAN)
    assert not any(MASK <= ord(c) <= MASK + 0x7F for c in body.html + body.text)


def test_a_stray_display_dollar_pair_does_not_reach_into_the_quote_below():
    body = both("Price $$ and $a$ here.\n> quote $$\n> x\n> $$\n")
    assert body.html == ('<p>Price $$ and <span class="math math-inline">\\(a\\)</span> here.</p>\n<blockquote>\n'
                         '<p>quote <span class="math math-display">\\[\nx\n\\]</span></p>\n</blockquote>\n')
    assert both("> a $x\n> y$ b\n").html == '<blockquote>\n<p>a <span class="math math-inline">\\(x\ny\\)</span> b</p>\n</blockquote>\n'
