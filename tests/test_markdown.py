"""ctxgen.markdown: bodies to HTML with link holes."""
from __future__ import annotations

from ctxgen.diagnostics import Span
from ctxgen.markdown import fill_holes, render_body

SPAN = Span("notes/a.md", 1)


def render(md: str, **kw):
    body, diags = render_body(md, SPAN, **kw)
    assert diags == []
    return body


def test_plain_paragraph():
    assert render("Hello *world*").html == "<p>Hello <em>world</em></p>\n"


def test_wikilink_becomes_hole_and_is_filled():
    body = render("See [[Ada Lovelace|Ada]].")
    (ref,) = body.links
    assert (ref.target, ref.heading, ref.label, ref.embed, ref.span) == ("Ada Lovelace", None, "Ada", False, Span("notes/a.md", 1, 5))
    html = fill_holes(body, lambda r: "../ada/")
    assert html == '<p>See <a href="../ada/" class="wikilink">Ada</a>.</p>\n'
