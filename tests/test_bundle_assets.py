"""scripts/bundle_assets.py: exactly the vendor files the theme loads, from node_modules."""
from __future__ import annotations

import importlib.util
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
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(ba.FILES.values()) == sorted(p.name for p in written)
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
