"""Embeds on real pages: ![[a#Section]] and ![[a#^block]] show only that part, ids stay unique
in the page, an embed inside a paragraph never puts a block inside <p>; note titles; type colours."""
from __future__ import annotations

import collections
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ctxgen.api import load_map
from ctxgen.config import TopicType
from ctxgen.render import RenderOptions, SiteRenderer
from ctxgen.site_values import TYPE_PALETTE, type_colors

A = """---
title: A
---
Intro of a.[^1]

## Section

Section text ^blk1

### Sub

Sub text.

- item one ^li1
  - nested
- item two

## Other

Other text.

[^1]: a footnote of a
"""


def build(tmp_path: Path, files: dict[str, str], yaml: str = "title: T\n") -> SiteRenderer:
    root = tmp_path / "map"
    root.mkdir()
    (root / "ctxgen.yaml").write_text(yaml)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    result = load_map(root)
    assert not result.diagnostics.has_errors(), [d.format() for d in result.diagnostics.sorted()]
    return SiteRenderer(result.topic_map, result.config, RenderOptions(map_dir=root, assets=result.assets))


def page(renderer: SiteRenderer, tid: str) -> str:
    return renderer.render(f"{tid}/index.html").decode()


def body_of(html: str) -> str:
    return html[html.index('<div class="ctx-body">'):html.index('<section class="ctx-local-graph"')]


def embeds(html: str) -> list[str]:
    return re.findall(r'<div class="ctx-embed-body">(.*?)</div></figure>', html, re.S)


# --- which part ------------------------------------------------------------------------------------
def test_section_embed_shows_the_heading_and_what_follows_up_to_the_next_at_its_level(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\n![[a#Section]]\n"})
    [shown] = embeds(page(r, "b"))
    assert shown.startswith('<h2 id="e0-h-section">Section</h2>')
    assert "Section text" in shown and "Sub text." in shown and "nested" in shown  # the sub-heading is in it
    assert "Intro of a" not in shown and "Other" not in shown
    assert 'href="../a/#h-section">A › Section</a>' in page(r, "b")  # the caption opens the section


def test_last_section_stops_at_the_footnotes(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\n![[a#other]]\n"})
    [shown] = embeds(page(r, "b"))
    assert shown == '<h2 id="e0-h-other">Other</h2>\n<p>Other text.</p>\n'


def test_block_embeds_show_the_paragraph_or_list_item_without_the_marker(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\n![[a#^blk1]]\n\n![[a#^li1]]\n"})
    para, item = embeds(page(r, "b"))
    assert para == '<p id="e0-^blk1">Section text</p>\n'  # the block's id, prefixed like every embedded id
    assert item.startswith('<ul>\n<li id="e1-^li1">item one') and "nested" in item and "item two" not in item
    assert " ^li1" not in item and item.count("<li") == item.count("</li>") == 2


def test_dendron_range_shows_the_section_of_its_first_anchor(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\n![[a#section,1:#*]]\n\n![[a#^begin]]\n"})
    section, begin = embeds(page(r, "b"))
    assert section.startswith('<h2 id="e0-h-section">') and "Other text" not in section
    assert "Intro of a" in begin and "Section" not in begin
    assert not list(r.setup.items)


def test_missing_section_warns_at_the_embed_and_shows_as_missing(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\nSome text.\n\n![[a#No such]]\n\n![[a#^nope]]\n"})
    assert [d.format().split("\n")[0] for d in r.setup.sorted()] == [
        "b.md:6:1: warning[embed-part-missing]: ![[a#No such]]: A has no heading 'No such'",
        "b.md:8:1: warning[embed-part-missing]: ![[a#^nope]]: A has no block '^nope'",
    ]
    html = page(r, "b")
    assert html.count('class="ctx-embed-missing"') == 2 and "Intro of a" not in html
    assert '(No such not found)' in html


# --- unique ids ------------------------------------------------------------------------------------
class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.fragments: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if (a.get("href") or "").startswith("#"):
            self.fragments.append(a["href"][1:])


def test_ids_are_unique_and_in_page_anchors_resolve(tmp_path) -> None:
    b = ("---\ntitle: B\n---\n## Section\n\nHost text.[^1] [back](#section)\n\n![[a#Section]]\n\n![[a]]\n\n![[a]]\n\n"
         "[^1]: host footnote\n")
    note = "---\noccurrence: remark\ntopic: b\ntitle: A remark\n---\n## Section\n\nNote text.[^1]\n\n[^1]: its footnote\n"
    r = build(tmp_path, {"a.md": A, "b.md": b, "notes/remark.md": note})
    html = page(r, "b")
    ids = _Ids()
    ids.feed(html)
    dupes = [i for i, n in collections.Counter(ids.ids).items() if n > 1]
    assert dupes == []
    assert set(ids.fragments) <= set(ids.ids), set(ids.fragments) - set(ids.ids)
    assert 'id="h-section"' in html and 'href="#h-section"' in html  # the page's own anchors as before
    assert [h.anchor for h in r.index.topics["b"].body.rendered.headings] == ["h-section"]


# --- inline embeds ---------------------------------------------------------------------------------
_BLOCKS = {"div", "figure", "ul", "ol", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
           "aside", "details", "section", "pre", "hr", "figcaption"}
_PHRASING_ONLY = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"img", "br", "hr", "input", "meta", "link"}


class _BlockInPhrasing(HTMLParser):
    """Records every block element opened while a <p> or <hN> is open (invalid HTML)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS and any(t in _PHRASING_ONLY for t in self.stack):
            self.bad.append(f"<{tag}> in <{'><'.join(self.stack)}>")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


@pytest.mark.parametrize("body", [
    "Text before ![[a]] and after.",
    "![[a]] then text.",
    "Text then ![[a]]",
    "One ![[a]] two ![[a#Other]] three.",
    "> [!note] Title ![[a]]\n> body ![[a#Other]] more",
    "- item ![[a]] text\n- two",
    "| x |\n| --- |\n| cell ![[a]] |",
    "# Heading ![[a]]",
    "Line one\n![[a]]\nline three",
])
def test_an_embed_inside_text_never_puts_a_block_inside_a_paragraph(tmp_path, body) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": f"---\ntitle: B\n---\n{body}\n"})
    html = body_of(page(r, "b"))
    check = _BlockInPhrasing()
    check.feed(html)
    assert check.bad == [], html
    assert "<p></p>" not in html and "<p> </p>" not in html
    words = re.sub(r"!\[\[[^]]*\]\]|[#>|\-\[\]!]|note|Title", " ", body).split()
    text = re.sub(r"<[^>]+>", " ", html)
    for w in words:  # the text around the embed is all still there
        assert w in text, w


def test_paragraph_split_keeps_text_order(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\nBefore ![[a#Other]] after.\n"})
    html = body_of(page(r, "b"))
    assert re.search(r'<p>Before </p><div class="embed"><figure class="ctx-embed">.*?</figure></div><p> after\.</p>',
                     html, re.S)


def test_embed_in_a_heading_is_a_link(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\n## See ![[a]]\n"})
    html = body_of(page(r, "b"))
    assert '<h2 id="h-see-a">See <a href="../a/" class="wikilink">a</a></h2>' in html and "ctx-embed" not in html


# --- notes -----------------------------------------------------------------------------------------
def test_note_title_is_shown_as_the_notes_heading(tmp_path) -> None:
    note = "---\noccurrence: biography\ntopic: ada\ntitle: Early <life>\n---\nShe studied [[b]].\n"
    untitled = "---\noccurrence: remark\ntopic: ada\n---\n# From its H1\n\nText.\n"
    r = build(tmp_path, {"ada.md": "---\ntitle: Ada\n---\nBody.\n", "b.md": "---\ntitle: B\n---\n",
                         "notes/early.md": note, "notes/h1.md": untitled})
    html = page(r, "ada")
    notes = html[html.index('<section class="ctx-notes"'):]
    notes = notes[:notes.index("</section>")]
    assert '<h3 id="ctx-note-1">Early &lt;life&gt;</h3>' in notes
    assert '<h3 id="ctx-note-2">From its H1</h3>' in notes and "<h1" not in notes  # shown once, as the heading
    assert re.search(r'<p class="ctx-note-meta ctx-muted"><a class="ctx-topic" href="\.\./remark/">', notes)


# --- type colours ----------------------------------------------------------------------------------
def _typed_map(n_types: int, schema: str = "") -> dict[str, str]:
    files = {f"t{i:02}.md": f"---\ntitle: T{i}\ntype: kind-{i:02}\n---\n" for i in range(n_types)}
    return files


def test_type_colours_are_distinct_deterministic_and_honour_the_schema(tmp_path) -> None:
    yaml = 'title: T\nschema:\n  topic_types:\n    kind-03: {color: "#123456"}\n'
    r = build(tmp_path, _typed_map(20), yaml)
    colors = r.index.type_colors
    kinds = sorted(k for k in colors if k.startswith("kind-"))
    assert len(kinds) == 20 and len({colors[k] for k in kinds}) == 20  # no two types share a colour
    assert colors["kind-03"] == "#123456"
    # ctxgen.yaml refuses a colour that is not one (test_config); a schema made in code may hold one
    schema = dataclasses.replace(r.config.schema, topic_types={
        **r.config.schema.topic_types, "kind-05": TopicType("kind-05", color="url(x)")})
    assert type_colors(r.tm, schema)["kind-05"] in TYPE_PALETTE
    others = [k for k in kinds if k != "kind-03"]
    assert [colors[k] for k in others[:len(TYPE_PALETTE)]] == list(TYPE_PALETTE)  # in id order
    assert type_colors(r.tm, r.config.schema) == colors  # the same every time it is computed
    html = page(r, "t07")  # the site shows each topic in its type's colour
    assert f'--ctx-type-color: {colors["kind-07"]}' in html


def test_schema_colour_is_not_reused_for_another_type(tmp_path) -> None:
    yaml = f'title: T\nschema:\n  topic_types:\n    kind-09: {{color: "{TYPE_PALETTE[0].upper()}"}}\n'
    r = build(tmp_path, _typed_map(3) | {"t09.md": "---\ntitle: T9\ntype: kind-09\n---\n"}, yaml)
    colors = r.index.type_colors
    assert colors["kind-00"] == TYPE_PALETTE[1]
    assert len({c.lower() for c in colors.values()}) == len(colors)


# --- callout styles --------------------------------------------------------------------------------
STYLE = Path(__file__).resolve().parents[1] / "themes" / "default" / "static" / "style.css"


def test_every_common_callout_type_has_its_own_colour_in_light_and_dark() -> None:
    css = STYLE.read_text()
    dark_at = css.index("@media (prefers-color-scheme: dark)", css.index(".callout {"))
    light, dark = css[:dark_at], css[dark_at:]

    def colour(part: str, kind: str) -> str:
        m = re.search(r"\.callout-" + kind + r"\b[^{]*\{ --ctx-callout: (#[0-9a-f]{6}); \}", part)
        assert m, kind
        return m.group(1)

    kinds = ["info", "tip", "success", "question", "warning", "failure", "danger", "bug", "example", "quote"]
    for part in (light, dark):
        found = [colour(part, k) for k in kinds]
        assert len(set(found)) == len(kinds)
    assert re.search(r"details\.callout > summary\.callout-title \{[^}]*cursor: pointer", css)


# --- links to blocks and same-page headings --------------------------------------------------------
def test_links_to_a_block_land_on_it_and_never_on_a_heading(tmp_path) -> None:
    a = "---\ntitle: A\n---\n## blk1\n\nSection text ^blk1\n\n- item ^li1\n\n## What's in a Foam?\n"
    b = "---\ntitle: B\n---\n[[a#^blk1]] [x](a.md#^li1) [[a#^nope]] [[a#whats-in-a-foam]]\n"
    r = build(tmp_path, {"a.md": a, "b.md": b})
    target = body_of(page(r, "a"))
    assert '<p id="^blk1">Section text</p>' in target and '<li id="^li1">item</li>' in target
    assert "text ^blk1" not in target and "item ^li1" not in target
    html = body_of(page(r, "b"))
    assert re.findall(r'href="([^"]*)"', html) == ["../a/#%5Eblk1", "../a/#%5Eli1", "../a/", "../a/#h-what-s-in-a-foam"]


def test_same_page_links_in_a_page_and_in_its_embeds_resolve(tmp_path) -> None:
    a = "---\ntitle: A\n---\n## What's in a Foam?\n\n[up](#whats-in-a-foam) [[#What's in a Foam?]] [[#whats-in-a-foam|gh]]\n"
    b = "---\ntitle: B\n---\n## Intro!\n\n[top](#intro)\n\n![[a]]\n"
    r = build(tmp_path, {"a.md": a, "b.md": b})
    assert '<a href="#h-what-s-in-a-foam">up</a>' in page(r, "a")
    assert re.findall(r'href="(\.\./a/[^"]*)" class="wikilink"', page(r, "a")) == ["../a/#h-what-s-in-a-foam"] * 2
    html = page(r, "b")
    assert '<a href="#h-intro">top</a>' in html
    assert '<a href="#e0-h-what-s-in-a-foam">up</a>' in html  # the embedded copy points at its own heading
    ids = _Ids()
    ids.feed(body_of(html))
    assert set(ids.fragments) <= set(ids.ids)


def test_a_merged_topics_footnotes_stay_unique_and_linked(tmp_path) -> None:
    same = "subject: https://example.org/ada\n"
    files = {
        "a.md": f"---\ntitle: Ada\n{same}---\nFirst.[^1] Again.[^1]\n\n[^1]: first note\n",
        "b.md": f"---\ntitle: Lovelace\n{same}---\nSecond.[^1] [up](#life)\n\n## Life\n\n[^1]: second note\n",
        "c.md": f"---\ntitle: Countess\n{same}---\nThird.[^n]\n\n[^n]: third note\n",
        "d.md": "---\ntitle: D\n---\n![[a]]\n",
    }
    r = build(tmp_path, files)
    for tid in ("a", "d"):  # the page, and a page embedding it (ids prefixed once more)
        html = body_of(page(r, tid))
        ids = _Ids()
        ids.feed(html)
        assert [i for i, n in collections.Counter(ids.ids).items() if n > 1] == []
        assert set(ids.fragments) <= set(ids.ids), set(ids.fragments) - set(ids.ids)
        assert len([i for i in ids.ids if i.endswith("fn1")]) == 3
    html = body_of(page(r, "a"))
    assert 'id="m1-fn1"' in html and 'href="#m2-fnref1"' in html and 'href="#h-life"' in html


@pytest.mark.parametrize("body, expected", [
    ("See ![[engine.png]] and [[a]].",
     '<p>See <img src="../engine.png" alt="engine.png"> and <a href="../a/" class="wikilink">a</a>.</p>'),
    ("![alt](images/x.png).", '<p><img src="../images/x.png" alt="alt">.</p>'),
    ("Two ![[engine.png|a 40]] ![b](images/x.png) end",
     '<p>Two <img src="../engine.png" alt="a" width="40"> <img src="../images/x.png" alt="b"> end</p>'),
])
def test_a_local_image_inside_text_stays_inside_its_paragraph(tmp_path, body, expected) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": f"---\ntitle: B\n---\n{body}\n", "engine.png": "png",
                         "images/x.png": "png"})
    html = body_of(page(r, "b"))
    assert expected in html, html


def test_anchor_targets_scroll_clear_of_the_sticky_header() -> None:
    css = STYLE.read_text()
    rule = re.search(r":is\(([^)]*)\) \{ scroll-margin-top: calc\(var\(--ctx-header-h\) \+ [\d.]+rem\); \}", css)
    assert rule and {"h1", "h2", "h6", "[id]"} <= {s.strip() for s in rule.group(1).split(",")}
    assert re.search(r"--ctx-header-h: [\d.]+rem;", css[: css.index("}")])  # defined in :root
    header = css[css.index(".ctx-header {"):]
    assert "position: sticky; top: 0;" in header[: header.index("}")]
    narrow = css[css.index("@media (max-width: 40rem)"):]
    narrow = narrow[: narrow.index("\n}\n")]
    assert ".ctx-header { position: static; }" in narrow and "--ctx-header-h: 0rem;" in narrow


# --- "Mentioned in" ----------------------------------------------------------------------------------
def test_mention_quotes_are_capped_per_source_and_in_sources(tmp_path, monkeypatch) -> None:
    import ctxgen.site_topic as site_topic

    monkeypatch.setattr(site_topic, "MAX_BACKLINK_SOURCES", 4)
    many = "\n\n".join(f"Quote {k} of [[a]]." for k in range(50))
    files = {"a.md": A, "many.md": f"---\ntitle: Many\n---\n{many}\n"}
    files.update({f"s{k}.md": f"---\ntitle: S{k}\n---\nSee [[a]] here.\n" for k in range(6)})
    html = page(build(tmp_path, files), "a")
    section = html[html.index('<section class="ctx-backlinks"'):]
    section = section[: section.index("</section>")]
    assert section.count("<li>") == 4
    assert [q for q in re.findall(r'<blockquote class="ctx-context">([^<]*)<', section) if q.startswith("Quote")] == [
        "Quote 0 of a.", "Quote 1 of a.", "Quote 2 of a."]
    assert '<p class="ctx-muted">… and 3 more (see the <a href="../graph.html">graph</a>).</p>' in section


# --- inline #tags ----------------------------------------------------------------------------------
def test_inline_tags_link_to_their_tag_page(tmp_path) -> None:
    r = build(tmp_path, {"a.md": A, "b.md": "---\ntitle: B\n---\nSee #maths and `#code`.\n",
                         "c.md": "---\ntitle: C\n---\nAbout #maths/logic, with [[a]].\n\n## Heading #nope\n"})
    b, c = body_of(page(r, "b")), body_of(page(r, "c"))
    assert '<p>See <a href="../tags/maths.html" class="ctx-tag">#maths</a> and <code>#code</code>.</p>' in b
    assert '<a href="../tags/maths/logic.html" class="ctx-tag">#maths/logic</a>, with <a href="../a/" class="wikilink">a</a>' in c
    assert "Heading #nope" in c and "\x00" not in b + c


# --- the home page -------------------------------------------------------------------------------
def test_recently_changed_uses_change_dates_else_the_file_time(tmp_path) -> None:
    import datetime
    import os

    files = {
        "a.md": "---\ntitle: A\nupdated: 2024-05-01\n---\n",
        "b.md": "---\ntitle: B\ndate: 2030-01-01\ncreated: 2029-01-01\n---\n",  # publication dates: no change
        "c.md": "---\ntitle: C\nlastmod: 2024-06-01\n---\n",
        "d.md": "---\ntitle: D\n---\n",
    }
    root = tmp_path / "map"
    root.mkdir()
    (root / "ctxgen.yaml").write_text("title: T\n")
    for name, text in files.items():
        (root / name).write_text(text)
    for name, day in (("a.md", "2019-01-01"), ("b.md", "2023-01-01"), ("c.md", "2019-01-01"), ("d.md", "2021-01-01")):
        ts = datetime.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()
        os.utime(root / name, (ts, ts))
    result = load_map(root)
    r = SiteRenderer(result.topic_map, result.config,
                     RenderOptions(map_dir=root, assets=result.assets, sources=list(result.sources)))
    html = r.render("index.html").decode()
    recent = html[html.index('id="ctx-home-recent"'):]
    recent = recent[: recent.index("</section>")]
    assert re.findall(r'>([A-D])</a> <time class="ctx-muted" datetime="([\d-]+)">', recent) == [
        ("C", "2024-06-01"), ("A", "2024-05-01"), ("B", "2023-01-01"), ("D", "2021-01-01")]


def test_home_shows_the_title_once_and_leaves_itself_out_of_most_connected(tmp_path) -> None:
    files = {"index.md": "---\ntitle: Pioneers\n---\n# Pioneers\n\nSee [[a]] and [[b]].\n",
             "b.md": "---\ntitle: B\n---\nBack [[index]] and [[a]].\n", "a.md": A}
    html = build(tmp_path, files, "title: Pioneers\n").render("index.html").decode()
    assert html.count(">Pioneers</h1>") == 1
    connected = html[html.index('id="ctx-home-connected"'):]
    connected = connected[: connected.index("</section>")]
    assert re.findall(r'class="ctx-topic" href="([^"]*)"', connected) == ["b/", "a/"]  # no index/
    # a body H1 that differs from the site title stays
    (tmp_path / "o").mkdir()
    other = build(tmp_path / "o", {"index.md": "---\ntitle: X\n---\n# Welcome\n\nText.\n"}, "title: Pioneers\n")
    assert '<h1 id="h-welcome">Welcome</h1>' in other.render("index.html").decode()


# --- the page's title ------------------------------------------------------------------------------
def test_the_page_title_keeps_the_id_of_the_body_h1_it_stands_in_for(tmp_path) -> None:
    """A body opening with `# Its title` loses that H1 (the page shows the title once), but links
    to the heading (a table of contents, `[[p#Principles]]`) must still land: the page's <h1> has its id."""
    r = build(tmp_path, {
        "principles.md": "# Principles\n\n- [Principles](#principles)\n- [Later](#later)\n\n## Later\n\nText.\n",
        "other.md": "---\ntitle: Other\n---\nSee [[principles#Principles]].\n",
        "plain.md": "---\ntitle: Plain\n---\nNo heading.\n",
    })
    html = page(r, "principles")
    assert html.count("<h1") == 1 and '<h1 id="h-principles">Principles</h1>' in html
    for target in re.findall(r'href="#([^"]+)"', body_of(html)):
        assert f'id="{target}"' in html, target
    assert 'href="../principles/#h-principles"' in page(r, "other")
    assert "<h1>Plain</h1>" in page(r, "plain")  # no H1 dropped: no id


def test_the_home_page_title_keeps_the_id_of_the_index_h1_it_stands_in_for(tmp_path) -> None:
    r = build(tmp_path, {"index.md": "# T\n\n[Back to the top](#t)\n"}, "title: T\n")
    html = r.render("index.html").decode()
    assert html.count("<h1") == 1 and '<h1 id="h-t">T</h1>' in html and 'href="#h-t"' in html
    (tmp_path / "other").mkdir()
    plain = build(tmp_path / "other", {"index.md": "Just text.\n"}, "title: T\n").render("index.html").decode()
    assert "<h1>T</h1>" in plain


def test_audio_video_and_pdf_embeds_play_in_the_page(tmp_path) -> None:
    """As in Obsidian: ![[talk.mp3]] is a player, ![[doc.pdf#page=2]] the browser's PDF viewer at
    that page; each keeps a link to the file, and other files stay links."""
    r = build(tmp_path, {
        "a.md": "![[talk.mp3]]\n\n![[clip.webm|The clip]]\n\n![[doc.pdf#page=2]]\n\n![[data.csv]]\n\n[[doc.pdf]]\n",
        "media/talk.mp3": "x", "media/clip.webm": "x", "media/doc.pdf": "%PDF-1.4", "media/data.csv": "a,b",
    })
    body = body_of(page(r, "a"))
    link = '<a class="ctx-embed-file" href="../media/{}">{}</a>'
    assert ('<audio class="ctx-embed-audio" controls preload="metadata" src="../media/talk.mp3">'
            + link.format("talk.mp3", "talk.mp3") + "</audio>") in body
    assert ('<video class="ctx-embed-video" controls preload="metadata" src="../media/clip.webm">'
            + link.format("clip.webm", "The clip") + "</video>") in body
    assert ('<iframe class="ctx-embed-pdf" src="../media/doc.pdf#page=2" title="doc.pdf" loading="lazy"></iframe>'
            + link.format("doc.pdf", "doc.pdf")) in body
    assert '<div class="embed">' + link.format("data.csv", "data.csv") + "</div>" in body
    assert '<a href="../media/doc.pdf" class="wikilink">doc.pdf</a>' in body
