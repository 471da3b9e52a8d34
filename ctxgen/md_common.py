"""What both Markdown renderers (ctxgen.markdown's fast path, ctxgen.md_legacy) share:
the hole format, escaping, heading slugs, link labels and contexts."""
from __future__ import annotations

import html as _html
import re
import unicodedata
from urllib.parse import unquote

HOLE = "\x00{}\x01"
HOLE_END = "\x00\x02"
HOLE_RE = re.compile("\x00(\\d+)\x01(.*?)\x00\x02", re.S)
# an inline #tag: TAG_MARK + tag + "\x01" + its escaped text + HOLE_END; filled per page with a
# link to the tag's page (or its bare text). Never inside a link hole: link labels keep tags as text.
TAG_MARK = "\x00@"
TAG_HOLE_RE = re.compile("\x00@([^\x00\x01]*)\x01(.*?)\x00\x02", re.S)

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "bmp", "ico"})
HEADING_PREFIX = "h-"
CONTEXT_CHARS = 200
MAX_WIKILINK = 1000  # longest [[...]] we look for, so "[[[[[[..." stays linear

SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
SIZE_RE = re.compile(r"^\s*(?:(.*?)\s+)?(\d+)(?:\s*x\s*(\d+))?\s*$")  # ![[a.png|alt 100x200]]
MD_SIZE_RE = re.compile(r"^(.*?)\|\s*(\d+)(?:\s*x\s*(\d+))?\s*$")  # ![alt|100x200](a.png), as Obsidian
PIPE_RE = re.compile(r"\\?\|")
TAG_RE = re.compile(r"(?<![^\s(\[,;:])#([\w][\w/\-]*)")
CALLOUT_RE = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")
WS_RE = re.compile(r"\s+")
_NON_WORD_RE = re.compile(r"[^\w]+")
DENDRON_PREFIX = "dendron://"  # Dendron cross-vault links: dendron://<vault>/<note>


def tag_open(tag: str) -> str:
    return TAG_MARK + escape(tag) + "\x01"


def tag_hole(tag: str, inner_html: str) -> str:
    return tag_open(tag) + inner_html + HOLE_END


def escape(text: str) -> str:
    """html.escape(text, quote=True); most labels and ids need nothing, and five one-character
    tests cost a fraction of its five replaces."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return _html.escape(text, quote=True)
    return text


def slugify_heading(text: str) -> str:
    """Unicode-aware slug: lower case, word characters kept, everything else a single '-'."""
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    slug = _NON_WORD_RE.sub("-", text).strip("-_")
    return slug or "section"


def is_image(target: str) -> bool:
    return target.rpartition(".")[2].lower() in IMAGE_EXTENSIONS if "." in target else False


def display_label(meta: dict) -> str:
    """The text a wikilink shows: its label (without an image size), else target > heading."""
    label = meta.get("label")
    if label and meta.get("embed") and is_image(meta.get("target") or ""):
        size = SIZE_RE.match(label)
        label = size.group(1) if size else label
    if label:
        return label
    target, heading = strip_dendron_vault(meta.get("target") or ""), meta.get("heading")
    path = " > ".join(p.strip() for p in heading.split("#") if p.strip()) if heading else ""
    if target and path:
        return f"{target} > {path}"
    return target or path or heading or ""


def strip_dendron_vault(target: str) -> str:
    """`dendron://vault/note` -> `note` (a Dendron cross-vault link); anything else unchanged."""
    return target[len(DENDRON_PREFIX):].partition("/")[2] if target.startswith(DENDRON_PREFIX) else target


def parse_wikilink(inner: str, embed: bool) -> dict | None:
    """The parts of `[[inner]]`; None when it names nothing (`[[]]`, `[[|x]]`, `[[#]]`)."""
    parts = PIPE_RE.split(inner, maxsplit=1) if "|" in inner else (inner,)
    label = parts[1].strip() if len(parts) > 1 else None
    dest = parts[0]
    if label and label.startswith(DENDRON_PREFIX):
        # Dendron writes [[label|target]]: `[[label|dendron://v/x]]` and `[[|dendron://v/x]]`
        # (no label) can only mean that order
        dest, label = label, dest.strip() or None
    target, sep, heading = dest.partition("#")
    target = target.strip()
    heading_text = heading.strip() if sep else None
    if not target and not heading_text:
        return None
    return {"target": target, "heading": heading_text or None, "label": label or None, "embed": embed}


def around(raw: str, offset: int) -> str:
    """Whitespace-normalised text around `offset` of `raw`, cut at words to about 200 characters."""
    half = CONTEXT_CHARS // 2
    lo, hi = max(0, offset - half), min(len(raw), offset + half)
    if lo > 0:
        cut = raw.find(" ", lo, offset)
        lo = cut + 1 if cut >= 0 else lo
    if hi < len(raw):
        cut = raw.rfind(" ", offset, hi)
        hi = cut if cut > offset else hi
    text = " ".join(raw[lo:hi].split())  # = \s+ to " ", stripped, but faster
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(raw) else "")


def relative_target(href: str) -> tuple[str, str | None] | None:
    """(target, heading) for a link to a file of the map; None for URLs, '#x' and '//host/x'.

    A target starting with '/' is kept as written: it is relative to the map root (Quartz, Foam)."""
    if not href or href.startswith(("#", "//")) or SCHEME_RE.match(href):
        return None
    path, _, fragment = href.partition("#")
    if not path:
        return None
    return unquote(path), unquote(fragment) or None
