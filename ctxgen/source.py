"""What the load stage hands to the model stage: one parsed source file.

A SourceFile is a pure function of the file's bytes (and the config's raw-HTML switch),
so the load stage can run in worker processes and be cached by file stat.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .diagnostics import Diagnostic, Span

Kind = Literal["topic", "association", "note"]


def _fast_reduce(self):
    """Pickle a frozen slots dataclass by its fields in order: the dataclass default is ~10x slower,
    and SourceFiles are pickled for worker processes and the build cache."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class LinkRef:
    """A link found in a body: [[target#heading|label]], ![[target]] or [label](target.md)."""

    target: str  # as written, percent-decoded, without '#heading'; '' for a link to a heading of the same page
    heading: str | None
    label: str | None
    embed: bool
    span: Span  # file:line:col of the link's first character
    hole: int  # index of the placeholder in RenderedBody.html that the render stage fills
    markdown_link: bool = False  # [x](y.md) rather than [[y]]
    context: str = ""  # plain text of the paragraph around the link, for backlinks

    __reduce__ = _fast_reduce


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str  # the id given to it in html (prefixed, unique in the page)

    __reduce__ = _fast_reduce


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """A body rendered to HTML once, with holes where links go (filled per page at render time).

    A hole is the text HOLE.format(n) in `html`; see ctxgen.markdown for how holes are filled.
    """

    html: str
    links: tuple[LinkRef, ...] = ()
    headings: tuple[Heading, ...] = ()
    first_h1: str | None = None
    text: str = ""  # plain text, for search and link context
    tags: tuple[str, ...] = ()  # inline #tags of the body, in order of first use, without '#'

    __reduce__ = _fast_reduce


@dataclass(slots=True)
class SourceFile:
    path: str  # map-relative, POSIX, NFC
    kind: Kind = "topic"
    front: Any = None  # the front matter mapping (ctxgen.yamlpos.PosDict) or None when there is none
    body: str = ""  # Markdown body, front matter removed, line ends normalised to \n
    body_span: Span | None = None  # where the body starts in the file
    rendered: RenderedBody | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False  # unreadable or front matter broken: the model must not guess its content
    mtime: float = 0.0  # seconds since the epoch, for "recently changed"
