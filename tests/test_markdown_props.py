"""ctxgen.markdown: properties over arbitrary input, pathological input, and the real corpora."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctxgen.diagnostics import Span
from ctxgen.markdown import HOLE_RE, fill_holes, render_body
from ctxgen.md_common import TAG_HOLE_RE

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = SHARED / "corpora"

# Markdown-ish text: the characters that mean something, plus words and odd code points.
_PIECES = st.sampled_from(
    [
        "[[", "]]", "|", "\\|", "#", "!", "[", "]", "(", ")", "<", ">", "`", "```", "*", "_", "==", "%%", "~~",
        "> ", "> [!note] ", "- ", "1. ", "| a | b |\n|---|---|\n", "\n", "\n\n", "    ", "a.md", "b.png", "#h",
        "<script>", "</script>", "<img src=x onerror=alert(1)>", "javascript:", "&#106;", "\"", "'", "&",
        "[^1]", "[^1]: ", "x", "word ", "Ünï", "\x00", "\u2028", "\t", "%20", "https://e.com/",
        "$", "$$", "\\$", "$x_1$",
    ]
)
MARKDOWN = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=40).map("".join)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _filled(body, resolve: bool) -> str:
    return fill_holes(body, (lambda r: "../" + r.target) if resolve else (lambda r: None), lambda r: "<p>embedded</p>")


@PROPS
@given(MARKDOWN, st.integers(1, 50), st.booleans())
def test_never_raises_and_holes_match_links(md, line, allow_html):
    body, diags = render_body(md, Span("x.md", line), allow_html=allow_html)
    holes = [int(m.group(1)) for m in HOLE_RE.finditer(body.html)]
    assert holes == list(range(len(body.links)))
    assert [r.hole for r in body.links] == holes
    tag_holes = TAG_HOLE_RE.findall(body.html)
    assert {tag for tag, _text in tag_holes} <= set(body.tags)
    assert body.html.count("\x00") == 2 * len(holes) + 2 * len(tag_holes)  # nothing else looks like a hole
    lines = md.split("\n")
    for ref in body.links:
        assert line <= ref.span.line < line + len(lines)
        assert 1 <= ref.span.col <= len(lines[ref.span.line - line]) + 1
    for resolve in (True, False):
        out = _filled(body, resolve)
        assert "\x00" not in out


@PROPS
@given(MARKDOWN)
def test_no_raw_script_or_handler_without_allow_html(md):
    body, _ = render_body(md, Span("x.md"))
    for resolve in (True, False):
        out = _filled(body, resolve).lower()
        assert "<script" not in out
        assert "<img src=x" not in out
        assert not re.search(r"""(href|src)="\s*(javascript|vbscript|file):""", out)


# tags that markdown-it and ctxgen emit; anything else with '<' must be escaped text
_OUR_TAGS = re.compile(
    r"</?(p|a|span|img|div|em|strong|s|mark|code|pre|br|hr|h[1-6]|ul|ol|li|blockquote|aside|input"
    r"|table|thead|tbody|tr|th|td|sup|section)( [^<>]*)?/?>"
)


@PROPS
@given(st.text(max_size=30), st.text(max_size=30), st.booleans())
def test_wikilink_labels_and_targets_are_escaped(target, label, embed):
    md = f"{'!' if embed else ''}[[{target}|{label}]]"
    body, _ = render_body(md, Span("x.md"))
    for resolve in (True, False):
        out = fill_holes(body, (lambda r: "../" + r.target) if resolve else (lambda r: None))
        # every tag left is one we made; whatever came from content is escaped text
        assert "<" not in _OUR_TAGS.sub("", out)


@pytest.mark.parametrize(
    "md",
    [
        ">" * 10_000 + " deep",
        "\n".join("  " * i + "- x" for i in range(300)),
        "*a **b " * 5_000,
        "_" * 50_000,
        "[" * 20_000,
        "[[" * 20_000,
        "![[" * 10_000,
        "[a](" * 10_000,
        "==a " * 20_000,
        "%%a " * 20_000,
        "[[a]] `x` #t\n" * 5_000,
        "|a|b|\n|-|-|\n" + "| [[x\\|y]] | z |\n" * 2_000,
        "$a " * 20_000,
        "$" * 50_000,
        "$a`" * 20_000,
        "$$a\n" * 20_000,
    ],
    ids=["quotes", "lists", "emphasis", "underscores", "brackets", "wiki-open", "embed-open", "link-open", "highlight", "comment", "links", "table",
         "dollars", "dollar-run", "dollar-ticks", "display-open"],
)
def test_pathological_input_finishes_fast(md):
    start = time.perf_counter()
    body, _ = render_body(md, Span("x.md"))
    assert time.perf_counter() - start < 20  # generous: the CI machine is shared; typical is well under 2 s
    assert isinstance(body.html, str)


@pytest.mark.skipif(not CORPORA.is_dir(), reason="shared corpora not present")
def test_real_corpora_render():
    files = sorted(CORPORA.rglob("*.md"))
    assert len(files) > 1000
    links = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        first = 1
        m = re.match(r"---\n.*?\n---\n", text, re.S)
        if m:
            first += m.group(0).count("\n")
            text = text[m.end():]
        rel = path.relative_to(CORPORA).as_posix()
        body, _ = render_body(text, Span(rel, first))
        out = fill_holes(body, lambda r: "#", lambda r: "")
        assert "\x00" not in out
        lines = text.split("\n")
        for ref in body.links:
            assert ref.span.path == rel
            source_line = lines[ref.span.line - first]
            # the link's first character is where the span says
            assert source_line[ref.span.col - 1] in "[!", (rel, ref)
        links += len(body.links)
    assert links > 1000


@pytest.mark.parametrize("md", ["[" * 100_000, "[[" * 50_000, "x [[" * 25_000, "<!--a " * 20_000, "> " * 50_000])
def test_100_kb_of_open_brackets_stays_linear(md):
    """Each unclosed '[[' looked along its whole line for a ']]': 6 s of CPU for 100 KB of '['
    (0.4 s now). CPU time, so a loaded machine does not make this flaky."""
    start = time.process_time()
    render_body(md, Span("x.md"))
    assert time.process_time() - start < 4
