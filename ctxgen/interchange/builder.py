"""The small API every interchange reader builds a TopicMap with.

Readers look topics up by identifier (each lookup creates the topic the first time), add
statements that refer to topics by id, and call `finish()`, which runs TMDM merging
(`ctxgen.merge.merge_map`) and returns the merged map. Identifiers are absolute IRIs: resolve
them with `locators.resolve` against the document's base first.

    b = TopicMapBuilder("file:///maps/x.xtm")
    t = b.topic_by_item_identifier("file:///maps/x.xtm#puccini")
    b.add_name(t, "Puccini")
    b.add_type(t, b.topic_by_subject_identifier("http://psi.example.org/composer"))
    tm = b.finish()

Standard TMDM subjects (tm:type-instance, tm:topic-name, ...) get their reserved `tm:` ids, so
`TopicMap.types_of` and friends work on imported maps.
"""
from __future__ import annotations

from typing import Iterable

from ..diagnostics import Span
from ..merge import merge_map
from .errors import TopicMapSyntaxError
from ..model import (
    DEFAULT_NAME_TYPE,
    STANDARD_TOPICS,
    XSD_STRING,
    Association,
    Name,
    Occurrence,
    Role,
    Topic,
    TopicMap,
    Variant,
)

_STANDARD_BY_SID = {iri: tid for tid, iri in STANDARD_TOPICS.items()}

Reifiable = TopicMap | Name | Variant | Occurrence | Association | Role


class TopicMapBuilder:
    def __init__(self, base_locator: str = "", path: str = "") -> None:
        """base_locator: the document IRI; path: how to name the document in errors."""
        self.tm = TopicMap(base_locator=base_locator)
        self.path = path
        self._by_iid: dict[str, str] = {}
        self._by_sid: dict[str, str] = {}
        self._by_slo: dict[str, str] = {}
        self._count = 0

    # --- topics -------------------------------------------------------------------------
    def new_topic(self, span: Span | None = None, implicit: bool = False, topic_id: str | None = None) -> str:
        """A fresh topic with no identifier yet; returns its id."""
        if topic_id is None or topic_id in self.tm.topics:
            self._count += 1
            topic_id = f"t{self._count}"
            while topic_id in self.tm.topics:
                self._count += 1
                topic_id = f"t{self._count}"
        self.tm.topics[topic_id] = Topic(topic_id, span=span, implicit=implicit)
        return topic_id

    def topic_by_item_identifier(self, iri: str, span: Span | None = None) -> str:
        """The topic with this item identifier (or subject identifier: they merge), created if new."""
        tid = self._by_iid.get(iri)
        if tid is None:
            tid = self._by_sid.get(iri)
            if tid is None:
                tid = self.new_topic(span, implicit=True)
            self.add_item_identifier(tid, iri)
        return tid

    def topic_by_subject_identifier(self, iri: str, span: Span | None = None) -> str:
        """The topic with this subject identifier (or item identifier: they merge), created if new."""
        tid = self._by_sid.get(iri)
        if tid is None:
            tid = self._by_iid.get(iri)
            if tid is None:
                tid = self.new_topic(span, implicit=True, topic_id=_STANDARD_BY_SID.get(iri))
            self.add_subject_identifier(tid, iri)
        return tid

    def topic_by_subject_locator(self, iri: str, span: Span | None = None) -> str:
        """The topic with this subject locator, created if new."""
        tid = self._by_slo.get(iri)
        if tid is None:
            tid = self.new_topic(span, implicit=True)
            self.add_subject_locator(tid, iri)
        return tid

    def standard_topic(self, tid: str) -> str:
        """One of the tm: topics of model.STANDARD_TOPICS (created on first use)."""
        return self.topic_by_subject_identifier(STANDARD_TOPICS[tid])

    def declare(self, tid: str, span: Span | None = None) -> None:
        """Mark a topic as declared by the document (not only referenced)."""
        t = self.tm.topics[tid]
        t.implicit = False
        if span is not None and t.span is None:
            t.span = span

    # Identifiers that collide with another topic's are kept: finish() merges the two topics.
    def add_item_identifier(self, tid: str, iri: str) -> None:
        t = self.tm.topics[tid]
        if iri not in t.item_identifiers:
            t.item_identifiers.append(iri)
        self._by_iid.setdefault(iri, tid)

    def add_subject_identifier(self, tid: str, iri: str) -> None:
        t = self.tm.topics[tid]
        if iri not in t.subject_identifiers:
            t.subject_identifiers.append(iri)
        self._by_sid.setdefault(iri, tid)

    def add_subject_locator(self, tid: str, iri: str) -> None:
        t = self.tm.topics[tid]
        if iri not in t.subject_locators:
            t.subject_locators.append(iri)
        self._by_slo.setdefault(iri, tid)

    # --- statements ---------------------------------------------------------------------
    def add_type(self, instance: str, type_: str, span: Span | None = None) -> Association:
        """instance is an instance of type_ (a tm:type-instance association)."""
        return self.add_association(
            self.standard_topic("tm:type-instance"),
            [(self.standard_topic("tm:type"), type_), (self.standard_topic("tm:instance"), instance)],
            span=span,
        )

    def add_supertype(self, subtype: str, supertype: str, span: Span | None = None) -> Association:
        return self.add_association(
            self.standard_topic("tm:supertype-subtype"),
            [(self.standard_topic("tm:supertype"), supertype), (self.standard_topic("tm:subtype"), subtype)],
            span=span,
        )

    def add_name(
        self,
        tid: str,
        value: str,
        type_: str | None = None,
        scope: Iterable[str] = (),
        span: Span | None = None,
    ) -> Name:
        """A name of topic tid; type_ None = the default name type (tm:topic-name)."""
        if type_ is None:
            type_ = self.standard_topic(DEFAULT_NAME_TYPE)
        name = Name(value, type_, frozenset(scope), span=span)
        self.tm.topics[tid].names.append(name)
        return name

    def add_variant(
        self, name: Name, value: str, datatype: str = XSD_STRING, scope: Iterable[str] = (), span: Span | None = None
    ) -> Variant:
        """A variant of `name`; scope is the variant's own scope (the name's is added implicitly)."""
        variant = Variant(value, datatype, frozenset(scope), span=span)
        name.variants.append(variant)
        return variant

    def add_occurrence(
        self,
        tid: str,
        type_: str,
        value: str,
        datatype: str = XSD_STRING,
        scope: Iterable[str] = (),
        span: Span | None = None,
    ) -> Occurrence:
        occ = Occurrence(type_, value, datatype, frozenset(scope), span=span)
        self.tm.topics[tid].occurrences.append(occ)
        return occ

    def add_association(
        self,
        type_: str,
        roles: Iterable[tuple[str, str] | Role] = (),
        scope: Iterable[str] = (),
        span: Span | None = None,
    ) -> Association:
        """An association; roles are Role objects or (role type, player) pairs."""
        role_list = [r if isinstance(r, Role) else Role(r[0], r[1], span=span) for r in roles]
        assoc = Association(type_, role_list, frozenset(scope), span=span)
        self.tm.associations.append(assoc)
        return assoc

    def add_role(self, assoc: Association, type_: str, player: str, span: Span | None = None) -> Role:
        role = Role(type_, player, span=span)
        assoc.roles.append(role)
        return role

    def set_reifier(self, construct: Reifiable, tid: str | None, span: Span | None = None) -> None:
        """tid reifies construct; a second, different reifier for one construct is an error."""
        if tid is None:
            return
        if construct.reifier is not None and construct.reifier != tid:
            raise TopicMapSyntaxError("a construct can have only one reifier", span, "tm-reifier-collision")
        construct.reifier = tid

    def add_construct_item_identifier(self, construct: Reifiable, iri: str) -> None:
        """An item identifier of a statement or of the map itself."""
        if iri not in construct.item_identifiers:
            construct.item_identifiers.append(iri)

    # --- result -------------------------------------------------------------------------
    def finish(self) -> TopicMap:
        """Merge (TMDM) and return the map; raises TopicMapSyntaxError on a merge constraint."""
        try:
            merge_map(self.tm)
        except TopicMapSyntaxError as e:
            if e.span is None:
                e.span = Span(self.path or "<input>")
            raise
        return self.tm
