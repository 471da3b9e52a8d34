#!/usr/bin/env python3
"""Graph view benchmark (not a test): layout cost, bytes downloaded, time to draw in Chromium.

    .venv/bin/python scripts/bench_views.py                # 1,000 and 10,000 topics
    .venv/bin/python scripts/bench_views.py --sizes 1000   # quicker

For each generated map (../shared/bench/gen_corpus.py N DIR --flavours ctxgen, built with
`ctxgen build`): the CPU time of the layout and of all graph files, the bytes a browser
downloads for the global graph (graph.html's JSON) and for a topic page's local graph, and in
headless Chromium (/usr/bin/chromium via Playwright) the time from navigation until the global
graph and a topic page's local graph have drawn (`data-ready`; `*_graph_ms`: from ctxgen.js
starting, i.e. the graph's own fetch and draw, `data-ms`). Targets at 10,000 topics:
global graph under 3 s, local graph under 300 ms.

`bench_graph(n, workdir)` returns the figures as a dict, for scripts/bench.py.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
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
    from ctxgen.layout import compute_layout

    loaded = load_map(map_dir, jobs=2)
    t0 = time.process_time()
    g = SiteGraph.build(loaded.topic_map, loaded.config)
    t1 = time.process_time()
    topics = {nid: rec["type"] for nid, rec in g.nodes.items() if rec["kind"] == "topic"}
    compute_layout(topics, {n: g.adjacency[n].keys() for n in topics})
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
    local = [size(f"graph/t/{topic}.json"), size("graph/legend.json")]
    locals_ = [p.stat().st_size for p in (site / "graph" / "t").rglob("*.json")]
    return {
        "global_bytes": sum(s for s, _ in overview), "global_gzip_bytes": sum(g for _, g in overview),
        "local_bytes": sum(s for s, _ in local), "local_gzip_bytes": sum(g for _, g in local),
        "local_file_median_bytes": int(statistics.median(locals_)), "local_files_total_mb": sum(locals_) / 1e6,
    }


def _serve(root: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _draw_times(root: Path, topic: str, runs: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    server = _serve(root)
    base = f"http://127.0.0.1:{server.server_address[1]}/repo/"
    ready = "document.querySelector('.ctx-graph') && document.querySelector('.ctx-graph').dataset.ready === 'true'"
    out: dict[str, list[float]] = {"global_drawn_ms": [], "local_drawn_ms": [], "global_graph_ms": [], "local_graph_ms": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
            for _ in range(runs):
                for key, url in (("global_drawn_ms", base + "graph.html"), ("local_drawn_ms", base + f"{topic}/")):
                    context = browser.new_context(viewport={"width": 1200, "height": 900})
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_function(ready, polling=20, timeout=120_000)
                    # from the start of navigation: HTML, scripts, JSON and the first drawing
                    out[key].append(page.evaluate("performance.now()"))
                    # the graph's own part: from ctxgen.js starting to the first drawing
                    out[key.replace("drawn", "graph")].append(float(page.get_attribute(".ctx-graph", "data-ms")))
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {k: round(statistics.median(v)) for k, v in out.items()}


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
    t_dir = site / "graph" / "t"
    files = sorted(t_dir.rglob("*.json"), key=lambda p: (p.stat().st_size, p.as_posix()))
    # a topic with a neighbourhood file of median size
    topic = files[len(files) // 2].relative_to(t_dir).with_suffix("").as_posix()
    figures.update(_sizes(site, topic))
    figures.update(_draw_times(root, topic))
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ctxgen-bench")
    args = ap.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(bench_graph(n, args.workdir), indent=1, default=lambda v: round(v, 3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
