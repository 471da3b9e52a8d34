"""Markdown bodies to HTML, once per file, with holes where links go.

`render_body` runs in the load stage (pure, per file). Links to other files — wikilinks and
relative Markdown links/images — cannot be rendered yet: their href depends on which topic
they resolve to and on the page they appear in. So each becomes a *hole* in the HTML:

    HOLE.format(n) + inner_html + HOLE_END

where `n` indexes `RenderedBody.links` and `inner_html` is the link's label, already escaped
(empty for images). `\\x00` never survives markdown-it (it becomes U+FFFD), so content can
never forge a hole. The render stage calls `fill_holes` per page.

Beyond CommonMark (+ tables, strikethrough, footnotes, task lists; raw HTML only with
allow_html; linkify and typographer off):

- `[[target#heading|label]]`, `![[embed]]`, `[[a\\|b]]` (the escaped pipe of table cells);
  not in code. `[[]]` stays text, with a `link-empty` warning.
- `[x](rel/path.md#frag)`, `![alt](img.png)`: holes too (markdown_link=True), percent-decoded.
  URLs with a scheme render directly (rel="noopener"); `[x](#frag)` points at `#h-frag`.
- headings: ids `h-<unicode slug>`, unique in the body (`h-intro`, `h-intro-1`); all headings
  stay in the HTML — a site that shows the title separately can drop a leading H1 with
  `strip_leading_h1`.
- `> [!type] Title` callouts → `<aside class="callout callout-type">` with a `callout-title`
  paragraph (`data-fold` for `[!type]-`/`+`); `==mark==`; `%%comments%%` (inline or block)
  removed; inline `#tags` (outside code and headings, not all digits) → RenderedBody.tags.
- Code fences keep their language class (`language-mermaid`, `language-math`).
"""
from __future__ import annotations

import html as _html
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import validateLink
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as _image_rule
from markdown_it.rules_inline import link as _link_rule
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .diagnostics import Diagnostic, Severity, Span
from .source import Heading, LinkRef, RenderedBody

HOLE = "\x00{}\x01"
HOLE_END = "\x00\x02"
HOLE_RE = re.compile("\x00(\\d+)\x01(.*?)\x00\x02", re.S)

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "ico"})
HEADING_PREFIX = "h-"
_CONTEXT_CHARS = 200
_MAX_WIKILINK = 1000  # longest [[...]] we look for, so "[[[[[[..." stays linear

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_SIZE_RE = re.compile(r"^\s*(?:(.*?)\s+)?(\d+)(?:\s*x\s*(\d+))?\s*$")  # ![[a.png|alt 100x200]]
_PIPE_RE = re.compile(r"\\?\|")
_TAG_RE = re.compile(r"(?<![^\s(\[,;:])#([\w][\w/\-]*)")
_CALLOUT_RE = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")
_WS_RE = re.compile(r"\s+")
_NL_RE = re.compile("\n")


def escape(text: str) -> str:
    return _html.escape(text, quote=True)


# --- headings ------------------------------------------------------------------------------


def slugify_heading(text: str) -> str:
    """Unicode-aware slug: lower case, word characters kept, everything else a single '-'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    slug = re.sub(r"[^\w]+", "-", text).strip("-_")
    return slug or "section"


def heading_anchor(headings: tuple[Heading, ...] | list[Heading], text: str) -> str | None:
    """The id of the heading a `[[page#text]]` link means: same text (ignoring case), else same slug."""
    wanted = text.strip().casefold()
    for h in headings:
        if h.text.casefold() == wanted:
            return h.anchor
    slug = HEADING_PREFIX + slugify_heading(text)
    for h in headings:
        if h.anchor == slug:
            return h.anchor
    return None


def strip_leading_h1(html: str, title: str | None = None) -> str:
    """Drop an <h1> that opens the body (only if its text equals `title`, when one is given)."""
    m = re.match(r"\s*<h1[^>]*>(.*?)</h1>\n?", html, re.S)
    if not m:
        return html
    if title is not None:
        shown = _html.unescape(re.sub(r"<[^>]*>|\x00\d+\x01|\x00\x02", "", m.group(1))).strip()
        if shown != title.strip():
            return html
    return html[m.end():]


# --- positions -----------------------------------------------------------------------------


def _locate(state: StateInline, start: int, raw: str) -> Span:
    """Source position of `raw`, which starts at state.src[start], as a file Span.

    Inline content has lost indentation, blockquote markers and table pipes, so we find the
    raw text on its source line, searching left to right from the last link found on that line.
    """
    env = state.env
    span: Span = env["_span"]
    where = env.get("_where")
    lines: list[str] = env["_lines"]
    if not where or where[0] is None or not lines:
        return span
    line_map, content, newlines = where
    src = state.src
    base = 0
    if src is not content and src != content:  # a nested parse (inline footnote)
        base = max(content.find(src), 0)
    p = base + start
    if newlines is None:  # offsets of the content's line ends, found once per block
        newlines = [m.start() for m in _NL_RE.finditer(content)]
        env["_where"] = (line_map, content, newlines)
    k = bisect_left(newlines, p)
    ccol = p - (newlines[k - 1] + 1 if k else 0)
    li = min(line_map[0] + k, len(lines) - 1)
    text = lines[li]
    cursors: dict[int, int] = env["_cursor"]
    cur = cursors.get(li, 0)
    col = text.find(raw, max(cur, ccol))
    if col < 0:
        col = text.find(raw, cur)
    if col < 0 and "|" in raw:
        col = text.find(raw.replace("|", "\\|"), cur)
    if col < 0:
        col = min(ccol, len(text))
    else:
        cursors[li] = col + 1
    return Span(span.path, span.line + li, col + 1)


# --- inline rules --------------------------------------------------------------------------


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("!", pos)
    open_at = pos + 1 if embed else pos
    if not src.startswith("[[", open_at) or state.linkLevel > 0:
        return False
    start = open_at + 2
    end = src.find("]]", start, min(state.posMax, start + _MAX_WIKILINK))
    if end < 0:
        return False
    inner = src[start:end]
    if "\n" in inner or "[[" in inner:
        return False
    if not silent:
        parts = _PIPE_RE.split(inner, maxsplit=1)
        dest = parts[0]
        label = parts[1].strip() if len(parts) > 1 else None
        target, sep, heading = dest.partition("#")
        target = target.strip()
        heading_text = heading.strip() if sep else None
        if not target and not heading_text:
            state.env["_diagnostics"].append(
                Diagnostic(Severity.WARNING, "link-empty", f"empty wikilink {src[pos : end + 2]!r}", _locate(state, pos, src[pos : end + 2]),
                           "write [[target]], [[target|label]] or [[#heading]]")
            )
            state.pending += src[pos : end + 2]
            state.pos = end + 2
            return True
        token = state.push("wikilink", "", 0)
        token.meta = {
            "target": target,
            "heading": heading_text or None,
            "label": label or None,
            "embed": embed,
            "span": _locate(state, pos, src[pos : end + 2]),
        }
    state.pos = end + 2
    return True


def _comment_rule(state: StateInline, silent: bool) -> bool:
    """%%an Obsidian comment%% inside a paragraph: dropped."""
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    end = src.find("%%", pos + 2, state.posMax)
    if end < 0:
        return False
    state.pos = end + 2
    return True


def _highlight_rule(state: StateInline, silent: bool) -> bool:
    """==text== becomes <mark>text</mark>."""
    src, pos = state.src, state.pos
    if not src.startswith("==", pos) or src.startswith("=", pos + 2):
        return False
    end = src.find("==", pos + 2, state.posMax)
    if end < 0 or end == pos + 2:
        return False
    body = src[pos + 2 : end]
    if body[0].isspace() or body[-1].isspace():
        return False
    if not silent:
        old_max = state.posMax
        state.push("mark_open", "mark", 1)
        state.pos, state.posMax = pos + 2, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("mark_close", "mark", -1)
    state.pos = end + 2
    return True


def _with_position(rule):
    """Wrap markdown-it's link/image rule to record where the link starts in the source."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for token in state.tokens[count:]:
                if token.type in ("link_open", "image"):
                    token.meta = dict(token.meta or {}, span=_locate(state, start, state.src[start : state.pos]))
                    break
        return True

    return wrapped


# --- block rule: %% comment blocks %% -----------------------------------------------------------


def _comment_block_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.sCount[start_line] - state.blkIndent >= 4 or not state.src.startswith("%%", pos):
        return False
    line = start_line
    search_from = pos + 2
    while line < end_line:
        line_end = state.eMarks[line]
        close = state.src.find("%%", search_from, line_end)
        if close >= 0:
            if state.src[close + 2 : line_end].strip():
                return False  # text after the comment: leave it to the inline rule
            if not silent:
                state.line = line + 1
            return True
        line += 1
        if line < end_line:
            search_from = state.bMarks[line]
    return False


# --- core rules ----------------------------------------------------------------------------


def _inline_with_where(state: StateCore) -> None:
    """markdown-it's core 'inline' rule, telling the inline rules which block they are in."""
    env = state.env
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            env["_where"] = (token.map, token.content, None)
            state.md.inline.parse(token.content, state.md, env, token.children)
    env["_where"] = None


def _callouts(state: StateCore) -> None:
    """> [!type] Title ... blockquotes become <aside class="callout callout-type">."""
    tokens = state.tokens
    i = 0
    while i < len(tokens) - 2:
        tok = tokens[i]
        if tok.type == "blockquote_open" and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline":
            inline = tokens[i + 2]
            first, nl, rest = inline.content.partition("\n")
            m = _CALLOUT_RE.match(first)
            if m:
                kind = re.sub(r"[^a-z0-9-]", "", m.group(1).lower()) or "note"
                title = m.group(3).strip() or kind.capitalize()
                tok.tag = "aside"
                tok.attrs = {"class": f"callout callout-{kind}"}
                if m.group(2):
                    tok.attrs["data-fold"] = "open" if m.group(2) == "+" else "closed"
                for close in tokens[i + 1 :]:
                    if close.type == "blockquote_close" and close.level == tok.level:
                        close.tag = "aside"
                        break
                line0 = inline.map[0] if inline.map else 0
                title_open = Token("paragraph_open", "p", 1, attrs={"class": "callout-title"}, map=[line0, line0 + 1], level=inline.level - 1, block=True)
                title_inline = Token("inline", "", 0, content=title, map=[line0, line0 + 1], level=inline.level, children=[], block=True)
                title_close = Token("paragraph_close", "p", -1, level=inline.level - 1, block=True)
                if rest.strip():
                    inline.content = rest
                    if inline.map:
                        inline.map = [inline.map[0] + 1, inline.map[1]]
                    tokens[i + 1 : i + 1] = [title_open, title_inline, title_close]
                else:  # the title line was the whole first paragraph
                    tokens[i + 1 : i + 4] = [title_open, title_inline, title_close]
                i += 3
        i += 1


def _plain(children: list[Token], start: int = 0, stop: int | None = None) -> str:
    out: list[str] = []
    for token in children[start:stop]:
        t = token.type
        if t in ("text", "code_inline", "text_special"):
            out.append(token.content)
        elif t in ("softbreak", "hardbreak"):
            out.append(" ")
        elif t == "wikilink":
            out.append(_display_label(token.meta))
        elif t == "image" and token.children:
            out.append(_plain(token.children))
    return "".join(out)


def _display_label(meta: dict) -> str:
    label = meta.get("label")
    if label and meta.get("embed") and _is_image(meta.get("target") or ""):
        size = _SIZE_RE.match(label)
        label = size.group(1) if size else label
    if label:
        return label
    target, heading = meta.get("target") or "", meta.get("heading")
    if target and heading:
        return f"{target} > {heading}"
    return target or heading or ""


def _around(raw: str, offset: int) -> str:
    """Whitespace-normalised text around `offset` of `raw`, cut at words to about 200 characters."""
    half = _CONTEXT_CHARS // 2
    lo, hi = max(0, offset - half), min(len(raw), offset + half)
    if lo > 0:
        cut = raw.find(" ", lo, offset)
        lo = cut + 1 if cut >= 0 else lo
    if hi < len(raw):
        cut = raw.rfind(" ", offset, hi)
        hi = cut if cut > offset else hi
    text = _WS_RE.sub(" ", raw[lo:hi]).strip()
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(raw) else "")


def _collect(state: StateCore) -> None:
    """After inline parsing: heading ids, plain text, link contexts, tags, lone embeds."""
    env = state.env
    tokens = state.tokens
    texts: list[str] = env["_texts"]
    tags: dict[str, None] = env["_tags"]
    used: set[str] = set()
    headings: list[Heading] = env["_headings"]
    for i, tok in enumerate(tokens):
        if tok.type in ("fence", "code_block"):
            texts.append(tok.content)
            continue
        if tok.type != "inline":
            continue
        children = tok.children or []
        # plain text, with each link's offset in it
        parts: list[str] = []
        size = 0
        links: list[tuple[Token, int]] = []
        open_link: Token | None = None
        open_at = 0
        for j, child in enumerate(children):
            t = child.type
            if t == "text" or t == "code_inline" or t == "text_special":
                piece = child.content
            elif t == "softbreak" or t == "hardbreak":
                piece = " "
            elif t == "wikilink":
                links.append((child, size))
                piece = _display_label(child.meta)
            elif t == "image":
                links.append((child, size))
                piece = _plain(child.children) if child.children else ""
            else:
                if t == "link_open":
                    links.append((child, size))
                    open_link, open_at = child, j
                elif t == "link_close" and open_link is not None:
                    open_link.meta = dict(open_link.meta or {}, label=_plain(children, open_at + 1, j))
                    open_link = None
                continue
            parts.append(piece)
            size += len(piece)
        raw_text = "".join(parts)
        for child, offset in links:
            child.meta = dict(child.meta or {}, context=_around(raw_text, offset))
        texts.append(raw_text)
        prev = tokens[i - 1] if i else None
        if prev is not None and prev.type == "heading_open":
            level = int(prev.tag[1])
            text = _WS_RE.sub(" ", raw_text).strip()
            base = HEADING_PREFIX + slugify_heading(text)
            anchor, n = base, 0
            while anchor in used:
                n += 1
                anchor = f"{base}-{n}"
            used.add(anchor)
            prev.attrSet("id", anchor)
            headings.append(Heading(level, text, anchor))
            continue
        # tags, from text runs only (not code spans, not headings, not link targets)
        run: list[str] = []
        for child in children + [None]:
            if child is not None and child.type == "text":
                run.append(child.content)
                continue
            if run:
                for m in _TAG_RE.finditer("".join(run)):
                    tag = m.group(1).rstrip("/-")
                    if tag and not tag.isdigit():
                        tags.setdefault(tag, None)
                run = []
        # a paragraph that is a lone embed renders without <p>, so the embed's <div> is valid HTML
        if (
            len(children) == 1
            and children[0].type == "wikilink"
            and children[0].meta["embed"]
            and not _is_image(children[0].meta["target"])
            and prev is not None
            and prev.type == "paragraph_open"
        ):
            prev.hidden = True
            tokens[i + 1].hidden = True


# --- render rules --------------------------------------------------------------------------


def _is_image(target: str) -> bool:
    return target.rpartition(".")[2].lower() in IMAGE_EXTENSIONS if "." in target else False


def _hole(env: dict, ref_kwargs: dict, inner: str) -> str:
    links: list[LinkRef] = env["_links"]
    n = len(links)
    links.append(LinkRef(hole=n, **ref_kwargs))
    return HOLE.format(n) + inner + HOLE_END


def _render_wikilink(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    ref = {
        "target": meta["target"],
        "heading": meta["heading"],
        "label": meta["label"],
        "embed": meta["embed"],
        "span": meta["span"],
        "context": meta.get("context", ""),
    }
    return _hole(env, ref, escape(_display_label(meta)))


def _relative_target(href: str) -> tuple[str, str | None] | None:
    """(target, heading) for a link to a file of the map; None for URLs, '#x' and '/x'."""
    if not href or href.startswith(("#", "/")) or _SCHEME_RE.match(href):
        return None
    path, _, fragment = href.partition("#")
    if not path:
        return None
    return unquote(path), unquote(fragment) or None


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    href = token.attrGet("href") or ""
    rel = _relative_target(str(href))
    if rel is None:
        env["_link_stack"].append(False)
        if str(href).startswith("#") and len(str(href)) > 1:  # our heading ids are prefixed
            token.attrSet("href", "#" + HEADING_PREFIX + slugify_heading(unquote(str(href)[1:])))
        if _SCHEME_RE.match(str(href)) or str(href).startswith("//"):
            token.attrSet("rel", "noopener")
        return self.renderToken(tokens, idx, options, env)
    env["_link_stack"].append(True)
    meta = token.meta or {}
    links: list[LinkRef] = env["_links"]
    n = len(links)
    links.append(
        LinkRef(
            target=rel[0],
            heading=rel[1],
            label=meta.get("label") or None,
            embed=False,
            span=meta.get("span", env["_span"]),
            hole=n,
            markdown_link=True,
            context=meta.get("context", ""),
        )
    )
    return HOLE.format(n)


def _render_link_close(self, tokens, idx, options, env) -> str:
    stack = env["_link_stack"]
    if stack and stack.pop():
        return HOLE_END
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    rel = _relative_target(src)
    if rel is None:
        return self.image(tokens, idx, options, env)
    meta = token.meta or {}
    ref = {
        "target": rel[0],
        "heading": rel[1],
        "label": _plain(token.children or []) or None,
        "embed": True,
        "span": meta.get("span", env["_span"]),
        "markdown_link": True,
        "context": meta.get("context", ""),
    }
    return _hole(env, ref, "")


# --- the two parsers -----------------------------------------------------------------------


def _build(allow_html: bool) -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": allow_html, "linkify": False, "typographer": False, "maxNesting": 20},
    )
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.inline.ruler.before("link", "highlight", _highlight_rule)
    md.inline.ruler.before("link", "obsidian_comment", _comment_rule)
    md.inline.ruler.at("link", _with_position(_link_rule))
    md.inline.ruler.at("image", _with_position(_image_rule))
    md.block.ruler.before("paragraph", "obsidian_comment", _comment_block_rule)
    md.core.ruler.at("inline", _inline_with_where)
    md.core.ruler.after("block", "callouts", _callouts)
    md.core.ruler.before("text_join", "collect", _collect)  # before: entities and escapes still apart
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
    md.add_render_rule("image", _render_image)
    return md


_MD_SAFE = _build(allow_html=False)
_MD_HTML = _build(allow_html=True)


def render_body(markdown: str, span: Span, allow_html: bool = False) -> tuple[RenderedBody, list[Diagnostic]]:
    """Render one Markdown body; `span` is where its first line sits in its file."""
    md = _MD_HTML if allow_html else _MD_SAFE
    env: dict = {
        "_span": span,
        "_lines": markdown.split("\n"),
        "_cursor": {},
        "_where": None,
        "_links": [],
        "_link_stack": [],
        "_texts": [],
        "_tags": {},
        "_headings": [],
        "_diagnostics": [],
    }
    html = md.render(markdown, env)
    diagnostics: list[Diagnostic] = env["_diagnostics"]
    headings = tuple(env["_headings"])
    first_h1 = next((h.text for h in headings if h.level == 1), None)
    text = _WS_RE.sub(" ", " ".join(env["_texts"])).strip()
    body = RenderedBody(
        html=html,
        links=tuple(env["_links"]),
        headings=headings,
        first_h1=first_h1,
        text=text,
        tags=tuple(env["_tags"]),
    )
    return body, diagnostics


# --- filling holes (render stage) ----------------------------------------------------------


def shows_as_image(ref: LinkRef) -> bool:
    """![[pic.png]] and ![alt](pic.png) render as <img>; ![[topic]] and ![x](page.md) as embeds."""
    if not ref.embed:
        return False
    if ref.markdown_link:
        return not ref.target.lower().endswith(".md")
    return _is_image(ref.target)


def ref_html(ref: LinkRef, href: str | None, inner_html: str, embed_html: str | None = None) -> str:
    """The HTML for one link, given where it points (None: unresolved) and its escaped label."""
    if href is not None and not validateLink(href.strip().lower()):
        href = None  # never emit a javascript:/data: href, whatever the resolver returned
    if shows_as_image(ref):
        if href is None:
            return f'<span class="wikilink missing" title="Missing: {escape(ref.target)}">{escape(ref.label or ref.target)}</span>'
        size = _SIZE_RE.match(ref.label or "") if not ref.markdown_link else None
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
) -> str:
    """The final HTML of a body: every hole replaced by its link, image, or embed."""
    links = rendered.links

    def fill(m: re.Match) -> str:
        ref = links[int(m.group(1))]
        href = href_for(ref)
        embed_html = embed_for(ref) if ref.embed and embed_for is not None and href is not None else None
        return ref_html(ref, href, m.group(2), embed_html)

    return HOLE_RE.sub(fill, rendered.html)
