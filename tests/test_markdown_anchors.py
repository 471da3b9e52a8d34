"""ctxgen.md_anchors through render_body: same-page links find their heading leniently, and
Obsidian block ids (` ^id`) become ids; both renderers agree."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ctxgen.md_legacy as md_legacy
from ctxgen.diagnostics import Span
from ctxgen.markdown import render_body

SPAN = Span("x.md")


def both(md: str):
    """The fast path's body, checked equal to markdown-it-py's (md_legacy)."""
    body, _ = render_body(md, SPAN)
    legacy, _ = md_legacy.render_body(md, SPAN)
    assert body == legacy
    return body


# --- same-page links ---------------------------------------------------------------------------
@pytest.mark.parametrize("fragment", [
    "whats-in-a-foam",  # GitHub / Foam slug
    "h-what-s-in-a-foam",  # our id
    "What's%20in%20a%20Foam%3F",  # the heading's text
    "what-s-in-a-foam",  # our slug
])
def test_same_page_link_finds_a_heading_with_punctuation(fragment):
    body = both(f"[up](#{fragment})\n\n## What's in a Foam?\n")
    assert body.html.startswith('<p><a href="#h-what-s-in-a-foam">up</a></p>\n')


def test_same_page_link_to_a_repeated_heading_uses_githubs_numbering():
    body = both("# Notes\n\n# Notes\n\n[second](#notes-1) [first](#notes)\n")
    assert '<a href="#h-notes-1">second</a> <a href="#h-notes">first</a>' in body.html


@pytest.mark.parametrize("fragment", ["fn1", "^blk", "top", "no-such-heading"])
def test_same_page_link_to_no_heading_keeps_its_fragment(fragment):
    body = both(f"# Title\n\n[x](#{fragment})\n")
    assert f'<a href="#{fragment}">x</a>' in body.html


def test_same_page_fragment_is_escaped():
    body = both('[x](#a&quot;b) [y](<#c"d>)\n')
    assert 'href="#a&quot;b"' in body.html and 'href="#c&quot;d"' in body.html
    assert "\x00" not in body.html


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30))
def test_any_heading_is_reached_by_its_github_slug(title):
    from ctxgen.md_anchors import github_slug

    body, _ = render_body(f"## {title}\n", SPAN)
    if not body.headings or not github_slug(body.headings[0].text) or " " in github_slug(body.headings[0].text):
        return
    slug = github_slug(body.headings[0].text)
    if any(c in slug for c in "()<>[]\\`*_&") or slug[0] in "-+":
        return  # not a plain link destination; the slug property is tested through the resolver
    linked, _ = render_body(f"## {title}\n\n[x](#{slug})\n", SPAN)
    assert f'<a href="#{linked.headings[0].anchor}">x</a>' in linked.html


# --- block ids ---------------------------------------------------------------------------------
def test_paragraph_ending_in_a_block_id_carries_it_without_the_marker():
    body = both("Some text ^blk-1\n\nNext line\n^own_line\n")
    assert body.html == '<p id="^blk-1">Some text</p>\n<p id="^own_line">Next line</p>\n'
    assert body.text == "Some text Next line"


def test_list_items_carry_their_block_id_tight_or_loose():
    tight = both("- one ^a\n  - nested\n- two ^b\n")
    assert tight.html == '<ul>\n<li id="^a">one\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li id="^b">two</li>\n</ul>\n'
    loose = both("- one ^c\n\n- two\n")
    assert loose.html == '<ul>\n<li id="^c">\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>\n'
    task = both("- [ ] todo ^t\n")
    assert '<li id="^t" class="task-list-item">' in task.html and "^t<" not in task.html


@pytest.mark.parametrize("block, tag", [
    ("- a\n- b\n", "ul"),
    ("1. a\n   - inner\n2. b\n", "ol"),
    ("| a |\n|---|\n| 1 |\n", "table"),
    ("> quoted\n", "blockquote"),
    ("> [!tip] Title\n> body\n", "aside"),
])
def test_block_id_on_its_own_line_after_a_block_applies_to_that_block(block, tag):
    body = both(block + "\n^whole\n\nafter\n")
    assert body.html.startswith(f'<{tag} id="^whole"')
    assert "^whole<" not in body.html and body.html.endswith(f"</{tag}>\n<p>after</p>\n")
    assert "^whole" not in body.text


def test_what_is_not_a_block_id_stays_text():
    body = both("a ^mid of text\n\n`code ^c`\n\n*em ^e*\n\n^alone\n\nx ^bad!\n\n## Heading ^h\n")
    for marker in ("^mid", "^c", "^e", "^alone", "^bad!", "^h"):
        assert marker in body.html
    assert 'id="^' not in body.html


def test_a_block_id_is_given_once():
    body = both("one ^same\n\ntwo ^same\n")
    assert body.html == '<p id="^same">one</p>\n<p>two ^same</p>\n'


def test_footnote_paragraph_and_routed_bodies():
    body = both("Text^[inline] ends ^blk\n")  # an inline footnote: md_legacy renders it
    assert body.html.startswith('<p id="^blk">Text<sup class="footnote-ref">')


# --- Obsidian's alternative checkboxes ------------------------------------------------------------
CHECKED = '<input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox">'


@pytest.mark.parametrize("md, html", [
    ("- [?] Question\n- [/] half\n- [-] dropped\n- [>] on",
     '<ul class="contains-task-list">\n'
     f'<li class="task-list-item" data-task="?">{CHECKED} Question</li>\n'
     f'<li class="task-list-item" data-task="/">{CHECKED} half</li>\n'
     f'<li class="task-list-item" data-task="-">{CHECKED} dropped</li>\n'
     f'<li class="task-list-item" data-task="&gt;">{CHECKED} on</li>\n</ul>\n'),
    ("- [ ] open\n- [!] important",
     '<ul class="contains-task-list">\n<li class="task-list-item"><input class="task-list-item-checkbox" '
     'disabled="disabled" type="checkbox"> open</li>\n'
     f'<li class="task-list-item" data-task="!">{CHECKED} important</li>\n</ul>\n'),
    ("3. [?] ordered\n   - plain\n\n- a\n\n- [\"] loose\n\n  more",
     f'<ol class="contains-task-list" start="3">\n<li class="task-list-item" data-task="?">{CHECKED} ordered\n'
     '<ul>\n<li>plain</li>\n</ul>\n</li>\n</ol>\n<ul class="contains-task-list">\n<li>\n<p>a</p>\n</li>\n'
     f'<li class="task-list-item" data-task="&quot;">\n<p>{CHECKED} loose</p>\n<p>more</p>\n</li>\n</ul>\n'),
    ("- [?] with a block id ^blk",
     f'<ul class="contains-task-list">\n<li id="^blk" class="task-list-item" data-task="?">{CHECKED} with a block id</li>\n</ul>\n'),
    # not tasks: no text after, no space, `[x] ` or `[ ] ` as text (`\\[x]`), a paragraph, code
    ("- [?]\n- [?]x\n- \\[x] esc\n\n[?] para\n\n    - [?] code",
     "<ul>\n<li>[?]</li>\n<li>[?]x</li>\n<li>[x] esc</li>\n</ul>\n<p>[?] para</p>\n<pre><code>- [?] code\n</code></pre>\n"),
])
def test_alternative_checkboxes_are_task_items(md, html):
    assert both(md).html == html
