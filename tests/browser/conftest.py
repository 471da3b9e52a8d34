"""Browser tests: real headless Chromium (Debian's /usr/bin/chromium) through Playwright.

The built site is served under a sub-path (http://127.0.0.1:PORT/repo/...), as on GitHub Pages,
so every test also checks that the theme's URLs are relative. Every request the page makes is
recorded: none may leave 127.0.0.1.
"""
from __future__ import annotations

import functools
import http.server
import os
import socketserver
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
EXAMPLE_MAP = REPO / "example-map"
SMALL_MAP = Path(__file__).resolve().parent / "maps" / "small"
MATH_MAP = Path(__file__).resolve().parent / "maps" / "math"
SUB_PATH = "repo"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs a real headless Chromium (needs /usr/bin/chromium)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    skip = None
    if not CHROMIUM.exists():
        skip = pytest.mark.skip(reason="browser test: /usr/bin/chromium is not installed (apt-get install chromium)")
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(skip)


def build_site(map_dir: Path, out_dir: Path) -> Path:
    """Build a map into out_dir with `ctxgen build`, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "ctxgen", "build", str(map_dir), "-o", str(out_dir)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONUTF8": "1"},
    )
    assert proc.returncode == 0, f"ctxgen build {map_dir.name} failed:\n{proc.stderr}"
    return out_dir


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@dataclass
class Site:
    """A built site served at http://127.0.0.1:PORT/repo/."""

    dir: Path  # the site's files
    base: str  # URL of the site root, ending in "/"

    def url(self, path: str = "") -> str:
        return self.base + path


def _serve(root: Path) -> tuple[socketserver.TCPServer, int]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture(scope="session")
def vendor_files():
    """The theme's vendored libraries, bundled from node_modules if they are not there yet."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bundle_assets", REPO / "scripts" / "bundle_assets.py")
    bundle_assets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bundle_assets)
    if not all((bundle_assets.VENDOR / n).is_file() for n in bundle_assets.FILES.values()):
        bundle_assets.bundle()
    return bundle_assets.VENDOR


def _serve_map(tmp_path_factory, map_dir: Path, name: str):
    root = tmp_path_factory.mktemp(name)
    site_dir = build_site(map_dir, root / SUB_PATH)
    server, port = _serve(root)
    return server, Site(site_dir, f"http://127.0.0.1:{port}/{SUB_PATH}/")


@pytest.fixture(scope="session")
def small_site(tmp_path_factory, vendor_files):
    server, site = _serve_map(tmp_path_factory, SMALL_MAP, "small-site")
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def math_site(tmp_path_factory, vendor_files):
    server, site = _serve_map(tmp_path_factory, MATH_MAP, "math-site")
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory, vendor_files):
    server, site = _serve_map(tmp_path_factory, EXAMPLE_MAP, "example-site")
    yield site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser test: pip install playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Recorder:
    """What a page did: every request URL, console errors, uncaught exceptions, dialogs."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "STATUS URL" of responses >= 400

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname != "127.0.0.1" and not u.startswith("data:")]

    def assert_clean(self) -> None:
        assert self.failed == []
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.dialogs == []
        assert self.foreign_requests() == []


@pytest.fixture
def page(browser):
    """A fresh page (own context) with a Recorder at page.rec."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    rec = Recorder()
    pg.on("request", lambda r: rec.requests.append(r.url))
    pg.on("console", lambda m: rec.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("response", lambda r: rec.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.on("pageerror", lambda e: rec.page_errors.append(str(e)))

    def on_dialog(d):
        rec.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.rec = rec
    yield pg
    context.close()



GEN_CORPUS = REPO.parent / "shared" / "bench" / "gen_corpus.py"
BIG_N = 10_000
BIG_HOSTILE = '---\ntitle: "<img src=x onerror=alert(1)> Zyzzyva"\ntype: concept\n---\nA hostile title.\n'


@pytest.fixture(scope="session")
def big_site(tmp_path_factory, vendor_files):
    """A generated 10,000-topic map (../shared/bench/gen_corpus.py) plus one topic whose title is
    markup, built once per session and served under the sub-path."""
    root = tmp_path_factory.mktemp("big-site")
    subprocess.run([sys.executable, str(GEN_CORPUS), str(BIG_N), str(root / "corpus"), "--flavours", "ctxgen"],
                   check=True, stdout=subprocess.DEVNULL, timeout=600)
    map_dir = root / "corpus" / "ctxgen"
    (map_dir / "topics" / "zz-hostile.md").write_text(BIG_HOSTILE, encoding="utf-8")
    site_dir = build_site(map_dir, root / "www" / SUB_PATH)
    server, port = _serve(root / "www")
    yield Site(site_dir, f"http://127.0.0.1:{port}/{SUB_PATH}/")
    server.shutdown()
    server.server_close()
