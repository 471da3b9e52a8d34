"""YAML that remembers where every key and value came from.

PyYAML's loaders throw positions away, so we let the (C) composer build the node graph and
construct values ourselves: mappings become `PosDict`, sequences `PosList`, both remembering the
`Span` of each key, value and item; scalars get the safe resolver's types (str, int, float,
bool, None, date/datetime). On the way we report what PyYAML would hide or crash on: duplicate
keys (it keeps the last silently), unsafe or unknown tags, recursive aliases.

PyYAML marks are 0-based and relative to the YAML text; spans are 1-based file positions,
shifted by `line_offset` (the number of file lines before the YAML text, 1 for front matter).
"""
from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, Severity, Span, cut

try:  # the C composer is several times faster; identical node graphs
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _FastLoader

MAX_DEPTH = 100  # mappings and lists inside each other; deeper ones overflow Python's stack when pickled
_T = "tag:yaml.org,2002:"
_STR = _T + "str"
_MERGE = _T + "merge"


class _PosLoader(_FastLoader):
    """The fast loader, asking its resolver less: the composer calls `resolve` for every node.

    Quoted scalars, collections and plain scalars whose first character starts none of the
    implicit types (`true`, `1.5`, `2024-01-02`, `~`, ...: most keys and text) get the tag the
    safe resolver would give without trying its regular expressions; the rest go to it."""

    _known: dict[str, str] = {}  # short plain scalars the resolver was asked about (`title`, `true`)

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0] or (value and value[0] not in _IMPLICIT_FIRST):
                return _STR
            tag = self._known.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 32:  # keys and flags, not free text
                    if len(self._known) >= 4096:
                        self._known.clear()
                    self._known[value] = tag
            return tag
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return super().resolve(kind, value, implicit)


# The shortcut above is the resolver's own answer only while it has no path resolvers and no
# resolver for any first character (PyYAML's safe resolver has neither).
if _FastLoader.yaml_path_resolvers or None in _FastLoader.yaml_implicit_resolvers:  # pragma: no cover
    _PosLoader = _FastLoader  # noqa: F811
_IMPLICIT_FIRST = frozenset(_FastLoader.yaml_implicit_resolvers)


class PosDict(dict):
    """A dict from YAML that knows the span of itself, of each key and of each value."""

    # Positions are kept as (line, col) pairs and made into Spans on request: cheaper to
    # build and to pickle than one Span object per key and value.
    __slots__ = ("span", "_keys", "_values", "_raw")

    def __init__(self, *args: Any, span: Span | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.span = span
        self._keys: dict[Any, tuple[int, int]] = {}
        self._values: dict[Any, tuple[int, int]] = {}
        self._raw: dict[Any, str] | None = None

    def source_text(self, key: Any) -> str | None:
        """The value as written when YAML read it as something other than text (`no`, `1.50`,
        `2024-01-02`, `~`): lets a string field keep what the author typed. None otherwise."""
        return self._raw.get(key) if self._raw else None

    def key_span(self, key: Any) -> Span | None:
        return _at(self.span, self._keys.get(key))

    def value_span(self, key: Any) -> Span | None:
        return _at(self.span, self._values.get(key))

    def set_spans(self, key: Any, key_span: Span | tuple[int, int], value_span: Span | tuple[int, int]) -> None:
        self._keys[key] = _pos(key_span)
        self._values[key] = _pos(value_span)

    def __reduce__(self):  # pickle spans too (SourceFiles cross process boundaries)
        return (_rebuild_dict, (dict(self), self.span, self._keys, self._values, self._raw))

    def __repr__(self) -> str:
        return f"PosDict({dict.__repr__(self)})"


class PosList(list):
    """A list from YAML that knows the span of itself and of each item."""

    __slots__ = ("span", "_items", "_raw")

    def __init__(self, *args: Any, span: Span | None = None) -> None:
        super().__init__(*args)
        self.span = span
        self._items: list[tuple[int, int]] = []
        self._raw: dict[int, str] | None = None

    def source_text(self, index: int) -> str | None:
        """Item `index` as written when YAML read it as something other than text (see PosDict)."""
        return self._raw.get(index) if self._raw else None

    def item_span(self, index: int) -> Span | None:
        try:
            return _at(self.span, self._items[index])
        except IndexError:
            return self.span

    def __reduce__(self):
        return (_rebuild_list, (list(self), self.span, self._items, self._raw))

    def __repr__(self) -> str:
        return f"PosList({list.__repr__(self)})"


def _at(container: Span | None, pos: tuple[int, int] | None) -> Span | None:
    if pos is None or container is None:
        return container
    return Span(container.path, pos[0], pos[1])


def _pos(span: Span | tuple[int, int]) -> tuple[int, int]:
    return (span.line, span.col) if isinstance(span, Span) else span


def _rebuild_dict(items: dict, span: Span | None, keys: dict, values: dict, raw: dict | None) -> PosDict:
    d = PosDict.__new__(PosDict)  # skip __init__: unpickling thousands of these is on the critical path
    dict.update(d, items)
    d.span, d._keys, d._values, d._raw = span, keys, values, raw
    return d


def _rebuild_list(items: list, span: Span | None, spans: list, raw: dict | None) -> PosList:
    lst = PosList.__new__(PosList)
    list.extend(lst, items)
    lst.span, lst._items, lst._raw = span, spans, raw
    return lst


def span_of(value: Any, default: Span | None = None) -> Span | None:
    """The span of a PosDict/PosList, else `default`."""
    return getattr(value, "span", None) or default


def load_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document into plain values with positions.

    Returns (value, diagnostics). On any error diagnostic the value must not be trusted
    (it is None after a syntax error). An empty document gives None.
    """
    # YAML also breaks lines at NEL, LS and PS; a file does not. When those occur, use the
    # Python composer, whose mark.index counts characters, and count lines ourselves.
    odd_breaks = _ODD_BREAKS.search(text) is not None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader if odd_breaks else _PosLoader)
    except yaml.YAMLError as fast_error:
        mark = getattr(fast_error, "problem_mark", None)
        if getattr(fast_error, "problem", None) == "exceeded maximum nesting depth" and mark is not None:
            return None, [_too_deep(Span(path, mark.line + 1 + line_offset, mark.column + 1))]  # libyaml's 1000
        return None, [_syntax_error(text, path, line_offset, fast_error)]
    except RecursionError:  # only the Python composer recurses
        return None, [_too_deep(Span(path, 1 + line_offset, 1))]
    if node is None:
        return None, []
    builder = _Builder(path, line_offset, text if odd_breaks else None, aliases="*" in text)
    try:
        value = builder.build(node)
    except RecursionError:
        return None, [_too_deep(builder.span(node))]
    return value, builder.diagnostics


def _too_deep(span: Span) -> Diagnostic:
    return Diagnostic(Severity.ERROR, "yaml-too-deep", f"YAML nested more than {MAX_DEPTH} levels deep", span,
                      f"ctxgen reads at most {MAX_DEPTH} levels of mappings and lists inside each other")


def _syntax_error(text: str, path: str, line_offset: int, fast_error: yaml.YAMLError) -> Diagnostic:
    # Errors are rare: re-parse with the pure-Python loader, whose messages are clearer and do
    # not depend on whether libyaml is installed, so diagnostics are the same everywhere.
    error = fast_error
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as slow_error:
        error = slow_error
    except RecursionError:  # the Python composer recurses; the C one stops at depth 1000
        pass
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"YAML syntax error: {context}, {problem}" if context else f"YAML syntax error: {problem}"
    unclosed = _unclosed_bracket(context, mark, context_mark)
    if unclosed:
        # `tags: [a, b` then `name: x`: PyYAML stumbles on the next line's ':', but the fault
        # is the '[' that was never closed, where the context mark points.
        if mark.index < len(text.rstrip()):
            message += f" (on line {mark.line + 1 + line_offset})"
        mark = context_mark
    elif mark is None or (context_mark is not None and mark.index >= len(text.rstrip())):
        mark = context_mark or mark  # "unexpected end": where the unclosed thing began helps more
    if mark is None:
        return Diagnostic(Severity.ERROR, "yaml-syntax", message, Span(path, 1 + line_offset, 1))
    line, col = _line_col(text, mark) if _ODD_BREAKS.search(text) else (mark.line, mark.column)
    lines = text.split("\n")
    if line >= len(lines):  # error at the very end: point after the last line
        line = max(len(lines) - 1, 0)
        col = len(lines[line]) if lines else 0
    return Diagnostic(
        Severity.ERROR,
        "yaml-syntax",
        message,
        Span(path, line + 1 + line_offset, col + 1),
        _hint(problem, lines[line] if lines else "", col, unclosed),
    )


def _unclosed_bracket(context: str | None, mark: Any, context_mark: Any) -> str | None:
    """'[' or '{' when the error is a flow collection left open: the problem is past its line
    (or at the end of the text), so the opening bracket is where to look."""
    if not context or mark is None or context_mark is None or mark.line <= context_mark.line:
        return None
    if "flow sequence" in context:
        return "["
    if "flow mapping" in context:
        return "{"
    return None


_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


def _line_col(text: str, mark: Any) -> tuple[int, int]:
    """0-based line and column of a mark, counting only \\n as a line break."""
    index = min(mark.index, len(text))
    return text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)


def _hint(problem: str, source_line: str, col: int, unclosed: str | None = None) -> str:
    if unclosed:
        what, closer = ("list", "]") if unclosed == "[" else ("mapping", "}")
        advice = f"this '{unclosed}' is never closed: end the {what} with '{closer}' (or quote the value)"
    elif "\t" in source_line or "'\\t'" in problem:
        advice = "YAML indentation must use spaces, not tabs"
    elif problem.endswith(("but found ']'", "but found '}'")):
        advice = f"an extra '{problem[-2]}' here: remove it, or quote the value"
    elif "mapping values are not allowed" in problem:
        advice = 'quote a value that contains ": " (title: "a: b")'
    else:
        advice = "check the YAML near here"
    shown = source_line.replace("\t", " ")  # one column per character keeps the caret aligned
    if len(shown) > 80:  # a window around the caret
        start = max(col - 40, 0)
        shown, col = shown[start:start + 80], col - start
    return f"{advice}\n    {shown}".rstrip() + f"\n    {' ' * col}^"


class _Builder:
    """Turns a composed node graph into PosDict/PosList/scalars, collecting diagnostics."""

    def __init__(self, path: str, line_offset: int, text: str | None = None, aliases: bool = True) -> None:
        self.path = path
        self.line_offset = line_offset
        self.text = text  # set when marks' lines cannot be trusted (see load_yaml)
        self.aliases = aliases  # False when the text has no '*': then every node is reached once
        self.diagnostics: list[Diagnostic] = []
        self._done: dict[int, Any] = {}  # node id -> value, so aliases share (no billion laughs)
        self._active: set[int] = set()  # nodes being built, to catch recursive aliases
        self.depth = 0  # mappings and lists being built, one inside the other
        self._constructor = SafeConstructor()

    def span(self, node: Node) -> Span:
        return Span(self.path, *self.pos(node))

    def pos(self, node: Node) -> tuple[int, int]:
        mark = node.start_mark
        if self.text is not None:
            line, col = _line_col(self.text, mark)
            return (line + 1 + self.line_offset, col + 1)
        return (mark.line + 1 + self.line_offset, mark.column + 1)

    def error(self, code: str, message: str, node: Node, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, code, message, self.span(node), hint))

    def build(self, node: Node) -> Any:
        if node.__class__ is ScalarNode:  # most nodes: no alias bookkeeping needed
            return node.value if node.tag == _STR else self.scalar(node)
        if self.depth >= MAX_DEPTH:
            if not any(d.code == "yaml-too-deep" for d in self.diagnostics):  # once, at the first
                self.diagnostics.append(_too_deep(self.span(node)))
            return None
        self.depth += 1
        try:
            return self.collection(node)
        finally:
            self.depth -= 1

    def collection(self, node: Node) -> Any:
        if not self.aliases:  # a tree: nothing to share, no cycle to catch
            return self.mapping(node) if isinstance(node, MappingNode) else self.sequence(node)
        key = id(node)
        if key in self._done:
            return self._done[key]
        if key in self._active:
            self.error("yaml-recursive", "recursive YAML alias (an anchor used inside itself)", node)
            return None
        self._active.add(key)
        if isinstance(node, MappingNode):
            value = self.mapping(node)
        else:
            value = self.sequence(node)
        self._active.discard(key)
        self._done[key] = value
        return value

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        construct = _SCALARS.get(tag)
        if construct is None:
            self.bad_tag(node)
            return node.value
        try:
            return construct(self._constructor, node)
        except (ValueError, ConstructorError, OverflowError, AttributeError, KeyError):  # KeyError: `!!bool maybe`
            what = _TYPE_NAMES.get(tag, tag)
            self.diagnostics.append(Diagnostic(
                Severity.WARNING, "yaml-value",
                f"could not read {cut(node.value)!r} as {what}; kept as text", self.span(node),
                "quote it to make it text"))
            return node.value

    # sequence() and mapping() run for every item, key and value: a plain text scalar (most of
    # them) is taken as it is, without a build() call, and positions are read from the marks
    # inline unless the text has odd line breaks (then pos() counts lines itself).
    def sequence(self, node: SequenceNode) -> PosList:
        if node.tag not in _SEQUENCE_TAGS:
            self.bad_tag(node)
        out = PosList(span=self.span(node))
        spans = out._items
        base = None if self.text is not None else 1 + self.line_offset
        for index, item in enumerate(node.value):
            value = item.value if item.__class__ is ScalarNode and item.tag == _STR else self.build(item)
            out.append(value)
            if base is None:
                spans.append(self.pos(item))
            else:
                mark = item.start_mark
                spans.append((mark.line + base, mark.column + 1))
            if value.__class__ is not str and _read_as_non_text(value, item):
                if out._raw is None:
                    out._raw = {}
                out._raw[index] = item.value
        return out

    def mapping(self, node: MappingNode) -> PosDict:
        if node.tag not in _MAPPING_TAGS:
            self.bad_tag(node)
        out = PosDict(span=self.span(node))
        keys, values = out._keys, out._values
        base = None if self.text is not None else 1 + self.line_offset
        merged: list[PosDict] = []
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag == _MERGE:
                merged.extend(self.merge_sources(value_node))
                continue
            key = key_node.value if key_node.__class__ is ScalarNode and key_tag == _STR else self.build(key_node)
            value = value_node.value if value_node.__class__ is ScalarNode and value_node.tag == _STR else self.build(value_node)
            if key.__class__ is not str:
                try:
                    hash(key)
                except TypeError:
                    self.error("yaml-key", "a mapping key must be a plain value, not a list or mapping", key_node)
                    continue
            if key in out:
                first_line = keys[key][0]
                self.diagnostics.append(Diagnostic(
                    Severity.WARNING, "duplicate-key",
                    f"duplicate key {key!r} (first on line {first_line}); the last one is used",
                    self.span(key_node), "remove one of them"))
            out[key] = value
            if base is None:
                keys[key] = self.pos(key_node)
                values[key] = self.pos(value_node)
            else:
                mark = key_node.start_mark
                keys[key] = (mark.line + base, mark.column + 1)
                mark = value_node.start_mark
                values[key] = (mark.line + base, mark.column + 1)
            if value.__class__ is not str and _read_as_non_text(value, value_node):
                if out._raw is None:
                    out._raw = {}
                out._raw[key] = value_node.value
        for source in merged:  # YAML merge keys: explicit keys win, earlier merges win
            for key, value in source.items():
                if key not in out:
                    out[key] = value
                    keys[key] = source._keys[key]
                    values[key] = source._values[key]
        return out

    def merge_sources(self, node: Node) -> list[PosDict]:
        value = self.build(node)
        items = value if isinstance(value, PosList) else [value]
        sources = [v for v in items if isinstance(v, PosDict)]
        if len(sources) != len(items):
            self.error("yaml-merge", "a merge key '<<' needs a mapping or a list of mappings", node)
        return sources

    def bad_tag(self, node: Node) -> None:
        tag = node.tag
        shown = "!!" + tag[len(_T):] if tag.startswith(_T) else tag
        if tag.startswith(_T + "python/"):
            self.error("yaml-unsafe-tag", f"unsafe YAML tag '{shown}' rejected", node,
                       "ctxgen only reads plain YAML values; remove the tag")
        else:
            self.error("yaml-unknown-tag", f"unsupported YAML tag '{shown}'", node,
                       "remove the tag, or quote the value to make it text")


def _read_as_non_text(value: Any, node: Node) -> bool:
    return isinstance(node, ScalarNode) and not isinstance(value, str) and node.value != ""


_SCALARS = {
    _T + "null": lambda c, n: None,
    _T + "bool": SafeConstructor.construct_yaml_bool,
    _T + "int": SafeConstructor.construct_yaml_int,
    _T + "float": SafeConstructor.construct_yaml_float,
    _T + "timestamp": SafeConstructor.construct_yaml_timestamp,
    _T + "binary": SafeConstructor.construct_yaml_binary,
}
_TYPE_NAMES = {_T + "bool": "a boolean", _T + "int": "an integer", _T + "float": "a number",
               _T + "timestamp": "a date", _T + "binary": "base64 data", _T + "null": "null"}
_SEQUENCE_TAGS = {_T + "seq", _T + "omap", _T + "pairs"}
_MAPPING_TAGS = {_T + "map", _T + "set"}
