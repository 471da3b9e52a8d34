"""A topic's names: `title`/`name` (or the first heading, or the file name), `aliases`, and full
`names:` entries with type, scope and variants.

Names are read when a topic is declared (pass 1), because the resolver matches links against
them; a full entry's type, scope and variants are references, so they wait for pass 2
(`typed_names`).
"""
from __future__ import annotations

import posixpath
from typing import Any

from .diagnostics import Span
from .model import XSD_STRING, Name, Topic, Variant
from .model_keys import NAME_ENTRY_KEYS, VARIANT_ENTRY_KEYS
from .model_reader import FrontMatterReader
from .model_values import item_span, value_span
from .source import SourceFile


class NameReader(FrontMatterReader):
    name_entries: dict[str, list]  # path -> [(Name, its entry)], for pass 2

    def names(self, topic: Topic, front: Any, src: SourceFile) -> None:
        line1 = Span(src.path, 1, 1)
        base = None
        for key in ("title", "name"):
            if key in front:
                sp = value_span(front, key, line1)
                s = self.text(front[key], key, sp)
                if s is not None and s.strip():
                    base = base or Name(s.strip(), span=sp)
        if base is None and "names" not in front:  # `names:` alone (even `names: []`) says it all
            h1 = src.rendered.first_h1 if src.rendered else None
            stem = posixpath.basename(src.path)
            base = Name(h1.strip() if h1 and h1.strip() else (stem[:-3] if stem.lower().endswith(".md") else stem), span=line1)
        if base is not None:
            topic.names.append(base)
        for key in ("aliases", "alias"):  # `alias:`, as Obsidian read it before 1.9
            if key in front:
                for s, sp in self.text_list(front[key], key, value_span(front, key, line1)):
                    topic.names.append(Name(s, span=sp))
        if "names" in front:
            self.full_names(topic, front["names"], value_span(front, "names", line1), src.path)

    def full_names(self, topic: Topic, v: Any, span: Span, path: str) -> None:
        if not isinstance(v, list):
            v = [v]
        for i, entry in enumerate(v):
            where, sp = f"names[{i}]", item_span(v, i, span)
            if not isinstance(entry, dict):
                s = self.text(entry, where, sp)
                if s and s.strip():
                    topic.names.append(Name(s.strip(), span=sp))
                continue
            self.unknown_keys(entry, NAME_ENTRY_KEYS, where, sp)
            value = self.text(entry.get("value"), f"{where}.value", value_span(entry, "value", sp))
            if value is None or (not value.strip() and not isinstance(entry.get("value"), str)):
                self.diags.error("missing-value", f"{where}: a name needs a `value:`", sp)
                continue
            name = Name(value, span=sp)  # a full entry's value is kept exactly as written
            topic.names.append(name)
            self.name_entries.setdefault(path, []).append((name, entry, where))  # types and scopes are references: pass 2

    def typed_names(self, path: str) -> None:
        """Pass 2 for the full `names:` entries of the file at `path`: type, scope, variants."""
        for name, entry, at in self.name_entries.pop(path, ()):
            sp = name.span
            if "type" in entry:
                name.type = self.ref(entry["type"], f"{at}.type", value_span(entry, "type", sp), path) or name.type
            if "scope" in entry:
                name.scope, name.scope_spans = self.scope(entry["scope"], f"{at}.scope", value_span(entry, "scope", sp), path)
            self.statement_keys(name, entry, at, sp, path)
            variants = entry.get("variants")
            if variants is None:
                continue
            vsp = value_span(entry, "variants", sp)
            if not isinstance(variants, list):
                variants = [variants]
            for j, ve in enumerate(variants):
                where, vs = f"{at}.variants[{j}]", item_span(variants, j, vsp)
                if not isinstance(ve, dict):
                    ve = {"value": ve}
                self.unknown_keys(ve, VARIANT_ENTRY_KEYS, where, vs)
                value = self.text(ve.get("value"), f"{where}.value", value_span(ve, "value", vs))
                if value is None or (not value and not isinstance(ve.get("value"), str)):
                    self.diags.error("missing-value", f"{where}: a variant needs a `value:`", vs)
                    continue
                datatype = XSD_STRING
                if "datatype" in ve:
                    datatype = self.datatype(ve["datatype"], f"{where}.datatype", value_span(ve, "datatype", vs))
                    if datatype is None:
                        continue
                vscope, vspans = self.scope(ve.get("scope"), f"{where}.scope", value_span(ve, "scope", vs), path)
                if not vscope and not name.scope:
                    self.diags.warning("variant-without-scope", f"{where}: a variant needs a scope (TMDM)", vs, "add `scope: [sort]` or similar")
                variant = Variant(value, datatype, scope=vscope, span=vs, scope_spans=vspans)
                self.statement_keys(variant, ve, where, vs, path)
                name.variants.append(variant)
