"""A minimal XML element tree with source positions and xml:base, built with expat.

xml.etree drops line numbers; the XTM readers need them for error messages. Expat never fetches
external DTDs or entities (no handler is installed for them), so reading is offline and safe.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from ..diagnostics import Span
from .errors import TopicMapSyntaxError
from .locators import resolve

XML_BASE = "http://www.w3.org/XML/1998/namespace base"


@dataclass(slots=True)
class Element:
    tag: str  # "namespace local" (expat's form) or "local" when not namespaced
    attrs: dict[str, str]
    base: str  # the effective base IRI (document IRI resolved with every xml:base in scope)
    span: Span
    children: list["Element"] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def ns(self) -> str:
        return self.tag.rpartition(" ")[0]

    @property
    def local(self) -> str:
        return self.tag.rpartition(" ")[2]

    @property
    def text(self) -> str:
        """The element's own character data (not its children's)."""
        return "".join(self.text_parts)

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)

    def find(self, local: str) -> "Element | None":
        for c in self.children:
            if c.local == local:
                return c
        return None

    def findall(self, local: str) -> list["Element"]:
        return [c for c in self.children if c.local == local]


def parse(data: bytes, path: str, base: str) -> Element:
    """The document element of `data`; raises TopicMapSyntaxError for malformed XML."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Element] = []
    root: list[Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        parent_base = stack[-1].base if stack else base
        el_base = resolve(parent_base, attrs[XML_BASE]) if XML_BASE in attrs else parent_base
        el = Element(tag, attrs, el_base, Span(path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text_parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise TopicMapSyntaxError(
            f"malformed XML: {expat.ErrorString(e.code)}", Span(path, e.lineno, e.offset + 1), "xml-syntax"
        ) from None
    return root[0]
