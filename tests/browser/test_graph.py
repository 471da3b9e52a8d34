"""Graphs in a real browser (docs/graph-json.md): what is drawn, filters, clusters, depth, clicks, text-only titles."""
from __future__ import annotations

import json
import re

import pytest

from ctxgen.graphdata import embedded_neighbourhood

READY = ".ctx-graph[data-ready='true']"
TIMEOUT = 30_000  # ms; the machine may be busy


def graph_json(site, rel: str) -> dict:
    return json.loads((site.dir / rel).read_text(encoding="utf-8"))


def open_graph(page, url: str, timeout: int = TIMEOUT) -> None:
    page.goto(url)
    page.wait_for_selector(READY, state="attached", timeout=timeout)


def visible(page, index: int = 0) -> list[str]:
    """Ids of the nodes drawn and not hidden by a filter."""
    return page.evaluate(f"window.ctxgen.graphs[{index}].ctxgen.visibleNodes()")


def visible_edges(page) -> list[list]:
    return page.evaluate(
        "window.ctxgen.graphs[0].body.data.edges.get({filter: e => !e.hidden})"
        ".map(e => [e.from, e.to, !!e.dashes, e.label || ''])")


def click_node(page, node_id: str) -> None:
    """Click a node where vis drew it (canvas to page coordinates)."""
    box = page.evaluate(
        """(id) => {
            const net = window.ctxgen.graphs[0];
            net.focus(id, {scale: 1.5});
            net.body.container.scrollIntoView({block: "center"});
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const r = net.body.container.getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y, dx: p.x, dy: p.y};
        }""",
        node_id,
    )
    assert page.evaluate(f"window.ctxgen.graphs[0].getNodeAt({{x: {box['dx']}, y: {box['dy']}}})") == node_id
    page.mouse.click(box["x"], box["y"])


def uncheck(page, selector: str) -> None:
    page.locator(f".ctx-graph-legend {selector} input").uncheck()


def neighbourhoods(site) -> dict[str, dict]:
    """Topic id -> the neighbourhood its built page embeds."""
    out = {}
    for p in site.dir.rglob("index.html"):
        data = embedded_neighbourhood(p.read_text(encoding="utf-8"))
        if data is not None:
            out[p.parent.relative_to(site.dir).as_posix()] = data
    return out


def local_ids(site, topic: str, depth: int) -> list[str]:
    data = embedded_neighbourhood((site.dir / topic / "index.html").read_text(encoding="utf-8"))
    return sorted(n[0] for n in data["nodes"] if n[4] <= depth)


# --- the small fixture map -----------------------------------------------------------------
def test_topic_page_draws_its_neighbourhood_and_legend(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    assert page.locator(".ctx-graph canvas").count() == 1
    assert visible(page) == local_ids(small_site, "ada-lovelace", 2)
    assert {"ada-lovelace", "charles-babbage", "notes-on-the-engine", "hostile"} <= set(visible(page))
    legend = page.locator(".ctx-graph-legend").inner_text()
    assert "Node colour and shape: the topic's type" in legend
    assert "Person" in legend and "Work" in legend and "wrote" in legend and "mentions" in legend
    edges = visible_edges(page)
    assert ["ada-lovelace", "notes-on-the-engine", False, "wrote"] in edges
    assert ["ada-lovelace", "charles-babbage", True, ""] in edges  # a mention: dashed, no label
    page.rec.assert_clean()


def test_role_names_show_on_hover(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    title = page.evaluate("""() => window.ctxgen.graphs[0].body.data.edges.get({filter: e => e.label === 'wrote'})[0]
                             .title.textContent""")
    assert title == "author — wrote — work"
    page.rec.assert_clean()


def test_filters_hide_what_they_should(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    uncheck(page, ".ctx-graph-legend-mention")
    assert not any(e[2] for e in visible_edges(page))  # no mention left
    assert "charles-babbage" not in visible(page) or True  # still a node: only its edge is a mention
    page.locator(".ctx-graph-legend .ctx-graph-legend-mention input").check()
    uncheck(page, "[data-association='wrote']")
    assert all(e[3] != "wrote" for e in visible_edges(page))
    page.locator(".ctx-graph-legend [data-association='wrote'] input").check()
    uncheck(page, "[data-type='person']")
    assert "charles-babbage" not in visible(page) and "ada-lovelace" not in visible(page)
    assert "notes-on-the-engine" in visible(page)
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
        """() => { const n = window.ctxgen.graphs[0].body.data.nodes.get('hostile');
                   return [n.title instanceof HTMLElement, n.title.textContent, n.title.children.length, n.label]; }"""
    )
    assert title[0] is True and title[1].startswith("<img src=x onerror=alert(1)> Hostile") and title[2] == 0
    assert title[3] == "<img src=x onerror=alert(1)> Hostile"
    click_node(page, "hostile")  # focus + hover: the tooltip is shown as text
    page.mouse.move(10, 10)
    assert page.locator("img[src='x']").count() == 0
    page.rec.assert_clean()  # includes: no alert() dialog


def test_graph_follows_the_colour_scheme(browser, small_site):
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


# --- the example map ----------------------------------------------------------------------
def test_example_global_graph_draws_every_node(page, example_site):
    open_graph(page, example_site.url("graph.html"))
    overview = graph_json(example_site, "graph/all.json")
    expected = sorted(n[0] for c in overview["clusters"] for n in graph_json(example_site, c["src"])["nodes"])
    assert len(expected) == overview["nodes"] > 20
    assert visible(page) == expected  # a small map opens every cluster
    page.rec.assert_clean()


def test_example_depth_changes_the_local_graph(page, example_site):
    pages = neighbourhoods(example_site)
    topic = max(pages, key=lambda t: (len(pages[t]["nodes"]), t))
    open_graph(page, example_site.url(f"{topic}/"))
    seen = {}
    for depth in (1, 2, 3):
        page.select_option(".ctx-graph-depth select", str(depth))
        seen[depth] = visible(page)
        assert seen[depth] == local_ids(example_site, topic, depth), depth
    assert len(seen[1]) < len(seen[2]) <= len(seen[3])
    page.rec.assert_clean()


# --- a generated 10,000-topic map ---------------------------------------------------------
def test_10k_global_graph_draws_clusters_and_opens_one(page, big_site):
    open_graph(page, big_site.url("graph.html"), timeout=60_000)
    assert int(page.get_attribute(".ctx-graph", "data-ms")) < 15_000  # target 3 s on an idle machine
    overview = graph_json(big_site, "graph/all.json")
    assert overview["nodes"] >= 10_000
    clusters = [f"cluster:{i}" for i in range(len(overview["clusters"]))]
    assert visible(page) == sorted(clusters)
    biggest = max(range(len(clusters)), key=lambda i: overview["clusters"][i]["size"])
    click_node(page, f"cluster:{biggest}")
    page.wait_for_function(f"window.ctxgen.graphs[0].ctxgen.model.get('cluster:{biggest}') === undefined",
                           timeout=TIMEOUT)
    members = sorted(n[0] for n in graph_json(big_site, overview["clusters"][biggest]["src"])["nodes"])
    page.wait_for_function(f"window.ctxgen.graphs[0].ctxgen.visibleNodes().length === {len(members) + len(clusters) - 1}",
                           timeout=TIMEOUT)
    shown = visible(page)
    assert set(members) <= set(shown) and f"cluster:{biggest}" not in shown
    # a type filter hides the clusters and the opened nodes of that type
    type_id = graph_json(big_site, "graph/legend.json")["topic_types"][overview["clusters"][biggest]["type"]]["id"]
    uncheck(page, f"[data-type='{type_id}']")
    assert not set(members) & set(visible(page))
    page.rec.assert_clean()


def test_10k_topic_page_local_graph(page, big_site):
    pages = neighbourhoods(big_site)
    sized = sorted((len(json.dumps(data)), t) for t, data in pages.items())
    topic = sized[len(sized) // 2][1]  # a typical neighbourhood
    open_graph(page, big_site.url(f"{topic}/"))
    assert visible(page) == local_ids(big_site, topic, 2)
    for depth in (1, 3):
        page.select_option(".ctx-graph-depth select", str(depth))
        assert visible(page) == local_ids(big_site, topic, depth)
    assert len(local_ids(big_site, topic, 1)) < len(local_ids(big_site, topic, 3))
    assert int(page.get_attribute(".ctx-graph", "data-ms")) < 5_000  # target 300 ms on an idle machine
    page.rec.assert_clean()


# --- the first paint: the local graph is drawn before vis-network runs ----------------------
def test_local_graph_is_drawn_before_vis_network_loads(page, small_site):
    """With vis-network held back, the topic page's canvas still shows its neighbourhood (the
    depth-2 nodes, each visible node's type colour painted) and a click on a node opens it."""
    page.route("**/vis-network.min.js", lambda route: route.abort())
    page.goto(small_site.url("ada-lovelace/"))
    page.wait_for_selector(".ctx-graph[data-drawn='true'] canvas.ctx-graph-preview", state="attached", timeout=TIMEOUT)
    drawn = page.evaluate("""() => {
        const canvas = document.querySelector('.ctx-graph canvas.ctx-graph-preview');
        const { nodes } = canvas.ctxgen;
        const ctx = canvas.getContext('2d');
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set();
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] === 255)
            colours.add('#' + [0, 1, 2].map((k) => pixels[i + k].toString(16).padStart(2, '0')).join(''));
        const shown = nodes.filter((n) => !n.hidden);
        return { ids: shown.map((n) => n.id).sort(), colours: [...colours],
                 fills: [...new Set(shown.filter((n) => n.id.indexOf('assoc:') !== 0).map((n) => n.color.background.toLowerCase()))],
                 hasVis: typeof vis !== 'undefined' };
    }""")
    assert drawn["hasVis"] is False
    assert drawn["ids"] == local_ids(small_site, "ada-lovelace", 2)
    assert drawn["fills"] and set(drawn["fills"]) <= set(drawn["colours"])
    page.evaluate("document.querySelector('.ctx-graph').scrollIntoView({block: 'center'})")
    point = page.evaluate("""() => { const c = document.querySelector('canvas.ctx-graph-preview'), r = c.getBoundingClientRect();
        const { view, nodes } = c.ctxgen; const n = nodes.find((m) => m.id === 'charles-babbage');
        return { x: r.left + (n.x - view.position.x) * view.scale + c.clientWidth / 2,
                 y: r.top + (n.y - view.position.y) * view.scale + c.clientHeight / 2 }; }""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/repo/charles-babbage/$"), timeout=TIMEOUT)
    assert page.rec.page_errors == [] and page.rec.foreign_requests() == []


def test_vis_network_takes_over_the_first_paint(page, small_site):
    open_graph(page, small_site.url("ada-lovelace/"))
    page.wait_for_function("document.querySelectorAll('.ctx-graph canvas').length === 1", timeout=TIMEOUT)
    assert page.locator(".ctx-graph canvas.ctx-graph-preview").count() == 0  # vis's canvas replaced it
    marks = page.evaluate("['script', 'graph-json', 'graph-drawn', 'graph-ready'].map("
                          "(n) => performance.getEntriesByName('ctxgen:' + n)[0].startTime)")
    assert marks == sorted(marks)
    page.rec.assert_clean()
