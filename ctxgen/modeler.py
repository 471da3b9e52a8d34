"""The model stage: `SourceFile`s + `Config` -> `TopicMap` (docs/authoring.md is the specification).

Three passes, each linear in the number of files:

1. declare: every topic file and association file becomes a topic (id, names, body, draft
   flag); duplicate ids are errors. Nothing is resolved yet.
2. fill: with a `links.Resolver` over all declared topics, front matter is read key by key
   (types, identifiers, tags, occurrences, associations, association files, note files).
3. link: every body's link holes get their `LinkTarget`; resolved links to topics become mentions.

Then topics sharing an identifier merge (TMDM), via `ctxgen.merge`.
Bad input never raises: each problem is a diagnostic at the key or value it concerns.

This module drives the passes; each concern is a part of `_Modeler` in its own module:
`model_reader` (typed values: text, references, scopes, datatypes), `model_names`,
`model_occurrences` (and note files), `model_associations` (and association files),
`model_drafts`, `model_links` (pass 3), `model_schema` (ctxgen.yaml's schema keys as references,
resolved before pass 2); `model_keys` and `model_values` hold the key tables and
the plain helpers.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from .config import Config
from .diagnostics import Diagnostics, Span, cut
from .ids import slugify_path, topic_id_for_path
from .links import Resolver, fold
from .md_anchors import github_slug
from .model import Body, Topic, TopicMap
from .model_associations import AssociationReader
from .model_drafts import DraftHandling
from .model_keys import (
    ASSOCIATION_FILE_ALLOWED,
    ASSOCIATION_FILE_KEYS,
    DRAFT_SWITCHES,
    IGNORED_KEYS,
    MAPPED_KEYS,
    NOTE_FILE_KEYS,
    TOPIC_ALLOWED,
    TOPIC_KEYS,
)
from .model_links import BodyLinker
from .model_names import NameReader
from .model_occurrences import OccurrenceReader
from .model_schema import SchemaResolution
from .model_values import ABSOLUTE_URI, value_span
from .site_paths import MAX_NAME_BYTES, long_segment, tag_slug
from .model_values import infer as _infer  # noqa: F401  (ctxgen.interchange.mapfiles)
from .model_values import value_span as _value_span  # noqa: F401  (ctxgen.serve_site)
from .source import SourceFile

__all__ = [
    "build_topic_map", "github_slug", "TOPIC_KEYS", "ASSOCIATION_FILE_KEYS", "NOTE_FILE_KEYS", "MAPPED_KEYS",
    "IGNORED_KEYS", "DRAFT_SWITCHES",
]

# front matter key -> the Topic list of identifiers it adds to
_IDENTIFIER_KEYS = {
    "subject": "subject_identifiers",
    "subject_identifier": "subject_identifiers",
    "subject_identifiers": "subject_identifiers",
    "subject_locator": "subject_locators",
    "subject_locators": "subject_locators",
    "item_identifier": "item_identifiers",
    "item_identifiers": "item_identifiers",
}
# what a subject identifier missing its scheme looks like ('www.x.org', 'x.org/wiki/A', '//x.org'),
# as opposed to words (`subject: Biology`), which are a property
_LOOKS_LIKE_A_URI = re.compile(r"^(?://|www\.|[\w-]+(?:\.[\w-]+)+(?:/|$))|://", re.I)
_UNDEPLOYED = {".git", ".github"}  # folders actions/upload-pages-artifact leaves out of the site
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


@dataclass
class _Declared:
    """A topic made from a file in pass 1, with what pass 2 needs to fill it."""

    topic: Topic
    source: SourceFile
    front: Any  # mapping (maybe empty)


@dataclass
class _Modeler(NameReader, OccurrenceReader, AssociationReader, DraftHandling, BodyLinker, SchemaResolution):
    """One run of the stage; `ctxgen.serve_site` keeps it for its resolver and `link_body`."""

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
    sources_by_path: dict[str, SourceFile] = field(default_factory=dict)
    failed_ids: set[str] = field(default_factory=set)
    left_out: dict[str, tuple[Span, list[str]]] = field(default_factory=dict)  # duplicate's path -> (its id, names)
    _github_slugs: dict[str, dict[str, str]] = field(default_factory=dict)  # topic id -> GitHub slug -> anchor
    _plain_targets: dict = field(default_factory=dict)  # topic id -> LinkTarget(topic id), for link_body
    _role_types: dict = field(default_factory=dict)  # association type -> its role types (model_associations)
    _long_names: set[tuple[bool, str]] = field(default_factory=set)  # (a tag?, path) reported as too long

    # --- the whole stage ------------------------------------------------------------------
    def build(self, sources: list[SourceFile], assets: list[str]) -> TopicMap:
        ordered = sorted(sources, key=lambda s: s.path)  # file order never matters
        self.sources_by_path = {s.path: s for s in ordered}
        for src in ordered:
            if src.failed:
                self.failed.append(src.path)
            else:
                self.declare(src)
        self.resolver = Resolver(
            ((d.topic.id, d.topic.source, [n.value for n in d.topic.names]) for d in self.declared),
            assets,
            self.failed,
            {path: names for path, (_, names) in self.left_out.items()},
        )
        self.resolve_schema()
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
        for t in self.tm.topics.values():  # those named by a reference were checked there, at it
            if t.implicit:
                self.fits_file_name(t.id, "topic id", t.span, "shorten the name, or give it a topic file with a short id")
        self.merge()
        self.readings_from_names()
        self.tm.failed_ids = self.failed_ids
        for text, slug in self._slugs.items():
            if text != slug:
                self.tm.written_as.setdefault(slug, text)
        return self.tm

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
            self.tm.item_identifiers.extend(x for x in iids if isinstance(x, str) and ABSOLUTE_URI.match(x))

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
            id_span = value_span(front, "id", line1)
            given = self.text(front["id"], "id", id_span)
            if given is not None:
                given = unicodedata.normalize("NFC", given.strip())
                if self.valid_id(given, id_span):
                    topic_id = given
        if not self.fits_file_name(topic_id, "topic id", id_span, "give the file a shorter name, or a short `id:`"):
            return
        if not self.claim(topic_id, id_span):
            # left out: links to it (by path or by its names) get a note pointing at the
            # duplicate-id error, not an unresolved-link warning each
            left_out = Topic(topic_id, span=line1, source=src.path)
            self.names(left_out, front, src)
            self.failed.append(src.path)
            self.left_out[src.path] = (id_span, [n.value for n in left_out.names])
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
            if not _UNDEPLOYED.intersection(p.casefold() for p in parts):
                return self.fits_file_name(given, "topic id", span, "give it a shorter `id:`")
            self.diags.error("invalid-id", f"id {given!r} would put its page in a folder GitHub Pages never publishes",
                             span, "the Pages artifact leaves out .git and .github folders: choose another `id:`")
            return False
        self.diags.error(
            "invalid-id",
            f"id {given!r} is not a valid topic id",
            span,
            "an id is a path-like slug: no spaces, ':', '#', '?', '%', quotes, empty segments, or '.' or '..' as a segment",
        )
        return False

    def fits_file_name(self, name: str, what: str, span: Span | None, hint: str, path: str | None = None) -> bool:
        """Is every segment of `path` (by default `name`, as the site names a file after it) short
        enough for a file name? An error at `span` otherwise (once per path)."""
        path = name if path is None else path
        long = long_segment(path)
        if long is None:
            return True
        key = (what == "tag", path)  # a tag's page and a topic's are different files
        if key in self._long_names:
            return False
        self._long_names.add(key)
        self.diags.error(
            "name-too-long",
            f"{what} {cut(name)!r} is too long for a file name of the site: {len(long.encode('utf-8'))} bytes"
            f"{' in one segment' if long != path else ''}, at most {MAX_NAME_BYTES}",
            span, hint)
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

    # --- pass 2 ---------------------------------------------------------------------------
    def fill(self, d: _Declared) -> None:
        topic, src, front = d.topic, d.source, d.front
        line1 = Span(src.path, 1, 1)
        path = src.path
        is_assoc = "association" in front
        self.typed_names(path)
        for key in ("type", "types"):
            if key in front:
                for s, sp in self.text_list(front[key], key, value_span(front, key, line1)):
                    self.tm.add_type(topic.id, self.ref(s, key, sp, path) or slugify_path(s), sp)
        if "supertypes" in front:
            for s, sp in self.text_list(front["supertypes"], "supertypes", value_span(front, "supertypes", line1)):
                self.tm.add_supertype(topic.id, self.ref(s, "supertypes", sp, path) or slugify_path(s), sp)
        if not _IDENTIFIER_KEYS.keys().isdisjoint(front):  # most files have none: one test, not seven
            for key, attr in _IDENTIFIER_KEYS.items():
                if key in front:
                    words = []
                    for s, sp in self.text_list(front[key], key, value_span(front, key, line1)):
                        if key == "subject" and not ABSOLUTE_URI.match(s) and not _LOOKS_LIKE_A_URI.search(s):
                            words.append((s, sp, key))  # `subject: Biology`: a vault's property
                        elif self.check_uri(s, key, sp) and s not in getattr(topic, attr):
                            getattr(topic, attr).append(s)
                    if words:
                        self.property(topic, self.property_type(key), words, path)
        for key in ("tags", "tag"):  # `tag:`, as Obsidian read it before 1.9
            if key in front:
                topic.tags.extend(self.tags(front[key], value_span(front, key, line1), topic.tags))
        for tag in getattr(src.rendered, "tags", ()) or ():
            t = tag.lstrip("#").strip()
            if t and t not in topic.tags:
                if long_segment(tag_slug(t)) is None:
                    topic.tags.append(t)
                else:  # where it is written is looked for only then
                    self.tag_fits(t, _inline_tag_span(src, t))
        if not MAPPED_KEYS.keys().isdisjoint(front):
            for key, (otype, kind) in MAPPED_KEYS.items():
                if key in front and front[key] not in (None, ""):
                    self.mapped(topic, key, otype, kind, front)
        if "occurrences" in front:
            self.occurrences(topic, front["occurrences"], value_span(front, "occurrences", line1), path)
        if "associations" in front:
            self.associations(topic, front["associations"], value_span(front, "associations", line1), path)
        if is_assoc:
            self.association_file(topic, front, line1, path)
        self.properties(topic, front, ASSOCIATION_FILE_ALLOWED if is_assoc else TOPIC_ALLOWED, line1, path)
        if "reifies" in front:
            rsp = value_span(front, "reifies", line1)
            if front["reifies"] == "map":
                self.tm.reifier = topic.id
            else:
                self.diags.error("invalid-value", "reifies: the only value is `map` (the topic reifies the topic map)", rsp,
                                 "an association is reified by its association file; a name or occurrence by its `reifier:`")

    def tags(self, v: Any, span: Span, have: list[str]) -> list[str]:
        if isinstance(v, str):
            items = [(s, span) for s in re.split(r"[,\s]+", v)]
        else:
            items = self.text_list(v, "tags", span)
        out = []
        for s, sp in items:
            t = s.strip().lstrip("#").strip()
            if t and t not in have and t not in out and self.tag_fits(t, sp):
                out.append(t)
        return out

    def tag_fits(self, tag: str, span: Span) -> bool:
        return self.fits_file_name(tag, "tag", span, "use a shorter tag", path=tag_slug(tag))

    # --- merging ------------------------------------------------------------------------------
    def merge(self) -> None:
        """TMDM merging (shared identifiers, duplicate statements), after duplicates are reported."""
        from .interchange.errors import TopicMapSyntaxError
        from .merge import merge_map
        from .validate import check_duplicates

        duplicates = check_duplicates(self.tm, self.diags)
        try:
            merge_map(self.tm, distinct_associations=not duplicates)
        except TopicMapSyntaxError as e:  # a TMDM constraint the files break together
            e.report(self.diags)
        if self.tm.merged_ids:  # two files of one subject: links between them are self-links now
            self.tm.mentions = [m for m in self.tm.mentions if m.source != m.target]


def _inline_tag_span(src: SourceFile, tag: str) -> Span:
    """Where an inline #tag is written in a body (its first occurrence), else where the body starts."""
    start = src.body_span or Span(src.path, 1, 1)
    at = (src.body or "").find("#" + tag)
    if at < 0:
        return start
    line_start = src.body.rfind("\n", 0, at) + 1
    first_line = line_start == 0
    return Span(src.path, start.line + src.body.count("\n", 0, at),
                (start.col if first_line else 1) + at - line_start)
