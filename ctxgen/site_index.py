"""Lookup indexes over a TopicMap, built once per render in one pass over the map.

`TopicMap.associations_of` and friends scan every association per call; a page per topic
would make that O(n²) on a large map. The render stage asks this index instead.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from . import site_values
from .config import Config
from .model import (
    INSTANCE,
    STANDARD_TOPICS,
    SUBTYPE,
    SUPERTYPE,
    SUPERTYPE_SUBTYPE,
    TYPE,
    TYPE_INSTANCE,
    Association,
    Topic,
    TopicMap,
)

MAX_CONTEXTS = 3  # quotes kept per mentioning topic (a topic mentioned 15,000 times made a 1.5 MB page)


def _add(d: dict[str, dict[str, None]], key: str, value: str) -> None:
    d[key][value] = None  # a dict as an ordered set


@dataclass
class SiteIndex:
    topics: dict[str, Topic]  # the topics that get a page (published user topics)
    labels: dict[str, str]  # every topic id -> display label (schema label, else name, else id)
    colors: dict[str, str]  # topic id -> colour of its first type (site_values.type_colors)
    # ordered sets (dicts with None values) of topic ids
    types_of: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    instances_of: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    supertypes_of: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    subtypes_of: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    # typed associations (type-instance and supertype-subtype excluded)
    by_player: dict[str, list[tuple[Association, int]]] = field(default_factory=lambda: defaultdict(list))
    by_type: dict[str, list[Association]] = field(default_factory=lambda: defaultdict(list))
    reifies: dict[str, Association] = field(default_factory=dict)  # reifier topic id -> association
    # target id -> {source id: [link contexts]} in first-seen order
    backlinks: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(dict))
    tags: dict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))  # tag -> topic ids
    degree: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    association_count: int = 0
    type_colors: dict[str, str] = field(default_factory=dict)  # type id -> its colour

    @classmethod
    def build(cls, tm: TopicMap, config: Config, drafts: bool) -> "SiteIndex":
        schema = config.schema
        topics = {
            tid: t
            for tid, t in tm.topics.items()
            if tid not in STANDARD_TOPICS and (drafts or not t.draft)
        }
        labels: dict[str, str] = {}
        for tid, t in tm.topics.items():
            labels[tid] = tm.label(tid)
        for table in (schema.topic_types, schema.association_types, schema.role_types, schema.occurrence_types):
            for tid, entry in table.items():
                if entry.label:
                    labels[tid] = entry.label
        idx = cls(topics, labels, {})

        for a in tm.associations:
            if a.type == TYPE_INSTANCE or a.type == SUPERTYPE_SUBTYPE:
                if a.scope:
                    continue
                roles = {r.type: r.player for r in a.roles}
                if a.type == TYPE_INSTANCE and TYPE in roles and INSTANCE in roles:
                    _add(idx.types_of, roles[INSTANCE], roles[TYPE])
                    _add(idx.instances_of, roles[TYPE], roles[INSTANCE])
                elif SUPERTYPE in roles and SUBTYPE in roles:
                    _add(idx.supertypes_of, roles[SUBTYPE], roles[SUPERTYPE])
                    _add(idx.subtypes_of, roles[SUPERTYPE], roles[SUBTYPE])
                continue
            if not drafts and any(getattr(tm.topics.get(r.player), "draft", False) for r in a.roles):
                continue  # left out with its draft player
            idx.association_count += 1
            idx.by_type[a.type].append(a)
            if a.reifier:
                idx.reifies[a.reifier] = a
            seen: set[str] = set()
            for i, r in enumerate(a.roles):
                if r.player not in seen:
                    seen.add(r.player)
                    idx.by_player[r.player].append((a, i))
                    idx.degree[r.player] += 1

        type_colors = idx.type_colors = site_values.type_colors(tm, config.schema)
        for tid, t in topics.items():
            for ty in idx.types_of.get(tid, ()):  # its first type, as the graph's node colour
                if ty in type_colors:
                    idx.colors[tid] = type_colors[ty]
                break
            for tag in t.tags:
                _add(idx.tags, tag, tid)
                while "/" in tag:  # a nested tag is in its parents too: #area lists #area/sub's topics
                    tag = tag.rpartition("/")[0]
                    _add(idx.tags, tag, tid)
            for target, contexts in link_contributions(t, topics).items():
                idx.backlinks[target][tid] = contexts
                idx.degree[tid] += 1
                idx.degree[target] += 1
        for m in tm.mentions:  # mentions the bodies above did not carry (e.g. from an importer)
            if m.source in topics and m.target in topics and m.source != m.target:
                sources = idx.backlinks[m.target]
                if m.source not in sources:
                    sources[m.source] = []
                    idx.degree[m.source] += 1
                    idx.degree[m.target] += 1
        return idx


def link_contributions(topic: Topic, published: dict[str, Topic]) -> dict[str, list[str]]:
    """What a published topic's body and notes add to backlinks: linked topic id -> the links'
    contexts (at most MAX_CONTEXTS, each once). The dev server recomputes one topic's with it."""
    out: dict[str, list[str]] = {}
    tid = topic.id
    if tid not in published:
        return out
    for body in [topic.body] + [o.note for o in topic.occurrences]:
        if body is None or body.rendered is None:
            continue
        for link in body.rendered.links:
            target = body.targets.get(link.hole)
            if target is None or target.topic is None or target.topic == tid or target.topic not in published:
                continue
            contexts = out.get(target.topic)
            if contexts is None:
                contexts = out[target.topic] = []
            if link.context and len(contexts) < MAX_CONTEXTS and link.context not in contexts:
                contexts.append(link.context)
    return out
