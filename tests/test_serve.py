"""`ctxgen serve` against a real server: security answers, served bytes, edits and the reload signal.

Checklist rows 48-59 (../shared/checklists/bad-input.md) each have a test here, named row_NN.
"""
from __future__ import annotations

import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ctxgen import serve_watch
from ctxgen.serve_http import inject, site_path
from ctxgen.serve_site import LiveSite
from test_serve_support import (
    EventLog,
    get,
    raw_request,
    running,
    same_as_built,
    strip_script,
    wait_until,
    write_map,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def small(tmp_path):
    return write_map(tmp_path / "map")


def build(map_dir: Path, out: Path, *extra: str) -> Path:
    proc = subprocess.run([sys.executable, "-m", "ctxgen", "build", str(map_dir), "-o", str(out), "--no-cache", *extra],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out


def page(session, path: str) -> str:
    status, _, body = get(session, path)
    assert status == 200, (path, status)
    return body.decode("utf-8")


# --- row 48: traversal -------------------------------------------------------------------------
TRAVERSALS = [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd", "/..%2f..%2fetc/passwd",
    "/people/..%2f..%2f..%2fetc/passwd", "/%252e%252e/%252e%252e/etc/passwd", "/..%5c..%5cetc%5cpasswd",
    "/people/%00/index.html", "/index.html%00.css", "/./index.html", "/people//ada/", "/%ff%fe",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_site_path_refuses_traversal(target):
    rel = site_path(target, "/")
    assert rel is None or ("%" in rel and ".." not in rel.split("/")), rel


def test_site_path_keeps_ordinary_paths():
    assert site_path("/people/ada/?q=1#x", "/") == "people/ada/"
    assert site_path("/repo/static/style.css", "/repo/") == "static/style.css"
    assert site_path("/static/style.css", "/repo/") is None
    assert site_path("/caf%C3%A9/", "/") == "café/"


def test_row_48_traversal_is_404(small, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (small / "images").mkdir()
    (small / "images" / "ok.png").write_bytes(b"\x89PNG fake")
    (small / "images" / "out.png").symlink_to(secret)  # discovery skips it (symlink-outside)
    with running(small) as s:
        port = s.port
        host = f"127.0.0.1:{port}".encode()
        for target in TRAVERSALS:
            status, _, body = get(s, target)
            assert status == 404, target
            assert b"top secret" not in body and b"root:" not in body
        for line in (b"GET /..\\..\\etc\\passwd HTTP/1.1", b"GET /people\\ada/ HTTP/1.1",
                     b"GET /index.html\x00 HTTP/1.1", b"GET /images/out.png HTTP/1.1"):
            assert raw_request(port, line, host) in (400, 404), line
        assert get(s, "/images/ok.png")[0] == 200
        # an asset replaced by a symlink to outside after the build: still refused when sent
        (small / "images" / "ok.png").unlink()
        (small / "images" / "ok.png").symlink_to(secret)
        status, _, body = get(s, "/images/ok.png")
        assert status == 404 and b"top secret" not in body


# --- rows 49, 50: bind address and Host ----------------------------------------------------------
def test_row_49_default_bind_is_loopback_and_other_addresses_warn(small):
    with running(small) as s:
        assert s.server.server_address[0] == "127.0.0.1"
        assert "exposed" not in s.out.getvalue()
    proc = subprocess.Popen([sys.executable, "-m", "ctxgen", "serve", str(small), "--host", "0.0.0.0", "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()
        assert "warning: serving on 0.0.0.0" in first and "exposed on all interfaces" in first
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


@pytest.mark.parametrize("host,ok", [
    ("127.0.0.1:{port}", True), ("localhost:{port}", True), ("LOCALHOST:{port}", True), ("[::1]:{port}", True),
    ("evil.example:{port}", False), ("127.0.0.1.nip.io:{port}", False), ("127.0.0.1:1", False),
    ("127.0.0.1", False), ("", False), (False, False), ("127.0.0.1:{port}@evil.example", False),
])
def test_row_50_host_header(small, host, ok):
    with running(small) as s:
        h = host.format(port=s.port) if isinstance(host, str) else host
        status, headers, _ = get(s, "/", host=h)
        assert status == (200 if ok else 403)
        status, _, _ = get(s, "/__ctxgen/events", host=h) if not ok else (403, None, None)
        assert status == 403


def test_no_cors_headers(small):
    with running(small) as s:
        for path in ("/", "/graph/all.json", "/search/index.json"):
            _, headers, _ = get(s, path, headers={"Origin": "http://evil.example"})
            assert not any(k.lower().startswith("access-control-") for k in headers)


# --- row 51: port in use ------------------------------------------------------------------------
def test_row_51_port_in_use_suggests_a_port_that_is_free(small):
    with socket.socket() as blocker, socket.socket() as next_one:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        try:  # the next port is taken too: the suggestion must skip it
            next_one.bind(("127.0.0.1", port + 1))
            next_one.listen()
        except OSError:
            pass  # someone else holds it: taken either way
        proc = subprocess.run([sys.executable, "-m", "ctxgen", "serve", str(small), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    suggested = int(proc.stderr.strip().rpartition("--port ")[2])
    assert proc.stderr.strip() == f"ctxgen: error: port {port} in use; try --port {suggested}"
    assert suggested > port + 1


# --- the served site is the built site -------------------------------------------------------------
@pytest.mark.parametrize("base_url,prefix", [(None, "/"), ("https://x.github.io/repo/", "/repo/")])
def test_served_bytes_equal_build_output(small, tmp_path, base_url, prefix):
    out = build(small, tmp_path / "out", *(["--base-url", base_url] if base_url else []))
    with running(small, base_url=base_url) as s:
        if prefix != "/":
            status, headers, _ = get(s, "/")
            assert status in (301, 302) and headers["Location"] == prefix
            assert get(s, "/index.html")[0] == 404  # outside the base path
        files = [f for f in sorted(out.rglob("*")) if f.is_file() and f.name != ".ctxgen-site"]
        assert len(files) > 20
        for f in files:
            rel = f.relative_to(out).as_posix()
            status, headers, body = get(s, prefix + rel)
            assert status == 200, rel
            if rel.endswith(".html"):
                assert body.count(b'<script id="ctxgen-reload">') == 1
                assert body.index(b'<script id="ctxgen-reload">') < body.rindex(b"</body>")
                body = strip_script(body)
            assert same_as_built(s, prefix, body, f.read_bytes()), rel
        status, headers, _ = get(s, prefix + "people/ada")
        assert status == 301 and headers["Location"] == prefix + "people/ada/"


def test_row_59_script_only_in_html():
    script = b"<script>x</script>"
    assert inject(b"<html><body>a</body></html>", script) == b"<html><body>a" + script + b"</body></html>"
    assert inject(b"<p>no end tag", script) == b"<p>no end tag" + script
    assert inject(b"a</BODY>b</body>c", script) == b"a</BODY>b" + script + b"</body>c"


def test_row_59_page_without_body_end_and_non_html(small):
    write_map(small, {"templates/tags.html": "<!doctype html><title>tags</title><p>{{ tags|length }} tags"})
    with running(small) as s:
        status, headers, body = get(s, "/tags.html")
        assert status == 200 and body.endswith(b"</script>") and body.count(b"ctxgen-reload") == 1
        for path in ("/graph/all.json", "/search/index.json", "/static/style.css", "/.nojekyll"):
            status, headers, body = get(s, path)
            assert status == 200 and b"ctxgen-reload" not in body and b"EventSource" not in body
        assert get(s, "/graph/all.json")[1]["Content-Type"] == "application/json"
        json.loads(get(s, "/graph/t/people/ada.json")[2])


# --- edits, creations, deletions, renames ----------------------------------------------------------
def test_body_edit_takes_the_fast_path_and_signals(small):
    with running(small) as s:
        events = EventLog(s)
        assert events.wait_for(lambda m: m["stale"]) is not None
        before = page(s, "/works/engine/")  # embeds ada: shows her Notes section
        page(s, "/people/ada/")
        text = (small / "people/ada.md").read_text().replace("first program", "FIRST PROGRAM EVER")
        text = text.replace("See [[engine]].", "See [[engine]], NOTES EDITED.")  # the section engine embeds
        (small / "people/ada.md").write_text(text)
        msg = events.wait_for(lambda m: m["pages"] and "people/ada/index.html" in m["pages"])
        assert msg is not None and msg["errors"] == []
        r = s.rebuilds[-1]
        assert not r.full and r.what == "people/ada.md edited" and r.how == "body"
        assert "FIRST PROGRAM EVER" in page(s, "/people/ada/")
        assert "works/engine/index.html" in msg["pages"]  # it embeds ada's Notes section
        assert "NOTES EDITED" in page(s, "/works/engine/") and "NOTES EDITED" not in before
        assert re.search(r"ctxgen: people/ada\.md edited: body re-linked in place; \d+ viewed pages? re-rendered, "
                         r"\d+ changed in \d+ ms", s.out.getvalue())
        events.close()


def _diff(a: bytes, b: bytes) -> str:
    import difflib

    return "\n".join(difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(), lineterm="", n=1))


def test_fast_path_matches_a_full_build(small):
    """After body edits that add, move and drop links, and title changes, every page and every
    diagnostic equals a fresh build's."""
    live = LiveSite(small)
    live.initial()
    for path in live.state.renderer.pages():
        live.lookup(path)
    edits = [
        ("people/babbage.md", "Babbage designed the [[engine]].", "Babbage met [[ada]] and [[Person]]. No [[ghost]]."),
        ("people/ada.md", "She met [[babbage]].", "She wrote to [[babbage|Charles]] and about [[engine]]."),
        ("works/engine.md", "![[ada#Notes]]", "[[babbage]] built parts."),
        ("people/babbage.md", "No [[ghost]].", ""),
        ("index.md", "See [[ada]]", "See [[Charles Babbage]], [[Analytical Engine]] and [[ada]]"),
        # title changes: the link by name above stops resolving, then resolves again
        ("people/babbage.md", "title: Charles Babbage", "title: Charles B. Babbage"),
        ("works/engine.md", "title: Analytical Engine", "title: 'Charles Babbage'"),
        ("people/babbage.md", "title: Charles B. Babbage", "title: Charles Babbage"),
    ]
    for rel, old, new in edits:
        p = small / rel
        p.write_text(p.read_text().replace(old, new))
        os.utime(p, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
        r = live.update({rel})
        assert r.ok and not r.full, (rel, r)
        fresh = LiveSite(small)
        fresh.initial()
        assert live.diagnostics == fresh.diagnostics
        for path in fresh.state.renderer.pages():
            got, want = live.lookup(path)[0], fresh.lookup(path)[0]
            assert got == want, (rel, path, _diff(got, want))
        for path in ("graph/all.json", "graph/t/people/ada.json", "search/index.json"):
            assert live.lookup(path) == fresh.lookup(path), (rel, path)


def test_create_delete_rename_update_every_page(small):
    with running(small) as s:
        n = len(s.rebuilds)
        assert "grace" not in page(s, "/names.html")
        (small / "people/grace.md").write_text("---\ntitle: Grace Hopper\ntags: [maths]\n---\nKnew of [[ada]].\n")
        assert s.wait_rebuilds(n + 1)
        assert "Grace Hopper" in page(s, "/people/grace/")
        assert "Grace Hopper" in page(s, "/people/ada/")  # backlink
        assert "Grace Hopper" in page(s, "/names.html") and "Grace Hopper" in page(s, "/tags/maths.html")
        # rename the file: old page gone, new page there, lists updated
        n = len(s.rebuilds)
        os.rename(small / "people/grace.md", small / "people/hopper.md")
        assert s.wait_rebuilds(n + 1)
        assert get(s, "/people/grace/")[0] == 404
        assert "Grace Hopper" in page(s, "/people/hopper/")
        assert "people/hopper/" in page(s, "/people/ada/") and "people/grace/" not in page(s, "/people/ada/")
        # delete: no page left behind, no stale list
        n = len(s.rebuilds)
        (small / "people/hopper.md").unlink()
        assert s.wait_rebuilds(n + 1)
        assert get(s, "/people/hopper/")[0] == 404
        assert get(s, "/graph/t/people/hopper.json")[0] == 404
        for p in ("/names.html", "/tags/maths.html", "/people/ada/", "/search/index.json", "/graph/all.json"):
            assert "Grace Hopper" not in get(s, p)[2].decode(), p
        # a folder rename moves every page in it
        n = len(s.rebuilds)
        os.rename(small / "people", small / "folk")
        assert s.wait_rebuilds(n + 1)
        assert get(s, "/people/ada/")[0] == 404
        assert "Ada Lovelace" in page(s, "/folk/ada/")
        assert "folk/ada/" in page(s, "/works/engine/")


def test_save_by_rename_is_an_edit(small):
    with running(small) as s:
        page(s, "/people/babbage/")
        n = len(s.rebuilds)
        tmp = small / "people/.babbage.md.swp"
        tmp.write_text("---\ntitle: Charles Babbage\ntype: person\n---\nBabbage designed the [[engine]] twice.\n")
        os.replace(tmp, small / "people/babbage.md")
        assert s.wait_rebuilds(n + 1)
        assert wait_until(lambda: "twice" in page(s, "/people/babbage/"))
        assert not s.rebuilds[-1].full


def test_title_change_updates_linking_pages(small):
    with running(small) as s:
        assert "Charles Babbage" in page(s, "/people/ada/")
        n = len(s.rebuilds)
        p = small / "people/babbage.md"
        p.write_text(p.read_text().replace("Charles Babbage", "Charles B. Babbage"))
        assert s.wait_rebuilds(n + 1)
        for path in ("/people/ada/", "/works/engine/", "/names.html", "/people/babbage/"):
            assert "Charles B. Babbage" in page(s, path), path


# --- row 52: bursts ------------------------------------------------------------------------------
def test_row_52_burst_of_200_writes_is_one_rebuild(small):
    with running(small, quiet=0.4) as s:
        n = len(s.rebuilds)
        for i in range(200):
            (small / f"bulk/note-{i:03}.md").parent.mkdir(exist_ok=True)
            (small / f"bulk/note-{i:03}.md").write_text(f"---\ntitle: Bulk {i}\n---\nSee [[ada]].\n")
        assert s.wait_rebuilds(n + 1)
        time.sleep(1.0)
        assert len(s.rebuilds) == n + 1, [r.what for r in s.rebuilds[n:]]
        assert s.rebuilds[-1].what == "200 files added"  # the new folder is not a file
        assert "Bulk 199" in page(s, "/bulk/note-199/")


# --- row 53: an edit during a rebuild ------------------------------------------------------------
def test_row_53_edit_during_rebuild_gives_one_more_rebuild(small):
    with running(small) as s:
        calls = []

        def slow():
            calls.append(1)
            if len(calls) == 1:
                (small / "people/babbage.md").write_text("---\ntitle: Charles Babbage\n---\nSECOND EDIT.\n")
                time.sleep(0.6)

        s.site.before_model = slow
        n = len(s.rebuilds)
        (small / "works/new.md").write_text("---\ntitle: New work\n---\nFIRST EDIT.\n")
        assert s.wait_rebuilds(n + 2)
        assert "FIRST EDIT" in page(s, "/works/new/")
        assert "SECOND EDIT" in page(s, "/people/babbage/")


# --- row 54: a broken file -----------------------------------------------------------------------
def test_row_54_broken_file_keeps_last_good_page_and_overlay(small):
    with running(small) as s:
        events = EventLog(s)
        good = page(s, "/people/babbage/")
        n = len(s.rebuilds)
        (small / "people/babbage.md").write_text("---\ntitle: [unclosed\n---\nBROKEN <script>x</script>\n")
        msg = events.wait_for(lambda m: m["errors"])
        assert msg is not None
        err = msg["errors"][0]
        assert err["file"] == "people/babbage.md" and err["line"] >= 1 and err["severity"] == "error"
        assert not s.rebuilds[-1].ok
        assert page(s, "/people/babbage/") == good  # the last good page, still served
        assert "still serving the last good site" in s.out.getvalue()
        assert "people/babbage.md:" in s.out.getvalue()  # the diagnostic, printed as build does
        (small / "people/babbage.md").write_text("---\ntitle: Charles Babbage\n---\nFIXED.\n")
        msg = events.wait_for(lambda m: m is not msg and not m["errors"] and m["version"] > 1)
        assert msg is not None
        assert "FIXED." in page(s, "/people/babbage/")
        assert s.site.errors == []
        events.close()


# --- row 55: config replaced by rename ------------------------------------------------------------
def test_row_55_config_rename_on_save(small):
    with running(small) as s:
        page(s, "/")
        n = len(s.rebuilds)
        tmp = small / "ctxgen.yaml.tmp~"
        tmp.write_text("title: Renamed title\n")
        os.replace(tmp, small / "ctxgen.yaml")
        assert s.wait_rebuilds(n + 1)
        assert "Renamed title" in page(s, "/") and "Renamed title" in page(s, "/people/ada/")
        assert s.rebuilds[-1].full


def test_template_change_rebuilds_everything(small):
    with running(small) as s:
        page(s, "/tags.html")
        n = len(s.rebuilds)
        write_map(small, {"templates/tags.html": "<!doctype html><body>CUSTOM TAGS</body>"})
        assert s.wait_rebuilds(n + 1)
        assert "CUSTOM TAGS" in page(s, "/tags.html")
        assert "tags.html" in s.rebuilds[-1].changed_pages


# --- row 56: no native events -> polling -----------------------------------------------------------
def test_row_56_inotify_limit_falls_back_to_polling(small, monkeypatch):
    class Exhausted:
        def __init__(self, *a, **k):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(serve_watch, "Observer", Exhausted)
    with running(small) as s:
        assert s.watcher.polling
        assert "polling for changes" in s.out.getvalue() and "warning:" in s.out.getvalue()
        n = len(s.rebuilds)
        (small / "people/ada.md").write_text((small / "people/ada.md").read_text() + "\nPOLLED.\n")
        assert s.wait_rebuilds(n + 1)
        assert "POLLED." in page(s, "/people/ada/")


def test_row_56_poll_flag_forces_polling(small):
    with running(small, poll=True) as s:
        assert s.watcher.polling
        assert type(s.watcher.observer).__name__ == "PollingObserver"


def test_row_56_network_mounts_poll(monkeypatch, small):
    monkeypatch.setattr(serve_watch, "mount_type", lambda p: "nfs4")
    with running(small) as s:
        assert s.watcher.polling and "nfs4 mount" in s.out.getvalue()


# --- row 57: output and ignored folders --------------------------------------------------------------
def test_row_57_output_git_and_swap_files_do_not_rebuild(small):
    with running(small) as s:
        n = len(s.rebuilds)
        for rel in ("_site/index.html", ".git/index", ".git/objects/ab/cd", "people/.ada.md.swp", "people/ada.md~",
                    "4913", ".cache/x", "node_modules/a/b.js", "#people#"):
            (small / rel).parent.mkdir(parents=True, exist_ok=True)
            (small / rel).write_text("x")
        time.sleep(1.0)
        assert len(s.rebuilds) == n
        assert not any(p.name.startswith(".") and "new" in p.name for p in small.iterdir())


# --- row 58: Ctrl-C --------------------------------------------------------------------------------
def _serve_process(map_dir: Path, *extra: str):
    return subprocess.Popen([sys.executable, "-m", "ctxgen", "serve", str(map_dir), "--port", "0", *extra],
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUTF8": "1"})


def test_row_58_ctrl_c_while_serving_exits_cleanly(small):
    before = set(os.listdir(small))
    proc = _serve_process(small)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if "serving http://" in line:
            break
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in "".join(lines) + rest and "ctxgen: stopped" in rest
    assert set(os.listdir(small)) == before


def test_row_58_ctrl_c_during_a_build(tmp_path):
    files = {f"n/t{i:04}.md": f"---\ntitle: T {i}\n---\n[[t{(i + 1) % 600:04}]] and [[t{(i * 7) % 600:04}]]\n"
             for i in range(600)}
    big = write_map(tmp_path / "big", files)
    before = set(os.listdir(big))
    tmp_before = set(os.listdir(os.environ.get("TMPDIR", "/tmp")))
    proc = _serve_process(big)
    time.sleep(1.0)  # inside the initial build
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err
    assert set(os.listdir(big)) == before
    leftover = {n for n in set(os.listdir(os.environ.get("TMPDIR", "/tmp"))) - tmp_before if "ctxgen" in n}
    assert not leftover


def test_cli_serve_prints_url_and_serves(small):
    proc = _serve_process(small)
    try:
        url = None
        for line in proc.stderr:
            m = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if m:
                url = m.group(1)
                break
        assert url
        import urllib.request

        with urllib.request.urlopen(url + "people/ada/", timeout=10) as r:
            assert b"Ada Lovelace" in r.read()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def test_template_error_is_a_500_with_the_diagnostic(small):
    """With no good page to keep (broken from the start): the error as text, and the reload script,
    so the tab shows the page once the template is fixed."""
    write_map(small, {"templates/tags.html": "<!doctype html><body>{{ 1 / 0 }}</body>"})
    with running(small) as s:
        status, headers, body = get(s, "/tags.html")
        assert status == 500 and headers["Content-Type"].startswith("text/html")
        assert b"tags.html" in body and b"division by zero" in body
        assert b'<script id="ctxgen-reload">' in body
        assert get(s, "/people/ada/")[0] == 200
        events = EventLog(s)
        (small / "templates/tags.html").write_text("<!doctype html><body>TAGS</body>")
        assert events.wait_for(lambda m: m["version"] > 1 and m["pages"] is not None and "tags.html" in m["pages"])
        assert strip_script(get(s, "/tags.html")[2]) == b"<!doctype html><body>TAGS</body>"
        events.close()


def test_the_sitemap_note_is_placed_as_a_build_places_it(tmp_path):
    """No ctxgen.yaml: the note has no location (serve used to point at ctxgen.yaml:1:1, a file
    that does not exist); with one, both point at it."""
    from support import run_ctxgen

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# A\n")
    for config in (None, "title: T\n"):
        if config:
            (vault / "ctxgen.yaml").write_text(config)
        live = LiveSite(vault)
        live.initial()
        served = [d.format() for d in live.diagnostics if d.code == "sitemap-skipped"]
        built = [line for line in run_ctxgen("build", vault, "-o", tmp_path / "site").stderr.splitlines()
                 if "sitemap-skipped" in line]
        assert served == built and len(built) == 1
        assert built[0].startswith("ctxgen.yaml:1:1: note" if config else "note[sitemap-skipped]")
