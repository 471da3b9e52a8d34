"""Plain helpers of the model stage: where a front matter value sits, and what a literal value is.

Spans: front matter comes as position-keeping dicts and lists (`yamlpos.PosDict`/`PosList`), or as
plain ones in tests; `key_span`, `value_span` and `item_span` fall back to a default span.
Literals: YAML's dates and numbers to TMDM values with a datatype (`infer`, `date_value`), and
whether a value is a valid literal of its datatype (`check_value`). No diagnostics here.
"""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .diagnostics import Span
from .model import GEO, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_DECIMAL, XSD_INTEGER, XSD_STRING
from .yamlpos import PosDict, PosList

ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_LOOKS_URL = re.compile(r"^(https?|ftp|mailto|urn|doi):", re.I)


def is_wikilink(value: Any) -> bool:
    """A value written as one `[[link]]` (Obsidian's way of linking from a property)."""
    if not isinstance(value, str):
        return False
    v = value.strip()
    return v.startswith("[[") and v.endswith("]]") and "]]" not in v[2:-2]
_XSD_DATE = re.compile(r"^-?(\d{4,})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")


# --- spans of front matter values ---------------------------------------------------------------
def key_span(m: Any, key: Any, default: Span) -> Span:
    f = getattr(m, "key_span", None)
    return (f(key) if f else None) or default


# value_span and item_span run for nearly every front matter value: for yamlpos's own
# containers they read the positions directly (what PosDict.value_span / PosList.item_span do)
# instead of through two method calls.
def value_span(m: Any, key: Any, default: Span) -> Span:
    if m.__class__ is PosDict:
        span = m.span
        pos = m._values.get(key)
        if pos is None or span is None:
            return span or default
        return Span(span.path, pos[0], pos[1])
    f = getattr(m, "value_span", None)
    return (f(key) if f else None) or default


def item_span(lst: Any, i: int, default: Span) -> Span:
    if lst.__class__ is PosList:
        span = lst.span
        if span is None:
            return default
        try:
            pos = lst._items[i]
        except IndexError:
            return span
        return Span(span.path, pos[0], pos[1])
    f = getattr(lst, "item_span", None)
    return (f(i) if f else None) or default


# --- what YAML gave -----------------------------------------------------------------------------
def type_name(v: Any) -> str:
    """The kind of a YAML value, as a message names it ("expected text, got a list")."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return "date"
    if isinstance(v, dict):
        return "mapping"
    if isinstance(v, list):
        return "list"
    if v is None:
        return "null"
    if isinstance(v, str):
        return "text"
    return type(v).__name__


def a_kind(v: Any) -> str:
    """type_name with its article, for "got …": "got text", "got a list"."""
    kind = type_name(v)
    return kind if kind in ("text", "null") else f"a {kind}"


def scalar_text(v: Any) -> str:
    """A YAML scalar as text (`true`, an ISO date), for values that should have been quoted."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


# --- literals and datatypes ---------------------------------------------------------------------
def date_value(v: Any) -> tuple[str | None, str]:
    """Dates as YAML gives them, or Unix time in ms (Dendron) or s, as xsd:date/dateTime."""
    if isinstance(v, _dt.datetime):
        return v.isoformat(), XSD_DATETIME
    if isinstance(v, _dt.date):
        return v.isoformat(), XSD_DATE
    if isinstance(v, int) and not isinstance(v, bool):
        seconds = v / 1000 if v > 10**11 else v
        try:
            when = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None, XSD_STRING
        return when.isoformat(timespec="seconds").replace("+00:00", "Z"), XSD_DATETIME
    return None, XSD_STRING


def infer(v: Any) -> tuple[str, str]:
    """An occurrence value without a declared datatype -> (its text, the datatype it looks like)."""
    if isinstance(v, bool):
        return ("true" if v else "false"), XSD_STRING
    if isinstance(v, (_dt.date, _dt.datetime)):
        return date_value(v)  # type: ignore[return-value]
    if isinstance(v, int):
        return str(v), XSD_INTEGER
    if isinstance(v, float):
        return repr(v), XSD_DECIMAL
    s = str(v).strip()
    if _LOOKS_URL.match(s) and ABSOLUTE_URI.match(s):
        return s, XSD_ANYURI
    if DATE.match(s):
        return s, XSD_DATE
    return s, XSD_STRING


def check_value(value: str, datatype: str) -> str | None:
    """None when `value` is a valid literal of `datatype`, else what it should be."""
    try:
        if datatype == XSD_DATE:
            m = _XSD_DATE.match(value)  # xsd:date: any year, with an optional time zone
            if not m:
                return "a date (YYYY-MM-DD)"
            year = int(m[1]) % 400 + 2000  # same leap-year rule, in the range Python knows
            _dt.date(year, int(m[2]), int(m[3]))
        elif datatype == XSD_DATETIME:
            _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif datatype == XSD_INTEGER:
            int(value)
        elif datatype == XSD_DECIMAL:
            if not Decimal(value).is_finite():
                return "a finite number"
        elif datatype == XSD_ANYURI:
            if not ABSOLUTE_URI.match(value):
                return "an absolute URI"
        elif datatype == GEO:
            lat, lon = (float(x) for x in value.split(","))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return "a position (latitude -90..90, longitude -180..180)"
    except (ValueError, InvalidOperation):
        return {
            XSD_DATE: "a date (YYYY-MM-DD)",
            XSD_DATETIME: "a date and time (YYYY-MM-DDThh:mm:ss)",
            XSD_INTEGER: "an integer",
            XSD_DECIMAL: "a number",
            GEO: 'a position "latitude,longitude"',
        }.get(datatype, "valid")
    return None
