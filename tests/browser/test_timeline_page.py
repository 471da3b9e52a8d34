"""The timeline page in a real browser: items from timeline/items.json, links, markup shown as text."""
from __future__ import annotations

import json
import re

import pytest

from views_support import EXAMPLE_MAP, TIMEOUT, VIEWS_MAP, build, serve

READY = "#ctx-timeline[data-ready='true']"


@pytest.fixture(scope="module")
def views_site(tmp_path_factory, vendor_files):
    root = tmp_path_factory.mktemp("views-site")
    site = build(VIEWS_MAP, root / "repo")
    server, base = serve(root)
    yield site, base
    server.shutdown()
    server.server_close()


def items_of(site) -> list[dict]:
    return json.loads((site / "timeline" / "items.json").read_text(encoding="utf-8"))["items"]


def drawn_items(page) -> list[str]:
    """The labels of the items vis-timeline has put in the page."""
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT)
    page.evaluate("window.ctxgen.timeline.fit({animation: false})")
    page.wait_for_timeout(300)
    return page.locator("#ctx-timeline .vis-item .ctx-timeline-label").all_inner_texts()


def test_timeline_shows_points_and_ranges_as_text(page, views_site):
    site, base = views_site
    page.goto(base + "timeline.html")
    labels = drawn_items(page)
    assert sorted(labels) == sorted(i["label"] for i in items_of(site))
    assert "<img src=x onerror=alert(1)>" in labels
    assert page.locator("#ctx-timeline img").count() == 0
    assert page.locator("#ctx-timeline .vis-item.vis-range").count() == 3  # born-died ×2, reign
    assert page.locator("#ctx-timeline .vis-item.vis-point").count() == 2  # founded, published
    page.rec.assert_clean()


def test_timeline_item_opens_its_topic(page, views_site):
    _, base = views_site
    page.goto(base + "timeline.html")
    drawn_items(page)
    page.locator("#ctx-timeline .vis-item", has_text="London").first.click()
    page.wait_for_url(re.compile(r"/repo/london/$"), timeout=TIMEOUT)
    page.rec.assert_clean()


def test_nav_links_the_views_only_when_they_have_items(page, views_site):
    site, base = views_site
    page.goto(base)
    nav = page.locator(".ctx-nav").inner_text()
    assert "Timeline" in nav and "Map" in nav
    page.rec.assert_clean()


def test_example_timeline_shows_every_item(page, tmp_path_factory, vendor_files):
    root = tmp_path_factory.mktemp("example-views")
    site = build(EXAMPLE_MAP, root / "repo")
    server, base = serve(root)
    try:
        page.goto(base + "timeline.html")
        labels = drawn_items(page)
        expected = [i["label"] for i in items_of(site)]
        assert len(expected) > 10 and sorted(labels) == sorted(expected)
        assert "Charles Babbage" in labels
        page.rec.assert_clean()
    finally:
        server.shutdown()
        server.server_close()
