"""Which assets may be published when `allow_html` is off: none that can run script.

An asset is served from the site's own origin, so an HTML page or a scripted SVG among the
map's files would run script with the site's cookies and storage, which `allow_html: false`
promises content cannot do. HTML-like files are refused by their suffix; SVG and XML files
(common images and data) are read and refused only when their text holds something that can
run script. Used by `load.discover`, so `build`, `check` and `serve` agree on what is an asset.
"""
from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable

from .diagnostics import Span

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".xht", ".shtml", ".shtm", ".mht", ".mhtml", ".hta",
                 ".xsl", ".xslt")  # .xsl: a stylesheet an XML file can render as a scripted page
SCANNED_SUFFIXES = (".svg", ".svgz", ".xml")  # browsers run script inside these too
MAX_SCANNED_BYTES = 32 * 1024 * 1024  # an SVG or XML file beyond this (unzipped) is refused unread
HINT = "set allow_html: true in ctxgen.yaml to publish it"


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


def read_capped(path) -> bytes:
    """A file's bytes up to one past MAX_SCANNED_BYTES: all `unsafe_asset` needs to judge it."""
    with open(path, "rb") as f:
        return f.read(MAX_SCANNED_BYTES + 1)


def unsafe_asset(rel: str, read: Callable[[], bytes]) -> tuple[str, Span] | None:
    """Why the asset at map-relative `rel` must not be published, and where; None when it may.

    `read` gives the file's bytes: called only for SVG and XML files. OSError propagates."""
    lower = rel.lower()
    if lower.endswith(HTML_SUFFIXES):
        return "an HTML file can run script on the site's origin", Span(rel, 1, 1)
    if not lower.endswith(SCANNED_SUFFIXES):
        return None
    data = read()
    if len(data) > MAX_SCANNED_BYTES:
        return "a file too large to be checked for script", Span(rel, 1, 1)
    zipped = data[:2] == b"\x1f\x8b"  # .svgz, or an SVG served gzipped
    if zipped:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as z:
                data = z.read(MAX_SCANNED_BYTES + 1)
        except (OSError, EOFError):
            return "a compressed file that cannot be unzipped to be checked for script", Span(rel, 1, 1)
        if len(data) > MAX_SCANNED_BYTES:
            return "a file too large to be checked for script", Span(rel, 1, 1)
    text = _decode(data)
    found = first_danger(text)
    if found is None:
        return None
    pos, what = found
    if zipped:  # a position in the unzipped text means nothing in the file
        return f"its unzipped text holds {what!r}, which can run script on the site's origin", Span(rel, 1, 1)
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"{what!r} can run script on the site's origin", Span(rel, line, col)


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


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    elif data[:4] in (b"<\0?\0", b"\0<\0?"):  # UTF-16 without a BOM
        text = data.decode("utf-16-le" if data[0] else "utf-16-be", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
