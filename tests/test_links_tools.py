"""Links and bodies as other tools write them: merged topics keep every body, root-relative
Markdown links, GitHub-style heading anchors, Dendron's [[label|target]] and dendron:// links,
and --drafts builds (docs/authoring.md, "Links in bodies" and "Merging")."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ctxgen.api import load_map
from ctxgen.diagnostics import Diagnostics, Span
from ctxgen.config import Config
from ctxgen.markdown import render_body
from ctxgen.md_common import HOLE_RE
from ctxgen.modeler import build_topic_map, github_slug
from ctxgen.source import SourceFile
from support import first_lines as lines, write_files as write


def shown(body, hole: int) -> str:
    """The text a link hole shows."""
    return {int(m.group(1)): m.group(2) for m in HOLE_RE.finditer(body.rendered.html)}[hole]


def target(result, topic_id: str, n: int):
    body = result.topic_map[topic_id].body
    return body.targets[body.rendered.links[n].hole]


# --- 1. topics merged by subject identifier keep both bodies --------------------------------
SAME = "subject: https://example.org/ada\n"


def test_merged_topics_keep_both_bodies_in_path_order(tmp_path):
    result = load_map(write(tmp_path, {
        "a/ada.md": f"---\ntitle: Ada\n{SAME}---\nFirst body, see [[./x]].\n\n## Life\n\nEarly.\n",
        "b/lovelace.md": f"---\ntitle: Lovelace\n{SAME}---\nSecond body, see [x](x.md) and [[#Life]].\n\n## Life\n\nLate.\n",
        "a/x.md": "In a.\n",
        "b/x.md": "In b.\n",
        "c.md": "[[lovelace#Life]] and [[ada#Life]]\n",
    }))
    tm = result.topic_map
    assert tm.merged_ids == {"b/lovelace": "a/ada"}
    body = tm["a/ada"].body
    html = body.rendered.html
    assert html.index("First body") < html.index("Second body")  # path order
    assert 'data-source="b/lovelace.md"' in html
    assert "Early." in body.rendered.text and "Late." in body.rendered.text
    # each body's links resolved from its own file: [[x]] from a/, [x](x.md) from b/
    links = body.rendered.links
    assert [body.targets[link.hole].topic for link in links] == ["a/x", "b/x", "a/ada"]
    assert [link.span.path for link in links] == ["a/ada.md", "b/lovelace.md", "b/lovelace.md"]
    # the second 'Life' heading got a unique id, and links to it follow
    assert [h.anchor for h in body.rendered.headings] == ["h-life", "h-life-1"]
    assert 'id="h-life-1"' in html and html.count('id="h-life"') == 1
    assert body.targets[links[2].hole].anchor == "h-life-1"  # [[#Life]] in the second file
    assert [target(result, "c", i).anchor for i in (0, 1)] == ["h-life-1", "h-life"]
    assert not [d for d in result.diagnostics.sorted() if d.severity.value != "note"], lines(result)


def test_merging_a_body_into_a_topic_without_one_keeps_it(tmp_path):
    result = load_map(write(tmp_path, {
        "a.md": f"---\ntitle: A\n{SAME}---\n",
        "b.md": f"---\ntitle: B\n{SAME}---\nOnly B has text, [[c]].\n",
        "c.md": "C\n",
    }))
    body = result.topic_map["a"].body
    assert "Only B has text" in body.rendered.html
    assert target(result, "a", 0).topic == "c"


# --- 2. root-relative Markdown links ----------------------------------------------------------
def test_root_relative_markdown_links_resolve_from_the_map_root(tmp_path):
    result = load_map(write(tmp_path, {
        "deep/down/page.md": "[x](/notes/x.md) [img](/images/p.png) ![alt](/images/p.png) [gone](/x.md)\n",
        "notes/x.md": "X\n",
        "deep/down/x.md": "the other x\n",
        "images/p.png": "png",
    }))
    assert target(result, "deep/down/page", 0).topic == "notes/x"
    assert target(result, "deep/down/page", 1).asset == "images/p.png"
    assert target(result, "deep/down/page", 2).asset == "images/p.png"
    # from the root only: /x.md is not deep/down/x.md, nor any file named x
    assert target(result, "deep/down/page", 3).topic is None
    assert lines(result) == ["deep/down/page.md:1:61: warning[link-unresolved]: [gone](/x.md): no topic or file '/x.md'"]


# --- 3. heading anchors as Foam, GitHub and Dendron write them ----------------------------------
FOAM = "# What's in a Foam\n\n## Step 1: install (quickly)!\n\n## Notes\n\n## Notes\n"


def test_github_style_heading_anchors_find_our_headings(tmp_path):
    result = load_map(write(tmp_path, {
        "page.md": FOAM,
        "from.md": "[[page#whats-in-a-foam]] [x](page.md#whats-in-a-foam) [[page#What's in a Foam]] "
                   "[[page#step-1-install-quickly]] [[page#notes-1]] [[page#whats-in-a-foam,1:#*]] [[page#nothing]]\n",
    }))
    anchors = [target(result, "from", i).anchor for i in range(7)]
    assert anchors == ["h-what-s-in-a-foam"] * 3 + ["h-step-1-install-quickly", "h-notes-1", "h-what-s-in-a-foam", None]
    assert target(result, "from", 6).topic == "page"  # an unknown heading still links to the page


def test_github_slug():
    assert github_slug("What's in a Foam") == "whats-in-a-foam"
    assert github_slug("  Step 1: install (quickly)! ") == "step-1-install-quickly"
    assert github_slug("Ünïcode Straße") == "ünïcode-straße"
    assert github_slug("a  b") == "a--b"  # GitHub keeps one hyphen per space


def _model(files: dict[str, str]):
    diags = Diagnostics()
    sources = []
    for path, body in files.items():
        rendered, _ = render_body(body, Span(path, 1, 1))
        sources.append(SourceFile(path, front={}, body=body, body_span=Span(path, 1, 1), rendered=rendered))
    return build_topic_map(sources, Config(), diags), diags


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
                .filter(lambda t: github_slug(t) and t.strip() == t and "#" not in t and "]" not in t and "|" not in t
                        and "[" not in t and "\\" not in t and "`" not in t),
                min_size=1, max_size=4, unique_by=github_slug))
def test_any_heading_is_found_by_its_github_slug(texts):
    body = "".join(f"## {t}\n\n" for t in texts)
    links = " ".join(f"[[page#{github_slug(t)}]]" for t in texts)
    tm, _ = _model({"page.md": body, "from.md": links + "\n"})
    page = tm["page"].body.rendered
    if len(page.headings) != len(texts) or [h.text for h in page.headings] != texts:
        return  # Markdown read the line as something else (a list, a rule...): nothing to check
    got = [tm["from"].body.targets[link.hole].anchor for link in tm["from"].body.rendered.links]
    # a slug that is also another heading's text may match that one first; otherwise its own
    want = [h.anchor for h in page.headings]
    for i, (g, w) in enumerate(zip(got, want)):
        assert g is not None, texts[i]
        assert g == w or any(g == h.anchor for h in page.headings), texts[i]


# --- 4. Dendron ----------------------------------------------------------------------------------
def test_dendron_label_first_links_resolve_and_show_the_label(tmp_path):
    result = load_map(write(tmp_path, {
        "dendron.topic.links.md": "---\ntitle: Links\n---\n## File links\n",
        "x.md": "[[Read this|dendron.topic.links]] [[Read this|dendron.topic.links#file-links]] [[x|Other text]]\n",
    }))
    body = result.topic_map["x"].body
    links = body.rendered.links
    assert [body.targets[link.hole].topic for link in links] == ["dendron-topic-links", "dendron-topic-links", "x"]
    assert [shown(body, link.hole) for link in links] == ["Read this", "Read this", "Other text"]
    assert body.targets[links[1].hole].anchor == "h-file-links"
    assert lines(result) == []


def test_dendron_vault_prefixes_are_dropped_and_never_shown(tmp_path):
    result = load_map(write(tmp_path, {
        "community.roles.md": "---\ntitle: Roles\n---\n## Surveyor\n",
        "x.md": "[[dendron://site/community.roles]] ![[dendron://site/community.roles]] "
                "[[Discord Roles|dendron://site/community.roles#surveyor]] ![[|dendron://site/community.roles]]\n",
    }))
    body = result.topic_map["x"].body
    links = body.rendered.links
    assert [body.targets[link.hole].topic for link in links] == ["community-roles"] * 4
    assert [shown(body, link.hole) for link in links] == ["community.roles", "community.roles", "Discord Roles", "community.roles"]
    assert body.targets[links[2].hole].anchor == "h-surveyor"
    assert "dendron://" not in body.rendered.text
    assert lines(result) == []  # no link-empty for ![[|dendron://...]]


# --- 6. --drafts ----------------------------------------------------------------------------------
def test_links_to_drafts_warn_only_when_drafts_are_left_out(tmp_path):
    write(tmp_path, {
        "a.md": "[[secret]]\n",
        "secret.md": "---\ndraft: true\n---\nSecret.\n",
        "note.md": "---\noccurrence: remark\ntopic: secret\n---\nOn the secret.\n",
    })
    assert [line.split(": ", 1)[1] for line in lines(load_map(tmp_path))] == [
        "warning[link-to-draft]: [[secret]] links to a draft",
        "warning[link-to-draft]: topic: 'secret' is a draft; the note is left out with it",
    ]
    with_drafts = load_map(tmp_path, drafts=True)
    assert lines(with_drafts) == []
    assert target(with_drafts, "a", 0).topic == "secret"
    assert [o.type for o in with_drafts.topic_map["secret"].occurrences] == ["remark"]
