"""Slugs, default topic ids and site paths (ctxgen.ids)."""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctxgen.ids import relative_href, slugify, slugify_path, topic_href, topic_id_for_path, topic_output_path, url_path


@pytest.mark.parametrize("text, slug", [
    ("Ada Lovelace", "ada-lovelace"),
    ("  Hello,   World!  ", "hello-world"),
    ("C++ & Rust", "c-rust"),
    ("already-a-slug", "already-a-slug"),
    ("snake_case name", "snake-case-name"),
    ("Übersicht", "übersicht"),
    ("U\u0308bersicht", "übersicht"),  # NFD from macOS
    ("Straße", "straße"),
    ("日本語 テキスト", "日本語-テキスト"),
    ("Ελληνικά Γράμματα", "ελληνικά-γράμματα"),
    ("♪", "♪"),
    ("🚀 Launch", "🚀-launch"),
    ("İstanbul", "i\u0307stanbul"),
    ("a/b", "a-b"),
    ("+++", "u2b-u2b-u2b"),
    ("", ""),
    ("   ", ""),
])
def test_slugify_examples(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("path, topic_id", [
    ("people/Ada Lovelace.md", "people/ada-lovelace"),
    ("folder/index.md", "folder"),
    ("Folder/Sub/INDEX.MD", "folder/sub"),
    ("index.md", "index"),
    ("notes.md", "notes"),
    ("Übersicht.md", "übersicht"),
    ("U\u0308bersicht.md", "übersicht"),
    ("♪.md", "♪"),
    ("a.b.c.md", "a-b-c"),  # Dendron-style hierarchy names stay one segment
    ("My Folder/My Note.md", "my-folder/my-note"),
])
def test_topic_id_for_path(path, topic_id):
    assert topic_id_for_path(path) == topic_id


def test_site_paths_and_hrefs():
    assert topic_output_path("people/ada") == "people/ada/index.html"
    assert topic_output_path("index") == "index/index.html"  # never the home page
    assert topic_href("übersicht") == "%C3%BCbersicht/"
    assert topic_href("a b/♪") == "a%20b/%E2%99%AA/"
    assert url_path("U\u0308ber/x?.css") == "%C3%9Cber/x%3F.css"  # NFC first


@pytest.mark.parametrize("src, dst, href", [
    ("people/ada/index.html", "places/london/index.html", "../../places/london/"),
    ("index.html", "people/ada/index.html", "people/ada/"),
    ("people/ada/index.html", "index.html", "../../"),
    ("a/index.html", "a/index.html", "./"),
    ("a/b/index.html", "static/x y.css", "../../static/x%20y.css"),
    ("über/index.html", "über/kind/index.html", "kind/"),
])
def test_relative_href(src, dst, href):
    assert relative_href(src, dst) == href


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=400, deadline=None)
@given(_text)
def test_slugify_properties(text):
    slug = slugify(text)
    assert slugify(slug) == slug  # idempotent
    assert "/" not in slug and not slug.startswith("-") and not slug.endswith("-") and "--" not in slug
    assert slug == unicodedata.normalize("NFC", slug)
    assert not any(ch.isspace() for ch in slug)
    if any(ch.isalnum() for ch in text) or text.strip():
        assert slug  # never empty for text that has something in it
    assert slugify(unicodedata.normalize("NFD", text)) == slug  # the same for macOS names


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, min_size=1, max_size=4))
def test_topic_ids_are_slug_paths(segments):
    topic_id = topic_id_for_path("/".join(segments) + ".md")
    assert topic_id and not topic_id.startswith("/") and "//" not in topic_id
    assert slugify_path(topic_id) == topic_id
    href = topic_href(topic_id)
    assert href.isascii() and " " not in href and "?" not in href and "#" not in href
    assert unquote(href) == topic_id + "/"
