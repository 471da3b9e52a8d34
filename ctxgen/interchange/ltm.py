"""LTM 1.3 reader (the Linear Topic Map notation, as implemented by Ontopia).

    read_ltm(path, diags, base=None) -> TopicMap | None
    read_ltm_text(text, path_for_messages, base, diags) -> TopicMap | None

Semantics follow the Ontopia reader the CXTM test suite was made with:
- a topic id `x` in file F gives the topic the item identifier F#x; a file pulled in with
  #INCLUDE shares its includer's ids, so its topics also get <includer>#x for every
  file up the include chain;
- #MERGEMAP reads another map on its own (its own ids) and merges it in;
- `~r` reifies: the construct gets the item identifier B#--reified--r (B = #BASEURI or the
  file) and the topic r gets it as subject identifier, besides being the reifier;
- `; "sort" ; "display"` become variants scoped by the XTM 1.0 sort/display PSIs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics, Span
from ..model import XSD_ANYURI, XSD_STRING, Role, TopicMap
from . import locators
from .builder import Reifiable
from .errors import TopicMapSyntaxError
from .textlex import Scanner, decode, unescape_unicode
from .textlex import MapBuilder, read_reporting

TopicRef = str  # a topic id in the builder

SORT_PSI = "http://www.topicmaps.org/xtm/1.0/core.xtm#sort"
DISPLAY_PSI = "http://www.topicmaps.org/xtm/1.0/core.xtm#display"

_WS = re.compile(r"(?:\s+|/\*.*?\*/)*", re.S)
_NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*")
_QNAME = re.compile(r"([A-Za-z_][-A-Za-z0-9_.]*):([A-Za-z0-9_][-A-Za-z0-9_.]*)")
_DIRECTIVE = re.compile(r"#([A-Za-z]+)")
_ENCODING = re.compile(rb'\s*@"([^"]*)"')


def read_ltm(path: Path, diags: Diagnostics, base: str | None = None, *, path_for_messages: str | None = None) -> TopicMap | None:
    """Read an LTM file; None (and an error diagnostic) when it is not valid LTM."""
    shown = path_for_messages or path.name

    def read() -> TopicMap:
        reader = _MapReader(base or locators.file_iri(path))
        reader.read_file(path, shown, [], reader.base_iri)
        return reader.sink.finish()

    return read_reporting("ltm", shown, diags, read)


def read_ltm_text(text: str, path_for_messages: str, base: str, diags: Diagnostics) -> TopicMap | None:
    """Read LTM from a string; #INCLUDE/#MERGEMAP resolve against `base` (a file: IRI to work)."""

    def read() -> TopicMap:
        reader = _MapReader(base)
        reader.read_text(text, path_for_messages, [], base, _local_path(base))
        return reader.sink.finish()

    return read_reporting("ltm", path_for_messages, diags, read)


def _local_path(iri: str) -> Path | None:
    if iri.startswith("file:"):
        from urllib.parse import unquote, urlsplit

        return Path(unquote(urlsplit(iri).path))
    return None


@dataclass
class _MapReader:
    """One topic map being read: the sink and the state shared by its included files."""

    base_iri: str
    merging: frozenset[str] = frozenset()  # files being #MERGEMAPped above this map (loops)
    sink: MapBuilder = field(init=False)
    including: list[str] = field(default_factory=list)  # the #INCLUDE stack (cycle guard)
    included: set[str] = field(default_factory=set)
    reifiers: dict[str, Span] = field(default_factory=dict)  # topic ids used with ~ (one construct each)

    def __post_init__(self) -> None:
        self.sink = MapBuilder(self.base_iri)

    def read_file(self, path: Path, shown: str, chain: list[str], file_iri: str) -> None:
        data = path.read_bytes()
        m = _ENCODING.match(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
        text = decode(data, m.group(1).decode("ascii", "replace") if m else None, shown, "ltm-encoding")
        self.read_text(text, shown, chain, file_iri, path)

    def read_text(self, text: str, shown: str, chain: list[str], file_iri: str, path: Path | None) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.including.append(file_iri)
        try:
            _FileParser(self, text, shown, chain + [file_iri], path).parse()
        finally:
            self.including.pop()


class _FileParser(Scanner):
    def __init__(self, reader: _MapReader, text: str, shown: str, chain: list[str], path: Path | None):
        super().__init__(text, shown, "ltm-syntax")
        self.r = reader
        self.sink = reader.sink
        self.chain = chain  # file IRIs from the root map down to this file
        self.file_iri = chain[-1]
        self.local = path  # the file on disk, if any
        self.base: str | None = None  # #BASEURI
        self.prefixes: dict[str, tuple[str, str]] = {}  # prefix -> ("@" | "%", IRI)
        self.types: dict[str, list[TopicRef]] = {}  # topic id -> its classes, for default role types

    # --- lexical helpers -----------------------------------------------------------------
    def ws(self) -> None:
        self.match(_WS)
        if self.startswith("/*"):
            raise self.fail("unterminated comment")

    def expect(self, ch: str, what: str) -> None:
        self.ws()
        if not self.startswith(ch):
            raise self.fail(f"expected {what}, found {self.describe_here()}")
        self.pos += len(ch)

    def accept(self, ch: str) -> bool:
        self.ws()
        if self.startswith(ch):
            self.pos += len(ch)
            return True
        return False

    def string(self) -> str:
        """A quoted string; "" is a literal quote; \\u escapes are expanded."""
        self.ws()
        start = self.pos
        if self.peek() != '"':
            raise self.fail(f"expected a quoted string, found {self.describe_here()}")
        out: list[str] = []
        i = self.pos + 1
        while True:
            j = self.text.find('"', i)
            if j < 0:
                raise self.fail("unterminated string", start)
            out.append(self.text[i:j])
            if self.text.startswith('"', j + 1):
                out.append('"')
                i = j + 2
                continue
            self.pos = j + 1
            return unescape_unicode("".join(out), six=True)

    def data(self) -> str:
        start = self.pos
        end = self.text.find("]]", self.pos + 2)
        if end < 0:
            raise self.fail("unterminated [[data]]", start)
        self.pos = end + 2
        return unescape_unicode(self.text[start + 2 : end], six=True)

    def name(self, what: str) -> str:
        self.ws()
        m = self.match(_NAME)
        if not m:
            raise self.fail(f"expected {what}, found {self.describe_here()}")
        return m.group(0)

    def resolve(self, iri: str) -> str:
        return locators.resolve(self.base or self.file_iri, iri)

    # --- topics ----------------------------------------------------------------------------
    def topic_by_id(self, tid: str, at: int) -> TopicRef:
        span = self.span(at)
        t = self.sink.topic_by_item_identifier(self.file_iri + "#" + tid, span)
        for up in self.chain[:-1]:
            self.sink.add_item_identifier(t, up + "#" + tid)
        return t

    def topic_by_qname(self, prefix: str, local: str, at: int) -> TopicRef:
        if prefix not in self.prefixes:
            raise self.fail(f"prefix {prefix!r} is not declared", at, "ltm-prefix-undeclared")
        kind, iri = self.prefixes[prefix]
        target = self.resolve(iri + local)
        span = self.span(at)
        return self.sink.topic_by_subject_identifier(target, span) if kind == "@" else self.sink.topic_by_subject_locator(target, span)

    def topic_ref(self, what: str, allow_decl: bool = True) -> TopicRef:
        """A topic id, prefix:local, or (where allowed) an inline [topic declaration]."""
        self.ws()
        at = self.pos
        if allow_decl and self.peek() == "[" and self.peek(1) != "[":
            return self.topic_decl()
        m = self.match(_QNAME)
        if m:
            return self.topic_by_qname(m.group(1), m.group(2), at)
        return self.topic_by_id(self.name(what), at)

    def topic_decl(self) -> TopicRef:
        self.expect("[", "'['")
        self.ws()
        at = self.pos
        m = self.match(_QNAME)
        if m:
            t = self.topic_by_qname(m.group(1), m.group(2), at)
            tid = None
        else:
            tid = self.name("a topic id")
            t = self.topic_by_id(tid, at)
        self.sink.declare(t, self.span(at))
        if self.accept(":"):
            while True:
                self.ws()
                if not (self.peek().isalpha() or self.peek() == "_"):
                    break
                type_at = self.pos
                ty = self.topic_ref("a topic type", allow_decl=False)
                self.sink.add_type(t, ty, self.span(type_at))
                if tid is not None:
                    self.types.setdefault(tid, []).append(ty)
        while self.accept("="):
            self.base_name(t)
        locator_seen = False
        while True:
            self.ws()
            at = self.pos
            if self.accept("%"):
                if locator_seen:
                    raise self.fail("a topic can have only one subject locator (%) in LTM", at)
                locator_seen = True
                self.sink.add_subject_locator(t, self.resolve(self.string()))
            elif self.accept("@"):
                self.ws()
                if self.peek() != '"':
                    raise self.fail("a subject indicator must be a quoted IRI: @\"...\"")
                self.sink.add_subject_identifier(t, self.resolve(self.string()))
            else:
                break
        self.expect("]", "']' to close the topic")
        return t

    def base_name(self, t: TopicRef) -> None:
        at = self.pos
        self.ws()
        if self.peek() != '"':
            raise self.fail(f"expected the name string after '=', found {self.describe_here()}")
        value = self.string()
        variants: list[tuple[str, str, int]] = []
        if self.accept(";"):
            self.ws()
            if self.peek() == '"':
                variants.append((self.string(), SORT_PSI, self.pos))
            if self.accept(";"):
                self.ws()
                variants.append((self.string(), DISPLAY_PSI, self.pos))
        scope = self.scope()
        name = self.sink.add_name(t, value, None, scope, self.span(at))
        self.reifier(name)
        for v, psi, vat in variants:
            self.sink.add_variant(name, v, XSD_STRING, [self.sink.topic_by_subject_identifier(psi, self.span(vat))], self.span(vat))
        while self.accept("("):
            vat = self.pos
            v = self.string()
            vscope = self.scope()
            if not vscope:
                raise self.fail("a variant name needs a scope ('/ topic')")
            variant = self.sink.add_variant(name, v, XSD_STRING, vscope, self.span(vat))
            self.reifier(variant)
            self.expect(")", "')' to close the variant")

    def scope(self) -> list[TopicRef]:
        if not self.accept("/"):
            return []
        out: list[TopicRef] = []
        while True:
            self.ws()
            save = self.pos
            if not (self.peek().isalpha() or self.peek() == "_"):
                break
            m = self.match(_QNAME) or self.match(_NAME)
            assert m is not None
            self.ws()
            nxt = self.peek()
            self.pos = save
            if nxt == "(" and out:  # the start of the next association, not a theme
                break
            out.append(self.topic_ref("a scoping topic", allow_decl=False))
        if not out:
            raise self.fail(f"expected a scoping topic after '/', found {self.describe_here()}")
        return out

    def reifier(self, construct: Reifiable) -> None:
        ref = self.reifier_ref()
        if ref:
            self.apply_reifier(construct, *ref)

    def reifier_ref(self) -> tuple[str, int] | None:
        """`~ id` if present: (id, offset)."""
        if not self.accept("~"):
            return None
        self.ws()
        at = self.pos
        if self.match(_QNAME):
            raise self.fail("a reifier must be a plain topic id, not a prefixed name", at)
        return self.name("the reifying topic's id"), at

    def apply_reifier(self, construct: Reifiable, tid: str, at: int) -> None:
        if tid in self.r.reifiers:
            raise self.fail(
                f"topic {tid!r} already reifies another construct (at {self.r.reifiers[tid]})", at, "ltm-reifier-collision"
            )
        self.r.reifiers[tid] = self.span(at)
        marker = (self.base or self.file_iri) + "#--reified--" + tid
        self.sink.reify(construct, self.topic_by_id(tid, at), self.span(at), marker)

    # --- statements --------------------------------------------------------------------------
    def parse(self) -> None:
        first = True
        self.ws()
        if self.peek() == "@":  # the encoding declaration, already used for decoding
            self.string_at_encoding()
        while True:
            self.ws()
            if self.at_end():
                return
            c = self.peek()
            at = self.pos
            if c == "#":
                self.directive(first)
            elif c == "[":
                self.topic_decl()
            elif c == "{":
                self.occurrence()
            elif c.isalpha() or c == "_":
                self.association()
            else:
                raise self.fail(f"expected a topic, association, occurrence or directive, found {self.describe_here()}", at)
            first = False

    def string_at_encoding(self) -> None:
        self.expect("@", "'@'")
        self.string()

    def occurrence(self) -> None:
        at = self.pos
        self.expect("{", "'{'")
        t = self.topic_ref("the occurrence's topic")
        self.expect(",", "',' after the occurrence's topic")
        ty = self.topic_ref("the occurrence type")
        self.expect(",", "',' after the occurrence type")
        self.ws()
        if self.startswith("[["):
            value, datatype = self.data(), XSD_STRING
        elif self.peek() == '"':
            value, datatype = self.resolve(self.string()), XSD_ANYURI
        else:
            raise self.fail(f'expected "locator" or [[data]], found {self.describe_here()}')
        self.expect("}", "'}' to close the occurrence")
        scope = self.scope()
        occ = self.sink.add_occurrence(t, ty, value, datatype, scope, self.span(at))
        self.reifier(occ)

    def association(self) -> None:
        at = self.pos
        ty = self.topic_ref("an association type", allow_decl=False)
        self.expect("(", "'(' after the association type")
        roles: list[Role] = []
        role_reifiers: list[tuple[Role, tuple[str, int] | None]] = []
        while True:
            self.ws()
            rat = self.pos
            m = _NAME.match(self.text, self.pos)
            pid = m.group(0) if m and not self.text.startswith(":", m.end()) else None
            player = self.topic_ref("a role player")
            rtype = None
            if self.accept(":"):
                rtype = self.topic_ref("a role type", allow_decl=False)
            elif pid is not None and len(self.types.get(pid, [])) == 1:
                rtype = self.types[pid][0]  # LTM: the player's single type is the default role type
            if rtype is None:
                raise self.fail("the role has no type (write 'player : roletype')", rat, "ltm-role-type-missing")
            role = Role(rtype, player, span=self.span(rat))
            roles.append(role)
            role_reifiers.append((role, self.reifier_ref()))
            if self.accept(","):
                continue
            self.expect(")", "',' or ')' in the association")
            break
        scope = self.scope()
        assoc = self.sink.add_association(ty, roles, scope, self.span(at))
        for role, ref in role_reifiers:
            if ref:
                self.apply_reifier(role, *ref)
        self.reifier(assoc)

    def directive(self, first: bool) -> None:
        at = self.pos
        m = self.match(_DIRECTIVE)
        if not m:
            raise self.fail("expected a directive name after '#'")
        d = m.group(1).upper()
        if d == "VERSION":
            v = self.string()
            if not first:
                raise self.fail("#VERSION must come first in the file", at)
            if v not in ("1.3", "1.2", "1.1", "1.0"):
                raise self.fail(f"unsupported LTM version {v!r}", at)
        elif d == "TOPICMAP":
            self.ws()
            if self.peek() == "~":
                self.reifier(self.sink.tm)
            else:
                tid_at = self.pos
                if self.match(_QNAME):
                    raise self.fail("the topic map id must be a plain id, not a prefixed name", tid_at)
                tid = self.name("the topic map id")
                self.sink.add_construct_item_identifier(self.sink.tm, self.file_iri + "#" + tid)
        elif d == "BASEURI":
            if self.base is not None:
                raise self.fail("#BASEURI given twice", at)
            self.base = self.resolve(self.string())
        elif d == "PREFIX":
            pname = self.name("a prefix name")
            self.ws()
            kind = self.peek()
            if kind not in ("@", "%"):
                raise self.fail("expected @\"subject-identifier-prefix\" or %\"subject-locator-prefix\"")
            self.pos += 1
            iri = self.string()
            if pname in self.prefixes:
                raise self.fail(f"prefix {pname!r} is declared twice", at, "ltm-prefix-duplicate")
            self.prefixes[pname] = (kind, iri)
        elif d == "INCLUDE":
            ref = self.string()
            self.include(ref, at)
        elif d == "MERGEMAP":
            ref = self.string()
            self.ws()
            syntax = "ltm"
            if self.peek() == '"':
                syntax = self.string().lower()
            elif self.peek().isalpha():
                raise self.fail("the syntax of #MERGEMAP must be a quoted string, e.g. \"xtm\"")
            self.mergemap(ref, syntax, at)
        else:
            raise self.fail(f"unknown directive #{m.group(1)}", at)

    def _target(self, ref: str, at: int) -> tuple[str, Path]:
        iri = locators.resolve(self.file_iri, ref)
        local = _local_path(iri)
        if local is None:
            raise self.fail(f"cannot read {ref!r}: only local files can be included", at, "ltm-include")
        return iri, local

    def include(self, ref: str, at: int) -> None:
        iri, local = self._target(ref, at)
        if iri in self.r.including or iri in self.r.included:
            return  # already read into this map (an include loop or a repeat)
        if not local.is_file():
            raise self.fail(f"included file {ref!r} does not exist", at, "ltm-include")
        self.r.included.add(iri)
        self.r.read_file(local, _shown(self.path_name_for(ref)), self.chain, iri)

    def path_name_for(self, ref: str) -> str:
        parent = self.path.rsplit("/", 1)[0] + "/" if "/" in self.path else ""
        return parent + ref

    def mergemap(self, ref: str, syntax: str, at: int) -> None:
        iri, local = self._target(ref, at)
        if iri in self.r.merging or iri == self.chain[0]:
            return  # merging a map into itself (a loop) adds nothing
        if syntax not in _MERGE_SYNTAXES:
            raise self.fail(f"#MERGEMAP: unknown syntax {syntax!r} (use \"ltm\", \"xtm\" or \"ctm\")", at, "ltm-mergemap")
        if not local.is_file():
            raise self.fail(f"merged file {ref!r} does not exist", at, "ltm-mergemap")
        shown = _shown(self.path_name_for(ref))
        if syntax == "ltm":
            sub = _MapReader(iri, self.r.merging | {self.chain[0]})
            sub.read_file(local, shown, [], iri)
            self.sink.merge_in(sub.sink.finish())
            return
        other = _read_other_syntax(syntax, local, iri, shown)
        if other is None:
            raise self.fail(f"cannot merge a map in syntax {syntax!r}", at, "ltm-mergemap")
        self.sink.merge_in(other)


_MERGE_SYNTAXES = ("ltm", "ctm", "xtm", "xtm1", "xtm2")


def _shown(p: str) -> str:
    return p


def _read_other_syntax(syntax: str, local: Path, iri: str, shown: str) -> TopicMap | None:
    """Read a #MERGEMAP target written in another syntax via the interchange package."""
    if syntax == "ctm":
        from .ctm import read_ctm

        diags = Diagnostics()
        tm = read_ctm(local, diags, iri, path_for_messages=shown)
        if tm is None:
            raise TopicMapSyntaxError(diags.errors[0].message, diags.errors[0].span, "ltm-mergemap")
        return tm
    if syntax in ("xtm", "xtm1", "xtm2"):
        from .xtm import read_xtm_bytes

        return read_xtm_bytes(local.read_bytes(), iri, shown)
    return None
