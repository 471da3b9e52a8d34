"""The model stage: `SourceFile`s + `Config` -> `TopicMap` (docs/authoring.md is the specification).

Three passes, each linear in the number of files:

1. declare: every topic file and association file becomes a topic (id, names, body, draft
   flag); duplicate ids are errors. Nothing is resolved yet.
2. fill: with a `links.Resolver` over all declared topics, front matter is read key by key
   (types, identifiers, tags, occurrences, associations, association files, note files).
3. link: every body's link holes get their `LinkTarget`; resolved links to topics become mentions.

Then topics sharing an identifier merge (TMDM), via `ctxgen.merge`.
Bad input never raises: each problem is a diagnostic at the key or value it concerns.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import functools
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import AbstractSet as Set, Any, Iterable

from .config import Config
from .diagnostics import Diagnostics, Span
from .links import Resolution, Resolver, fold
from .model import (
    DATATYPES,
    GEO,
    XSD_ANYURI,
    XSD_DATE,
    XSD_DATETIME,
    XSD_DECIMAL,
    XSD_INTEGER,
    XSD_STRING,
    Association,
    Body,
    LinkTarget,
    Mention,
    Name,
    Occurrence,
    Role,
    STANDARD_TOPICS,
    Topic,
    TopicMap,
    Variant,
)
from .source import RenderedBody, SourceFile

from .ids import slugify_path, topic_id_for_path
from .markdown import HOLE, HOLE_END, HOLE_RE, escape, heading_anchor
from .md_anchors import block_anchor


# --- the keys ctxgen reads ------------------------------------------------------------------
TOPIC_KEYS = {
    "id", "title", "name", "aliases", "names", "type", "types", "supertypes", "subject",
    "subject_identifier", "subject_identifiers", "subject_locator", "subject_locators",
    "item_identifier", "item_identifiers", "tags", "draft", "occurrences", "associations", "extra",
    "reifies",
}
ASSOCIATION_FILE_KEYS = {"association", "roles", "scope"}
NOTE_FILE_KEYS = {"occurrence", "topic", "scope", "id", "title", "name", "tags", "draft", "extra"}

# Keys other tools write that ctxgen maps onto the model: key -> (occurrence type, kind of value).
MAPPED_KEYS = {
    "description": ("description", "text"),  # Quartz, Hugo, Jekyll
    "desc": ("description", "text"),  # Dendron
    "summary": ("description", "text"),
    "created": ("created", "date"),  # Dendron (Unix ms), Foam, many
    "date": ("date", "date"),  # Quartz, Hugo, Jekyll: the publication date
    "updated": ("updated", "date"),  # Dendron (Unix ms)
    "modified": ("updated", "date"),
    "lastmod": ("updated", "date"),  # Quartz, Hugo
    "last_modified": ("updated", "date"),
}
# Keys of other tools that ctxgen deliberately ignores (they configure those tools' sites or editors).
IGNORED_KEYS = {
    # Obsidian / Quartz
    "cssclasses", "cssclass", "enableToc", "comments", "permalink", "socialDescription",
    "socialImage", "image", "lang", "unlisted", "password", "banner", "noindex",
    # Dendron
    "nav_order", "nav_exclude", "nav_exclude_children", "stub", "pods", "config", "sort_order",
    "sort_by", "has_collection", "skipLevels", "toc", "color", "canonicalUrl", "excerpt",
    "templateId", "traitIds", "schema",
    # Foam / Jekyll / Hugo
    "layout", "keywords", "redirect_from", "weight", "slug", "url", "categories", "author", "authors",
}
# publication switches of other tools: key -> the value that makes the file a draft
DRAFT_SWITCHES = {"draft": True, "publish": False, "published": False}

_NAME_ENTRY_KEYS = frozenset({"value", "type", "scope", "variants", "item_identifiers", "reifier"})
_OCCURRENCE_ENTRY_KEYS = frozenset({"type", "value", "url", "file", "datatype", "scope", "item_identifiers", "reifier"})
_ASSOCIATION_ENTRY_KEYS = frozenset({"type", "roles", "scope", "role", "player", "item_identifiers", "reifier"})
_ROLE_ENTRY_KEYS = frozenset({"type", "player", "item_identifiers", "reifier"})
_KNOWN_FOR_SUGGESTIONS = frozenset(TOPIC_KEYS | ASSOCIATION_FILE_KEYS | NOTE_FILE_KEYS | set(MAPPED_KEYS) | {"publish"})
_OTHER_TOOLS = frozenset(MAPPED_KEYS) | IGNORED_KEYS | frozenset(DRAFT_SWITCHES)
_TOPIC_ALLOWED = frozenset(TOPIC_KEYS) | _OTHER_TOOLS
_ASSOCIATION_FILE_ALLOWED = _TOPIC_ALLOWED | ASSOCIATION_FILE_KEYS
_NOTE_FILE_ALLOWED = frozenset(NOTE_FILE_KEYS) | _OTHER_TOOLS
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$")
_LOOKS_URL = re.compile(r"^(https?|ftp|mailto|urn|doi):", re.I)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XSD_DATE = re.compile(r"^-?(\d{4,})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ID_BAD = re.compile(r"[\x00-\x20\x7f\\?#%\"<>|*:]")


def build_topic_map(
    sources: list[SourceFile],
    config: Config,
    diags: Diagnostics,
    drafts: bool = False,
    assets: Iterable[Any] = (),
) -> TopicMap:
    """Build the topic map of a map folder's sources. Problems go to `diags`; never raises for bad input."""
    return _Modeler(config, diags, drafts).build(sources, [str(a) for a in assets])


# --- spans of front matter values (PosDict/PosList, or plain dicts in tests) -----------------
def _key_span(m: Any, key: Any, default: Span) -> Span:
    f = getattr(m, "key_span", None)
    return (f(key) if f else None) or default


def _value_span(m: Any, key: Any, default: Span) -> Span:
    f = getattr(m, "value_span", None)
    return (f(key) if f else None) or default


def _item_span(lst: Any, i: int, default: Span) -> Span:
    f = getattr(lst, "item_span", None)
    return (f(i) if f else None) or default


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return "date"
    if isinstance(v, dict):
        return "mapping"
    if isinstance(v, list):
        return "list"
    if v is None:
        return "null"
    return type(v).__name__


def _scalar_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


@dataclass
class _Declared:
    """A topic made from a file in pass 1, with what pass 2 needs to fill it."""

    topic: Topic
    source: SourceFile
    front: Any  # mapping (maybe empty)


@dataclass
class _Modeler:
    config: Config
    diags: Diagnostics
    drafts: bool
    tm: TopicMap = field(default_factory=TopicMap)
    declared: list[_Declared] = field(default_factory=list)
    notes: list[SourceFile] = field(default_factory=list)
    draft_ids: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    name_entries: dict[str, list] = field(default_factory=dict)  # path -> [(Name, its entry)], for pass 2
    _by_key: dict[str, tuple[str, Span]] = field(default_factory=dict)  # fold(id) -> (id, where)
    resolver: Resolver | None = None
    _suggest_budget: int = 200  # did-you-mean is O(n) per lookup: bounded, and cached per target
    _suggested: dict[str, str | None] = field(default_factory=dict)
    _stems_by_letter: dict[str, list[str]] | None = None
    _tags: dict[str, str] | None = None  # fold(tag or tag prefix) -> the tag as written
    _slugs: dict[str, str] = field(default_factory=dict)  # reference -> implicit topic id
    _github_slugs: dict[str, dict[str, str]] = field(default_factory=dict)  # topic id -> GitHub slug -> anchor

    # --- helpers --------------------------------------------------------------------------
    def text(self, v: Any, where: str, span: Span) -> str | None:
        """A front matter value that must be text; YAML 1.1 surprises are coerced with a warning."""
        if v is None:
            return None
        if isinstance(v, str):
            return v
        if isinstance(v, (bool, int, float, _dt.date)):
            kind = _type_name(v)
            shown = _scalar_text(v)
            self.diags.warning(
                "yaml-coerced", f"{where}: parsed as {kind}; quote it", span, f"read as {shown!r}; put the value in quotes to keep the text as written"
            )
            return shown
        self.diags.error("wrong-type", f"{where}: expected text, got a {_type_name(v)}", span)
        return None

    def text_list(self, v: Any, where: str, span: Span) -> list[tuple[str, Span]]:
        """A value that may be one text or a list of texts."""
        if v is None:
            return []
        if isinstance(v, list):
            out = []
            for i, item in enumerate(v):
                s = self.text(item, f"{where}[{i}]", _item_span(v, i, span))
                if s is not None and s.strip():
                    out.append((s.strip(), _item_span(v, i, span)))
            return out
        s = self.text(v, where, span)
        return [(s.strip(), span)] if s is not None and s.strip() else []

    def ref(self, v: Any, where: str, span: Span, from_path: str) -> str | None:
        """A reference to a topic, resolved like a wikilink; unresolved -> the id of an implicit topic."""
        s = self.text(v, where, span)
        if s is None or not s.strip():
            return None
        s = s.strip()
        if s.startswith("[[") and s.endswith("]]"):  # Obsidian writes `type: "[[person]]"`
            s = s[2:-2].partition("|")[0].partition("#")[0].strip()
        if s in STANDARD_TOPICS:  # tm:type-instance ... (imported maps use them in full entries)
            return s
        r = self.resolver.resolve(s, from_path) if self.resolver else Resolution()
        if r.topic:
            if r.ambiguous:
                self._ambiguous(s, r, span)
            return r.topic
        if r.failed:
            self.diags.note("link-target-failed", f"{where}: '{s}' is {r.failed}, which failed to load (see above)", span)
        slug = self._slugs.get(s)
        if slug is None:  # types and roles without a file are named over and over
            slug = self._slugs[s] = slugify_path(s)
        return slug

    def scope(self, v: Any, where: str, span: Span, from_path: str) -> tuple[frozenset[str], dict[str, Span] | None]:
        """A scope's topic ids, and where each is named (for diagnostics that concern one of them)."""
        spans: dict[str, Span] = {}
        for s, sp in self.text_list(v, where, span):
            x = self.ref(s, where, sp, from_path)
            if x:
                spans.setdefault(x, sp)
        return frozenset(spans), spans or None

    def _ambiguous(self, target: str, r: Resolution, span: Span) -> None:
        self.diags.warning(
            "link-ambiguous",
            f"'{target}' matches {len(r.candidates)} files: {', '.join(r.candidates)}; using {r.candidates[0]}",
            span,
            "link by path to choose another",
        )

    # --- the whole stage ------------------------------------------------------------------
    def build(self, sources: list[SourceFile], assets: list[str]) -> TopicMap:
        ordered = sorted(sources, key=lambda s: s.path)  # file order never matters
        for src in ordered:
            if src.failed:
                self.failed.append(src.path)
            else:
                self.declare(src)
        self.resolver = Resolver(
            ((d.topic.id, d.topic.source, [n.value for n in d.topic.names]) for d in self.declared),
            assets,
            self.failed,
        )
        self.map_properties()
        for d in self.declared:
            if d.topic.draft and not self.drafts:
                self.fill_left_out(d)
            else:
                self.fill(d)
        for note in self.notes:
            self.note_file(note)
        self.leave_out_draft_players()
        for d in self.declared:
            self.link_body(d.topic.body, d.topic.id, d.topic.draft)
        for t in list(self.tm.topics.values()):
            for o in t.occurrences:
                if o.note is not None:
                    self.link_body(o.note, t.id, t.draft)
        self.ensure_referenced()
        self.merge()
        return self.tm

    def fill_left_out(self, d: _Declared) -> None:
        """A draft left out of the build is still checked (its diagnostics are real), but what it
        would add to the map (its associations, the implicit topics they name) is taken back."""
        tm = self.tm
        n_assocs, n_topics = len(tm.associations), len(tm.topics)
        self.fill(d)
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
        for a in self.tm.associations:
            players = [r.player for r in a.roles if r.player in gone]
            if players or a.reifier in gone:
                if players:
                    self.diags.warning("link-to-draft", f"an association with the draft '{players[0]}' is left out with it",
                                       a.span, "it is published when built with --drafts")
                continue
            kept.append(a)
        self.tm.associations = kept
        for tid in gone:
            if tid in self.tm.topics:
                del self.tm.topics[tid]

    def map_properties(self) -> None:
        """The map's own TMDM properties, which only imported maps carry (`extra.topic_map`)."""
        props = self.config.extra.get("topic_map") if isinstance(self.config.extra, dict) else None
        if not isinstance(props, dict):
            return
        base = props.get("base_locator")
        if isinstance(base, str):
            self.tm.base_locator = base
        iids = props.get("item_identifiers")
        if isinstance(iids, list):
            self.tm.item_identifiers.extend(x for x in iids if isinstance(x, str) and _URI.match(x))

    def ensure_referenced(self) -> None:
        """Every topic a statement refers to (type, scope, reifier) exists, implicit if it has no
        file: the model's promise that an id held anywhere names a live topic. One linear walk."""
        tm = self.tm
        for t in list(tm.topics.values()):
            for n in t.names:
                tm.ensure_topic(n.type, n.span)
                for x in n.scope:
                    tm.ensure_topic(x, n.span)
                if n.reifier:
                    tm.ensure_topic(n.reifier, n.span)
                for v in n.variants:
                    for x in v.scope:
                        tm.ensure_topic(x, v.span)
                    if v.reifier:
                        tm.ensure_topic(v.reifier, v.span)
            for o in t.occurrences:
                tm.ensure_topic(o.type, o.span)
                for x in o.scope:
                    tm.ensure_topic(x, o.span)
                if o.reifier:
                    tm.ensure_topic(o.reifier, o.span)
        for a in tm.associations:  # types, players and scope were ensured by add_association
            if a.reifier:
                tm.ensure_topic(a.reifier, a.span)
            for r in a.roles:
                if r.reifier:
                    tm.ensure_topic(r.reifier, r.span)
        if tm.reifier:
            tm.ensure_topic(tm.reifier)

    # --- pass 1 ---------------------------------------------------------------------------
    def declare(self, src: SourceFile) -> None:
        front = src.front if isinstance(src.front, dict) else {}
        line1 = Span(src.path, 1, 1)
        kind = src.kind
        if kind == "topic":  # the loader may not have told the kinds apart
            kind = "association" if "association" in front else "note" if "occurrence" in front else "topic"
        if kind == "note":
            if not self.is_draft(front, line1) or self.drafts:
                self.notes.append(src)
            return
        topic_id = topic_id_for_path(src.path)
        id_span = line1
        if "id" in front:
            id_span = _value_span(front, "id", line1)
            given = self.text(front["id"], "id", id_span)
            if given is not None:
                given = unicodedata.normalize("NFC", given.strip())
                if self.valid_id(given, id_span):
                    topic_id = given
        if not self.claim(topic_id, id_span):
            return
        body = Body(src.body, src.body_span or Span(src.path, 1, 1), src.rendered)
        topic = Topic(topic_id, span=line1, source=src.path, body=body)
        self.names(topic, front, src)
        topic.draft = self.is_draft(front, line1)
        if topic.draft:
            self.draft_ids.add(topic_id)
        if not topic.draft or self.drafts:
            self.tm.add_topic(topic)
        self.declared.append(_Declared(topic, src, front))

    def valid_id(self, given: str, span: Span) -> bool:
        parts = given.split("/")
        if given and not _ID_BAD.search(given) and all(p not in ("", ".", "..") for p in parts):
            return True
        self.diags.error(
            "invalid-id",
            f"id {given!r} is not a valid topic id",
            span,
            "an id is a path-like slug: no spaces, ':', '#', '?', '%', quotes or empty segments",
        )
        return False

    def claim(self, topic_id: str, span: Span) -> bool:
        """Reserve an id; a second file with the same id (also by case or Unicode form) is an error."""
        key = fold(topic_id)
        first = self._by_key.get(key)
        if first is None:
            self._by_key[key] = (topic_id, span)
            return True
        other_id, other = first
        same = "the same id" if other_id == topic_id else f"an id that differs only by case or Unicode form ('{other_id}')"
        self.diags.error(
            "duplicate-id",
            f"topic id '{topic_id}' is declared by {other} and by {span}: {same}",
            span,
            "give one of them another `id:`, or rename the file",
        )
        return False

    def is_draft(self, front: Any, span: Span) -> bool:
        for key, draft_value in DRAFT_SWITCHES.items():
            if key in front:
                v = front[key]
                if isinstance(v, bool):
                    if v == draft_value:
                        return True
                elif v is not None:
                    self.diags.error("wrong-type", f"{key}: expected true or false, got a {_type_name(v)}", _value_span(front, key, span))
        return False

    def names(self, topic: Topic, front: Any, src: SourceFile) -> None:
        line1 = Span(src.path, 1, 1)
        base = None
        for key in ("title", "name"):
            if key in front:
                sp = _value_span(front, key, line1)
                s = self.text(front[key], key, sp)
                if s is not None and s.strip():
                    base = base or Name(s.strip(), span=sp)
        if base is None and "names" not in front:  # `names:` alone (even `names: []`) says it all
            h1 = src.rendered.first_h1 if src.rendered else None
            stem = posixpath.basename(src.path)
            base = Name(h1.strip() if h1 and h1.strip() else (stem[:-3] if stem.lower().endswith(".md") else stem), span=line1)
        if base is not None:
            topic.names.append(base)
        if "aliases" in front:
            for s, sp in self.text_list(front["aliases"], "aliases", _value_span(front, "aliases", line1)):
                topic.names.append(Name(s, span=sp))
        if "names" in front:
            self.full_names(topic, front["names"], _value_span(front, "names", line1), src.path)

    def full_names(self, topic: Topic, v: Any, span: Span, path: str) -> None:
        if not isinstance(v, list):
            v = [v]
        for i, entry in enumerate(v):
            where, sp = f"names[{i}]", _item_span(v, i, span)
            if not isinstance(entry, dict):
                s = self.text(entry, where, sp)
                if s and s.strip():
                    topic.names.append(Name(s.strip(), span=sp))
                continue
            self.unknown_keys(entry, _NAME_ENTRY_KEYS, where, sp)
            value = self.text(entry.get("value"), f"{where}.value", _value_span(entry, "value", sp))
            if value is None or (not value.strip() and not isinstance(entry.get("value"), str)):
                self.diags.error("missing-value", f"{where}: a name needs a `value:`", sp)
                continue
            name = Name(value, span=sp)  # a full entry's value is kept exactly as written
            topic.names.append(name)
            self.name_entries.setdefault(path, []).append((name, entry))  # types and scopes are references: pass 2

    # --- pass 2 ---------------------------------------------------------------------------
    def fill(self, d: _Declared) -> None:
        topic, src, front = d.topic, d.source, d.front
        line1 = Span(src.path, 1, 1)
        path = src.path
        is_assoc = "association" in front
        self.unknown_keys(front, _ASSOCIATION_FILE_ALLOWED if is_assoc else _TOPIC_ALLOWED, "", line1)
        self.typed_names(path)
        for key in ("type", "types"):
            if key in front:
                for s, sp in self.text_list(front[key], key, _value_span(front, key, line1)):
                    self.tm.add_type(topic.id, self.ref(s, key, sp, path) or slugify_path(s), sp)
        if "supertypes" in front:
            for s, sp in self.text_list(front["supertypes"], "supertypes", _value_span(front, "supertypes", line1)):
                self.tm.add_supertype(topic.id, self.ref(s, "supertypes", sp, path) or slugify_path(s), sp)
        for key, attr in (
            ("subject", "subject_identifiers"),
            ("subject_identifier", "subject_identifiers"),
            ("subject_identifiers", "subject_identifiers"),
            ("subject_locator", "subject_locators"),
            ("subject_locators", "subject_locators"),
            ("item_identifier", "item_identifiers"),
            ("item_identifiers", "item_identifiers"),
        ):
            if key in front:
                for s, sp in self.text_list(front[key], key, _value_span(front, key, line1)):
                    if self.check_uri(s, key, sp) and s not in getattr(topic, attr):
                        getattr(topic, attr).append(s)
        if "tags" in front:
            topic.tags.extend(self.tags(front["tags"], _value_span(front, "tags", line1), topic.tags))
        for tag in getattr(src.rendered, "tags", ()) or ():
            t = tag.lstrip("#").strip()
            if t and t not in topic.tags:
                topic.tags.append(t)
        for key, (otype, kind) in MAPPED_KEYS.items():
            if key in front and front[key] not in (None, ""):
                self.mapped(topic, key, otype, kind, front)
        if "occurrences" in front:
            self.occurrences(topic, front["occurrences"], _value_span(front, "occurrences", line1), path)
        if "associations" in front:
            self.associations(topic, front["associations"], _value_span(front, "associations", line1), path)
        if is_assoc:
            self.association_file(topic, front, line1, path)
        if "reifies" in front:
            rsp = _value_span(front, "reifies", line1)
            if front["reifies"] == "map":
                self.tm.reifier = topic.id
            else:
                self.diags.error("invalid-value", "reifies: the only value is `map` (the topic reifies the topic map)", rsp,
                                 "an association is reified by its association file; a name or occurrence by its `reifier:`")

    def unknown_keys(self, m: Any, allowed: Set[str], where: str, span: Span) -> None:
        if allowed.issuperset(m):
            return
        for key in m:
            if key in allowed:
                continue
            shown = f"{where}.{key}" if where else str(key)
            msg = f"unknown key '{shown}'"
            close = _did_you_mean_key(str(key), frozenset(allowed))  # cached
            if close:
                msg += f", did you mean '{close}'?"
            self.diags.warning("unknown-key", msg, _key_span(m, key, span), "put your own data under `extra:`")

    def typed_names(self, path: str) -> None:
        for name, entry in self.name_entries.pop(path, ()):
            sp = name.span
            if "type" in entry:
                name.type = self.ref(entry["type"], "names.type", _value_span(entry, "type", sp), path) or name.type
            if "scope" in entry:
                name.scope, name.scope_spans = self.scope(entry["scope"], "names.scope", _value_span(entry, "scope", sp), path)
            self.statement_keys(name, entry, "names", sp, path)
            variants = entry.get("variants")
            if variants is None:
                continue
            vsp = _value_span(entry, "variants", sp)
            if not isinstance(variants, list):
                variants = [variants]
            for j, ve in enumerate(variants):
                where, vs = f"names.variants[{j}]", _item_span(variants, j, vsp)
                if not isinstance(ve, dict):
                    ve = {"value": ve}
                self.unknown_keys(ve, {"value", "scope", "datatype", "item_identifiers", "reifier"}, where, vs)
                value = self.text(ve.get("value"), f"{where}.value", _value_span(ve, "value", vs))
                if value is None or (not value and not isinstance(ve.get("value"), str)):
                    self.diags.error("missing-value", f"{where}: a variant needs a `value:`", vs)
                    continue
                datatype = XSD_STRING
                if "datatype" in ve:
                    datatype = self.datatype(ve["datatype"], f"{where}.datatype", _value_span(ve, "datatype", vs))
                    if datatype is None:
                        continue
                vscope, vspans = self.scope(ve.get("scope"), f"{where}.scope", _value_span(ve, "scope", vs), path)
                if not vscope and not name.scope:
                    self.diags.warning("variant-without-scope", f"{where}: a variant needs a scope (TMDM)", vs, "add `scope: [sort]` or similar")
                variant = Variant(value, datatype, scope=vscope, span=vs, scope_spans=vspans)
                self.statement_keys(variant, ve, where, vs, path)
                name.variants.append(variant)

    def tags(self, v: Any, span: Span, have: list[str]) -> list[str]:
        if isinstance(v, str):
            items = [(s, span) for s in re.split(r"[,\s]+", v)]
        else:
            items = self.text_list(v, "tags", span)
        out = []
        for s, _sp in items:
            t = s.strip().lstrip("#").strip()
            if t and t not in have and t not in out:
                out.append(t)
        return out

    def statement_keys(self, construct: Any, entry: Any, where: str, span: Span, path: str) -> None:
        """`item_identifiers` and `reifier` of a name, variant, occurrence, association or role
        entry (imported maps carry them; see "Keys for imported maps")."""
        if "item_identifiers" in entry:
            isp = _value_span(entry, "item_identifiers", span)
            for s, sp in self.text_list(entry["item_identifiers"], f"{where}.item_identifiers", isp):
                if self.check_uri(s, f"{where}.item_identifiers", sp) and s not in construct.item_identifiers:
                    construct.item_identifiers.append(s)
        if "reifier" in entry:
            construct.reifier = self.ref(entry["reifier"], f"{where}.reifier", _value_span(entry, "reifier", span), path)

    def datatype(self, v: Any, where: str, span: Span) -> str | None:
        """A datatype: one of ctxgen's short names or a full IRI; None (and an error) otherwise."""
        dt = self.text(v, where, span)
        if dt is None:
            return None
        dt = dt.strip()
        iri = DATATYPES.get(dt, dt)
        if iri == dt and not _URI.match(iri):
            self.diags.error("unknown-datatype", f"{where}: unknown datatype {dt!r}", span, "use " + ", ".join(DATATYPES) + " or a full IRI")
            return None
        return iri

    def check_uri(self, s: str, where: str, span: Span) -> bool:
        if _URI.match(s):
            return True
        self.diags.error("invalid-uri", f"{where}: {s!r} is not an absolute URI", span, "write the scheme, e.g. https://...")
        return False

    # --- occurrences --------------------------------------------------------------------------
    def mapped(self, topic: Topic, key: str, otype: str, kind: str, front: Any) -> None:
        sp = _value_span(front, key, topic.span)
        v = front[key]
        if kind == "text":
            s = self.text(v, key, sp)
            if s and s.strip():
                topic.occurrences.append(Occurrence(otype, s.strip(), span=sp))
            return
        value, datatype = _date_value(v)
        if value is None:
            s = self.text(v, key, sp)
            if s is None:
                return
            value, datatype = s.strip(), XSD_STRING
            if not (_DATE.match(value) or _DATETIME.match(value)):
                self.diags.warning("invalid-value", f"{key}: {value!r} is not a date; kept as text", sp, "write YYYY-MM-DD")
            else:
                datatype = XSD_DATE if _DATE.match(value) else XSD_DATETIME
                if not self.valid(value, datatype, key, sp):
                    return
        topic.occurrences.append(Occurrence(otype, value, datatype, span=sp))

    def occurrences(self, topic: Topic, v: Any, span: Span, path: str) -> None:
        for otype_raw, value, where, sp, tsp in self.typed_entries(v, "occurrences", span):
            otype = self.ref(otype_raw, f"{where}.type", tsp, path)
            if otype is None:
                continue
            values = value if isinstance(value, list) else [value]
            for i, item in enumerate(values):
                isp = _item_span(value, i, sp) if isinstance(value, list) else sp
                iwhere = f"{where}[{i}]" if isinstance(value, list) else where
                occ = self.occurrence(otype, item, iwhere, isp, path)
                if occ is not None:
                    topic.occurrences.append(occ)

    def typed_entries(self, v: Any, where: str, span: Span):
        """`{type: value}` or `[{type: t, ...}]` -> (type, value, where, value span, type span)."""
        if isinstance(v, dict):
            for key, value in v.items():
                yield key, value, f"{where}.{key}", _value_span(v, key, span), _key_span(v, key, span)
        elif isinstance(v, list):
            for i, entry in enumerate(v):
                sp = _item_span(v, i, span)
                if isinstance(entry, dict) and "type" in entry:  # the entry's own keys allow `type`
                    yield entry["type"], entry, f"{where}[{i}]", sp, _value_span(entry, "type", sp)
                else:
                    self.diags.error("wrong-type", f"{where}[{i}]: a list entry must be a mapping with a `type:`", sp)
        else:
            self.diags.error("wrong-type", f"{where}: expected a mapping of type to value, got a {_type_name(v)}", span)

    def occurrence(self, otype: str, item: Any, where: str, span: Span, path: str) -> Occurrence | None:
        datatype = None
        scope: frozenset[str] = frozenset()
        sspans = None
        entry = None
        if isinstance(item, dict):
            entry = item
            self.unknown_keys(item, _OCCURRENCE_ENTRY_KEYS, where, span)
            given = [k for k in ("value", "url", "file") if k in item]
            if len(given) != 1:
                self.diags.error("missing-value", f"{where}: an occurrence needs exactly one of value, url, file", span)
                return None
            key = given[0]
            vsp = _value_span(item, key, span)
            if "datatype" in item:
                datatype = self.datatype(item["datatype"], f"{where}.datatype", _value_span(item, "datatype", span))
                if datatype is None:
                    return None
            if "scope" in item:
                scope, sspans = self.scope(item["scope"], f"{where}.scope", _value_span(item, "scope", span), path)
            raw = item[key]
            if key in ("url", "file"):
                s = self.text(raw, f"{where}.{key}", vsp)
                if s is None:
                    return None
                s = s.strip()
                if key == "file":
                    r = self.resolver.resolve(s, path, markdown_link=True)
                    if r.asset is None:
                        self.diags.warning("missing-asset", f"{where}.file: no file {s!r} in the map", vsp)
                    s = r.asset or s
                elif not self.check_uri(s, f"{where}.url", vsp):
                    return None
                return self.annotated(Occurrence(otype, s, XSD_ANYURI, scope, span=vsp, scope_spans=sspans), entry, where, path)
            item, span = raw, vsp
        if isinstance(item, (dict, list)) or item is None:
            self.diags.error("wrong-type", f"{where}: expected a value, got a {_type_name(item)}", span)
            return None
        schema = self.config.schema.occurrence_types.get(otype)
        datatype = datatype or (schema.datatype if schema else None)
        value, inferred = _infer(item)
        if entry is not None and isinstance(item, str):
            value = item  # a full entry's text is kept exactly as written
        datatype = datatype or inferred
        if not self.valid(value, datatype, where, span):
            return None
        return self.annotated(Occurrence(otype, value, datatype, scope, span=span, scope_spans=sspans), entry, where, path)

    def annotated(self, occ: Occurrence, entry: Any, where: str, path: str) -> Occurrence:
        if entry is not None:
            self.statement_keys(occ, entry, where, occ.span, path)
        return occ

    def valid(self, value: str, datatype: str, where: str, span: Span) -> bool:
        problem = _check_value(value, datatype)
        if problem:
            self.diags.error("invalid-value", f"{where}: {value!r} is not {problem}", span)
            return False
        return True

    # --- associations -------------------------------------------------------------------------
    def role_types(self, atype: str) -> list[str]:
        schema = self.config.schema.association_types.get(atype)
        roles = list(schema.roles) if schema and schema.roles else ["subject", "object"]
        return roles if len(roles) >= 2 else roles + ["object"]

    def partner_role(self, atype: str, role: str) -> str:
        """The role the other player of a binary entry plays when this topic plays `role`: the
        schema's other role type (the second when `role` is not the schema's); with no schema
        `object`, or `subject` when `role` is `object`."""
        if atype in self.config.schema.association_types:
            roles = self.role_types(atype)
            if role in roles[:2]:
                rest = list(roles[:2])
                rest.remove(role)
                return rest[0]
            return roles[1]
        return "subject" if role == "object" else "object"

    def associations(self, topic: Topic, v: Any, span: Span, path: str) -> None:
        for atype_raw, value, where, sp, tsp in self.typed_entries(v, "associations", span):
            atype = self.ref(atype_raw, f"{where}.type", tsp, path)
            if atype is None:
                continue
            if isinstance(value, dict):
                self.full_association(topic, atype, value, where, sp, path)
                continue
            first, second = self.role_types(atype)[:2]
            if isinstance(value, list) and any(isinstance(p, dict) for p in value):
                for i, item in enumerate(value):  # `wrote: [{roles: ...}, partner, ...]`
                    isp, iwhere = _item_span(value, i, sp), f"{where}[{i}]"
                    if isinstance(item, dict):
                        self.full_association(topic, atype, item, iwhere, isp, path)
                    else:
                        self.binary(topic, atype, first, second, item, iwhere, isp, path)
                continue
            for player, psp in self.text_list(value, where, sp):
                self.binary(topic, atype, first, second, player, where, psp, path)

    def binary(self, topic: Topic, atype: str, mine: str, theirs: str, player: Any, where: str, span: Span,
               path: str) -> Association | None:
        pid = self.ref(player, where, span, path)
        if not pid:
            return None
        return self.tm.add_association(Association(atype, [Role(mine, topic.id, span=span), Role(theirs, pid, span=span)], span=span))

    def full_association(self, topic: Topic | None, atype: str, entry: Any, where: str, span: Span, path: str,
                         reifier: str | None = None) -> Association | None:
        if topic is not None:
            self.unknown_keys(entry, _ASSOCIATION_ENTRY_KEYS, where, span)
        if "player" in entry:  # the binary full-entry form {type, role, player}
            if "roles" in entry:
                self.diags.error("conflicting-keys", f"{where}: give either `player:` (binary) or `roles:`, not both", span)
                return None
            return self.binary_entry(topic, atype, entry, where, span, path)
        roles = self.roles(entry.get("roles"), f"{where}.roles", _value_span(entry, "roles", span), path)
        if roles is None:
            return None
        if topic is not None and all(r.player != topic.id for r in roles):
            role_type = self.role_types(atype)[0]
            if "role" in entry:
                role_type = self.ref(entry["role"], f"{where}.role", _value_span(entry, "role", span), path) or role_type
            roles.insert(0, Role(role_type, topic.id, span=span))
        if not roles:
            self.diags.error("missing-value", f"{where}: an association needs `roles:`", span)
            return None
        scope, sspans = self.scope(entry.get("scope"), f"{where}.scope", _value_span(entry, "scope", span), path)
        assoc = Association(atype, roles, scope, reifier=reifier, span=span, scope_spans=sspans)
        self.statement_keys(assoc, entry, where, span, path)
        return self.tm.add_association(assoc)

    def binary_entry(self, topic: Topic | None, atype: str, entry: Any, where: str, span: Span, path: str) -> Association | None:
        """`{type: part-of, role: part, player: x}`: this topic plays `role` (default: the first role
        type), x plays the partner role (`partner_role`). A list of players makes one association each."""
        if topic is None:
            return None
        mine = self.role_types(atype)[0]
        if "role" in entry:
            mine = self.ref(entry["role"], f"{where}.role", _value_span(entry, "role", span), path) or mine
        theirs = self.partner_role(atype, mine)
        psp = _value_span(entry, "player", span)
        players = self.text_list(entry["player"], f"{where}.player", psp)
        if not players:
            self.diags.error("missing-value", f"{where}.player: names no topic", psp)
            return None
        scope, sspans = self.scope(entry.get("scope"), f"{where}.scope", _value_span(entry, "scope", span), path)
        assoc = None
        for player, sp in players:
            pid = self.ref(player, f"{where}.player", sp, path)
            if pid:
                assoc = Association(atype, [Role(mine, topic.id, span=span), Role(theirs, pid, span=sp)], scope, span=span,
                                    scope_spans=sspans)
                self.statement_keys(assoc, entry, where, span, path)
                self.tm.add_association(assoc)
        return assoc

    def roles(self, v: Any, where: str, span: Span, path: str) -> list[Role] | None:
        """`roles:` as a mapping role type -> player(s), or a list of `{type, player}` role entries
        (which may carry `item_identifiers` and `reifier`)."""
        if v is None:
            return []
        if isinstance(v, list):
            return self.role_entries(v, where, span, path)
        if not isinstance(v, dict):
            self.diags.error("wrong-type", f"{where}: expected a mapping of role type to player(s), got a {_type_name(v)}", span)
            return None
        out: list[Role] = []
        for role_raw, players in v.items():
            rsp = _value_span(v, role_raw, span)
            rwhere = f"{where}.{role_raw}"
            rtype = self.ref(role_raw, rwhere, _key_span(v, role_raw, span), path)
            if rtype is None:
                continue
            if isinstance(players, dict) or (isinstance(players, list) and any(isinstance(p, (dict, list)) for p in players)):
                self.diags.error("wrong-type", f"{rwhere}: expected a player or a list of players, got a {_type_name(players)}", rsp)
                continue
            for player, psp in self.text_list(players, rwhere, rsp):
                pid = self.ref(player, rwhere, psp, path)
                if pid:
                    out.append(Role(rtype, pid, span=psp))
        return out

    def role_entries(self, v: list, where: str, span: Span, path: str) -> list[Role] | None:
        out: list[Role] = []
        for i, e in enumerate(v):
            ewhere, esp = f"{where}[{i}]", _item_span(v, i, span)
            if not isinstance(e, dict) or "type" not in e or "player" not in e:
                self.diags.error("wrong-type", f"{ewhere}: a role entry is a mapping with `type:` and `player:`", esp)
                continue
            self.unknown_keys(e, _ROLE_ENTRY_KEYS, ewhere, esp)
            rtype = self.ref(e["type"], f"{ewhere}.type", _value_span(e, "type", esp), path)
            pid = self.ref(e["player"], f"{ewhere}.player", _value_span(e, "player", esp), path)
            if rtype and pid:
                role = Role(rtype, pid, span=esp)
                self.statement_keys(role, e, ewhere, esp, path)
                out.append(role)
        return out

    def association_file(self, topic: Topic, front: Any, line1: Span, path: str) -> None:
        sp = _value_span(front, "association", line1)
        atype = self.ref(front["association"], "association", sp, path)
        if atype is None:
            self.diags.error("missing-value", "association: needs an association type", sp)
            return
        roles = self.roles(front.get("roles"), "roles", _value_span(front, "roles", line1), path)
        if roles is None:
            return
        if len(roles) < 1:
            self.diags.error("missing-value", "an association file needs `roles:` with at least one player", _key_span(front, "association", line1))
            return
        scope, sspans = self.scope(front.get("scope"), "scope", _value_span(front, "scope", line1), path)
        self.tm.add_association(Association(atype, roles, scope, reifier=topic.id, span=sp, scope_spans=sspans))

    # --- note files ---------------------------------------------------------------------------
    def note_file(self, src: SourceFile) -> None:
        front = src.front if isinstance(src.front, dict) else {}
        line1 = Span(src.path, 1, 1)
        self.unknown_keys(front, _NOTE_FILE_ALLOWED, "", line1)
        osp = _value_span(front, "occurrence", line1)
        otype = self.ref(front.get("occurrence"), "occurrence", osp, src.path)
        if otype is None:
            self.diags.error("missing-value", "occurrence: needs an occurrence type", osp)
            return
        if "topic" not in front:
            self.diags.error("note-without-topic", "a note file needs `topic:` naming the topic it belongs to", _key_span(front, "occurrence", line1))
            return
        tsp = _value_span(front, "topic", line1)
        raw = self.text(front["topic"], "topic", tsp)
        tid = self.ref(raw, "topic", tsp, src.path) if raw else None
        if tid is None:
            self.diags.error("note-without-topic", "topic: names no topic", tsp)
            return
        owner = self.tm.get(tid)
        if owner is None or owner.implicit:
            if tid in self.draft_ids:
                self.diags.warning("link-to-draft", f"topic: '{raw}' is a draft; the note is left out with it", tsp)
                return
            self.diags.warning("unknown-topic", f"topic: no topic '{raw}'; the note makes an implicit topic", tsp)
            owner = self.tm.ensure_topic(tid, tsp)
        scope, sspans = self.scope(front.get("scope"), "scope", _value_span(front, "scope", line1), src.path)
        title = front.get("title")
        title = str(title).strip() or None if isinstance(title, (str, int, float)) and not isinstance(title, bool) else None
        body = Body(src.body, src.body_span or line1, src.rendered, title=title)
        text = src.rendered.text if src.rendered else src.body
        owner.occurrences.append(Occurrence(otype, text, XSD_STRING, scope, span=line1, note=body, scope_spans=sspans))
        self.resolver.add_file(owner.id, src.path)

    # --- pass 3: body links ------------------------------------------------------------------
    def link_body(self, body: Body | None, source_id: str, source_is_draft: bool) -> None:
        if body is None or body.rendered is None:
            return
        relabel: dict[int, str] = {}
        for link in body.rendered.links:
            if not link.target:  # [[#heading]]: this page
                body.targets[link.hole] = LinkTarget(source_id, None, self.anchor(source_id, link.heading))
                continue
            # each link resolves from its own file (a merged topic's body holds several files' links)
            src_path = link.span.path if link.span else body.span.path
            r = self.resolver.resolve(link.target, src_path, label=link.label, markdown_link=link.markdown_link)
            if r.dendron_order:  # [[label|target]]: the page shows the label, not the target
                relabel[link.hole] = link.target + (f"#{link.heading}" if link.heading else "")
            if link.markdown_link:
                shown = f"[{link.label or ''}]({link.target})"
            else:
                shown = f"![[{link.target}]]" if link.embed else f"[[{link.target}]]"
            if r.ambiguous:
                self._ambiguous(link.target, r, link.span)
            if r.asset:
                body.targets[link.hole] = LinkTarget(None, r.asset, None)
            elif r.failed:
                self.diags.note("link-target-failed", f"link target {r.failed} failed to load (see above)", link.span)
                body.targets[link.hole] = LinkTarget()
            elif r.topic:
                target = self.tm.get(r.topic)
                if r.topic in self.draft_ids and not source_is_draft and not self.drafts:
                    self.diags.warning("link-to-draft", f"{shown} links to a draft", link.span, "the link is missing from the site unless built with --drafts")
                if target is None:
                    body.targets[link.hole] = LinkTarget()
                    continue
                body.targets[link.hole] = LinkTarget(target.id, None, self.anchor(target.id, r.heading or link.heading))
                if target.id != source_id and source_id in self.tm.topics:  # a left-out draft mentions nothing
                    self.tm.mentions.append(Mention(source_id, target.id, link.span, link.embed))
            elif (tag := self.tag_page(link.target)) is not None:
                body.targets[link.hole] = LinkTarget(tag=tag)
            else:
                body.targets[link.hole] = LinkTarget()
                hint = self.suggest(link.target)
                self.diags.warning("link-unresolved", f"{shown}: no topic or file '{link.target}'", link.span, hint)
        if relabel:
            body.rendered = _relabelled(body.rendered, relabel)

    def tag_page(self, target: str) -> str | None:
        """`tags/x` (Quartz) names the page of tag x, or of a tag hierarchy x/... ."""
        head, _, rest = target.strip().lstrip("/").partition("/")
        if head.casefold() != "tags" or not rest:
            return None
        if self._tags is None:
            self._tags = {}
            for t in self.tm.topics.values():
                for tag in t.tags:
                    parts = tag.split("/")
                    for i in range(1, len(parts) + 1):
                        self._tags.setdefault(fold("/".join(parts[:i])), "/".join(parts[:i]))
        return self._tags.get(fold(rest.rstrip("/")))

    def anchor(self, topic_id: str, heading: str | None) -> str | None:
        """The id of the heading `[[page#heading]]` means: same text or our slug (heading_anchor),
        else the GitHub-style slug Foam, GitHub and Dendron write (`#whats-in-a-foam`); for
        Dendron's block ranges (`#heading,1:#*`) the heading before the comma."""
        if not heading:
            return None
        t = self.tm.get(topic_id)
        rendered = t.body.rendered if t and t.body else None
        if rendered is not None and heading.lstrip().startswith("^"):  # [[a#^block-id]]: never a heading
            return block_anchor(rendered.html, heading)
        if rendered is None or not rendered.headings:
            return None
        found = heading_anchor(rendered.headings, heading)
        if found is None:
            slugs = self._github_slugs.get(topic_id)
            if slugs is None:
                slugs = self._github_slugs[topic_id] = _github_slugs(rendered.headings)
            found = slugs.get(github_slug(heading)) or slugs.get(heading.strip().casefold())
            if found is None and "," in heading:
                found = self.anchor(topic_id, heading.partition(",")[0])
        return found

    def suggest(self, target: str) -> str | None:
        """A did-you-mean for an unresolved link: a close file name with the same first letter."""
        key = fold(posixpath.basename(target))
        if key in self._suggested:
            return self._suggested[key]
        hint = None
        if self._suggest_budget > 0 and key:
            self._suggest_budget -= 1
            if self._stems_by_letter is None:
                self._stems_by_letter = {}
                for stem in sorted(self.resolver._stems):
                    self._stems_by_letter.setdefault(stem[:1], []).append(stem)
            close = difflib.get_close_matches(key, self._stems_by_letter.get(key[:1], []), n=1, cutoff=0.8)
            if close:
                c = self.resolver._stems[close[0]][0]
                hint = f"did you mean '{c.path or c.value}'?"
        self._suggested[key] = hint
        return hint

    # --- merging ------------------------------------------------------------------------------
    def merge(self) -> None:
        """TMDM merging (shared identifiers, duplicate statements), after duplicates are reported."""
        from .interchange.errors import TopicMapSyntaxError
        from .merge import merge_map
        from .validate import check_duplicates

        check_duplicates(self.tm, self.diags)
        try:
            merge_map(self.tm)
        except TopicMapSyntaxError as e:  # a TMDM constraint the files break together
            e.report(self.diags)
        if self.tm.merged_ids:  # two files of one subject: links between them are self-links now
            self.tm.mentions = [m for m in self.tm.mentions if m.source != m.target]


_GITHUB_DROP = re.compile(r"[^\w\- ]")


def github_slug(text: str) -> str:
    """A heading's anchor as GitHub (github-slugger), Foam and Dendron make it: lower case,
    punctuation removed, each space a hyphen ("What's in a Foam" -> "whats-in-a-foam")."""
    return _GITHUB_DROP.sub("", text.strip().lower()).replace(" ", "-")


def _github_slugs(headings: Iterable[Any]) -> dict[str, str]:
    """GitHub slug (repeats numbered -1, -2 as GitHub does) -> our anchor, for one body's headings."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for h in headings:
        slug = github_slug(h.text)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.setdefault(f"{slug}-{n}" if n else slug, h.anchor)
    return out


def _relabelled(rendered: RenderedBody, labels: dict[int, str]) -> RenderedBody:
    """`rendered` with the text of some link holes replaced (hole index -> plain text)."""

    def fill(m: re.Match) -> str:
        n = int(m.group(1))
        return HOLE.format(n) + escape(labels[n]) + HOLE_END if n in labels else m.group(0)

    return dataclasses.replace(rendered, html=HOLE_RE.sub(fill, rendered.html))


@functools.lru_cache(maxsize=4096)
def _did_you_mean_key(key: str, allowed: frozenset[str]) -> str | None:
    close = difflib.get_close_matches(key, sorted(allowed & _KNOWN_FOR_SUGGESTIONS) or sorted(allowed), n=1, cutoff=0.75)
    return close[0] if close else None


# --- values -------------------------------------------------------------------------------------
def _date_value(v: Any) -> tuple[str | None, str]:
    """Dates as YAML gives them, or Unix time in ms (Dendron) or s, as xsd:date/dateTime."""
    if isinstance(v, _dt.datetime):
        return v.isoformat(), XSD_DATETIME
    if isinstance(v, _dt.date):
        return v.isoformat(), XSD_DATE
    if isinstance(v, int) and not isinstance(v, bool):
        seconds = v / 1000 if v > 10**11 else v
        try:
            when = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None, XSD_STRING
        return when.isoformat(timespec="seconds").replace("+00:00", "Z"), XSD_DATETIME
    return None, XSD_STRING


def _infer(v: Any) -> tuple[str, str]:
    if isinstance(v, bool):
        return ("true" if v else "false"), XSD_STRING
    if isinstance(v, (_dt.date, _dt.datetime)):
        return _date_value(v)  # type: ignore[return-value]
    if isinstance(v, int):
        return str(v), XSD_INTEGER
    if isinstance(v, float):
        return repr(v), XSD_DECIMAL
    s = str(v).strip()
    if _LOOKS_URL.match(s) and _URI.match(s):
        return s, XSD_ANYURI
    if _DATE.match(s):
        return s, XSD_DATE
    return s, XSD_STRING


def _check_value(value: str, datatype: str) -> str | None:
    """None when `value` is a valid literal of `datatype`, else what it should be."""
    try:
        if datatype == XSD_DATE:
            m = _XSD_DATE.match(value)  # xsd:date: any year, with an optional time zone
            if not m:
                return "a date (YYYY-MM-DD)"
            year = int(m[1]) % 400 + 2000  # same leap-year rule, in the range Python knows
            _dt.date(year, int(m[2]), int(m[3]))
        elif datatype == XSD_DATETIME:
            _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif datatype == XSD_INTEGER:
            int(value)
        elif datatype == XSD_DECIMAL:
            if not Decimal(value).is_finite():
                return "a finite number"
        elif datatype == XSD_ANYURI:
            if not _URI.match(value):
                return "an absolute URI"
        elif datatype == GEO:
            lat, lon = (float(x) for x in value.split(","))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                return "a position (latitude -90..90, longitude -180..180)"
    except (ValueError, InvalidOperation):
        return {
            XSD_DATE: "a date (YYYY-MM-DD)",
            XSD_DATETIME: "a date and time (YYYY-MM-DDThh:mm:ss)",
            XSD_INTEGER: "an integer",
            XSD_DECIMAL: "a number",
            GEO: 'a position "latitude,longitude"',
        }.get(datatype, "valid")
    return None
