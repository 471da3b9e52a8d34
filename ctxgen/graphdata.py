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
is serialised once, so a topic's neighbourhood costs a small BFS and a join. A built site embeds
each topic's neighbourhood in its page (`script_json`): no file and no request per topic; the
dev server serves the same JSON as graph/t/<id>.json, so a save need not re-render the pages
around a topic. The layout (for the overview) is computed on first use (`lay_out`).
"""
from __future__ import annotations

import gc
import json
import re
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable
from urllib.parse import quote

from .config import SHAPES, Config, is_color
from .layout import Layout, compute_layout
from .site_paths import home_topic_id, topic_path, url_of
from .site_values import type_colors
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

if TYPE_CHECKING:
    import networkx as nx

FORMAT_VERSION = 2
GLOBAL_GRAPH_PATH = "graph/all.json"
LEGEND_PATH = "graph/legend.json"
MAX_DEPTH = 3  # a topic's file holds rings 1..3; the page shows 1, 2 or 3 of them
DEFAULT_DEPTH = 2  # what a topic page shows first
RING_CAPS = (15, 20, 25)  # new nodes per ring, most connected first: files stay small, graphs readable

# Colour-blind-friendly palette (Okabe-Ito plus a few), picked per type by a stable hash so a
# type keeps its colour when others are added.
PALETTE = (
    "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#0072b2", "#cc79a7", "#b8a000",
    "#7f3c8d", "#11a579", "#3969ac", "#e73f74", "#80ba5a", "#e68310", "#008695",
)
UNTYPED_COLOR = "#8a8f98"
HUB_COLOR = "#9aa0a6"
_URL_SAFE = "/-_.~!$&'()*+,;=@"
BUILTIN_LABELS = {SUPERTYPE_SUBTYPE: "subtype of"}

UrlFor = Callable[[str], str]


def topic_url(topic_id: str) -> str:
    """The URL of a topic's page relative to the site root (`<id>/`, percent-encoded)."""
    return url_of(topic_path(topic_id))


def topic_urls(tm: TopicMap) -> UrlFor:
    """topic_url, except that the root index.md's topic is at the home page (`./`)."""
    home = home_topic_id(tm)
    return lambda topic_id: "./" if topic_id == home else url_of(topic_path(topic_id))


def topic_graph_path(topic_id: str) -> str:
    """Site path of a topic's neighbourhood JSON (a key of `graph_files`)."""
    return f"graph/t/{topic_id}.json"


def cluster_graph_path(index: int) -> str:
    """Site path of the nodes and edges of cluster `index` of graph/all.json."""
    return f"graph/c/{index}.json"


def topic_graph_url(topic_id: str) -> str:
    """`topic_graph_path` percent-encoded, relative to the site root: for `data-graph-src`."""
    return quote(topic_graph_path(topic_id), safe=_URL_SAFE)


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


def _palette_color(key: str) -> str:
    return PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def _safe_color(value: str | None, key: str) -> str:
    if value and is_color(value):
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
    scopes: dict[str, dict] = field(default_factory=dict)  # scope themes of associations, by id
    # derived once (_index; the layout fields by lay_out)
    styles: list[str] = field(default_factory=list)  # distinct edge styles, as sorted JSON text
    layout: Layout = field(default_factory=Layout)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # node id -> (x, y), hubs too
    cluster_of: dict[str, int] = field(default_factory=dict)  # node id -> cluster index, hubs too
    cluster_members: list[list[str]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # the global node order: by cluster, then id
    node_index: dict[str, int] = field(default_factory=dict)
    _hubs: set[str] = field(default_factory=set)
    _edge_style: list[int] = field(default_factory=list)
    _edge_ends: list[tuple[str, str, int]] = field(default_factory=list)  # (from, to, style) per edge
    _implicit: set[str] = field(default_factory=set)  # topics no file declares (types, roles named only)
    _node_core: dict[str, list] = field(default_factory=dict)
    _node_url: dict[str, str] = field(default_factory=dict)
    _node_head: dict[str, str] = field(default_factory=dict)
    _node_tail: dict[str, str] = field(default_factory=dict)
    _laid_out: bool = False

    # --- building ------------------------------------------------------------------
    @classmethod
    def build(cls, tm: TopicMap, config: Config, url_for: UrlFor | None = None) -> "SiteGraph":
        g = cls()
        url_for = url_for or topic_urls(tm)
        schema = config.schema
        colors = type_colors(tm, schema)  # the site's dots and badges use the same

        name_of = tm.label

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
                    color = colors.get(type_id) or _safe_color(st.color if st else None, type_id)
                    shape = st.shape if st and st.shape in SHAPES else "dot"
                    label = type_label(type_id)
                else:
                    color, shape, label = UNTYPED_COLOR, "dot", "untyped"
                entry = g.topic_types[type_id] = {"id": type_id, "label": label, "color": color, "shape": shape}
            return entry

        def legend_scope(scope) -> None:
            for theme in scope:
                if theme not in g.scopes:
                    g.scopes[theme] = {"id": theme, "label": name_of(theme)}

        # association types take the palette in order of id: distinct while there are colours left
        assoc_colors = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(sorted({a.type for a in relations}))}

        def legend_assoc(type_id: str) -> None:
            if type_id not in g.association_types:
                g.association_types[type_id] = {"id": type_id, "label": assoc_label(type_id), "color": assoc_colors[type_id]}

        records: dict[str, dict] = {}
        for t in tm.topics.values():
            if t.id in STANDARD_TOPICS:
                continue
            type_id = first_type.get(t.id, "")
            lt = legend_type(type_id)
            records[t.id] = {
                "id": t.id, "label": t.name if t.names else tm.label(t.id), "kind": "topic", "type": type_id, "group": type_id or "untyped",
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
                legend_scope(a.scope)
                edges.append({
                    "from": p1, "to": p2, "kind": "association", "type": a.type,
                    "label": assoc_label(a.type), "roles": [r1, r2],
                    "role_labels": [role_label(r1), role_label(r2)], "scope": sorted(a.scope),
                })
            else:
                key = (a.type, tuple(sorted(players)), tuple(sorted(a.scope)), a.reifier or "")
                hubs.append((key, a, players))
        hubs.sort(key=lambda h: h[0])
        for n, (_, a, players) in enumerate(hubs, 1):
            hub_id = f"assoc:{n}"
            legend_assoc(a.type)
            legend_scope(a.scope)
            records[hub_id] = {
                "id": hub_id, "label": assoc_label(a.type), "kind": "association", "type": a.type,
                "group": "association", "color": g.association_types[a.type]["color"], "shape": "diamond",
                "url": url_for(a.reifier) if a.reifier and a.reifier in records else "",
            }
            for role_type, player in players:
                edges.append({
                    "from": hub_id, "to": player, "kind": "association", "type": a.type,
                    "label": role_label(role_type), "roles": [role_type],
                    "role_labels": [role_label(role_type)], "scope": sorted(a.scope),
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
        g._implicit = {t.id for t in tm.topics.values() if t.implicit and t.id in records}
        g.topic_types = dict(sorted(g.topic_types.items()))
        g.association_types = dict(sorted(g.association_types.items()))
        g.scopes = dict(sorted(g.scopes.items()))
        g._index()
        return g

    def _index(self) -> None:
        """Legend indices, edge styles and the serialised nodes: all a neighbourhood needs."""
        self._hubs = {nid for nid, rec in self.nodes.items() if rec["kind"] == "association"}
        type_index = {t: i for i, t in enumerate(self.topic_types)}
        assoc_index = {a: i for i, a in enumerate(self.association_types)}
        # Many edges share a style: each distinct one is serialised once (styles sort by their JSON).
        key_of = [_style_key(e) for e in self.edges]
        text_of: dict[tuple, str] = {}
        for k, e in zip(key_of, self.edges):
            if k not in text_of:
                text_of[k] = _dumps(_style(e))
        self.styles = sorted(set(text_of.values()))
        index = {t: i for i, t in enumerate(self.styles)}
        by_key = {k: index[t] for k, t in text_of.items()}
        self._edge_style = [by_key[k] for k in key_of]
        self._edge_ends = [(e["from"], e["to"], st) for e, st in zip(self.edges, self._edge_style)]

        def core(rec: dict) -> list:
            t = assoc_index[rec["type"]] if rec["kind"] == "association" else type_index[rec["type"]]
            return [rec["id"], rec["label"], t, rec["degree"]]

        self._node_core = {nid: core(rec) for nid, rec in self.nodes.items()}
        self._node_url = {nid: rec["url"] for nid, rec in self.nodes.items() if rec["url"] != nid + "/"}
        # a node's JSON array without its last fields: the per-topic files are joined from these
        self._node_head = {nid: _dumps(c)[:-1] for nid, c in self._node_core.items()}
        self._node_tail = {nid: "," + _dumps(u) + "]" for nid, u in self._node_url.items()}

    def lay_out(self) -> "SiteGraph":
        """The overview's layout and the global node order (by cluster), once. Only the overview
        files and `to_networkx` need it, so a build computes it in the graph task, not before."""
        if self._laid_out:
            return self
        self._laid_out = True
        # The overview leaves out topics no file declares that nothing links (an occurrence type,
        # a role type): on a small map they outnumbered the real topics. Their pages keep a graph.
        topics = {nid: rec["type"] for nid, rec in self.nodes.items()
                  if rec["kind"] == "topic" and (self.adjacency[nid] or nid not in self._implicit)}
        self.layout = compute_layout(topics, {n: self.adjacency[n].keys() for n in topics})
        positions = dict(self.layout.positions)
        cluster_of = dict(self.layout.cluster_of)
        for hub in sorted(self._hubs):  # a hub sits among its players, in its first player's cluster
            players = list(self.adjacency[hub])
            xs = [positions[p] for p in players if p in positions]
            positions[hub] = (round(sum(x for x, _ in xs) / len(xs)), round(sum(y for _, y in xs) / len(xs)))
            cluster_of[hub] = cluster_of[min(players)]
        self.positions = positions
        self.cluster_of = cluster_of
        members: list[list[str]] = [[] for _ in self.layout.clusters]
        for nid in self.nodes:  # sorted ids
            if nid in cluster_of:
                members[cluster_of[nid]].append(nid)
        self.cluster_members = members
        self.order = [nid for group in members for nid in group]
        self.node_index = {nid: i for i, nid in enumerate(self.order)}
        return self

    # --- views -----------------------------------------------------------------------
    def neighbourhood_ids(self, focus: str, depth: int = MAX_DEPTH, caps: tuple[int, ...] = RING_CAPS
                          ) -> tuple[list[tuple[str, int]], list[int], list[bool]]:
        """(node, ring) pairs within `depth` topic hops of `focus` in BFS order (a hub does not
        count as a hop: it is in the ring of its players), the edges among them except those
        joining two nodes of the outer ring (a hub's own edges always count), and per ring whether
        its cap (`caps[ring - 1]` new nodes, most connected first) cut it short. BFS over the
        adjacency: the cost is bounded by the caps times the degree, not by the map's size."""
        adjacency, hubs = self.adjacency, self._hubs
        if focus not in adjacency:
            return [], [], [False] * depth
        ring = {focus: 0}  # insertion order is BFS order
        counts = [0] * (depth + 1)
        truncated = [False] * depth
        queue = deque([focus])
        while queue:
            u = queue.popleft()
            is_hub = u in hubs
            next_ring = ring[u] if is_hub else ring[u] + 1
            cap, n = caps[next_ring - 1], counts[next_ring]
            if n < cap:
                for v in adjacency[u]:
                    if v in ring:
                        continue
                    if n >= cap:
                        truncated[next_ring - 1] = True
                        break
                    n += 1
                    ring[v] = next_ring
                    if v in hubs:
                        queue.appendleft(v)  # expand a hub at once: its players are one hop away
                    elif next_ring < depth:  # the outer ring is never expanded
                        queue.append(v)
                counts[next_ring] = n
            elif not truncated[next_ring - 1] and any(v not in ring for v in adjacency[u]):
                truncated[next_ring - 1] = True
            # The outer ring full and known cut short: what is still queued could only be turned away.
            if next_ring == depth and n >= cap and truncated[depth - 1]:
                break
        # A hub left with fewer than two of its players is not drawn (hubs join topics, not hubs).
        for hub in ring.keys() & hubs:
            if sum(1 for p in adjacency[hub] if p in ring) < 2:
                del ring[hub]
        # The edges drawn join two drawn nodes, at least one of them inside the outer ring or a hub.
        edge_ids: set[int] = set()
        drawn = ring.keys()
        for u, r in ring.items():
            if r < depth or u in hubs:
                nbrs = adjacency[u]  # C walks the smaller side of `&`, and gathers the edge ids
                edge_ids.update(*map(nbrs.__getitem__, nbrs.keys() & drawn))
        return list(ring.items()), sorted(edge_ids), truncated

    def legend_json(self) -> str:
        return _dumps({
            "version": FORMAT_VERSION,
            "topic_types": list(self.topic_types.values()),
            "association_types": list(self.association_types.values()),
            "scopes": list(self.scopes.values()),
            "styles": [json.loads(k) for k in self.styles],
        })

    def _node(self, nid: str, *extra: int) -> list:
        rec = self._node_core[nid] + list(extra)
        url = self._node_url.get(nid)
        return rec + [url] if url is not None else rec

    def global_json(self) -> str:
        """The overview: one record per cluster and the links between clusters."""
        self.lay_out()
        clusters = []
        first = 0
        type_index = {t: i for i, t in enumerate(self.topic_types)}
        for i, (c, members) in enumerate(zip(self.layout.clusters, self.cluster_members)):
            label = self.topic_types[c.type]["label"]
            if c.seed:
                label = f"{label}: {self.nodes[c.seed]['label']}"
            clusters.append({"key": c.key, "label": label, "type": type_index[c.type], "size": len(members),
                             "first": first, "x": round(c.x), "y": round(c.y), "r": round(c.radius),
                             "src": cluster_graph_path(i)})
            first += len(members)
        links: dict[tuple[int, int, int], int] = {}
        cluster_of = self.cluster_of
        for i, e in enumerate(self.edges):
            a, b = cluster_of[e["from"]], cluster_of[e["to"]]
            if a != b:
                key = (min(a, b), max(a, b), self._edge_style[i])
                links[key] = links.get(key, 0) + 1
        return _dumps({
            "version": FORMAT_VERSION, "nodes": len(self.order), "edges": len(self.edges),
            "legend": LEGEND_PATH, "clusters": clusters,
            "links": [[a, b, s, n] for (a, b, s), n in sorted(links.items())],
        })

    def cluster_json(self, i: int) -> str:
        """A cluster's nodes (with x, y) and the edges whose lower cluster index is i."""
        self.lay_out()
        members = self.cluster_members[i]
        index, cluster_of, positions = self.node_index, self.cluster_of, self.positions
        edges = []
        seen = set()
        for nid in members:
            for v, ids in self.adjacency[nid].items():
                if min(cluster_of[v], i) == i and cluster_of[v] >= i:
                    for e in ids:
                        if e not in seen:
                            seen.add(e)
                            edges.append(e)
        edges.sort()
        return _dumps({
            "version": FORMAT_VERSION, "cluster": i, "first": index[members[0]] if members else 0,
            "nodes": [self._node(n, *positions[n]) for n in members],
            "edges": [[index[self.edges[e]["from"]], index[self.edges[e]["to"]], self._edge_style[e]] for e in edges],
        })

    def neighbourhood_json(self, focus: str, depth: int = MAX_DEPTH, caps: tuple[int, ...] = RING_CAPS) -> str:
        nodes, edge_ids, truncated = self.neighbourhood_ids(focus, depth, caps)
        local = {n: str(i) for i, (n, _) in enumerate(nodes)}
        head, tail, ends = self._node_head, self._node_tail, self._edge_ends
        # Joined by hand, keys in sorted order: equal to _dumps of the same dict, several times faster.
        node_text = ",".join([f"{head[n]},{r}{tail.get(n, ']')}" for n, r in nodes])
        edge_text = ",".join([f"[{local[a]},{local[b]},{style}]" for a, b, style in map(ends.__getitem__, edge_ids)])
        return (f'{{"depth":{depth},"edges":[{edge_text}],"focus":{_dumps(focus)},"legend":{_dumps(LEGEND_PATH)},'
                f'"nodes":[{node_text}],"truncated":{_dumps(truncated)},"version":{FORMAT_VERSION}}}')

    def script_json(self, focus: str) -> str:
        """`neighbourhood_json(focus)` safe inside a page's <script type="application/json">:
        `<`, `>` and `&` occur only in strings, where their \\u escapes mean the same."""
        text = self.neighbourhood_json(focus)
        for char, escaped in _SCRIPT_ESCAPES:
            if char in text:
                text = text.replace(char, escaped)
        return text

    def topic_ids(self) -> list[str]:
        return [n for n, rec in self.nodes.items() if rec["kind"] == "topic"]

    def shared_paths(self) -> list[str]:
        """The files every page of a built site shares: the overview, its clusters, the legend."""
        self.lay_out()
        return [GLOBAL_GRAPH_PATH, LEGEND_PATH] + [cluster_graph_path(i) for i in range(len(self.cluster_members))]

    def paths(self) -> list[str]:
        """Every site path `file` answers: the shared files and each topic's neighbourhood."""
        return self.shared_paths() + [topic_graph_path(t) for t in self.topic_ids()]

    def file(self, path: str) -> bytes | None:
        """The bytes of one graph file by site path, or None (for a live server)."""
        if path == GLOBAL_GRAPH_PATH:
            return self.global_json().encode("utf-8")
        if path == LEGEND_PATH:
            return self.legend_json().encode("utf-8")
        if path.startswith("graph/c/") and path.endswith(".json") and path[8:-5].isdigit():
            i = int(path[8:-5])
            self.lay_out()
            return self.cluster_json(i).encode("utf-8") if i < len(self.cluster_members) else None
        if path.startswith("graph/t/") and path.endswith(".json"):
            tid = path[8:-5]
            return self.neighbourhood_json(tid).encode("utf-8") if tid in self._node_core and tid not in self._hubs else None
        return None


EMBEDDED_ID = "ctx-graph-data"  # the id of the <script type="application/json"> topic.html embeds
_EMBEDDED = re.compile(f'<script type="application/json" id="{EMBEDDED_ID}">(.*?)</script>', re.S)


def embedded_neighbourhood(page_html: str) -> dict | None:
    """The neighbourhood a built topic page embeds (`SiteGraph.script_json`), parsed; None if none."""
    m = _EMBEDDED.search(page_html)
    return json.loads(m[1]) if m else None


_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def _style_key(edge: dict) -> tuple:
    """`_style(edge)` as a hashable value."""
    if edge["kind"] == "mention":
        return ("mention",)
    return (edge["kind"], edge["type"], edge["label"], tuple(edge["roles"]), tuple(edge["role_labels"]), tuple(edge["scope"]))


def _style(edge: dict) -> dict:
    """What an edge looks like, shared by many edges (graph/legend.json `styles`)."""
    if edge["kind"] == "mention":
        return {"kind": "mention"}
    return {k: edge[k] for k in ("kind", "type", "label", "roles", "role_labels", "scope")}


# --- public functions ---------------------------------------------------------------------
def to_networkx(tm: TopicMap, config: Config | None = None) -> "nx.MultiGraph":
    """Topics (and n-ary association hubs) as nodes with the node fields and x, y as attributes
    (no x, y for a topic the overview leaves out);
    associations and mentions as edges, keyed by their index in the sorted edge list."""
    import networkx as nx  # here, not at the top: a build does not need it (0.17 s of start-up)

    g = SiteGraph.build(tm, config or Config()).lay_out()
    mg = nx.MultiGraph()
    for nid, rec in g.nodes.items():
        place = g.positions.get(nid)  # None: left out of the drawn overview (an unlinked implicit topic)
        mg.add_node(nid, **{k: v for k, v in rec.items() if k != "id"}, **(dict(zip("xy", place)) if place else {}))
    for i, e in enumerate(g.edges):
        mg.add_edge(e["from"], e["to"], key=i, kind=e["kind"], type=e.get("type", ""), label=e.get("label", ""),
                    roles=e.get("roles", []), scope=e.get("scope", []))
    return mg


def graph_files(tm: TopicMap, config: Config, url_for: UrlFor | None = None) -> dict[str, bytes]:
    """Site path -> JSON bytes: every file of `SiteGraph.paths()`."""
    # Hundreds of thousands of small, long-lived objects: the cyclic GC would rescan the whole
    # heap (the map included) many times over for nothing; nothing here makes cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        g = SiteGraph.build(tm, config, url_for)
        files = {path: g.file(path) for path in g.paths()}
    finally:
        if gc_was_enabled:
            gc.enable()
    return files
