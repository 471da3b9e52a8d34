"""IRI references resolved against a base, per RFC 3986 section 5 (strict parser).

`urllib.parse.urljoin` only resolves for a fixed list of schemes and keeps some quirks, so the
algorithm of RFC 3986 5.2 is spelled out here; it works for any scheme (http, file, urn, ...).
No percent-encoding is applied or removed: CXTM compares locators as the strings a syntax gives.
"""
from __future__ import annotations

import re
from pathlib import Path

_URI = re.compile(r"^(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def split(iri: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    """(scheme, authority, path, query, fragment); absent parts are None (an empty one is "")."""
    m = _URI.match(iri)
    assert m is not None  # the pattern matches every string
    return m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)


def unsplit(scheme: str | None, authority: str | None, path: str, query: str | None, fragment: str | None) -> str:
    out = ""
    if scheme is not None:
        out += scheme + ":"
    if authority is not None:
        out += "//" + authority
    out += path
    if query is not None:
        out += "?" + query
    if fragment is not None:
        out += "#" + fragment
    return out


def is_absolute(iri: str) -> bool:
    """True when the reference has a scheme (it needs no base)."""
    return bool(_SCHEME.match(iri))


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4."""
    out: list[str] = []
    while path:
        if path.startswith("../"):
            path = path[3:]
        elif path.startswith("./"):
            path = path[2:]
        elif path.startswith("/./"):
            path = path[2:]
        elif path == "/.":
            path = "/"
        elif path.startswith("/../"):
            path = path[3:]
            if out:
                out.pop()
        elif path == "/..":
            path = "/"
            if out:
                out.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            end = path.find("/", start)
            if end < 0:
                end = len(path)
            out.append(path[:end])
            path = path[end:]
    return "".join(out)


def _merge(base_authority: str | None, base_path: str, ref_path: str) -> str:
    if base_authority is not None and base_path == "":
        return "/" + ref_path
    cut = base_path.rfind("/")
    return base_path[: cut + 1] + ref_path


def resolve(base: str, ref: str) -> str:
    """The target IRI of reference `ref` against absolute IRI `base` (RFC 3986 5.2.2).

    >>> resolve("http://a/b/c/d;p?q", "../g")
    'http://a/b/g'
    >>> resolve("file:///m/x.xtm", "#t")
    'file:///m/x.xtm#t'
    """
    if not base:
        return ref
    r_scheme, r_auth, r_path, r_query, r_frag = split(ref)
    b_scheme, b_auth, b_path, b_query, _ = split(base)
    if r_scheme is not None:
        return unsplit(r_scheme, r_auth, remove_dot_segments(r_path), r_query, r_frag)
    if r_auth is not None:
        return unsplit(b_scheme, r_auth, remove_dot_segments(r_path), r_query, r_frag)
    if r_path == "":
        return unsplit(b_scheme, b_auth, b_path, r_query if r_query is not None else b_query, r_frag)
    if r_path.startswith("/"):
        path = remove_dot_segments(r_path)
    else:
        path = remove_dot_segments(_merge(b_auth, b_path, r_path))
    return unsplit(b_scheme, b_auth, path, r_query, r_frag)


def without_fragment(iri: str) -> str:
    cut = iri.find("#")
    return iri if cut < 0 else iri[:cut]


def file_iri(path: Path) -> str:
    """The file: IRI of a local file, used as the base locator of a document read from disk."""
    return path.resolve().as_uri()
