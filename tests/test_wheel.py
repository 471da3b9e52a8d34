"""The wheel carries the themes and the bundled browser libraries, and builds the example map from a clean venv."""
from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from support import EXAMPLE_MAP, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (whl,) = dist.glob("ctxgen-*.whl")
    return whl


def test_wheel_contains_themes_skeleton_and_vendor_assets(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "ctxgen/themes/default/templates/base.html",
        "ctxgen/themes/default/templates/topic.html",
        "ctxgen/themes/default/static/style.css",
        "ctxgen/themes/default/static/js/ctxgen.js",
        "ctxgen/themes/default/static/vendor/vis-network.min.js",
        "ctxgen/themes/default/static/vendor/vis-timeline.min.js",
        "ctxgen/themes/default/static/vendor/leaflet.js",
        "ctxgen/themes/default/static/vendor/leaflet.LICENSE.txt",
        "ctxgen/themes/default/static/vendor/katex/katex.min.js",
        "ctxgen/themes/default/static/vendor/katex/katex.min.css",
        "ctxgen/themes/default/static/vendor/katex/fonts/KaTeX_Main-Regular.woff2",
        "ctxgen/skeleton/ctxgen.yaml",
        "ctxgen/skeleton/.github/workflows/pages.yml",
    ):
        assert required in names, required
    assert not any(n.startswith(("tests/", "example-map/", "node_modules/")) for n in names)


def test_wheel_in_a_clean_venv_builds_the_example_map(wheel: Path, tmp_path: Path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    out = tmp_path / "site"
    proc = subprocess.run(
        [str(env_dir / "bin" / "ctxgen"), "build", str(EXAMPLE_MAP), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "static" / "vendor" / "vis-network.min.js").stat().st_size > 100_000
    assert (out / "static" / "style.css").exists()
    where = subprocess.run([str(py), "-c", "import ctxgen; print(ctxgen.__file__)"], capture_output=True, text=True, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout
