"""TMDM merging (ISO/IEC 13250-2, 6) on a whole `TopicMap`, in linear time.

`merge_map(tm)` brings a map to its merged, duplicate-free form:

1. topics merge when they share an item identifier, a subject identifier or a subject locator,
   or when one's item identifier is another's subject identifier (union-find over identifiers);
   a merged topic keeps every body, one after the other in the order of the topics (path order
   for a map folder: see `_append_body`);
2. every reference (types, players, scopes, reifiers, mentions...) is rewritten in one pass;
3. duplicate names, variants, occurrences, roles and associations are removed; the survivor gets
   the union of their item identifiers, and if both had a reifier the two reifiers merge;
4. steps 1-3 repeat until reifier merging causes no more work.

Then the constraints are checked: a topic reifies at most one construct, and no two constructs
share an item identifier. A violation raises `TopicMapSyntaxError` with the span of the later
construct. `merge_maps(target, source)` adds one map into another (XTM mergeMap, LTM/CTM include).
"""
from __future__ import annotations

import dataclasses
import re

from .interchange.errors import TopicMapSyntaxError
from .md_anchors import prefix_footnote_ids
from .md_common import HOLE, HOLE_END, HOLE_RE, escape
from .model import (
    STANDARD_TOPICS,
    Association,
    Body,
    LinkTarget,
    Name,
    Occurrence,
    Role,
    Topic,
    TopicMap,
    Variant,
)
from .source import Heading


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, order: dict[str, int]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if _prefer(rb, ra, order):
            ra, rb = rb, ra
        self.parent[rb] = ra


def _prefer(a: str, b: str, order: dict[str, int]) -> bool:
    """Whether id `a` should survive a merge with `b`: standard tm: ids first, then the older topic."""
    sa, sb = a in STANDARD_TOPICS, b in STANDARD_TOPICS
    if sa != sb:
        return sa
    return order.get(a, 0) < order.get(b, 0)


def _extend_unique(into: list[str], more: list[str]) -> None:
    for x in more:
        if x not in into:
            into.append(x)


def merge_map(tm: TopicMap, distinct_associations: bool = False) -> None:
    """Merge `tm` in place to TMDM normal form; raises TopicMapSyntaxError on a constraint violation.

    `distinct_associations`: the caller has just found no two associations equal
    (`validate.check_duplicates`), so unless topics merge that search is not repeated."""
    pending: list[tuple[str, str]] = []
    while True:
        renamed = _merge_topics(tm, pending)
        pending = _remove_duplicates(tm, associations=renamed or not distinct_associations)
        distinct_associations = False  # a later round follows reifier merges, which rename
        if not pending:
            break
    _check_constraints(tm)


def merge_maps(target: TopicMap, source: TopicMap) -> None:
    """Add every construct of `source` to `target` (topic ids are renamed apart), then merge.

    The source map's own reifier and item identifiers are dropped, as XTM mergeMap specifies.
    """
    rename: dict[str, str] = {}
    for tid in source.topics:
        new = tid
        n = 1
        while new in target.topics or (new != tid and new in source.topics):
            if tid in STANDARD_TOPICS:
                new = f"{tid}~{n}"
            else:
                new = f"{tid}-{n}"
            n += 1
        rename[tid] = new
    _rewrite(source, rename)
    for topic in source.topics.values():
        target.topics[topic.id] = topic
    target.associations.extend(source.associations)
    target.mentions.extend(source.mentions)
    merge_map(target)


# --- step 1 and 2: topics ---------------------------------------------------------------
def _merge_topics(tm: TopicMap, pending: list[tuple[str, str]]) -> bool:
    """Steps 1 and 2; whether any topic merged."""
    uf = _UnionFind()
    order = {tid: i for i, tid in enumerate(tm.topics)}
    owner: dict[tuple[str, str], str] = {}
    for t in tm.topics.values():
        keys = [("s", x) for x in t.subject_identifiers] + [("s", x) for x in t.item_identifiers]
        keys += [("l", x) for x in t.subject_locators]
        for k in keys:
            other = owner.setdefault(k, t.id)
            if other != t.id:
                uf.union(other, t.id, order)
    for a, b in pending:
        if a in tm.topics and b in tm.topics:
            uf.union(a, b, order)
    rename = {tid: uf.find(tid) for tid in tm.topics if uf.find(tid) != tid}
    if not rename:
        return False
    anchors: dict[str, dict[str, str]] = {}  # gone topic -> its heading anchors that had to change
    for gone, keep in rename.items():
        moved = _absorb(tm.topics[keep], tm.topics[gone])
        if moved:
            anchors[gone] = moved
    for gone in rename:
        del tm.topics[gone]
    for old, new in list(tm.merged_ids.items()):
        tm.merged_ids[old] = rename.get(new, new)
    tm.merged_ids.update(rename)
    _rewrite(tm, rename, anchors)
    return True


def _absorb(a: Topic, b: Topic) -> dict[str, str]:
    """Move b's properties into a (the same fields TopicMap.merge_topics moves); returns the
    heading anchors of b's body that were renamed to stay unique in a's page."""
    _extend_unique(a.subject_identifiers, b.subject_identifiers)
    _extend_unique(a.subject_locators, b.subject_locators)
    _extend_unique(a.item_identifiers, b.item_identifiers)
    a.names.extend(b.names)
    a.occurrences.extend(b.occurrences)
    _extend_unique(a.tags, b.tags)
    a.implicit = a.implicit and b.implicit
    if a.span is None:
        a.span = b.span
    if a.body is None:
        a.body, a.source = b.body, a.source or b.source
    elif b.body is not None:
        return _append_body(a.body, b.body, b.source or b.body.span.path)
    return {}


_MERGED_SECTION = '<section class="ctx-merged-body"'
# a heading's id, or an in-page link to one, in rendered HTML
_ANCHOR_ATTR = re.compile(r'(\sid="|\shref="#)(h-[^"]*)"')


def _append_body(keep: Body, more: Body, source: str) -> dict[str, str]:
    """Append body `more` (from file `source`) to `keep`, so nothing either file wrote is lost.

    Links were resolved before merging, each from its own file, so `more`'s holes and targets
    move over renumbered; its HTML comes in a `<section class="ctx-merged-body">` naming its
    file. Heading anchors that `keep` already uses get a suffix, and its footnote ids the prefix
    `m<n>-` (the n-th merged section); returns old -> new heading anchor."""
    keep.markdown = "\n\n".join(m for m in (keep.markdown, more.markdown) if m)
    a, b = keep.rendered, more.rendered
    if b is None:
        return {}
    if a is None:
        keep.rendered, keep.targets = b, dict(more.targets)
        return {}
    offset = len(a.links)
    taken = {h.anchor for h in a.headings}
    renames: dict[str, str] = {}
    headings = list(a.headings)
    for h in b.headings:
        anchor, n = h.anchor, 1
        while anchor in taken:
            anchor, n = f"{h.anchor}-{n}", n + 1
        taken.add(anchor)
        if anchor != h.anchor:
            renames[h.anchor] = anchor
            h = Heading(h.level, h.text, anchor)
        headings.append(h)
    html = HOLE_RE.sub(lambda m: HOLE.format(int(m.group(1)) + offset) + m.group(2) + HOLE_END, b.html) if b.links else b.html
    if renames:
        html = _ANCHOR_ATTR.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + '"', html)
    html = prefix_footnote_ids(html, f"m{a.html.count(_MERGED_SECTION) + 1}-")  # both may have a fn1
    keep.rendered = dataclasses.replace(
        a,
        html=f'{a.html}{_MERGED_SECTION} data-source="{escape(source)}">\n{html}</section>\n',
        links=a.links + tuple(dataclasses.replace(link, hole=link.hole + offset) for link in b.links),
        headings=tuple(headings),
        text="\n\n".join(t for t in (a.text, b.text) if t),
        tags=a.tags + tuple(t for t in b.tags if t not in a.tags),
    )
    keep.targets.update({hole + offset: t for hole, t in more.targets.items()})
    return renames


def _rewrite(tm: TopicMap, rename: dict[str, str], anchors: dict[str, dict[str, str]] | None = None) -> None:
    """Replace every topic reference `old` by `rename[old]`, in one pass over the map; a link to a
    heading of `old` whose anchor changed in the merge (`anchors[old]`) gets the new anchor."""
    if not rename:
        return
    get = rename.get
    anchors = anchors or {}

    def ref(x: str | None) -> str | None:
        return x if x is None else get(x, x)

    def scope(s: frozenset[str]) -> frozenset[str]:
        return frozenset(get(x, x) for x in s) if s and not s.isdisjoint(rename) else s

    renamed: dict[str, Topic] = {}
    for t in tm.topics.values():
        t.id = get(t.id, t.id)
        renamed[t.id] = t
        for n in t.names:
            n.type, n.reifier, n.scope = get(n.type, n.type), ref(n.reifier), scope(n.scope)
            for v in n.variants:
                v.reifier, v.scope = ref(v.reifier), scope(v.scope)
        for o in t.occurrences:
            o.type, o.reifier, o.scope = get(o.type, o.type), ref(o.reifier), scope(o.scope)
        for body in [t.body] + [o.note for o in t.occurrences]:
            if body is not None:
                for hole, tgt in body.targets.items():
                    if tgt.topic in rename:
                        anchor = anchors.get(tgt.topic, {}).get(tgt.anchor, tgt.anchor) if tgt.anchor else None
                        body.targets[hole] = LinkTarget(rename[tgt.topic], tgt.asset, anchor, tgt.tag)
    tm.topics = renamed
    for a in tm.associations:
        a.type, a.reifier, a.scope = get(a.type, a.type), ref(a.reifier), scope(a.scope)
        for r in a.roles:
            r.type, r.player, r.reifier = get(r.type, r.type), get(r.player, r.player), ref(r.reifier)
    for m in tm.mentions:
        m.source, m.target = get(m.source, m.source), get(m.target, m.target)
    tm.reifier = ref(tm.reifier)


# --- step 3: duplicates -----------------------------------------------------------------
def _combine(keep, gone, pending: list[tuple[str, str]]) -> None:
    """Merge duplicate construct `gone` into `keep`: item identifiers, reifier."""
    _extend_unique(keep.item_identifiers, gone.item_identifiers)
    if gone.reifier is not None:
        if keep.reifier is None:
            keep.reifier = gone.reifier
        elif keep.reifier != gone.reifier:
            pending.append((keep.reifier, gone.reifier))


def _dedupe(items: list, key, pending: list[tuple[str, str]], on_merge=None) -> list:
    keys = list(map(key, items))
    if len(set(keys)) == len(keys):  # no duplicates, the usual case: found without a Python loop
        return list(items)
    seen: dict = {}
    out = []
    for item, k in zip(items, keys):
        first = seen.get(k)
        if first is None:
            seen[k] = item
            out.append(item)
        else:
            _combine(first, item, pending)
            if on_merge:
                on_merge(first, item)
    return out


def _name_key(n: Name):
    return (n.value, n.type, n.scope)


def _variant_key(v: Variant):
    return (v.value, v.datatype, v.scope)


def _occurrence_key(o: Occurrence):
    return (o.value, o.datatype, o.type, o.scope)


def _role_key(r: Role):
    return (r.type, r.player)


def _association_key(a: Association):
    roles = a.roles
    if len(roles) == 2:  # most: the set of two role keys without a comprehension
        r0, r1 = roles
        return (a.type, a.scope, frozenset(((r0.type, r0.player), (r1.type, r1.player))))
    return (a.type, a.scope, frozenset([_role_key(r) for r in roles]))


def _remove_duplicates(tm: TopicMap, associations: bool = True) -> list[tuple[str, str]]:
    """Drop duplicate statements (duplicate associations unless `associations` is False: known
    to be none); returns reifier pairs that must merge."""
    pending: list[tuple[str, str]] = []

    def merge_variants(keep: Name, gone: Name) -> None:
        keep.variants.extend(gone.variants)

    for t in tm.topics.values():
        if len(t.names) > 1:
            t.names = _dedupe(t.names, _name_key, pending, merge_variants)
        for n in t.names:
            if len(n.variants) > 1:
                n.variants = _dedupe(n.variants, _variant_key, pending)
        if len(t.occurrences) > 1:
            t.occurrences = _dedupe(t.occurrences, _occurrence_key, pending)
    for a in tm.associations:
        roles = a.roles
        if len(roles) == 2 and (roles[0].type != roles[1].type or roles[0].player != roles[1].player):
            a.roles = roles[:]  # a binary association with two different roles: what _dedupe returns
        elif len(roles) > 1:
            a.roles = _dedupe(roles, _role_key, pending)

    def merge_roles(keep: Association, gone: Association) -> None:
        by_key = {_role_key(r): r for r in keep.roles}
        for r in gone.roles:
            _combine(by_key[_role_key(r)], r, pending)

    if associations:
        tm.associations = _dedupe(tm.associations, _association_key, pending, merge_roles)
    return pending


# --- constraints --------------------------------------------------------------------------
def _check_constraints(tm: TopicMap) -> None:
    reified: dict[str, object] = {}
    iids: dict[str, object] = {}
    for t in tm.topics.values():
        for iid in t.item_identifiers:
            iids[iid] = t
    for c in tm.constructs():
        reifier = c.reifier  # every construct has reifier and item_identifiers
        if reifier is None and not c.item_identifiers:  # most: nothing to check
            continue
        span = getattr(c, "span", None)
        if reifier is not None:
            if reified.setdefault(reifier, c) is not c:
                who = tm.topics[reifier]
                raise TopicMapSyntaxError(
                    f"topic {_label(who)} reifies two different constructs",
                    span or who.span,
                    "tm-reifier-collision",
                )
        for iid in c.item_identifiers:
            if iids.setdefault(iid, c) is not c:
                raise TopicMapSyntaxError(
                    f"item identifier {iid} is used by two different constructs", span, "tm-itemid-collision"
                )


def _label(t: Topic) -> str:
    for x in t.item_identifiers + t.subject_identifiers + t.subject_locators:
        return x
    return t.id
