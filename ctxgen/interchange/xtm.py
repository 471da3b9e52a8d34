"""XTM 1.0, 2.0 and 2.1 reader; XTM 2.1 writer.

`read_xtm(path)` reads any of the three versions (told apart by namespace and `version`) and
returns the merged TopicMap. mergeMap targets are read into the same map, relative to the
referring document's base; a document already read is not read again (a mergeMap loop merges a
map with itself, which changes nothing), and a missing target is an error at the mergeMap.

XTM 1.0 is post-processed as the XTM 1.1 draft (2005-07-20) says: element ids become item
identifiers, and a topic whose subject identifier is a construct's item identifier reifies that
construct (both locators are then dropped).
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..diagnostics import Span
from ..model import TMDM, XSD_ANYURI, XSD_STRING, DEFAULT_NAME_TYPE, TopicMap
from .builder import TopicMapBuilder
from .errors import TopicMapSyntaxError
from .locators import file_iri, resolve, split
from .xmltree import Element, parse

XTM1_NS = "http://www.topicmaps.org/xtm/1.0/"
XTM2_NS = "http://www.topicmaps.org/xtm/"
XLINK_HREF = "http://www.w3.org/1999/xlink href"
XTM1_CORE = "http://www.topicmaps.org/xtm/1.0/core.xtm#"
XSD_ANYXML = "http://www.w3.org/2001/XMLSchema#anyXML"

# XTM 1.0's class-instance PSIs are TMDM's type-instance ones (XTM 1.1 draft, 4.x).
_XTM1_TO_TMDM = {
    XTM1_CORE + "class-instance": TMDM + "type-instance",
    XTM1_CORE + "class": TMDM + "type",
    XTM1_CORE + "instance": TMDM + "instance",
}

_NCNAME = re.compile(r"^[^\W\d][\w.\-\u00B7\u0300-\u036F\u203F-\u2040]*$")


def read_xtm(path: Path, display_path: str | None = None) -> TopicMap:
    """Read an XTM document (1.0, 2.0 or 2.1) and its mergeMaps; raises TopicMapSyntaxError."""
    base = file_iri(path)
    shown = display_path or str(path)
    builder = TopicMapBuilder(base, shown)
    reader = _Reader(builder)
    reader.read_document(path, base, shown, top=True)
    return _finish(builder, reader)


def read_xtm_bytes(data: bytes, base: str, display_path: str = "<input>") -> TopicMap:
    builder = TopicMapBuilder(base, display_path)
    reader = _Reader(builder)
    reader.read_root(parse(data, display_path, base), display_path, top=True, themes=())
    return _finish(builder, reader)


def _finish(builder: TopicMapBuilder, reader: "_Reader") -> TopicMap:
    tm = builder.finish()
    if reader.xtm1_ids:
        _reify_xtm1(tm, reader.xtm1_ids)
        builder.finish()
    return tm


def _reify_xtm1(tm: TopicMap, ids: set[str]) -> None:
    """XTM 1.0 reification, after merging: a topic whose subject identifier is the item identifier
    (from an element id) of a construct other than a topic reifies it; both locators are dropped."""
    constructs = {}
    for c in tm.constructs():
        for iid in c.item_identifiers:
            if iid in ids:
                constructs[iid] = c
    if not constructs:
        return
    for t in list(tm.topics.values()):
        for sid in [x for x in t.subject_identifiers if x in constructs]:
            c = constructs[sid]
            if c.reifier is not None and c.reifier != t.id:
                raise TopicMapSyntaxError(f"{sid} is reified by two different topics", t.span, "tm-reifier-collision")
            c.reifier = t.id
            t.subject_identifiers.remove(sid)
            c.item_identifiers.remove(sid)


class _Reader:
    def __init__(self, builder: TopicMapBuilder) -> None:
        self.b = builder
        self.seen: set[str] = set()
        self.xtm1_ids: set[str] = set()  # item identifiers made from XTM 1.0 element ids

    # --- documents ----------------------------------------------------------------------
    def read_document(self, path: Path, base: str, shown: str, top: bool, themes: tuple[str, ...] = ()) -> None:
        self.seen.add(base)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise TopicMapSyntaxError(f"cannot read {shown}: {e.strerror}", Span(shown), "io-error") from None
        self.read_root(parse(data, shown, base), shown, top, themes)

    def read_root(self, root: Element, shown: str, top: bool, themes: tuple[str, ...]) -> None:
        self.shown = shown
        if root.local != "topicMap" or root.ns not in (XTM1_NS, XTM2_NS):
            raise TopicMapSyntaxError("not an XTM document: the root must be an XTM <topicMap>", root.span)
        if root.ns == XTM1_NS:
            _Xtm1(self, themes).read(root, top)
            return
        version = root.attrs.get("version")
        if version is None:
            raise TopicMapSyntaxError("XTM 2.x <topicMap> needs a version attribute", root.span)
        if version not in ("2.0", "2.1"):
            raise TopicMapSyntaxError(f"unknown XTM version {version!r} (2.0 and 2.1 are supported)", root.span)
        _Xtm2(self, version == "2.1", themes).read(root, top)

    def merge_map(self, el: Element, href: str | None, themes: tuple[str, ...]) -> None:
        if not href:
            raise TopicMapSyntaxError("<mergeMap> needs a reference", el.span)
        target = resolve(el.base, href)
        if target in self.seen:
            return
        scheme, _, path, _, _ = split(target)
        if scheme != "file":
            raise TopicMapSyntaxError(f"cannot merge {target}: only local files are read", el.span, "io-error")
        local = Path(_unquote(path))
        if not local.is_file():
            raise TopicMapSyntaxError(f"mergeMap target not found: {href}", el.span, "mergemap-missing")
        shown = self.shown
        self.read_document(local, target, str(local), top=False, themes=themes)
        self.shown = shown


def _unquote(path: str) -> str:
    from urllib.parse import unquote

    return unquote(path)


# --- XTM 2.0 / 2.1 -------------------------------------------------------------------------
class _Xtm2:
    def __init__(self, reader: _Reader, v21: bool, themes: tuple[str, ...]) -> None:
        self.r, self.b, self.v21, self.themes = reader, reader.builder if False else reader.b, v21, themes

    def fail(self, message: str, el: Element) -> None:
        raise TopicMapSyntaxError(message, el.span)

    def href(self, el: Element) -> str:
        h = el.attrs.get("href")
        if h is None:
            self.fail(f"<{el.local}> needs an href attribute", el)
        return resolve(el.base, h)

    def read(self, root: Element, top: bool) -> None:
        b = self.b
        for el in root.children:
            if el.ns != XTM2_NS:
                continue
            name = el.local
            if name == "itemIdentity":
                b.add_construct_item_identifier(b.tm, self.href(el))
            elif name == "mergeMap":
                self.r.merge_map(el, el.attrs.get("href"), self.themes)
            elif name == "topic":
                self.topic(el)
            elif name == "association":
                self.association(el)
            elif name == "reifier":
                pass  # handled below
            else:
                self.fail(f"unexpected <{name}> in <topicMap>", el)
        if top or b.tm.reifier is None:  # a merged-in map's reifier counts only if the map has none
            if top:
                b.tm.reifier = None
            self.reifier(b.tm, root)

    def ref(self, el: Element) -> str:
        """A topic reference element: topicRef, or (2.1) subjectIdentifierRef / subjectLocatorRef."""
        name = el.local
        if name == "topicRef":
            return self.b.topic_by_item_identifier(self.href(el), el.span)
        if name in ("subjectIdentifierRef", "subjectLocatorRef"):
            if not self.v21:
                self.fail(f"<{name}> is XTM 2.1; this document says version 2.0", el)
            if name == "subjectIdentifierRef":
                return self.b.topic_by_subject_identifier(self.href(el), el.span)
            return self.b.topic_by_subject_locator(self.href(el), el.span)
        self.fail(f"expected a topic reference, found <{name}>", el)
        raise AssertionError

    def refs(self, el: Element) -> list[str]:
        out = [self.ref(c) for c in el.children if c.ns == XTM2_NS]
        if not out:
            self.fail(f"<{el.local}> needs a topic reference", el)
        return out

    def one_ref(self, el: Element | None, parent: Element, what: str) -> str:
        if el is None:
            self.fail(f"<{parent.local}> needs a <{what}>", parent)
        refs = self.refs(el)
        if len(refs) != 1:
            self.fail(f"<{el.local}> takes one topic reference", el)
        return refs[0]

    def scope(self, el: Element) -> list[str]:
        s = el.find("scope")
        own = self.refs(s) if s is not None else []
        return own + list(self.themes)

    def reifier(self, construct, el: Element) -> None:
        attr = el.attrs.get("reifier")
        child = el.find("reifier") if self.v21 else None
        if attr is not None and child is not None:
            self.fail("a reifier attribute and a <reifier> element together", child)
        if attr is not None:
            self.b.set_reifier(construct, self.b.topic_by_item_identifier(resolve(el.base, attr), el.span), el.span)
        elif child is not None:
            self.b.set_reifier(construct, self.one_ref(child, el, "reifier"), child.span)

    def item_identities(self, construct, el: Element) -> None:
        for c in el.findall("itemIdentity"):
            self.b.add_construct_item_identifier(construct, self.href(c))

    def topic(self, el: Element) -> None:
        b = self.b
        tid_attr = el.attrs.get("id")
        identities = [c for c in el.children if c.local in ("itemIdentity", "subjectIdentifier", "subjectLocator")]
        if tid_attr is None:
            if not self.v21:
                self.fail("<topic> needs an id attribute in XTM 2.0", el)
            if not identities:
                self.fail("<topic> needs an id or an identity (itemIdentity, subjectIdentifier, subjectLocator)", el)
        elif not _NCNAME.match(tid_attr):
            self.fail(f"topic id {tid_attr!r} is not a valid XML name", el)
        if tid_attr is not None:
            tid = b.topic_by_item_identifier(resolve(el.base, "#" + tid_attr), el.span)
        else:
            first = identities[0]
            iri = self.href(first)
            if first.local == "itemIdentity":
                tid = b.topic_by_item_identifier(iri, el.span)
            elif first.local == "subjectIdentifier":
                tid = b.topic_by_subject_identifier(iri, el.span)
            else:
                tid = b.topic_by_subject_locator(iri, el.span)
        b.declare(tid, el.span)
        instance_ofs = 0
        for c in el.children:
            if c.ns != XTM2_NS:
                continue
            if c.local == "itemIdentity":
                b.add_item_identifier(tid, self.href(c))
            elif c.local == "subjectIdentifier":
                b.add_subject_identifier(tid, self.href(c))
            elif c.local == "subjectLocator":
                b.add_subject_locator(tid, self.href(c))
            elif c.local == "instanceOf":
                instance_ofs += 1
                if instance_ofs > 1 and not self.v21:
                    self.fail("only one <instanceOf> per topic in XTM 2.0", c)
                for t in self.refs(c):
                    b.add_type(tid, t, c.span)
            elif c.local == "name":
                self.name(tid, c)
            elif c.local == "occurrence":
                self.occurrence(tid, c)
            else:
                self.fail(f"unexpected <{c.local}> in <topic>", c)

    def value(self, el: Element) -> tuple[str, str]:
        ref = el.find("resourceRef")
        if ref is not None:
            return self.href(ref), XSD_ANYURI
        data = el.find("resourceData")
        if data is None:
            self.fail(f"<{el.local}> needs <resourceRef> or <resourceData>", el)
        datatype = data.attrs.get("datatype", XSD_STRING)
        datatype = resolve(data.base, datatype)
        if datatype == XSD_ANYXML:
            return _inner_xml(data), datatype
        if data.children:
            self.fail("<resourceData> contains markup but its datatype is not anyXML", data.children[0])
        value = data.text
        if datatype == XSD_ANYURI:
            value = resolve(data.base, value)
        return value, datatype

    def name(self, tid: str, el: Element) -> None:
        t = el.find("type")
        type_ = self.one_ref(t, el, "type") if t is not None else None
        v = el.find("value")
        if v is None:
            self.fail("<name> needs a <value>", el)
        scope = self.scope(el)
        name = self.b.add_name(tid, v.text, type_, scope, el.span)
        self.item_identities(name, el)
        self.reifier(name, el)
        for vel in el.findall("variant"):
            s = vel.find("scope")
            if s is None:
                self.fail("<variant> needs a <scope>", vel)
            own = self.refs(s)
            if set(own) <= set(scope):
                self.fail("a variant's scope must add a theme to its name's scope", s)
            value, datatype = self.value(vel)
            variant = self.b.add_variant(name, value, datatype, own, vel.span)
            self.item_identities(variant, vel)
            self.reifier(variant, vel)

    def occurrence(self, tid: str, el: Element) -> None:
        type_ = self.one_ref(el.find("type"), el, "type")
        value, datatype = self.value(el)
        occ = self.b.add_occurrence(tid, type_, value, datatype, self.scope(el), el.span)
        self.item_identities(occ, el)
        self.reifier(occ, el)

    def association(self, el: Element) -> None:
        type_ = self.one_ref(el.find("type"), el, "type")
        assoc = self.b.add_association(type_, (), self.scope(el), el.span)
        roles = el.findall("role")
        if not roles:
            self.fail("<association> needs at least one <role>", el)
        for rel in roles:
            rtype = self.one_ref(rel.find("type"), rel, "type")
            players = [c for c in rel.children if c.local in ("topicRef", "subjectIdentifierRef", "subjectLocatorRef")]
            if len(players) != 1:
                self.fail("<role> needs exactly one player reference", rel)
            role = self.b.add_role(assoc, rtype, self.ref(players[0]), rel.span)
            self.item_identities(role, rel)
            self.reifier(role, rel)
        self.item_identities(assoc, el)
        self.reifier(assoc, el)


def _inner_xml(el: Element) -> str:
    # Only character data is kept exactly; embedded markup is re-serialized plainly.
    out = [escape(el.text)]
    for c in el.children:
        out.append(_outer_xml(c))
    return "".join(out)


def _outer_xml(el: Element) -> str:
    attrs = "".join(f" {k.rpartition(' ')[2]}={quoteattr(v)}" for k, v in el.attrs.items())
    inner = _inner_xml(el)
    return f"<{el.local}{attrs}>{inner}</{el.local}>"


# --- XTM 1.0 -------------------------------------------------------------------------------
class _Xtm1:
    def __init__(self, reader: _Reader, themes: tuple[str, ...]) -> None:
        self.r, self.b, self.themes = reader, reader.b, themes

    def fail(self, message: str, el: Element) -> None:
        raise TopicMapSyntaxError(message, el.span)

    def href(self, el: Element) -> str:
        h = el.attrs.get(XLINK_HREF)
        if h is None:
            self.fail(f"<{el.local}> needs an xlink:href attribute", el)
        return resolve(el.base, h)

    def ident(self, construct, el: Element) -> None:
        """An element id becomes an item identifier of its construct."""
        i = el.attrs.get("id")
        if i is not None:
            iri = resolve(el.base, "#" + i)
            self.b.add_construct_item_identifier(construct, iri)
            self.r.xtm1_ids.add(iri)

    def ref(self, el: Element) -> str:
        name = el.local
        if name == "topicRef":
            return self.b.topic_by_item_identifier(self.href(el), el.span)
        if name == "subjectIndicatorRef":
            iri = self.href(el)
            return self.b.topic_by_subject_identifier(_XTM1_TO_TMDM.get(iri, iri), el.span)
        if name == "resourceRef":
            return self.b.topic_by_subject_locator(self.href(el), el.span)
        self.fail(f"expected a topic reference, found <{name}>", el)
        raise AssertionError

    def refs(self, el: Element, allow_resource: bool = True) -> list[str]:
        out = []
        for c in el.children:
            if c.ns != XTM1_NS:
                continue
            if c.local == "resourceRef" and not allow_resource:
                self.fail(f"<resourceRef> is not allowed in <{el.local}>", c)
            out.append(self.ref(c))
        return out

    def scope(self, el: Element) -> list[str]:
        s = el.find("scope")
        return (self.refs(s) if s is not None else []) + list(self.themes)

    def read(self, root: Element, top: bool) -> None:
        self.ident(self.b.tm, root)
        for el in root.children:
            if el.ns != XTM1_NS:
                continue
            if el.local == "topic":
                self.topic(el)
            elif el.local == "association":
                self.association(el)
            elif el.local == "mergeMap":
                themes = tuple(self.refs(el)) + self.themes
                self.r.merge_map(el, el.attrs.get(XLINK_HREF), themes)
            else:
                self.fail(f"unexpected <{el.local}> in <topicMap>", el)

    def topic(self, el: Element) -> None:
        b = self.b
        i = el.attrs.get("id")
        if i is None:
            self.fail("<topic> needs an id attribute", el)
        tid = b.topic_by_item_identifier(resolve(el.base, "#" + i), el.span)
        b.declare(tid, el.span)
        for c in el.children:
            if c.ns != XTM1_NS:
                continue
            if c.local == "instanceOf":
                for t in self.refs(c, allow_resource=False):
                    b.add_type(tid, t, c.span)
            elif c.local == "subjectIdentity":
                for s in c.children:
                    if s.local == "resourceRef":
                        b.add_subject_locator(tid, self.href(s))
                    elif s.local == "subjectIndicatorRef":
                        b.add_subject_identifier(tid, self.href(s))
                    elif s.local == "topicRef":
                        b.add_item_identifier(tid, self.href(s))
            elif c.local == "baseName":
                self.base_name(tid, c)
            elif c.local == "occurrence":
                self.occurrence(tid, c)
            else:
                self.fail(f"unexpected <{c.local}> in <topic>", c)

    def base_name(self, tid: str, el: Element) -> None:
        if el.find("instanceOf") is not None:
            self.fail("<baseName> cannot have <instanceOf> in XTM 1.0", el.find("instanceOf"))
        s = el.find("baseNameString")
        name = self.b.add_name(tid, s.text if s is not None else "", None, self.scope(el), el.span)
        self.ident(name, el)
        for v in el.findall("variant"):
            self.variant(name, v, [])

    def variant(self, name, el: Element, outer: list[str]) -> None:
        p = el.find("parameters")
        if p is None:
            self.fail("<variant> needs <parameters>", el)
        params = outer + [x for x in self.refs(p, allow_resource=False) if x not in outer]
        if not params:
            self.fail("<parameters> needs at least one topic reference", p)
        vn = el.find("variantName")
        if vn is not None:
            value, datatype = self.resource(vn)
            variant = self.b.add_variant(name, value, datatype, params, el.span)
            self.ident(variant, el)
        for inner in el.findall("variant"):
            self.variant(name, inner, params)

    def resource(self, el: Element) -> tuple[str, str]:
        ref = el.find("resourceRef")
        if ref is not None:
            return self.href(ref), XSD_ANYURI
        data = el.find("resourceData")
        if data is None:
            self.fail(f"<{el.local}> needs <resourceRef> or <resourceData>", el)
        return data.text, XSD_STRING

    def one_type(self, el: Element, default: str) -> str:
        """The type of an XTM 1.0 occurrence or association: its one <instanceOf>, else the core PSI."""
        io = el.find("instanceOf")
        if io is None:
            return self.b.topic_by_subject_identifier(XTM1_CORE + default, el.span)
        types = self.refs(io, allow_resource=False)
        if len(types) != 1:
            self.fail("<instanceOf> takes one topic reference", io)
        return types[0]

    def occurrence(self, tid: str, el: Element) -> None:
        type_ = self.one_type(el, "occurrence")
        value, datatype = self.resource(el)
        occ = self.b.add_occurrence(tid, type_, value, datatype, self.scope(el), el.span)
        self.ident(occ, el)

    def association(self, el: Element) -> None:
        type_ = self.one_type(el, "association")
        assoc = self.b.add_association(type_, (), self.scope(el), el.span)
        self.ident(assoc, el)
        for m in el.findall("member"):
            spec = m.find("roleSpec")
            if spec is not None:
                rtypes = self.refs(spec, allow_resource=False)
                rtype = rtypes[0]
            else:
                rtype = self.b.topic_by_subject_identifier(XTM1_CORE + "role", m.span)
            for c in m.children:
                if c.local in ("topicRef", "subjectIndicatorRef", "resourceRef"):
                    role = self.b.add_role(assoc, rtype, self.ref(c), m.span)
                    self.ident(role, m)


# --- XTM 2.1 writer ----------------------------------------------------------------------------
def write_xtm21(tm: TopicMap) -> bytes:
    """The map as an XTM 2.1 document (UTF-8). Topics are referenced by their first item
    identifier, subject identifier or subject locator; topics with none get an id.
    Raises TopicMapSyntaxError (code xml-unrepresentable) for characters XML 1.0 cannot hold."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
    refs: dict[str, tuple[str, str]] = {}
    ids: dict[str, str] = {}
    used: set[str] = set()
    for t in tm.topics.values():
        if t.item_identifiers:
            refs[t.id] = ("topicRef", t.item_identifiers[0])
        elif t.subject_identifiers:
            refs[t.id] = ("subjectIdentifierRef", t.subject_identifiers[0])
        elif t.subject_locators:
            refs[t.id] = ("subjectLocatorRef", t.subject_locators[0])
        else:
            slug = re.sub(r"[^\w.\-]", "-", t.id) or "t"
            if not _NCNAME.match(slug):
                slug = "t-" + slug
            while slug in used:
                slug += "_"
            used.add(slug)
            ids[t.id] = slug
            refs[t.id] = ("topicRef", "#" + slug)

    ref_xml: dict[str, str] = {}  # a topic is referenced many times: escape its reference once

    def ref(tid: str) -> str:
        xml = ref_xml.get(tid)
        if xml is None:
            el, iri = refs[tid]
            xml = ref_xml[tid] = f"<{el} href={quoteattr(iri)}/>"
        return xml

    def reifier(c) -> str:
        return f"<reifier>{ref(c.reifier)}</reifier>" if c.reifier else ""

    def iids(c) -> str:
        return "".join(f"<itemIdentity href={quoteattr(i)}/>" for i in c.item_identifiers)

    def scope(s) -> str:
        return "<scope>" + "".join(ref(x) for x in sorted(s)) + "</scope>" if s else ""

    def value(v: str, datatype: str) -> str:
        if datatype == XSD_ANYURI:
            return f"<resourceRef href={quoteattr(v)}/>"
        dt = f" datatype={quoteattr(datatype)}" if datatype != XSD_STRING else ""
        return f"<resourceData{dt}>{_esc(v)}</resourceData>"

    out.append('<topicMap xmlns="http://www.topicmaps.org/xtm/" version="2.1">')
    if tm.reifier:
        out.append(reifier(tm))
    out.append(iids(tm))
    type_of: dict[str, list[str]] = {}
    plain = []
    for a in tm.associations:
        roles = {r.type: r.player for r in a.roles}
        if (
            a.type == "tm:type-instance" and len(a.roles) == 2 and not a.scope and not a.reifier
            and not a.item_identifiers and set(roles) == {"tm:type", "tm:instance"}
            and not any(r.reifier or r.item_identifiers for r in a.roles)
        ):
            type_of.setdefault(roles["tm:instance"], []).append(roles["tm:type"])
        else:
            plain.append(a)
    for t in tm.topics.values():
        attr = f" id={quoteattr(ids[t.id])}" if t.id in ids else ""
        parts = [f"<topic{attr}>"]
        parts += [f"<itemIdentity href={quoteattr(i)}/>" for i in t.item_identifiers]
        parts += [f"<subjectLocator href={quoteattr(i)}/>" for i in t.subject_locators]
        parts += [f"<subjectIdentifier href={quoteattr(i)}/>" for i in t.subject_identifiers]
        if t.id in type_of:
            parts.append("<instanceOf>" + "".join(ref(x) for x in type_of[t.id]) + "</instanceOf>")
        for n in t.names:
            p = ["<name>", reifier(n), iids(n)]
            if n.type != DEFAULT_NAME_TYPE:
                p.append(f"<type>{ref(n.type)}</type>")
            p += [scope(n.scope), f"<value>{_esc(n.value)}</value>"]
            for v in n.variants:
                p += ["<variant>", reifier(v), iids(v), scope(v.scope), value(v.value, v.datatype), "</variant>"]
            p.append("</name>")
            parts.append("".join(p))
        for o in t.occurrences:
            parts.append(
                "".join(["<occurrence>", reifier(o), iids(o), f"<type>{ref(o.type)}</type>", scope(o.scope),
                         value(o.value, o.datatype), "</occurrence>"])
            )
        parts.append("</topic>")
        out.append("\n  ".join(parts))
    for a in plain:
        p = ["<association>", reifier(a), iids(a), f"<type>{ref(a.type)}</type>", scope(a.scope)]
        for r in a.roles:
            p += ["<role>", reifier(r), iids(r), f"<type>{ref(r.type)}</type>", ref(r.player), "</role>"]
        p.append("</association>")
        out.append("".join(p))
    out.append("</topicMap>")
    text = "\n".join(x for x in out if x) + "\n"
    bad = _NOT_XML_CHAR.search(text)
    if bad:
        raise TopicMapSyntaxError(
            f"the map holds U+{ord(bad.group()):04X}, which XML 1.0 cannot represent", None, "xml-unrepresentable"
        )
    return text.encode("utf-8")


_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _esc(text: str) -> str:
    return escape(text).replace("\r", "&#13;")
