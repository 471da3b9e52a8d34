"""validate(): dangling references, self and duplicate associations, cycles, orphans."""
from __future__ import annotations

from ctxgen.config import Config, Schema, TopicType
from ctxgen.diagnostics import Diagnostics, Span
from ctxgen.model import Association, Role, Topic, TopicMap
from ctxgen.validate import check_duplicates, validate


def topic_map(*ids: str) -> TopicMap:
    tm = TopicMap()
    for i in ids:
        tm.add_topic(Topic(i, source=f"{i}.md", span=Span(f"{i}.md")))
    return tm


def codes(diags: Diagnostics) -> list[str]:
    return [d.code for d in diags.sorted()]


def test_orphans_are_counted_not_warned():
    tm = topic_map("a", "b", "c", "lonely")
    tm.add_association(Association("knows", [Role("x", "a"), Role("y", "b")]))
    tm.add_type("lonely", "person")  # a type alone does not connect
    from ctxgen.model import Mention
    tm.mentions.append(Mention("c", "a", Span("c.md")))
    diags = Diagnostics()
    report = validate(tm, Config(), diags)
    assert report.orphans == ["lonely"] and report.orphan_count == 1
    assert codes(diags) == []


def test_a_misspelt_player_is_suggested_by_its_file_name_too():
    tm = topic_map("species/stickleback", "people/linnaeus")
    sp = Span("a.md", 2, 3)
    tm.add_association(Association("preys-on", [Role("predator", "species/stickleback", span=sp), Role("prey", "stickelback", span=sp)], span=sp))
    tm.add_association(Association("observed", [Role("observer", "linaeus", span=sp), Role("seen", "people/linnaeus", span=sp)], span=sp))
    diags = Diagnostics()
    validate(tm, Config(), diags)
    assert [d.message for d in diags.sorted() if d.code == "unknown-player"] == [
        "role player 'linaeus' is not a topic of the map; did you mean 'people/linnaeus'?",
        "role player 'stickelback' is not a topic of the map; did you mean 'species/stickleback'?",
    ]


def test_unknown_player_and_scope_with_suggestion_but_types_and_schema_topics_are_fine():
    tm = topic_map("ada", "charles-babbage")
    sp = Span("ada.md", 3, 5)
    tm.add_association(Association("knows", [Role("friend", "ada", span=sp), Role("friend", "charles-babage", span=sp)], frozenset({"formal"}), span=sp))
    tm.add_type("ada", "person")
    diags = Diagnostics()
    validate(tm, Config(schema=Schema(topic_types={"formal": TopicType("formal")})), diags)
    assert [d.format() for d in diags.sorted()] == [
        "ada.md:3:5: warning[unknown-player]: role player 'charles-babage' is not a topic of the map; did you mean 'charles-babbage'?"
        "\n  hint: create a file for it, or fix the reference"
    ]


def test_self_and_duplicate_associations():
    tm = topic_map("a", "b")
    tm.add_association(Association("knows", [Role("x", "a"), Role("y", "a")], span=Span("a.md", 2)))
    tm.add_association(Association("knows", [Role("x", "a"), Role("y", "b")], span=Span("a.md", 3)))
    tm.add_association(Association("knows", [Role("y", "b"), Role("x", "a")], span=Span("b.md", 4)))
    diags = Diagnostics()
    validate(tm, Config(), diags)
    assert codes(diags) == ["self-association", "duplicate-association"]
    assert "first at a.md:3:1" in diags.sorted()[1].message
    assert check_duplicates(tm, Diagnostics()) == 1


def test_cycles_are_named_once_each():
    tm = topic_map("a", "b", "c", "d")
    tm.add_supertype("a", "b")
    tm.add_supertype("b", "c")
    tm.add_supertype("c", "a")
    tm.add_type("d", "d")
    diags = Diagnostics()
    report = validate(tm, Config(), diags)
    assert report.cycles == [["a", "b", "c", "a"], ["d", "d"]]
    assert [d.message.split(" (")[0] for d in diags.sorted()] == ["supertype cycle: a -> b -> c -> a", "type cycle: d -> d"]


def test_long_chains_do_not_recurse():
    tm = topic_map(*[f"t{i}" for i in range(5000)])
    for i in range(4999):
        tm.add_supertype(f"t{i}", f"t{i + 1}")
    tm.add_supertype("t4999", "t0")
    report = validate(tm, Config(), Diagnostics())
    assert len(report.cycles) == 1 and len(report.cycles[0]) == 5001
