"""Topic ids, slugs and site paths.

A slug keeps the letters, digits, combining marks and symbols (♪, emoji) of every script, in
NFC and lower case; every run of anything else (spaces, punctuation, '/') becomes one '-'.
A topic's default id is its map-relative path without `.md`, each segment slugified:
"people/Ada Lovelace.md" -> "people/ada-lovelace"; "folder/index.md" -> "folder".
Pages live at "<id>/index.html" and are linked as "<id>/" percent-encoded per segment.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

_KEEP = ("L", "N", "M")  # letters, numbers, combining marks (categories by first letter)
_KEEP_EXACT = {"So"}  # other symbols: ♪, ©, emoji


_ASCII_SEPARATORS = re.compile(r"[^a-z0-9]+")
_DASHES = re.compile(r"-{2,}")


def _keep(ch: str) -> bool:
    if ch.isalnum():
        return True
    cat = unicodedata.category(ch)
    return cat[0] in _KEEP or cat in _KEEP_EXACT


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """One path segment's slug: "Ada Lovelace" -> "ada-lovelace", "Übersicht" -> "übersicht".

    Idempotent. Text with nothing to keep (only punctuation) gets a stable fallback built from
    its code points ("+" -> "u2b"), so a non-blank name never has an empty slug.
    """
    if text.isascii():
        lowered = text.lower()
        slug = _ASCII_SEPARATORS.sub("-", lowered).strip("-")
    else:
        lowered = nfc(nfc(text).lower())  # lower() can denormalise ("İ" -> "i" + U+0307)
        slug = "".join(ch if _keep(ch) else "-" for ch in lowered)
        slug = _DASHES.sub("-", slug).strip("-")
    if not slug:
        slug = "-".join(f"u{ord(ch):x}" for ch in lowered if not ch.isspace())
    return slug


def slugify_path(path: str) -> str:
    """Slugify each '/'-separated segment, dropping empty ones: "A B/C" -> "a-b/c"."""
    return "/".join(s for s in (slugify(seg) for seg in path.split("/")) if s)


def topic_id_for_path(rel_path: str) -> str:
    """The default topic id of a map-relative source path.

    "people/Ada Lovelace.md" -> "people/ada-lovelace"; "folder/index.md" -> "folder";
    the root "index.md" -> "index".
    """
    path = nfc(rel_path.replace("\\", "/")).strip("/")
    if path.lower().endswith(".md"):
        path = path[:-3]
    folder, _, name = path.rpartition("/")
    if folder and name.lower() == "index":
        path = folder
    return slugify_path(path) or "index"


def topic_output_path(topic_id: str) -> str:
    """Where a topic's page is written in the site: "people/ada" -> "people/ada/index.html".

    Every topic gets its own folder, so "index" (the root index.md) never clashes with the
    site's home page "index.html".
    """
    return f"{topic_id}/index.html"


def topic_href(topic_id: str) -> str:
    """The site-root-relative URL of a topic's page, percent-encoded: "über/a b" -> "%C3%BCber/a%20b/"."""
    return url_path(topic_id) + "/"


def url_path(path: str) -> str:
    """Percent-encode each segment of a site path (UTF-8), keeping the '/' separators."""
    return "/".join(quote(seg, safe="") for seg in nfc(path).split("/"))


def relative_href(from_output_path: str, to_output_path: str) -> str:
    """A relative URL from one site file to another, percent-encoded.

    relative_href("people/ada/index.html", "places/london/index.html") -> "../../places/london/"
    (a trailing "index.html" becomes the folder URL).
    """
    target = to_output_path
    trailing = ""
    if target == "index.html" or target.endswith("/index.html"):
        target = target[: -len("index.html")].rstrip("/") or "."
        trailing = "/"
    start = posixpath.dirname(from_output_path) or "."
    rel = posixpath.relpath(target, start)
    if rel == ".":
        return "./"
    return url_path(rel) + trailing
