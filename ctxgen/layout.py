"""Build-time graph layout: clusters and x/y for every topic, so the browser draws without physics.

Why not a force layout: on the 10,000-topic benchmark map (95,200 edges) networkx's
spring_layout (10 iterations) took 84 s of CPU, igraph's Fruchterman-Reingold (100 iterations,
grid) 26 s, igraph DrL 108 s and fa2-modified's ForceAtlas2 (Barnes-Hut, 100 iterations) 54 s;
the budget is well under 2 s. Louvain communities of the largest type alone (3,992 topics) took
3.3 s, label propagation 0.25 s but gave 1,103 communities (1,067 of under 10 topics). See
docs/graph-json.md.

So the layout is made of cheap, local, deterministic steps (pure Python, O(nodes + edges)):
1. Clusters: one per topic type; a type with more than MAX_CLUSTER topics is split around its
   most connected topics (a graph Voronoi partition: multi-source BFS over the links among the
   type's topics, the smallest region growing first; topics it cannot reach go to a seed
   chosen by a hash of their id).
2. Cluster placement: each cluster's disk (area proportional to its size, up to a cap) takes
   the cell of a square grid hashed from its key (a force layout of the clusters moved every
   cluster when one grew: measured by tests/test_layout.py).
3. Node placement: a node's home is a point of its cluster's disk hashed from its id; a few
   rounds pull it towards the mean of its neighbours in the cluster (anchored to its home).

Stability: a node's position depends on its own id, its cluster and its neighbours only, so a
new topic moves its neighbours a little and nothing else (tests/test_layout.py measures it).
"""
from __future__ import annotations

import heapq
import math
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Iterable, Mapping

MAX_CLUSTER = 400  # topics per cluster: a type larger than this is split into communities
SPACING = 36.0  # canvas units per node: a cluster of n nodes is a disk of radius SPACING * sqrt(n)
GAP = 80.0  # canvas units between cluster disks
MAX_RADIUS = SPACING * math.sqrt(1.25 * MAX_CLUSTER) + SPACING  # one grid cell holds any cluster
SMOOTHING_ROUNDS = 3


@dataclass(slots=True)
class Cluster:
    """A group of topics drawn as one node until opened."""

    key: str  # stable: the type id, or "type/seed-id" for a community of a large type
    type: str  # the topic type id ("" = untyped)
    seed: str  # the most connected member (names a community); "" for a whole type
    members: list[str]  # node ids, sorted
    x: float = 0.0
    y: float = 0.0
    radius: float = 0.0


@dataclass(slots=True)
class Layout:
    clusters: list[Cluster] = field(default_factory=list)  # sorted by key
    cluster_of: dict[str, int] = field(default_factory=dict)  # node id -> index into clusters
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # node id -> (x, y)


def _hash01(text: str, salt: int = 0) -> float:
    """A stable pseudo-random number in [0, 1) from a string."""
    return (zlib.crc32(text.encode("utf-8"), salt) & 0xFFFFFFFF) / 4294967296.0


def _disk_point(text: str) -> tuple[float, float]:
    """A stable point of the unit disk, uniform by area."""
    r = math.sqrt(_hash01(text, 1))
    a = 2 * math.pi * _hash01(text, 2)
    return r * math.cos(a), r * math.sin(a)


def _split_type(type_id: str, members: list[str], links: Mapping[str, Iterable[str]],
                degree: Mapping[str, int]) -> list[Cluster]:
    if len(members) <= MAX_CLUSTER:
        return [Cluster(type_id, type_id, "", members)]
    k = math.ceil(len(members) / MAX_CLUSTER)
    seeds = sorted(members, key=lambda n: (-degree.get(n, 0), n))[:k]
    owner = {s: i for i, s in enumerate(seeds)}
    in_type = set(members)
    # Balanced region growing: the smallest region takes the next topic of its BFS frontier,
    # so communities stay comparable in size (a plain BFS gives one giant basin).
    queues = [deque([s]) for s in seeds]
    sizes = [1] * k
    heap = [(1, i) for i in range(k)]
    while heap:
        size, i = heapq.heappop(heap)
        q = queues[i]
        while q:
            u = q[0]
            v = next((v for v in links.get(u, ()) if v in in_type and v not in owner), None)
            if v is None:
                q.popleft()  # u's frontier is used up
                continue
            owner[v] = i
            q.append(v)
            sizes[i] += 1
            heapq.heappush(heap, (sizes[i], i))
            break
    groups: list[list[str]] = [[] for _ in seeds]
    for n in members:
        groups[owner[n] if n in owner else int(_hash01(n, 3) * k)].append(n)
    return [Cluster(f"{type_id}/{s}", type_id, s, g) for s, g in zip(seeds, groups) if g]


def _place_clusters(clusters: list[Cluster]) -> None:
    """Each cluster takes a cell of a square grid hashed from its key (the next free cell on a
    collision, in key order). Cells have one size, so a cluster that grows or a new cluster
    elsewhere never moves the others; the grid only grows when the number of clusters doubles."""
    cell = 2 * MAX_RADIUS + GAP
    side = 1
    while side * side < 2 * len(clusters):  # load factor at most 1/2: few collisions
        side *= 2
    taken: set[int] = set()
    for c in clusters:  # sorted by key
        slot = int(_hash01(c.key, 4) * side * side)
        while slot in taken:
            slot = (slot + 1) % (side * side)
        taken.add(slot)
        row, col = divmod(slot, side)
        c.x = (col - (side - 1) / 2) * cell
        c.y = (row - (side - 1) / 2) * cell
        c.radius = min(MAX_RADIUS, SPACING * math.sqrt(len(c.members)) + SPACING)


def compute_layout(node_types: Mapping[str, str], links: Mapping[str, Iterable[str]]) -> Layout:
    """Clusters and positions for the nodes of `node_types` (node id -> type id, "" untyped).

    `links` maps a node to its neighbours (both directions; nodes outside node_types are
    ignored). The result depends only on the ids, types and links, never on their order."""
    links = {n: sorted(v for v in links.get(n, ()) if v in node_types and v != n) for n in node_types}
    degree = {n: len(v) for n, v in links.items()}
    by_type: dict[str, list[str]] = {}
    for n in sorted(node_types):
        by_type.setdefault(node_types[n], []).append(n)
    clusters: list[Cluster] = []
    for type_id in sorted(by_type):
        clusters.extend(_split_type(type_id, by_type[type_id], links, degree))
    clusters.sort(key=lambda c: c.key)
    layout = Layout(clusters=clusters)
    cluster_of = layout.cluster_of
    for i, c in enumerate(clusters):
        for n in c.members:
            cluster_of[n] = i
    _place_clusters(clusters)

    # Nodes: hashed homes in the cluster's disk, then smoothing towards same-cluster neighbours.
    home: dict[str, tuple[float, float]] = {}
    for c in clusters:
        r = c.radius - SPACING / 2
        for n in c.members:
            ux, uy = _disk_point(n)
            home[n] = (c.x + ux * r, c.y + uy * r)
    pos = dict(home)
    inner = {n: [v for v in nbrs if cluster_of[v] == cluster_of[n]] for n, nbrs in links.items()}
    for _ in range(SMOOTHING_ROUNDS):
        new = {}
        for n, nbrs in inner.items():
            hx, hy = home[n]
            if not nbrs:
                new[n] = (hx, hy)
                continue
            sx = sy = 0.0
            for v in nbrs:
                px, py = pos[v]
                sx += px
                sy += py
            k = len(nbrs)
            w = k / (k + 2.0)  # the more links, the more a node follows them
            new[n] = ((1 - w) * hx + w * sx / k, (1 - w) * hy + w * sy / k)
        pos = new
    layout.positions = {n: (round(x), round(y)) for n, (x, y) in sorted(pos.items())}
    return layout
