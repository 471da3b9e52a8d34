"""Errors of the interchange readers.

A reader stops at the first syntax error of a document (the rest of it cannot be trusted), so
readers raise `TopicMapSyntaxError`; the command boundary (`commands.py`) or any caller turns it
into a diagnostic with `report()`. The message names the file and position through its Span.
"""
from __future__ import annotations

from ..diagnostics import Diagnostics, Span


class TopicMapSyntaxError(Exception):
    """Bad interchange input: `span` is where (file, 1-based line/col), `code` a kebab-case id."""

    def __init__(self, message: str, span: Span | None = None, code: str = "tm-syntax", hint: str | None = None):
        super().__init__(f"{span}: {message}" if span else message)
        self.message = message
        self.span = span
        self.code = code
        self.hint = hint

    def report(self, diags: Diagnostics) -> None:
        """Append this error to `diags` as an error diagnostic."""
        diags.error(self.code, self.message, self.span, self.hint)


def span_of(path: str, line: int | None = None, col: int | None = None) -> Span:
    """A Span with 1-based line/col (missing ones become 1)."""
    return Span(path, line or 1, col or 1)
