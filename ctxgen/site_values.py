"""Occurrence values as HTML, by datatype: links, images, dates, numbers, coordinates.

(f-strings with `escape` rather than `Markup.format`: the same escaping, several times faster,
and a large map formats tens of thousands of values.)

Every value is untrusted; the HTML built here escapes it, and a URI is linked only when its
scheme is on the allow list (javascript:, data:, vbscript: ... stay text).
"""
from __future__ import annotations

import colorsys
import datetime as dt
import re
from typing import Callable

from markupsafe import Markup, escape

from .config import Schema, is_color
from .model import GEO, TYPE, TYPE_INSTANCE, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_DECIMAL, XSD_INTEGER, TopicMap
from .site_paths import is_safe_path

SAFE_SCHEMES = {"http", "https", "mailto", "ftp", "ftps", "tel", "geo", "urn", "doi", "isbn"}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp")
AUDIO_EXTENSIONS = (".mp3", ".wav", ".m4a", ".ogg", ".oga", ".opus", ".flac", ".aac", ".3gp")  # as Obsidian
VIDEO_EXTENSIONS = (".mp4", ".webm", ".ogv", ".mov", ".mkv", ".m4v")
_PDF_PAGE = re.compile(r"page=\d{1,6}")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def url_kind(value: str) -> str:
    """'external' (an allowed scheme), 'local' (a safe site-relative path) or 'unsafe'."""
    squeezed = _INVISIBLE.sub("", value)  # browsers drop these before reading the scheme
    m = _SCHEME.match(squeezed)
    if m:
        return "external" if m.group(1).lower() in SAFE_SCHEMES else "unsafe"
    if squeezed.startswith("//"):
        return "unsafe"
    path = value.split("#", 1)[0].split("?", 1)[0]
    return "local" if is_safe_path(path) else "unsafe"


def safe_href(value: str, href_local: Callable[[str], str]) -> str:
    """The href for a URI value, or '' when it must not be linked."""
    kind = url_kind(value)
    if kind == "external":
        return value.strip()
    if kind == "local":
        return href_local(value)
    return ""


def format_date(value: str) -> Markup:
    try:
        d = dt.date.fromisoformat(value.strip())
    except ValueError:
        return Markup(f'<span class="ctx-date">{escape(value)}</span>')
    return Markup(f'<time datetime="{d.isoformat()}">{d.day} {MONTHS[d.month - 1]} {d.year}</time>')


def format_datetime(value: str) -> Markup:
    try:
        d = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return format_date(value)
    text = f"{d.day} {MONTHS[d.month - 1]} {d.year}, {d:%H:%M}"
    return Markup(f'<time datetime="{escape(d.isoformat())}">{escape(text)}</time>')


def format_geo(value: str) -> Markup:
    try:
        lat_s, lon_s = (x.strip() for x in value.split(","))
        lat, lon = float(lat_s), float(lon_s)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError
    except ValueError:
        return Markup('<span class="ctx-geo">{}</span>').format(value)
    text = f"{abs(lat):g}° {'N' if lat >= 0 else 'S'}, {abs(lon):g}° {'E' if lon >= 0 else 'W'}"
    osm = f"https://www.openstreetmap.org/?mlat={lat:g}&mlon={lon:g}#map=12/{lat:g}/{lon:g}"
    return Markup('<a class="ctx-geo" href="{}"><data value="{},{}">{}</data></a>').format(osm, lat_s, lon_s, text)


def format_value(value: str, datatype: str, href_local: Callable[[str], str], alt: str = "") -> Markup:
    """One occurrence value as HTML."""
    if datatype == XSD_ANYURI:
        link = safe_href(value, href_local)
        if not link:
            return Markup(f'<span class="ctx-uri ctx-unsafe">{escape(value)}</span>')
        path = value.split("?", 1)[0].split("#", 1)[0].lower()
        remote = "://" in link or link.startswith("//")
        if path.endswith(IMAGE_EXTENSIONS) and not remote:  # a remote image would be a request to another host
            return Markup('<a href="{0}"><img class="ctx-occurrence-image" src="{0}" alt="{1}" loading="lazy"></a>').format(
                link, alt
            )
        return Markup(f'<a class="ctx-uri" href="{escape(link)}">{escape(value)}</a>')
    if datatype == XSD_DATE:
        return format_date(value)
    if datatype == XSD_DATETIME:
        return format_datetime(value)
    if datatype in (XSD_DECIMAL, XSD_INTEGER):
        return Markup(f'<data class="ctx-number" value="{escape(value.strip())}">{escape(value)}</data>')
    if datatype == GEO:
        return format_geo(value)
    return escape(value)


# --- topic-type colours ----------------------------------------------------------------------

# Twelve hues far apart (Okabe-Ito's colour-blind-safe eight, then four more), each readable as a
# dot or badge on the light and the dark background. Past twelve types, hues go round the circle
# by the golden angle, so any two types still differ.
TYPE_PALETTE = (
    "#e69f00", "#0072b2", "#009e73", "#d55e00", "#cc79a7", "#56b4e9",
    "#b8a000", "#7f3c8d", "#3969ac", "#e73f74", "#80ba5a", "#008695",
)


def _extra_color(n: int) -> str:
    """The n-th colour after the palette: hue by the golden angle, saturation and lightness fixed."""
    r, g, b = colorsys.hls_to_rgb(((n * 0.618033988749895) + 0.07) % 1.0, 0.5, 0.6)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def type_colors(tm: TopicMap, schema: Schema) -> dict[str, str]:
    """Type id -> colour, for every topic type of the map (used by an unscoped instance, or declared
    in the schema). A valid `color:` of the schema is kept; the other types, sorted by id, take the
    palette's colours in order, skipping those the schema already uses. Deterministic, and the same
    for the site's dots and badges and the graph's legend."""
    types: set[str] = set(schema.topic_types)
    for a in tm.associations:
        if a.type == TYPE_INSTANCE and not a.scope:
            for r in a.roles:
                if r.type == TYPE:
                    types.add(r.player)
    colors: dict[str, str] = {}
    for tid, entry in schema.topic_types.items():
        if entry.color and is_color(entry.color):
            colors[tid] = entry.color.strip()
    taken = {c.lower() for c in colors.values()}
    free = (c for c in TYPE_PALETTE if c not in taken)
    extra = 0
    for tid in sorted(types - colors.keys()):
        color = next(free, None)
        while color is None:
            color = _extra_color(extra)
            extra += 1
            if color in taken:
                color = None
        colors[tid] = color
    return colors


def file_embed(src: str, asset: str, label: str | None, fragment: str | None = None) -> Markup:
    """`![[file]]` of a file that is not an image: a player for audio and video, the browser's
    viewer for a PDF (`#page=N` opens that page), else a link; each with a link to the file."""
    name = label or asset.rsplit("/", 1)[-1]
    lower = asset.lower()
    link = Markup('<a class="ctx-embed-file" href="{}">{}</a>').format(src, name)
    if lower.endswith(AUDIO_EXTENSIONS):
        return Markup('<audio class="ctx-embed-audio" controls preload="metadata" src="{}">{}</audio>').format(src, link)
    if lower.endswith(VIDEO_EXTENSIONS):
        return Markup('<video class="ctx-embed-video" controls preload="metadata" src="{}">{}</video>').format(src, link)
    if lower.endswith(".pdf"):
        page = f"#{fragment}" if fragment and _PDF_PAGE.fullmatch(fragment) else ""
        return Markup('<iframe class="ctx-embed-pdf" src="{}" title="{}" loading="lazy"></iframe>{}').format(
            src + page, name, link)
    return link
