"""The validate stage: integrity checks on a built `TopicMap` (checklist rows 22, 25-27).

Nothing here changes the map; every finding is a warning, so a map with dangling references
or cycles still builds (and fails under --strict). All checks are linear in the map's size,
apart from did-you-mean suggestions, which are bounded.
"""
from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field

from .config import Config
from .diagnostics import Diagnostics, Span
from .model import STANDARD_TOPICS, SUPERTYPE, SUBTYPE, SUPERTYPE_SUBTYPE, TYPE, INSTANCE, TYPE_INSTANCE, Association, TopicMap

_SUGGESTIONS = 200  # at most this many did-you-mean lookups per map (each is O(topics))


@dataclass
class ValidationReport:
    orphans: list[str] = field(default_factory=list)  # ids of declared topics nothing connects to
    dangling: int = 0  # references to topics that have no file and are not schema or type topics
    cycles: list[list[str]] = field(default_factory=list)  # each cycle's ids, first repeated at the end

    @property
    def orphan_count(self) -> int:
        return len(self.orphans)


def validate(tm: TopicMap, config: Config, diags: Diagnostics) -> ValidationReport:
    report = ValidationReport()
    _References(tm, config, diags, report).check()
    for a in tm.associations:
        roles = a.roles
        if a.type in (TYPE_INSTANCE, SUPERTYPE_SUBTYPE) or len(roles) < 2:
            continue
        if (roles[0].player == roles[1].player) if len(roles) == 2 else len({r.player for r in roles}) == 1:
            diags.warning("self-association", f"association '{a.type}' has '{a.roles[0].player}' in every role", a.span)
    check_duplicates(tm, diags)
    _cycles(tm, SUPERTYPE_SUBTYPE, SUBTYPE, SUPERTYPE, "supertype", diags, report)
    _cycles(tm, TYPE_INSTANCE, INSTANCE, TYPE, "type", diags, report)
    report.orphans = _orphans(tm)
    return report


def _association_key(a: Association) -> tuple:
    roles = a.roles
    if len(roles) == 2:  # most: the set of two pairs without a comprehension
        r0, r1 = roles
        return (a.type, a.scope, frozenset(((r0.type, r0.player), (r1.type, r1.player))))
    return (a.type, a.scope, frozenset([(r.type, r.player) for r in roles]))


def check_duplicates(tm: TopicMap, diags: Diagnostics) -> int:
    """Warn for each association equal (TMDM 5.8 equality) to an earlier one; returns how many."""
    keys = list(map(_association_key, tm.associations))
    if len(set(keys)) == len(keys):  # none, the usual case: found without a Python loop
        return 0
    first: dict[tuple, Association] = {}
    count = 0
    for a, key in zip(tm.associations, keys):
        seen = first.setdefault(key, a)
        if seen is not a:
            count += 1
            where = f" (first at {seen.span})" if seen.span else ""
            players = ", ".join(r.player for r in a.roles)
            diags.warning("duplicate-association", f"duplicate association '{a.type}' of {players}{where}", a.span)
    return count


class _References:
    """Role players, scopes and reifiers must name topics that have a file (row 22); the
    modeler makes implicit topics for the others, so the model itself never dangles."""

    def __init__(self, tm: TopicMap, config: Config, diags: Diagnostics, report: ValidationReport) -> None:
        self.tm, self.diags, self.report = tm, diags, report
        schema = config.schema
        self.known = set(schema.topic_types) | set(schema.association_types) | set(schema.role_types)
        self.known |= set(schema.occurrence_types) | set(STANDARD_TOPICS)
        self.budget = _SUGGESTIONS
        self._choices: list[str] | None = None
        self._by_name: dict[str, str] = {}

    @functools.cached_property
    def statement_types(self) -> set[str]:
        """Association and role types in use: a scope naming one (a name of `born-in` scoped by
        the role `place`, its reading from there) is meant, even without a file."""
        out: set[str] = set()
        for a in self.tm.associations:
            out.add(a.type)
            out.update(r.type for r in a.roles)
        return out

    def ok(self, topic_id: str) -> bool:
        """Known, or the id of a file that failed to load (its error, and a note, are reported)."""
        tm = self.tm
        t = tm.get(topic_id) if tm.merged_ids else tm.topics.get(topic_id)  # tm.get, minus a call when nothing merged
        return t is not None and (not t.implicit or topic_id in self.known or topic_id in tm.failed_ids)

    def suggest(self, topic_id: str) -> str | None:
        if self.budget <= 0:
            return None
        self.budget -= 1
        if self._choices is None:
            self._choices = sorted(t.id for t in self.tm.topics.values() if not t.implicit)
            self._by_name = {}  # last id segment -> first id with it: `stickelback` is near `species/stickleback`
            for tid in self._choices:
                self._by_name.setdefault(tid.rpartition("/")[2], tid)
        close = difflib.get_close_matches(topic_id, self._choices, n=1, cutoff=0.7)
        if not close:
            near = difflib.get_close_matches(topic_id.rpartition("/")[2], list(self._by_name), n=1, cutoff=0.8)
            close = [self._by_name[near[0]]] if near else []
        return f"did you mean '{close[0]}'?" if close else None

    def unknown(self, code: str, what: str, topic_id: str, span: Span | None) -> None:
        self.report.dangling += 1
        hint = self.suggest(topic_id)
        written = self.tm.written_as.get(topic_id)
        shown = f"'{written}' (id '{topic_id}')" if written else f"'{topic_id}'"
        message = f"{what} {shown} is not a topic of the map"
        if hint:
            message += f"; {hint}"
        self.diags.warning(code, message, span, "create a file for it, or fix the reference")

    def scope(self, construct, span: Span | None) -> None:
        """Each scope topic of `construct` must be known; a finding points at where it is named."""
        at = construct.scope_spans or {}
        for s in sorted(construct.scope):
            if not self.ok(s) and s not in self.statement_types:
                self.unknown("unknown-scope", "scope", s, at.get(s, span))

    def check(self) -> None:
        # One call per construct adds up (200,000 at 10,000 topics): scope() and reifier() are
        # called only for constructs that have a scope or a reifier.
        ok, scope, reifier = self.ok, self.scope, self.reifier
        for a in self.tm.associations:
            if a.type not in (TYPE_INSTANCE, SUPERTYPE_SUBTYPE):
                for r in a.roles:
                    if not ok(r.player):
                        self.unknown("unknown-player", "role player", r.player, r.span or a.span)
            if a.scope:
                scope(a, a.span)
            if a.reifier is not None:
                reifier(a.reifier, a.span)
            for r in a.roles:
                if r.reifier is not None:
                    reifier(r.reifier, r.span or a.span)
        for t in self.tm.topics.values():
            for n in t.names:
                if n.scope:
                    scope(n, n.span)
                if n.reifier is not None:
                    reifier(n.reifier, n.span)
                for v in n.variants:
                    if v.scope:
                        scope(v, v.span)
                    if v.reifier is not None:
                        reifier(v.reifier, v.span)
            for o in t.occurrences:
                if o.scope:
                    scope(o, o.span)
                if o.reifier is not None:
                    reifier(o.reifier, o.span)

    def reifier(self, topic_id: str | None, span: Span | None) -> None:
        if topic_id is not None and not self.ok(topic_id):
            self.unknown("unknown-reifier", "reifier", topic_id, span)


def _cycles(tm: TopicMap, assoc_type: str, lower: str, upper: str, what: str, diags: Diagnostics,
            report: ValidationReport) -> None:
    """Warn once per cycle in the graph lower -> upper of one kind of association (row 26)."""
    edges: dict[str, list[tuple[str, Span | None]]] = {}
    for a in tm.associations:
        if a.type != assoc_type or a.scope:
            continue
        roles = {}
        for r in a.roles:  # a loop, not a dict comprehension: one call less per association
            roles[r.type] = r.player
        if lower in roles and upper in roles:
            edges.setdefault(roles[lower], []).append((roles[upper], a.span))
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(edges):
        if state.get(start):
            continue
        # iterative DFS; `path` holds the nodes on the current path, `stack` their edge iterators
        path: list[str] = [start]
        state[start] = 1
        stack = [iter(sorted(edges.get(start, ()), key=lambda e: e[0]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            node, span = nxt
            if state.get(node) == 1:
                cycle = path[path.index(node):] + [node]
                report.cycles.append(cycle)
                relation = "a subtype of" if what == "supertype" else "an instance of"
                diags.warning(
                    f"{what}-cycle",
                    f"{what} cycle: " + " -> ".join(cycle) + f" (each is {relation} the next)",
                    span,
                    "break the cycle; pages show the hierarchy as a tree",
                )
            elif not state.get(node):
                state[node] = 1
                path.append(node)
                stack.append(iter(sorted(edges.get(node, ()), key=lambda e: e[0])))


def _orphans(tm: TopicMap) -> list[str]:
    """Declared topics with no association (type-instance aside) and no mention in or out."""
    connected: set[str] = set()
    for a in tm.associations:
        if a.type != TYPE_INSTANCE:
            for r in a.roles:
                connected.add(r.player)
        if a.reifier:
            connected.add(a.reifier)
    for m in tm.mentions:
        connected.add(m.source)
        connected.add(m.target)
    return sorted(t.id for t in tm.user_topics() if not t.implicit and t.id not in connected)
