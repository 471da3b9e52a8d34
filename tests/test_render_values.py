"""Occurrence values by datatype, and the URL allow list."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from ctxgen.model import GEO, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_INTEGER, XSD_STRING
from ctxgen.site_paths import href, is_safe_path, root_of, tag_slug
from ctxgen.site_values import format_value, url_kind


def local(v: str) -> str:
    return "../" + v


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "//evil.example/x",
    "file:///etc/passwd", "../../../etc/passwd", "/etc/passwd",
])
def test_unsafe_uris_are_not_linked(value: str) -> None:
    assert url_kind(value) == "unsafe"
    html = str(format_value(value, XSD_ANYURI, local))
    assert "href" not in html and "src" not in html


@pytest.mark.parametrize("value,kind", [
    ("https://example.org/a?b=1#c", "external"), ("mailto:a@example.org", "external"),
    ("images/ada.png", "local"), ("docs/paper.pdf#page=2", "local"),
])
def test_safe_uris(value: str, kind: str) -> None:
    assert url_kind(value) == kind


def test_values_by_datatype() -> None:
    assert str(format_value("1815-12-10", XSD_DATE, local)) == '<time datetime="1815-12-10">10 December 1815</time>'
    assert str(format_value("1815-12-10T14:30:00", XSD_DATETIME, local)) == (
        '<time datetime="1815-12-10T14:30:00">10 December 1815, 14:30</time>')
    assert str(format_value("not a date", XSD_DATE, local)) == '<span class="ctx-date">not a date</span>'
    assert str(format_value("42", XSD_INTEGER, local)) == '<data class="ctx-number" value="42">42</data>'
    assert "51.5074° N, 0.1278° W" in str(format_value("51.5074,-0.1278", GEO, local))
    assert str(format_value("91,0", GEO, local)) == '<span class="ctx-geo">91,0</span>'
    assert str(format_value("images/a.png", XSD_ANYURI, local)).startswith('<a href="../images/a.png"><img ')
    assert str(format_value("<b>", XSD_STRING, local)) == "&lt;b&gt;"


@given(st.text().map(lambda s: "<x" + s))
def test_any_value_is_escaped(value: str) -> None:
    for dt in (XSD_STRING, XSD_ANYURI, XSD_DATE, XSD_DATETIME, XSD_INTEGER, GEO):
        html = str(format_value(value, dt, local))
        assert "<x" not in html  # the theme's markup never has <x: any such tag came from the value


@given(st.text())
def test_tag_paths_never_leave_the_site(tag: str) -> None:
    assert is_safe_path(f"tags/{tag_slug(tag)}.html")


def test_relative_hrefs() -> None:
    assert root_of("index.html") == "./"
    assert root_of("a/b/index.html") == "../../"
    assert href("index.html", "a/b/index.html") == "a/b/"
    assert href("a/b/index.html", "index.html") == "../../"
    assert href("x/index.html", "ü/index.html", "h-1") == "../%C3%BC/#h-1"
    assert href("index.html", "a:b/index.html") == "a%3Ab/"  # never read as a URL scheme


def test_remote_image_occurrences_are_links_not_requests():
    """A site makes no request to another host: an image URL elsewhere is linked, not embedded."""
    from ctxgen.model import XSD_ANYURI
    from ctxgen.site_values import format_value

    remote = str(format_value("https://other.example/a.png", XSD_ANYURI, lambda p: p))
    assert "<img" not in remote and 'href="https://other.example/a.png"' in remote
    local = str(format_value("images/a.png", XSD_ANYURI, lambda p: "../" + p))
    assert '<img class="ctx-occurrence-image" src="../images/a.png"' in local


def test_timeline_labels_occurrence_types_as_topic_pages_do() -> None:
    from ctxgen.config import Config
    from ctxgen.model import Name, Occurrence, Topic, TopicMap
    from ctxgen.site_index import SiteIndex
    from ctxgen.timeline import timeline_items

    tm = TopicMap()
    tm.add_topic(Topic("people/luigi", names=[Name("Luigi Menabrea")],
                       occurrences=[Occurrence("first-lecture", "1840-08-01", datatype=XSD_DATE),
                                    Occurrence("events/talk-given", "1842-01-01", datatype=XSD_DATE)]))
    for implicit in ("first-lecture", "events/talk-given"):  # type topics known only by their ids
        tm.add_topic(Topic(implicit))
    config = Config()
    labels = SiteIndex.build(tm, config, drafts=False).labels
    items = timeline_items(tm, config)
    assert [i["type"] for i in items] == ["first lecture", "talk given"]
    assert [i["type"] for i in items] == [labels[t] for t in ("first-lecture", "events/talk-given")]
