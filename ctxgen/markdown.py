"""Markdown bodies to HTML, once per file, with holes where links go.

`render_body` runs in the load stage (pure, per file). Links to other files — wikilinks and
relative Markdown links/images — cannot be rendered yet: their href depends on which topic
they resolve to and on the page they appear in. So each becomes a *hole* in the HTML:

    HOLE.format(n) + inner_html + HOLE_END

where `n` indexes `RenderedBody.links` and `inner_html` is the link's label, already escaped
(empty for images). `\\x00` never survives (it becomes U+FFFD before parsing), so content can
never forge a hole. The render stage calls `fill_holes` per page.

Beyond CommonMark (+ tables, strikethrough, footnotes, task lists; raw HTML only with
allow_html; linkify and typographer off):

- `[[target#heading|label]]`, `![[embed]]`, `[[a\\|b]]` (the escaped pipe of table cells);
  not in code. `[[]]` stays text, with a `link-empty` warning.
- `[x](rel/path.md#frag)`, `![alt](img.png)`: holes too (markdown_link=True), percent-decoded.
  URLs with a scheme render directly (rel="noopener"); `[x](#frag)` points at the heading `frag`
  means (by id, text, or GitHub slug: ctxgen.md_anchors), else at `#frag` as written.
- a paragraph or list item ending in ` ^block-id` gets `id="^block-id"` (md_anchors).
- headings: ids `h-<unicode slug>`, unique in the body (`h-intro`, `h-intro-1`); all headings
  stay in the HTML — a site that shows the title separately can drop a leading H1 with
  `strip_leading_h1`.
- `> [!type] Title` callouts → `<aside class="callout callout-type">` with a `callout-title`
  paragraph; foldable ones (`[!type]-` closed, `[!type]+` open) → `<details data-fold=...>` with
  a `<summary class="callout-title">`; `==mark==`; `%%comments%%` and, with raw HTML off,
  `<!-- comments -->` (inline or block) removed with their links and tags; inline `#tags`
  (outside code and headings, not all digits) → RenderedBody.tags.
- Code fences keep their language class (`language-mermaid`, `language-math`).
- `$inline$` and `$$display$$` TeX math: hidden from the parser before it runs and written back
  as `<span class="math math-inline">\\(…\\)</span>` / `math-display` afterwards (ctxgen.md_math).

Why two parsers. The build must do 10,000 topics in under 15 s on 2 cores; markdown-it-py costs
about 3 ms of CPU per 3.5 KB note just to render (3.2–3.6 ms measured below), 30 s for 10,000. So
bodies are parsed by markdown-it-pyrs (markdown-it.rs, the same markdown-it rules in Rust: about
0.18 ms per note to a tree), and one Python pass over the tree (`_Renderer`) writes the HTML and
does everything above. Measured over 300 benchmark notes (gen_corpus.py --flavours ctxgen, bodies
only, process_time, one run on a loaded machine): tree 0.18–0.21 ms, render_body 0.85–0.87 ms
(4.1–4.7x the tree), markdown-it-py render 3.2–3.6 ms (render_body is 0.25–0.27 of it). The
Python pass is still most of the cost; after a round of fast paths (2026-12, 3,000 notes of the
10,000-topic bench corpus, quiet machine) render_body takes 0.58–0.59 ms a note, the tree ~0.15.
The few bodies that tree cannot render the way ctxgen always did go to markdown-it-py
(ctxgen.md_legacy) instead — see `_needs_legacy` and `_Fallback`: inline footnotes `^[..]`
(markdown-it.rs 0.6 is exponential on nested ones and can panic), `%%` block comments, `\\r`,
nesting deeper than 20 (a line that opens more containers never reaches markdown-it.rs: freeing a
tree tens of thousands deep overflows its stack), odd backticks on a line with a link (a panic in
markdown-it.rs 0.6), a wikilink whose brackets markdown-it.rs read as a link, `[[` closed in another
inline node, and any body whose parse panics (`_quiet_tree` keeps the panic's message off the terminal).
"""
from __future__ import annotations

import html as _html
import os
import re
from bisect import bisect_right
from collections.abc import Callable
from itertools import chain
from urllib.parse import unquote

from markdown_it.common.normalize_url import validateLink
from markdown_it.common.utils import unescapeAll
from markdown_it_pyrs import MarkdownIt as _RustMarkdownIt

from .diagnostics import Diagnostic, Severity, Span
from .md_anchors import SAME_PAGE, finish, heading_anchor
from .md_common import (
    CALLOUT_RE,
    HEADING_PREFIX,
    HOLE,
    HOLE_END,
    HOLE_RE,
    IMAGE_EXTENSIONS,
    MAX_WIKILINK,
    SIZE_RE,
    MD_SIZE_RE,
    TAG_HOLE_RE,
    TAG_MARK,
    TAG_RE,
    SCHEME_RE,
    WS_RE,
    around,
    display_label,
    escape,
    is_image,
    parse_wikilink,
    relative_target,
    slugify_heading,
    tag_hole,
)
from .md_math import mask as mask_math
from .md_math import raw as raw_math
from .md_math import unmask_body
from .source import Heading, LinkRef, RenderedBody

__all__ = [
    "HOLE", "HOLE_END", "HOLE_RE", "IMAGE_EXTENSIONS", "HEADING_PREFIX", "escape", "slugify_heading",
    "heading_anchor", "strip_leading_h1", "take_leading_h1", "render_body", "shows_as_image", "ref_html", "fill_holes",
    "fill_tags",
]

_MAX_DEPTH = 20  # markdown-it-py's maxNesting as ctxgen always set it: deeper bodies go there
_RULES = [
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
    "strikethrough", "table", "tasklist", "footnote",
]  # = markdown-it's "commonmark" preset without raw HTML, + the GFM-ish extensions we use
# A panic in markdown-it.rs is caught (the body goes to md_legacy), but Rust's panic hook has already
# written to fd 2 — with a backtrace under RUST_BACKTRACE=1. Rust reads the variable at its first
# panic, so setting it here drops the backtrace from any panic; `_quiet_tree` hides the message too.
os.environ["RUST_BACKTRACE"] = "0"
_RUST_SAFE = _RustMarkdownIt("zero").enable_many(_RULES)
_RUST_HTML = _RustMarkdownIt("zero").enable_many(_RULES + ["html_block", "html_inline"])

_MARK_RE = re.compile(r"\[\[|==|%%|<!--")
_TAG_HINT_RE = re.compile(r"#[^#\s]")  # see _Renderer.tagging
_END = ((None, None),)  # ends `inline`'s loop: the last text node is written by the same code
_CLOSER = {"==": "==", "%%": "%%", "<!--": "-->"}
_TRIM_RE = re.compile("[\t\n\f\r ]+")  # markdown-it's whitespace, for fence info strings
_BLOCK_COMMENT_RE = re.compile(r"^ {0,3}%%", re.M)
# `<!--` opening a line, after any container markers: md_legacy's block rule hides it (it may
# interrupt a paragraph, as an HTML block does); comments inside a line are hidden on both paths
_HTML_COMMENT_LINE_RE = re.compile(r"^(?:[ \t]*+(?:>|[-*+](?=[ \t])|\d{1,9}+[.)](?=[ \t])))*+[ \t]*+<!--", re.M)
# A line opening more than _MAX_DEPTH containers (`> > > …`, `- - - …`, `1. 1. …`). markdown-it.rs
# builds such a tree, then overflows the stack freeing it (SIGSEGV from ~45,000 levels), so these
# bodies never reach it. Possessive and disjoint alternatives: linear; "\n" first lets re skip
# ahead by a literal prefix (about 6 µs for a 3.5 KB body, against 0.85 ms to render it).
_DEEP_LINE = r"(?:[ \t]*+(?:>|[-*+](?=[ \t])|\d{1,9}+[.)](?=[ \t]))){%d}" % (_MAX_DEPTH + 1)
_DEEP_FIRST_RE = re.compile(_DEEP_LINE)
_BARE_MARKER_RE = re.compile(r"\n[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]*(?=\n|$)")  # a line that is only a list marker
_DEEP_RE = re.compile("\n" + _DEEP_LINE)


def _may_hold_markup(text: str) -> bool:
    """A text node that may hold a wikilink, ==mark==, %%comment%% or <!-- comment -->, or end in
    a '[' or '!' that opens one with its sibling: it needs a run (`_Run`), not a plain write.
    One-character `in` tests first: far faster than two-character needles (or _MARK_RE)."""
    return ("[" in text and "[[" in text) or _may_hold_markup_besides_wikilinks(text)


def _may_hold_markup_besides_wikilinks(text: str) -> bool:
    return (("=" in text and "==" in text) or ("%" in text and "%%" in text) or ("<" in text and "<!--" in text)
            or text.endswith(("[", "!")))


_CHECKBOX = '<input class="task-list-item-checkbox" disabled="disabled" type="checkbox">'
_CHECKED = '<input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox">'
_WRAP = {"em": ("<em>", "</em>"), "strong": ("<strong>", "</strong>"), "strikethrough": ("<s>", "</s>")}
_INLINE = frozenset({
    "text", "text_special", "softbreak", "hardbreak", "em", "strong", "strikethrough", "code_inline",
    "link", "image", "autolink", "html_inline", "footnote_ref", "footnote_inline", "todo_checkbox",
    "footnote_ref_anchor",
})


def _esc(text: str) -> str:
    """markdown-it's escapeHtml: & < > " (not ')."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


class _Fallback(Exception):
    """The tree cannot be rendered exactly as markdown-it-py would: use ctxgen.md_legacy."""


# --- headings ------------------------------------------------------------------------------


def strip_leading_h1(html: str, title: str | None = None) -> str:
    """Drop an <h1> that opens the body (only if its text equals `title`, when one is given)."""
    return take_leading_h1(html, title)[0]


def take_leading_h1(html: str, title: str | None = None) -> tuple[str, str | None]:
    """strip_leading_h1, and the id of the <h1> it dropped (None when it dropped none): a page
    whose own <h1> stands in for that heading gives it the id, so links to the heading land."""
    m = _LEADING_H1.match(html)
    if not m:
        return html, None
    if title is not None:
        inner = _MATH_SPAN.sub(_as_written_math, m.group(2))  # the title has the math as written: $x$
        shown = _html.unescape(re.sub(r"<[^>]*>|\x00\d+\x01|\x00\x02", "", inner)).strip()
        if shown != title.strip():
            return html, None
    return html[m.end():], _html.unescape(m.group(1)) if m.group(1) is not None else None


def leading_h1_math(html: str) -> str | None:
    """The inner HTML of an <h1> that opens the body, when it holds math (a page's own <h1> that
    stands in for it shows it so, typeset, rather than its name's `$x$`)."""
    m = _LEADING_H1.match(html)
    return m.group(2) if m and 'class="math ' in m.group(2) else None


_LEADING_H1 = re.compile(r'\s*<h1(?: id="([^"]*)")?[^>]*>(.*?)</h1>\n?', re.S)
# md_math's output: <span class="math math-inline">\(TeX\)</span>, math-display ones with \[TeX\]
_MATH_SPAN = re.compile(r'<(span|div) class="math math-(inline|display)">\\[(\[](.*?)\\[)\]]</\1>', re.S)


def _as_written_math(m: re.Match) -> str:
    dollars = "$" if m[2] == "inline" else "$$"
    return f"{dollars}{m[3]}{dollars}"


# --- the tree pass -------------------------------------------------------------------------


class _Run:
    """Adjacent text and text_special nodes as one string, so a wikilink or ==mark== can span them."""

    __slots__ = ("text", "pieces")

    def __init__(self, group: list[tuple[object, str, bool]]) -> None:
        """`group`: (node, content, is_special) triples, node attributes read once by the caller."""
        self.pieces: list[tuple[int, int, object, bool, str]] = []  # (start, end, node, is_special, content)
        at = 0
        for node, content, special in group:
            self.pieces.append((at, at + len(content), node, special, content))
            at += len(content)
        self.text = group[0][1] if len(group) == 1 else "".join([g[1] for g in group])

    def whole(self) -> tuple:
        return (self, 0, len(self.text))

    def special(self, i: int) -> bool:
        for start, end, _node, special, _content in self.pieces:
            if start <= i < end:
                return special
        return False


class _Renderer:
    """One body: walks markdown-it.rs's tree once, writing HTML and collecting links, text, tags."""

    def __init__(self, src: str, span: Span, allow_html: bool = False) -> None:
        self.src = src
        self.html_comments = not allow_html  # with raw HTML on, markdown-it passes comments through
        self.span = span
        self.ascii = src.isascii()
        self.out: list[str] = []
        self.links: list[LinkRef | None] = []
        self.texts: list[str] = []
        self.tags: dict[str, None] = {}
        self.headings: list[Heading] = []
        self.anchors: set[str] = set()
        self.diagnostics: list[Diagnostic] = []
        self.after_hidden = False  # markdown-it puts "\n" before a block that follows a hidden <p>
        self.footnotes: dict[int, int] = {}  # def_id -> number, in order of first reference
        self.footnote_refs: dict[int, int] = {}  # number -> references so far
        self.in_link = False
        self.current_footnote = 0
        self.tag_words = True
        self._bytes: bytes | None = None
        self._line_starts: list[int] | None = None
        self._last_at = (0, 0)  # (byte offset, line index) of the last position asked for
        self._cursor: dict[int, int] = {}
        self._verbatim: dict[int, bool] = {}  # node start -> its content is its source
        self._line = (0, -1)  # (start, end) of the source line check_unclosed looked at last
        # the inline container being rendered (a paragraph, heading, cell): its plain text
        self.plain: list[str] = []
        self.plain_len = 0
        self.pending: list[tuple[int, dict, int]] = []  # (hole, LinkRef fields, offset in plain)
        self.tag_run: list[str] = []
        self.tag_at: list[int] = []  # where each tag_run piece is in `out` (-1: inside a link)
        # A #tag needs '#' then a word character in its text, and text is cut from the source only
        # where a flush_tags boundary is (or at a '[', '%', '<' or '\\' after the '#'). So a body whose
        # every '#' is followed by '#', a space or its end (ATX heading markers: most bodies) has no
        # tag, and its text pieces need not be collected (`tagging`; the rare paths collect anyway).
        self.tagging = "#" in src and _TAG_HINT_RE.search(src) is not None
        self.math = False  # src has masked math (ctxgen.md_math): heading texts are taken back

    # -- positions --

    @property
    def bytes(self) -> bytes:
        if self._bytes is None:
            self._bytes = self.src.encode("utf-8")
        return self._bytes

    def at(self, pos: int) -> Span:
        """The file Span of byte offset `pos` of the body."""
        b = self.bytes
        last_pos, last_line = self._last_at
        if pos >= last_pos:  # links mostly come in source order: count the newlines since the last one
            k = last_line + b.count(b"\n", last_pos, pos)
            self._last_at = (pos, k)
        else:  # a footnote's link, rendered after the text that follows it
            if self._line_starts is None:
                self._line_starts = [0] + [m.end() for m in re.finditer(b"\n", b)]
            k = bisect_right(self._line_starts, pos) - 1
        start = b.rfind(b"\n", 0, pos) + 1
        col = pos - start if self.ascii else len(b[start:pos].decode("utf-8", "replace"))
        return Span(self.span.path, self.span.line + k, col + 1)

    def source_of(self, run: _Run, i: int, marker: bytes, stop: int | None = None) -> tuple[int, bool]:
        """Byte offset of the `marker` (b'[[' or b'![[') that is character i of `run`, and whether
        run.text[i:stop] is, verbatim, the source there (one text node whose content is its source)."""
        for start, end, node, special, content in run.pieces:
            if start <= i < end:
                break
        srcmap = node.srcmap
        if not srcmap:
            return -1, False
        s0, s1 = srcmap
        verbatim = self._verbatim.get(s0)
        if verbatim is None:  # once per node: a line of 50,000 '[[' asks for each of them
            verbatim = self._verbatim[s0] = not special and self.bytes[s0:s1] == content.encode("utf-8")
        if verbatim:
            if self.ascii:
                return s0 + i - start, stop is not None and stop <= end
            prefix = content[: i - start]
            return s0 + (len(prefix) if prefix.isascii() else len(prefix.encode("utf-8"))), stop is not None and stop <= end
        raw = self.bytes[s0:s1]
        found = raw.find(marker, self._cursor.get(s0, 0))  # raw differs (a table's \|): search
        if found < 0:
            return -1, False
        self._cursor[s0] = found + len(marker)
        return s0 + found, False

    # -- containers of inline content --

    def begin(self) -> None:
        self.plain, self.plain_len, self.pending, self.tag_run, self.tag_at = [], 0, [], [], []

    def end(self) -> str:
        if self.tag_run:
            self.flush_tags()
        plain = self.plain
        raw = plain[0] if len(plain) == 1 else "".join(plain)
        if self.pending:
            links = self.links
            for hole, fields, offset in self.pending:
                links[hole] = LinkRef(hole=hole, context=around(raw, offset), **fields)
        self.texts.append(raw)
        return raw

    def add_plain(self, text: str) -> None:
        self.plain.append(text)
        self.plain_len += len(text)

    def flush_tags(self) -> None:
        if self.tag_run:
            text = "".join(self.tag_run) if len(self.tag_run) > 1 else self.tag_run[0]
            if self.tag_words and "#" in text:
                found = []
                for m in TAG_RE.finditer(text):
                    tag = m.group(1).rstrip("/-")
                    if tag and not tag.isdigit():
                        self.tags.setdefault(tag, None)
                        found.append((m.start(), m.start() + 1 + len(tag), tag))
                if found and not self.in_link:
                    self.mark_tags(text, found)
            self.tag_run.clear()  # in place: `inline` holds these lists in locals
            self.tag_at.clear()

    def mark_tags(self, text: str, found: list[tuple[int, int, str]]) -> None:
        """Rewrite the run's text in `out` with each #tag a tag hole (a link once filled). The run's
        pieces sit side by side in `out`; the rewritten run takes the first one's place."""
        at = self.tag_at
        first = at[0]
        if first < 0 or at != list(range(first, first + len(at))):
            return
        html, done = [], 0
        for start, end, tag in found:
            html.append(_esc(text[done:start]) + tag_hole(tag, _esc(text[start:end])))
            done = end
        html.append(_esc(text[done:]))
        out = self.out
        out[first] = "".join(html)
        for k in at[1:]:
            out[k] = ""

    def hole(self, fields: dict) -> int:
        n = len(self.links)
        self.links.append(None)
        self.pending.append((n, fields, self.plain_len))
        return n

    # -- blocks --

    def open(self, html: str) -> None:
        if self.after_hidden:
            self.out.append("\n")
            self.after_hidden = False
        self.out.append(html)

    def close(self, html: str) -> None:
        self.after_hidden = False
        self.out.append(html)

    def blocks(self, nodes, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Fallback("nesting")
        for node in nodes:
            name = node.name
            block = _BLOCKS.get(name)
            if block is None:
                raise _Fallback(name)
            block(self, node, name, depth)

    def code_block(self, node, _name: str, _depth: int) -> None:
        content = node.meta["content"]
        self.close("<pre><code>" + _esc(content) + "</code></pre>\n")  # own rule: no "\n" first
        self.texts.append(content)

    def hr(self, _node, _name: str, _depth: int) -> None:
        self.open("<hr />\n")

    def html_block(self, node, _name: str, _depth: int) -> None:
        self.close(node.meta["content"])

    def definition(self, _node, _name: str, _depth: int) -> None:
        pass

    def paragraph(self, node, _name: str, depth: int, prefix: str = "") -> None:
        children = node.children
        names = None
        if not prefix and len(children) == 1:
            names = [children[0].name]
            if names[0] == "text" and self.lone_embed(children[0].meta["content"]):
                self.begin()
                self.inline(children, depth, names=names)
                self.end()
                self.after_hidden = True
                return
        out = self.out
        if self.after_hidden:  # = self.open(…), self.close(…): a paragraph is the commonest block
            out.append("\n")
        out.append("<p>" + prefix if prefix else "<p>")
        self.begin()
        self.inline(children, depth, names=names)
        self.end()
        self.after_hidden = False
        out.append("</p>\n")

    @staticmethod
    def lone_embed(text: str) -> bool:
        """A paragraph that is only ![[topic]] renders without <p>, so the embed's <div> is valid HTML."""
        if not (text.startswith("![[") and text.endswith("]]")):
            return False
        inner = text[3:-2]
        if "]]" in inner or "[[" in inner or "\n" in inner or len(inner) > MAX_WIKILINK:
            return False
        meta = parse_wikilink(inner, True)
        return meta is not None and not is_image(meta["target"])

    def heading(self, node, _name: str, depth: int) -> None:
        level = node.meta["level"]
        out = self.out
        if self.after_hidden:
            out.append("\n")
            self.after_hidden = False
        at = len(out)
        out.append("")  # the open tag, once the id is known
        children = node.children
        raw = None
        if len(children) == 1:
            child = children[0]
            names = [child.name]
            if names[0] == "text":
                raw = child.meta["content"]
                if _may_hold_markup(raw):
                    raw = None
                else:  # most headings: one plain text node, no tags (= begin, inline, end)
                    out.append(_esc(raw))
                    self.texts.append(raw)
        else:
            names = None
        if raw is None:
            self.begin()
            self.tag_words = False
            self.inline(children, depth, names=names)
            raw = self.end()
            self.tag_words = True
        text = " ".join(raw.split())
        if self.math:
            text = raw_math(text)
        anchor = base = HEADING_PREFIX + slugify_heading(text)
        anchors = self.anchors
        n = 0
        while anchor in anchors:
            n += 1
            anchor = f"{base}-{n}"
        anchors.add(anchor)
        self.headings.append(Heading(level, text, anchor))
        out[at] = f'<h{level} id="{escape(anchor)}">'
        out.append(f"</h{level}>\n")

    def list(self, node, name: str, depth: int) -> None:
        if name == "bullet_list":
            tag, start = "ul", None
        else:
            tag, start = "ol", node.meta.get("start", 1)
        attrs = _attrs(node.attrs)
        if start is not None and start != 1:
            attrs = f' start="{start}"' + attrs
        self.open(f"<{tag}{attrs}>\n")
        for item in node.children:
            self.list_item(item, depth + 1)
        self.close(f"</{tag}>\n")

    def list_item(self, item, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Fallback("nesting")
        children = item.children
        attrs = item.attrs
        attrs = _attrs(attrs) if attrs else ""
        if not children:
            self.open(f"<li{attrs}></li>\n")
            return
        names = [child.name for child in children]
        n = len(children)
        loose_task = names[0] == "todo_checkbox" and n > 1 and names[1] == "paragraph"
        first_inline = names[0] in _INLINE and not loose_task
        if not attrs and first_inline and _INLINE.issuperset(names):
            # the common tight item, only inline content: its hidden paragraph, written in place
            out = self.out
            if self.after_hidden:
                out.append("\n")
            out.append("<li>")
            self.begin()
            self.inline(children, depth, names=names)
            self.end()
            self.after_hidden = False
            out.append("</li>\n")
            return
        self.open(f"<li{attrs}>" if first_inline else f"<li{attrs}>\n")
        i = 0
        while i < n:
            child = children[i]
            name = names[i]
            if loose_task and i == 0:
                self.paragraph(children[1], "paragraph", depth, _CHECKED if child.meta.get("checked") else _CHECKBOX)
                i = 2
                continue
            if name in _INLINE:  # a tight list's paragraph, which markdown-it hides
                j = i
                while j < n and names[j] in _INLINE:
                    j += 1
                self.begin()
                if i or j < n:
                    self.inline(children[i:j], depth, names=names[i:j])
                else:
                    self.inline(children, depth, names=names)
                self.end()
                self.after_hidden = True
                i = j
                continue
            if depth + 1 > _MAX_DEPTH:
                raise _Fallback("nesting")
            block = _BLOCKS.get(name)
            if block is None:
                raise _Fallback(name)
            block(self, child, name, depth + 1)
            i += 1
        self.close("</li>\n")

    def blockquote(self, node, _name: str, depth: int) -> None:
        children = node.children
        if not children:
            self.open("<blockquote></blockquote>\n")
            return
        first = children[0]
        if first.name == "paragraph" and first.children and first.children[0].name == "text":
            m = CALLOUT_RE.match(first.children[0].meta["content"])
            if m:
                self.callout(node, m, depth)
                return
        self.open("<blockquote>\n")
        self.blocks(children, depth + 1)
        self.close("</blockquote>\n")

    def callout(self, node, m: re.Match, depth: int) -> None:
        kind = re.sub(r"[^a-z0-9-]", "", m.group(1).lower()) or "note"
        # a foldable callout ([!type]- closed, [!type]+ open) is a <details>: it folds without script
        fold, tag, title_tag = "", "aside", "p"
        if m.group(2):
            fold = ' data-fold="open" open=""' if m.group(2) == "+" else ' data-fold="closed"'
            tag, title_tag = "details", "summary"
        self.open(f'<{tag} class="callout callout-{kind}"{fold}>\n')
        para = node.children[0].children
        cut = next((k for k, c in enumerate(para) if c.name in ("softbreak", "hardbreak")), len(para))
        title, rest = list(para[:cut]), list(para[cut + 1 :])
        head = title[0].meta["content"][m.start(3) :]
        self.open(f'<{title_tag} class="callout-title">')
        self.begin()
        if not head.strip() and len(title) == 1:
            default = kind.capitalize()
            self.out.append(_esc(default))
            self.add_plain(default)
        else:
            self.inline(title[1:], depth, first=head, first_node=title[0], first_skip=m.start(3))
        self.end()
        self.close(f"</{title_tag}>\n")
        if rest:
            self.open("<p>")
            self.begin()
            self.inline(rest, depth)
            self.end()
            self.close("</p>\n")
        self.blocks(node.children[1:], depth + 1)
        self.close(f"</{tag}>\n")

    def fence(self, node, _name: str, _depth: int) -> None:
        meta = node.meta
        content = meta["content"]
        info = meta.get("info") or ""
        info = unescapeAll(info).strip(" \t\n\r\f\v") if info else ""
        cls = ""
        if info:
            cls = f' class="language-{_esc(_TRIM_RE.split(info, maxsplit=1)[0])}"'
        self.close(f"<pre><code{cls}>" + _esc(content) + "</code></pre>\n")  # own rule: no "\n" first
        self.texts.append(content)

    def table(self, node, _name: str, depth: int) -> None:
        aligns = node.meta.get("alignments") or []
        styles = [f' style="text-align:{a}"' if a in ("left", "right", "center") else "" for a in aligns]
        self.open("<table>\n")
        for part in node.children:
            tag = "th" if part.name == "thead" else "td"
            self.open(f"<{part.name}>\n")
            for row in part.children:
                self.open("<tr>\n")
                for k, cell in enumerate(row.children):
                    self.open(f"<{tag}{styles[k] if k < len(styles) else ''}>")
                    self.begin()
                    self.inline(cell.children, depth + 3)
                    self.end()
                    self.close(f"</{tag}>\n")
                self.close("</tr>\n")
            self.close(f"</{part.name}>\n")
        self.close("</table>\n")

    def footnote_container(self, node, _name: str, depth: int) -> None:
        defs = sorted((self.footnotes[d.meta["def_id"]], d) for d in node.children if d.meta.get("def_id") in self.footnotes)
        if not defs:
            return
        self.open('<hr class="footnotes-sep" />\n<section class="footnotes">\n<ol class="footnotes-list">\n')
        for number, d in defs:
            if d.meta.get("inline"):
                raise _Fallback("inline footnote")
            self.open(f'<li id="fn{number}" class="footnote-item">')
            self.current_footnote = number
            self.blocks(d.children, depth + 1)
            self.close("</li>\n")
        self.close("</ol>\n</section>\n")

    # -- inline --

    def inline(self, nodes, depth: int, first: str | None = None, first_node=None, first_skip: int = 0,
               names: list[str] | None = None) -> None:
        """Render a list of sibling inline nodes (`first`: leading text already cut from first_node).

        Text that may hold a wikilink, ==mark== or %%comment%% (which can span siblings) becomes
        a run; once there is one, the rest of the siblings wait in `segments` to keep the order.
        `names`: the nodes' names, when the caller has read them already.

        The hot loop of the pass (~50 text nodes a note): a lone text node without markup, and
        em/strong/s, code and soft breaks, are written here rather than through `plain_text` and
        `node` — a method call and the attribute reads are most of what each of them costs."""
        if depth > _MAX_DEPTH:
            raise _Fallback("nesting")
        segments: list = []
        if first:
            run = _Run([(first_node, first_node.meta["content"], False)])
            segments.append((run, first_skip, len(run.text)))
        out, plain, tag_run, tag_at, tagging = self.out, self.plain, self.tag_run, self.tag_at, self.tagging
        text = None  # the last text node, kept until we know whether a text sibling follows it
        group = None  # two or more adjacent text nodes: a run
        if names is None:
            names = [node.name for node in nodes]  # each pyo3 attribute read builds a new object: read each once
        for node, name in chain(zip(nodes, names), _END):
            if name == "text" or name == "text_special":
                item = (node, node.meta["content"], name != "text")
                if text is None:
                    text = item
                elif group is None:
                    group = [text, item]
                else:
                    group.append(item)
                continue
            if text is not None:
                content = text[1]
                if group is not None or segments:
                    segments.append(_Run(group or [text]).whole())
                elif not text[2] and not _may_hold_markup(content):  # = self.plain_text(text), in place
                    if tagging:
                        tag_at.append(len(out))
                        tag_run.append(content)
                    out.append(_esc(content) if "&" in content or "<" in content or ">" in content or '"' in content
                               else content)
                    plain.append(content)
                    self.plain_len += len(content)
                elif not self.wiki_text(text):
                    segments.append(_Run([text]).whole())
                text = group = None
            if name is None:
                break
            if segments:
                segments.append(node)
            elif name == "link":  # no text before it ends in '[': not `[[x]]` read as a link (`bracketed`)
                self.link(node, depth)
            elif name in _WRAP:
                open_tag, close_tag = _WRAP[name]
                if tag_run:
                    self.flush_tags()
                out.append(open_tag)
                children = node.children
                child_names = [children[0].name] if len(children) == 1 else None
                if child_names == ["text"] and depth < _MAX_DEPTH:  # *one word*: = self.inline(children)
                    item = (children[0], children[0].meta["content"], False)
                    if not self.plain_text(item) and not self.wiki_text(item):
                        self.segments([_Run([item]).whole()], depth + 1)
                else:
                    self.inline(children, depth + 1, names=child_names)
                if tag_run:
                    self.flush_tags()
                out.append(close_tag)
            elif name == "softbreak":
                if tag_run:
                    self.flush_tags()
                out.append("\n")
                plain.append(" ")
                self.plain_len += 1
            elif name == "code_inline":
                if tag_run:
                    self.flush_tags()
                children = node.children
                content = children[0].meta["content"] if len(children) == 1 else "".join(c.meta["content"] for c in children)
                out.append("<code>" + _esc(content) + "</code>")
                plain.append(content)
                self.plain_len += len(content)
            else:
                self.node(node, name, depth)
        if segments:
            self.segments(segments, depth)

    def plain_text(self, item: tuple) -> bool:
        """Write a lone text node that holds no wikilink, mark or comment; False if it needs a run."""
        content = item[1]
        # one-character tests first: `in` for one character is far faster than for two
        if item[2] or _may_hold_markup(content):
            return False
        if self.tagging:
            self.tag_at.append(len(self.out))
            self.tag_run.append(content)
        self.out.append(_esc(content))
        self.plain.append(content)
        self.plain_len += len(content)
        return True

    def wiki_text(self, item: tuple) -> bool:
        """Write a lone text node whose only markup is well-formed wikilinks, with its content as in
        the source (the common case, without a _Run); False to leave it to the general `run`.
        About 7 of these a note: the steps of `hole`, `at` and `flush_tags` are written in place."""
        node, content, special = item
        if special or self.in_link or "[[" not in content or _may_hold_markup_besides_wikilinks(content):
            return False
        links = []
        p = content.find("[[")
        while p >= 0:
            close = content.find("]]", p + 2, p + 2 + MAX_WIKILINK)
            if close < 0:
                return False
            inner = content[p + 2 : close]
            if "[[" in inner:
                return False
            embed = p > 0 and content[p - 1] == "!"
            meta = parse_wikilink(inner, embed)
            if meta is None:
                return False
            links.append((p - 1 if embed else p, close + 2, meta))
            p = content.find("[[", close + 2)
        srcmap = node.srcmap
        if not srcmap:
            return False
        s0, s1 = srcmap
        if self.ascii:  # byte offsets are character offsets
            if self.src[s0:s1] != content:
                return False
        elif self.bytes[s0:s1] != content.encode("utf-8"):
            return False
        out, plain, tag_run, tag_at, tagging = self.out, self.plain, self.tag_run, self.tag_at, self.tagging
        links_out, pending = self.links, self.pending
        emitted = 0
        for start, end, meta in links:
            if start > emitted:
                piece = content[emitted:start]
                if tagging:
                    tag_at.append(len(out))
                    tag_run.append(piece)
                out.append(_esc(piece))
                plain.append(piece)
                self.plain_len += len(piece)
            if tag_run:
                self.flush_tags()
            if self.ascii:
                meta["span"] = self.at(s0 + start)
            else:
                prefix = content[:start]
                meta["span"] = self.at(s0 + (len(prefix) if prefix.isascii() else len(prefix.encode("utf-8"))))
            label = display_label(meta)
            n = len(links_out)  # = self.hole(meta)
            links_out.append(None)
            pending.append((n, meta, self.plain_len))
            out.append(f"\x00{n}\x01{escape(label)}\x00\x02")  # HOLE.format(n) + label + HOLE_END
            plain.append(label)
            self.plain_len += len(label)
            emitted = end
        if emitted < len(content):
            piece = content[emitted:]
            if tagging:
                tag_at.append(len(out))
                tag_run.append(piece)
            out.append(_esc(piece))
            plain.append(piece)
            self.plain_len += len(piece)
        return True

    def segments(self, segments: list, depth: int) -> None:
        segments = list(segments)
        i = 0
        while i < len(segments):
            seg = segments[i]
            if type(seg) is tuple:
                i = self.run(segments, i, depth)
                continue
            name = seg.name
            if name == "link" and self.bracketed(segments, i):
                self.reference_wikilink(segments, i)
            else:
                self.node(seg, name, depth)
            i += 1

    def reference_wikilink(self, segments: list, i: int) -> None:
        """`[[x]]` where `[x]: ...` is defined: markdown-it.rs read `[x]` as a link; it is a wikilink."""
        node = segments[i]
        run_b, lo_b, hi_b = segments[i - 1]
        run_a, lo_a, hi_a = segments[i + 1]
        s0, s1 = node.srcmap
        raw = self.bytes[s0 - 1 : s1 + 1].decode("utf-8", "replace")
        if not (raw.startswith("[[") and raw.endswith("]]")) or "\n" in raw:
            raise _Fallback("[[x]] read as a link")
        embed = hi_b - 2 >= lo_b and run_b.text[hi_b - 2] == "!" and not run_b.special(hi_b - 2)
        # the text before was already written, '[' included: take the '[' (and '!') back
        cut = 2 if embed else 1
        tail = _esc(run_b.text[hi_b - cut : hi_b])
        if not self.out[-1].endswith(tail) or self.plain[-1][-cut:] != run_b.text[hi_b - cut : hi_b]:
            raise _Fallback("[[x]] read as a link")
        self.out[-1] = self.out[-1][: len(self.out[-1]) - len(tail)]
        self.plain[-1] = self.plain[-1][:-cut]
        self.plain_len -= cut
        if self.tag_run:
            self.tag_run[-1] = self.tag_run[-1][:-cut]
        meta = parse_wikilink(raw[2:-2], embed)
        if self.in_link or meta is None:
            raise _Fallback("[[x]] read as a link")
        self.flush_tags()
        label = display_label(meta)
        n = self.hole(dict(meta, span=self.at(s0 - cut)))
        self.out.append(HOLE.format(n) + escape(label) + HOLE_END)
        self.add_plain(label)
        segments[i + 1] = (run_a, lo_a + 1, hi_a)

    def run(self, segments: list, i: int, depth: int) -> int:
        """Render the text run segments[i]: wikilinks, ==marks==, %%comments%% and <!-- comments -->
        (removed, as Obsidian does, with their links and tags). Returns where to go on:
        a mark or comment that closes in a later run j leaves that run's rest as segments[j]."""
        run, lo, hi = segments[i]
        text = run.text
        emitted = p = lo
        while True:
            m = _MARK_RE.search(text, p, hi)
            if m is None:
                break
            p = m.start()
            if run.special(p) or run.special(p + 1):
                p += 1
                continue
            marker = m.group()
            if marker == "[[":
                close = text.find("]]", p + 2, min(hi, p + 2 + MAX_WIKILINK))
                if close < 0:
                    self.check_unclosed(run, p)
                    p += 1
                    continue
                if "[[" in text[p + 2 : close]:
                    p += 1
                    continue
                embed = p > lo and text[p - 1] == "!" and not run.special(p - 1)
                start = p - 1 if embed else p
                self.text(run, emitted, start)
                self.wikilink(run, start, close + 2, embed)
                emitted = p = close + 2
                continue
            if marker == "==" and text.startswith("=", p + 2):
                p += 1
                continue
            if marker == "<!--" and not self.html_comments:
                p += 1
                continue
            closer = _CLOSER[marker]
            close = text.find(closer, p + len(marker), hi)
            if close == p + 2 and marker == "==":
                p += 1
                continue
            if close >= 0:
                if marker == "==":
                    body = text[p + 2 : close]
                    if body[0].isspace() or body[-1].isspace():
                        p += 1
                        continue
                self.text(run, emitted, p)
                if marker == "==":
                    self.mark([(run, p + 2, close)], depth)
                emitted = p = close + len(closer)
                continue
            if marker == "<!--":  # closed past a code span, emphasis, a link…: which one wins is
                if "-->" in self.src:  # markdown-it-py's inline order, so ask it
                    raise _Fallback("comment across nodes")
                p += 1
                continue
            later = self.find_later(segments, i, closer)
            if later is None or (marker == "==" and p + 2 < hi and text[p + 2].isspace()):
                p += 1
                continue
            j, (run_j, lo_j, hi_j), q = later
            if marker == "==" and q > lo_j and run_j.text[q - 1].isspace():
                p += 1
                continue
            self.text(run, emitted, p)
            if marker == "==":
                self.mark([(run, p + 2, hi)] + segments[i + 1 : j] + [(run_j, lo_j, q)], depth)
            segments[j] = (run_j, q + len(closer), hi_j)
            return j
        self.text(run, emitted, hi)
        return i + 1

    @staticmethod
    def find_later(segments: list, i: int, marker: str):
        for j in range(i + 1, len(segments)):
            seg = segments[j]
            if type(seg) is tuple:
                q = seg[0].text.find(marker, seg[1], seg[2])
                if q >= 0:
                    return j, seg, q
        return None

    @staticmethod
    def bracketed(segments: list, i: int) -> bool:
        """`[[x]]` where `[x]` is a reference: markdown-it.rs made a link of the inner brackets."""
        if i == 0 or i + 1 >= len(segments):
            return False
        before, after = segments[i - 1], segments[i + 1]
        return (
            type(before) is tuple and type(after) is tuple
            and before[0].text[before[1] : before[2]].endswith("[")
            and after[0].text[after[1] : after[2]].startswith("]")
        )

    def check_unclosed(self, run: _Run, p: int) -> None:
        """`[[` closed later on the line, past another node: markdown-it-py made that a wikilink."""
        pos = self.source_of(run, p, b"[[")[0]
        if pos < 0:
            return
        b = self.bytes
        line_start, line_end = self._line
        if not line_start <= pos < line_end:
            line_end = b.find(b"\n", pos)
            line_end = len(b) if line_end < 0 else line_end
            self._line = (b.rfind(b"\n", 0, pos) + 1, line_end)
        # a ']]' before the next '[[' (both searches stop there: linear over a line of '[[[[…')
        after = b.find(b"[[", pos + 2, line_end)
        if b.find(b"]]", pos + 2, after if after >= 0 else line_end) >= 0:
            raise _Fallback("wikilink across nodes")

    def text(self, run: _Run, a: int, b: int) -> None:
        if a >= b:
            return
        out = self.out
        pieces = run.pieces
        if len(pieces) == 1:  # the common case: one text node, no clipping to compute
            parts = ((run.text[a:b], pieces[0][3]),)
        else:
            parts = tuple((run.text[max(a, start) : min(b, end)], special)
                          for start, end, _node, special, _content in pieces if end > a and start < b)
        for piece, special in parts:
            if special:  # an escape or entity: text, but never part of a #tag
                out.append(_esc(piece))
                self.add_plain(piece)
                self.flush_tags()
            else:
                self.tag_at.append(len(out))
                out.append(_esc(piece))
                self.add_plain(piece)
                self.tag_run.append(piece)

    def wikilink(self, run: _Run, start: int, end: int, embed: bool) -> None:
        if self.in_link:
            raise _Fallback("wikilink in a link label")
        content_raw = run.text[start:end]
        pos, verbatim = self.source_of(run, start, b"![[" if embed else b"[[", end)
        raw = content_raw
        if pos >= 0 and not verbatim:  # take the link as written (a table cell's \| is unescaped)
            close = self.bytes.find(b"]]", pos + (3 if embed else 2))
            if close >= 0:
                candidate = self.bytes[pos : close + 2].decode("utf-8", "replace")
                if "\n" not in candidate:
                    raw = candidate
        where = self.at(pos) if pos >= 0 else self.span
        meta = parse_wikilink(raw[3:-2] if embed else raw[2:-2], embed)
        if meta is None:
            self.diagnostics.append(
                Diagnostic(Severity.WARNING, "link-empty", f"empty wikilink {raw!r}", where,
                           "write [[target]], [[target|label]] or [[#heading]]")
            )
            self.text(run, start, end)
            return
        self.flush_tags()
        label = display_label(meta)
        n = self.hole(dict(meta, span=where))
        self.out.append(HOLE.format(n) + escape(label) + HOLE_END)
        self.add_plain(label)

    def mark(self, segments: list, depth: int) -> None:
        self.flush_tags()
        self.out.append("<mark>")
        self.segments(segments, depth + 1)
        self.flush_tags()
        self.out.append("</mark>")

    def node(self, node, name: str, depth: int) -> None:
        out = self.out
        if name == "softbreak" or name == "hardbreak":
            self.flush_tags()
            out.append("\n" if name == "softbreak" else "<br />\n")
            self.add_plain(" ")
        elif name == "em" or name == "strong" or name == "strikethrough":
            tag = "s" if name == "strikethrough" else name
            self.flush_tags()
            out.append(f"<{tag}>")
            self.inline(node.children, depth + 1)
            self.flush_tags()
            out.append(f"</{tag}>")
        elif name == "code_inline":
            self.flush_tags()
            content = "".join(c.meta["content"] for c in node.children)
            out.append("<code>" + _esc(content) + "</code>")
            self.add_plain(content)
        elif name == "link":
            self.link(node, depth)
        elif name == "image":
            self.image(node)
        elif name == "autolink":
            url = node.meta["url"]
            if not validateLink(url):
                raise _Fallback("unsafe autolink")
            content = "".join(c.meta["content"] for c in node.children)
            self.flush_tags()
            out.append(f'<a href="{_esc(url)}" rel="noopener">' + _esc(content) + "</a>")
            self.add_plain(content)
            self.tag_run.append(content)
            self.tag_at.append(-1)  # an autolink's text: inside its <a>
            self.flush_tags()
        elif name == "html_inline":
            self.flush_tags()
            out.append(node.meta["content"])
        elif name == "footnote_ref":
            self.flush_tags()
            def_id = node.meta["def_id"]
            number = self.footnotes.setdefault(def_id, len(self.footnotes) + 1)
            sub = self.footnote_refs.get(number, 0)
            self.footnote_refs[number] = sub + 1
            refid = f"{number}:{sub}" if sub else f"{number}"
            out.append(f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{refid}">[{refid}]</a></sup>')
        elif name == "footnote_ref_anchor":
            number = self.current_footnote
            for sub in range(self.footnote_refs.get(number, 0)):
                refid = f"{number}:{sub}" if sub else f"{number}"
                out.append(f' <a href="#fnref{refid}" class="footnote-backref">↩︎</a>')
        elif name == "todo_checkbox":
            self.flush_tags()
            out.append(_CHECKED if node.meta.get("checked") else _CHECKBOX)
        else:  # footnote_inline, and anything this pass does not know
            raise _Fallback(name)

    def link(self, node, depth: int) -> None:
        meta = node.meta
        href = meta["url"]
        if not validateLink(href):
            raise _Fallback("unsafe link")
        title = meta.get("title")
        rel = relative_target(href)
        self.flush_tags()
        was_in_link, self.in_link = self.in_link, True
        if rel is None:
            if href.startswith("#") and len(href) > 1:  # its heading is known at the end: md_anchors
                href = SAME_PAGE + unquote(href[1:])
            attrs = f' href="{_esc(href)}"'
            if title is not None:
                attrs += f' title="{_esc(title)}"'
            if SCHEME_RE.match(href) or href.startswith("//"):
                attrs += ' rel="noopener"'
            self.out.append(f"<a{attrs}>")
            self.inline(node.children, depth + 1)
            self.flush_tags()
            self.out.append("</a>")
        else:
            at = len(self.out)
            self.out.append("")
            fields = {"target": rel[0], "heading": rel[1], "label": None, "embed": False,
                      "span": self.at(node.srcmap[0]) if node.srcmap else self.span, "markdown_link": True}
            n = self.hole(fields)
            first = len(self.plain)
            self.inline(node.children, depth + 1)
            self.flush_tags()
            fields["label"] = "".join(self.plain[first:]) or None
            self.out[at] = HOLE.format(n)
            self.out.append(HOLE_END)
        self.in_link = was_in_link

    def image(self, node) -> None:
        meta = node.meta
        src = meta["url"]
        if not validateLink(src):
            raise _Fallback("unsafe image")
        alt, plain = _image_text(node.children)
        self.flush_tags()
        rel = relative_target(src)
        if rel is None:
            title = meta.get("title")
            extra = f' title="{_esc(title)}"' if title is not None else ""
            self.out.append(f'<img src="{_esc(src)}" alt="{_esc(alt)}"{extra} />')
        else:
            fields = {"target": rel[0], "heading": rel[1], "label": plain or None, "embed": True,
                      "span": self.at(node.srcmap[0]) if node.srcmap else self.span, "markdown_link": True}
            n = self.hole(fields)
            self.out.append(HOLE.format(n) + HOLE_END)
        self.add_plain(plain)


_BLOCKS: dict[str, Callable] = {
    "paragraph": _Renderer.paragraph,
    "heading": _Renderer.heading,
    "lheading": _Renderer.heading,
    "bullet_list": _Renderer.list,
    "ordered_list": _Renderer.list,
    "blockquote": _Renderer.blockquote,
    "fence": _Renderer.fence,
    "code_block": _Renderer.code_block,
    "hr": _Renderer.hr,
    "table": _Renderer.table,
    "html_block": _Renderer.html_block,
    "definition": _Renderer.definition,
    "footnote_container": _Renderer.footnote_container,
}  # block node name -> how to render it; any other name goes to md_legacy

_WIKI_IN_ALT = re.compile(r"(!?)\[\[([^\n]*?)\]\]")


def _image_text(nodes) -> tuple[str, str]:
    """An image's alt text as markdown-it renders it, and its plain text (wikilinks as labels)."""
    alt: list[str] = []
    plain: list[str] = []
    for node in nodes:
        name = node.name
        if name in ("text", "text_special", "code_inline", "html_inline"):
            content = node.meta.get("content")
            if content is None:
                content = "".join(c.meta["content"] for c in node.children)
            if "[[" in content:
                alt.append(_WIKI_IN_ALT.sub("", content))
                plain.append(_WIKI_IN_ALT.sub(lambda m: display_label(parse_wikilink(m.group(2), bool(m.group(1))) or {}), content))
            else:
                alt.append(content)
                plain.append(content)
        elif name in ("softbreak", "hardbreak"):
            alt.append("\n")
            plain.append(" ")
        elif name == "image":
            a, p = _image_text(node.children)
            alt.append(a)
            plain.append(p)
        elif node.children:
            a, p = _image_text(node.children)
            alt.append(a)
            plain.append(p)
    return "".join(alt), "".join(plain)


def _attrs(attrs) -> str:
    return "".join(f' {k}="{_esc(v)}"' for k, v in attrs.items()) if attrs else ""


def _needs_legacy(markdown: str, allow_html: bool = False) -> bool:
    """Bodies only markdown-it-py renders as ctxgen always did (see the module docstring).

    An odd number of backticks on a line with a link (`[a ` b](u)`) makes markdown-it.rs 0.6
    panic; the panic is caught too, but it prints a Rust backtrace, so such bodies go around it."""
    # a one-character `in` first: it is memchr, a two-character one scans at ~1 ns a character
    return (
        ("^" in markdown and "^[" in markdown)
        or "\r" in markdown
        or ("%" in markdown and "%%" in markdown and _BLOCK_COMMENT_RE.search(markdown) is not None)
        or (not allow_html and "<!--" in markdown and _HTML_COMMENT_LINE_RE.search(markdown) is not None)
        or ("`" in markdown and _odd_ticks_in_link(markdown))
        or _DEEP_FIRST_RE.match(markdown) is not None
        or _DEEP_RE.search(markdown) is not None
        or (">" in markdown and _empty_item_after_quote(markdown))
    )


def _empty_item_after_quote(markdown: str) -> bool:
    """A bare list marker on the line after a quote's text (`> x` then `*`): markdown-it.rs continues
    the quote's paragraph with it, markdown-it-py starts an empty list; ctxgen renders the latter.
    Bare-marker lines first (a scan from each newline), then the line before each."""
    for m in _BARE_MARKER_RE.finditer(markdown):
        start = markdown.rfind("\n", 0, m.start()) + 1
        line = markdown[start:m.start()]
        text = line.lstrip(" \t")
        if text[:1] == ">" and len(line) - len(text) <= 3:
            return True
    return False


def _odd_ticks_in_link(markdown: str) -> bool:
    """A line with `](` or `][` and an odd number of backticks (a linear scan, not a regex).
    Line by line from each backtick (found by memchr): fewer lines have one than have a link."""
    i = markdown.find("`")
    while i >= 0:
        start = markdown.rfind("\n", 0, i) + 1
        end = markdown.find("\n", i)
        if end < 0:
            end = len(markdown)
        if markdown.count("`", start, end) % 2 and (
                markdown.find("](", start, end) >= 0 or markdown.find("][", start, end) >= 0):
            return True
        i = markdown.find("`", end)
    return False


_devnull: int | None = None


def _quiet_tree(parser: _RustMarkdownIt, src: str):
    """parser.tree(src) with fd 2 pointed at /dev/null, so a panic's message never reaches the
    terminal. Only for bodies with a backtick and a '[': markdown-it.rs 0.6's known panic
    (code_pair.rs, a backtick left open in a link label) needs both. Costs two dup2 calls."""
    global _devnull
    try:
        if _devnull is None:
            _devnull = os.open(os.devnull, os.O_WRONLY)
        saved = os.dup(2)
    except OSError:  # no fd 2 (or no /dev/null): nothing to protect
        return parser.tree(src)
    try:
        os.dup2(_devnull, 2)
        return parser.tree(src)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def render_body(markdown: str, span: Span, allow_html: bool = False) -> tuple[RenderedBody, list[Diagnostic]]:
    """Render one Markdown body; `span` is where its first line sits in its file."""
    masked = mask_math(markdown)
    src = markdown if masked is None else masked
    if not _needs_legacy(src, allow_html):
        src = src.replace("\x00", "\ufffd") if "\x00" in src else src
        parser = _RUST_HTML if allow_html else _RUST_SAFE
        try:
            tree = _quiet_tree(parser, src) if "`" in src and "[" in src else parser.tree(src)
            r = _Renderer(src, span, allow_html)
            r.math = masked is not None
            r.blocks(tree.children, 0)
        except _Fallback:
            pass
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 - a panic in markdown-it.rs (pyo3 PanicException)
            pass
        else:
            headings = tuple(r.headings)
            html, text = finish("".join(r.out), " ".join(" ".join(r.texts).split()), headings)  # split: \s, faster
            body = RenderedBody(
                html=html,
                links=tuple(r.links),  # type: ignore[arg-type]
                headings=headings,
                first_h1=next((h.text for h in headings if h.level == 1), None),
                text=text,
                tags=tuple(r.tags),
            )
            return (body if masked is None else unmask_body(body)), r.diagnostics
    from .md_legacy import render_body as legacy_render_body

    return legacy_render_body(markdown, span, allow_html)


# --- filling holes (render stage) ----------------------------------------------------------


def shows_as_image(ref: LinkRef) -> bool:
    """![[pic.png]] and ![alt](pic.png) render as <img>; ![[topic]] and ![x](page.md) as embeds."""
    if not ref.embed:
        return False
    if ref.markdown_link:
        return not ref.target.lower().endswith(".md")
    return is_image(ref.target)


def ref_html(ref: LinkRef, href: str | None, inner_html: str, embed_html: str | None = None) -> str:
    """The HTML for one link, given where it points (None: unresolved) and its escaped label."""
    if href is not None and not validateLink(href.strip().lower()):
        href = None  # never emit a javascript:/data: href, whatever the resolver returned
    if shows_as_image(ref):
        if href is None:
            return f'<span class="wikilink missing" title="Missing: {escape(ref.target)}">{escape(ref.label or ref.target)}</span>'
        size = (MD_SIZE_RE if ref.markdown_link else SIZE_RE).match(ref.label or "")
        if size:
            alt = size.group(1) or ref.target.rpartition("/")[2]
            dims = f' width="{size.group(2)}"' + (f' height="{size.group(3)}"' if size.group(3) else "")
        else:
            alt, dims = (ref.label or ref.target.rpartition("/")[2]), ""
        return f'<img src="{escape(href)}" alt="{escape(alt)}"{dims}>'
    if ref.embed and embed_html is not None:
        return f'<div class="embed">{embed_html}</div>'
    if href is None:
        missing = ref.target + (f"#{ref.heading}" if ref.heading else "")
        return f'<span class="wikilink missing" title="Missing: {escape(missing)}">{inner_html}</span>'
    return f'<a href="{escape(href)}" class="wikilink">{inner_html}</a>'


def fill_holes(
    rendered: RenderedBody,
    href_for: Callable[[LinkRef], str | None],
    embed_for: Callable[[LinkRef], str | None] | None = None,
    tag_href: Callable[[str], str | None] | None = None,
) -> str:
    """The final HTML of a body: every hole replaced by its link, image, or embed, and every
    inline #tag by a link to `tag_href(tag)` (its bare text where that is None, or not given)."""
    links = rendered.links
    html = fill_tags(rendered.html, tag_href)
    if not links:
        return html
    split = False

    def fill(m: re.Match) -> str:
        nonlocal split
        ref = links[int(m.group(1))]
        href = href_for(ref)
        if shows_as_image(ref):  # an <img> is phrasing content: it stays inside its paragraph
            return ref_html(ref, href, m.group(2), None)
        embed_html = embed_for(ref) if ref.embed and embed_for is not None and href is not None else None
        if embed_html is None:
            return ref_html(ref, href, m.group(2), None)
        container = _phrasing_container(html, m.start())
        if container is None:
            return ref_html(ref, href, m.group(2), embed_html)
        if container.startswith("<h"):  # a heading holds no block: the embed is a link there
            return ref_html(ref, href, m.group(2), None)
        split = True  # text ![[note]] text: the paragraph closes before the embed and reopens after
        return "</p>" + ref_html(ref, href, m.group(2), embed_html) + container

    out = HOLE_RE.sub(fill, html)
    return _EMPTY_P_RE.sub("", out) if split else out


def fill_tags(html: str, tag_href: Callable[[str], str | None] | None = None) -> str:
    """`html` with each inline #tag hole a `<a class="ctx-tag">` to its page, or its text."""
    if TAG_MARK not in html:
        return html

    def fill(m: re.Match) -> str:
        href = tag_href(_html.unescape(m.group(1))) if tag_href is not None else None
        if href is None or not validateLink(href.strip().lower()):
            return m.group(2)
        return f'<a href="{escape(href)}" class="ctx-tag">{m.group(2)}</a>'

    return TAG_HOLE_RE.sub(fill, html)


_EMPTY_P_RE = re.compile(r"<p(?: [^>]*)?>\s*</p>\n?")
_PHRASING_OPEN_RE = re.compile(r"<(p|h[1-6])(?: [^>]*)?>")


def _phrasing_container(html: str, at: int) -> str | None:
    """The open tag of the <p> or <hN> that position `at` is inside of, or None (a list item, a
    cell, the top level: where a block may go). Content is escaped, so tags are ctxgen's own."""
    start = max(html.rfind("<p>", 0, at), html.rfind("<p ", 0, at), html.rfind("<h", 0, at))
    if start < 0:
        return None
    m = _PHRASING_OPEN_RE.match(html, start)
    if m is None:
        return None
    if html.find(f"</{m.group(1)}>", start, at) >= 0:
        return None
    return m.group(0)
