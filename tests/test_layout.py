"""layout: clusters and build-time positions (ctxgen/layout.py)."""
from __future__ import annotations

import math
import random
import statistics
import time

from hypothesis import given, settings, strategies as st

from ctxgen.layout import MAX_CLUSTER, compute_layout


def random_map(n: int, seed: int, types: int = 8, links_per_node: int = 4):
    rnd = random.Random(seed)
    node_types = {f"t{i:05}": f"type{min(int(rnd.paretovariate(1.0)) - 1, types - 1)}" for i in range(n)}
    ids = sorted(node_types)
    links: dict[str, set[str]] = {k: set() for k in ids}
    for a in ids:
        for _ in range(links_per_node):
            b = ids[min(int(rnd.paretovariate(0.8) * 3), n - 1)] if rnd.random() < 0.3 else rnd.choice(ids)
            if a != b:
                links[a].add(b)
                links[b].add(a)
    return node_types, links


def test_every_node_is_placed_in_its_clusters_disk():
    node_types, links = random_map(3000, 1)
    lay = compute_layout(node_types, links)
    assert set(lay.positions) == set(node_types)
    for n, (x, y) in lay.positions.items():
        c = lay.clusters[lay.cluster_of[n]]
        assert c.type == node_types[n] and n in c.members
        assert math.hypot(x - c.x, y - c.y) <= c.radius + 1
    assert all(len(c.members) <= 2 * MAX_CLUSTER for c in lay.clusters)
    assert sorted(m for c in lay.clusters for m in c.members) == sorted(node_types)


def test_large_types_are_split_into_communities_small_ones_are_not():
    node_types, links = random_map(3000, 2)
    lay = compute_layout(node_types, links)
    sizes: dict[str, int] = {}
    for t in node_types.values():
        sizes[t] = sizes.get(t, 0) + 1
    for t, size in sizes.items():
        parts = [c for c in lay.clusters if c.type == t]
        if size <= MAX_CLUSTER:
            assert [c.key for c in parts] == [t] and parts[0].seed == ""
        else:
            assert len(parts) == math.ceil(size / MAX_CLUSTER)
            assert all(c.key == f"{t}/{c.seed}" and c.seed in c.members for c in parts)


def test_cluster_disks_do_not_overlap():
    node_types, links = random_map(2000, 3)
    cl = compute_layout(node_types, links).clusters
    for i, a in enumerate(cl):
        for b in cl[i + 1:]:
            assert math.hypot(a.x - b.x, a.y - b.y) >= a.radius + b.radius - 1


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(pairs, rnd):
    node_types = {f"n{i}": f"k{i % 3}" for i in range(41)}
    links: dict[str, list[str]] = {k: [] for k in node_types}
    for a, b in pairs:
        links[f"n{a}"].append(f"n{b}")
        links[f"n{b}"].append(f"n{a}")
    first = compute_layout(node_types, links)
    keys = list(node_types)
    rnd.shuffle(keys)
    shuffled = {k: node_types[k] for k in keys}
    links2 = {k: list(reversed(links[k])) for k in keys}
    second = compute_layout(shuffled, links2)
    assert first.positions == second.positions
    assert [c.key for c in first.clusters] == [c.key for c in second.clusters]


def test_a_new_topic_does_not_reshuffle_the_map():
    node_types, links = random_map(5000, 4)
    before = compute_layout(node_types, links)
    node_types["t99999"] = "type0"
    links["t99999"] = {"t00010", "t00020", "t00030"}
    for b in links["t99999"]:
        links[b].add("t99999")
    after = compute_layout(node_types, links)
    xs = [p[0] for p in before.positions.values()]
    extent = max(xs) - min(xs)
    moved = [math.hypot(after.positions[n][0] - p[0], after.positions[n][1] - p[1]) for n, p in before.positions.items()]
    assert statistics.median(moved) < 0.02 * extent
    assert sum(m > 0.05 * extent for m in moved) < 0.05 * len(moved)


def test_ten_thousand_nodes_is_cheap():
    node_types, links = random_map(10_000, 5, links_per_node=9)
    start = time.process_time()
    compute_layout(node_types, links)
    assert time.process_time() - start < 3.0  # budget: well under 2 s on an idle machine
