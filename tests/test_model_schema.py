"""ctxgen.yaml's schema keys are references: they name the topics front matter names."""
from __future__ import annotations

from ctxgen.api import load_map

from support import first_lines as lines, write_files as write

SCHEMA = """schema:
  topic_types:
    person: {label: Person, color: "#d9480f"}
    work: {label: Work}
  association_types:
    wrote: {roles: [author, work], reading: {author: wrote, work: written by}}
  role_types:
    author: {label: Author}
  occurrence_types:
    born: {datatype: date}
"""


def test_schema_keys_resolve_like_front_matter_references(tmp_path):
    write(tmp_path, {
        "types/person.md": "# Person\n",
        "types/work.md": "# Work\n",
        "types/born.md": "# Born\n",
        "ada.md": "---\ntype: person\nassociations:\n  wrote: notes\noccurrences:\n  born: not a date\n---\n",
        "notes.md": "---\ntype: work\n---\n",
        "ctxgen.yaml": SCHEMA,
    })
    r = load_map(tmp_path)
    schema = r.config.schema
    assert list(schema.topic_types) == ["types/person", "types/work"]
    assert schema.topic_types["types/person"].id == "types/person"
    assert list(schema.occurrence_types) == ["types/born"]
    wrote = schema.association_types["wrote"]
    assert wrote.roles == ["author", "types/work"]
    assert wrote.reading == {"author": "wrote", "types/work": "written by"}
    # the schema's datatype applies to the type `born` resolves to
    assert lines(r) == ["ada.md:6:9: error[invalid-value]: occurrences.born: 'not a date' is not a date (YYYY-MM-DD)"]
    # the short form plays the schema's roles, the same topics `roles: {work: ...}` would name
    (a,) = [a for a in r.topic_map.associations if a.type == "wrote"]
    assert sorted((x.type, x.player) for x in a.roles) == [("author", "ada"), ("types/work", "notes")]
    assert "work" not in r.topic_map.topics  # no second, empty "Work"


def test_two_schema_keys_of_one_topic_warn(tmp_path):
    write(tmp_path, {
        "types/person.md": "# Person\n",
        "ctxgen.yaml": "schema:\n  topic_types:\n    person: {color: '#111111'}\n    types/person: {color: '#222222'}\n",
    })
    r = load_map(tmp_path)
    assert lines(r) == ["ctxgen.yaml:2:3: warning[schema-same-topic]: schema.topic_types: 'person' and 'types/person' "
                        "name the same topic 'types/person'; 'types/person' is ignored"]
    assert r.config.schema.topic_types["types/person"].color == "#111111"


def test_starter_map_colours_people_with_the_person_colour(tmp_path):
    """`ctxgen new`'s starter: `person` in the schema is types/person.md, which `type: person` names."""
    from ctxgen.diagnostics import Diagnostics
    from ctxgen.scaffold import create_map

    create_map(tmp_path / "m", Diagnostics())
    r = load_map(tmp_path / "m")
    person = r.config.schema.topic_types.get("types/person")
    assert person is not None and person.color == "#d9480f"
    assert "types/person" in r.topic_map.topics
    types = [t.id for t in r.topic_map.topics.values() if t.name == "Work" or t.id.endswith("work")]
    assert types == ["types/work"]  # the role `work` and the type are one topic


def test_a_role_the_schema_does_not_list_warns_with_a_did_you_mean(tmp_path):
    write(tmp_path, {
        "ctxgen.yaml": "schema:\n  association_types:\n    presented: {roles: [presenter, audience, venue]}\n"
                       "  role_types:\n    chair: {label: Chair}\n",
        "ada.md": "---\nassociations:\n  presented: {roles: {presenter: x, audince: charles-babbage, chair: y}}\n"
                  "  collaborated-with: {roles: {anything: x}}\n---\n",
        "talk.md": "---\nassociation: presented\nroles: {presenter: ada, venu: hall}\n---\n",
        "x.md": "# X\n", "y.md": "# Y\n", "charles-babbage.md": "# C\n", "hall.md": "# H\n",
    })
    r = load_map(tmp_path)
    assert lines(r) == [
        "ada.md:3:37: warning[unknown-role]: associations.presented.roles.audince: 'audince' is not a role of "
        "'presented' (presenter, audience, venue), did you mean 'audience'?",
        "talk.md:3:25: warning[unknown-role]: roles.venu: 'venu' is not a role of 'presented' (presenter, audience, venue), "
        "did you mean 'venue'?",
    ]
