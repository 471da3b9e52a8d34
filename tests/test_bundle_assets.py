"""scripts/bundle_assets.py: exactly the vendor files the theme loads, from node_modules."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("bundle_assets", REPO / "scripts" / "bundle_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_strip_source_map():
    ba = load_script()
    assert ba.strip_source_map("code();\n//# sourceMappingURL=x.js.map\n") == "code();\n"
    assert ba.strip_source_map("code();\n// sourceMappingURL in a comment\n") == "code();\n// sourceMappingURL in a comment\n"


def test_bundle_copies_exactly_the_listed_files(tmp_path):
    ba = load_script()
    if not all((ba.NODE_MODULES / src).is_file() for src in ba.FILES):
        pytest.skip("node_modules not installed (npm ci)")
    written = ba.bundle(tmp_path)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == sorted(ba.FILES.values()) == sorted(p.relative_to(tmp_path).as_posix() for p in written)
    vis = (tmp_path / "vis-network.min.js").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in vis.splitlines()[-1] and len(vis) > 100_000
    for name in ("vis-timeline.min.js", "leaflet.js"):
        assert "sourceMappingURL" not in (tmp_path / name).read_text(encoding="utf-8").splitlines()[-1]
    # The templates load these names (docs/themes.md, timeline.html, map.html).
    templates = REPO / "themes" / "default" / "templates"
    assert "vis-network.min.js" in set(ba.FILES.values())
    assert "static/vendor/vis-timeline.min.js" in (templates / "timeline.html").read_text(encoding="utf-8")
    for name in ("static/vendor/leaflet.js", "static/vendor/leaflet.css"):
        assert name in (templates / "map.html").read_text(encoding="utf-8")


def test_katex_css_finds_every_font_it_names(tmp_path):
    """core.js loads katex/katex.min.css; each url() in it is a bundled file (woff2 only)."""
    ba = load_script()
    if not all((ba.NODE_MODULES / src).is_file() for src in ba.FILES):
        pytest.skip("node_modules not installed (npm ci)")
    ba.bundle(tmp_path)
    css = (tmp_path / "katex" / "katex.min.css").read_text(encoding="utf-8")
    urls = set(re.findall(r"url\(([^)]*)\)", css))
    assert len(urls) == len(ba.KATEX_FONTS)
    assert all((tmp_path / "katex" / u).is_file() and u.endswith(".woff2") for u in urls)
    core = (REPO / "themes" / "default" / "static" / "js" / "core.js").read_text(encoding="utf-8")
    assert '"static/vendor/katex/"' in core and '"katex.min.js"' in core and '"katex.min.css"' in core
