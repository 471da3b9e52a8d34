"""The model stage on small maps written as files: what each front matter key becomes."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from ctxgen.api import load_map
from ctxgen.config import AssociationType, Config, OccurrenceType, Schema
from ctxgen.diagnostics import Diagnostics, Span
from ctxgen.model import TYPE_INSTANCE, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_DECIMAL, XSD_INTEGER, XSD_STRING
from ctxgen.modeler import build_topic_map
from ctxgen.source import SourceFile
from support import first_lines as lines, write_files as write


ADA = """---
title: Ada Lovelace
aliases: [Augusta Ada King]
names:
  - value: Augusta Ada King, Countess of Lovelace
    type: full-name
    scope: [formal]
    variants:
      - {value: "Lovelace, Ada", scope: [sort]}
type: person
subject: https://www.wikidata.org/wiki/Q7259
tags: [computing, "#history"]
occurrences:
  born: 1815-12-10
  homepage: https://example.org/ada
  height: 1.65
  children: 3
  portrait: {file: ../images/ada.png}
  nickname:
    - {value: Enchantress of Numbers, scope: [popular]}
associations:
  collaborated-with: charles-babbage
  wrote: [notes]
description: Mathematician
created: 1595961348801
---
# Ignored because the title wins

Works with [[Charles Babbage]] on ![[notes]] #engines.
"""


@pytest.fixture
def pioneers(tmp_path):
    write(tmp_path, {
        "people/ada.md": ADA,
        "people/charles-babbage.md": "# Charles Babbage\n\nSee [[ada#Early life]].\n",
        "notes.md": "Notes on the engine.\n",
        "person.md": "---\nsupertypes: [agent]\n---\n",
        "images/ada.png": "png",
        "collab.md": "---\nassociation: collaborated-with\nroles:\n  collaborator: [people/ada, charles-babbage]\n"
                     "scope: [historical]\ntitle: The collaboration\n---\nHow they worked [[notes]].\n",
        "bio.md": "---\noccurrence: biography\ntopic: Ada Lovelace\nscope: [long]\n---\nEarly life of [[charles-babbage]].\n",
        "ctxgen.yaml": "schema:\n  association_types:\n    wrote: {roles: [author, work]}\n",
    })
    return load_map(tmp_path)


def test_names_types_identifiers_tags(pioneers):
    tm = pioneers.topic_map
    ada = tm["people/ada"]
    assert ada.name == "Ada Lovelace"
    assert [n.value for n in ada.names] == ["Ada Lovelace", "Augusta Ada King", "Augusta Ada King, Countess of Lovelace"]
    full = ada.names[2]
    assert full.type == "full-name" and full.scope == {"formal"}
    assert full.variants[0].value == "Lovelace, Ada" and full.variants[0].scope == {"sort"}
    assert tm.types_of("people/ada") == ["person"]
    assert tm.supertypes_of("person") == ["agent"]
    assert ada.subject_identifiers == ["https://www.wikidata.org/wiki/Q7259"]
    assert ada.tags == ["computing", "history", "engines"]
    assert tm["notes"].name == "notes"  # no title, no H1: the file name
    assert tm["people/charles-babbage"].name == "Charles Babbage"  # the first H1


def test_occurrences_and_datatypes(pioneers):
    occ = {(o.type, o.value): o for o in pioneers.topic_map["people/ada"].occurrences}
    assert occ["born", "1815-12-10"].datatype == XSD_DATE
    assert occ["homepage", "https://example.org/ada"].datatype == XSD_ANYURI
    assert occ["height", "1.65"].datatype == XSD_DECIMAL
    assert occ["children", "3"].datatype == XSD_INTEGER
    assert occ["portrait", "images/ada.png"].datatype == XSD_ANYURI
    assert occ["nickname", "Enchantress of Numbers"].scope == {"popular"}
    assert occ["description", "Mathematician"].datatype == XSD_STRING
    assert occ["created", "2020-07-28T18:35:48Z"].datatype == XSD_DATETIME  # Dendron's Unix ms
    note = occ["biography", "Early life of charles-babbage."]
    assert note.scope == {"long"} and note.note is not None


def test_associations_short_full_and_files(pioneers):
    tm = pioneers.topic_map
    got = sorted(
        (a.type, tuple(sorted((r.type, r.player) for r in a.roles)), a.reifier, tuple(sorted(a.scope)))
        for a in tm.associations if a.type != TYPE_INSTANCE and not a.type.startswith("tm:")
    )
    assert got == [
        ("collaborated-with", (("collaborator", "people/ada"), ("collaborator", "people/charles-babbage")), "collab", ("historical",)),
        ("collaborated-with", (("object", "people/charles-babbage"), ("subject", "people/ada")), None, ()),
        ("wrote", (("author", "people/ada"), ("work", "notes")), None, ()),
    ]
    assert tm["collab"].name == "The collaboration"


def test_body_links_become_targets_and_mentions(pioneers):
    tm = pioneers.topic_map
    ada = tm["people/ada"]
    targets = [ada.body.targets[link.hole] for link in ada.body.rendered.links]
    assert [t.topic for t in targets] == ["people/charles-babbage", "notes"]
    mentions = sorted((m.source, m.target, m.embed) for m in tm.mentions)
    assert ("people/ada", "notes", True) in mentions
    assert ("people/ada", "people/charles-babbage", False) in mentions
    assert ("collab", "notes", False) in mentions
    assert ("people/ada", "people/charles-babbage", False) in mentions  # from the note file, on Ada's behalf
    assert sum(1 for m in mentions if m[0] == "people/ada") == 3


def test_clean_map_has_only_the_expected_warnings(pioneers):
    # `charles-babbage` in collab.md resolves by file name; historical/long/formal/... are scopes without files
    assert [ln.split(": ", 1)[1] for ln in lines(pioneers)] == [
        "warning[unknown-scope]: scope 'long' is not a topic of the map",
        "warning[unknown-scope]: scope 'historical' is not a topic of the map",
        "warning[unknown-scope]: scope 'formal' is not a topic of the map",
        "warning[unknown-scope]: scope 'sort' is not a topic of the map",
        "warning[unknown-scope]: scope 'popular' is not a topic of the map",
    ]


def test_id_override_and_merging_by_subject_identifier(tmp_path):
    write(tmp_path, {
        "a.md": "---\nid: ada\nsubject: https://example.org/ada\n---\n",
        "b.md": "---\ntitle: Countess\nsubject: https://example.org/ada\n---\nSee [[ada]].\n",
        "c.md": "[[b]]\n",
    })
    r = load_map(tmp_path)
    tm = r.topic_map
    assert "ada" in tm and "b" in tm and tm["b"] is tm["ada"]
    assert [n.value for n in tm["ada"].names] == ["a", "Countess"]
    assert [(m.source, m.target) for m in tm.mentions] == [("c", "ada")]  # b's [[ada]] is now a self-link
    assert not r.diagnostics.has_errors()


def test_drafts_are_dropped_unless_asked(tmp_path):
    write(tmp_path, {"a.md": "---\ndraft: true\n---\n", "b.md": "[[a]]\n"})
    assert "a" not in load_map(tmp_path).topic_map
    with_drafts = load_map(tmp_path, drafts=True)
    assert with_drafts.topic_map["a"].draft
    assert [m.target for m in with_drafts.topic_map.mentions] == ["a"]


def test_schema_roles_and_datatypes(tmp_path):
    sources = [SourceFile("a.md", front={"occurrences": {"born": "1815"}, "associations": {"wrote": "b"}}, body="")]
    config = Config(schema=Schema(
        association_types={"wrote": AssociationType("wrote", roles=["author", "work"])},
        occurrence_types={"born": OccurrenceType("born", datatype=XSD_DATE)},
    ))
    diags = Diagnostics()
    tm = build_topic_map(sources, config, diags)  # plain dicts: spans fall back to the file
    assert [d.format() for d in diags.sorted()] == [
        "a.md:1:1: error[invalid-value]: occurrences.born: '1815' is not a date (YYYY-MM-DD)\n"
        "  hint: write a date as YYYY-MM-DD with a real month and day, e.g. 1815-12-10"]
    wrote = [a for a in tm.associations if a.type == "wrote"][0]
    assert [(r.type, r.player) for r in wrote.roles] == [("author", "a"), ("work", "b")]


def test_failed_sources_are_not_guessed(tmp_path):
    sources = [SourceFile("bad.md", failed=True), SourceFile("a.md", front={"type": "bad"}, body="")]
    diags = Diagnostics()
    tm = build_topic_map(sources, Config(), diags)
    assert "bad" in tm and tm["bad"].implicit
    assert [d.code for d in diags.items] == ["link-target-failed"]


def test_ten_thousand_topics_model_quickly():
    n = 10_000
    sources = []
    for i in range(n):
        front = {"title": f"Topic {i}", "type": "thing", "associations": {"next": f"t{(i + 1) % n}"}, "tags": ["x"]}
        sources.append(SourceFile(f"t{i}.md", front=front, body="", body_span=Span(f"t{i}.md", 4, 1)))
    t0 = time.perf_counter()
    tm = build_topic_map(sources, Config(), Diagnostics())
    elapsed = time.perf_counter() - t0
    assert len([t for t in tm.topics.values() if not t.implicit]) == n
    assert elapsed < 10.0, elapsed  # ~1 s on an idle core; O(n²) would take minutes
