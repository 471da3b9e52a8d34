"""The map JSON: topics' geo occurrences ("lat,lon") as points, for map.js (Leaflet).

Tiles are off unless ctxgen.yaml configures a tile server (`map: {tiles, attribution}`): the
tile server is the one outside address a built site may contact. Format: docs/views.md.
"""
from __future__ import annotations

import json
import math
from typing import Callable

from .config import Config
from .graphdata import topic_url
from .model import GEO, INSTANCE, STANDARD_TOPICS, TYPE, TYPE_INSTANCE, TopicMap
from .timeline import occurrence_type_label

MAP_PATH = "map/points.json"
FORMAT_VERSION = 1


def parse_point(value: str) -> tuple[float, float] | None:
    """(lat, lon) from "lat,lon" in decimal degrees, or None when it is not a point on Earth."""
    parts = value.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def map_points(tm: TopicMap, config: Config, url_for: Callable[[str], str] = topic_url) -> list[dict]:
    """One point per geo occurrence, sorted by topic id: {topic, label, lat, lon, type, url, color?}."""
    first_type: dict[str, str] = {}
    for a in tm.associations:
        if a.type == TYPE_INSTANCE and not a.scope:
            roles = {r.type: r.player for r in a.roles}
            if INSTANCE in roles and TYPE in roles:
                first_type.setdefault(roles[INSTANCE], roles[TYPE])

    def occ_label(type_id: str) -> str:
        return occurrence_type_label(tm, config, type_id)

    points = []
    for t in sorted(tm.topics.values(), key=lambda t: t.id):
        if t.id in STANDARD_TOPICS or t.draft:
            continue
        for o in t.occurrences:
            if o.datatype != GEO:
                continue
            p = parse_point(o.value)
            if p is None:
                continue
            point = {"topic": t.id, "label": t.name, "lat": p[0], "lon": p[1], "type": occ_label(o.type),
                     "url": url_for(t.id)}
            tt = config.schema.topic_types.get(first_type.get(t.id, ""))
            if tt is not None and tt.color:
                point["color"] = tt.color
            points.append(point)
    return points


def map_files(tm: TopicMap, config: Config, url_for: Callable[[str], str] = topic_url) -> dict[str, bytes]:
    """Site path -> bytes: MAP_PATH. The tile settings go into the map page, not this file."""
    data = {"version": FORMAT_VERSION, "points": map_points(tm, config, url_for)}
    return {MAP_PATH: json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")}
