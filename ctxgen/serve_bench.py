"""The dev server's part of the benchmark: save-to-reload-signal times on a real map.

`bench_serve(map_dir)` copies nothing: it edits a topic of `map_dir` in place and restores it,
so give it a generated map (`python3 ../shared/bench/gen_corpus.py 10000 DIR --flavours ctxgen`).
It starts a real Session (watcher, HTTP server, SSE), opens the edited topic's page, then times
from the write of the file to the moment the reload signal is published, for a body edit and for a
title change (which changes the pages of everything linked to it). Run: python -m ctxgen.serve_bench DIR
"""
from __future__ import annotations

import io
import resource
import sys
import threading
import time
import urllib.request
from pathlib import Path


def _pick_topic(site) -> str:
    """A topic file with a front matter title, some links and some backlinks (an ordinary one)."""
    index = site.state.renderer.index
    best = None
    for tid, t in sorted(index.topics.items()):
        if not t.source or not t.source.endswith(".md") or "title:" not in (site.map_dir / t.source).read_text()[:400]:
            continue
        back = len(index.backlinks.get(tid, {}))
        if 5 <= back <= 60:
            return t.source
        best = best or t.source
    return best


def _timed_save(session, path: Path, text: str, timeout: float = 60.0) -> tuple[float, object]:
    events = session.server.events
    sent = events.sent
    n = len(session.rebuilds)
    t0 = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    deadline = time.monotonic() + timeout
    while events.sent == sent and time.monotonic() < deadline:
        time.sleep(0.001)
    t1 = events.last_sent_at
    session.wait_rebuilds(n + 1, timeout=5)
    return (t1 - t0) * 1000, session.rebuilds[-1]


def bench_serve(map_dir: Path, repeats: int = 3, out=sys.stderr) -> dict:
    """{'startup_s', 'body_edit_ms', 'title_change_ms', 'max_rss_mb', ...} for the map in map_dir."""
    from .serve import Session

    map_dir = Path(map_dir)
    t0 = time.perf_counter()
    session = Session(map_dir, "127.0.0.1", 0, out=io.StringIO())
    session.start()
    startup = time.perf_counter() - t0
    loop = threading.Thread(target=session.run, daemon=True)
    loop.start()
    rel = _pick_topic(session.site)
    path = map_dir / rel
    original = path.read_text(encoding="utf-8")
    tid = next(t.id for t in session.site.state.tm.topics.values() if t.source == rel)
    url = session.url() + tid + "/"
    try:
        urllib.request.urlopen(url, timeout=60).read()  # the page is open in a tab
        body_ms, title_ms, body_full, title_full = [], [], [], []
        for i in range(repeats):
            ms, r = _timed_save(session, path, original + f"\nEdited body, take {i}.\n")
            body_ms.append(ms)
            body_full.append(r.full)
            urllib.request.urlopen(url, timeout=60).read()
        _timed_save(session, path, original)  # back to the original body: the title edits change only the title
        urllib.request.urlopen(url, timeout=60).read()
        for i in range(repeats):
            lines = original.split("\n")
            k = next(j for j, line in enumerate(lines) if line.startswith("title:"))
            lines[k] = f'title: "Renamed topic {i}"'
            ms, r = _timed_save(session, path, "\n".join(lines))
            title_ms.append(ms)
            title_full.append(r.full)
            urllib.request.urlopen(url, timeout=60).read()
    finally:
        path.write_text(original, encoding="utf-8")
        time.sleep(0.5)
        session.stop()
    result = {
        "topics": len(session.site.state.renderer.index.topics),
        "edited": rel,
        "startup_s": round(startup, 2),
        "body_edit_ms": round(sorted(body_ms)[len(body_ms) // 2], 1),
        "body_edit_all_ms": [round(x, 1) for x in body_ms],
        "body_edit_full_rebuild": any(body_full),
        "title_change_ms": round(sorted(title_ms)[len(title_ms) // 2], 1),
        "title_change_all_ms": [round(x, 1) for x in title_ms],
        "title_change_full_rebuild": any(title_full),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(f"serve: {result}", file=out)
    return result


if __name__ == "__main__":
    bench_serve(Path(sys.argv[1]))
