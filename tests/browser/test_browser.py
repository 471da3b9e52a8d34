"""The theme's JavaScript in a real browser: graphs, navigation, search, and nothing leaves 127.0.0.1."""
from __future__ import annotations

import json
import re

import pytest

READY = ".ctx-graph[data-ready='true']"
TIMEOUT = 20_000  # ms; the machine may be busy


def graph_json(site, rel: str) -> dict:
    return json.loads((site.dir / rel).read_text(encoding="utf-8"))


def open_graph(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=TIMEOUT)


def drawn_node_ids(page, index: int = 0) -> list[str]:
    """Ids of the nodes the vis Network actually placed on its canvas."""
    return page.evaluate(f"Object.keys(window.ctxgen.graphs[{index}].getPositions()).sort()")


def click_node(page, node_id: str, index: int = 0) -> None:
    """Click a node where vis drew it: stop the physics, map canvas to page coordinates."""
    box = page.evaluate(
        """([i, id]) => {
            const net = window.ctxgen.graphs[i];
            net.stopSimulation();
            net.setOptions({physics: false});
            net.body.container.scrollIntoView({block: "center"});
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const r = net.body.container.getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y, dx: p.x, dy: p.y};
        }""",
        [index, node_id],
    )
    assert page.evaluate(f"window.ctxgen.graphs[{index}].getNodeAt({{x: {box['dx']}, y: {box['dy']}}})") == node_id
    page.mouse.click(box["x"], box["y"])


# --- the small fixture map -----------------------------------------------------------------
def test_topic_page_renders_with_its_graph(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    assert page.locator("h1").first.inner_text().strip() == "Ada Lovelace"
    assert page.locator(".ctx-graph canvas").count() == 1
    expected = sorted(n["id"] for n in graph_json(small_site, "graph/t/ada-lovelace.json")["nodes"])
    assert drawn_node_ids(page) == expected
    assert {"ada-lovelace", "charles-babbage", "notes-on-the-engine", "hostile"} <= set(expected)
    legend = page.locator(".ctx-graph-legend").inner_text()
    assert "Person" in legend and "Work" in legend and "wrote" in legend and "mentions" in legend
    page.rec.assert_clean()


def test_graph_edges_styles(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    edges = page.evaluate(
        "window.ctxgen.graphs[0].body.data.edges.get().map(e => [e.from, e.to, !!e.dashes, e.label || ''])"
    )
    assert ["ada-lovelace", "notes-on-the-engine", False, "wrote"] in edges
    assert ["ada-lovelace", "charles-babbage", True, ""] in edges  # a mention: dashed, no label
    page.rec.assert_clean()


def test_clicking_a_node_opens_its_topic(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    click_node(page, "charles-babbage")
    page.wait_for_url(re.compile(r"/repo/charles-babbage/$"), timeout=TIMEOUT)
    assert page.locator("h1").first.inner_text().strip() == "Charles Babbage"
    page.rec.assert_clean()


def test_node_titles_are_text_not_html(page, small_site):
    open_graph(page, small_site.url("hostile/"))
    title = page.evaluate(
        """() => { const t = window.ctxgen.graphs[0].body.data.nodes.get('hostile').title;
                   return [t instanceof HTMLElement, t.textContent, t.children.length]; }"""
    )
    assert title[0] is True and title[1].startswith("<img src=x onerror=alert(1)> Hostile") and title[2] == 0
    page.mouse.move(10, 10)
    assert page.locator("img[src='x']").count() == 0
    page.rec.assert_clean()  # includes: no alert() dialog


# search: tests/browser/test_search.py


# --- the example map ----------------------------------------------------------------------
def test_example_global_graph_draws_every_node(page, example_site):
    open_graph(page, example_site.url("graph.html"))
    expected = sorted(n["id"] for n in graph_json(example_site, "graph/all.json")["nodes"])
    assert len(expected) > 20
    assert drawn_node_ids(page) == expected
    page.rec.assert_clean()


@pytest.mark.parametrize("path", ["", "names.html", "tags.html", "search.html"])
def test_example_pages_stay_on_the_site(page, example_site, path):
    page.goto(example_site.url(path))
    page.wait_for_load_state("networkidle")
    assert page.rec.requests and all(u.startswith(example_site.base) for u in page.rec.requests)
    page.rec.assert_clean()


def test_example_topic_pages_draw_their_neighbourhood(page, example_site):
    files = sorted((example_site.dir / "graph" / "t").rglob("*.json"))
    # the three most connected topics: the most likely to hit the neighbourhood cap
    by_size = sorted(files, key=lambda p: (-len(json.loads(p.read_text())["nodes"]), str(p)))[:3]
    for path in by_size:
        topic_id = path.relative_to(example_site.dir / "graph" / "t").with_suffix("").as_posix()
        open_graph(page, example_site.url(f"{topic_id}/"))
        assert drawn_node_ids(page) == sorted(n["id"] for n in json.loads(path.read_text())["nodes"])
    page.rec.assert_clean()


def test_graph_follows_dark_mode(browser, small_site):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        pg = context.new_page()
        open_graph(pg, small_site.url("ada-lovelace/"))
        colours[scheme] = pg.evaluate(
            """() => [getComputedStyle(document.documentElement).getPropertyValue('--ctx-text').trim(),
                      window.ctxgen.graphs[0].body.data.nodes.get('ada-lovelace').font.color]"""
        )
        context.close()
    for css_text, font_color in colours.values():
        assert css_text and font_color == css_text
    assert colours["light"][1] != colours["dark"][1]


# --- a hand-made page on the DOM contract (docs/themes.md) -----------------------------------
def test_a_huge_graph_draws_its_most_connected_nodes(page, browser, tmp_path, vendor_files):
    import random
    import shutil

    from conftest import REPO, _serve

    site = tmp_path / "repo"
    shutil.copytree(vendor_files, site / "static" / "vendor")
    shutil.copytree(REPO / "themes" / "default" / "static" / "js", site / "static" / "js")
    rnd = random.Random(5)
    n = 2000
    nodes = [{"id": f"t{i}", "label": f"Topic {i}", "kind": "topic", "type": "", "group": "untyped",
              "color": "#8a8f98", "shape": "dot", "url": f"t{i}/", "degree": 0} for i in range(n)]
    edges = []
    for i in range(n):
        j = min(int(rnd.paretovariate(1.2)) - 1, n - 1)
        if j != i:
            edges.append({"from": f"t{i}", "to": f"t{j}", "kind": "mention"})
    for e in edges:
        nodes[int(e["from"][1:])]["degree"] += 1
        nodes[int(e["to"][1:])]["degree"] += 1
    legend = {"topic_types": [{"id": "", "label": "untyped", "color": "#8a8f98", "shape": "dot"}],
              "association_types": []}
    (site / "graph").mkdir()
    (site / "graph" / "all.json").write_text(json.dumps(
        {"version": 1, "focus": "", "truncated": False, "nodes": nodes, "edges": edges, "legend": legend}))
    (site / "graph.html").write_text(
        '<!DOCTYPE html><html data-root="./"><head><meta charset="utf-8"><title>t</title><link rel="icon" href="data:,"></head><body>'
        '<input id="ctx-search-input" type="search"><ol id="ctx-search-results"></ol>'
        '<div class="ctx-graph" data-graph-src="./graph/all.json" data-focus="" style="height:600px"></div>'
        '<script src="./static/vendor/vis-network.min.js"></script><script src="./static/js/ctxgen.js"></script>'
        "</body></html>")
    server, port = _serve(tmp_path)
    try:
        page.goto(f"http://127.0.0.1:{port}/repo/graph.html")
        page.wait_for_selector(READY, state="attached", timeout=60_000)
        drawn = drawn_node_ids(page)
        ranked = sorted(nodes, key=lambda x: (-x["degree"], x["id"]))
        assert sorted(drawn) == sorted(x["id"] for x in ranked[:1500])
        assert "most connected of 2000" in page.locator(".ctx-graph-legend").inner_text()
        page.rec.assert_clean()
    finally:
        server.shutdown()
        server.server_close()
