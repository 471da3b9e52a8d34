"""A TopicMap as a ctxgen map folder (`ctxgen import`): `map_files(tm) -> {relative path: text}`.

The folder is written so that `ctxgen.api.load_map` of it gives back the same topic map (the
same CXTM): docs/authoring.md, "Keys for imported maps", is the format. In short:

- one `<id>.md` per topic, its front matter holding names (the first plain name as `title`),
  subject identifiers and locators, item identifiers, types and supertypes, occurrences keyed
  by type (a value alone where it reads back as it is, else a full entry), and the associations
  it hosts, keyed by type: `composed-by: [tosca, turandot]` where the schema's two role types
  say who plays what, else full entries `{roles: ...}` (a role that carries item identifiers or
  a reifier makes `roles:` a list of role entries);
- an association reified by a topic is that topic's file, moved to `associations/` with the
  `association:` and `roles:` keys (the native form, so it gets a page);
- `reifies: map` on the topic reifying the map; the map's base locator and item identifiers in
  `ctxgen.yaml` under `extra.topic_map`, with the schema (topic, association, role and
  occurrence types) the map uses.

Everything is written explicitly (datatypes the modeler would not infer, `names: []` for a topic
without names), so the modeler adds nothing. Standard tm: topics get a file only when they carry
more than their subject identifier or play a role in an association that needs a host file.
"""
from __future__ import annotations

import re

import yaml

from ..model import (
    DATATYPES,
    DEFAULT_NAME_TYPE,
    INSTANCE,
    STANDARD_TOPICS,
    SUBTYPE,
    SUPERTYPE,
    SUPERTYPE_SUBTYPE,
    TYPE,
    TYPE_INSTANCE,
    XSD_STRING,
    Association,
    Name,
    Topic,
    TopicMap,
)

_SLUG = re.compile(r"[^a-z0-9]+")
_RESERVED = {"index", "tags", "static", "assets", "search", "graph", "names", "404"}  # site paths
_SHORT = {iri: short for short, iri in DATATYPES.items()}


def _slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60].strip("-")


def _slug_source(t: Topic) -> str:
    for iri in t.item_identifiers + t.subject_identifiers + t.subject_locators:
        tail = iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]
        if _slugify(tail):
            return tail
    return t.name if t.names else "topic"


def _inferred_datatype(value: str) -> str:
    from ..modeler import _infer  # the modeler's own inference: write `datatype` only where it differs

    return _infer(value)[1]


def _is_plain(a: Association, instance_role: str, type_role: str) -> bool:
    return (
        len(a.roles) == 2
        and not (a.scope or a.reifier or a.item_identifiers)
        and {r.type for r in a.roles} == {instance_role, type_role}
        and not any(r.reifier or r.item_identifiers for r in a.roles)
    )


class _Writer:
    def __init__(self, tm: TopicMap) -> None:
        self.tm = tm
        self.front: dict[str, dict] = {}  # topic id -> its front matter, in key order
        self.slugs: dict[str, str] = {}
        self.schema: dict[str, dict] = {"topic_types": {}, "association_types": {}, "role_types": {}, "occurrence_types": {}}

    # --- ids ----------------------------------------------------------------------------------
    def needs_file(self, t: Topic, hosts: set[str]) -> bool:
        if t.id not in STANDARD_TOPICS:
            return True
        own = [x for x in t.subject_identifiers if x != STANDARD_TOPICS[t.id]]
        return bool(own or t.subject_locators or t.item_identifiers or t.names or t.occurrences
                    or t.id in hosts or self.tm.reifier == t.id)

    def assign_ids(self, hosts: set[str]) -> None:
        used: set[str] = set(_RESERVED)
        for t in self.tm.topics.values():
            if not self.needs_file(t, hosts):
                continue
            base = _slugify(_slug_source(t)) or "topic"
            slug, n = base, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            self.slugs[t.id] = slug
            self.front[t.id] = {"id": slug}

    def ref(self, tid: str) -> str:
        return self.slugs.get(tid) or tid  # a standard topic without a file keeps its tm: id

    def scope(self, s) -> list[str]:
        return sorted(self.ref(x) for x in s)

    def annotations(self, c, e: dict) -> dict:
        if c.item_identifiers:
            e["item_identifiers"] = list(c.item_identifiers)
        if c.reifier:
            e["reifier"] = self.ref(c.reifier)
        return e

    # --- the map --------------------------------------------------------------------------------
    def files(self) -> dict[str, str]:
        tm = self.tm
        plain_types, plain_supers, others = [], [], []
        for a in tm.associations:
            if a.type == TYPE_INSTANCE and _is_plain(a, INSTANCE, TYPE):
                plain_types.append(a)
            elif a.type == SUPERTYPE_SUBTYPE and _is_plain(a, SUBTYPE, SUPERTYPE):
                plain_supers.append(a)
            else:
                others.append(a)
        # a standard topic playing a role (other than in a plain type/supertype association) may
        # have to host an association entry: give every such player a file
        hosts = {r.player for a in others for r in a.roles}
        hosts |= {r.player for a in plain_types + plain_supers for r in a.roles if r.type in (INSTANCE, SUBTYPE)}
        self.assign_ids(hosts)
        for t in tm.topics.values():
            if t.id in self.front:
                self.topic(t)
        for a in plain_types:
            by = {r.type: r.player for r in a.roles}
            self.front[by[INSTANCE]].setdefault("types", []).append(self.ref(by[TYPE]))
            self.schema["topic_types"].setdefault(self.ref(by[TYPE]), {})
        for a in plain_supers:
            by = {r.type: r.player for r in a.roles}
            self.front[by[SUBTYPE]].setdefault("supertypes", []).append(self.ref(by[SUPERTYPE]))
        association_files: dict[str, dict] = {}
        for a in sorted(others, key=lambda a: len({r.type for r in a.roles}) != 2):  # binary first
            self.schema["association_types"].setdefault(self.ref(a.type), {"roles": [self.ref(r.type) for r in a.roles]})
        for a in others:
            for r in a.roles:
                self.schema["role_types"].setdefault(self.ref(r.type), {})
            annotated = a.item_identifiers or any(r.reifier or r.item_identifiers for r in a.roles)
            if a.reifier in self.front and not annotated and a.reifier not in association_files:
                # the native form: the reifier topic's file is the association file
                fm = {"association": self.ref(a.type), "roles": self.roles(a)}
                if a.scope:
                    fm["scope"] = self.scope(a.scope)
                association_files[a.reifier] = fm
                continue
            short = self.short_form(a)
            if short is not None:
                host, entry = short
            else:
                entry = {"roles": self.roles(a)}
                if a.scope:
                    entry["scope"] = self.scope(a.scope)
                self.annotations(a, entry)
                host = next(r.player for r in a.roles if r.player in self.front)  # TMDM: roles are never empty
            self.front[host].setdefault("associations", {}).setdefault(self.ref(a.type), []).append(entry)
        out: dict[str, str] = {}
        for fm in self.front.values():
            for key in ("associations", "occurrences"):
                for k, v in fm.get(key, {}).items():
                    if len(v) == 1:
                        fm[key][k] = v[0]
        for tid, fm in self.front.items():
            fm = self.ordered(fm)
            if tid in association_files:
                fm = {"id": fm["id"], **association_files[tid], **{k: v for k, v in fm.items() if k != "id"}}
                out[f"associations/{fm['id']}.md"] = _markdown(fm)
            else:
                out[f"{fm['id']}.md"] = _markdown(fm)
        out["ctxgen.yaml"] = self.config()
        return out

    def short_form(self, a: Association) -> tuple[str, str] | None:
        """(host, partner) when the association reads back from `type: partner` in the host's file:
        binary, plain, and its role types are the schema's two (host in the first)."""
        if len(a.roles) != 2 or a.scope or a.reifier or a.item_identifiers:
            return None
        if any(r.reifier or r.item_identifiers for r in a.roles):
            return None
        schema_roles = self.schema["association_types"][self.ref(a.type)]["roles"]
        if len(schema_roles) != 2:
            return None
        first, second = schema_roles
        r1, r2 = a.roles
        if (self.ref(r1.type), self.ref(r2.type)) == (second, first) and first != second:
            r1, r2 = r2, r1
        if (self.ref(r1.type), self.ref(r2.type)) != (first, second) or r1.player not in self.front:
            return None
        return r1.player, self.ref(r2.player)

    def topic(self, t: Topic) -> None:
        fm = self.front[t.id]
        names = list(t.names)
        title = next((n for n in names if _title_like(n)), None)
        if title is not None:
            fm["title"] = title.value
            names.remove(title)
        if names or title is None:
            fm["names"] = [self.name(n) for n in names]  # `names: []`: the topic has no name at all
        for key, values in (("subject", t.subject_identifiers), ("subject_locator", t.subject_locators),
                            ("item_identifiers", t.item_identifiers)):
            if values:
                fm[key] = list(values)
        if t.occurrences:
            occs: dict[str, list] = {}
            for o in t.occurrences:
                occs.setdefault(self.ref(o.type), []).append(self.occurrence(o))
            fm["occurrences"] = occs
        if self.tm.reifier == t.id:
            fm["reifies"] = "map"

    def name(self, n: Name) -> dict:
        e: dict = {"value": n.value}
        if n.type != DEFAULT_NAME_TYPE:
            e["type"] = self.ref(n.type)
        if n.scope:
            e["scope"] = self.scope(n.scope)
        if n.variants:
            vs = []
            for v in n.variants:
                ve: dict = {"value": v.value}
                if v.datatype != XSD_STRING:
                    ve["datatype"] = _SHORT.get(v.datatype, v.datatype)
                ve["scope"] = self.scope(v.scope)
                vs.append(self.annotations(v, ve))
            e["variants"] = vs
        return self.annotations(n, e)

    def occurrence(self, o):
        """The short form (the value alone) when it reads back as it is, else a full entry."""
        self.schema["occurrence_types"].setdefault(self.ref(o.type), {})
        inferred = _inferred_datatype(o.value)
        plain = not (o.scope or o.reifier or o.item_identifiers)
        if plain and inferred == o.datatype and o.value and o.value == o.value.strip():
            return o.value
        e: dict = {"value": o.value}
        if inferred != o.datatype:
            e["datatype"] = _SHORT.get(o.datatype, o.datatype)
        if o.scope:
            e["scope"] = self.scope(o.scope)
        return self.annotations(o, e)

    def roles(self, a: Association):
        if any(r.reifier or r.item_identifiers for r in a.roles):
            return [self.annotations(r, {"type": self.ref(r.type), "player": self.ref(r.player)}) for r in a.roles]
        m: dict = {}
        for r in a.roles:
            key, player = self.ref(r.type), self.ref(r.player)
            prev = m.get(key)
            m[key] = player if prev is None else (prev if isinstance(prev, list) else [prev]) + [player]
        return m

    @staticmethod
    def ordered(fm: dict) -> dict:
        first = {k: fm[k] for k in ("id", "title", "names", "types", "supertypes") if k in fm}
        first.update((k, v) for k, v in fm.items() if k not in first)
        return first

    def config(self) -> str:
        tm = self.tm
        config: dict = {"title": "Imported topic map"}
        if tm.reifier and tm.reifier in tm.topics and tm.topics[tm.reifier].names:
            config["title"] = tm.topics[tm.reifier].name
        props: dict = {}
        if tm.base_locator:
            props["base_locator"] = tm.base_locator
        if tm.item_identifiers:
            props["item_identifiers"] = list(tm.item_identifiers)
        if props:
            config["extra"] = {"topic_map": props}
        schema = {k: v for k, v in self.schema.items() if v}
        if schema:
            config["schema"] = schema
        return _dump(config)


def _title_like(n: Name) -> bool:
    """A name `title:` can carry: untyped, unscoped, unannotated, text that survives as written."""
    return (n.type == DEFAULT_NAME_TYPE and not n.scope and not n.variants and not n.reifier
            and not n.item_identifiers and n.value != "" and n.value == n.value.strip())


def map_files(tm: TopicMap) -> dict[str, str]:
    """The files of a ctxgen map folder for `tm`: {relative path: text}."""
    return _Writer(tm).files()


# --- YAML: every string on one line, exactly as it is -------------------------------------------
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _OneLineDumper(_Dumper):  # type: ignore[misc, valid-type]
    pass


_PLAIN_OK = re.compile(r"^[\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]*$")


def _str(dumper, value: str):
    # line breaks and unusual characters as escapes in double quotes: one line, so a value can
    # never hold a front matter delimiter, and the text reads back exactly
    style = None if _PLAIN_OK.match(value) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper, value: list):
    # short lists of references (scope, types, players) on one line: `scope: [web, naxos]`
    flow = all(isinstance(x, str) and _PLAIN_OK.match(x) for x in value) and sum(len(x) + 2 for x in value) < 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_OneLineDumper.add_representer(str, _str)
_OneLineDumper.add_representer(list, _list)


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_OneLineDumper, sort_keys=False, allow_unicode=True, width=1 << 30)


def _markdown(front: dict) -> str:
    return "---\n" + _dump(front) + "---\n"
