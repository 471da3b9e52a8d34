"""The timeline JSON: topics' date occurrences as points and ranges, for timeline.js (vis-timeline).

Which occurrences count: datatype xsd:date or xsd:dateTime, except the note-keeping types that
other tools put in front matter (`date`, `created`, `updated`, `modified`, `lastmod`) unless the
schema declares that type in `occurrence_types` (then the author means it).

A range is a pair of a topic's date occurrences whose types make a start and an end:
- a known pair: born/died, birth/death, start/end, begin/end, from/to, opened/closed,
  founded/dissolved, built/demolished, started/ended, began/ended;
- or two types that differ only by a `start`/`end` (or `begin`/`end`, `from`/`to`) part:
  `reign-start`/`reign-end`, `start-of-war`/`end-of-war`, `construction-from`/`construction-to`.
The first start pairs with the first end; an end before its start leaves both as points.
Every other date occurrence is a point. Format: docs/views.md.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from .config import Config
from .graphdata import topic_url
from .model import STANDARD_TOPICS, XSD_DATE, XSD_DATETIME, Occurrence, TopicMap

TIMELINE_PATH = "timeline/items.json"
FORMAT_VERSION = 1
NOTE_DATES = frozenset({"date", "created", "updated", "modified", "lastmod"})
KNOWN_PAIRS = {
    "born": "died", "birth": "death", "start": "end", "begin": "end", "from": "to", "opened": "closed",
    "founded": "dissolved", "built": "demolished", "started": "ended", "began": "ended",
}
_PARTS = {"start": "end", "begin": "end", "from": "to"}
_SPLIT = re.compile(r"[-_ ]")
_DATE = re.compile(r"^-?\d{4,}(-\d\d(-\d\d)?)?([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$")


def occurrence_type_label(tm: TopicMap, config: Config, type_id: str) -> str:
    """An occurrence type as readers see it, as on topic pages: the schema's label, else the type
    topic's name, else its id as words (first-lecture -> first lecture)."""
    ot = config.schema.occurrence_types.get(type_id)
    if ot and ot.label:
        return ot.label
    return tm.label(type_id)


def end_type_for(start: str) -> list[str]:
    """The occurrence types that would end a range started by an occurrence of type `start`."""
    out = []
    if start in KNOWN_PAIRS:
        out.append(KNOWN_PAIRS[start])
    parts = _SPLIT.split(start)
    for i, p in enumerate(parts):
        if p in _PARTS and len(parts) > 1:
            seps = _SPLIT.findall(start)
            swapped = parts[:i] + [_PARTS[p]] + parts[i + 1:]
            out.append("".join(x + (seps[k] if k < len(seps) else "") for k, x in enumerate(swapped)))
    return out


def is_timeline_date(o: Occurrence, config: Config) -> bool:
    if o.datatype not in (XSD_DATE, XSD_DATETIME) or not _DATE.match(o.value):
        return False
    return o.type not in NOTE_DATES or o.type in config.schema.occurrence_types


def pair_dates(dates: list[Occurrence]) -> tuple[list[tuple[Occurrence, Occurrence]], list[Occurrence]]:
    """A topic's date occurrences as (start, end) ranges and the points left over."""
    used: set[int] = set()
    ranges = []
    for i, o in enumerate(dates):
        if i in used:
            continue
        ends = end_type_for(o.type)
        if not ends:
            continue
        for j, e in enumerate(dates):
            if j not in used and j != i and e.type in ends:
                if _sortable(e.value) >= _sortable(o.value):
                    ranges.append((o, e))
                    used.update((i, j))
                break
    return ranges, [o for i, o in enumerate(dates) if i not in used]


def _sortable(value: str) -> str:
    return value.replace(" ", "T")


def timeline_items(tm: TopicMap, config: Config, url_for: Callable[[str], str] = topic_url) -> list[dict]:
    """Items sorted by (start, topic id): {id, topic, label, start, end?, kind, type, url, group?}.

    `label` is the topic's name (text, never HTML); `type`/`endType` the occurrence types' labels.
    """
    def occ_label(type_id: str) -> str:
        return occurrence_type_label(tm, config, type_id)

    items = []
    for t in tm.topics.values():
        if t.id in STANDARD_TOPICS or t.draft or not t.occurrences:
            continue
        dates = [o for o in t.occurrences if is_timeline_date(o, config)]
        if not dates:
            continue
        ranges, points = pair_dates(dates)
        for start, end in ranges:
            items.append({"topic": t.id, "label": t.name, "start": _sortable(start.value), "end": _sortable(end.value),
                          "kind": "range", "type": occ_label(start.type), "endType": occ_label(end.type),
                          "url": url_for(t.id)})
        for o in points:
            items.append({"topic": t.id, "label": t.name, "start": _sortable(o.value), "kind": "point",
                          "type": occ_label(o.type), "url": url_for(t.id)})
    items.sort(key=lambda it: (it["start"], it["topic"], it.get("end", "")))
    for i, it in enumerate(items):
        it["id"] = i
    return items


def timeline_files(tm: TopicMap, config: Config, url_for: Callable[[str], str] = topic_url) -> dict[str, bytes]:
    """Site path -> bytes: TIMELINE_PATH."""
    data = {"version": FORMAT_VERSION, "items": timeline_items(tm, config, url_for)}
    return {TIMELINE_PATH: json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")}
