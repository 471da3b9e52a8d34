"""Diagnostics: every problem a stage finds, with the source position it came from.

Stages never raise for bad input; they append to a `Diagnostics` collector and go on,
so one bad file never hides the others' problems. The CLI prints them sorted, once each,
as `path:line:col: severity[code]: message`.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A position in a source file: path relative to the map root (POSIX), 1-based line and column."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def shifted(self, lines: int = 0, col: int | None = None) -> "Span":
        return Span(self.path, self.line + lines, self.col if col is None else col)

    def __reduce__(self):  # 10x faster to pickle than the dataclass default (worker processes, cache)
        return (Span, (self.path, self.line, self.col))


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str  # kebab-case, listed in docs/diagnostics.md
    message: str
    span: Span | None = None  # None only for problems with no file (bad CLI usage, OS errors)
    hint: str | None = None

    def sort_key(self) -> tuple:
        s = self.span or Span("")
        return (s.path, s.line, s.col, self.severity.value, self.code, self.message)

    def format(self) -> str:
        """The line the CLI prints. Content reaches messages (file names, link targets), so control
        characters are shown escaped: an ESC sequence or a newline in a file name can neither drive
        the terminal nor forge a diagnostic line. A hint keeps its own line breaks (source excerpts)."""
        where = f"{_printable(str(self.span))}: " if self.span else ""
        text = f"{where}{self.severity.value}[{self.code}]: {_printable(self.message)}"
        if self.hint:
            text += "\n  hint: " + _printable(self.hint, keep="\n\t")
        return text


def cut(value: str, limit: int = 60) -> str:
    """A value quoted in a message, cut short: a message is one line."""
    return value if len(value) <= limit else value[:limit] + "…"


def _printable(text: str, keep: str = "") -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else ascii(c)[1:-1] for c in text)


@dataclass
class Diagnostics:
    """Collects diagnostics from every stage. Cheap to pass around; not thread-safe."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def error(self, code: str, message: str, span: Span | None = None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.ERROR, code, message, span, hint))

    def warning(self, code: str, message: str, span: Span | None = None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.WARNING, code, message, span, hint))

    def note(self, code: str, message: str, span: Span | None = None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.NOTE, code, message, span, hint))

    def extend(self, other: "Diagnostics | list[Diagnostic]") -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def has_errors(self, strict: bool = False) -> bool:
        return any(d.severity is Severity.ERROR or (strict and d.severity is Severity.WARNING) for d in self.items)

    def sorted(self, strict: bool = False) -> list[Diagnostic]:
        """Sorted, each once; under --strict warnings are reported as errors."""
        seen: set[Diagnostic] = set()
        out: list[Diagnostic] = []
        for d in sorted(self.items, key=Diagnostic.sort_key):
            if strict and d.severity is Severity.WARNING:
                d = Diagnostic(Severity.ERROR, d.code, d.message, d.span, d.hint)
            if d not in seen:
                seen.add(d)
                out.append(d)
        return out

    def __len__(self) -> int:
        return len(self.items)
