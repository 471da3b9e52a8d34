"""CTM 1.0 reader (Compact Topic Maps syntax, ISO/IEC 13250-6).

    read_ctm(path, diags, base=None) -> TopicMap | None
    read_ctm_text(text, path_for_messages, base, diags) -> TopicMap | None

A lazy tokenizer (`_Lexer`) feeds a recursive-descent parser that turns each statement into a
small AST; top-level statements are evaluated at once (`_Eval`), template bodies are kept and
evaluated per invocation with their arguments bound. Conventions of the CXTM suite:
- a topic id `x` in file F is the item identifier F#x (plus <includer>#x up the %include chain);
- wildcards and embedded topics `[...]` get the item identifiers <root>#$__N (named ones
  <root>#$__N.name), numbered in the order they are created; each file and each template
  invocation has its own named-wildcard scope;
- prefixes belong to their file; templates are shared with included files, not merged maps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics, Span
from ..model import XSD, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_DECIMAL, XSD_INTEGER, XSD_STRING, Role, TopicMap
from . import locators
from .errors import TopicMapSyntaxError
from .textlex import MapBuilder, Scanner, decode, read_reporting

CTM_SYNTAX = "http://psi.topicmaps.org/iso13250/ctm"
XTM_SYNTAX = "http://psi.topicmaps.org/iso13250/xtm"
CTM_INTEGER = "http://psi.topicmaps.org/iso13250/ctm-integer"

# --- tokens ------------------------------------------------------------------------------
_NAME_START = r"[^\W\d]"
_NAME_CHAR = r"[\w\-.\u00B7\u0300-\u036F\u203F\u2040]"
_IDENT = re.compile(f"{_NAME_START}{_NAME_CHAR}*")
_LOCAL = re.compile(rf"[\w]{_NAME_CHAR}*")
_VALUE_LOCAL = re.compile(rf"[\w\-]{_NAME_CHAR}*")
_BARE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*://[^\s<>\"{}|\\^`()\[\],]*")
_WRAPPED_IRI = re.compile(r"<([^<>\"{}|\\^`\s]*)>")
_TRIPLE = re.compile(r'"""((?:[^"\\]|\\.|"(?!""))*)"""', re.S)
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_DATETIME = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d)(T\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)?(?![\w:])")
_DECIMAL = re.compile(r"([+-]?)(\d*)\.(\d+)")
_INTEGER = re.compile(r"([+-]?)(\d+)")
_VAR = re.compile(rf"\$({_NAME_START}{_NAME_CHAR}*)")
_WILD = re.compile(rf"\?({_NAME_START}{_NAME_CHAR}*)?")
_DIRECTIVE = re.compile(r"%([A-Za-z]+)")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{6})|(.))", re.S)
_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
_PUNCT = "()[],;:@~^=*"


@dataclass(slots=True)
class Tok:
    kind: str  # ident qname iri str lit var wild dir punct ('(' ...), '-' '.' eof
    value: object
    pos: int
    extra: object = None  # qname: (prefix, local); lit: datatype


def _strip_dots(s: str) -> str:
    return s.rstrip(".")


class _Lexer(Scanner):
    def __init__(self, text: str, path: str, prefixes: dict[str, str]):
        super().__init__(text, path, "ctm-syntax")
        self.prefixes = prefixes
        self.buf: list[Tok] = []
        # Set by the parser before reading an occurrence value: there a QName's local part may
        # start with '-' (YouTube ids in real maps), which CTM does not allow elsewhere.
        self.value_mode = False

    def skip(self) -> None:
        t, n = self.text, self.n
        while self.pos < n:
            c = t[self.pos]
            if c in " \t\r\n\ufeff":
                self.pos += 1
            elif c == "#":
                if t.startswith("#(", self.pos):
                    start, depth = self.pos, 0
                    while True:
                        o, cl = t.find("#(", self.pos), t.find(")#", self.pos)
                        if cl < 0:
                            raise self.fail("unterminated comment #( ... )#", start)
                        if 0 <= o < cl:
                            depth += 1
                            self.pos = o + 2
                        else:
                            depth -= 1
                            self.pos = cl + 2
                            if depth == 0:
                                break
                else:
                    e = t.find("\n", self.pos)
                    self.pos = n if e < 0 else e + 1
            else:
                return

    def peek_tok(self, k: int = 0) -> Tok:
        while len(self.buf) <= k:
            self.buf.append(self._next())
        return self.buf[k]

    def take(self) -> Tok:
        tok = self.peek_tok()
        self.buf.pop(0)
        return tok

    def _next(self) -> Tok:
        self.skip()
        p = self.pos
        if p >= self.n:
            return Tok("eof", None, p)
        t = self.text
        c = t[p]
        if c == "<":
            m = self.match(_WRAPPED_IRI)
            if not m:
                raise self.fail("malformed IRI in <...>", p)
            return Tok("iri", m.group(1), p)
        if c == '"':
            m = self.match(_TRIPLE) if t.startswith('"""', p) else None
            m = m or self.match(_STRING)
            if not m:
                raise self.fail("unterminated string", p)
            return Tok("str", self.unescape(m.group(1), p), p)
        if c == "%":
            m = self.match(_DIRECTIVE)
            if not m:
                raise self.fail("expected a directive name after '%'", p)
            return Tok("dir", m.group(1), p)
        if c == "$":
            m = self.match(_VAR)
            if not m:
                raise self.fail("expected a variable name after '$'", p)
            name = _strip_dots(m.group(1))
            self.pos = p + 1 + len(name)
            return Tok("var", name, p)
        if c == "?":
            m = self.match(_WILD)
            assert m
            name = m.group(1)
            if name:
                self.pos = p + 1 + len(_strip_dots(name))
                name = _strip_dots(name)
            return Tok("wild", name, p)
        if t.startswith("^^", p):
            self.pos += 2
            return Tok("^^", None, p)
        if c.isdigit() or (c in "+-." and p + 1 < self.n and (t[p + 1].isdigit() or (t[p + 1] == "." and c != "."))):
            return self.number(p)
        if c in _PUNCT:
            self.pos += 1
            return Tok(c, None, p)
        if c == "-":
            self.pos += 1
            return Tok("-", None, p)
        if c == ".":
            self.pos += 1
            return Tok(".", None, p)
        m = _BARE_IRI.match(t, p)
        if m:
            iri = m.group(0).rstrip(".;")
            self.pos = p + len(iri)
            return Tok("iri", iri, p)
        m = _IDENT.match(t, p)
        if m:
            name = _strip_dots(m.group(0))
            after = p + len(name)
            if t.startswith(":", after):
                lm = (_VALUE_LOCAL if self.value_mode else _LOCAL).match(t, after + 1)
                if lm:
                    local = _strip_dots(lm.group(0))
                    if name not in self.prefixes:
                        raise self.fail(f"prefix {name!r} is not declared", p, "ctm-prefix-undeclared")
                    self.pos = after + 1 + len(local)
                    return Tok("qname", self.prefixes[name] + local, p, (name, local))
            self.pos = after
            return Tok("ident", name, p)
        raise self.fail(f"unexpected character {c!r}", p)

    def number(self, p: int) -> Tok:
        t = self.text
        m = _DATETIME.match(t, p)
        if m:
            year, month, day, time = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
            y = int(year)
            if y == 0:
                raise self.fail("year 0000 is not allowed in a date", p)
            if not 1 <= month <= 12:
                raise self.fail(f"invalid month {m.group(2)} in a date", p)
            leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
            days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            if not 1 <= day <= days:
                raise self.fail(f"invalid day {m.group(3)} in a date", p)
            self.pos = m.end()
            return Tok("lit", m.group(0), p, XSD_DATETIME if time else XSD_DATE)
        m = _DECIMAL.match(t, p)
        if m:
            self.pos = m.end()
            sign, whole, frac = m.group(1), m.group(2).lstrip("0") or "0", m.group(3).rstrip("0") or "0"
            if whole == "0" and frac == "0":
                sign = ""
            return Tok("lit", f"{'-' if sign == '-' else ''}{whole}.{frac}", p, XSD_DECIMAL)
        m = _INTEGER.match(t, p)
        if m:
            self.pos = m.end()
            digits = m.group(2).lstrip("0") or "0"
            neg = m.group(1) == "-" and digits != "0"
            return Tok("lit", ("-" if neg else "") + digits, p, XSD_INTEGER)
        raise self.fail("malformed number", p)

    def unescape(self, s: str, p: int) -> str:
        if "\\" not in s:
            return s

        def one(m: re.Match[str]) -> str:
            if m.group(1) or m.group(2):
                cp = int(m.group(1) or m.group(2), 16)
                if cp > 0x10FFFF:
                    raise self.fail("unicode escape out of range", p)
                return chr(cp)
            ch = m.group(3)
            if ch in "uU":
                raise self.fail(f"malformed unicode escape \\{ch} in string", p)
            # Other unknown escapes are kept as written: real maps contain e.g. "\ ".
            return _SIMPLE_ESCAPES.get(ch, "\\" + ch)

        return _ESCAPE.sub(one, s)


# --- AST -------------------------------------------------------------------------------------
# A topic reference: (kind, value, pos) with kind in
#   "iids" (value: list of IRIs, the first being the primary), "sid", "iid", "slo",
#   "wild" (value: None or name), "var" (value: name), "embed" (value: list of tails).
Ref = tuple
# A value: ("topic", Ref) | ("iri", iri) | ("lit", value, datatype) | ("var", name)
#          | ("iidref", iri) | ("sloref", iri)


@dataclass
class _Template:
    name: str
    params: list[str]
    body: list[tuple]
    span: Span


@dataclass
class _FileState:
    """Per file: its lexer (with its prefixes), its include chain and named wildcards."""

    lex: _Lexer
    chain: list[str]
    local: Path | None
    shown: str
    prefixes: dict[str, str]


class _MapReader:
    """One topic map: the builder, templates, wildcard counter, include guard."""

    def __init__(self, base_iri: str, merging: frozenset[str] = frozenset()):
        self.base_iri = base_iri
        self.sink = MapBuilder(base_iri)
        self.templates: dict[tuple[str, int], _Template] = {}
        self.counter = 0
        self.including: list[str] = []
        self.included: set[str] = set()
        self.merging = merging
        self.depth = 0

    def new_wildcard(self, name: str | None, span: Span) -> str:
        self.counter += 1
        iri = f"{self.base_iri}#$__{self.counter}" + (f".{name}" if name else "")
        return self.sink.topic_by_item_identifier(iri, span)

    def read_file(self, path: Path, shown: str, chain: list[str], file_iri: str) -> None:
        data = path.read_bytes()
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        m = re.match(rb'\s*%encoding\s+"([^"]*)"', body)
        text = decode(data, m.group(1).decode("ascii", "replace") if m else None, shown, "ctm-encoding")
        self.read_text(text, shown, chain, file_iri, path)

    def read_text(self, text: str, shown: str, chain: list[str], file_iri: str, local: Path | None) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.including.append(file_iri)
        try:
            prefixes: dict[str, str] = {}
            st = _FileState(_Lexer(text, shown, prefixes), chain + [file_iri], local, shown, prefixes)
            _Parser(self, st).parse_file()
        finally:
            self.including.pop()


class _Parser:
    def __init__(self, reader: _MapReader, st: _FileState):
        self.r = reader
        self.st = st
        self.lex = st.lex
        self.file_iri = st.chain[-1]
        self.ev = _Eval(reader, self, {}, {})

    # --- token helpers ---------------------------------------------------------------------
    def peek(self, k: int = 0) -> Tok:
        return self.lex.peek_tok(k)

    def take(self) -> Tok:
        return self.lex.take()

    def fail(self, msg: str, tok: Tok | None = None, code: str | None = None) -> TopicMapSyntaxError:
        return self.lex.fail(msg, (tok or self.peek()).pos, code)

    def found(self, tok: Tok | None = None) -> str:
        tok = tok or self.peek()
        if tok.kind == "eof":
            return "end of file"
        self.lex.pos, saved = tok.pos, self.lex.pos
        text = self.lex.describe_here()
        self.lex.pos = saved
        return text

    def expect(self, kind: str, what: str) -> Tok:
        tok = self.peek()
        if tok.kind != kind:
            raise self.fail(f"expected {what}, found {self.found(tok)}")
        return self.take()

    def accept(self, kind: str) -> bool:
        if self.peek().kind == kind:
            self.take()
            return True
        return False

    def span(self, tok: Tok) -> Span:
        return self.lex.span(tok.pos)

    def is_kw(self, tok: Tok, word: str) -> bool:
        return tok.kind == "ident" and tok.value == word

    # --- file level -----------------------------------------------------------------------
    def parse_file(self) -> None:
        seen_statement = False
        first = True
        while True:
            tok = self.peek()
            if tok.kind == "eof":
                return
            if tok.kind == "dir":
                self.directive(first)
            elif tok.kind == "~":
                if seen_statement:
                    raise self.fail("the topic map reifier (~) must come before any statement", tok)
                self.take()
                ref = self.ref("the topic map's reifier")
                self.r.sink.set_reifier(self.r.sink.tm, self.ev.topic(ref), self.span(tok))
            elif self.is_kw(tok, "def"):
                self.template_def()
            else:
                stmt = self.statement(in_template=False)
                if stmt[0] == "call":
                    self.accept(".")  # tolerated after an invocation, as real maps write it
                self.ev.run([stmt])
                seen_statement = True
            first = False

    def directive(self, first: bool) -> None:
        tok = self.take()
        d = str(tok.value).lower()
        if d == "encoding":
            self.expect("str", "the encoding name")
            if not first:
                raise self.fail("%encoding must come first in the file", tok)
        elif d == "version":
            v = self.expect("lit", "the CTM version")
            if v.value != "1.0":
                raise self.fail(f"unsupported CTM version {v.value}", v)
        elif d == "prefix":
            name = self.expect("ident", "a prefix name")
            iri = self.iri_token("the prefix IRI")
            old = self.st.prefixes.get(str(name.value))
            if old is not None and old != iri:
                raise self.fail(f"prefix {name.value!r} is already bound to <{old}>", name, "ctm-prefix-collision")
            self.st.prefixes[str(name.value)] = iri
        elif d == "include":
            iri = self.iri_token("the IRI of the file to include")
            self.include(iri, tok)
        elif d == "mergemap":
            iri = self.iri_token("the IRI of the map to merge")
            syntax = self.iri_token("the syntax IRI of the merged map")
            self.mergemap(iri, syntax, tok)
        else:
            raise self.fail(f"unknown directive %{tok.value}", tok)

    def iri_token(self, what: str) -> str:
        tok = self.peek()
        if tok.kind in ("iri", "qname"):
            self.take()
            return self.resolve(str(tok.value)) if tok.kind == "iri" else str(tok.value)
        raise self.fail(f"expected {what}, found {self.found(tok)}")

    def resolve(self, iri: str) -> str:
        return locators.resolve(self.file_iri, iri)

    def _target(self, iri: str, tok: Tok) -> Path:
        if not iri.startswith("file:"):
            raise self.fail(f"cannot read <{iri}>: only local files can be included", tok, "ctm-include")
        from urllib.parse import unquote, urlsplit

        return Path(unquote(urlsplit(iri).path))

    def _shown(self, local: Path) -> str:
        parent = self.st.shown.rsplit("/", 1)[0] + "/" if "/" in self.st.shown else ""
        return parent + local.name

    def include(self, iri: str, tok: Tok) -> None:
        local = self._target(iri, tok)
        if iri in self.r.including or iri in self.r.included:
            return
        if not local.is_file():
            raise self.fail(f"included file <{iri}> does not exist", tok, "ctm-include")
        data = local.read_bytes()
        if data.lstrip()[:1] == b"<":
            raise self.fail(f"<{iri}> is not a CTM file (use %mergemap for other syntaxes)", tok, "ctm-include")
        self.r.included.add(iri)
        self.r.read_file(local, self._shown(local), self.st.chain, iri)

    def mergemap(self, iri: str, syntax: str, tok: Tok) -> None:
        if syntax not in (CTM_SYNTAX, XTM_SYNTAX):
            raise self.fail(f"%mergemap: unsupported syntax <{syntax}>", tok, "ctm-mergemap")
        local = self._target(iri, tok)
        if iri in self.r.merging or iri == self.st.chain[0]:
            return
        if not local.is_file():
            raise self.fail(f"merged file <{iri}> does not exist", tok, "ctm-mergemap")
        if syntax == CTM_SYNTAX:
            sub = _MapReader(iri, self.r.merging | {self.st.chain[0]})
            sub.read_file(local, self._shown(local), [], iri)
            self.r.sink.merge_in(sub.sink.finish())
        else:
            from .xtm import read_xtm_bytes

            self.r.sink.merge_in(read_xtm_bytes(local.read_bytes(), iri, self._shown(local)))

    # --- templates ---------------------------------------------------------------------------
    def template_def(self) -> None:
        start = self.take()
        name = self.expect("ident", "the template name")
        self.expect("(", "'(' after the template name")
        params: list[str] = []
        if not self.accept(")"):
            while True:
                v = self.expect("var", "a parameter ($name)")
                if v.value in params:
                    raise self.fail(f"parameter ${v.value} is declared twice", v)
                params.append(str(v.value))
                if self.accept(")"):
                    break
                self.expect(",", "',' or ')' in the parameter list")
        body: list[tuple] = []
        while True:
            tok = self.peek()
            if self.is_kw(tok, "end"):
                self.take()
                break
            if tok.kind == "eof":
                raise self.fail(f"template {name.value!r} has no 'end'", start)
            if tok.kind == "dir":
                raise self.fail("directives are not allowed inside a template", tok)
            if self.is_kw(tok, "def"):
                raise self.fail("templates cannot be defined inside a template", tok)
            body.append(self.statement(in_template=True))
            if body[-1][0] == "call":
                self.accept(".")
        key = (str(name.value), len(params))
        if key in self.r.templates:
            raise self.fail(f"template {name.value!r} with {len(params)} parameter(s) is already defined", name, "ctm-template-duplicate")
        self.r.templates[key] = _Template(str(name.value), params, body, self.span(start))

    # --- statements ------------------------------------------------------------------------
    def _element_end(self, k: int) -> int:
        """The token index just after the element starting at index k (balanced brackets)."""
        depth = 0
        while True:
            tok = self.peek(k)
            if tok.kind == "eof":
                return k
            if tok.kind in ("(", "["):
                depth += 1
            elif tok.kind in (")", "]"):
                if depth == 0:
                    return k
                depth -= 1
                if depth == 0:
                    return k + 1
            elif depth == 0:
                if tok.kind in ("^", "="):
                    k += 1
                    continue
                return k + 1
            k += 1

    def _is_call(self) -> bool:
        """ident '(' ... : a template invocation unless the first element is followed by ':'."""
        if self.peek(1).kind != "(":
            return False
        if self.peek(2).kind == ")":
            return True
        return self.peek(self._element_end(2)).kind != ":"

    def statement(self, in_template: bool) -> tuple:
        tok = self.peek()
        if tok.kind == "ident" and self._is_call():
            return self.call()
        head = self.ref("a topic, association or template invocation")
        if self.peek().kind == "(":
            return self.association(head, tok)
        if head[0] == "embed":
            raise self.fail("an embedded topic [...] cannot stand alone as a statement", tok)
        tails = self.tails(end=".")
        return ("topic", head, tails, tok.pos)

    def call(self) -> tuple:
        name = self.take()
        self.expect("(", "'('")
        args: list[tuple] = []
        if not self.accept(")"):
            while True:
                args.append(self.arg())
                if self.accept(")"):
                    break
                self.expect(",", "',' or ')' in the argument list")
        return ("call", str(name.value), args, name.pos)

    def arg(self) -> tuple:
        tok = self.peek()
        if tok.kind in ("^", "=") and self.peek(1).kind in ("iri", "qname"):
            self.take()
            iri = self.take()
            value = self.resolve(str(iri.value)) if iri.kind == "iri" else str(iri.value)
            return ("iidref" if tok.kind == "^" else "sloref", value)
        if tok.kind in ("iri", "qname"):
            self.take()
            return ("iri", self.resolve(str(tok.value)) if tok.kind == "iri" else str(tok.value))
        if tok.kind in ("str", "lit", "*"):
            return self.literal()
        if tok.kind == "var":
            self.take()
            return ("var", str(tok.value), tok.pos)
        return ("topic", self.ref("a template argument"))

    def association(self, type_ref: Ref, start: Tok) -> tuple:
        self.expect("(", "'('")
        roles: list[tuple] = []
        while True:
            rt = self.ref("a role type")
            self.expect(":", "':' between the role type and the player")
            player = self.ref("a role player")
            reifier = self.ref("a reifier") if self.accept("~") else None
            roles.append((rt, player, reifier))
            if self.accept(")"):
                break
            self.expect(",", "',' or ')' in the association")
        scope = self.scope()
        reifier = self.ref("a reifier") if self.accept("~") else None
        return ("assoc", type_ref, roles, scope, reifier, start.pos)

    def scope(self) -> list[Ref]:
        if not self.accept("@"):
            return []
        out = [self.ref("a scoping topic")]
        while self.accept(","):
            out.append(self.ref("a scoping topic"))
        return out

    def ref(self, what: str) -> Ref:
        tok = self.peek()
        k = tok.kind
        if k == "ident":
            if tok.value in ("def", "end"):
                raise self.fail(f"expected {what}, found the keyword {tok.value!r}", tok)
            self.take()
            name = str(tok.value)
            return ("iids", [c + "#" + name for c in reversed(self.st.chain)], tok.pos)
        if k == "qname":
            self.take()
            return ("sid", str(tok.value), tok.pos)
        if k == "iri":
            self.take()
            return ("sid", self.resolve(str(tok.value)), tok.pos)
        if k in ("^", "="):
            self.take()
            nxt = self.peek()
            if nxt.kind == "var":
                self.take()
                return ("var-" + k, str(nxt.value), nxt.pos)
            if nxt.kind not in ("iri", "qname"):
                raise self.fail(f"expected an IRI after '{k}', found {self.found(nxt)}", nxt)
            self.take()
            iri = self.resolve(str(nxt.value)) if nxt.kind == "iri" else str(nxt.value)
            return ("iid" if k == "^" else "slo", iri, tok.pos)
        if k == "wild":
            self.take()
            return ("wild", tok.value, tok.pos)
        if k == "var":
            self.take()
            return ("var", str(tok.value), tok.pos)
        if k == "[":
            self.take()
            tails = self.tails(end="]")
            return ("embed", tails, tok.pos)
        raise self.fail(f"expected {what}, found {self.found(tok)}", tok)

    def tails(self, end: str) -> list[tuple]:
        out: list[tuple] = []
        while True:
            tok = self.peek()
            if tok.kind == end:
                self.take()
                return out
            if tok.kind == ";":
                self.take()
                continue
            if tok.kind == "eof" or (end == "." and self.is_kw(tok, "end")):
                raise self.fail(f"expected '{end}' to end the topic, found {self.found(tok)}", tok)
            out.append(self.tail())

    def tail(self) -> tuple:
        tok = self.peek()
        nxt = self.peek(1)
        if (self.is_kw(tok, "isa") or self.is_kw(tok, "ako")) and nxt.kind != ":":
            self.take()
            return (str(tok.value), self.ref("a topic type"), tok.pos)
        if tok.kind == "-":
            return self.name()
        if tok.kind in ("^", "="):
            self.take()
            nxt = self.peek()
            if nxt.kind == "var":
                self.take()
                return ("add-" + tok.kind, ("var", str(nxt.value)), tok.pos)
            if nxt.kind not in ("iri", "qname"):
                raise self.fail(f"expected an IRI after '{tok.kind}', found {self.found(nxt)}", nxt)
            self.take()
            iri = self.resolve(str(nxt.value)) if nxt.kind == "iri" else str(nxt.value)
            return ("add-" + tok.kind, ("iri", iri), tok.pos)
        if tok.kind == "ident" and nxt.kind == "(":
            return self.call()
        if tok.kind in ("iri", "qname", "var") and nxt.kind != ":":
            self.take()
            if tok.kind == "var":
                return ("add-sid", ("var", str(tok.value)), tok.pos)
            iri = self.resolve(str(tok.value)) if tok.kind == "iri" else str(tok.value)
            return ("add-sid", ("iri", iri), tok.pos)
        # an occurrence: type ':' value
        type_ref = self.ref("a name, occurrence, type or identifier")
        self.expect(":", "':' after the occurrence type")
        if not self.lex.buf:
            self.lex.value_mode = True
            try:
                self.peek()
            finally:
                self.lex.value_mode = False
        value = self.value("the occurrence value")
        scope = self.scope()
        reifier = self.ref("a reifier") if self.accept("~") else None
        return ("occ", type_ref, value, scope, reifier, tok.pos)

    def name(self) -> tuple:
        start = self.take()
        type_ref = None
        tok = self.peek()
        if tok.kind not in ("str", "var") or (tok.kind == "var" and self.peek(1).kind == ":"):
            type_ref = self.ref("a name type or the name")
            self.expect(":", "':' after the name type")
        tok = self.peek()
        if tok.kind == "str":
            self.take()
            value: tuple = ("lit", tok.value, XSD_STRING)
        elif tok.kind == "var":
            self.take()
            value = ("var", str(tok.value), tok.pos)
        else:
            raise self.fail(f"expected the name string, found {self.found(tok)}", tok)
        scope = self.scope()
        reifier = self.ref("a reifier") if self.accept("~") else None
        variants: list[tuple] = []
        while self.peek().kind == "(":
            vtok = self.take()
            vvalue = self.value("the variant value")
            vscope = self.scope()
            if not vscope:
                raise self.fail("a variant needs a scope (@ topic)", vtok)
            vreifier = self.ref("a reifier") if self.accept("~") else None
            self.expect(")", "')' to close the variant")
            variants.append((vvalue, vscope, vreifier, vtok.pos))
        return ("name", type_ref, value, scope, reifier, variants, start.pos)

    def literal(self) -> tuple:
        tok = self.take()
        if tok.kind == "*":
            return ("lit", "*", CTM_INTEGER)
        if tok.kind == "lit":
            return ("lit", tok.value, tok.extra)
        # a string, maybe with ^^datatype
        if self.accept("^^"):
            dt = self.peek()
            if dt.kind == "iri":
                self.take()
                return ("lit", tok.value, self.resolve(str(dt.value)))
            if dt.kind == "qname":
                self.take()
                return ("lit", tok.value, str(dt.value))
            raise self.fail(f"expected a datatype IRI after '^^', found {self.found(dt)}", dt)
        return ("lit", tok.value, XSD_STRING)

    def value(self, what: str) -> tuple:
        tok = self.peek()
        if tok.kind in ("str", "lit", "*"):
            return self.literal()
        if tok.kind in ("iri", "qname"):
            self.take()
            iri = self.resolve(str(tok.value)) if tok.kind == "iri" else str(tok.value)
            return ("lit", iri, XSD_ANYURI)
        if tok.kind == "var":
            self.take()
            return ("var", str(tok.value), tok.pos)
        raise self.fail(f"expected {what} (a string, number, date or IRI), found {self.found(tok)}", tok)


class _Eval:
    """Runs statements against the builder; env binds template parameters."""

    def __init__(self, reader: _MapReader, parser: _Parser, env: dict, wild: dict[str, str]):
        self.r = reader
        self.p = parser
        self.b = reader.sink
        self.env = env
        self.wild = wild  # named wildcards of this scope

    def span(self, pos: int) -> Span:
        return self.p.lex.span(pos)

    def fail(self, msg: str, pos: int, code: str = "ctm-syntax") -> TopicMapSyntaxError:
        return TopicMapSyntaxError(msg, self.span(pos), code)

    def run(self, stmts: list[tuple]) -> None:
        for s in stmts:
            kind = s[0]
            if kind == "topic":
                _, head, tails, pos = s
                self.apply_tails(self.topic(head), tails)
            elif kind == "assoc":
                self.association(s)
            elif kind == "call":
                self.call(s, None)

    # --- references ----------------------------------------------------------------------
    def lookup(self, name: str, pos: int):
        if name not in self.env:
            raise self.fail(f"variable ${name} is not defined here", pos, "ctm-variable-undefined")
        return self.env[name]

    def topic(self, ref: Ref) -> str:
        kind, value, pos = ref
        span = self.span(pos)
        if kind == "iids":
            tid = self.b.topic_by_item_identifier(value[0], span)
            for iri in value[1:]:
                self.b.add_item_identifier(tid, iri)
            return tid
        if kind == "sid":
            return self.b.topic_by_subject_identifier(value, span)
        if kind == "iid":
            return self.b.topic_by_item_identifier(value, span)
        if kind == "slo":
            return self.b.topic_by_subject_locator(value, span)
        if kind == "wild":
            if value is None:
                return self.r.new_wildcard(None, span)
            if value not in self.wild:
                self.wild[value] = self.r.new_wildcard(value, span)
            return self.wild[value]
        if kind == "embed":
            tid = self.r.new_wildcard(None, span)
            self.apply_tails(tid, value)
            return tid
        if kind in ("var-^", "var-="):
            v = self.lookup(value, pos)
            if v[0] != "iri":
                raise self.fail(f"${value} must be an IRI here", pos)
            return self.b.topic_by_item_identifier(v[1], span) if kind == "var-^" else self.b.topic_by_subject_locator(v[1], span)
        if kind == "var":
            v = self.lookup(value, pos)
            if v[0] == "topic":
                return v[1]
            if v[0] == "iri":
                return self.b.topic_by_subject_identifier(v[1], span)
            if v[0] == "iidref":
                return self.b.topic_by_item_identifier(v[1], span)
            if v[0] == "sloref":
                return self.b.topic_by_subject_locator(v[1], span)
            raise self.fail(f"${value} is a literal, not a topic", pos, "ctm-template-type")
        raise AssertionError(kind)

    def scope(self, refs: list[Ref]) -> list[str]:
        return [self.topic(r) for r in refs]

    def reify(self, construct, ref: Ref | None) -> None:
        if ref is not None:
            self.b.set_reifier(construct, self.topic(ref), self.span(ref[2]))

    def value(self, v: tuple, pos: int) -> tuple[str, str]:
        if v[0] == "lit":
            return v[1], v[2]
        name = v[1]
        b = self.lookup(name, v[2])
        if b[0] == "lit":
            return b[1], b[2]
        if b[0] == "iri":
            return b[1], XSD_ANYURI
        raise self.fail(f"${name} is not a literal or IRI", v[2], "ctm-template-type")

    # --- statements -----------------------------------------------------------------------
    def apply_tails(self, tid: str, tails: list[tuple]) -> None:
        for t in tails:
            kind = t[0]
            if kind == "isa":
                self.b.add_type(tid, self.topic(t[1]), self.span(t[2]))
            elif kind == "ako":
                self.b.add_supertype(tid, self.topic(t[1]), self.span(t[2]))
            elif kind == "name":
                _, type_ref, value, scope, reifier, variants, pos = t
                text, dt = self.value(value, pos)
                if dt != XSD_STRING:
                    raise self.fail("a name must be a string", pos)
                name = self.b.add_name(
                    tid, text, self.topic(type_ref) if type_ref else None, self.scope(scope), self.span(pos)
                )
                self.reify(name, reifier)
                for vvalue, vscope, vreifier, vpos in variants:
                    vtext, vdt = self.value(vvalue, vpos)
                    variant = self.b.add_variant(name, vtext, vdt, self.scope(vscope), self.span(vpos))
                    self.reify(variant, vreifier)
            elif kind == "occ":
                _, type_ref, value, scope, reifier, pos = t
                text, dt = self.value(value, pos)
                occ = self.b.add_occurrence(tid, self.topic(type_ref), text, dt, self.scope(scope), self.span(pos))
                self.reify(occ, reifier)
            elif kind in ("add-sid", "add-^", "add-="):
                _, v, pos = t
                if v[0] == "var":
                    b = self.lookup(v[1], pos)
                    if b[0] != "iri":
                        raise self.fail(f"${v[1]} must be a plain IRI here", pos, "ctm-template-type")
                    iri = b[1]
                else:
                    iri = v[1]
                if kind == "add-sid":
                    self.b.add_subject_identifier(tid, iri)
                elif kind == "add-^":
                    self.b.add_item_identifier(tid, iri)
                else:
                    self.b.add_subject_locator(tid, iri)
            elif kind == "call":
                self.call(t, tid)

    def association(self, s: tuple) -> None:
        _, type_ref, roles, scope, reifier, pos = s
        atype = self.topic(type_ref)
        built: list[tuple[Role, Ref | None]] = []
        for rt, player, rreifier in roles:
            built.append((Role(self.topic(rt), self.topic(player), span=self.span(rt[2])), rreifier))
        assoc = self.b.add_association(atype, [r for r, _ in built], self.scope(scope), self.span(pos))
        for role, rreifier in built:
            self.reify(role, rreifier)
        self.reify(assoc, reifier)

    def call(self, s: tuple, current: str | None) -> None:
        _, name, args, pos = s
        tpl = None
        if current is not None:
            tpl = self.r.templates.get((name, len(args) + 1))
        prepend = tpl is not None
        if tpl is None:
            tpl = self.r.templates.get((name, len(args)))
        if tpl is None:
            raise self.fail(f"template {name!r} with {len(args)} argument(s) is not defined", pos, "ctm-template-undefined")
        values = [("topic", current)] if prepend else []
        for a in args:
            values.append(self.arg(a))
        if self.r.depth > 200:
            raise self.fail(f"template {name!r} nests too deeply (a template calling itself?)", pos)
        self.r.depth += 1
        try:
            _Eval(self.r, self.p, dict(zip(tpl.params, values)), {}).run(tpl.body)
        finally:
            self.r.depth -= 1

    def arg(self, a: tuple) -> tuple:
        kind = a[0]
        if kind == "topic":
            return ("topic", self.topic(a[1]))
        if kind == "var":
            return self.lookup(a[1], a[2])
        return a  # iri, iidref, sloref, lit


# --- entry points ------------------------------------------------------------------------------
def read_ctm(path: Path, diags: Diagnostics, base: str | None = None, *, path_for_messages: str | None = None) -> TopicMap | None:
    """Read a CTM file (and what it includes/merges); None and an error diagnostic if invalid."""
    shown = path_for_messages or path.name

    def read() -> TopicMap:
        reader = _MapReader(base or locators.file_iri(path))
        reader.read_file(path, shown, [], reader.base_iri)
        return reader.sink.finish()

    return read_reporting("ctm", shown, diags, read)


def read_ctm_text(text: str, path_for_messages: str, base: str, diags: Diagnostics) -> TopicMap | None:
    """Read CTM from a string; %include/%mergemap resolve against `base`."""

    def read() -> TopicMap:
        reader = _MapReader(base)
        reader.read_text(text, path_for_messages, [], base, None)
        return reader.sink.finish()

    return read_reporting("ctm", path_for_messages, diags, read)
