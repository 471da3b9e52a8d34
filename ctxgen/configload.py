"""Read ctxgen.yaml into a `Config` (ctxgen/config.py), reporting every problem at its key.

A missing file means defaults, so a plain folder of Markdown builds with no configuration.
Each bad key gives one diagnostic ("Config value 'x': ...") and keeps that key's default, so
every problem in the file is reported at once.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import SHAPES, AssociationType, Config, MapView, OccurrenceType, RoleType, Schema, TopicType, is_color
from .diagnostics import Diagnostics, Severity, Span, cut
from .frontmatter import normalise_newlines
from .load import decode_source
from .model import DATATYPES
from .yamlpos import PosDict, PosList, load_yaml

CONFIG_FILE = "ctxgen.yaml"

_TOP_KEYS = ("title", "description", "base_url", "language", "theme", "allow_html", "exclude",
             "max_file_bytes", "schema", "extra", "map")
_MAP_KEYS = ("tiles", "attribution", "max_zoom")
_SCHEMA_KEYS = ("topic_types", "association_types", "role_types", "occurrence_types")
_ENTRY_KEYS = {
    "topic_types": ("label", "color", "shape"),
    "association_types": ("label", "roles", "reading"),
    "role_types": ("label",),
    "occurrence_types": ("label", "datatype"),
}


def load_config(map_dir: Path, diags: Diagnostics) -> Config:
    """The map's Config: defaults when ctxgen.yaml is missing, empty or unusable."""
    path = Path(map_dir) / CONFIG_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as e:
        diags.error("unreadable", f"cannot read {CONFIG_FILE}: {e.strerror or e}", Span(CONFIG_FILE, 1, 1))
        return Config()
    text, problems = decode_source(data, CONFIG_FILE)
    diags.extend(problems)
    if text is None:
        return Config()
    value, problems = load_yaml(normalise_newlines(text), CONFIG_FILE)
    diags.extend(problems)
    if any(d.severity is Severity.ERROR for d in problems):
        return Config()
    if value is None:
        return Config()
    if not isinstance(value, PosDict):
        diags.error("config-not-mapping", f"{CONFIG_FILE} must be a mapping of settings (key: value lines)",
                    getattr(value, "span", None) or Span(CONFIG_FILE, 1, 1))
        return Config()
    return _Reader(diags).config(value)


class _Reader:
    def __init__(self, diags: Diagnostics) -> None:
        self.diags = diags

    # -- reporting --------------------------------------------------------------------------

    def type_error(self, where: PosDict, key: Any, dotted: str, expected: str, value: Any) -> None:
        hint = "quote it to make it text" if expected == "a string" and _is_scalar(value) else None
        self.diags.error("config-type", f"Config value '{dotted}': expected {expected}",
                         where.value_span(key), hint)

    def unknown_keys(self, mapping: PosDict, known: tuple[str, ...], prefix: str) -> None:
        for key in mapping:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            suggestion = f", did you mean '{close[0]}'?" if close else ""
            hint = None if close else (
                "put your own settings under 'extra:'" if not prefix else f"known keys: {', '.join(known)}")
            self.diags.warning("config-unknown-key", f"Config value '{prefix}{key}': unknown key{suggestion}",
                               mapping.key_span(key), hint)

    # -- typed getters: return the value, or `default` after reporting --------------------------

    def string(self, m: PosDict, key: str, dotted: str, default: str | None) -> str | None:
        value = m.get(key)
        if key not in m or value is None:
            return default
        if not isinstance(value, str):
            self.type_error(m, key, dotted, "a string", value)
            return default
        return value

    def boolean(self, m: PosDict, key: str, dotted: str, default: bool) -> bool:
        value = m.get(key, default)
        if not isinstance(value, bool):
            self.type_error(m, key, dotted, "true or false", value)
            return default
        return value

    def string_list(self, m: PosDict, key: str, dotted: str) -> list[str] | None:
        value = m.get(key)
        if key not in m or value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.type_error(m, key, dotted, "a list of strings", value)
            return None
        return list(value)

    def mapping(self, m: PosDict, key: str, dotted: str) -> PosDict | None:
        value = m.get(key)
        if key not in m or value is None:
            return None
        if not isinstance(value, PosDict):
            self.type_error(m, key, dotted, "a mapping", value)
            return None
        return value

    # -- the file ---------------------------------------------------------------------------

    def config(self, top: PosDict) -> Config:
        self.unknown_keys(top, _TOP_KEYS, "")
        c = Config()
        c.spans = _value_spans(top)
        c.title = self.string(top, "title", "title", c.title)
        c.description = self.string(top, "description", "description", c.description)
        c.language = self.string(top, "language", "language", c.language)
        c.theme = self.theme(top, c.theme)
        c.base_url = self.base_url(top)
        c.allow_html = self.boolean(top, "allow_html", "allow_html", c.allow_html)
        c.exclude = self.string_list(top, "exclude", "exclude") or []
        size = top.get("max_file_bytes", c.max_file_bytes)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            self.type_error(top, "max_file_bytes", "max_file_bytes", "a positive whole number of bytes", size)
        else:
            c.max_file_bytes = size
        c.extra = self.mapping(top, "extra", "extra") or {}
        map_view = self.mapping(top, "map", "map")
        if map_view is not None:
            c.map = self.map_view(map_view)
        schema = self.mapping(top, "schema", "schema")
        if schema is not None:
            c.schema = self.schema(schema)
        return c

    def theme(self, top: PosDict, default: str) -> str:
        """`theme:` names an installed theme; checked here so the error points at the value."""
        name = self.string(top, "theme", "theme", default)
        if name == default:
            return default
        from .site_templates import available_themes, find_theme  # jinja2: only when a theme is named

        if find_theme(name) is None:
            self.diags.error("theme-unknown", f"Config value 'theme': unknown theme {name!r}; "
                             f"available: {', '.join(available_themes()) or '(none)'}", top.value_span("theme"),
                             "remove the key to use the default theme")
            return default  # reported once, here, not again by the renderer
        return name

    def map_view(self, m: PosDict) -> MapView:
        """`map: {tiles, attribution, max_zoom}`: tiles an http(s) URL template with {z}, {x} and {y};
        its host may hold Leaflet's {s}, which the map page fills with a, b or c (Leaflet's default)."""
        self.unknown_keys(m, _MAP_KEYS, "map.")
        v = MapView()
        tiles = (self.string(m, "tiles", "map.tiles", "") or "").strip()
        host = re.match(r"https?://([^/?#\s]*)(?:[/?#]|$)", tiles)
        if tiles and (not host or not re.fullmatch(r"[^{}]+", host[1].replace("{s}", "a"))
                      or not all(p in tiles for p in ("{z}", "{x}", "{y}"))):
            self.diags.error("config-value", "Config value 'map.tiles': expected an http(s) URL with {z}, {x} and {y} "
                             "(and a host, which may hold {s})",
                             m.value_span("tiles"), "e.g. https://tile.example/{z}/{x}/{y}.png or "
                             "https://{s}.tile.example/{z}/{x}/{y}.png")
            tiles = ""
        v.tiles = tiles
        v.attribution = self.string(m, "attribution", "map.attribution", "") or ""
        zoom = m.get("max_zoom", v.max_zoom)
        if isinstance(zoom, bool) or not isinstance(zoom, int) or not 0 <= zoom <= 24:
            self.type_error(m, "max_zoom", "map.max_zoom", "a whole number from 0 to 24", zoom)
        else:
            v.max_zoom = zoom
        return v

    def base_url(self, top: PosDict) -> str:
        url = self.string(top, "base_url", "base_url", "")
        url = (url or "").strip()
        if not url:
            return ""
        parts = urlsplit(url)
        if not parts.scheme or not parts.netloc:
            self.diags.error("config-value", f"Config value 'base_url': {url!r} is not an absolute URL",
                             top.value_span("base_url"), "write it with its scheme, e.g. https://user.github.io/repo/")
            return ""
        return url if url.endswith("/") else url + "/"

    def schema(self, m: PosDict) -> Schema:
        self.unknown_keys(m, _SCHEMA_KEYS, "schema.")
        schema = Schema()
        for section in _SCHEMA_KEYS:
            entries = self.mapping(m, section, f"schema.{section}")
            if entries is None:
                continue
            target = getattr(schema, section)
            for type_id, entry in entries.items():
                dotted = f"schema.{section}.{type_id}"
                if entry is None:
                    entry = PosDict(span=entries.value_span(type_id))
                elif not isinstance(entry, PosDict):
                    self.type_error(entries, type_id, dotted, "a mapping", entry)
                    continue
                self.unknown_keys(entry, _ENTRY_KEYS[section], dotted + ".")
                target[str(type_id)] = getattr(self, section)(str(type_id), entry, dotted)
        return schema

    def topic_types(self, type_id: str, e: PosDict, dotted: str) -> TopicType:
        color = self.string(e, "color", dotted + ".color", None)
        if color is not None and not is_color(color):
            self.diags.error("config-value", f"Config value '{dotted}.color': '{cut(color)}' is not a colour",
                             e.value_span("color"), "write #rrggbb, #rgb or a CSS colour name such as teal")
            color = None
        shape = self.string(e, "shape", dotted + ".shape", None)
        if shape is not None and shape not in SHAPES:
            close = difflib.get_close_matches(shape, sorted(SHAPES), n=1, cutoff=0.6)
            suggestion = f", did you mean '{close[0]}'?" if close else ""
            self.diags.error("config-value", f"Config value '{dotted}.shape': unknown shape '{cut(shape)}'{suggestion}",
                             e.value_span("shape"), f"use one of {', '.join(sorted(SHAPES))}")
            shape = None
        return TopicType(type_id, self.string(e, "label", dotted + ".label", None), color, shape)

    def role_types(self, type_id: str, e: PosDict, dotted: str) -> RoleType:
        return RoleType(type_id, self.string(e, "label", dotted + ".label", None))

    def association_types(self, type_id: str, e: PosDict, dotted: str) -> AssociationType:
        at = AssociationType(type_id, self.string(e, "label", dotted + ".label", None))
        roles = self.string_list(e, "roles", dotted + ".roles")
        if roles is not None:
            if roles:
                at.roles = roles
            else:
                self.type_error(e, "roles", dotted + ".roles", "a non-empty list of role types", roles)
        reading = self.mapping(e, "reading", dotted + ".reading")
        for role, text in (reading or {}).items():
            if not isinstance(text, str):
                self.type_error(reading, role, f"{dotted}.reading.{role}", "a string", text)
            elif role not in at.roles:
                self.diags.error("config-value", f"Config value '{dotted}.reading.{role}': "
                                 f"'{role}' is not one of the roles ({', '.join(at.roles)})",
                                 reading.key_span(role))
            else:
                at.reading[str(role)] = text
        return at

    def occurrence_types(self, type_id: str, e: PosDict, dotted: str) -> OccurrenceType:
        ot = OccurrenceType(type_id, self.string(e, "label", dotted + ".label", None))
        datatype = self.string(e, "datatype", dotted + ".datatype", None)
        if datatype is not None:
            if datatype in DATATYPES or ":" in datatype:
                ot.datatype = DATATYPES.get(datatype, datatype)
            else:
                close = difflib.get_close_matches(datatype, list(DATATYPES), n=1, cutoff=0.6)
                suggestion = f", did you mean '{close[0]}'?" if close else ""
                self.diags.error("config-value", f"Config value '{dotted}.datatype': unknown datatype "
                                 f"'{datatype}'{suggestion}", e.value_span("datatype"),
                                 f"use one of {', '.join(DATATYPES)}, or a full IRI")
        return ot


def _value_spans(top: PosDict) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    for key, value in top.items():
        where = top.value_span(key)
        if where is not None:
            spans[str(key)] = where
        if isinstance(value, PosList):
            for i in range(len(value)):
                spans[f"{key}[{i}]"] = value.item_span(i)
    return spans


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))
