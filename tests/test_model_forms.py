"""Association entry forms (binary full entries, lists of full entries under a type) and the
model's promise that every id it holds names a live topic."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ctxgen.api import load_map
from ctxgen.model import XSD_ANYURI, TopicMap
from support import first_lines as lines, write_files as write

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def binaries(tm: TopicMap, atype: str) -> list[tuple]:
    return sorted(tuple(sorted((r.type, r.player) for r in a.roles)) for a in tm.associations if a.type == atype)


def test_binary_full_entry_without_schema(tmp_path: Path):
    r = load_map(write(tmp_path, {
        "cache.md": "---\nassociations:\n  - {type: part-of, role: part, player: system}\n"
                    "  - {type: related-to, role: object, player: system}\n"
                    "occurrences:\n  - {type: repository, url: https://example.org/c}\n---\n",
        "system.md": "---\nassociations:\n  - {type: related-to, role: peer, player: cache}\n---\n",
    }))
    assert lines(r) == []
    tm = r.topic_map
    assert binaries(tm, "part-of") == [(("object", "system"), ("part", "cache"))]
    # the partner plays `object`, or `subject` when this topic plays `object`
    assert binaries(tm, "related-to") == [(("object", "cache"), ("peer", "system")), (("object", "cache"), ("subject", "system"))]
    assert [(o.type, o.value) for o in tm["cache"].occurrences] == [("repository", "https://example.org/c")]


def test_binary_full_entry_takes_the_partner_role_from_the_schema(tmp_path: Path):
    r = load_map(write(tmp_path, {
        "ctxgen.yaml": "schema:\n  association_types:\n    part-of: {roles: [part, whole]}\n    peers: {roles: [peer, peer]}\n",
        "cache.md": "---\nassociations:\n  - {type: part-of, role: part, player: system}\n"
                    "  - {type: part-of, role: whole, player: [line, page]}\n"
                    "  - {type: part-of, player: disk}\n"
                    "  - {type: peers, role: peer, player: system}\n---\n",
        "system.md": "x\n", "line.md": "x\n", "page.md": "x\n", "disk.md": "x\n",
    }))
    assert lines(r) == []
    assert binaries(r.topic_map, "part-of") == [
        (("part", "cache"), ("whole", "disk")),
        (("part", "cache"), ("whole", "system")),
        (("part", "line"), ("whole", "cache")),
        (("part", "page"), ("whole", "cache")),
    ]
    assert binaries(r.topic_map, "peers") == [(("peer", "cache"), ("peer", "system"))]


def test_binary_entry_with_roles_too_is_an_error(tmp_path: Path):
    r = load_map(write(tmp_path, {"a.md": "---\nassociations:\n  - {type: t, player: b, roles: {x: c}}\n---\n", "b.md": "x\n", "c.md": "x\n"}))
    assert lines(r) == ["a.md:3:5: error[conflicting-keys]: associations[0]: give either `player:` (binary) or `roles:`, not both"]


def test_list_of_full_entries_under_a_type_key(tmp_path: Path):
    r = load_map(write(tmp_path, {
        "ada.md": "---\nassociations:\n  wrote:\n    - {roles: {work: notes}}\n    - {role: author, player: sketch}\n    - memo\n---\n",
        "notes.md": "x\n", "sketch.md": "x\n", "memo.md": "x\n",
    }))
    assert lines(r) == []
    assert binaries(r.topic_map, "wrote") == [
        (("author", "ada"), ("object", "sketch")),
        (("object", "memo"), ("subject", "ada")),
        (("subject", "ada"), ("work", "notes")),
    ]


def dangling(tm: TopicMap) -> list[str]:
    """Every topic id held anywhere in the model that names no topic of `tm.topics`."""
    missing: list[str] = []

    def check(tid, what):
        if tid is not None and tid not in tm.topics:
            missing.append(f"{what} {tid}")

    for t in tm.topics.values():
        for n in t.names:
            check(n.type, "name type")
            check(n.reifier, "name reifier")
            for s in n.scope:
                check(s, "name scope")
            for v in n.variants:
                check(v.reifier, "variant reifier")
                for s in v.scope:
                    check(s, "variant scope")
        for o in t.occurrences:
            check(o.type, "occurrence type")
            check(o.reifier, "occurrence reifier")
            for s in o.scope:
                check(s, "occurrence scope")
    for a in tm.associations:
        check(a.type, "association type")
        check(a.reifier, "association reifier")
        for s in a.scope:
            check(s, "association scope")
        for r in a.roles:
            check(r.type, "role type")
            check(r.player, "role player")
            check(r.reifier, "role reifier")
    for m in tm.mentions:
        check(m.source, "mention source")
        check(m.target, "mention target")
    check(tm.reifier, "map reifier")
    return missing


def test_every_reference_names_a_live_topic_in_a_small_map(tmp_path: Path):
    r = load_map(write(tmp_path, {
        "a.md": "---\ntitle: A\ndescription: text\nnames:\n  - {value: A, type: nick, scope: [informal], variants: [{value: a, scope: [sort]}]}\n"
                "occurrences:\n  note: {value: x, scope: [draft-scope]}\n---\n",
    }))
    tm = r.topic_map
    assert dangling(tm) == []
    for tid in ("description", "nick", "informal", "sort", "note", "draft-scope", "tm:topic-name"):
        assert tm.topics[tid].implicit


def test_every_reference_names_a_live_topic_in_the_example_map():
    r = load_map(REPO / "example-map")
    assert r.ok
    assert dangling(r.topic_map) == []


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gc")
    subprocess.run([sys.executable, str(SHARED / "bench" / "gen_corpus.py"), "120", str(out), "--flavours", "ctxgen,quartz"],
                   check=True, capture_output=True)
    return out


@pytest.mark.parametrize("folder", ["ctxgen", "quartz/content"])
def test_generated_corpus_builds_cleanly_and_every_reference_is_live(generated: Path, folder: str):
    r = load_map(generated / folder)
    assert lines(r) == []
    tm = r.topic_map
    assert dangling(tm) == []
    # the canonical {type, role, player} entries: every one is a binary association
    assocs = [a for a in tm.associations if a.type not in ("tm:type-instance", "tm:supertype-subtype")]
    assert assocs and all(len(a.roles) == 2 and len({r.player for r in a.roles}) == 2 for a in assocs)
    stats = json.loads((generated / "corpus.json").read_text())
    assert len(assocs) == stats["associations"]
    assert sum(o.datatype == XSD_ANYURI for t in tm.topics.values() for o in t.occurrences) == stats["occurrences"]


def test_corpora_every_reference_is_live():
    for name in ("quartz-docs", "foam-docs", "dendron-vault"):
        root = SHARED / "corpora" / name
        if not root.is_dir():
            pytest.skip(f"{root} missing")
        assert dangling(load_map(root).topic_map) == [], name


def test_statement_keys_of_imported_maps(tmp_path: Path):
    r = load_map(write(tmp_path, {
        "ctxgen.yaml": "extra:\n  topic_map:\n    base_locator: file:///m.xtm\n    item_identifiers: [file:///m.xtm#map]\n",
        "a.md": "---\nnames: [{value: ' A ', item_identifiers: [file:///m.xtm#n], reifier: r,"
                " variants: [{value: '1', datatype: integer, scope: [s]}]}]\nreifies: map\n"
                "occurrences:\n  o: {value: '2020', datatype: string, reifier: nobody}\n"
                "associations:\n  t:\n    roles:\n      - {type: x, player: a, item_identifiers: [file:///m.xtm#role]}\n"
                "      - {type: tm:type, player: r, reifier: q}\n---\n",
        "r.md": "---\ntitle: R\n---\n", "q.md": "---\ntitle: Q\n---\n", "s.md": "---\ntitle: S\n---\n",
    }))
    assert lines(r) == ["a.md:5:14: warning[unknown-reifier]: reifier 'nobody' is not a topic of the map"]
    tm = r.topic_map
    a = tm["a"]
    assert [n.value for n in a.names] == [" A "]  # no default base name, text kept as written
    assert a.names[0].item_identifiers == ["file:///m.xtm#n"] and a.names[0].reifier == "r"
    assert [(v.value, v.datatype) for v in a.names[0].variants] == [("1", "http://www.w3.org/2001/XMLSchema#integer")]
    assert [(o.value, o.datatype, o.reifier) for o in a.occurrences] == [("2020", "http://www.w3.org/2001/XMLSchema#string", "nobody")]
    assert (tm.reifier, tm.base_locator, tm.item_identifiers) == ("a", "file:///m.xtm", ["file:///m.xtm#map"])
    (assoc,) = [x for x in tm.associations if x.type == "t"]
    assert sorted((ro.type, ro.player, ro.reifier, tuple(ro.item_identifiers)) for ro in assoc.roles) == [
        ("tm:type", "r", "q", ()), ("x", "a", None, ("file:///m.xtm#role",))]
    assert dangling(tm) == []
