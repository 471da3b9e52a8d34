"""The map as a graph: a networkx view and the graph JSON files the theme's JavaScript draws.

Nodes are the user topics (the standard tm: topics are left out). Edges are
- binary associations: one edge between the two players;
- n-ary (and unary) associations: a hub node of kind "association" with one edge per role;
- supertype-subtype associations: an edge "subtype of" from the subtype to the supertype;
- mentions (body links): one edge of kind "mention" per (source, target) pair.
Type-instance associations are not edges: a topic's (first) type is its node's group, colour
and shape, explained by the legend.

The JSON formats are a stable interface, documented in docs/graph-json.md. Output is sorted and
byte-identical for the same map. Everything is built once (`SiteGraph`) and every node and edge
is serialised once, so the per-topic neighbourhood files cost a small BFS and a join each.
"""
from __future__ import annotations

import gc
import json
import re
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote

import networkx as nx

from .config import Config
from .site_paths import topic_path, url_of
from .model import (
    STANDARD_TOPICS,
    SUBTYPE,
    SUPERTYPE,
    SUPERTYPE_SUBTYPE,
    TYPE,
    TYPE_INSTANCE,
    INSTANCE,
    Association,
    TopicMap,
)

FORMAT_VERSION = 1
GLOBAL_GRAPH_PATH = "graph/all.json"
DEFAULT_DEPTH = 2
MAX_NEIGHBOURHOOD_NODES = 40  # keeps a file small (~10 KB) and a local graph readable

# Colour-blind-friendly palette (Okabe-Ito plus a few), picked per type by a stable hash so a
# type keeps its colour when others are added.
PALETTE = (
    "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#0072b2", "#cc79a7", "#b8a000",
    "#7f3c8d", "#11a579", "#3969ac", "#e73f74", "#80ba5a", "#e68310", "#008695",
)
UNTYPED_COLOR = "#8a8f98"
HUB_COLOR = "#9aa0a6"
# vis-network shapes that draw a label beside (not inside) the node: usable for any label length.
SHAPES = frozenset({"dot", "diamond", "star", "triangle", "triangleDown", "square", "hexagon"})
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?|[a-zA-Z]{3,20}")
_URL_SAFE = "/-_.~!$&'()*+,;=@"
BUILTIN_LABELS = {SUPERTYPE_SUBTYPE: "subtype of"}

UrlFor = Callable[[str], str]


def topic_url(topic_id: str) -> str:
    """The URL of a topic's page relative to the site root (`<id>/`, percent-encoded)."""
    return url_of(topic_path(topic_id))


def topic_graph_path(topic_id: str) -> str:
    """Site path of a topic's neighbourhood JSON (a key of `graph_files`)."""
    return f"graph/t/{topic_id}.json"


def topic_graph_url(topic_id: str) -> str:
    """`topic_graph_path` percent-encoded, relative to the site root: for `data-graph-src`."""
    return quote(topic_graph_path(topic_id), safe=_URL_SAFE)


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


try:
    from json.encoder import c_encode_basestring as _json_str  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - CPython always has the C speedups
    from json.encoder import py_encode_basestring as _json_str
if _json_str is None:  # pragma: no cover
    from json.encoder import py_encode_basestring as _json_str


def _dumps_flat(record: dict) -> str:
    """_dumps for a flat dict of str / int / bool / list[str] values, without the encoder's per-call
    cost: a 10,000-topic map has ~100,000 nodes and edges to serialise."""
    parts = []
    for key in sorted(record):
        v = record[key]
        if isinstance(v, str):
            text = _json_str(v)
        elif isinstance(v, list):
            text = "[" + ",".join(map(_json_str, v)) + "]"
        elif isinstance(v, bool):
            text = "true" if v else "false"
        else:
            text = str(int(v))
        parts.append(_json_str(key) + ":" + text)
    return "{" + ",".join(parts) + "}"


def _palette_color(key: str) -> str:
    return PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def _safe_color(value: str | None, key: str) -> str:
    if value and _COLOR_RE.fullmatch(value.strip()):
        return value.strip()
    return _palette_color(key)


@dataclass(slots=True)
class SiteGraph:
    """The map's graph, built once: nodes, edges, adjacency and their serialised JSON."""

    nodes: dict[str, dict] = field(default_factory=dict)  # node id -> node record, insertion = sorted
    edges: list[dict] = field(default_factory=list)  # sorted
    adjacency: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # node -> neighbour -> edge indices
    topic_types: dict[str, dict] = field(default_factory=dict)  # legend entries by type id ("" = untyped)
    association_types: dict[str, dict] = field(default_factory=dict)
    # derived once, for the per-topic files
    _hubs: set[str] = field(default_factory=set)
    _node_topic_type: dict[str, str] = field(default_factory=dict)  # topic node -> type id
    _edge_assoc_type: list[str | None] = field(default_factory=list)  # association type, None for mentions
    _node_json: dict[str, str] = field(default_factory=dict)
    _edge_json: list[str] = field(default_factory=list)
    _topic_type_json: dict[str, str] = field(default_factory=dict)
    _assoc_type_json: dict[str, str] = field(default_factory=dict)

    # --- building ------------------------------------------------------------------
    @classmethod
    def build(cls, tm: TopicMap, config: Config, url_for: UrlFor = topic_url) -> "SiteGraph":
        g = cls()
        schema = config.schema

        def name_of(topic_id: str) -> str:
            t = tm.get(topic_id)
            return t.name if t is not None else topic_id

        def type_label(type_id: str) -> str:
            st = schema.topic_types.get(type_id)
            return (st.label if st and st.label else None) or name_of(type_id)

        def assoc_label(type_id: str) -> str:
            at = schema.association_types.get(type_id)
            return (at.label if at and at.label else None) or BUILTIN_LABELS.get(type_id) or name_of(type_id)

        def role_label(type_id: str) -> str:
            rt = schema.role_types.get(type_id)
            return (rt.label if rt and rt.label else None) or name_of(type_id)

        # One pass over the associations: types of each topic, the rest kept for edges.
        first_type: dict[str, str] = {}
        relations: list[Association] = []
        for a in tm.associations:
            if a.type == TYPE_INSTANCE:
                if not a.scope:
                    roles = {r.type: r.player for r in a.roles}
                    if INSTANCE in roles and TYPE in roles:
                        first_type.setdefault(roles[INSTANCE], roles[TYPE])
            else:
                relations.append(a)

        def legend_type(type_id: str) -> dict:
            entry = g.topic_types.get(type_id)
            if entry is None:
                st = schema.topic_types.get(type_id)
                if type_id:
                    color = _safe_color(st.color if st else None, type_id)
                    shape = st.shape if st and st.shape in SHAPES else "dot"
                    label = type_label(type_id)
                else:
                    color, shape, label = UNTYPED_COLOR, "dot", "untyped"
                entry = g.topic_types[type_id] = {"id": type_id, "label": label, "color": color, "shape": shape}
            return entry

        def legend_assoc(type_id: str) -> None:
            if type_id not in g.association_types:
                g.association_types[type_id] = {
                    "id": type_id, "label": assoc_label(type_id), "color": _palette_color("assoc:" + type_id),
                }

        records: dict[str, dict] = {}
        for t in tm.topics.values():
            if t.id in STANDARD_TOPICS:
                continue
            type_id = first_type.get(t.id, "")
            lt = legend_type(type_id)
            records[t.id] = {
                "id": t.id, "label": t.name, "kind": "topic", "type": type_id, "group": type_id or "untyped",
                "color": lt["color"], "shape": lt["shape"], "url": url_for(t.id),
            }

        edges: list[dict] = []
        hubs: list[tuple[tuple, Association, list]] = []
        for a in relations:
            players = [(r.type, r.player) for r in a.roles if r.player in records]
            if len(players) != len(a.roles) or not players:
                continue  # a role played by a standard topic: nothing to draw
            if len(players) == 2:
                if a.type == SUPERTYPE_SUBTYPE:
                    order = {SUBTYPE: 0, SUPERTYPE: 1}
                    players.sort(key=lambda p: order.get(p[0], 2))
                else:
                    at = schema.association_types.get(a.type)
                    if at and players[0][0] != players[1][0] and players[1][0] == at.roles[0]:
                        players.reverse()  # schema reading order: first role type first
                (r1, p1), (r2, p2) = players
                legend_assoc(a.type)
                edges.append({
                    "from": p1, "to": p2, "kind": "association", "type": a.type,
                    "label": assoc_label(a.type), "roles": [r1, r2],
                })
            else:
                key = (a.type, tuple(sorted(players)), tuple(sorted(a.scope)), a.reifier or "")
                hubs.append((key, a, players))
        hubs.sort(key=lambda h: h[0])
        for n, (_, a, players) in enumerate(hubs, 1):
            hub_id = f"assoc:{n}"
            legend_assoc(a.type)
            records[hub_id] = {
                "id": hub_id, "label": assoc_label(a.type), "kind": "association", "type": a.type,
                "group": "association", "color": g.association_types[a.type]["color"], "shape": "diamond",
                "url": url_for(a.reifier) if a.reifier and a.reifier in records else "",
            }
            for role_type, player in players:
                edges.append({
                    "from": hub_id, "to": player, "kind": "association", "type": a.type,
                    "label": role_label(role_type), "roles": [role_type],
                })

        seen_mentions: set[tuple[str, str]] = set()
        for m in tm.mentions:
            pair = (m.source, m.target)
            if m.source == m.target or pair in seen_mentions or m.source not in records or m.target not in records:
                continue
            seen_mentions.add(pair)
            # A mention has no type, label or roles: leaving the empty keys out keeps files small.
            edges.append({"from": m.source, "to": m.target, "kind": "mention"})

        edges.sort(key=lambda e: (e["kind"], e["from"], e["to"], e.get("type", ""), e.get("roles", [])))
        g.edges = edges
        adjacency: dict[str, dict[str, list[int]]] = {nid: {} for nid in sorted(records)}
        for i, e in enumerate(edges):
            adjacency[e["from"]].setdefault(e["to"], []).append(i)
            if e["to"] != e["from"]:
                adjacency[e["to"]].setdefault(e["from"], []).append(i)
        # Neighbours in a stable order, most connected first: a capped neighbourhood keeps the hubs.
        degree = {nid: sum(map(len, nbrs.values())) for nid, nbrs in adjacency.items()}
        g.adjacency = {
            nid: dict(sorted(nbrs.items(), key=lambda kv: (-degree[kv[0]], kv[0]))) for nid, nbrs in adjacency.items()
        }
        for nid in adjacency:
            rec = records[nid]
            rec["degree"] = degree[nid]
            g.nodes[nid] = rec
            g._node_json[nid] = _dumps_flat(rec)
        j = _json_str
        g._edge_json = [
            f'{{"from":{j(e["from"])},"kind":"mention","to":{j(e["to"])}}}' if e["kind"] == "mention"
            else _dumps_flat(e)
            for e in edges
        ]
        g.topic_types = dict(sorted(g.topic_types.items()))
        g.association_types = dict(sorted(g.association_types.items()))
        g._hubs = {nid for nid, rec in g.nodes.items() if rec["kind"] == "association"}
        g._node_topic_type = {nid: rec["type"] for nid, rec in g.nodes.items() if rec["kind"] == "topic"}
        g._edge_assoc_type = [e["type"] if e["kind"] == "association" else None for e in edges]
        g._topic_type_json = {k: _dumps(v) for k, v in g.topic_types.items()}
        g._assoc_type_json = {k: _dumps(v) for k, v in g.association_types.items()}
        return g

    # --- views -----------------------------------------------------------------------
    def neighbourhood_ids(self, focus: str, depth: int = DEFAULT_DEPTH, cap: int = MAX_NEIGHBOURHOOD_NODES
                          ) -> tuple[list[str], list[int], bool]:
        """Nodes within `depth` topic hops of `focus` (a hub does not count as a hop), the edges
        met on the way (edges between two nodes at the outer depth are left out), and whether
        the cap cut it short. BFS over the adjacency: cost bounded by cap × degree, not map size."""
        adjacency, hubs = self.adjacency, self._hubs
        if focus not in adjacency:
            return [], [], False
        level = {focus: 0}
        order = [focus]
        edge_lists: list[list[int]] = []
        truncated = False
        queue = deque([focus])
        while queue:
            u = queue.popleft()
            d = level[u]
            is_hub = u in hubs
            if d >= depth and not is_hub:
                continue
            nbrs = adjacency[u]
            if truncated:  # no room for more nodes: only u's edges to the ones already in
                edge_lists.extend([nbrs[v] for v in nbrs.keys() & level.keys()])  # C-speed intersection
                continue
            next_level = d if is_hub else d + 1
            for v, ids in nbrs.items():
                if v not in level:
                    if len(order) >= cap:
                        truncated = True
                        queue.appendleft(u)  # again, for its edges to the nodes already in
                        break
                    level[v] = next_level
                    order.append(v)
                    if v in hubs:
                        queue.appendleft(v)  # expand a hub at once: its players are one hop away
                    else:
                        queue.append(v)
                edge_lists.append(ids)
        edge_ids = {i for ids in edge_lists for i in ids}
        nodes = set(order)
        if hubs:
            # A hub reached at the edge of the cap may have lost its other players: drop a hub
            # that joins fewer than two nodes here, with its edge.
            for hub in nodes & hubs:
                ids = [i for ids in adjacency[hub].values() for i in ids if i in edge_ids]
                if len(ids) < 2:
                    nodes.discard(hub)
                    edge_ids.difference_update(ids)
        return sorted(nodes), sorted(edge_ids), truncated

    def _document(self, focus: str, node_ids: list[str], edge_ids: list[int], truncated: bool) -> str:
        topic_types = self._node_topic_type
        types = sorted({topic_types[n] for n in node_ids if n in topic_types})
        edge_types = self._edge_assoc_type
        assocs = sorted({edge_types[i] for i in edge_ids if edge_types[i] is not None})
        # Keys in sorted order, as _dumps writes them: the file equals json.dumps(..., sort_keys=True).
        return (
            '{"edges":[' + ",".join([self._edge_json[i] for i in edge_ids])
            + '],"focus":' + _dumps(focus)
            + ',"legend":{"association_types":[' + ",".join([self._assoc_type_json[a] for a in assocs])
            + '],"topic_types":[' + ",".join([self._topic_type_json[t] for t in types])
            + ']},"nodes":[' + ",".join([self._node_json[n] for n in node_ids])
            + '],"truncated":' + ("true" if truncated else "false")
            + ',"version":' + str(FORMAT_VERSION) + "}"
        )

    def global_json(self) -> str:
        return self._document("", list(self.nodes), list(range(len(self.edges))), False)

    def neighbourhood_json(self, focus: str, depth: int = DEFAULT_DEPTH, cap: int = MAX_NEIGHBOURHOOD_NODES) -> str:
        return self._document(focus, *self.neighbourhood_ids(focus, depth, cap))

    def topic_ids(self) -> list[str]:
        return [n for n, rec in self.nodes.items() if rec["kind"] == "topic"]


# --- public functions ---------------------------------------------------------------------
def to_networkx(tm: TopicMap, config: Config | None = None) -> nx.MultiGraph:
    """Topics (and n-ary association hubs) as nodes with the JSON node fields as attributes;
    associations and mentions as edges, keyed by their index in the sorted edge list."""
    g = SiteGraph.build(tm, config or Config())
    mg = nx.MultiGraph()
    for nid, rec in g.nodes.items():
        mg.add_node(nid, **{k: v for k, v in rec.items() if k != "id"})
    for i, e in enumerate(g.edges):
        mg.add_edge(e["from"], e["to"], key=i, kind=e["kind"], type=e.get("type", ""), label=e.get("label", ""),
                    roles=e.get("roles", []))
    return mg


def global_graph(tm: TopicMap, config: Config) -> dict:
    return json.loads(SiteGraph.build(tm, config).global_json())


def neighbourhood(tm: TopicMap, config: Config, topic_id: str, depth: int = DEFAULT_DEPTH) -> dict:
    return json.loads(SiteGraph.build(tm, config).neighbourhood_json(topic_id, depth))


def graph_files(tm: TopicMap, config: Config, url_for: UrlFor = topic_url,
                depth: int = DEFAULT_DEPTH, cap: int = MAX_NEIGHBOURHOOD_NODES) -> dict[str, bytes]:
    """Site path -> JSON bytes: GLOBAL_GRAPH_PATH and topic_graph_path(id) for every topic."""
    # Hundreds of thousands of small, long-lived objects: the cyclic GC would rescan the whole
    # heap (the map included) many times over for nothing; nothing here makes cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        g = SiteGraph.build(tm, config, url_for)
        files = {GLOBAL_GRAPH_PATH: g.global_json().encode("utf-8")}
        for tid in g.topic_ids():
            files[topic_graph_path(tid)] = g.neighbourhood_json(tid, depth, cap).encode("utf-8")
    finally:
        if gc_was_enabled:
            gc.enable()
    return files
