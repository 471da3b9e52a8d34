#!/usr/bin/env python3
"""Graph view benchmark (not a test): layout cost, bytes downloaded, time to draw in Chromium.

    .venv/bin/python scripts/bench_views.py                # 1,000 and 10,000 topics
    .venv/bin/python scripts/bench_views.py --sizes 1000   # quicker
    .venv/bin/python scripts/bench_views.py --site /tmp/site --runs 11   # only the browser phases

For each generated map (../shared/bench/gen_corpus.py N DIR --flavours ctxgen, built with
`ctxgen build`): the CPU time of the layout and of all graph files, the bytes a browser
downloads for the global graph (graph.html's JSON) and for a topic page's local graph, and in
headless Chromium (/usr/bin/chromium via Playwright) the phases of each page from navigation start,
medians of cold loads (`_draw_times`): `local_drawn_ms` is when a topic page's local graph is on
screen (its canvas first paint), `local_ready_ms` when vis-network has taken over, and
`global_drawn_ms` when the global graph has drawn. Targets at 10,000 topics: global graph under
3 s, local graph under 300 ms.

`bench_graph(n, workdir)` returns the figures as a dict, for scripts/bench.py.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import socket
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
CHROMIUM = "/usr/bin/chromium"


def _generate(n: int, root: Path) -> Path:
    target = root / f"views-corpus-{n}"
    if not (target / "ctxgen").is_dir():
        subprocess.run([sys.executable, str(GEN), str(n), str(target), "--flavours", "ctxgen"], check=True,
                       stdout=subprocess.DEVNULL)
    return target / "ctxgen"


def _layout_cost(map_dir: Path) -> dict:
    from ctxgen.api import load_map
    from ctxgen.graphdata import SiteGraph

    loaded = load_map(map_dir, jobs=2)
    t0 = time.process_time()
    g = SiteGraph.build(loaded.topic_map, loaded.config)
    t1 = time.process_time()
    g.lay_out()
    t2 = time.process_time()
    files = {p: g.file(p) for p in g.paths()}
    t3 = time.process_time()
    return {"graph_build_cpu_s": t1 - t0, "layout_cpu_s": t2 - t1, "graph_files_cpu_s": t3 - t2,
            "graph_files_mb": sum(map(len, files.values())) / 1e6, "clusters": len(g.layout.clusters)}


def _sizes(site: Path, topic: str) -> dict:
    def size(rel: str) -> tuple[int, int]:
        data = (site / rel).read_bytes()
        return len(data), len(gzip.compress(data))

    overview = [size("graph/all.json"), size("graph/legend.json")]
    local = [size(f"{topic}/index.html"), size("graph/legend.json")]  # the page embeds its neighbourhood
    locals_ = [len(json.dumps(n, ensure_ascii=False, separators=(",", ":")).encode()) for n in _neighbourhoods(site).values()]
    return {
        "global_bytes": sum(s for s, _ in overview), "global_gzip_bytes": sum(g for _, g in overview),
        "local_bytes": sum(s for s, _ in local), "local_gzip_bytes": sum(g for _, g in local),
        "local_file_median_bytes": int(statistics.median(locals_)), "local_files_total_mb": sum(locals_) / 1e6,
    }


def _serve(root: Path) -> tuple[subprocess.Popen, str]:
    """A static server in its own process (in this one it would compete with Playwright for the GIL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "-b", "127.0.0.1", str(port), "-d", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/"


# Milliseconds from navigation start, read from the page once its graph is ready: the marks of
# ctxgen.js (docs/graph-json.md) and the resource timing of vis-network.
PHASES_JS = """() => {
  const mark = (n) => { const m = performance.getEntriesByName('ctxgen:' + n)[0]; return m ? m.startTime : null; };
  const nav = performance.getEntriesByType('navigation')[0];
  const vis = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/vis-network.min.js'));
  return { html: nav.responseEnd, script: mark('script'), json: mark('graph-json'), drawn: mark('graph-drawn'),
           vis_downloaded: vis ? vis.responseEnd : null, ready: mark('graph-ready'),
           graph: Number(document.querySelector('.ctx-graph').dataset.ms) };
}"""


def _draw_times(root: Path, topic: str, runs: int = 7) -> dict:
    """Medians over `runs` cold page loads (a new browser context each: no cache) of each page, as
    `{global,local}_{phase}_ms`: html (the page received), script (ctxgen.js starts), json (the graph
    JSON parsed), drawn (first on screen: a topic page's canvas preview; the global graph's first
    vis drawing), vis_downloaded, ready (vis-network has drawn: hover, filters, depth work), and
    graph (`data-ms`: from ctxgen.js starting to ready). The machine is shared: use medians."""
    from playwright.sync_api import sync_playwright

    server, origin = _serve(root)
    base = origin + "repo/"
    ready = "document.querySelector('.ctx-graph') && document.querySelector('.ctx-graph').dataset.ready === 'true'"
    pages = {"global": base + "graph.html", "local": base + f"{topic}/"}
    out: dict[str, list[float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
            for run in range(runs + 1):
                for key, url in pages.items():
                    context = browser.new_context(viewport={"width": 1200, "height": 900})
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_function(ready, polling=50, timeout=120_000)
                    phases = page.evaluate(PHASES_JS)
                    context.close()
                    if run == 0:
                        continue  # warms the OS file cache and the server
                    for phase, ms in phases.items():
                        if ms is not None:
                            out.setdefault(f"{key}_{phase}_ms", []).append(ms)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    return {k: round(statistics.median(v)) for k, v in out.items()}


def _neighbourhoods(site: Path) -> dict[str, dict]:
    """Topic id -> the neighbourhood its page embeds (ids live under topics/)."""
    from ctxgen.graphdata import embedded_neighbourhood

    out = {}
    for page in sorted((site / "topics").glob("*/index.html")):
        data = embedded_neighbourhood(page.read_text(encoding="utf-8"))
        if data is not None:
            out[page.parent.relative_to(site).as_posix()] = data
    return out


def median_topic(site: Path) -> str:
    """The id of a topic whose neighbourhood has the median size."""
    sized = sorted((len(json.dumps(n, ensure_ascii=False, separators=(",", ":"))), tid)
                   for tid, n in _neighbourhoods(site).items())
    return sized[len(sized) // 2][1]


def draw_times_for_site(site: Path, runs: int = 7) -> dict:
    """Only the browser phases, for a site already built (served as /repo/ through a symlink)."""
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "repo").symlink_to(site.resolve(), target_is_directory=True)
        return {"topic": median_topic(site), **_draw_times(Path(root), median_topic(site), runs)}


def bench_graph(n: int, workdir: Path) -> dict:
    """Figures for a generated map of n topics (the map and site are kept in workdir)."""
    workdir.mkdir(parents=True, exist_ok=True)
    map_dir = _generate(n, workdir)
    root = workdir / f"views-site-{n}"
    site = root / "repo"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ctxgen", "build", str(map_dir), "-o", str(site), "-q"], check=True,
                   stderr=subprocess.DEVNULL)
    figures = {"topics": n, "build_wall_s": time.perf_counter() - t0}
    figures.update(_layout_cost(map_dir))
    topic = median_topic(site)
    figures.update(_sizes(site, topic))
    figures.update(_draw_times(root, topic))
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ctxgen-bench")
    ap.add_argument("--site", type=Path, help="only time the pages of this built site (no generating or building)")
    ap.add_argument("--runs", type=int, default=7, help="cold page loads per page (medians are reported)")
    args = ap.parse_args()
    if args.site:
        print(json.dumps(draw_times_for_site(args.site, args.runs), indent=1))
        return 0
    for n in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(bench_graph(n, args.workdir), indent=1, default=lambda v: round(v, 3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
