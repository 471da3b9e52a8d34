"""graphdata: the graph JSON the theme draws (format in docs/graph-json.md)."""
from __future__ import annotations

import json
import time

from hypothesis import given, settings, strategies as st

from ctxgen.config import Config, Schema, TopicType, AssociationType
from ctxgen.diagnostics import Span
from ctxgen.graphdata import (
    GLOBAL_GRAPH_PATH,
    SiteGraph,
    global_graph,
    graph_files,
    neighbourhood,
    to_networkx,
    topic_graph_path,
    topic_graph_url,
)
from ctxgen.model import Association, Mention, Name, Role, Topic, TopicMap

SPAN = Span("x.md")


def topic(tm: TopicMap, tid: str, name: str | None = None, type_: str | None = None) -> None:
    tm.add_topic(Topic(tid, names=[Name(name)] if name else []))
    if type_:
        tm.add_type(tid, type_)


def sample_map() -> tuple[TopicMap, Config]:
    tm = TopicMap()
    topic(tm, "person", "Person")
    topic(tm, "ada", "Ada <b>Lovelace</b>", "person")
    topic(tm, "charles", "Charles Babbage", "person")
    topic(tm, "notes", "Notes on the Engine", "work")
    topic(tm, "opera", "La Traviata")
    topic(tm, "fenice", "La Fenice")
    topic(tm, "verdi", "Verdi", "person")
    tm.add_association(Association("wrote", [Role("work", "notes"), Role("author", "ada")]))
    tm.add_association(Association("premiere", [Role("work", "opera"), Role("venue", "fenice"), Role("composer", "verdi")]))
    tm.add_supertype("person", "agent")
    tm.mentions += [Mention("ada", "charles", SPAN), Mention("ada", "charles", SPAN), Mention("ada", "ada", SPAN),
                    Mention("charles", "notes", SPAN)]
    schema = Schema(
        topic_types={"person": TopicType("person", label="Human", color="#e4572e", shape="star"),
                     "work": TopicType("work", color="javascript:alert(1)", shape="<svg>")},
        association_types={"wrote": AssociationType("wrote", label="wrote", roles=["author", "work"])},
    )
    return tm, Config(schema=schema)


def test_global_graph_nodes_edges_and_legend():
    tm, config = sample_map()
    g = global_graph(tm, config)
    ids = [n["id"] for n in g["nodes"]]
    assert ids == sorted(ids)
    assert "tm:type" not in ids and "agent" in ids
    ada = next(n for n in g["nodes"] if n["id"] == "ada")
    assert ada == {"id": "ada", "label": "Ada <b>Lovelace</b>", "kind": "topic", "type": "person",
                   "group": "person", "color": "#e4572e", "shape": "star", "url": "ada/", "degree": 2}
    notes = next(n for n in g["nodes"] if n["id"] == "notes")
    assert notes["color"].startswith("#") and notes["shape"] == "dot"  # unsafe schema values replaced
    kinds = sorted((e["kind"], e["from"], e["to"], e.get("type", ""), e.get("label", ""), tuple(e.get("roles", [])))
                   for e in g["edges"])
    assert all(set(e) == {"from", "to", "kind"} for e in g["edges"] if e["kind"] == "mention")
    hub = next(n for n in g["nodes"] if n["kind"] == "association")
    assert hub["id"] == "assoc:1" and hub["shape"] == "diamond"
    assert kinds == sorted([
        ("association", "ada", "notes", "wrote", "wrote", ("author", "work")),  # schema reading order
        ("association", "person", "agent", "tm:supertype-subtype", "subtype of", ("tm:subtype", "tm:supertype")),
        ("association", "assoc:1", "opera", "premiere", "work", ("work",)),
        ("association", "assoc:1", "fenice", "premiere", "venue", ("venue",)),
        ("association", "assoc:1", "verdi", "premiere", "composer", ("composer",)),
        ("mention", "ada", "charles", "", "", ()),  # deduplicated, self-mention dropped
        ("mention", "charles", "notes", "", "", ()),
    ])
    assert [t["id"] for t in g["legend"]["topic_types"]] == ["", "person", "work"]
    assert g["legend"]["topic_types"][1]["label"] == "Human"
    assert [a["id"] for a in g["legend"]["association_types"]] == ["premiere", "tm:supertype-subtype", "wrote"]
    assert g["focus"] == "" and g["version"] == 1 and g["truncated"] is False


def test_document_equals_sorted_json_dump():
    tm, config = sample_map()
    files = graph_files(tm, config)
    for path, data in files.items():
        doc = json.loads(data)
        assert data == json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(), path


def test_graph_files_one_per_topic_and_deterministic():
    tm, config = sample_map()
    files = graph_files(tm, config)
    topics = sorted(t.id for t in tm.user_topics())
    assert sorted(files) == sorted([GLOBAL_GRAPH_PATH] + [topic_graph_path(t) for t in topics])
    tm2, _ = sample_map()
    assert graph_files(tm2, config) == files


def test_neighbourhood_depths_and_hubs():
    tm, config = sample_map()
    one = neighbourhood(tm, config, "ada", depth=1)
    assert one["focus"] == "ada"
    assert sorted(n["id"] for n in one["nodes"]) == ["ada", "charles", "notes"]
    # charles-notes joins two depth-1 nodes: left out at the outer ring
    assert sorted((e["from"], e["to"]) for e in one["edges"]) == [("ada", "charles"), ("ada", "notes")]
    two = neighbourhood(tm, config, "ada", depth=2)
    assert ("charles", "notes") in {(e["from"], e["to"]) for e in two["edges"]}
    # a hub is not a hop: the opera's co-players are at depth 1
    op = neighbourhood(tm, config, "opera", depth=1)
    assert sorted(n["id"] for n in op["nodes"]) == ["assoc:1", "fenice", "opera", "verdi"]
    assert [a["id"] for a in op["legend"]["association_types"]] == ["premiere"]
    assert neighbourhood(tm, config, "nope")["nodes"] == []


def test_neighbourhood_is_capped_and_keeps_edges_among_included():
    tm = TopicMap()
    topic(tm, "star", "Star")
    for i in range(500):
        topic(tm, f"t{i:03}")
        tm.mentions.append(Mention(f"t{i:03}", "star", SPAN))
    tm.mentions.append(Mention("t000", "t001", SPAN))
    g = SiteGraph.build(tm, Config())
    nodes, edges, truncated = g.neighbourhood_ids("t000", depth=2, cap=20)
    assert truncated and len(nodes) == 20 and {"star", "t001"} <= set(nodes)
    for i in edges:
        assert g.edges[i]["from"] in nodes and g.edges[i]["to"] in nodes
    assert any({g.edges[i]["from"], g.edges[i]["to"]} == {"star", "t001"} for i in edges)


def test_urls_and_paths_are_encoded():
    assert topic_graph_path("people/ada") == "graph/t/people/ada.json"
    assert topic_graph_url("people/ada lovelace#1") == "graph/t/people/ada%20lovelace%231.json"
    tm = TopicMap()
    topic(tm, "café?x", "Café")
    assert global_graph(tm, Config())["nodes"][0]["url"] == "caf%C3%A9%3Fx/"


def test_to_networkx():
    tm, config = sample_map()
    mg = to_networkx(tm, config)
    assert mg.number_of_nodes() == len(global_graph(tm, config)["nodes"])
    assert mg.number_of_edges() == 7
    assert mg.nodes["ada"]["type"] == "person"
    assert mg.degree("assoc:1") == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=60), st.integers(0, 15),
       st.integers(1, 3))
def test_neighbourhood_is_within_depth(pairs, focus, depth):
    """Every node lies within `depth` hops of the focus (checked by networkx) and every edge joins two nodes."""
    import networkx as nx
    tm = TopicMap()
    for i in range(16):
        topic(tm, f"n{i}")
    tm.mentions += [Mention(f"n{a}", f"n{b}", SPAN) for a, b in pairs]
    g = SiteGraph.build(tm, Config())
    nodes, edges, truncated = g.neighbourhood_ids(f"n{focus}", depth=depth, cap=1000)
    dist = nx.single_source_shortest_path_length(to_networkx(tm), f"n{focus}", cutoff=depth)
    assert set(nodes) == set(dist) and not truncated
    for i in edges:
        assert g.edges[i]["from"] in dist and g.edges[i]["to"] in dist


def test_ten_thousand_topics_is_fast():
    tm = TopicMap()
    n = 10_000
    for i in range(n):
        topic(tm, f"t{i}", f"Topic {i}", f"type{i % 7}")
    for i in range(n):
        for k in (1, 2, 3, 7, 11, 50, 301):
            tm.mentions.append(Mention(f"t{i}", f"t{(i * k + 13) % n if k > 3 else k}", SPAN))
    start = time.perf_counter()
    files = graph_files(tm, Config())
    elapsed = time.perf_counter() - start
    assert len(files) == n + 7 + 1
    assert elapsed < 10, elapsed


def test_example_map_graph_is_byte_identical_across_builds():
    from ctxgen import load_map

    example = __import__("pathlib").Path(__file__).resolve().parents[1] / "example-map"
    first = load_map(example)
    second = load_map(example)
    a = graph_files(first.topic_map, first.config)
    assert a == graph_files(second.topic_map, second.config)
    g = json.loads(a[GLOBAL_GRAPH_PATH])
    ids = {n["id"] for n in g["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in g["edges"])
    assert {t["id"] for t in g["legend"]["topic_types"]} == {n["type"] for n in g["nodes"] if n["kind"] == "topic"}
