"""TeX math in bodies (`$inline$`, `$$display$$`), for both Markdown renderers.

Neither parser knows math, and Markdown would eat it: `\\{` is an escape, `x_1 … y_1` emphasis.
So before parsing, `mask` hides each math span: every ASCII character of it becomes a private-use
code point (MASK + its code; the delimiters get their own), which both parsers take for a letter.
Newlines, and the container prefix (`> `, indentation) of each line after the first, stay as
they are, so blocks, line numbers and columns are what they were (a span keeps its length).
After rendering, `unmask_body` turns each span into HTML (the module of the renderers' contract):

    <span class="math math-inline">\\(TeX\\)</span>
    <span class="math math-display">\\[TeX\\]</span>     display math inside a paragraph's text
    <div class="math math-display">\\[TeX\\]</div>       a paragraph that is only display math

the TeX exactly as written, HTML-escaped; the theme renders it with KaTeX. A span that ended up
inside code or an attribute (the scan below is simpler than the parsers) is put back as written;
plain text, link labels and contexts get the source as written (`$x_1$`).

The rules are Pandoc's and Obsidian's: `$` opens if a non-space follows, and closes if a
non-space precedes it and no digit follows (`$5 and $6` is no math); `\\$` is a dollar; `$$`
opens display math, which may hold spaces and newlines; no math spans a blank line or holds a
backtick (`costs $5, see `$HOME`` has a code span, no math), or is seen in code spans, fenced
code, `[[wikilinks]]`, link destinations or autolinks. Otherwise the leftmost opener wins.
"""
from __future__ import annotations

import re
from itertools import chain
from dataclasses import replace

from .md_common import MAX_WIKILINK
from .source import LinkRef, RenderedBody

MASK = 0xF0000  # Supplementary Private Use Area-A: never Markdown syntax, never whitespace
OPEN, CLOSE, OPEN_DISPLAY, CLOSE_DISPLAY = (chr(MASK + k) for k in range(1, 5))
_ASCII = "\t" + "".join(chr(c) for c in range(0x20, 0x7F))
_MASK_TABLE = {ord(c): chr(MASK + ord(c)) for c in _ASCII}
_RAW_TABLE = {MASK + ord(c): c for c in _ASCII} | {ord(m): "$" for m in (OPEN, CLOSE, OPEN_DISPLAY, CLOSE_DISPLAY)}
_HTML_TABLE = _RAW_TABLE | {MASK + ord(c): e for c, e in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"))}
_RANGE = f"{chr(MASK)}-{chr(MASK + 0x7F)}"
_ANY_RE = re.compile(f"[{_RANGE}]")
_RUN_RE = re.compile(f"[{_RANGE}]+")

_BLANK_RE = re.compile(r"\n(?:[ \t>]*\r?(?:\n|$))+")  # blank lines (a `>` alone is one, in a quote)
_FENCE_RE = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(`{3,}|~{3,})([^\n]*)", re.M)
_PREFIX_RE = re.compile(r"(?:[ \t]*>)*[ \t]*")  # kept unmasked on a span's later lines
_HEADING_RE = re.compile(r"[ \t>]*#{1,6}(?:[ \t]|$)", re.M)
# a line that opens a block (so ends a paragraph): inline math does not run on into it
_STARTS_BLOCK_RE = re.compile(r"(?:#{1,6}(?:[ \t]|$)|[-*+][ \t]|\d{1,9}[.)][ \t]|>|\||```|~~~)")
_INLINE_RE = re.compile(r"\\.|`+|\$|\[\[|\]\(|<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>", re.S)
_INLINE_END_RE = re.compile(r"\\.|\$|\n|`", re.S)
_DISPLAY_END_RE = re.compile(r"\\.|\$\$|\n|`", re.S)
_TICKS_RE = re.compile("`+")


# --- finding math ---------------------------------------------------------------------------


def _fences(src: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced code block (an open one runs to the end)."""
    out = []
    opener = None  # (start, fence character, length)
    for m in _FENCE_RE.finditer(src):
        mark, rest = m.group(1), m.group(2)
        if opener is None:
            if not (mark[0] == "`" and "`" in rest):
                opener = (m.start(), mark[0], len(mark))
        elif mark[0] == opener[1] and len(mark) >= opener[2] and not rest.strip():
            out.append((opener[0], m.end()))
            opener = None
    if opener is not None:
        out.append((opener[0], len(src)))
    return out


def _paragraphs(src: str):
    """(start, end) of each run of lines outside fenced code and blank lines that holds a `$`:
    no math spans more."""
    done = 0
    for lo, hi in chain(_fences(src), ((len(src), len(src)),)):
        for m in chain(_BLANK_RE.finditer(src, done, lo), (None,)):
            end = lo if m is None else m.start()
            if src.find("$", done, end) >= 0:
                yield done, end
            if m is not None:
                done = m.end()
        done = hi


def _continues(src: str, nl: int, hi: int, inline: bool) -> bool:
    """Whether math may run on past the newline at `nl`: not out of an ATX heading, not into or
    out of a quote (a `$$` in a paragraph does not pair with one in the quote below it), and
    (inline math) not into a line that opens a block."""
    line_start = src.rfind("\n", 0, nl) + 1
    if _HEADING_RE.match(src, line_start, nl):
        return False
    here = _PREFIX_RE.match(src, line_start, nl).group().count(">")
    prefix = _PREFIX_RE.match(src, nl + 1, hi)
    if prefix.group().count(">") != here:
        return False
    return not inline or _STARTS_BLOCK_RE.match(src, prefix.end(), hi) is None


def _inline_end(src: str, s: int, hi: int) -> int:
    """Where `$…$` opened at s ends (after its closing `$`), or -1."""
    if s + 1 >= hi or src[s + 1].isspace():
        return -1
    pos = s + 1
    while (m := _INLINE_END_RE.search(src, pos, hi)) is not None:
        tok = m.group()
        if tok == "`":
            return -1
        if tok == "\n":
            if not _continues(src, m.start(), hi, True):
                return -1
        elif tok == "$":
            e = m.end()
            if src[m.start() - 1].isspace() or (e < hi and src[e].isdigit()):
                return -1
            return e
        pos = m.end()
    return -1


def _display_end(src: str, s: int, hi: int) -> int:
    """Where `$$…$$` opened at s ends, or -1."""
    pos = s + 2
    while (m := _DISPLAY_END_RE.search(src, pos, hi)) is not None:
        tok = m.group()
        if tok == "`":
            return -1
        if tok == "\n":
            if not _continues(src, m.start(), hi, False):
                return -1
        elif tok == "$$":
            return m.end() if src[s + 2 : m.start()].strip() else -1
        pos = m.end()
    return -1


def _scan(src: str, lo: int, hi: int, spans: list[tuple[int, int, int]]) -> None:
    """Append (start, end, delimiter length) for each math span in src[lo:hi], one paragraph."""
    pos = lo
    while (m := _INLINE_RE.search(src, pos, hi)) is not None:
        tok, s = m.group(), m.start()
        pos = m.end()
        if tok[0] == "`":  # a code span: to the next run of as many backticks
            for t in _TICKS_RE.finditer(src, pos, hi):
                if len(t.group()) == len(tok):
                    pos = t.end()
                    break
        elif tok == "[[":
            close = src.find("]]", pos, min(hi, pos + MAX_WIKILINK))
            if close >= 0 and "\n" not in src[pos:close] and "[[" not in src[pos:close]:
                pos = close + 2
        elif tok == "](":
            line_end = src.find("\n", pos, hi)
            close = src.find(")", pos, hi if line_end < 0 else line_end)
            if close >= 0:
                pos = close + 1
        elif tok == "$":
            if src.startswith("$", pos):
                end = _display_end(src, s, hi)
                kind = 2
            else:
                end = _inline_end(src, s, hi)
                kind = 1
            if end >= 0:
                spans.append((s, end, kind))
                pos = end
            else:
                pos = s + kind
        # an escape or an autolink: skipped whole


def _mask_span(src: str, s: int, e: int, kind: int) -> str:
    open_, close = (OPEN, CLOSE) if kind == 1 else (OPEN_DISPLAY * 2, CLOSE_DISPLAY * 2)
    lines = src[s + kind : e - kind].split("\n")
    out = [lines[0].translate(_MASK_TABLE)]
    for line in lines[1:]:
        keep = _PREFIX_RE.match(line).end()
        out.append(line[:keep] + line[keep:].translate(_MASK_TABLE))
    return open_ + "\n".join(out) + close


def mask(markdown: str) -> str | None:
    """`markdown` with its math masked, or None when it has none (most bodies: one `in` test)."""
    if "$" not in markdown:
        return None
    spans: list[tuple[int, int, int]] = []
    for lo, hi in _paragraphs(markdown):
        _scan(markdown, lo, hi, spans)
    if not spans:
        return None
    if _ANY_RE.search(markdown):  # the code points masks use, in the text itself: not masks
        markdown = _ANY_RE.sub("\ufffd", markdown)
    out, done = [], 0
    for s, e, kind in spans:
        out.append(markdown[done:s])
        out.append(_mask_span(markdown, s, e, kind))
        done = e
    out.append(markdown[done:])
    return "".join(out)


# --- putting it back --------------------------------------------------------------------------


def raw(text: str) -> str:
    """Masked text as it was written (for plain text, labels, contexts, heading text)."""
    return _RUN_RE.sub(_raw_run, text) if _ANY_RE.search(text) else text


# str.translate with a dict costs ~40 ns a character: only the masked runs are translated
def _raw_run(m: re.Match) -> str:
    return m.group().translate(_RAW_TABLE)


def _html_run(m: re.Match) -> str:
    return m.group().translate(_HTML_TABLE)


def _as_written(m: re.Match) -> str:
    return _RUN_RE.sub(_html_run, m.group())


_CODE_RE = re.compile(f"<code[^>]*>[^<]*[{_RANGE}][^<]*</code>")
_TAG_RE = re.compile(f"<[^<>]*[{_RANGE}][^<>]*>")
_MATH_RE = re.compile(f"{OPEN_DISPLAY * 2}([^<{OPEN}-{CLOSE_DISPLAY}]*){CLOSE_DISPLAY * 2}|{OPEN}([^<{OPEN}-{CLOSE_DISPLAY}]*){CLOSE}")


def _math_html(html: str) -> str:
    out, done = [], 0
    for m in _MATH_RE.finditer(html):
        start, end = m.span()
        if m.group(2) is not None:
            math = '<span class="math math-inline">\\(' + m.group(2).translate(_HTML_TABLE) + "\\)</span>"
        else:
            tex = "\\[" + m.group(1).translate(_HTML_TABLE) + "\\]"
            if html.endswith("<p>", 0, start) and html.startswith("</p>", end):  # the whole paragraph: a block
                start, end = start - 3, end + 4
                math = f'<div class="math math-display">{tex}</div>'
            else:
                math = f'<span class="math math-display">{tex}</span>'
        out += (html[done:start], math)
        done = end
    out.append(html[done:])
    return "".join(out)


def unmask_html(html: str) -> str:
    if "<code" in html:
        html = _CODE_RE.sub(_as_written, html)
    html = _TAG_RE.sub(_as_written, html)
    html = _math_html(html)
    # what is left is of a span the parse split (across blocks, say): as written
    return _RUN_RE.sub(_html_run, html) if _ANY_RE.search(html) else html


def unmask_body(body: RenderedBody) -> RenderedBody:
    """A body rendered from masked Markdown, with its math as HTML and as source elsewhere.
    (Heading texts, and so their ids, the renderers take back with `raw` themselves.)"""
    links = tuple(_raw_ref(ref) for ref in body.links)
    return replace(body, html=unmask_html(body.html), links=links, text=raw(body.text))


def _raw_ref(ref: LinkRef) -> LinkRef:
    fields = (ref.target, ref.heading or "", ref.label or "", ref.context)
    if not any(_ANY_RE.search(f) for f in fields):
        return ref
    return replace(ref, target=raw(ref.target), heading=ref.heading and raw(ref.heading),
                   label=ref.label and raw(ref.label), context=raw(ref.context))
