"""Reading typed values from front matter: the base of every part of the model stage.

`FrontMatterReader` turns one value into what the model holds — text, a list of texts, a topic
reference, a scope, a datatype, an absolute URI, a checked literal — and reports, at the value's
span, what does not fit. It also checks an entry's keys (`unknown_keys`) and reads the keys any
statement may carry (`statement_keys`: item identifiers and reifier).
"""
from __future__ import annotations

import datetime as _dt
from typing import AbstractSet as Set, Any, Iterator

from .diagnostics import Diagnostics, Severity, Span
from .ids import slugify_path
from .links import Resolution, Resolver
from .model import DATATYPES, STANDARD_TOPICS, XSD_DATE, XSD_DATETIME
from .model_keys import did_you_mean_key
from .model_values import ABSOLUTE_URI, a_kind, check_value, item_span, key_span, scalar_text, type_name, value_span


def warn_ambiguous(diags: Diagnostics, target: str, r: Resolution, span: Span) -> None:
    diags.warning(
        "link-ambiguous",
        f"'{target}' matches {len(r.candidates)} files: {', '.join(r.candidates)}; using {r.candidates[0]}",
        span,
        "link by path to choose another",
    )


_VALUE_HINTS = {
    XSD_DATE: "write a date as YYYY-MM-DD with a real month and day, e.g. 1815-12-10",
    XSD_DATETIME: "write a date and time as YYYY-MM-DDThh:mm:ss, e.g. 1815-12-10T09:30:00",
}


def _one_text(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 1 and isinstance(v[0], str)


def unquoted_wikilink_hint(v: Any, purpose: str = "") -> str | None:
    """`x: [[person]]` without quotes is YAML for a list holding a list of one text."""
    if isinstance(v, list) and len(v) == 1 and _one_text(v[0]):
        s = v[0][0].strip()
        return f'write "[[{s}]]" in quotes{purpose}, or just {s}'
    return None


class FrontMatterReader:
    """Value readers shared by names, occurrences, associations and drafts (mixed into `_Modeler`,
    which holds the state below)."""

    diags: Diagnostics
    resolver: Resolver | None  # set once every topic is declared (pass 2)
    _slugs: dict[str, str]  # reference -> implicit topic id
    sources_by_path: dict  # map-relative path -> its SourceFile
    failed_ids: set[str]  # ids references gave files that failed to load
    left_out: dict[str, tuple[Span, list[str]]]  # sources left out for a duplicate id: (its id span, names)

    def text(self, v: Any, where: str, span: Span) -> str | None:
        """A front matter value that must be text; YAML 1.1 surprises are coerced with a warning."""
        if v is None:
            return None
        if isinstance(v, str):
            return v
        if isinstance(v, (bool, int, float, _dt.date)):
            kind = type_name(v)
            shown = scalar_text(v)
            self.diags.warning(
                "yaml-coerced", f"{where}: parsed as {kind}; quote it", span, f"read as {shown!r}; put the value in quotes to keep the text as written"
            )
            return shown
        self.diags.error("wrong-type", f"{where}: expected text, got {a_kind(v)}", span, unquoted_wikilink_hint(v))
        return None

    def text_list(self, v: Any, where: str, span: Span) -> list[tuple[str, Span]]:
        """A value that may be one text or a list of texts."""
        if v is None:
            return []
        if isinstance(v, list):
            out = []
            if len(v) == 1 and _one_text(v[0]):  # `type: [[person]]` unquoted: YAML read a list in a list
                self.diags.error("wrong-type", f"{where}[0]: expected text, got a list", item_span(v, 0, span),
                                 unquoted_wikilink_hint(v))
                return []
            for i, item in enumerate(v):
                if item.__class__ is str:  # the common case: no coercion, no message to word
                    s = item.strip()
                    if s:
                        out.append((s, item_span(v, i, span)))
                    continue
                isp = item_span(v, i, span)
                s = self.text(item, f"{where}[{i}]", isp)
                if s is not None and s.strip():
                    out.append((s.strip(), isp))
            return out
        if v.__class__ is str:
            s = v.strip()
            return [(s, span)] if s else []
        s = self.text(v, where, span)
        return [(s.strip(), span)] if s is not None and s.strip() else []

    def ref(self, v: Any, where: str, span: Span, from_path: str) -> str | None:
        """A reference to a topic, resolved like a wikilink; unresolved -> the id of an implicit topic."""
        resolver = self.resolver
        memo_key = None
        if v.__class__ is str and resolver is not None:
            # Types, roles and players are named over and over: a reference that needs no message
            # is remembered per text and folder (the resolver's cache key) until the resolver changes.
            memo_key = (v, from_path[:from_path.rfind("/") + 1])
            known = resolver.memo.get(memo_key)
            if known is not None:
                return known
        s = v if v.__class__ is str else self.text(v, where, span)
        if s is None or not s.strip():
            return None
        s = s.strip()
        label = None
        if s.startswith("[[") and s.endswith("]]"):  # Obsidian writes `type: "[[person]]"`
            s, _, label = s[2:-2].partition("|")
            s, label = s.partition("#")[0].strip(), label.strip() or None  # the label: Dendron's [[label|target]]
        if s in STANDARD_TOPICS:  # tm:type-instance ... (imported maps use them in full entries)
            return s
        r = resolver.resolve(s, from_path, label=label) if resolver else Resolution()
        if r.topic:
            if r.ambiguous:
                warn_ambiguous(self.diags, s, r, span)
            elif memo_key is not None:
                resolver.memo[memo_key] = r.topic
            return r.topic
        slug = self._slugs.get(s)
        if slug is None:  # types and roles without a file are named over and over
            slug = self._slugs[s] = slugify_path(s)
            self.fits_file_name(s, "topic", span, "shorten the name, or give it a topic file with a short id", slug)
        if r.failed:
            self.diags.note("link-target-failed", f"{where}: '{s}' is {r.failed}, which {self.why_left_out(r.failed)}", span)
            self.failed_ids.add(slug)
        elif memo_key is not None:
            resolver.memo[memo_key] = slug
        return slug

    def why_left_out(self, path: str) -> str:
        """Why `path` is not in the map and where its error is, for a note about a reference to it."""
        if path in self.left_out:
            return f"is left out: another file has its id (the error is at {self.left_out[path][0]})"
        src = self.sources_by_path.get(path)
        for d in (src.diagnostics if src is not None else ()):
            if d.severity is Severity.ERROR and d.span is not None:
                return f"failed to load (the error is at {d.span})"
        return f"failed to load (the error is in {path})"

    def scope(self, v: Any, where: str, span: Span, from_path: str) -> tuple[frozenset[str], dict[str, Span] | None]:
        """A scope's topic ids, and where each is named (for diagnostics that concern one of them)."""
        spans: dict[str, Span] = {}
        for s, sp in self.text_list(v, where, span):
            x = self.ref(s, where, sp, from_path)
            if x:
                spans.setdefault(x, sp)
        return frozenset(spans), spans or None

    def datatype(self, v: Any, where: str, span: Span) -> str | None:
        """A datatype: one of ctxgen's short names or a full IRI; None (and an error) otherwise."""
        dt = self.text(v, where, span)
        if dt is None:
            return None
        dt = dt.strip()
        iri = DATATYPES.get(dt, dt)
        if iri == dt and not ABSOLUTE_URI.match(iri):
            self.diags.error("unknown-datatype", f"{where}: unknown datatype {dt!r}", span, "use " + ", ".join(DATATYPES) + " or a full IRI")
            return None
        return iri

    def check_uri(self, s: str, where: str, span: Span) -> bool:
        if ABSOLUTE_URI.match(s):
            return True
        self.diags.error("invalid-uri", f"{where}: {s!r} is not an absolute URI", span, "write the scheme, e.g. https://...")
        return False

    def valid(self, value: str, datatype: str, where: str, span: Span) -> bool:
        """Whether `value` is a literal of `datatype`; an `invalid-value` error if not."""
        problem = check_value(value, datatype)
        if problem:
            if datatype in (XSD_DATE, XSD_DATETIME):
                self.drop_yaml_value(span)
            self.diags.error("invalid-value", f"{where}: {value!r} is not {problem}", span, _VALUE_HINTS.get(datatype))
            return False
        return True

    def drop_yaml_value(self, span: Span) -> None:
        """YAML's "could not read '1815-13-10' as a date; kept as text" says less than the
        `invalid-value` error given at the same value, and its hint (quote it) would be wrong."""
        src = self.sources_by_path.get(span.path) if span else None
        for items in (self.diags.items, src.diagnostics if src is not None else None):
            if items:
                items[:] = [d for d in items if not (d.code == "yaml-value" and d.span == span)]

    def unknown_keys(self, m: Any, allowed: Set[str], where: str, span: Span) -> None:
        if allowed.issuperset(m):
            return
        for key in m:
            if key in allowed:
                continue
            shown = f"{where}.{key}" if where else str(key)
            msg = f"unknown key '{shown}'"
            close = did_you_mean_key(str(key), frozenset(allowed))  # cached
            if close:
                msg += f", did you mean '{close}'?"
            self.diags.warning("unknown-key", msg, key_span(m, key, span), "put your own data under `extra:`")

    def statement_keys(self, construct: Any, entry: Any, where: str, span: Span, path: str) -> None:
        """`item_identifiers` and `reifier` of a name, variant, occurrence, association or role
        entry (imported maps carry them; see "Keys for imported maps")."""
        if "item_identifiers" in entry:
            isp = value_span(entry, "item_identifiers", span)
            for s, sp in self.text_list(entry["item_identifiers"], f"{where}.item_identifiers", isp):
                if self.check_uri(s, f"{where}.item_identifiers", sp) and s not in construct.item_identifiers:
                    construct.item_identifiers.append(s)
        if "reifier" in entry:
            construct.reifier = self.ref(entry["reifier"], f"{where}.reifier", value_span(entry, "reifier", span), path)

    def typed_entries(self, v: Any, where: str, span: Span) -> Iterator[tuple[Any, Any, str, Span, Span]]:
        """`{type: value}` or `[{type: t, ...}]` -> (type, value, where, value span, type span)."""
        if isinstance(v, dict):
            for key, value in v.items():
                yield key, value, f"{where}.{key}", value_span(v, key, span), key_span(v, key, span)
        elif isinstance(v, list):
            for i, entry in enumerate(v):
                sp = item_span(v, i, span)
                if isinstance(entry, dict) and "type" in entry:  # the entry's own keys allow `type`
                    yield entry["type"], entry, f"{where}[{i}]", sp, value_span(entry, "type", sp)
                else:
                    self.diags.error("wrong-type", f"{where}[{i}]: a list entry must be a mapping with a `type:`", sp)
        else:
            self.diags.error("wrong-type", f"{where}: expected a mapping of type to value, got {a_kind(v)}", span)
