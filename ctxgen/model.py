"""The topic map: typed dataclasses following the Topic Maps Data Model (ISO/IEC 13250-2).

References between constructs are topic ids (str), looked up in `TopicMap.topics`.
When topics merge, `TopicMap.merge_topics` rewrites every reference, so an id held
anywhere in the model always names a live topic.

Type-instance and supertype-subtype relationships are associations, as TMDM says;
`TopicMap.types_of` / `instances_of` are indexes over them. The standard topics they
need (tm:type-instance, tm:type, ...) are created on first use.

ctxgen adds a few fields TMDM has no place for (a topic's Markdown body, tags, draft
flag, the mentions made by body links); they are marked "ctxgen:" below and the
interchange writers map them onto plain TMDM constructs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .diagnostics import Span
from .source import RenderedBody

# --- standard subject identifiers (TMDM 7) and datatypes ---------------------------
TMDM = "http://psi.topicmaps.org/iso13250/model/"
XSD = "http://www.w3.org/2001/XMLSchema#"

XSD_STRING = XSD + "string"
XSD_ANYURI = XSD + "anyURI"
XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"
XSD_DECIMAL = XSD + "decimal"
XSD_INTEGER = XSD + "integer"
GEO = "urn:x-ctxgen:datatype:geo"  # "lat,lon" in decimal degrees (WGS84)

# ctxgen's short datatype names (front matter `datatype:`) and their IRIs.
DATATYPES = {
    "string": XSD_STRING,
    "uri": XSD_ANYURI,
    "date": XSD_DATE,
    "datetime": XSD_DATETIME,
    "number": XSD_DECIMAL,
    "integer": XSD_INTEGER,
    "geo": GEO,
}

# Reserved ids of the standard topics; user ids are slugs and can never contain ':'.
STANDARD_TOPICS = {
    "tm:type-instance": TMDM + "type-instance",
    "tm:type": TMDM + "type",
    "tm:instance": TMDM + "instance",
    "tm:supertype-subtype": TMDM + "supertype-subtype",
    "tm:supertype": TMDM + "supertype",
    "tm:subtype": TMDM + "subtype",
    "tm:topic-name": TMDM + "topic-name",
}
TYPE_INSTANCE, TYPE, INSTANCE = "tm:type-instance", "tm:type", "tm:instance"
SUPERTYPE_SUBTYPE, SUPERTYPE, SUBTYPE = "tm:supertype-subtype", "tm:supertype", "tm:subtype"
DEFAULT_NAME_TYPE = "tm:topic-name"

Scope = frozenset  # frozenset[str] of topic ids; empty = unconstrained scope


@dataclass(slots=True)
class Variant:
    value: str
    datatype: str = XSD_STRING
    scope: frozenset[str] = frozenset()  # the variant's own scope; TMDM adds its name's scope
    item_identifiers: list[str] = field(default_factory=list)
    reifier: str | None = None
    span: Span | None = None
    scope_spans: dict[str, Span] | None = field(default=None, compare=False, repr=False)  # ctxgen: where each scope topic is named


@dataclass(slots=True)
class Name:
    value: str
    type: str = DEFAULT_NAME_TYPE
    scope: frozenset[str] = frozenset()
    variants: list[Variant] = field(default_factory=list)
    item_identifiers: list[str] = field(default_factory=list)
    reifier: str | None = None
    span: Span | None = None
    scope_spans: dict[str, Span] | None = field(default=None, compare=False, repr=False)  # ctxgen: where each scope topic is named


@dataclass(slots=True)
class Occurrence:
    type: str
    value: str  # for XSD_ANYURI: the (resolved) locator; for GEO: "lat,lon"
    datatype: str = XSD_STRING
    scope: frozenset[str] = frozenset()
    item_identifiers: list[str] = field(default_factory=list)
    reifier: str | None = None
    span: Span | None = None
    # ctxgen: an occurrence that is a note file of its own keeps its Markdown here
    # (value then holds the note's text) and the path it came from.
    note: "Body | None" = None
    scope_spans: dict[str, Span] | None = field(default=None, compare=False, repr=False)  # ctxgen: where each scope topic is named


@dataclass(slots=True)
class Role:
    type: str
    player: str
    item_identifiers: list[str] = field(default_factory=list)
    reifier: str | None = None
    span: Span | None = None


@dataclass(slots=True)
class Association:
    type: str
    roles: list[Role] = field(default_factory=list)
    scope: frozenset[str] = frozenset()
    item_identifiers: list[str] = field(default_factory=list)
    reifier: str | None = None  # an association file reifies its association: this is that topic
    span: Span | None = None
    scope_spans: dict[str, Span] | None = field(default=None, compare=False, repr=False)  # ctxgen: where each scope topic is named

    def players(self) -> list[str]:
        return [r.player for r in self.roles]

    def others(self, topic_id: str) -> list[Role]:
        """The roles not played by topic_id (for a self-association: the other role)."""
        mine = [i for i, r in enumerate(self.roles) if r.player == topic_id]
        skip = mine[0] if mine else -1
        return [r for i, r in enumerate(self.roles) if i != skip]


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """ctxgen: what one link hole of a body points at; topic, asset and tag all None = unresolved."""

    topic: str | None = None  # topic id
    asset: str | None = None  # map-relative path of an asset file
    anchor: str | None = None  # heading anchor in the target page
    tag: str | None = None  # a tag's page (Quartz-style [[tags/x]]), the tag as written on topics


@dataclass(slots=True)
class Body:
    """ctxgen: Markdown text of a file, rendered once, with its links resolved by the model stage."""

    markdown: str
    span: Span  # where the body's first line is in its file
    rendered: RenderedBody | None = None
    targets: dict[int, LinkTarget] = field(default_factory=dict)  # LinkRef.hole -> target
    title: str | None = None  # a note file's `title:`, shown above the note on its topic's page


@dataclass(slots=True)
class Mention:
    """ctxgen: an untyped link from one topic's text to another (a [[wikilink]] or Markdown link)."""

    source: str  # topic id
    target: str  # topic id
    span: Span
    embed: bool = False


@dataclass(slots=True)
class Topic:
    id: str
    subject_identifiers: list[str] = field(default_factory=list)
    subject_locators: list[str] = field(default_factory=list)
    item_identifiers: list[str] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    occurrences: list[Occurrence] = field(default_factory=list)
    span: Span | None = None  # where it was declared (its file's line 1, or the first reference)
    # ctxgen fields
    source: str | None = None  # map-relative path of its file; None for implicit topics
    body: Body | None = None
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    implicit: bool = False  # only referenced (as a type, player, scope...), never declared

    @property
    def name(self) -> str:
        """The display name: the first untyped, unscoped name, else the first name, else the id."""
        for n in self.names:
            if n.type == DEFAULT_NAME_TYPE and not n.scope:
                return n.value
        return self.names[0].value if self.names else self.id


@dataclass
class TopicMap:
    topics: dict[str, Topic] = field(default_factory=dict)
    associations: list[Association] = field(default_factory=list)
    item_identifiers: list[str] = field(default_factory=list)
    reifier: str | None = None
    base_locator: str = ""
    mentions: list[Mention] = field(default_factory=list)  # ctxgen
    merged_ids: dict[str, str] = field(default_factory=dict)  # id that merged away -> surviving id
    # ctxgen: ids that references gave files which failed to load (their error is reported; validate
    # does not also call them unknown)
    failed_ids: set[str] = field(default_factory=set)
    # ctxgen: implicit topic id -> the reference as an author first wrote it, where the two differ
    # ('Some Work' -> 'some-work'), so a message about the topic can quote what is in the file
    written_as: dict[str, str] = field(default_factory=dict)

    # --- lookups -------------------------------------------------------------------
    def label(self, topic_id: str) -> str:
        """How a topic reads: its name; for a topic only referred to, the reference as an author
        first wrote it ('Ada Lovelace'), else its id as words (born-in -> born in)."""
        t = self.get(topic_id)
        if t is not None and t.names:
            return t.name
        written = self.written_as.get(topic_id)
        if written is None:
            return topic_id.rsplit("/", 1)[-1].replace("-", " ")
        name = written.rsplit("/", 1)[-1].strip()
        return (name[:-3] if name.lower().endswith(".md") else name).strip() or topic_id

    def get(self, topic_id: str) -> Topic | None:
        topic_id = self.merged_ids.get(topic_id, topic_id)
        return self.topics.get(topic_id)

    def __getitem__(self, topic_id: str) -> Topic:
        t = self.get(topic_id)
        if t is None:
            raise KeyError(topic_id)
        return t

    def __contains__(self, topic_id: str) -> bool:
        return self.get(topic_id) is not None

    def by_subject_identifier(self, iri: str) -> Topic | None:
        for t in self.topics.values():
            if iri in t.subject_identifiers:
                return t
        return None

    def by_name(self, name: str) -> list[Topic]:
        """Topics with a name or variant equal to `name`, case-insensitively."""
        key = name.casefold()
        return [t for t in self.topics.values() if any(n.value.casefold() == key for n in t.names)]

    def user_topics(self) -> Iterator[Topic]:
        """Topics other than the standard tm: ones."""
        return (t for t in self.topics.values() if t.id not in STANDARD_TOPICS)

    # --- building --------------------------------------------------------------------
    def add_topic(self, topic: Topic) -> Topic:
        self.topics[topic.id] = topic
        return topic

    def ensure_topic(self, topic_id: str, span: Span | None = None) -> Topic:
        """The topic with this id, created as an implicit topic when it does not exist yet."""
        t = self.get(topic_id) if self.merged_ids else self.topics.get(topic_id)  # hot: skip get() before merging
        if t is None:
            t = Topic(topic_id, span=span, implicit=True)
            if topic_id in STANDARD_TOPICS:
                t.subject_identifiers.append(STANDARD_TOPICS[topic_id])
            self.topics[topic_id] = t
        return t

    def add_association(self, assoc: Association) -> Association:
        topics = self.topics
        if self.merged_ids:
            topics = {}  # ids may have merged away: let ensure_topic look each one up
        # hot (every association): ensure_topic is called only for ids without a topic yet
        if assoc.type not in topics:
            self.ensure_topic(assoc.type, assoc.span)
        for r in assoc.roles:
            if r.type not in topics:
                self.ensure_topic(r.type, r.span)
            if r.player not in topics:
                self.ensure_topic(r.player, r.span)
        for s in assoc.scope:
            if s not in topics:
                self.ensure_topic(s, assoc.span)
        self.associations.append(assoc)
        return assoc

    def add_type(self, instance: str, type_: str, span: Span | None = None) -> Association:
        return self.add_association(
            Association(TYPE_INSTANCE, [Role(TYPE, type_, span=span), Role(INSTANCE, instance, span=span)], span=span)
        )

    def add_supertype(self, subtype: str, supertype: str, span: Span | None = None) -> Association:
        return self.add_association(
            Association(
                SUPERTYPE_SUBTYPE, [Role(SUPERTYPE, supertype, span=span), Role(SUBTYPE, subtype, span=span)], span=span
            )
        )

    # --- type-instance views ---------------------------------------------------------
    def _binary(self, assoc_type: str, have: str, want: str, topic_id: str) -> list[str]:
        out: list[str] = []
        for a in self.associations:
            if a.type != assoc_type or a.scope:
                continue
            roles = {r.type: r.player for r in a.roles}
            if roles.get(have) == topic_id and want in roles and roles[want] not in out:
                out.append(roles[want])
        return out

    def types_of(self, topic_id: str) -> list[str]:
        return self._binary(TYPE_INSTANCE, INSTANCE, TYPE, topic_id)

    def instances_of(self, type_id: str) -> list[str]:
        return self._binary(TYPE_INSTANCE, TYPE, INSTANCE, type_id)

    def supertypes_of(self, topic_id: str) -> list[str]:
        return self._binary(SUPERTYPE_SUBTYPE, SUBTYPE, SUPERTYPE, topic_id)

    def associations_of(self, topic_id: str) -> list[Association]:
        """Associations the topic plays a role in, type-instance and supertype-subtype excluded."""
        return [
            a
            for a in self.associations
            if a.type not in (TYPE_INSTANCE, SUPERTYPE_SUBTYPE) and any(r.player == topic_id for r in a.roles)
        ]

    # --- merging (TMDM 6.2) ----------------------------------------------------------
    def merge_topics(self, keep: str, gone: str) -> Topic:
        """Merge topic `gone` into `keep` and rewrite every reference to it."""
        a, b = self[keep], self[gone]
        if a is b:
            return a
        for attr in ("subject_identifiers", "subject_locators", "item_identifiers"):
            lst = getattr(a, attr)
            lst.extend(x for x in getattr(b, attr) if x not in lst)
        a.names.extend(b.names)
        a.occurrences.extend(b.occurrences)
        a.tags.extend(t for t in b.tags if t not in a.tags)
        a.implicit = a.implicit and b.implicit
        if a.body is None:
            a.body, a.source = b.body, a.source or b.source
        del self.topics[b.id]
        self.merged_ids[b.id] = a.id
        for old, new in list(self.merged_ids.items()):
            if new == b.id:
                self.merged_ids[old] = a.id
        self._rewrite_refs(b.id, a.id)
        return a

    def _rewrite_refs(self, old: str, new: str) -> None:
        def fix(x: str | None) -> str | None:
            return new if x == old else x

        def fix_scope(s: frozenset[str]) -> frozenset[str]:
            return frozenset(new if x == old else x for x in s) if old in s else s

        for t in self.topics.values():
            for n in t.names:
                n.type, n.reifier, n.scope = fix(n.type), fix(n.reifier), fix_scope(n.scope)
                for v in n.variants:
                    v.reifier, v.scope = fix(v.reifier), fix_scope(v.scope)
            for o in t.occurrences:
                o.type, o.reifier, o.scope = fix(o.type), fix(o.reifier), fix_scope(o.scope)
        for a in self.associations:
            a.type, a.reifier, a.scope = fix(a.type), fix(a.reifier), fix_scope(a.scope)
            for r in a.roles:
                r.type, r.player, r.reifier = fix(r.type), fix(r.player), fix(r.reifier)
        for m in self.mentions:
            m.source, m.target = fix(m.source), fix(m.target)
        for t in self.topics.values():
            bodies = [t.body] + [o.note for o in t.occurrences]
            for b in bodies:
                if b is not None:
                    for hole, tgt in b.targets.items():
                        if tgt.topic == old:
                            b.targets[hole] = LinkTarget(new, tgt.asset, tgt.anchor)
        self.reifier = fix(self.reifier)

    def reified_by(self, topic_id: str) -> object | None:
        """The construct this topic reifies (TMDM [reified]), or None."""
        for c in self.constructs():
            if getattr(c, "reifier", None) == topic_id:
                return c
        return None

    def constructs(self) -> Iterable[object]:
        """Every reifiable construct: the map, names, variants, occurrences, associations, roles."""
        yield self
        for t in self.topics.values():
            for n in t.names:
                yield n
                yield from n.variants
            yield from t.occurrences
        for a in self.associations:
            yield a
            yield from a.roles
