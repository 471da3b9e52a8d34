"""A topic's occurrences: the keys other tools write (`description`, `created`, ...),
`occurrences:` (short `{type: value}` and full entries with datatype, scope, url or file), and
note files (`occurrence:` + `topic:`), whose body becomes an occurrence of another topic.
"""
from __future__ import annotations

from typing import AbstractSet as Set, Any

from .config import Config
from .diagnostics import Span
from .ids import slugify_path
from .model import XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_STRING, Body, Occurrence, Topic, TopicMap
from .model_keys import NOTE_FILE_ALLOWED, OCCURRENCE_ENTRY_KEYS, did_you_mean_key
from .model_reader import FrontMatterReader, unquoted_wikilink_hint
from .model_values import DATE, DATETIME, a_kind, date_value, infer, is_wikilink, item_span, key_span, value_span
from .source import SourceFile


class OccurrenceReader(FrontMatterReader):
    config: Config
    tm: TopicMap
    draft_ids: set[str]

    def mapped(self, topic: Topic, key: str, otype: str, kind: str, front: Any) -> None:
        """One of `MAPPED_KEYS` (a description, or a date, maybe in Unix time) as an occurrence."""
        sp = value_span(front, key, topic.span)
        v = front[key]
        if kind == "text":
            s = self.text(v, key, sp)
            if s and s.strip():
                topic.occurrences.append(Occurrence(otype, s.strip(), span=sp))
            return
        value, datatype = date_value(v)
        if value is None:
            s = self.text(v, key, sp)
            if s is None:
                return
            value, datatype = s.strip(), XSD_STRING
            if not (DATE.match(value) or DATETIME.match(value)):
                self.diags.warning("invalid-value", f"{key}: {value!r} is not a date; kept as text", sp, "write YYYY-MM-DD")
            else:
                datatype = XSD_DATE if DATE.match(value) else XSD_DATETIME
                if not self.valid(value, datatype, key, sp):
                    return
        topic.occurrences.append(Occurrence(otype, value, datatype, span=sp))

    def properties(self, topic: Topic, front: Any, allowed: Set[str], line1: Span, path: str) -> None:
        """The other top-level keys of a topic file are properties, as in Obsidian: a scalar or a list
        of scalars is an occurrence typed by the key, as in the short form of `occurrences:` (and a
        `[[link]]` an association, see `property`). A key
        that looks like a misspelt known key, names another kind of schema type, or holds a mapping
        is an `unknown-key` warning instead."""
        if allowed.issuperset(front):
            return
        schema = self.config.schema
        for key, value in front.items():
            if key in allowed:
                continue
            ksp = key_span(front, key, line1)
            close = did_you_mean_key(str(key), frozenset(allowed)) if isinstance(key, str) else None
            if close:
                self.diags.warning("unknown-key", f"unknown key '{key}', did you mean '{close}'?", ksp, "put your own data under `extra:`")
                continue
            if not isinstance(key, str) or not key.strip():
                self.diags.warning("unknown-key", f"unknown key '{key}'", ksp, "put your own data under `extra:`")
                continue
            items = value if isinstance(value, list) else [value]
            nested = next((x for x in ([value] if isinstance(value, dict) else items) if isinstance(x, (dict, list))), None)
            if nested is not None:
                hint = (unquoted_wikilink_hint(value, " to link it") or unquoted_wikilink_hint(nested, " to link it")
                        or f"put your own data under `extra:`, or write a full entry under `occurrences:` ({key}: {{value: ...}})")
                self.diags.warning("unknown-key", f"unknown key '{key}': a property is a value or a list of values, not {a_kind(nested)}",
                                   ksp, hint)
                continue
            # a property names its type by id only: a key is not a link, so `status` is not `tags.status.md`
            otype = self.property_type(key)
            if not self.fits_file_name(key, "topic", ksp, "shorten the key, or put the data under `extra:`", otype):
                continue
            links_only = all(is_wikilink(x) for x in items if x is not None)
            if otype not in schema.occurrence_types and (
                    (otype in schema.association_types and not links_only)
                    or otype in schema.role_types or otype in schema.topic_types):
                self.diags.warning("unknown-key", f"unknown key '{key}': the schema declares it as another kind of type", ksp,
                                   "associations go under `associations:`; your own data under `extra:`")
                continue
            sp = value_span(front, key, line1)
            self.property(topic, otype, [(item, item_span(value, i, sp), f"{key}[{i}]") for i, item in enumerate(value)]
                          if isinstance(value, list) else [(value, sp, key)], path)

    def property_type(self, key: str) -> str:
        """The occurrence type a property key names: the topic with that id, else an implicit one."""
        otype = self.resolver.exact(key.strip()) if self.resolver else None
        return otype or self._slugs.get(key) or self._slugs.setdefault(key, slugify_path(key.strip()))

    def property(self, topic: Topic, otype: str, items: list[tuple[Any, Span, str]], path: str) -> None:
        """A property's values: each `[[link]]` an association typed by the key (Obsidian's links in
        properties: `up: "[[Projects]]"` relates the two topics), each other value an occurrence."""
        as_links = otype not in self.config.schema.occurrence_types
        for item, isp, where in items:
            if item is None or (isinstance(item, str) and not item.strip()):
                continue  # an empty property (Obsidian writes `status:`) says nothing
            if as_links and is_wikilink(item):
                mine, theirs = self.role_types(otype)[:2]
                self.binary(topic, otype, mine, theirs, item, where, isp, path)
                continue
            occ = self.occurrence(otype, item, where, isp, path)
            if occ is not None:
                topic.occurrences.append(occ)

    def occurrences(self, topic: Topic, v: Any, span: Span, path: str) -> None:
        for otype_raw, value, where, sp, tsp in self.typed_entries(v, "occurrences", span):
            otype = self.ref(otype_raw, f"{where}.type", tsp, path)
            if otype is None:
                continue
            values = value if isinstance(value, list) else [value]
            for i, item in enumerate(values):
                isp = item_span(value, i, sp) if isinstance(value, list) else sp
                iwhere = f"{where}[{i}]" if isinstance(value, list) else where
                occ = self.occurrence(otype, item, iwhere, isp, path)
                if occ is not None:
                    topic.occurrences.append(occ)

    def occurrence(self, otype: str, item: Any, where: str, span: Span, path: str) -> Occurrence | None:
        """One value of an occurrence type: a scalar, or a full entry (value, url or file)."""
        datatype = None
        scope: frozenset[str] = frozenset()
        sspans = None
        entry = None
        if isinstance(item, dict):
            entry = item
            self.unknown_keys(item, OCCURRENCE_ENTRY_KEYS, where, span)
            given = list(filter(item.__contains__, ("value", "url", "file")))
            if len(given) != 1:
                self.diags.error("missing-value", f"{where}: an occurrence needs exactly one of value, url, file", span)
                return None
            key = given[0]
            vsp = value_span(item, key, span)
            if "datatype" in item:
                datatype = self.datatype(item["datatype"], f"{where}.datatype", value_span(item, "datatype", span))
                if datatype is None:
                    return None
            if "scope" in item:
                scope, sspans = self.scope(item["scope"], f"{where}.scope", value_span(item, "scope", span), path)
            raw = item[key]
            if key in ("url", "file"):
                s = raw if raw.__class__ is str else self.text(raw, f"{where}.{key}", vsp)
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
            self.diags.error("wrong-type", f"{where}: expected a value, got {a_kind(item)}", span)
            return None
        schema = self.config.schema.occurrence_types.get(otype)
        datatype = datatype or (schema.datatype if schema else None)
        value, inferred = infer(item)
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

    def note_file(self, src: SourceFile) -> None:
        """A note file: its body is an occurrence of the topic its `topic:` names."""
        front = src.front if isinstance(src.front, dict) else {}
        line1 = Span(src.path, 1, 1)
        self.unknown_keys(front, NOTE_FILE_ALLOWED, "", line1)
        osp = value_span(front, "occurrence", line1)
        otype = self.ref(front.get("occurrence"), "occurrence", osp, src.path)
        if otype is None:
            if not isinstance(front.get("occurrence"), (list, dict)):  # else wrong-type said it
                self.diags.error("missing-value", "occurrence: needs an occurrence type", osp)
            return
        if "topic" not in front:
            self.diags.error("note-without-topic", "a note file needs `topic:` naming the topic it belongs to", key_span(front, "occurrence", line1))
            return
        tsp = value_span(front, "topic", line1)
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
            if tid not in self.failed_ids:  # else link-target-failed has said why, at the same place
                self.diags.warning("unknown-topic", f"topic: no topic '{raw}'; the note makes an implicit topic", tsp)
            owner = self.tm.ensure_topic(tid, tsp)
        scope, sspans = self.scope(front.get("scope"), "scope", value_span(front, "scope", line1), src.path)
        title = front.get("title")
        title = str(title).strip() or None if isinstance(title, (str, int, float)) and not isinstance(title, bool) else None
        body = Body(src.body, src.body_span or line1, src.rendered, title=title)
        text = src.rendered.text if src.rendered else src.body
        owner.occurrences.append(Occurrence(otype, text, XSD_STRING, scope, span=line1, note=body, scope_spans=sspans))
        self.resolver.add_file(owner.id, src.path)
