"""Benchmark search (and the timeline/map JSON) on generated maps of 1,000 and 10,000 topics.

    .venv/bin/python scripts/bench_search.py [--sizes 1000,10000] [--work /tmp/ctxgen-bench-search]
                                             [--pagefind PYTHON]   # a python with `pagefind[extended]`

For each size: generates the corpus (../shared/bench/gen_corpus.py N DIR --flavours ctxgen),
builds it with `ctxgen build`, then reports
- the build-time cost of search indexing (CPU seconds of searchindex.search_files on the loaded
  map, and of the timeline and map JSON), the index's files and bytes;
- in headless Chromium (/usr/bin/chromium via Playwright, site served under /repo/ on 127.0.0.1):
  bytes downloaded and time until results show for queries typed into the search box, cold
  (first query of a page: manifest included) and warm;
- with --pagefind: the same for Pagefind over the built HTML (indexing wall/CPU time, bytes,
  time to the first 8 results' data), for comparison.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
CHROMIUM = "/usr/bin/chromium"
QUERIES = ["queue inventory", "static", "schema backup", "recursive energy"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def serve(root: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/repo/"


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def generate_and_build(n: int, work: Path) -> tuple[Path, Path, dict]:
    corpus = work / f"c{n}"
    if not (corpus / "ctxgen").is_dir():
        subprocess.run([sys.executable, str(GEN), str(n), str(corpus), "--flavours", "ctxgen"], check=True,
                       stdout=subprocess.DEVNULL)
    site = work / f"s{n}" / "repo"
    shutil.rmtree(site.parent, ignore_errors=True)
    cpu0, t0 = children_cpu(), time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "ctxgen"), "build", str(corpus / "ctxgen"), "-o", str(site), "-q"],
                   check=True)
    return corpus / "ctxgen", site, {"build_wall_s": round(time.perf_counter() - t0, 2),
                                     "build_cpu_s": round(children_cpu() - cpu0, 2)}


def indexing_cost(map_dir: Path) -> dict:
    import ctxgen
    from ctxgen import geomap, searchindex, timeline

    result = ctxgen.load_map(map_dir)
    tm, config = result.topic_map, result.config
    out = {}
    for name, fn in (("search", searchindex.search_files), ("timeline", timeline.timeline_files),
                     ("map", geomap.map_files)):
        t0 = time.process_time()
        files = fn(tm, config)
        out[f"{name}_cpu_s"] = round(time.process_time() - t0, 3)
        out[f"{name}_files"] = len(files)
        out[f"{name}_bytes"] = sum(len(v) for v in files.values())
    return out


def browser_queries(base: str, pagefind: bool) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for cold in (True, False):
            sizes: list[int] = []
            times: list[float] = []  # from typing to results, seen from Playwright
            inpage: list[float] = []  # the same, measured by search.js (input event to results drawn)
            context = browser.new_context()
            page = context.new_page()
            got: list[int] = []
            page.on("requestfinished", lambda r: got.append((r.sizes() or {}).get("responseBodySize", 0))
                    if "/search/" in r.url else None)
            page.goto(base)
            box = page.locator("#ctx-search-input")
            if not cold:  # warm: the manifest is loaded by a first query
                box.focus()
                box.fill("warm up")
                page.wait_for_function("document.getElementById('ctx-search-results').dataset.ms", timeout=60_000)
            for q in QUERIES:
                if cold:
                    page.goto(base)
                    box = page.locator("#ctx-search-input")
                got.clear()
                page.evaluate("delete document.getElementById('ctx-search-results').dataset.ms")
                box.focus()
                t0 = time.perf_counter()
                box.fill(q)  # one input event: the whole query at once (as a paste)
                page.wait_for_function("document.getElementById('ctx-search-results').dataset.ms", timeout=60_000)
                times.append((time.perf_counter() - t0) * 1000)
                inpage.append(float(page.evaluate("document.getElementById('ctx-search-results').dataset.ms")))
                page.wait_for_load_state("networkidle")
                sizes.append(sum(got))
            key = "cold" if cold else "warm"
            out[f"{key}_ms_max"] = round(max(times))
            out[f"{key}_ms_median"] = round(sorted(times)[len(times) // 2])
            out[f"{key}_inpage_ms_median"] = round(sorted(inpage)[len(inpage) // 2])
            out[f"{key}_bytes_max"] = max(sizes)
            context.close()
        if pagefind:
            context = browser.new_context()
            page = context.new_page()
            got = []
            page.on("requestfinished", lambda r: got.append((r.sizes() or {}).get("responseBodySize", 0))
                    if "/pagefind/" in r.url else None)
            times, sizes = [], []
            for q in QUERIES:
                page.goto(base)
                got.clear()
                ms = page.evaluate("""async (q) => {
                    const t0 = performance.now();
                    const pf = await import('./pagefind/pagefind.js');
                    await pf.init();
                    const s = await pf.search(q);
                    await Promise.all(s.results.slice(0, 8).map(r => r.data()));
                    return performance.now() - t0; }""", q)
                page.wait_for_load_state("networkidle")
                times.append(ms)
                sizes.append(sum(got))
            out["pagefind_cold_ms_max"] = round(max(times))
            out["pagefind_cold_ms_median"] = round(sorted(times)[len(times) // 2])
            out["pagefind_cold_bytes_max"] = max(sizes)
            context.close()
        browser.close()
    return out


def run_pagefind(python: str, site: Path) -> dict:
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    cpu0, t0 = children_cpu(), time.perf_counter()
    subprocess.run([python, "-m", "pagefind", "--site", str(site)], check=True, stdout=subprocess.DEVNULL)
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {"pagefind_wall_s": round(time.perf_counter() - t0, 2), "pagefind_cpu_s": round(children_cpu() - cpu0, 2),
            "pagefind_files": len(files), "pagefind_bytes": sum(p.stat().st_size for p in files)}


def bench(n: int, work: Path, pagefind: str | None = None) -> dict:
    map_dir, site, figures = generate_and_build(n, work)
    figures = {"topics": n, **figures, **indexing_cost(map_dir)}
    if pagefind:
        figures.update(run_pagefind(pagefind, site))
    server, base = serve(site.parent)
    try:
        figures.update(browser_queries(base, bool(pagefind)))
    finally:
        server.shutdown()
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--work", default="/tmp/ctxgen-bench-search")
    ap.add_argument("--pagefind", help="a Python interpreter that has pagefind[extended] installed")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for n in (int(x) for x in args.sizes.split(",")):
        print(json.dumps(bench(n, work, args.pagefind)), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUTF8", "1")
    main()
