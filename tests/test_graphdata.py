"""graphdata: the graph JSON the theme draws (format in docs/graph-json.md)."""
from __future__ import annotations

import json
import time

from hypothesis import given, settings, strategies as st

from ctxgen.config import Config, Schema, TopicType, AssociationType
from ctxgen.diagnostics import Span
from ctxgen.graphdata import (
    PALETTE,
    GLOBAL_GRAPH_PATH,
    LEGEND_PATH,
    SiteGraph,
    cluster_graph_path,
    graph_files,
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
    topic(tm, "formal", "Formal")
    tm.add_association(Association("met", [Role("tm:x", "ada"), Role("tm:x", "charles")], scope=frozenset({"formal"})))
    tm.mentions += [Mention("ada", "charles", SPAN), Mention("ada", "charles", SPAN), Mention("ada", "ada", SPAN),
                    Mention("charles", "notes", SPAN)]
    schema = Schema(
        topic_types={"person": TopicType("person", label="Human", color="#e4572e", shape="star"),
                     "work": TopicType("work", color="javascript:alert(1)", shape="<svg>")},
        association_types={"wrote": AssociationType("wrote", label="wrote", roles=["author", "work"])},
    )
    return tm, Config(schema=schema)


def files_of(tm, config):
    files = graph_files(tm, config)
    return files, json.loads(files[LEGEND_PATH]), json.loads(files[GLOBAL_GRAPH_PATH])


def all_nodes(files, overview, legend) -> dict[str, dict]:
    """Every node of the cluster files as a dict (docs/graph-json.md)."""
    out = {}
    for c in overview["clusters"]:
        for arr in json.loads(files[c["src"]])["nodes"]:
            hub = arr[0].startswith("assoc:")
            out[arr[0]] = {"label": arr[1], "type": (legend["association_types"] if hub else legend["topic_types"])[arr[2]]["id"],
                           "degree": arr[3], "x": arr[4], "y": arr[5], "url": arr[6] if len(arr) > 6 else arr[0] + "/"}
    return out


def all_edges(files, overview, legend) -> list[tuple]:
    ids = {}
    edges = []
    for c in overview["clusters"]:
        chunk = json.loads(files[c["src"]])
        for k, arr in enumerate(chunk["nodes"]):
            ids[chunk["first"] + k] = arr[0]
    for c in overview["clusters"]:
        for a, b, s in json.loads(files[c["src"]])["edges"]:
            st = legend["styles"][s]
            edges.append((st["kind"], ids[a], ids[b], st.get("type", ""), st.get("label", ""), tuple(st.get("roles", [])),
                          tuple(st.get("scope", []))))
    return sorted(edges)


def test_global_graph_nodes_edges_and_legend():
    tm, config = sample_map()
    files, legend, overview = files_of(tm, config)
    nodes = all_nodes(files, overview, legend)
    assert "tm:type" not in nodes and "agent" in nodes
    linked = {r.player for a in tm.associations if a.type != "tm:type-instance" for r in a.roles} | {
        m.source for m in tm.mentions} | {
        m.target for m in tm.mentions}
    drawn = {t.id for t in tm.user_topics() if not t.implicit or t.id in linked}
    assert drawn != {t.id for t in tm.user_topics()}  # the sample has unlinked implicit types to leave out
    assert set(nodes) == drawn | {"assoc:1"}
    assert overview["nodes"] == len(nodes) and overview["edges"] == 8
    ada = nodes["ada"]
    assert (ada["label"], ada["type"], ada["degree"], ada["url"]) == ("Ada <b>Lovelace</b>", "person", 3, "ada/")
    types = {t["id"]: t for t in legend["topic_types"]}
    assert types["person"] == {"id": "person", "label": "Human", "color": "#e4572e", "shape": "star"}
    assert types["work"]["color"].startswith("#") and types["work"]["shape"] == "dot"  # unsafe schema values replaced
    assert nodes["assoc:1"]["type"] == "premiere" and nodes["assoc:1"]["url"] == ""
    assert all_edges(files, overview, legend) == sorted([
        ("association", "ada", "notes", "wrote", "wrote", ("author", "work"), ()),  # schema reading order
        ("association", "person", "agent", "tm:supertype-subtype", "subtype of", ("tm:subtype", "tm:supertype"), ()),
        ("association", "assoc:1", "opera", "premiere", "work", ("work",), ()),
        ("association", "assoc:1", "fenice", "premiere", "venue", ("venue",), ()),
        ("association", "assoc:1", "verdi", "premiere", "composer", ("composer",), ()),
        ("association", "ada", "charles", "met", "met", ("tm:x", "tm:x"), ("formal",)),
        ("mention", "ada", "charles", "", "", (), ()),  # deduplicated, self-mention dropped
        ("mention", "charles", "notes", "", "", (), ()),
    ])
    assert [t["id"] for t in legend["topic_types"]] == ["", "person", "work"]
    assert [a["id"] for a in legend["association_types"]] == ["met", "premiere", "tm:supertype-subtype", "wrote"]
    assert legend["scopes"] == [{"id": "formal", "label": "Formal"}]
    assert {"kind": "mention"} in legend["styles"]
    # clusters: one per type, nodes of a cluster are consecutive global indices
    assert [c["key"] for c in overview["clusters"]] == ["", "person", "work"]
    assert [c["first"] for c in overview["clusters"]] == [0, overview["clusters"][0]["size"],
                                                         overview["clusters"][0]["size"] + overview["clusters"][1]["size"]]
    assert sum(c["size"] for c in overview["clusters"]) == len(nodes)


def test_labels_are_text_in_json():
    tm, config = sample_map()
    files, legend, overview = files_of(tm, config)
    data = files[topic_graph_path("ada")].decode()
    assert '"Ada <b>Lovelace</b>"' in data  # plain text: the browser inserts it as text


@given(st.text(alphabet=st.sampled_from("<>&/\u2028\u2029\\\"'ascript é"), max_size=40))
@settings(max_examples=60, deadline=None)
def test_script_json_cannot_end_its_script_and_means_the_same(name):
    """A page embeds the neighbourhood inside <script type="application/json">: no label may
    close that element or open another, whatever it holds, and the JSON must parse the same."""
    tm, config = sample_map()
    topic(tm, "evil", name or "x")
    tm.mentions.append(Mention("ada", "evil", SPAN))
    g = SiteGraph.build(tm, config)
    for focus in ("ada", "evil"):
        embedded = g.script_json(focus)
        assert not set(embedded) & set("<>&\u2028\u2029")
        assert json.loads(embedded) == json.loads(g.neighbourhood_json(focus))


def test_shared_paths_are_graph_files_without_the_neighbourhoods():
    tm, config = sample_map()
    g = SiteGraph.build(tm, config)
    assert not g._laid_out  # the pages embed neighbourhoods before any layout is needed
    g.script_json("ada")
    assert not g._laid_out
    files = graph_files(tm, config)
    assert sorted(g.shared_paths()) == sorted(p for p in files if not p.startswith("graph/t/"))
    assert {p: g.file(p) for p in g.paths()} == files


def test_document_equals_sorted_json_dump():
    tm, config = sample_map()
    files = graph_files(tm, config)
    for path, data in files.items():
        doc = json.loads(data)
        assert data == json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(), path


def test_graph_files_and_deterministic():
    tm, config = sample_map()
    files = graph_files(tm, config)
    topics = sorted(t.id for t in tm.user_topics())
    overview = json.loads(files[GLOBAL_GRAPH_PATH])
    assert sorted(files) == sorted([GLOBAL_GRAPH_PATH, LEGEND_PATH] + [topic_graph_path(t) for t in topics]
                                   + [cluster_graph_path(i) for i in range(len(overview["clusters"]))])
    tm2, _ = sample_map()
    assert graph_files(tm2, config) == files
    g = SiteGraph.build(tm, config)
    assert all(g.file(p) == d for p, d in files.items()) and g.file("graph/t/nope.json") is None


def local(tm, config, focus, depth=3):
    g = SiteGraph.build(tm, config)
    doc = json.loads(g.neighbourhood_json(focus, depth))
    names = [n[0] for n in doc["nodes"]]
    return doc, {n[0]: n[4] for n in doc["nodes"]}, {(names[a], names[b]) for a, b, _ in doc["edges"]}


def test_neighbourhood_rings_and_hubs():
    tm, config = sample_map()
    doc, ring, edges = local(tm, config, "ada")
    assert doc["focus"] == "ada" and doc["depth"] == 3 and doc["legend"] == LEGEND_PATH
    assert ring == {"ada": 0, "charles": 1, "notes": 1}
    doc1, ring1, edges1 = local(tm, config, "ada", depth=1)
    # charles-notes joins two nodes of the outer ring: left out at depth 1
    assert edges1 == {("ada", "charles"), ("ada", "notes")}
    _, ring2, edges2 = local(tm, config, "ada", depth=2)
    assert ("charles", "notes") in edges2
    # a hub is not a hop: the opera's co-players are in ring 1, with the hub
    _, op, _ = local(tm, config, "opera", depth=1)
    assert op == {"opera": 0, "assoc:1": 1, "fenice": 1, "verdi": 1}
    assert json.loads(SiteGraph.build(tm, config).neighbourhood_json("nope"))["nodes"] == []


def test_neighbourhood_rings_are_capped():
    tm = TopicMap()
    topic(tm, "star", "Star")
    for i in range(500):
        topic(tm, f"t{i:03}")
        tm.mentions.append(Mention(f"t{i:03}", "star", SPAN))
    tm.mentions.append(Mention("t000", "t001", SPAN))
    g = SiteGraph.build(tm, Config())
    nodes, edges, truncated = g.neighbourhood_ids("t000", depth=2, caps=(5, 7))
    rings = dict(nodes)
    assert truncated == [False, True] and len(nodes) == 1 + 2 + 7 and {"star", "t001"} <= set(rings)
    assert sorted(rings.values()) == [0, 1, 1] + [2] * 7
    for i in edges:
        assert g.edges[i]["from"] in rings and g.edges[i]["to"] in rings


def test_urls_and_paths_are_encoded():
    assert topic_graph_path("people/ada") == "graph/t/people/ada.json"
    assert topic_graph_url("people/ada lovelace#1") == "graph/t/people/ada%20lovelace%231.json"
    tm = TopicMap()
    topic(tm, "café?x", "Café")
    files, legend, overview = files_of(tm, Config())
    assert all_nodes(files, overview, legend)["café?x"]["url"] == "caf%C3%A9%3Fx/"


def test_to_networkx():
    tm, config = sample_map()
    mg = to_networkx(tm, config)
    assert mg.number_of_nodes() == len(list(tm.user_topics())) + 1
    assert mg.number_of_edges() == 8
    assert mg.nodes["ada"]["type"] == "person" and isinstance(mg.nodes["ada"]["x"], int)
    assert mg.degree("assoc:1") == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15)), max_size=60), st.integers(0, 15),
       st.integers(1, 3))
def test_neighbourhood_rings_are_distances(pairs, focus, depth):
    """Uncapped, every node's ring is its distance from the focus (checked by networkx)."""
    import networkx as nx
    tm = TopicMap()
    for i in range(16):
        topic(tm, f"n{i}")
    tm.mentions += [Mention(f"n{a}", f"n{b}", SPAN) for a, b in pairs]
    g = SiteGraph.build(tm, Config())
    nodes, edges, truncated = g.neighbourhood_ids(f"n{focus}", depth=depth, caps=(1000,) * depth)
    dist = nx.single_source_shortest_path_length(to_networkx(tm), f"n{focus}", cutoff=depth)
    assert dict(nodes) == dist and not any(truncated)
    for i in edges:
        a, b = g.edges[i]["from"], g.edges[i]["to"]
        assert a in dist and b in dist and min(dist[a], dist[b]) < depth


def reference_neighbourhood(g: SiteGraph, focus: str, depth: int, caps: tuple[int, ...]):
    """The neighbourhood rules spelled out plainly: BFS that caps each ring (most connected
    first), expands a hub at once into its own ring, drops hubs left with fewer than two
    players, and keeps the edges among drawn nodes that are not outer ring to outer ring."""
    from collections import deque
    adj, hubs = g.adjacency, g._hubs
    if focus not in adj:
        return [], [], [False] * depth
    ring, order, counts, truncated = {focus: 0}, [focus], [0] * (depth + 1), [False] * depth
    queue = deque([focus])
    while queue:
        u = queue.popleft()
        if ring[u] >= depth and u not in hubs:
            continue
        nxt = ring[u] if u in hubs else ring[u] + 1
        for v in adj[u]:
            if v in ring:
                continue
            if counts[nxt] >= caps[nxt - 1]:
                truncated[nxt - 1] = True
                break
            counts[nxt] += 1
            ring[v] = nxt
            order.append(v)
            (queue.appendleft if v in hubs else queue.append)(v)
    for hub in [n for n in order if n in hubs]:
        if sum(1 for p in adj[hub] if p in ring) < 2:
            del ring[hub]
    order = [n for n in order if n in ring]
    inner = {n for n in order if ring[n] < depth or n in hubs}
    edges = {e for u in order for v, ids in adj[u].items() if v in ring and (u in inner or v in inner) for e in ids}
    return [(n, ring[n]) for n in order], sorted(edges), truncated


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=80),
       st.lists(st.lists(st.integers(0, 20), min_size=3, max_size=5), max_size=6),
       st.integers(0, 20), st.integers(1, 3), st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6)))
def test_capped_neighbourhoods_follow_the_rules(pairs, nary, focus, depth, caps):
    tm = TopicMap()
    for i in range(21):
        topic(tm, f"n{i}")
    tm.mentions += [Mention(f"n{a}", f"n{b}", SPAN) for a, b in pairs]
    for k, players in enumerate(nary):
        tm.add_association(Association(f"a{k % 2}", [Role(f"r{j}", f"n{p}") for j, p in enumerate(players)]))
    g = SiteGraph.build(tm, Config())
    caps = caps[:depth]
    assert g.neighbourhood_ids(f"n{focus}", depth, caps) == reference_neighbourhood(g, f"n{focus}", depth, caps)


def test_ten_thousand_topics_is_fast():
    tm = TopicMap()
    n = 10_000
    for i in range(n):
        topic(tm, f"t{i}", f"Topic {i}", f"type{i % 7}")
    for i in range(n):
        for k in (1, 2, 3, 7, 11, 50, 301):
            tm.mentions.append(Mention(f"t{i}", f"t{(i * k + 13) % n if k > 3 else k}", SPAN))
    start = time.process_time()
    files = graph_files(tm, Config())
    elapsed = time.process_time() - start
    assert sum(1 for p in files if p.startswith("graph/t/")) == n + 7
    assert elapsed < 15, elapsed


def test_example_map_graph_is_byte_identical_across_builds():
    from ctxgen import load_map

    example = __import__("pathlib").Path(__file__).resolve().parents[1] / "example-map"
    first = load_map(example)
    second = load_map(example)
    a = graph_files(first.topic_map, first.config)
    assert a == graph_files(second.topic_map, second.config)
    legend, overview = json.loads(a[LEGEND_PATH]), json.loads(a[GLOBAL_GRAPH_PATH])
    nodes = all_nodes(a, overview, legend)
    assert len(nodes) == overview["nodes"]
    assert all(e[1] in nodes and e[2] in nodes for e in all_edges(a, overview, legend))


def test_association_types_get_distinct_colours_while_the_palette_lasts():
    """By hash two types could share a colour (member-of and subtype-of did); in order of id they
    share one only when there are more types than colours."""
    tm = TopicMap()
    for i in range(len(PALETTE) + 1):
        for t in (f"a{i}", f"b{i}"):
            tm.add_topic(Topic(t, names=[Name(t)]))
        tm.add_association(Association(f"rel-{i:02d}", [Role("subject", f"a{i}"), Role("object", f"b{i}")]))
    colours = [e["color"] for _, e in sorted(SiteGraph.build(tm, Config()).association_types.items())]
    assert colours[:len(PALETTE)] == list(PALETTE) and colours[len(PALETTE)] == PALETTE[0]
