"""Obsidian/Quartz conventions in bodies, on both Markdown paths (the markdown-it-pyrs fast path
in ctxgen.markdown and ctxgen.md_legacy must give the same RenderedBody)."""
from __future__ import annotations

import pytest

import ctxgen.md_legacy as md_legacy
from ctxgen.diagnostics import Span
from ctxgen.markdown import render_body

SPAN = Span("notes/a.md", 1)


def both(md: str, allow_html: bool = False):
    body, diags = render_body(md, SPAN, allow_html)
    assert (body, diags) == md_legacy.render_body(md, SPAN, allow_html)
    assert diags == []
    return body


# --- HTML comments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "md, html",
    [
        ("a <!-- [Plugin Name](link) --> b", "<p>a  b</p>\n"),
        ("<!--\n- [Plugin Name](link)\n-->\n\nafter", "<p>after</p>\n"),
        ("multi <!-- line\ncomment --> end", "<p>multi  end</p>\n"),
        ("<!-- ### Options -->\n\n## Examples", '<h2 id="h-examples">Examples</h2>\n'),
        ("> <!-- q -->\n> text", "<blockquote>\n<p>text</p>\n</blockquote>\n"),
        ("<!--\n\npara [[x]]\n\n-->\nx", "<p>x</p>\n"),
        # like an HTML block, a comment line interrupts a paragraph (here: ends the list)
        ("- NOTE: apply\n<!-- -->\n- one site", "<ul>\n<li>NOTE: apply</li>\n</ul>\n<ul>\n<li>one site</li>\n</ul>\n"),
    ],
)
def test_html_comments_are_removed_with_their_links(md, html):
    body = both(md)
    assert body.html == html
    assert body.links == ()
    assert "Plugin" not in body.text and "<!--" not in body.text


def test_html_comment_hides_its_tags_and_links_but_not_the_rest():
    body = both("text <!-- [[hidden]] #secret --> more #seen [[shown]]")
    assert [r.target for r in body.links] == ["shown"]
    assert body.tags == ("seen",)
    assert body.text == "text more #seen shown"


def test_html_comments_stay_in_code_and_unclosed_ones_stay_text():
    body = both("`<!-- code -->` and\n\n```\n<!-- fenced -->\n```\n\nin HTML <!--\n* END in HTML -->")
    assert body.html == (
        "<p><code>&lt;!-- code --&gt;</code> and</p>\n<pre><code>&lt;!-- fenced --&gt;\n</code></pre>\n"
        "<p>in HTML &lt;!--</p>\n<ul>\n<li>END in HTML --&gt;</li>\n</ul>\n"
    )


def test_with_raw_html_on_comments_pass_through_as_html():
    body = both("a <!-- c --> b\n\n<!--\nblock\n-->\n", allow_html=True)
    assert body.html == "<p>a <!-- c --> b</p>\n<!--\nblock\n-->\n"
