"""Top-level keys ctxgen does not know are properties (as in Obsidian): occurrences typed by the key."""
from __future__ import annotations

from pathlib import Path

from ctxgen.api import load_map
from ctxgen.model import XSD_ANYURI, XSD_DATE, XSD_DECIMAL, XSD_INTEGER, XSD_STRING

from support import first_lines as lines, write_files as write


def occs(tm, tid):
    return [(o.type, o.value, o.datatype) for o in tm.topics[tid].occurrences]


def test_scalar_and_list_properties_become_occurrences(tmp_path):
    write(tmp_path, {"plugin.md": (
        "---\ntitle: Plugin\nenabled: true\nrequired: no\nrepository: https://github.com/x/y\n"
        "new-in-v5: 2024-01-02\nstars: 12\nratio: 0.5\nstage: [alpha, beta]\nstatus:\n---\n")})
    r = load_map(tmp_path)
    assert lines(r) == []
    assert occs(r.topic_map, "plugin") == [
        ("enabled", "true", XSD_STRING),
        ("required", "false", XSD_STRING),
        ("repository", "https://github.com/x/y", XSD_ANYURI),
        ("new-in-v5", "2024-01-02", XSD_DATE),
        ("stars", "12", XSD_INTEGER),
        ("ratio", "0.5", XSD_DECIMAL),
        ("stage", "alpha", XSD_STRING),
        ("stage", "beta", XSD_STRING),
    ]
    # the key's type is an implicit occurrence type topic
    assert r.topic_map.topics["enabled"].implicit


def test_near_misses_mappings_and_other_schema_types_still_warn(tmp_path):
    write(tmp_path, {
        "a.md": "---\ntitle: A\ntpye: person\nkeys: {a: 1}\nlist: [{a: 1}]\nwrote: b\n---\n",
        "b.md": "# B\n",
        "ctxgen.yaml": "schema:\n  association_types:\n    wrote: {roles: [author, work]}\n",
    })
    r = load_map(tmp_path)
    assert lines(r) == [
        "a.md:3:1: warning[unknown-key]: unknown key 'tpye', did you mean 'type'?",
        "a.md:4:1: warning[unknown-key]: unknown key 'keys': a property is a value or a list of values, not a mapping",
        "a.md:5:1: warning[unknown-key]: unknown key 'list': a property is a value or a list of values, not a mapping",
        "a.md:6:1: warning[unknown-key]: unknown key 'wrote': the schema declares it as another kind of type",
    ]
    assert "occurrences:" in r.diagnostics.sorted()[1].hint
    assert occs(r.topic_map, "a") == []


def test_property_values_are_checked_against_the_schema_datatype(tmp_path):
    write(tmp_path, {
        "a.md": "---\nborn: not a date\nhomepage: https://a.example\n---\n",
        "ctxgen.yaml": "schema:\n  occurrence_types:\n    born: {datatype: date}\n",
    })
    r = load_map(tmp_path)
    assert lines(r) == ["a.md:2:7: error[invalid-value]: born: 'not a date' is not a date (YYYY-MM-DD)"]
    assert occs(r.topic_map, "a") == [("homepage", "https://a.example", XSD_ANYURI)]


def test_a_property_key_names_its_type_by_id_not_by_file_name(tmp_path):
    write(tmp_path, {"tags/status.md": "# Status\n", "status.md": "# The status type\n",
                     "a.md": "---\nstatus: done\n---\n", "b.md": "---\nstatus2: x\n---\n"})
    tm = load_map(tmp_path).topic_map
    assert occs(tm, "a") == [("status", "done", XSD_STRING)]
    assert tm.topics["status"].source == "status.md"


def test_quartz_plugin_pages_build_without_unknown_keys():
    root = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "quartz-docs"
    if not root.is_dir():
        import pytest
        pytest.skip("corpus not present")
    r = load_map(root)
    assert [d for d in r.diagnostics.sorted() if d.code == "unknown-key"] == []
    enabled = [t.id for t in r.topic_map.topics.values() if any(o.type == "enabled" for o in t.occurrences)]
    assert len(enabled) >= 40


def test_an_impossible_date_is_one_error_with_a_hint(tmp_path):
    """YAML's own "could not read as a date; kept as text / quote it" would contradict the error."""
    write(tmp_path, {"a.md": "---\nborn: 1815-13-10\noccurrences:\n  died: 1852-02-30\n---\n"})
    r = load_map(tmp_path)
    assert [(d.format()) for d in r.diagnostics.sorted()] == [
        "a.md:2:7: error[invalid-value]: born: '1815-13-10' is not a date (YYYY-MM-DD)\n"
        "  hint: write a date as YYYY-MM-DD with a real month and day, e.g. 1815-12-10",
        "a.md:4:9: error[invalid-value]: occurrences.died: '1852-02-30' is not a date (YYYY-MM-DD)\n"
        "  hint: write a date as YYYY-MM-DD with a real month and day, e.g. 1815-12-10",
    ]
    assert [d.code for s in r.sources for d in s.diagnostics] == []  # the preview shows a file's own list


def test_an_unquoted_wikilink_in_front_matter_gets_a_hint(tmp_path):
    write(tmp_path, {"a.md": "---\ntype: [[person]]\nassociations:\n  wrote: [[b]]\n---\n",
                     "n.md": "---\noccurrence: [[bio]]\ntopic: a\n---\nx\n"})
    r = load_map(tmp_path)
    assert [d.format() for d in r.diagnostics.sorted()] == [
        'a.md:2:8: error[wrong-type]: type[0]: expected text, got a list\n  hint: write "[[person]]" in quotes, or just person',
        'a.md:4:11: error[wrong-type]: associations.wrote[0]: expected text, got a list\n  hint: write "[[b]]" in quotes, or just b',
        'n.md:2:13: error[wrong-type]: occurrence: expected text, got a list\n  hint: write "[[bio]]" in quotes, or just bio',
    ]


def test_links_in_properties_are_associations_typed_by_the_key(tmp_path):
    """Obsidian links from properties (`up: "[[Projects]]"`): each link an association of the key's
    type, each other value an occurrence, as under `associations:` and `occurrences:`."""
    write(tmp_path, {
        "Projects/Plan.md": '---\nup: "[[Projects/Overview]]"\nrelated: ["[[Target]]", plain text]\n'
                            'author: "[[Jane Doe]]"\n---\nx\n',
        "Projects/Overview.md": "# Overview\n", "Target.md": "t\n", "Jane Doe.md": "j\n",
    })
    r = load_map(tmp_path)
    assert [d.format() for d in r.diagnostics.sorted() if d.severity.value != "note"] == []
    tm = r.topic_map
    pairs = sorted((a.type, [(x.type, x.player) for x in a.roles]) for a in tm.associations if a.type in ("up", "related", "author"))
    assert pairs == [
        ("author", [("subject", "projects/plan"), ("object", "jane-doe")]),
        ("related", [("subject", "projects/plan"), ("object", "target")]),
        ("up", [("subject", "projects/plan"), ("object", "projects/overview")]),
    ]
    assert [(o.type, o.value) for o in tm["projects/plan"].occurrences] == [("related", "plain text")]


def test_a_link_in_a_property_the_schema_makes_an_occurrence_type_stays_text(tmp_path):
    write(tmp_path, {"a.md": '---\nsource: "[[b]]"\n---\n', "b.md": "b\n",
                     "ctxgen.yaml": "schema:\n  occurrence_types:\n    source: {}\n"})
    tm = load_map(tmp_path).topic_map
    assert [(o.type, o.value) for o in tm["a"].occurrences] == [("source", "[[b]]")]
    assert not [a for a in tm.associations if a.type == "source"]


def test_an_unquoted_link_in_a_property_gets_the_quoting_hint(tmp_path):
    write(tmp_path, {"a.md": "---\nup: [[Projects]]\n---\n"})
    assert [d.format() for d in load_map(tmp_path).diagnostics.sorted()] == [
        "a.md:2:1: warning[unknown-key]: unknown key 'up': a property is a value or a list of values, not a list\n"
        '  hint: write "[[Projects]]" in quotes to link it, or just Projects']


def test_subject_in_plain_words_is_a_property_and_a_uri_an_identifier(tmp_path):
    """Vaults write `subject: Biology`; only a URI (or what is plainly one missing its scheme) is
    read as a subject identifier, so two notes on the same subject do not merge."""
    write(tmp_path, {
        "cells.md": "---\nsubject: Biology\n---\n",
        "light.md": "---\nsubject: [Biology, https://example.org/photosynthesis]\n---\n",
        "typo.md": "---\nsubject: en.wikipedia.org/wiki/Biology\n---\n",
    })
    r = load_map(tmp_path)
    assert [d.format() for d in r.diagnostics.sorted()] == [
        "typo.md:2:10: error[invalid-uri]: subject: 'en.wikipedia.org/wiki/Biology' is not an absolute URI\n"
        "  hint: write the scheme, e.g. https://..."]
    tm = r.topic_map
    assert "cells" in tm.topics and "light" in tm.topics
    assert [(o.type, o.value) for o in tm["cells"].occurrences] == [("subject", "Biology")]
    assert tm["light"].subject_identifiers == ["https://example.org/photosynthesis"]
    assert [(o.type, o.value) for o in tm["light"].occurrences] == [("subject", "Biology")]


def test_obsidian_legacy_alias_and_tag_keys(tmp_path):
    write(tmp_path, {"a.md": "---\nalias: Alpha\ntag: [one, '#two']\n---\n", "b.md": "[[Alpha]]\n"})
    r = load_map(tmp_path)
    assert [d.code for d in r.diagnostics.sorted() if d.severity.value != "note"] == []
    tm = r.topic_map
    assert [n.value for n in tm["a"].names] == ["a", "Alpha"] and tm["a"].tags == ["one", "two"]
    assert [m.target for m in tm.mentions if m.source == "b"] == ["a"]


def test_only_near_certain_typos_of_keys_are_dropped(tmp_path):
    """`related` is two letters from `created`: a property of its own, not a typo."""
    write(tmp_path, {"a.md": "---\ntittle: A\nrelated: b\nauthor: Jane\nurl: https://example.org/a\n---\n"})
    r = load_map(tmp_path)
    assert [d.format() for d in r.diagnostics.sorted()] == [
        "a.md:2:1: warning[unknown-key]: unknown key 'tittle', did you mean 'title'?\n  hint: put your own data under `extra:`"]
    assert [(o.type, o.value) for o in r.topic_map["a"].occurrences] == [
        ("related", "b"), ("author", "Jane"), ("url", "https://example.org/a")]
