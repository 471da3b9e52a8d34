"""timeline: which date occurrences make the timeline, how ranges are paired (docs/views.md)."""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from ctxgen.config import Config, OccurrenceType, Schema
from ctxgen.model import XSD_DATE, XSD_DATETIME, XSD_INTEGER, Name, Occurrence, Topic, TopicMap
from ctxgen.timeline import TIMELINE_PATH, end_type_for, pair_dates, timeline_files, timeline_items


def d(type_: str, value: str, datatype: str = XSD_DATE) -> Occurrence:
    return Occurrence(type_, value, datatype=datatype)


def test_end_types():
    assert end_type_for("born") == ["died"]
    assert end_type_for("start") == ["end"]
    assert end_type_for("reign-start") == ["reign-end"]
    assert end_type_for("start-of-war") == ["end-of-war"]
    assert end_type_for("construction_from") == ["construction_to"]
    assert end_type_for("published") == []
    assert end_type_for("restart") == []  # a part, not a substring


def test_pairs_first_start_with_first_end_and_leaves_points():
    born, died, pub = d("born", "1815-12-10"), d("died", "1852-11-27"), d("published", "1843-01-01")
    assert pair_dates([pub, died, born]) == ([(born, died)], [pub])
    early = d("died", "1700-01-01")
    assert pair_dates([born, early]) == ([], [born, early])  # an end before its start: two points
    s1, s2, e1 = d("reign-start", "1837-06-20"), d("reign-start", "1850-01-01"), d("reign-end", "1901-01-22")
    assert pair_dates([s1, s2, e1]) == ([(s1, e1)], [s2])


def sample() -> TopicMap:
    tm = TopicMap()
    tm.add_topic(Topic("ada", names=[Name("<b>Ada</b>")], occurrences=[
        d("born", "1815-12-10"), d("died", "1852-11-27"), d("logged", "1843-09-01T10:00:00", XSD_DATETIME),
        d("date", "2024-01-01"), d("year", "1843", XSD_INTEGER), d("born", "not a date")]))
    tm.add_topic(Topic("note", names=[Name("Note")], occurrences=[d("created", "2020-01-01")]))
    tm.add_topic(Topic("draft", names=[Name("Draft")], occurrences=[d("born", "1900-01-01")], draft=True))
    return tm


def test_items_from_dates_only_not_note_keeping():
    config = Config(schema=Schema(occurrence_types={"born": OccurrenceType("born", label="Born")}))
    items = timeline_items(sample(), config)
    assert items == [
        {"id": 0, "topic": "ada", "label": "<b>Ada</b>", "start": "1815-12-10", "end": "1852-11-27", "kind": "range",
         "type": "Born", "endType": "died", "url": "ada/"},
        {"id": 1, "topic": "ada", "label": "<b>Ada</b>", "start": "1843-09-01T10:00:00", "kind": "point",
         "type": "logged", "url": "ada/"},
    ]


def test_a_note_date_counts_when_the_schema_declares_it():
    config = Config(schema=Schema(occurrence_types={"created": OccurrenceType("created", datatype=XSD_DATE)}))
    assert [i["topic"] for i in timeline_items(sample(), config)] == ["ada", "ada", "note"]


def test_file_is_compact_json():
    files = timeline_files(sample(), Config())
    assert list(files) == [TIMELINE_PATH]
    data = json.loads(files[TIMELINE_PATH])
    assert data["version"] == 1 and len(data["items"]) == 2
    assert b"<b>Ada</b>" in files[TIMELINE_PATH]  # text, escaped by the browser's textContent


@given(st.lists(st.tuples(st.sampled_from(["born", "died", "start", "end", "x-start", "x-end", "other"]),
                          st.dates().map(str)), max_size=8))
def test_pairing_keeps_every_date_once_and_ranges_run_forwards(entries):
    dates = [d(t, v) for t, v in entries]
    ranges, points = pair_dates(dates)
    used = [o for r in ranges for o in r] + points
    assert sorted(map(id, used)) == sorted(map(id, dates))
    for start, end in ranges:
        assert end.type in end_type_for(start.type) and start.value <= end.value
