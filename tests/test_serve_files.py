"""The dev server serves the files `ctxgen build` writes, asking the renderer which files it
generates (`SiteRenderer.generated_files`) instead of keeping its own list."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from ctxgen.serve_site import LiveSite
from test_serve_support import get, running, same_as_built, strip_script

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "maps" / "basic" / "map"
BASE = "https://x.github.io/repo/"


@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    """The basic fixture map (timeline, geo map, exports, assets) and its build with a base URL."""
    root = tmp_path_factory.mktemp("basic")
    shutil.copytree(FIXTURE, root / "map")
    proc = subprocess.run([sys.executable, "-m", "ctxgen", "build", str(root / "map"), "-o", str(root / "out"),
                           "--no-cache", "--base-url", BASE], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return root / "map", root / "out"


def _built(out: Path) -> set[str]:
    return {f.relative_to(out).as_posix() for f in out.rglob("*") if f.is_file() and f.name != ".ctxgen-site"}


def test_generated_files_are_what_a_build_writes_besides_pages_static_and_assets(basic):
    map_dir, out = basic
    live = LiveSite(map_dir, base_url=BASE)
    live.initial()
    renderer = live.state.renderer
    generated = renderer.generated_files()
    assert {"timeline", "map", "exports", "graph", "search", "sitemap"} <= set(generated.values())
    rest = _built(out) - set(renderer.pages()) - live.state.static - set(live.state.assets)
    named_by_tasks = {p for p in rest if p.startswith("graph/") or p.startswith("search/")}
    assert rest - named_by_tasks == set(generated) - named_by_tasks
    assert set(generated) <= _built(out)
    bare = LiveSite(map_dir)
    bare.initial()
    assert "sitemap.xml" not in bare.state.renderer.generated_files()  # no base URL, no sitemap


def test_every_built_file_of_the_basic_map_is_served_byte_for_byte(basic):
    map_dir, out = basic
    with running(map_dir, base_url=BASE) as s:
        for rel in sorted(_built(out)):
            status, _, body = get(s, "/repo/" + quote(rel))
            assert status == 200, rel
            want = (out / rel).read_bytes()
            assert same_as_built(s, "/repo/", strip_script(body) if rel.endswith(".html") else body, want), rel
        assert get(s, "/repo/timeline/nothing.json")[0] == 404
