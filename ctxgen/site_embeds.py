"""Which part of a note an embed shows, and how an embed's HTML fits into the page around it.

`![[a]]` shows a's whole body, `![[a#Section]]` the section that heading opens (the heading and
what follows up to the next heading of the same or a higher level, as in Obsidian and Dendron),
`![[a#^id]]` the paragraph, list item, list, table or quote with the block id `^id` (Obsidian,
Quartz and Dendron block references; ctxgen.md_anchors gives it `id="^id"`). Dendron's ranges (`#h,1:#*`, `#h:#h2`) show the section of their first
anchor, and `#^begin` what comes before the first heading.

Everything here cuts a body's HTML (made once by ctxgen.markdown, holes and all) at element
boundaries; a cut that would leave an element unclosed is not made.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import NamedTuple

from .diagnostics import Diagnostic, Severity
from .markdown import escape, heading_anchor
from .model import Body, LinkTarget, Topic
from .source import LinkRef, RenderedBody

# Block elements a cut must leave balanced (content is escaped, so these are ctxgen's own tags).
_BALANCED = ("blockquote", "aside", "details", "ul", "ol", "li", "table", "div", "section", "figure", "pre")
_OPEN_TAG = {tag: re.compile(rf"<{tag}[\s>]") for tag in _BALANCED}
_RANGE_RE = re.compile(r",|:#")  # Dendron: #start,1:#end
_FOOTNOTES = '<hr class="footnotes-sep" />'
_ID_ATTR_RE = re.compile(r'(?<=\s)(id|href)="(#?)')


class EmbedPart(NamedTuple):
    kind: str  # "all", "section", "block" or "missing"
    key: str = ""  # the heading anchor, or the block id without '^'


def embed_part(link: LinkRef, target: LinkTarget, rendered: RenderedBody | None) -> EmbedPart:
    """What `![[target#heading]]` asks for of the target's body."""
    if target.anchor and not target.anchor.startswith("^"):  # a heading (a block: below)
        return EmbedPart("section", target.anchor)
    wanted = link.heading
    if not wanted:
        return EmbedPart("all")
    start = _RANGE_RE.split(wanted, maxsplit=1)[0].strip()
    if start.startswith("^"):
        block = start[1:].strip()
        if block == "begin":
            return EmbedPart("block", block)
        found = rendered is not None and block and _find_block(rendered.html, block) >= 0
        return EmbedPart("block", block) if found else EmbedPart("missing", start)
    anchor = heading_anchor(rendered.headings, start) if rendered is not None and start else None
    return EmbedPart("section", anchor) if anchor else EmbedPart("missing", start)


def part_of(rendered: RenderedBody, part: EmbedPart) -> RenderedBody | None:
    """The rendered body cut down to `part` (None: it is not there)."""
    if part.kind == "all":
        return rendered
    if part.kind == "section":
        html = _section(rendered, part.key)
    elif part.kind == "block":
        html = _before_first_heading(rendered) if part.key == "begin" else _block(rendered.html, part.key)
    else:
        return None
    return None if html is None else dataclasses.replace(rendered, html=html)


def _balanced(html: str) -> bool:
    return all(len(_OPEN_TAG[tag].findall(html)) == html.count(f"</{tag}>") for tag in _BALANCED)


def _heading_at(html: str, level: int, anchor: str, start: int = 0) -> int:
    return html.find(f'<h{level} id="{escape(anchor)}">', start)


def _section(rendered: RenderedBody, anchor: str) -> str | None:
    html, headings = rendered.html, rendered.headings
    i = next((k for k, h in enumerate(headings) if h.anchor == anchor), None)
    if i is None:
        return None
    level = headings[i].level
    begin = _heading_at(html, level, anchor)
    if begin < 0:
        return None
    ends = [h for h in headings[i + 1:] if h.level <= level]
    for h in ends:  # the first next heading at this level or above that is not inside a quote or list
        end = _heading_at(html, h.level, h.anchor, begin + 1)
        if end > begin and _balanced(html[begin:end]):
            return html[begin:end]
    notes = html.find(_FOOTNOTES, begin)  # the last section ends where the footnotes begin
    section = html[begin:notes] if notes >= 0 else html[begin:]
    return section if _balanced(section) else None


def _before_first_heading(rendered: RenderedBody) -> str:
    html = rendered.html
    if rendered.headings:
        h = rendered.headings[0]
        at = _heading_at(html, h.level, h.anchor)
        if at >= 0 and _balanced(html[:at]):
            return html[:at]
    return html


def _find_block(html: str, block: str) -> int:
    """Where the element with block id `block` opens (ctxgen.md_anchors gave it `id="^block"`), or -1."""
    at = html.find(f' id="^{escape(block)}"')
    return html.rfind("<", 0, at) if at >= 0 else -1


def _block(html: str, block: str) -> str | None:
    """The paragraph, list item, list, table or quote with block id `block` (a list item in a list)."""
    begin = _find_block(html, block)
    if begin < 0:
        return None
    tag = _TAG_RE.match(html, begin)
    if tag is None:
        return None
    name = tag.group(1)
    end = _element_end(html, name, begin)
    if end < 0:
        return None
    piece = html[begin:end]
    if not _balanced(piece):
        return None
    return f"<ul>\n{piece}\n</ul>\n" if name == "li" else piece + "\n"


_TAG_RE = re.compile(r"<([a-z]+)[\s>]")


def _element_end(html: str, name: str, begin: int) -> int:
    """The end of the <name> element that opens at `begin` (past any nested one of the same name)."""
    opener = re.compile(rf"<{name}[\s>]")
    closer = f"</{name}>"
    depth, at = 1, begin + 1
    while depth:
        close = html.find(closer, at)
        if close < 0:
            return -1
        m = opener.search(html, at, close)
        if m is not None:
            depth, at = depth + 1, m.end()
        else:
            depth, at = depth - 1, close + len(closer)
    return at


def prefix_ids(html: str, prefix: str) -> str:
    """Every id="x" becomes id="<prefix>x" and every in-page href="#x" href="#<prefix>x", so a body
    shown inside another page (an embed, a note) keeps its ids unique and its anchors working."""
    if not prefix or ("id=" not in html and 'href="#' not in html):
        return html

    def sub(m: re.Match) -> str:
        if m.group(1) == "id":
            return f'id="{prefix}'
        return f'href="#{prefix}' if m.group(2) else m.group(0)

    return _ID_ATTR_RE.sub(sub, html)


def missing_embeds(topics: dict[str, Topic], bodies: Iterable[Body | None]) -> list[Diagnostic]:
    """A warning for each `![[a#part]]` in `bodies` whose part is not in a's body (`topics`: the
    published ones by id); one pass over the links."""
    out: list[Diagnostic] = []
    for body in bodies:
        if body is None or body.rendered is None:
            continue
        for link in body.rendered.links:
            if not link.embed or not link.heading:
                continue
            t = body.targets.get(link.hole)
            if t is None or t.topic is None:
                continue
            target = topics.get(t.topic)
            if target is None:
                continue  # unpublished: shown as a missing link, and the model stage said why
            rendered = target.body.rendered if target.body is not None else None
            part = embed_part(link, t, rendered)
            if part.kind == "missing":
                out.append(Diagnostic(
                    Severity.WARNING, "embed-part-missing",
                    f"![[{link.target}#{link.heading}]]: {target.name} has no "
                    + ("block" if link.heading.lstrip().startswith("^") else "heading") + f" '{part.key}'",
                    link.span, "the embed shows as missing; check the heading's text or the block id"))
    return out
