"""searchindex: the document list the theme's search loads (format in docs/graph-json.md)."""
from __future__ import annotations

import json

from hypothesis import given, strategies as st

from ctxgen.config import Config, Schema, TopicType
from ctxgen.diagnostics import Span
from ctxgen.model import XSD_ANYURI, Body, Name, Topic, TopicMap, Variant
from ctxgen.model import Occurrence
from ctxgen.searchindex import (DOCS_PER_CHUNK, SEARCH_INDEX_PATH, excerpt, search_documents, search_files,
                                 shard, shard_file, words)
from ctxgen.source import RenderedBody


def sample_map() -> TopicMap:
    tm = TopicMap()
    body = Body("x", Span("ada.md"), rendered=RenderedBody("<p>x</p>", text="Ada  wrote\nthe   first program."))
    tm.add_topic(Topic("ada", names=[Name("Ada Lovelace"), Name("Augusta Ada King", variants=[Variant("Lovelace, Ada")]),
                                     Name("Ada Lovelace")], body=body,
                      occurrences=[Occurrence("epithet", "Enchantress of Number"),
                                   Occurrence("article", "https://x.example/ada", datatype=XSD_ANYURI)]))
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
                       "types": ["Human", "mathematician"], "url": "ada/", "text": "Ada wrote the first program.",
                       "occurrences": ["Enchantress of Number"]}
    assert docs[1] == {"id": "café", "name": "<b>Café</b>", "url": "caf%C3%A9/"}  # empty keys left out


def shard_of(files: dict, kind: str, word: str) -> dict:
    """The shard a word lives in: the longest existing key that is a prefix of it (as search.js does)."""
    manifest = json.loads(files[SEARCH_INDEX_PATH])
    keys = [k for k in manifest["terms" if kind == "t" else "names"] if word.startswith(k)]
    return json.loads(files[shard_file(kind, max(keys, key=len))]) if keys else {}


def postings(files: dict, word: str) -> dict[int, int]:
    flat = shard_of(files, "t", word).get(word, [])
    return dict(zip(flat[::2], flat[1::2]))


def test_manifest_and_chunks():
    files = search_files(sample_map(), Config(schema=Schema(topic_types={"person": TopicType("person", label="Human")})))
    manifest = json.loads(files[SEARCH_INDEX_PATH])
    assert manifest["version"] == 2 and manifest["count"] == 4 and manifest["chunk"] == DOCS_PER_CHUNK
    assert manifest["types"] == ["Human", "mathematician"]
    assert manifest["docTypes"] == [[0, 1], [], [], []]
    chunk = json.loads(files["search/d/0.json"])
    assert [d["id"] for d in chunk] == ["ada", "café", "mathematician", "person"]
    assert "occurrences" not in chunk[0] and chunk[0]["text"] == "Ada wrote the first program."
    for key in manifest["terms"]:
        assert shard_file("t", key) in files
    assert set(files) == ({SEARCH_INDEX_PATH, "search/d/0.json"} | {shard_file("t", k) for k in manifest["terms"]}
                          | {shard_file("n", k) for k in manifest["names"]})
    assert search_files(sample_map(), Config()) == search_files(sample_map(), Config())  # deterministic


def test_every_field_is_searchable_and_names_rank_first():
    files = search_files(sample_map(), Config())
    assert set(postings(files, "program")) == {0}  # body only
    assert set(postings(files, "augusta")) == {0}  # an alias
    assert set(postings(files, "enchantress")) == {0}  # a text occurrence
    assert set(postings(files, "cafe")) == {1}  # folded: no accent, no markup
    assert set(postings(files, "ada")) == {0}
    assert postings(files, "lovelace")[0] > postings(files, "program")[0]  # name and alias boost
    assert postings(files, "nowhere") == {}


def test_names_shards_for_autocomplete():
    files = search_files(sample_map(), Config())
    assert shard_of(files, "n", "lovelace")["lovelace"] == [["Ada Lovelace", 0, "ada/"], ["Lovelace, Ada", 0, "ada/", "Ada Lovelace"]]
    assert shard_of(files, "n", "cafe")["cafe"] == [["<b>Café</b>", 1, "caf%C3%A9/"]]


def test_big_shards_split_by_longer_prefix():
    entries = {f"ab{c}{i}": [i] for c in "xyz" for i in range(40)} | {"ab": [1], "q": [2]}
    sizes = {k: 500 for k in entries}  # 40 terms a shard fit SHARD_BYTES, 120 do not
    shards = shard(entries, sizes)
    assert set(shards) == {"ab", "abx", "aby", "abz", "q"}
    assert shards["ab"] == {"ab": [1]}
    assert sum(len(v) for v in shards.values()) == len(entries)
    for key, part in shards.items():
        assert all(term.startswith(key) for term in part)


@given(st.text())
def test_fast_tokenizer_agrees_with_words(text):
    """The byte fast path of the index and `words` (which search.js mirrors) split text alike."""
    from ctxgen.searchindex import _postings
    got = set(_postings([{"name": "", "id": "x"}], [text]))
    assert got == set(words(text))


def test_common_words_keep_their_best_documents(monkeypatch):
    import ctxgen.searchindex as si
    monkeypatch.setattr(si, "MAX_POSTINGS", 3)
    docs = [{"id": str(i), "name": f"n{i}"} for i in range(6)]
    texts = ["common " * (i + 1) + "filler " * 20 for i in range(6)]
    flat = si._postings(docs, texts)["common"]
    assert flat[::2] == [3, 4, 5]  # the most frequent uses, in document order


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
