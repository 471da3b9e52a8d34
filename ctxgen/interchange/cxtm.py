"""Canonical XTM (ISO/IEC 13250-4): a byte-exact serialization for comparing topic maps.

`serialize(tm)` returns UTF-8 bytes. Rules followed:
- topics are numbered in canonical order (subject identifiers, then subject locators, then item
  identifiers, each compared as a set: fewer members first, then member by member in sorted code
  point order); statements are compared by their properties in output order, topic references by
  the referenced topic's number;
- locators are written relative to the map's base locator: the whole base is stripped when the
  locator starts with it, else the base up to its last '/';
- a variant's scope is its own scope plus its name's;
- type-instance and supertype-subtype relationships are plain associations in the model, so they
  are written as associations of the standard tm: types, as CXTM requires.
"""
from __future__ import annotations

from functools import cmp_to_key
from urllib.parse import unquote

from ..model import XSD_ANYURI, Association, Name, Occurrence, Topic, TopicMap, Variant
from .locators import without_fragment


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")


def _cmp(a, b) -> int:
    return (a > b) - (a < b)


def _cmp_set(a: list, b: list) -> int:
    """CXTM set order: the smaller set first, then the sorted members pairwise."""
    if len(a) != len(b):
        return _cmp(len(a), len(b))
    return _cmp(sorted(a), sorted(b))


class _Writer:
    def __init__(self, tm: TopicMap, base: str | None) -> None:
        self.tm = tm
        base = unquote(without_fragment(tm.base_locator if base is None else base))
        self.base = base
        self.base_dir = base[: base.rfind("/") + 1] if "/" in base else ""
        self.out: list[str] = []

    def loc(self, iri: str) -> str:
        iri = unquote(iri)
        if self.base and iri.startswith(self.base):
            return iri[len(self.base) :]
        if self.base_dir and iri.startswith(self.base_dir):
            return iri[len(self.base_dir) :]
        return iri

    # --- ordering -------------------------------------------------------------------------
    def order_topics(self) -> list[Topic]:
        def key(t: Topic):
            return (
                [self.loc(x) for x in t.subject_identifiers],
                [self.loc(x) for x in t.subject_locators],
                [self.loc(x) for x in t.item_identifiers],
            )

        keyed = [(key(t), t) for t in self.tm.topics.values()]

        def cmp(x, y) -> int:
            for a, b in zip(x[0], y[0]):
                c = _cmp_set(a, b)
                if c:
                    return c
            return 0

        keyed.sort(key=cmp_to_key(cmp))
        return [t for _, t in keyed]

    def scope_key(self, scope) -> tuple:
        nums = sorted(self.num[s] for s in scope)
        return (len(nums), nums)

    def value_key(self, value: str, datatype: str) -> str:
        return self.loc(value) if datatype == XSD_ANYURI else value

    def name_key(self, n: Name):
        return (n.value, self.num[n.type], self.scope_key(n.scope))

    def variant_key(self, n: Name, v: Variant):
        return (self.value_key(v.value, v.datatype), self.loc(v.datatype), self.scope_key(v.scope | n.scope))

    def occurrence_key(self, o: Occurrence):
        return (self.value_key(o.value, o.datatype), self.loc(o.datatype), self.num[o.type], self.scope_key(o.scope))

    def role_key(self, r):
        return (self.num[r.player], self.num[r.type])

    def association_key(self, a: Association):
        roles = sorted(self.role_key(r) for r in a.roles)
        return (self.num[a.type], (len(roles), roles), self.scope_key(a.scope))

    # --- output ---------------------------------------------------------------------------
    def write(self) -> bytes:
        tm = self.tm
        topics = self.order_topics()
        self.num = {t.id: i for i, t in enumerate(topics, 1)}
        assocs = sorted(tm.associations, key=self.association_key)
        played: dict[str, list[str]] = {}
        role_orders = []
        for ai, a in enumerate(assocs, 1):
            roles = sorted(a.roles, key=self.role_key)
            role_orders.append(roles)
            for ri, r in enumerate(roles, 1):
                played.setdefault(r.player, []).append(f"association.{ai}.role.{ri}")
        o = self.out
        o.append(f"<topicMap{self.reifier(tm)}>")
        self.locators("itemIdentifiers", tm.item_identifiers)
        for t in topics:
            o.append(f'<topic number="{self.num[t.id]}">')
            self.locators("subjectIdentifiers", t.subject_identifiers)
            self.locators("subjectLocators", t.subject_locators)
            self.locators("itemIdentifiers", t.item_identifiers)
            for ni, n in enumerate(sorted(t.names, key=self.name_key), 1):
                self.name(ni, n)
            for oi, occ in enumerate(sorted(t.occurrences, key=self.occurrence_key), 1):
                o.append(f'<occurrence number="{oi}"{self.reifier(occ)}>')
                self.value(occ.value, occ.datatype)
                o.append(f'<type topicref="{self.num[occ.type]}"></type>')
                self.scope(occ.scope)
                self.locators("itemIdentifiers", occ.item_identifiers)
                o.append("</occurrence>")
            for ref in played.get(t.id, []):
                o.append(f'<rolePlayed ref="{ref}"></rolePlayed>')
            o.append("</topic>")
        for ai, (a, roles) in enumerate(zip(assocs, role_orders), 1):
            o.append(f'<association number="{ai}"{self.reifier(a)}>')
            o.append(f'<type topicref="{self.num[a.type]}"></type>')
            for ri, r in enumerate(roles, 1):
                o.append(f'<role number="{ri}"{self.reifier(r)}>')
                o.append(f'<player topicref="{self.num[r.player]}"></player>')
                o.append(f'<type topicref="{self.num[r.type]}"></type>')
                self.locators("itemIdentifiers", r.item_identifiers)
                o.append("</role>")
            self.scope(a.scope)
            self.locators("itemIdentifiers", a.item_identifiers)
            o.append("</association>")
        o.append("</topicMap>")
        return ("\n".join(o) + "\n").encode("utf-8")

    def reifier(self, construct) -> str:
        r = construct.reifier
        return f' reifier="{self.num[r]}"' if r is not None else ""

    def name(self, ni: int, n: Name) -> None:
        o = self.out
        o.append(f'<name number="{ni}"{self.reifier(n)}>')
        o.append(f"<value>{_escape(n.value)}</value>")
        o.append(f'<type topicref="{self.num[n.type]}"></type>')
        self.scope(n.scope)
        for vi, v in enumerate(sorted(n.variants, key=lambda v: self.variant_key(n, v)), 1):
            o.append(f'<variant number="{vi}"{self.reifier(v)}>')
            self.value(v.value, v.datatype)
            self.scope(v.scope | n.scope)
            self.locators("itemIdentifiers", v.item_identifiers)
            o.append("</variant>")
        self.locators("itemIdentifiers", n.item_identifiers)
        o.append("</name>")

    def value(self, value: str, datatype: str) -> None:
        self.out.append(f"<value>{_escape(self.value_key(value, datatype))}</value>")
        self.out.append(f"<datatype>{_escape(self.loc(datatype))}</datatype>")

    def scope(self, scope) -> None:
        if scope:
            self.out.append("<scope>")
            for n in sorted(self.num[s] for s in scope):
                self.out.append(f'<scopingTopic topicref="{n}"></scopingTopic>')
            self.out.append("</scope>")

    def locators(self, element: str, iris: list[str]) -> None:
        if iris:
            self.out.append(f"<{element}>")
            for x in sorted(self.loc(i) for i in iris):
                self.out.append(f"<locator>{_escape(x)}</locator>")
            self.out.append(f"</{element}>")


def serialize(tm: TopicMap, base: str | None = None) -> bytes:
    """The CXTM bytes of `tm`; locators are made relative to `base` (default: tm.base_locator)."""
    return _Writer(tm, base).write()
