"""The markdown-it-py renderer: the slow, complete path for the few bodies the fast path routes here.

ctxgen.markdown renders most bodies from markdown-it-pyrs's tree; a body that uses something that
tree cannot express the way ctxgen always rendered it (inline footnotes `^[..]`, nesting deeper than
20, a wikilink inside a link label, an unsafe link, ...) is rendered here instead, with the same
output contract (see ctxgen.markdown for the format of holes and the Obsidian extensions).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import image as _image_rule
from markdown_it.rules_inline import link as _link_rule
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .diagnostics import Diagnostic, Severity, Span
from .md_anchors import SAME_PAGE, finish
from .md_common import (
    CALLOUT_RE,
    HEADING_PREFIX,
    HOLE,
    HOLE_END,
    MAX_WIKILINK,
    SCHEME_RE,
    SIZE_RE,
    TAG_RE,
    WS_RE,
    around,
    display_label,
    escape,
    is_image,
    parse_wikilink,
    relative_target,
    slugify_heading,
    tag_open,
)
from .md_math import mask as mask_math
from .md_math import raw as raw_math
from .md_math import unmask_body
from .source import Heading, LinkRef, RenderedBody

_NL_RE = re.compile("\n")


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
    end = src.find("]]", start, min(state.posMax, start + MAX_WIKILINK))
    if end < 0:
        return False
    inner = src[start:end]
    if "\n" in inner or "[[" in inner:
        return False
    if not silent:
        meta = parse_wikilink(inner, embed)  # the one reading of [[...]] both renderers share
        if meta is None:
            state.env["_diagnostics"].append(
                Diagnostic(Severity.WARNING, "link-empty", f"empty wikilink {src[pos : end + 2]!r}", _locate(state, pos, src[pos : end + 2]),
                           "write [[target]], [[target|label]] or [[#heading]]")
            )
            state.pending += src[pos : end + 2]
            state.pos = end + 2
            return True
        token = state.push("wikilink", "", 0)
        token.meta = dict(meta, span=_locate(state, pos, src[pos : end + 2]))
    state.pos = end + 2
    return True


def _skip_rule(opener: str, closer: str, what: str, keep_spaces_before: bool = False):
    """An inline rule that drops `opener … closer` inside a paragraph. `keep_spaces_before`: an
    empty token ends the text before, whose spaces then stay before a line break (as the fast
    path keeps them after an HTML comment)."""

    def rule(state: StateInline, silent: bool) -> bool:
        src, pos = state.src, state.pos
        if not src.startswith(opener, pos):
            return False
        end = src.find(closer, pos + len(opener), state.posMax)
        if end < 0:
            return False
        if keep_spaces_before and not silent:
            state.push("text", "", 0)
        state.pos = end + len(closer)
        return True

    rule.__doc__ = f"{what} inside a paragraph: dropped."
    return rule


_comment_rule = _skip_rule("%%", "%%", "%%an Obsidian comment%%")
# with raw HTML off, as Obsidian shows it
_html_comment_rule = _skip_rule("<!--", "-->", "<!-- an HTML comment -->", keep_spaces_before=True)


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


# --- block rules: %% comment blocks %%, <!-- comment blocks --> -----------------------------


def _comment_block_rule(state, start_line: int, end_line: int, silent: bool, opener: str = "%%", closer: str = "%%") -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.sCount[start_line] - state.blkIndent >= 4 or not state.src.startswith(opener, pos):
        return False
    line = start_line
    search_from = pos + len(opener)
    while line < end_line:
        line_end = state.eMarks[line]
        close = state.src.find(closer, search_from, line_end)
        if close >= 0:
            if state.src[close + len(closer) : line_end].strip():
                return False  # text after the comment: leave it to the inline rule
            if not silent:
                state.line = line + 1
            return True
        line += 1
        if line < end_line:
            search_from = state.bMarks[line]
    return False


def _html_comment_block_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """<!-- lines --> with raw HTML off: dropped; like an HTML block, it may interrupt a paragraph."""
    return _comment_block_rule(state, start_line, end_line, silent, "<!--", "-->")


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
            m = CALLOUT_RE.match(first)
            if m:
                kind = re.sub(r"[^a-z0-9-]", "", m.group(1).lower()) or "note"
                title = m.group(3).strip() or kind.capitalize()
                # a foldable callout is a <details> (as in ctxgen.markdown): it folds without script
                tag, title_tag = ("details", "summary") if m.group(2) else ("aside", "p")
                tok.tag = tag
                tok.attrs = {"class": f"callout callout-{kind}"}
                if m.group(2):
                    tok.attrs["data-fold"] = "open" if m.group(2) == "+" else "closed"
                    if m.group(2) == "+":
                        tok.attrs["open"] = ""
                for close in tokens[i + 1 :]:
                    if close.type == "blockquote_close" and close.level == tok.level:
                        close.tag = tag
                        break
                line0 = inline.map[0] if inline.map else 0
                title_open = Token("paragraph_open", title_tag, 1, attrs={"class": "callout-title"}, map=[line0, line0 + 1], level=inline.level - 1, block=True)
                title_inline = Token("inline", "", 0, content=title, map=[line0, line0 + 1], level=inline.level, children=[], block=True)
                title_close = Token("paragraph_close", title_tag, -1, level=inline.level - 1, block=True)
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
            out.append(display_label(token.meta))
        elif t == "image" and token.children:
            out.append(_plain(token.children))
    return "".join(out)


def _tag_tokens(text: str, found: list[tuple[int, int, str]]) -> list[Token]:
    """A run of text with each found #tag (start, end, tag) inside a tag hole."""
    out: list[Token] = []
    done = 0
    for start, end, tag in found:
        if start > done:
            out.append(Token("text", "", 0, content=text[done:start]))
        out += [Token("html_inline", "", 0, content=tag_open(tag)), Token("text", "", 0, content=text[start:end]),
                Token("html_inline", "", 0, content=HOLE_END)]
        done = end
    if done < len(text):
        out.append(Token("text", "", 0, content=text[done:]))
    return out


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
                piece = display_label(child.meta)
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
            child.meta = dict(child.meta or {}, context=around(raw_text, offset))
        texts.append(raw_text)
        prev = tokens[i - 1] if i else None
        if prev is not None and prev.type == "heading_open":
            level = int(prev.tag[1])
            text = WS_RE.sub(" ", raw_text).strip()
            if env["_math"]:
                text = raw_math(text)
            base = HEADING_PREFIX + slugify_heading(text)
            anchor, n = base, 0
            while anchor in used:
                n += 1
                anchor = f"{base}-{n}"
            used.add(anchor)
            prev.attrSet("id", anchor)
            headings.append(Heading(level, text, anchor))
            continue
        # tags, from text runs only (not code spans, not headings, not link targets); outside link
        # labels each becomes a tag hole (ctxgen.markdown.fill_tags makes it a link)
        run: list[str] = []
        in_link = 0
        marked: list[tuple[int, int, list[Token]]] = []
        for j, child in enumerate(children + [None]):
            if child is not None and child.type == "text":
                run.append(child.content)
                continue
            if run:
                text = "".join(run)
                found = []
                for m in TAG_RE.finditer(text):
                    tag = m.group(1).rstrip("/-")
                    if tag and not tag.isdigit():
                        tags.setdefault(tag, None)
                        found.append((m.start(), m.start() + 1 + len(tag), tag))
                if found and not in_link:
                    marked.append((j - len(run), j, _tag_tokens(text, found)))
                run = []
            if child is not None:
                in_link += child.type == "link_open"
                in_link -= child.type == "link_close"
        for start, stop, new in reversed(marked):
            children[start:stop] = new
        # a paragraph that is a lone embed renders without <p>, so the embed's <div> is valid HTML
        if (
            len(children) == 1
            and children[0].type == "wikilink"
            and children[0].meta["embed"]
            and not is_image(children[0].meta["target"])
            and prev is not None
            and prev.type == "paragraph_open"
        ):
            prev.hidden = True
            tokens[i + 1].hidden = True


# --- render rules --------------------------------------------------------------------------


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
    return _hole(env, ref, escape(display_label(meta)))


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    href = token.attrGet("href") or ""
    rel = relative_target(str(href))
    if rel is None:
        env["_link_stack"].append(False)
        if str(href).startswith("#") and len(str(href)) > 1:  # its heading is known at the end: md_anchors
            token.attrSet("href", SAME_PAGE + unquote(str(href)[1:]))
        if SCHEME_RE.match(str(href)) or str(href).startswith("//"):
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
    rel = relative_target(src)
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
    if not allow_html:  # with raw HTML on, comments are HTML blocks and inline HTML: passed through
        md.inline.ruler.before("link", "html_comment", _html_comment_rule)
        md.block.ruler.before("html_block", "html_comment", _html_comment_block_rule,
                              {"alt": ["paragraph", "reference", "blockquote"]})
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
    masked = mask_math(markdown)  # math hidden from the parser (ctxgen.md_math)
    if masked is not None:
        markdown = masked
    env: dict = {
        "_math": masked is not None,
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
    text = WS_RE.sub(" ", " ".join(env["_texts"])).strip()
    html, text = finish(html, text, headings)
    body = RenderedBody(
        html=html,
        links=tuple(env["_links"]),
        headings=headings,
        first_h1=first_h1,
        text=text,
        tags=tuple(env["_tags"]),
    )
    return (body if masked is None else unmask_body(body)), diagnostics
