"""Split a Markdown file into YAML front matter and body.

Front matter exists only when line 1 is exactly `---` (trailing spaces allowed); it ends at the
next line that is `---` or `...`. Anything else — including a `---` block further down — is
body text. Line ends are normalised to `\\n` first, so CRLF and lone-CR files get the same
1-based line numbers as their LF twins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, Severity, Span
from .yamlpos import PosDict, PosList, load_yaml


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF (str methods, no per-line loop)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


@dataclass(slots=True)
class Parsed:
    front: PosDict | None  # None when the file has no front matter
    body: str
    body_line: int  # 1-based file line where the body starts
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False  # front matter present but unusable


_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def find_front_matter(text: str) -> tuple[str, int, int] | None | bool:
    """Locate front matter in normalised text.

    Returns (yaml_text, body_start_index, body_line) for a closed block, None when there is no
    front matter, False when line 1 opens a block that is never closed.
    """
    opening = _OPEN.match(text)
    if opening is None:
        return None
    start = opening.end()
    closing = _CLOSE.search(text, start) if text[start - 1 : start] == "\n" else None
    if closing is None:
        return False
    body_start = min(closing.end() + 1, len(text))
    body_line = text.count("\n", 0, closing.start()) + 2
    return text[start : closing.start()], body_start, body_line


def parse(text: str, path: str) -> Parsed:
    """Split normalised text (no BOM, LF line ends) into front matter and body, parsing the YAML."""
    found = find_front_matter(text)
    if found is None:
        return Parsed(None, text, 1)
    if found is False:
        return Parsed(None, "", 1, [Diagnostic(
            Severity.ERROR, "frontmatter-unclosed", "front matter not closed", Span(path, 1, 1),
            "add a line '---' after the front matter, or remove the '---' on line 1")], failed=True)
    yaml_text, body_start, body_line = found
    body = text[body_start:]
    value, diagnostics = load_yaml(yaml_text, path, line_offset=1)
    failed = any(d.severity is Severity.ERROR for d in diagnostics)
    if failed:
        return Parsed(None, body, body_line, diagnostics, failed=True)
    if value is None:  # an empty block
        return Parsed(PosDict(span=Span(path, 1, 1)), body, body_line, diagnostics)
    if not isinstance(value, dict):
        where = getattr(value, "span", None) or _first_content_span(yaml_text, path)
        what = "a list" if isinstance(value, list) else "a single value"
        diagnostics.append(Diagnostic(
            Severity.ERROR, "frontmatter-not-mapping", f"front matter must be a mapping, not {what}",
            where, "write 'key: value' lines, e.g. 'title: My topic'"))
        return Parsed(None, body, body_line, diagnostics, failed=True)
    if "#" in yaml_text:
        diagnostics.extend(comments_cutting_text(value, yaml_text, 1))
    return Parsed(value, body, body_line, diagnostics)


# Front matter keys whose values are free text, where a ` #` more likely belongs to the text
# than starts a comment (`title: C# #draft`, `title: Notes #wip`). Other keys (ids, types,
# dates, flags) have no use for '#', so a trailing comment there is just a comment.
TEXT_KEYS = ("title", "name", "aliases", "names", "description", "desc", "summary")
_COMMENT_AFTER = re.compile(r"[ \t]+#")


def comments_cutting_text(front: PosDict, yaml_text: str, line_offset: int) -> list[Diagnostic]:
    """Warn where a plain (unquoted) text value is followed by ` #...` on its line: YAML read
    that as a comment, so the value was silently cut short (checklist row 15)."""
    lines = yaml_text.split("\n")
    out: list[Diagnostic] = []

    def check(text: Any, span: Span | None, where: str) -> None:
        if not isinstance(text, str) or not text or span is None:
            return
        line = lines[span.line - 1 - line_offset] if 0 <= span.line - 1 - line_offset < len(lines) else ""
        start = span.col - 1
        if not line.startswith(text, start):  # quoted, a block scalar, or folded over lines
            return
        comment = _COMMENT_AFTER.match(line, start + len(text))
        if comment is None:
            return
        cut = line[comment.start():].strip()
        written = "- " if where.endswith("]") else f"{where}: "
        out.append(Diagnostic(
            Severity.WARNING, "yaml-comment-in-value",
            f"{where}: YAML read '{cut}' as a comment, so the value is cut to {text!r}",
            Span(span.path, span.line, comment.end()),
            f"quote the value to keep the '#' ({written}\"{text} {cut}\"), or put a real comment on its own line"))

    for key in TEXT_KEYS:
        if key not in front:
            continue
        value = front[key]
        if isinstance(value, PosList):
            for i, item in enumerate(value):
                check(item, value.item_span(i), f"{key}[{i}]")
        else:
            check(value, front.value_span(key), key)
    return out


def _first_content_span(yaml_text: str, path: str) -> Span:
    """Where the first non-blank, non-comment line of the YAML is (scalars carry no span)."""
    for offset, line in enumerate(yaml_text.split("\n")):
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#"):
            return Span(path, offset + 2, len(line) - len(stripped) + 1)
    return Span(path, 2, 1)

