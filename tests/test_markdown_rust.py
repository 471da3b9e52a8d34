"""ctxgen.markdown's two parsers: which bodies go to md_legacy (markdown-it-py), and the edge
cases where markdown-it.rs would differ, blow up or panic."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ctxgen.md_legacy as md_legacy
from ctxgen import markdown
from ctxgen.diagnostics import Span
from ctxgen.markdown import _needs_legacy, render_body

SPAN = Span("notes/a.md", 3)
REPO = Path(__file__).resolve().parents[1]
# a link label spanning two lines with a backtick left open: markdown-it.rs 0.6 panics (code_pair.rs)
# and the routing check (odd backticks on a link's own line) does not catch it
PANICS = "[a `\nb](c) `d`"


@pytest.fixture
def legacy_calls(monkeypatch):
    """The bodies render_body hands to md_legacy, in order."""
    calls: list[str] = []
    real = md_legacy.render_body

    def spy(md, span, allow_html=False):
        calls.append(md)
        return real(md, span, allow_html)

    monkeypatch.setattr(md_legacy, "render_body", spy)
    return calls


@pytest.mark.parametrize(
    "md, routed",
    [
        ("plain [[a]] text with `code` and [x](b.md)", False),
        ("an inline footnote^[the note] here", True),
        ("windows\r\nline ends", True),
        ("one\n\n%%\nblock comment\n%%\n\ntwo", True),
        ("  %% indented block comment %%", True),
        ("inline %%comment%% only", False),
        ("    %% four spaces: code, not a comment", False),
        ("[a ` b](u.md)", True),  # odd backticks on a line with a link
        ("x `` [a](u.md) `", True),
        ("[a `b`](u.md)", False),  # even: a code span in the label is fine
        ("[a][ref] and one ` tick", True),
        ("one ` tick, no link", False),
    ],
)
def test_routing_rules(md, routed):
    assert _needs_legacy(md) is routed


@pytest.mark.parametrize(
    "md",
    [
        "an inline footnote^[the note] here",
        "nested^[a ^[b ^[c]]] footnotes",
        "one\n\n%%\nblock\n\ncomment\n%%\n\ntwo [[after]]",
        "[a ` b](u.md) and `code`",
        ">" * 25 + " deep quote",
        "\n".join("  " * i + "- x" for i in range(25)),
        PANICS,
    ],
    ids=["inline-footnote", "nested-inline-footnotes", "block-comment", "odd-backtick-in-label",
         "quotes-deeper-than-20", "lists-deeper-than-20", "rust-panic"],
)
def test_routed_bodies_render_exactly_as_markdown_it_py(md, legacy_calls):
    """What the fast path cannot render as markdown-it-py would goes to md_legacy, whole."""
    body, diags = render_body(md, SPAN)
    assert legacy_calls == [md]
    assert (body, diags) == md_legacy.render_body(md, SPAN)


def test_nesting_up_to_20_stays_on_the_fast_path(legacy_calls):
    body, _ = render_body(">" * 5 + " five deep", SPAN)
    assert legacy_calls == []
    assert body.html == "<blockquote>\n" * 5 + "<p>five deep</p>\n" + "</blockquote>\n" * 5


def test_inline_footnote_renders_as_a_footnote():
    body, diags = render_body("Text^[a *note*] end.", SPAN)
    assert diags == []
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in body.html
    assert '<li id="fn1" class="footnote-item"><p>a <em>note</em> <a href="#fnref1" class="footnote-backref">' in body.html


def test_block_comment_is_removed_with_its_links_and_tags():
    body, _ = render_body("before\n\n%%\n[[hidden]] #secret\n%%\n\nafter #seen", SPAN)
    assert body.html == "<p>before</p>\n<p>after \x00@seen\x01#seen\x00\x02</p>\n"  # a tag hole
    assert body.links == () and body.tags == ("seen",)


def test_unmatched_backtick_in_a_link_label():
    # alone, the backtick is text and the link stands
    body, _ = render_body("see [a ` b](other.md) and more", SPAN)
    assert [(r.target, r.label, r.markdown_link, r.span.line, r.span.col) for r in body.links] == [
        ("other.md", "a ` b", True, 3, 5)
    ]
    # with a backtick later on, the code span wins over the link (CommonMark precedence)
    body, _ = render_body("see [a ` b](other.md) and `x`", SPAN)
    assert body.html == "<p>see [a <code>b](other.md) and</code>x`</p>\n"
    assert body.links == ()


def test_rust_parser_really_panics_on_the_panic_case():
    """Keeps the next test honest: this body does reach the panic path of markdown-it.rs."""
    with pytest.raises(BaseException) as caught:
        markdown._quiet_tree(markdown._RUST_SAFE, PANICS)
    assert type(caught.value).__name__ == "PanicException"


def test_a_rust_panic_prints_nothing_to_the_terminal():
    script = (
        "from ctxgen.diagnostics import Span\n"
        "from ctxgen.markdown import render_body\n"
        f"body, _ = render_body({PANICS!r}, Span('x.md'))\n"
        "print(body.html, end='')\n"
    )
    env = dict(os.environ, RUST_BACKTRACE="1")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0
    assert done.stderr == ""
    assert done.stdout == md_legacy.render_body(PANICS, Span("x.md"))[0].html


@pytest.mark.parametrize(
    "md, routed",
    [
        ("> " * 21 + "x", True),
        ("> " * 20 + "x", False),
        ("intro\n\n" + "- " * 21 + "x", True),
        ("* " * 21 + "x", True),
        ("1. " * 21 + "x", True),
        ("1) " * 21 + "x", True),
        ("> - " * 11 + "x", True),
        ("a\n" + "  - " * 21 + "x", True),
        (">" * 21 + "x", True),
        ("-\t" * 21 + "x", True),
        ("a - " * 30 + "x", False),  # prose with dashes
        ("x " + "> " * 30, False),  # not at a line start
        ("-" * 50 + "\n" + "1." * 30, False),  # no container: no space after the marker
    ],
)
def test_lines_opening_more_than_20_containers_go_to_md_legacy(md, routed):
    assert _needs_legacy(md) is routed


DEEP_KINDS = ["> ", "- ", "* ", "1. ", "> - ", "  - ", "[", "*", "`", "_", "==", "[[", "!["]


@pytest.mark.parametrize("kind", DEEP_KINDS)
def test_100_kb_of_nesting_on_one_line_renders_as_md_legacy_does(kind):
    """markdown-it.rs segfaulted freeing these trees (exit 139): run in a subprocess so a crash
    fails this test rather than killing pytest."""
    script = (
        "import sys\n"
        "from ctxgen.diagnostics import Span\n"
        "from ctxgen import markdown, md_legacy\n"
        "kind = sys.argv[1]\n"
        "md = kind * (100_000 // len(kind)) + 'x\\n'\n"
        "fast = markdown.render_body(md, Span('a.md'))\n"
        "print(fast == md_legacy.render_body(md, Span('a.md')), len(fast[0].html))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, kind], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[0] == "True"


def test_deep_lists_built_over_many_lines_render_as_md_legacy_does():
    """A list nested one level a line: 316 levels in 100 KB (each line indents further)."""
    script = (
        "from ctxgen.diagnostics import Span\n"
        "from ctxgen import markdown, md_legacy\n"
        "md = ''.join('  ' * i + '- x\\n' for i in range(316))\n"
        "md += ''.join('> ' * i + 'q\\n' for i in range(316))\n"
        "print(markdown.render_body(md, Span('a.md')) == md_legacy.render_body(md, Span('a.md')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"
