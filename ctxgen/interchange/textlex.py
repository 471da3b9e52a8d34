"""Shared scanning machinery for the text syntaxes (LTM, CTM).

Both readers are hand-written recursive-descent parsers over a `Scanner`: a cursor into
the decoded text that knows how to turn an offset into a 1-based line/column `Span`, and
raises `SyntaxProblem` at the first error. The readers catch it at their top level and
turn it into a Diagnostic, so bad input never escapes as a traceback.
"""
from __future__ import annotations

import bisect
import codecs
import re
from typing import Callable

from ..diagnostics import Diagnostics, Span
from ..merge import merge_maps
from ..model import TopicMap
from .builder import Reifiable, TopicMapBuilder
from .errors import TopicMapSyntaxError

SyntaxProblem = TopicMapSyntaxError


class Scanner:
    """A cursor over one decoded source text."""

    def __init__(self, text: str, path: str, code: str = "tm-syntax"):
        self.code = code  # the diagnostic code of this syntax's errors
        self.text = text
        self.path = path
        self.pos = 0
        self.n = len(text)
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    # --- positions -----------------------------------------------------------------
    def span(self, pos: int | None = None) -> Span:
        p = self.pos if pos is None else pos
        line = bisect.bisect_right(self._line_starts, p)
        return Span(self.path, line, p - self._line_starts[line - 1] + 1)

    def fail(self, message: str, pos: int | None = None, code: str | None = None) -> SyntaxProblem:
        return SyntaxProblem(message, self.span(pos), code or self.code)

    # --- cursor --------------------------------------------------------------------
    def peek(self, k: int = 0) -> str:
        p = self.pos + k
        return self.text[p] if p < self.n else ""

    def at_end(self) -> bool:
        return self.pos >= self.n

    def startswith(self, s: str) -> bool:
        return self.text.startswith(s, self.pos)

    def match(self, regex: re.Pattern[str]) -> re.Match[str] | None:
        m = regex.match(self.text, self.pos)
        if m:
            self.pos = m.end()
        return m

    def describe_here(self) -> str:
        """A short quote of the text at the cursor, for error messages."""
        if self.at_end():
            return "end of file"
        chunk = self.text[self.pos : self.pos + 20].split("\n")[0]
        return repr(chunk) if chunk else "end of line"


# --- decoding ------------------------------------------------------------------------
_BOM = "\ufeff"


def decode(data: bytes, declared: str | None, path: str, code: str = "tm-encoding") -> str:
    """Decode `data` by the syntax's encoding declaration; a BOM must agree with it."""
    has_bom = data.startswith(codecs.BOM_UTF8)
    if has_bom:
        if declared and codecs.lookup(declared).name != "utf-8":
            raise SyntaxProblem(
                f"the file starts with a UTF-8 byte order mark but declares encoding {declared!r}",
                Span(path, 1, 1),
                code,
            )
        return data[3:].decode("utf-8", errors="replace")
    if declared:
        try:
            return data.decode(declared)
        except LookupError:
            raise SyntaxProblem(f"unknown encoding {declared!r}", Span(path, 1, 1), code) from None
        except UnicodeDecodeError as e:
            raise SyntaxProblem(f"the file is not valid {declared}: {e.reason}", Span(path, 1, 1), code) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def unescape_unicode(s: str, six: bool) -> str:
    r"""Replace \uXXXX (and, with six=True, greedy \uXXXXXX) escapes."""
    pattern = _U6 if six else _U4
    return pattern.sub(lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) <= 0x10FFFF else m.group(0), s)


_U4 = re.compile(r"\\u([0-9A-Fa-f]{4})")
_U6 = re.compile(r"\\u([0-9A-Fa-f]{4,6})")


# --- building ------------------------------------------------------------------------
class MapBuilder(TopicMapBuilder):
    """The interchange builder plus what the text syntaxes need on top of it.

    - `reify` with an optional marker IRI (LTM's legacy "#--reified--" identifiers);
    - `merge_in` for #MERGEMAP / %mergemap: maps merged in after this one is finished.
    """

    def __init__(self, base_locator: str = "") -> None:
        super().__init__(base_locator)
        self._merged: list[TopicMap] = []

    def reify(self, construct: Reifiable, tid: str, span: Span | None, marker: str | None = None) -> None:
        if marker is not None:
            self.add_construct_item_identifier(construct, marker)
            self.add_subject_identifier(tid, marker)
        self.set_reifier(construct, tid, span)

    def merge_in(self, other: TopicMap) -> None:
        self._merged.append(other)

    def finish(self) -> TopicMap:
        tm = super().finish()
        for other in self._merged:
            iids = [i for i in other.item_identifiers if i not in tm.item_identifiers]
            merge_maps(tm, other)
            tm.item_identifiers.extend(iids)
        return tm


def read_reporting(syntax: str, shown: str, diags: Diagnostics, read: Callable[[], TopicMap]) -> TopicMap | None:
    """Run a reader; None and one diagnostic when it fails: a syntax error at its position, a file
    that cannot be read (the input or one it includes), or a map nested too deeply to read."""
    try:
        return read()
    except TopicMapSyntaxError as e:
        e.report(diags)
    except OSError as e:
        diags.error(f"{syntax}-io", f"cannot read {shown}: {e.strerror or e}", Span(shown, 1, 1))
    except RecursionError:
        diags.error(f"{syntax}-syntax", "the map nests too deeply to read", Span(shown, 1, 1))
    return None
