"""Output paths and relative URLs of the site.

Every page is addressed by its site-relative POSIX path ("people/ada/index.html"); links
between pages are relative ("../../people/ada/"), so a build works at a domain root and
under a project sub-path alike. Ids go into URLs percent-encoded (UTF-8), onto disk as they are.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

HOME = "index.html"
TAGS = "tags.html"
NAMES = "names.html"
GRAPH = "graph.html"
SEARCH = "search.html"
NOT_FOUND = "404.html"

URL_SAFE = _URL_SAFE = "/-_.~!$&'()*+,;=@"  # ':' encoded: 'a:b/' would read as a URL scheme


def home_topic_id(tm) -> str | None:
    """The topic of the map's root index.md. The home page shows it, so links to it lead there
    (its own page stays, for what the home page does not show)."""
    return next((t.id for t in tm.topics.values() if t.source == "index.md"), None)


def topic_path(topic_id: str) -> str:
    return f"{topic_id}/index.html"


def tag_path(tag: str) -> str:
    return f"tags/{tag_slug(tag)}.html"


_TAG_BAD = re.compile(r"[\x00-\x1f\x7f\\?#%\"<>|*:]+")


def tag_slug(tag: str) -> str:
    """A tag as a safe path: NFC, lower case, spaces as '-', no empty, '.' or '..' segments."""
    tag = unicodedata.normalize("NFC", tag).strip().lower()
    tag = _TAG_BAD.sub("-", tag.replace(" ", "-"))
    parts = [p for p in tag.split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "-"


NAME_MAX = 255  # bytes in one file name, on the usual file systems
MAX_NAME_BYTES = 200  # of an id's or a tag's segment: room for ".html", ".json" and the like


def long_segment(path: str, limit: int = MAX_NAME_BYTES) -> str | None:
    """The first '/'-separated segment of `path` longer than `limit` bytes in UTF-8, if any."""
    if len(path) * 4 <= limit:  # no character takes more than 4 bytes
        return None
    return next((seg for seg in path.split("/") if len(seg.encode("utf-8")) > limit), None)


def is_safe_path(path: str) -> bool:
    """A site-relative path that cannot leave the output folder."""
    if not path or path.startswith("/") or "\\" in path or "\x00" in path:
        return False
    return all(seg not in ("", ".", "..") for seg in path.split("/"))


def root_of(path: str) -> str:
    """The relative way back to the site root from the page at `path`."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


def url_of(path: str) -> str:
    """The site-relative URL of a path: percent-encoded, index.html dropped (directory URL)."""
    if path == HOME:
        return ""
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return quote(path, safe=_URL_SAFE)


def href(from_path: str, to_path: str, anchor: str | None = None) -> str:
    """A relative href from one page to another path (page or file)."""
    url = root_of(from_path) + url_of(to_path)
    if url.startswith("./") and len(url) > 2:
        url = url[2:]
    if anchor:
        url += "#" + quote(anchor, safe=_URL_SAFE)
    return url


def absolute_url(base_url: str, path: str) -> str:
    return base_url + url_of(path)
