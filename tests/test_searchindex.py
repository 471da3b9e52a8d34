"""searchindex: the document list the theme's search loads (format in docs/graph-json.md)."""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from ctxgen.config import Config, Schema, TopicType
from ctxgen.diagnostics import Span
from ctxgen.model import Body, Name, Topic, TopicMap, Variant
from ctxgen.searchindex import SEARCH_INDEX_PATH, excerpt, search_documents, search_files
from ctxgen.source import RenderedBody


def sample_map() -> TopicMap:
    tm = TopicMap()
    body = Body("x", Span("ada.md"), rendered=RenderedBody("<p>x</p>", text="Ada  wrote\nthe   first program."))
    tm.add_topic(Topic("ada", names=[Name("Ada Lovelace"), Name("Augusta Ada King", variants=[Variant("Lovelace, Ada")]),
                                     Name("Ada Lovelace")], body=body))
    tm.add_topic(Topic("person", names=[Name("Person")]))
    tm.add_type("ada", "person")
    tm.add_type("ada", "mathematician")
    tm.add_topic(Topic("café", names=[Name("<b>Café</b>")]))
    return tm


def test_documents():
    config = Config(schema=Schema(topic_types={"person": TopicType("person", label="Human")}))
    docs = search_documents(sample_map(), config)
    assert [d["id"] for d in docs] == ["ada", "café", "mathematician", "person"]  # tm: topics left out
    assert docs[0] == {"id": "ada", "name": "Ada Lovelace", "aliases": ["Augusta Ada King", "Lovelace, Ada"],
                       "types": ["Human", "mathematician"], "url": "ada/", "text": "Ada wrote the first program."}
    assert docs[1] == {"id": "café", "name": "<b>Café</b>", "url": "caf%C3%A9/"}  # empty keys left out


def test_file_is_compact_sorted_json():
    files = search_files(sample_map(), Config())
    assert list(files) == [SEARCH_INDEX_PATH]
    data = files[SEARCH_INDEX_PATH]
    index = json.loads(data)
    assert index["version"] == 1 and len(index["documents"]) == 4
    assert data == json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert search_files(sample_map(), Config()) == files


def test_excerpt_cuts_at_a_word():
    assert excerpt("one two three four", 9) == "one two…"
    assert excerpt("  short  text ", 50) == "short text"
    assert excerpt("x" * 30, 10) == "x" * 10 + "…"


@given(st.text(), st.integers(1, 80))
def test_excerpt_is_a_prefix_within_the_limit(text, limit):
    out = excerpt(text, limit)
    collapsed = " ".join(text.split())
    body = out[:-1] if out.endswith("…") and out != collapsed else out
    assert len(body) <= limit
    assert collapsed.startswith(body)
