"""Interchange commands the CLI wires in: convert, import a map into a ctxgen folder, export files.

    read_map(path, syntax, diags) -> TopicMap | None      any supported syntax, errors as diagnostics
    convert(input, output, to, from_, diags) -> int        exit code (0 ok, 1 errors)
    import_map(input, map_dir, diags) -> int               writes a ctxgen map folder
    export_files(tm) -> dict[str, bytes]                   map.xtm (XTM 2.1), map.jtm (JTM 1.1)

Readers: XTM 1.0/2.0/2.1 (.xtm, .xml), JTM 1.0/1.1 (.jtm, .json), LTM (.ltm), CTM (.ctm).
Writers: XTM 2.1 (xtm), JTM 1.1 (jtm), CXTM (cxtm).
"""
from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import yaml

from ..diagnostics import Diagnostics, Span
from ..model import DEFAULT_NAME_TYPE, DATATYPES, STANDARD_TOPICS, SUPERTYPE_SUBTYPE, TYPE_INSTANCE, Topic, TopicMap
from .cxtm import serialize as write_cxtm
from .errors import TopicMapSyntaxError
from .jtm import write_jtm11
from .xtm import write_xtm21

# syntax -> (module, reader function)
READERS = {
    "xtm": ("ctxgen.interchange.xtm", "read_xtm"),
    "jtm": ("ctxgen.interchange.jtm", "read_jtm"),
    "ltm": ("ctxgen.interchange.ltm", "read_ltm"),
    "ctm": ("ctxgen.interchange.ctm", "read_ctm"),
}
EXTENSIONS = {".xtm": "xtm", ".xml": "xtm", ".xtmm": "xtm", ".jtm": "jtm", ".json": "jtm", ".ltm": "ltm", ".ltmm": "ltm", ".ctm": "ctm"}
WRITERS = {"xtm": write_xtm21, "jtm": write_jtm11, "cxtm": write_cxtm}
OUT_EXTENSIONS = {".xtm": "xtm", ".jtm": "jtm", ".json": "jtm", ".cxtm": "cxtm"}


def detect_syntax(path: Path, from_: str | None = None) -> str | None:
    """The reader for `path`: `from_` when given (xtm, xtm1, xtm2, jtm, ltm, ctm), else by extension."""
    if from_:
        key = from_.lower().rstrip(".0123456789") or from_.lower()
        return key if key in READERS else None
    return EXTENSIONS.get(path.suffix.lower())


def read_map(path: Path, syntax: str, diags: Diagnostics) -> TopicMap | None:
    """Read a topic map in `syntax`; on bad input append an error diagnostic and return None.

    Readers either raise TopicMapSyntaxError (XTM, JTM) or take a Diagnostics (LTM, CTM);
    both are handled here so callers see one convention.
    """
    module, func = READERS[syntax]
    try:
        reader = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        diags.error("syntax-unsupported", f"no {syntax.upper()} reader is available", Span(str(path)))
        return None
    try:
        if "diags" in inspect.signature(reader).parameters:
            before = len(diags.errors)
            tm = reader(path, diags)
            return tm if tm is not None and len(diags.errors) == before else None
        return reader(path)
    except TopicMapSyntaxError as e:
        e.report(diags)
        return None
    except RecursionError:
        diags.error("tm-syntax", "the map nests too deeply to read", Span(str(path)))
        return None


def convert(input: Path, output: Path | None, to: str | None, from_: str | None, diags: Diagnostics) -> int:
    """Convert a topic map file; writes to `output` or stdout. Returns the exit code."""
    syntax = detect_syntax(input, from_)
    if syntax is None:
        diags.error(
            "syntax-unknown",
            f"cannot tell the syntax of {input}" if not from_ else f"unknown input syntax {from_!r}",
            hint="use --from xtm|jtm|ltm|ctm",
        )
        return 1
    target = (to or (OUT_EXTENSIONS.get(output.suffix.lower()) if output else None) or "xtm").lower()
    if target in ("xtm2", "xtm21", "xtm2.1"):
        target = "xtm"
    if target in ("jtm1.1", "jtm11"):
        target = "jtm"
    if target not in WRITERS:
        diags.error("syntax-unknown", f"unknown output syntax {to!r}", hint="use --to xtm|jtm|cxtm")
        return 1
    tm = read_map(input, syntax, diags)
    if tm is None:
        return 1
    data = WRITERS[target](tm)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as e:
            diags.error("io-error", f"cannot write {output}: {e.strerror}")
            return 1
    return 0


def export_files(tm: TopicMap) -> dict[str, bytes]:
    """The downloadable forms of a map for the site."""
    return {"map.xtm": write_xtm21(tm), "map.jtm": write_jtm11(tm)}


# --- import into a ctxgen map folder ---------------------------------------------------------
_SLUG = re.compile(r"[^a-z0-9]+")


def _slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60].strip("-")


def _slug_source(t: Topic) -> str:
    for iri in t.item_identifiers + t.subject_identifiers + t.subject_locators:
        tail = iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]
        if _slugify(tail):
            return tail
    return t.name if t.names else "topic"


def import_map(input: Path, map_dir: Path, diags: Diagnostics, from_: str | None = None) -> int:
    """Read a topic map and write it as a ctxgen map folder (see docs/authoring.md, "Keys for
    imported maps"). Refuses to write into a folder that already has Markdown files."""
    syntax = detect_syntax(input, from_)
    if syntax is None:
        diags.error("syntax-unknown", f"cannot tell the syntax of {input}", hint="use --from xtm|jtm|ltm|ctm")
        return 1
    if map_dir.exists() and any(map_dir.rglob("*.md")):
        diags.error("import-target-not-empty", f"{map_dir} already holds Markdown files", hint="import into a new folder")
        return 1
    tm = read_map(input, syntax, diags)
    if tm is None:
        return 1
    files = map_files(tm)
    try:
        for rel, text in files.items():
            p = map_dir / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
    except OSError as e:
        diags.error("io-error", f"cannot write {map_dir}: {e.strerror}")
        return 1
    return 0


def map_files(tm: TopicMap) -> dict[str, str]:
    """The files of a ctxgen map folder for `tm`: {relative path: text}."""
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for t in tm.topics.values():
        if t.id in STANDARD_TOPICS:
            continue
        base = _slugify(_slug_source(t)) or "topic"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[t.id] = slug

    def ref(tid: str) -> str:
        return slugs.get(tid) or tid

    def scope(s) -> list[str]:
        return sorted(ref(x) for x in s)

    front: dict[str, dict] = {tid: {"id": slug} for tid, slug in slugs.items()}
    schema: dict[str, dict] = {"topic_types": {}, "association_types": {}, "role_types": {}, "occurrence_types": {}}
    assoc_files: list[dict] = []
    reifier_files: dict[str, dict] = {}  # reifier topic id -> its association file's front matter
    for a in tm.associations:
        roles = a.roles
        if a.type in (TYPE_INSTANCE, SUPERTYPE_SUBTYPE) and len(roles) == 2 and not (a.scope or a.reifier or a.item_identifiers):
            by = {r.type: r.player for r in roles}
            if a.type == TYPE_INSTANCE and set(by) == {"tm:type", "tm:instance"} and by["tm:instance"] in front:
                front[by["tm:instance"]].setdefault("types", []).append(ref(by["tm:type"]))
                schema["topic_types"].setdefault(ref(by["tm:type"]), {})
                continue
            if a.type == SUPERTYPE_SUBTYPE and set(by) == {"tm:supertype", "tm:subtype"} and by["tm:subtype"] in front:
                front[by["tm:subtype"]].setdefault("supertypes", []).append(ref(by["tm:supertype"]))
                continue
        atype = ref(a.type)
        schema["association_types"].setdefault(atype, {"roles": [ref(r.type) for r in roles]})
        for r in roles:
            schema["role_types"].setdefault(ref(r.type), {})
        role_map: dict[str, object] = {}
        for r in roles:
            prev = role_map.get(ref(r.type))
            role_map[ref(r.type)] = ref(r.player) if prev is None else (prev if isinstance(prev, list) else [prev]) + [ref(r.player)]
        entry: dict = {"type": atype, "roles": role_map}
        if a.scope:
            entry["scope"] = scope(a.scope)
        if a.item_identifiers:
            entry["item_identifiers"] = list(a.item_identifiers)
        first = roles[0].player if roles else None
        if len(roles) == 2 and not a.reifier and first in front and not any(r.reifier or r.item_identifiers for r in roles):
            front[first].setdefault("associations", []).append(entry)
            continue
        # n-ary, reified or annotated roles: an association file of its own
        fm: dict = {"association": atype, "roles": role_map}
        if a.scope:
            fm["scope"] = scope(a.scope)
        if a.item_identifiers:
            fm["item_identifiers"] = list(a.item_identifiers)
        if a.reifier in front:
            reifier_files[a.reifier] = fm  # the reifier topic's own keys are added below
        elif a.reifier:
            fm["reifier"] = ref(a.reifier)
        role_ann = [{"type": ref(r.type), "player": ref(r.player), **_annotations(r, ref)} for r in roles if r.reifier or r.item_identifiers]
        if role_ann:
            fm["role_annotations"] = role_ann
        assoc_files.append(fm)
    for t in tm.topics.values():
        if t.id not in front:
            continue
        fm = front[t.id]
        names = list(t.names)
        title = next((n for n in names if n.type == DEFAULT_NAME_TYPE and not n.scope and not n.variants
                      and not n.reifier and not n.item_identifiers), None)
        if title is not None:
            fm["title"] = title.value
            names.remove(title)
        if names:
            fm["names"] = [_name_entry(n, ref, scope) for n in names]
        iids = list(t.item_identifiers)  # absolute, as the modeler requires
        for key, vals in (("subject", t.subject_identifiers), ("subject_locator", t.subject_locators), ("item_identifiers", iids)):
            if vals:
                fm[key] = list(vals)
        if t.occurrences:
            occs = []
            for o in t.occurrences:
                e: dict = {"type": ref(o.type), "value": o.value}
                short = _short_datatype(o.datatype)
                if short != "string":
                    e["datatype"] = short
                if o.scope:
                    e["scope"] = scope(o.scope)
                e.update(_annotations(o, ref))
                occs.append(e)
                schema["occurrence_types"].setdefault(ref(o.type), {})
            fm["occurrences"] = occs
        if tm.reifier == t.id:
            fm["reifies"] = "map"
        # front-matter key order: id, title first
        ordered = {k: fm[k] for k in ("id", "title") if k in fm}
        ordered.update({k: v for k, v in fm.items() if k not in ordered})
        front[t.id] = ordered
    files: dict[str, str] = {}
    for tid, fm in front.items():
        if tid in reifier_files:
            reifier_files[tid].update(fm)
        else:
            files[f"{fm['id']}.md"] = _markdown(fm, "")
    for n, fm in enumerate(assoc_files, 1):
        stem = fm.get("id") or f"{_slugify(fm['association']) or 'association'}-{n}"
        files[f"associations/{stem}.md"] = _markdown(fm, "")
    config: dict = {"title": _map_title(tm, ref)}
    if tm.item_identifiers:
        config["extra"] = {"item_identifiers": list(tm.item_identifiers)}
    config["schema"] = {k: v for k, v in schema.items() if v}
    files["ctxgen.yaml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    return files


def _map_title(tm: TopicMap, ref) -> str:
    if tm.reifier and tm.reifier in tm.topics and tm.topics[tm.reifier].names:
        return tm.topics[tm.reifier].name
    return "Imported topic map"


def _annotations(c, ref) -> dict:
    d: dict = {}
    if c.item_identifiers:
        d["item_identifiers"] = list(c.item_identifiers)
    if c.reifier:
        d["reifier"] = ref(c.reifier)
    return d


def _short_datatype(iri: str) -> str:
    for short, full in DATATYPES.items():
        if full == iri:
            return short
    return iri


def _name_entry(n, ref, scope) -> dict:
    e: dict = {"value": n.value}
    if n.type != DEFAULT_NAME_TYPE:
        e["type"] = ref(n.type)
    if n.scope:
        e["scope"] = scope(n.scope)
    if n.variants:
        vs = []
        for v in n.variants:
            ve: dict = {"value": v.value}
            short = _short_datatype(v.datatype)
            if short != "string":
                ve["datatype"] = short
            ve["scope"] = scope(v.scope)
            ve.update(_annotations(v, ref))
            vs.append(ve)
        e["variants"] = vs
    e.update(_annotations(n, ref))
    return e


def _markdown(front: dict, body: str) -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n" + body
