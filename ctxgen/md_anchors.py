"""The ids in a body and the in-page links to them, settled once the whole body is rendered.

Both renderers (ctxgen.markdown, ctxgen.md_legacy) call `finish` last, so they agree:

- `[x](#frag)` is written as `href="SAME_PAGE frag"` while parsing (a heading may come after the
  link), then points at the heading `frag` means — by id (`#h-intro`), heading text or our slug
  (`#Intro`), or the GitHub slug Foam and GitHub write (`#whats-in-a-foam` for "What's in a
  Foam", our `h-what-s-in-a-foam`). A fragment that names no heading is kept as written
  (`#fn1`, `#^block-id`, an id of the theme). `\\x00` never survives in content, so the marker
  cannot be forged.
- Obsidian block ids: a paragraph or list item whose text ends in ` ^block-id` (or has it alone on
  its last line) loses the marker and gets `id="^block-id"`, so `[[a#^block-id]]` lands on it
  (`#^block-id` is a valid fragment; no other id of ours starts with '^'). A paragraph that is only
  `^block-id`, right after a list, table or quote/callout, gives that block the id instead and is
  dropped (Obsidian's rule for blocks that cannot end in a marker). Block ids are ASCII letters,
  digits, '-' and '_'; an id is given once (a second marker for it stays text).
- Obsidian's alternative checkboxes: a list item opening with `[c] ` for any other character than
  ' ', 'x', 'X' (`- [?] Question`, `- [/]`, `- [-]`) is a task item too, with `data-task="c"` (the
  Quartz/Minimal-theme convention) and its checkbox ticked, as Obsidian shows it.
"""
from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable

from .md_common import HEADING_PREFIX, escape, slugify_heading
from .source import Heading

SAME_PAGE = "\x00#"  # the renderers' href for [x](#frag) until `finish` knows the headings

_FOOTNOTE_ATTR_RE = re.compile(r'(\sid="|\shref="#)(fn(?:ref)?\d+(?::\d+)?")')
_SAME_PAGE_RE = re.compile('href="\x00#([^"]*)"')
_RANGE_RE = re.compile(r",|:#")  # Dendron: #^start:#^end, #^start,1
_GITHUB_DROP = re.compile(r"[^\w\- ]")
BLOCK_ID = r"[A-Za-z0-9_-]+"
# ` ^id` ending a paragraph or a list item's text (before </p>, </li>, or the item's nested list)
_BLOCK_END_RE = re.compile(r"(?:[ \t]+|\n)\^(" + BLOCK_ID + r")[ \t]*(?=</p>|</li>|\n<[uo]l[ >])")
# a paragraph that is only `^id`, right after a list, table or quote
_BLOCK_AFTER_RE = re.compile(r"</(ul|ol|table|blockquote|aside|details)>\n<p>\^(" + BLOCK_ID + r")[ \t]*</p>\n")
# a list's open or close tag, or a list item opening with `[c] ` (its character escaped by then)
_CUSTOM_TASK_RE = re.compile(
    r'<(/?)[uo]l\b[^>]*>|<li>(\n<p>)?\[([^\x00-\x20\]\[\\&<>"xX]|&(?:gt|lt|amp|quot);)\] ')
_CHECKED = '<input class="task-list-item-checkbox" checked="checked" disabled="disabled" type="checkbox">'
_OPEN_RE = re.compile(r"<(p|li|ul|ol|table|blockquote|aside|details)(?=[ >])")


def github_slug(text: str) -> str:
    """A heading's anchor as GitHub (github-slugger), Foam and Dendron make it: lower case,
    punctuation removed, each space a hyphen ("What's in a Foam" -> "whats-in-a-foam")."""
    return _GITHUB_DROP.sub("", text.strip().lower()).replace(" ", "-")


def github_slugs(headings: Iterable[Heading]) -> dict[str, str]:
    """GitHub slug (repeats numbered -1, -2 as GitHub does) -> our anchor, for one body's headings."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for h in headings:
        slug = github_slug(h.text)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.setdefault(f"{slug}-{n}" if n else slug, h.anchor)
    return out


def heading_anchor(headings: tuple[Heading, ...] | list[Heading], text: str) -> str | None:
    """The id of the heading a `[[page#text]]` link means: same text (ignoring case), else same
    slug. `[[page#A#B]]` (Obsidian's heading path) means the heading B inside the section of A."""
    found = _matching(headings, text, 0, len(headings))
    if found is not None or "#" not in text:
        return headings[found].anchor if found is not None else None
    start, end = 0, len(headings)
    for part in text.split("#"):
        if not part.strip():
            continue
        found = _matching(headings, part, start, end)
        if found is None:
            return None
        level = headings[found].level
        start = found + 1
        end = next((i for i in range(start, len(headings)) if headings[i].level <= level), len(headings))
    return headings[found].anchor if found is not None else None


def _matching(headings, text: str, start: int, end: int) -> int | None:
    """The index of the first heading in [start, end) with this text (ignoring case), else this slug."""
    wanted = text.strip().casefold()
    for i in range(start, end):
        if headings[i].text.casefold() == wanted:
            return i
    slug = HEADING_PREFIX + slugify_heading(text)
    for i in range(start, end):
        if headings[i].anchor == slug:
            return i
    return None


def find_anchor(headings: tuple[Heading, ...] | list[Heading], fragment: str) -> str | None:
    """The heading id `#fragment` means: the id itself, the heading's text or our slug, else
    its GitHub slug; None if no heading matches."""
    for h in headings:
        if h.anchor == fragment:
            return fragment
    found = heading_anchor(headings, fragment)
    if found is None and fragment.strip():
        slugs = github_slugs(headings)
        found = slugs.get(github_slug(fragment)) or slugs.get(fragment.strip().casefold())
    return found


def block_anchor(html: str, fragment: str) -> str | None:
    """`^block-id` (a `[[page#^block-id]]` fragment) if that body's `html` has the block, else None."""
    block = _RANGE_RE.split(fragment, maxsplit=1)[0].strip()  # Dendron ranges: the first anchor
    return block if block.startswith("^") and f' id="{escape(block)}"' in html else None


def prefix_footnote_ids(html: str, prefix: str) -> str:
    """The footnote ids of a body (`fn1`, `fnref1`, `fnref1:1`) and the links to them prefixed, for
    a body shown after another in one page (a merged topic's second file)."""
    if 'class="footnote' not in html:
        return html
    return _FOOTNOTE_ATTR_RE.sub(lambda m: m.group(1) + prefix + m.group(2), html)


def finish(html: str, text: str, headings: tuple[Heading, ...]) -> tuple[str, str]:
    """A rendered body's (html, text) with same-page links resolved and block ids applied."""
    # the longest literal each step needs: a two-character `in` scans at ~1 ns a character
    if 'href="' + SAME_PAGE in html:  # = what _SAME_PAGE_RE matches
        html = _resolve_same_page(html, headings)
    if "<li>[" in html or "<li>\n<p>[" in html:  # = where _CUSTOM_TASK_RE's items open
        html = _custom_tasks(html)
    if "^" in html:
        html, ids = _block_ids(html)
        if ids:
            text = " ".join(w for w in text.split(" ") if not (w[:1] == "^" and w[1:] in ids))
    return html, text


def _custom_tasks(html: str) -> str:
    """`<li>[?] q` as a task item (see the module docstring); its list gets `contains-task-list`,
    as markdown-it's tasklists plugin gives the lists of `[ ]` and `[x]` items. One pass."""
    lists: list[int] = []  # where the open lists' tags start
    tasked: set[int] = set()
    edits: list[tuple[int, int, str]] = []
    for m in _CUSTOM_TASK_RE.finditer(html):
        if m.group(3) is None:
            if m.group(1):
                if lists:
                    lists.pop()
            else:
                lists.append(m.start())
            continue
        edits.append((m.start(), m.end(),
                      f'<li class="task-list-item" data-task="{m.group(3)}">{m.group(2) or ""}{_CHECKED} '))
        if lists:
            tasked.add(lists[-1])
    if not edits:
        return html
    for at in tasked:
        if not html.startswith('class="contains-task-list"', at + 4):
            edits.append((at + 3, at + 3, ' class="contains-task-list"'))
    return _apply_edits(html, edits)


def _resolve_same_page(html: str, headings: tuple[Heading, ...]) -> str:
    found: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        raw = m.group(1)
        href = found.get(raw)
        if href is None:
            fragment = _html.unescape(raw)
            anchor = find_anchor(headings, fragment) if headings and fragment else None
            href = found[raw] = escape(anchor) if anchor is not None else raw
        return f'href="#{href}"'

    return _SAME_PAGE_RE.sub(sub, html)


def _block_ids(html: str) -> tuple[str, set[str]]:
    """Block id markers removed and their ids put on the blocks; the ids given."""
    given: set[str] = set()
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order, not overlapping
    for m in _BLOCK_END_RE.finditer(html):
        block = m.group(1)
        owner = _owner_of_marker(html, m.start())
        if block in given or owner is None:
            continue
        given.add(block)
        edits.append((owner, owner, f' id="^{block}"'))
        edits.append((m.start(), m.end(), ""))
    for m in _BLOCK_AFTER_RE.finditer(html):
        block = m.group(2)
        owner = _owner_of_block(html, m.group(1), m.start())
        if block in given or owner is None:
            continue
        given.add(block)
        edits.append((owner, owner, f' id="^{block}"'))
        edits.append((m.start() + len(m.group(1)) + 4, m.end(), ""))
    return _apply_edits(html, edits), given


def _apply_edits(html: str, edits: list[tuple[int, int, str]]) -> str:
    """html with each (start, end, replacement) applied; the edits do not overlap."""
    if not edits:
        return html
    edits.sort(key=lambda e: (e[0], e[1]))
    out, done = [], 0
    for start, end, new in edits:
        out.append(html[done:start])
        out.append(new)
        done = end
    out.append(html[done:])
    return "".join(out)


def _open_tag_end(html: str, start: int) -> int | None:
    """Where an id attribute goes in the tag opening at `start` (after its name); None if it has one."""
    m = _OPEN_RE.match(html, start)
    if m is None:
        return None
    close = html.find(">", start)
    return None if " id=" in html[start:close] else m.end()


def _owner_of_marker(html: str, at: int) -> int | None:
    """The element a marker at `at` belongs to: its <p>, or the list item that paragraph opens
    (or whose text it ends, in a tight list)."""
    p = max(html.rfind("<p>", 0, at), html.rfind("<p ", 0, at))
    li = html.rfind("<li", 0, at)
    if p > li and html.find("</p>", p, at) < 0:  # inside a paragraph
        before = html.rfind("<", 0, p)
        if li >= 0 and before == li and html[html.find(">", li) + 1 : p] == "\n":
            return _open_tag_end(html, li)  # the first paragraph of a loose list item
        return _open_tag_end(html, p)
    if li >= 0 and html.find("</li>", li, at) < 0 and html.find("<p", li, at) < 0:
        return _open_tag_end(html, li)  # a tight item's text
    return None


def _owner_of_block(html: str, tag: str, close: int) -> int | None:
    """The start of the <tag> element closed at `close` (nested ones of the same tag skipped)."""
    marks = sorted([(m.start(), 1) for m in re.finditer(rf"<{tag}[ >]", html[:close])]
                   + [(m.start(), -1) for m in re.finditer(rf"</{tag}>", html[:close])])
    depth = 1
    for at, step in reversed(marks):
        depth -= step
        if depth == 0:
            return _open_tag_end(html, at)
    return None
