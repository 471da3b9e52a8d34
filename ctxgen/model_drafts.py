"""Drafts: files a publication switch (`draft: true`, `publish: false`, `published: false`) keeps
out of the build unless it runs with `--drafts`. A left-out draft is still read and checked, but
nothing of it reaches the map: not its topic, nor the associations and implicit topics it names.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .diagnostics import Span
from .model import TopicMap
from .model_keys import DRAFT_SWITCHES
from .model_reader import FrontMatterReader
from .model_values import a_kind, value_span

if TYPE_CHECKING:
    from .modeler import _Declared


class DraftHandling(FrontMatterReader):
    drafts: bool  # built with --drafts: drafts are published like any topic
    tm: TopicMap
    draft_ids: set[str]

    def is_draft(self, front: Any, span: Span) -> bool:
        for key, draft_value in DRAFT_SWITCHES.items():
            if key in front:
                v = front[key]
                if isinstance(v, bool):
                    if v == draft_value:
                        return True
                elif v is not None:
                    self.diags.error("wrong-type", f"{key}: expected true or false, got {a_kind(v)}", value_span(front, key, span))
        return False

    def fill_left_out(self, d: _Declared) -> None:
        """A draft left out of the build is still checked (its diagnostics are real), but what it
        would add to the map (its associations, the implicit topics they name) is taken back."""
        tm = self.tm
        n_assocs, n_topics = len(tm.associations), len(tm.topics)
        self.fill(d)  # the modeler's pass 2 for one declared file
        del tm.associations[n_assocs:]
        for tid in list(tm.topics)[n_topics:]:  # dicts keep insertion order: these are new
            if tm.topics[tid].implicit:
                del tm.topics[tid]

    def leave_out_draft_players(self) -> None:
        """An association naming a left-out draft goes with it; otherwise the draft's id would be
        published (and exported) as an implicit topic."""
        gone = {tid for tid in self.draft_ids if tid not in self.tm.topics or self.tm.topics[tid].implicit}
        if self.drafts or not gone:
            return
        kept = []
        dropped: set[str] = set()  # what the left-out associations named
        for a in self.tm.associations:
            players = [r.player for r in a.roles if r.player in gone]
            if players or a.reifier in gone:
                if players:
                    self.diags.warning("link-to-draft", f"an association with the draft '{players[0]}' is left out with it",
                                       a.span, "it is published when built with --drafts")
                dropped.add(a.type)
                dropped.update(a.scope)
                for r in a.roles:
                    dropped.update((r.type, r.player))
                continue
            kept.append(a)
        self.tm.associations = kept
        for tid in gone:
            if tid in self.tm.topics:
                del self.tm.topics[tid]
        self.drop_unused_implicit(dropped - gone)

    def drop_unused_implicit(self, candidates: set[str]) -> None:
        """Implicit topics (a type, a role type, a player without a file) that only left-out
        statements named are not published: nothing in the map mentions them any more."""
        tm = self.tm
        candidates = {tid for tid in candidates
                      if (t := tm.topics.get(tid)) is not None and t.implicit and not t.names and not t.occurrences}
        if not candidates:
            return
        used: set[str] = set()
        for a in tm.associations:
            used.add(a.type)
            used.update(a.scope)
            for r in a.roles:
                used.update((r.type, r.player))
        for t in tm.topics.values():
            for n in t.names:
                used.add(n.type)
                used.update(n.scope)
            for o in t.occurrences:
                used.add(o.type)
                used.update(o.scope)
        for tid in candidates - used:
            del tm.topics[tid]
