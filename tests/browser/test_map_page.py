"""The map page in a real browser: points from map/points.json, tiles only from the configured server."""
from __future__ import annotations

import json
import re
import shutil
from urllib.parse import urlsplit

import pytest

from views_support import EXAMPLE_MAP, TIMEOUT, VIEWS_MAP, TileServer, build, serve

READY = "#ctx-map[data-ready='true']"


def points_of(site) -> list[dict]:
    return json.loads((site / "map" / "points.json").read_text(encoding="utf-8"))["points"]


def drawn_points(page) -> list[str]:
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT)
    return sorted(page.evaluate("window.ctxgen.mapMarkers.map(m => m.ctxTopic)"))


@pytest.fixture
def tiles():
    server = TileServer()
    yield server
    server.close()


def served(tmp_path_factory, map_dir, name, tiles_url=None):
    src = tmp_path_factory.mktemp(name + "-src") / "map"
    shutil.copytree(map_dir, src)
    if tiles_url:
        with (src / "ctxgen.yaml").open("a", encoding="utf-8") as f:
            f.write(f'\nmap:\n  tiles: "{tiles_url}"\n  attribution: "<b>Test</b> tiles"\n')
    root = tmp_path_factory.mktemp(name)
    site = build(src, root / "repo")
    server, base = serve(root)
    return site, base, server


def test_map_without_tiles_makes_no_outside_request(page, tmp_path_factory, vendor_files):
    site, base, server = served(tmp_path_factory, VIEWS_MAP, "map-plain")
    try:
        page.goto(base + "map.html")
        assert drawn_points(page) == sorted(p["topic"] for p in points_of(site)) == ["hostile", "london"]
        assert page.locator("#ctx-map.ctx-map-plain").count() == 1
        assert page.locator("#ctx-map .leaflet-tile").count() == 0
        # no tiles: a labelled graticule at the zoom's scale, and the points' names shown
        lat_labels = page.locator(".ctx-map-grid-lat").all_inner_texts()
        lon_labels = page.locator(".ctx-map-grid-lon").all_inner_texts()
        assert len(lat_labels) >= 3 and len(lon_labels) >= 3, (lat_labels, lon_labels)
        assert all(re.fullmatch(r"[\d.]+°[NSEW]?", t) for t in lat_labels + lon_labels), (lat_labels, lon_labels)
        names = {p["label"] for p in points_of(site)}
        shown = page.locator(".leaflet-tooltip .ctx-map-tip strong").all_inner_texts()
        assert set(shown) == names
        page.wait_for_load_state("networkidle")
        assert all(u.startswith(base) for u in page.rec.requests if not u.startswith("data:"))
        page.rec.assert_clean()
    finally:
        server.shutdown()


def test_map_with_a_tile_server_fetches_tiles_only_from_it(page, tmp_path_factory, vendor_files, tiles):
    site, base, server = served(tmp_path_factory, VIEWS_MAP, "map-tiles", tiles.template)
    try:
        page.goto(base + "map.html")
        assert drawn_points(page) == ["hostile", "london"]
        page.wait_for_selector("#ctx-map img.leaflet-tile-loaded", timeout=TIMEOUT)
        page.wait_for_load_state("networkidle")
        assert tiles.requests and all(re.fullmatch(r"/tiles/\d+/\d+/\d+\.png", p) for p in tiles.requests)
        others = [u for u in page.rec.requests if not u.startswith(base) and not u.startswith("data:")]
        assert others and all(u.startswith(tiles.origin + "/tiles/") for u in others)
        attribution = page.locator(".leaflet-control-attribution")
        assert "<b>Test</b> tiles" in attribution.inner_text() and attribution.locator("b").count() == 0
        page.rec.assert_clean()  # every request on 127.0.0.1
    finally:
        server.shutdown()


def test_map_tiles_with_leaflets_subdomain_placeholder(page, tmp_path_factory, vendor_files, tiles):
    """`{s}` in the host (https://{s}.tile.example/...) was refused by ctxgen.yaml's check; the map
    fills it with a, b or c, as Leaflet does by default (the browser resolves *.localhost here)."""
    template = tiles.template.replace("//127.0.0.1:", "//{s}.localhost:")
    site, base, server = served(tmp_path_factory, VIEWS_MAP, "map-tiles-s", template)
    try:
        page.goto(base + "map.html")
        page.wait_for_selector("#ctx-map img.leaflet-tile-loaded", timeout=TIMEOUT)
        page.wait_for_load_state("networkidle")
        hosts = {urlsplit(u).hostname for u in page.rec.foreign_requests()}
        assert tiles.requests and hosts and hosts <= {"a.localhost", "b.localhost", "c.localhost"}, hosts
        assert page.rec.failed == [] and page.rec.console_errors == [] and page.rec.page_errors == []
    finally:
        server.shutdown()


def test_map_point_shows_markup_as_text_and_opens_its_topic(page, tmp_path_factory, vendor_files):
    site, base, server = served(tmp_path_factory, VIEWS_MAP, "map-click")
    try:
        page.goto(base + "map.html")
        drawn_points(page)
        page.evaluate("window.ctxgen.mapMarkers.find(m => m.ctxTopic === 'hostile').openTooltip()")
        tip = page.locator(".leaflet-tooltip", has_text="onerror")  # names are shown: no tiles
        assert "<img src=x onerror=alert(1)>" in tip.inner_text() and page.locator(".leaflet-tooltip img").count() == 0
        page.evaluate("window.ctxgen.mapMarkers.find(m => m.ctxTopic === 'london').fire('click')")
        page.wait_for_url(re.compile(r"/repo/london/$"), timeout=TIMEOUT)
        page.rec.assert_clean()
    finally:
        server.shutdown()


def test_example_map_shows_every_place(page, tmp_path_factory, vendor_files, tiles):
    site, base, server = served(tmp_path_factory, EXAMPLE_MAP, "example-map", tiles.template)
    try:
        page.goto(base + "map.html")
        expected = sorted(p["topic"] for p in points_of(site))
        assert len(expected) > 10 and drawn_points(page) == expected
        page.wait_for_selector("#ctx-map img.leaflet-tile-loaded", timeout=TIMEOUT)
        assert {urlsplit(u).port for u in page.rec.requests} <= {urlsplit(base).port, urlsplit(tiles.origin).port}
        page.rec.assert_clean()
    finally:
        server.shutdown()
