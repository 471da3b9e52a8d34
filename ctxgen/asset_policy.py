"""Which assets may be published when `allow_html` is off: none that can run script.

An asset is served from the site's own origin, so an HTML page or a scripted SVG among the
map's files would run script with the site's cookies and storage, which `allow_html: false`
promises content cannot do. HTML-like files are refused by their suffix. SVG and XML files
(common images and data) are read, and so is any other file that starts like markup: servers
send .rss, .atom, .kml, .gpx and a hundred other suffixes as XML, which browsers render, script
and all. Such a file is refused when its text holds something that can run script, or anything
that could make a browser read other text than the text checked (bytes that are not UTF-8 or
are declared otherwise, control characters, a DTD's entities or attributes): refused, rather
than understood as a browser would.
Used by `load.discover`, so `build`, `check` and `serve` agree on what is an asset.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

from .diagnostics import Span

_HTML = "an HTML file can run script on the site's origin"
_XSLT_FILE = "an XSLT stylesheet can make any XML file a page that runs script on the site's origin"
REFUSED_SUFFIXES = {  # refused unread: what servers send as (X)HTML, XSLT, or compressed
    **dict.fromkeys((".html", ".htm", ".xhtml", ".xht", ".xhtm", ".shtml", ".shtm", ".mht", ".mhtml", ".hta"), _HTML),
    ".xsl": _XSLT_FILE,
    ".xslt": _XSLT_FILE,
    ".svgz": "a compressed SVG is not checked for script: publish it unzipped, as .svg",
}
SCANNED_SUFFIXES = (".svg", ".xml")  # read whatever they start with; other files only when they start like markup
SNIFF_BYTES = 1024
MAX_SCANNED_BYTES = 32 * 1024 * 1024  # a file to read beyond this is refused unread
HINT = "set allow_html: true in ctxgen.yaml to publish it"
UTF8_NAMES = ("utf-8", "utf8", "us-ascii")  # encodings an XML declaration may name: the text checked is the text read


def _spelled(word: str) -> str:
    """`word` as a browser reads it in an attribute: any letter as a character reference, and
    tabs and newlines (raw or as references), which URL parsing drops, between letters."""
    gap = r"(?:[\t\n\r]|&#0*(?:9|10|13);?|&#x0*[9ad];?|&(?:tab|newline);)*"
    letters = []
    for ch in word:
        forms = [re.escape(ch)] + [rf"&#0*{ord(c)};?|&#x0*{ord(c):x};?" for c in {ch.lower(), ch.upper()}]
        if ch == ":":
            forms.append("&colon;")
        letters.append("(?:" + "|".join(forms) + ")")
    return gap.join(letters)


_SCHEMES = "|".join(_spelled(s) for s in ("javascript:", "vbscript:", "livescript:"))
_DATA_HTML = _spelled("data:") + r"\s*(?:text/html|application/xhtml|text/xml|application/xml)"
_ELEMENTS = r"<\s*(?:[\w.-]+:)?(?:script|iframe|embed|object|handler|listener|frame|applet)\b"
_ANIMATED_EVENT = r"\battributeName\s*=\s*[\"']?\s*on"  # <set attributeName="onclick" to="...">
_XSLT = r"<\?xml-stylesheet\b[^>]*xsl"
_TAG = re.compile(r"<[A-Za-z][^\s/>]*(?:\"[^\"]*\"|'[^']*'|[^'\">])*>?")
_EVENT = re.compile(r"[\s\"'/](?:[\w.-]+:)?on[a-z]+\s*=", re.IGNORECASE)
_DANGER = re.compile(f"{_ELEMENTS}|{_SCHEMES}|{_DATA_HTML}|{_XSLT}|{_ANIMATED_EVENT}", re.IGNORECASE)
# A <foreignObject> embeds HTML. Draw.io and other editors put their text labels in one, as
# inert markup; script in it is caught by the patterns above. Any other element there (a form,
# a button, a meta refresh, a link stylesheet...) is refused with the foreignObject.
_FOREIGN = re.compile(r"<\s*(?:[\w.-]+:)?foreignObject\b(.*?)(?:</\s*(?:[\w.-]+:)?foreignObject\s*>|\Z)",
                      re.IGNORECASE | re.DOTALL)
_INNER_TAG = re.compile(r"<\s*(?:[\w.-]+:)?([A-Za-z][\w-]*)")
INERT_HTML = frozenset(
    "a abbr b big blockquote br center code dd del div dl dt em font h1 h2 h3 h4 h5 h6 hr i img ins kbd "
    "li mark ol p pre q s samp small span strike strong sub sup table tbody td tfoot th thead tr tt u ul "
    "var wbr".split())


def file_reader(path) -> Callable[[int], bytes]:
    """`read` for `unsafe_asset`: the first n bytes of the file at `path`."""
    def read(n: int) -> bytes:
        with open(path, "rb") as f:
            return f.read(n)
    return read


def unsafe_asset(rel: str, read: Callable[[int], bytes]) -> tuple[str, Span] | None:
    """Why the asset at map-relative `rel` must not be published, and where; None when it may.

    `read(n)` gives the file's first n bytes (fewer when it is shorter); for a file neither SVG
    nor XML it is asked first for a few, to see whether the file starts like markup at all, and
    for a suffix refused unread not at all. OSError propagates."""
    lower = rel.lower()
    why = REFUSED_SUFFIXES.get(PurePosixPath(lower).suffix)
    if why is not None:
        return why, Span(rel, 1, 1)
    if not lower.endswith(SCANNED_SUFFIXES) and not looks_like_markup(read(SNIFF_BYTES)):
        return None
    data = read(MAX_SCANNED_BYTES + 1)
    if len(data) > MAX_SCANNED_BYTES:
        return "a file too large to be checked for script", Span(rel, 1, 1)
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:  # UTF-16, Latin-1, a gzipped SVG...: a browser may read it otherwise
        line_start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[line_start:e.start].decode("utf-8")) + 1
        return "not UTF-8 text: only UTF-8 can be checked for script", Span(rel, data.count(b"\n", 0, e.start) + 1, col)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = first_uncheckable(text)
    if found is None and (danger := first_danger(text)) is not None:
        found = danger[0], f"{danger[1]!r} can run script on the site's origin"
    if found is None:
        return None
    pos, why = found
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return why, Span(rel, line, col)


def looks_like_markup(head: bytes) -> bool:
    """Whether a file's first bytes start as XML or HTML: '<' after whitespace, NULs and any
    byte-order mark (so UTF-16 markup too)."""
    return head.lstrip(b" \t\r\n\0\xef\xbb\xbf\xfe\xff")[:1] == b"<"


# What makes a browser read other text than the text checked: refused rather than understood.
_DECLARED = re.compile(r"<\?xml\s[^>]*?\bencoding\s*=\s*[\"']?([^\"'\s?>]*)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not in XML 1.0; ESC shifts ISO-2022 encodings
_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE(?:\"[^\"]*\"|'[^']*'|[^\"'>\[])*\[", re.IGNORECASE)
_DECLARATION = re.compile(r"<!(?:ENTITY|ATTLIST)\b", re.IGNORECASE)


def first_uncheckable(text: str) -> tuple[int, str] | None:
    """The offset of the first thing in markup `text` that hides from `first_danger` what a browser
    reads, and why it is refused."""
    hits = []
    m = _DECLARED.search(text)
    if m and m.group(1).lower() not in UTF8_NAMES:
        hits.append((m.start(1), f"it declares encoding {m.group(1)!r}: only UTF-8 can be checked for script"))
    if m := _CONTROL.search(text):
        hits.append((m.start(), f"control character U+{ord(m.group(0)):04X}: XML has none, and in another "
                                "encoding (UTF-16, ISO-2022) it can hide script"))
    if m := _INTERNAL_SUBSET.search(text):
        hits.append((m.start(), "a DOCTYPE with an internal subset ('[...]'), whose entities and attributes "
                                "can add script that no check sees"))
    if m := _DECLARATION.search(text):
        hits.append((m.start(), f"{m.group(0)!r}: a DTD declaration can add script that no check sees"))
    return min(hits) if hits else None


def first_danger(text: str) -> tuple[int, str] | None:
    """The offset and text of the first thing in SVG/XML `text` that can run script."""
    hits = []
    m = _DANGER.search(text)
    if m:
        hits.append((m.start(), m.group(0)))
    end = m.start() if m else len(text)
    for block in _FOREIGN.finditer(text, 0, end):
        inner = next((t for t in _INNER_TAG.finditer(block.group(1)) if t.group(1).lower() not in INERT_HTML), None)
        if inner is not None:
            hits.append((block.start(1) + inner.start(), f"<{inner.group(1)}> in a <foreignObject>"))
            break
    for tag in _TAG.finditer(text, 0, end):
        ev = _EVENT.search(tag.group(0))
        if ev:
            hits.append((tag.start() + ev.start() + 1, ev.group(0)[1:].rstrip("= \t\r\n")))
            break
    return min(hits) if hits else None

