"""Render stage: fixture maps rendered page by page against stored expected output.

The expected pages live in tests/fixtures/maps/<name>/expected/. After an intended change to
the theme or the renderer, regenerate them with

    CTXGEN_REGENERATE=1 .venv/bin/pytest tests/test_render.py -q

and review the diff; the test itself always compares.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ctxgen.api import load_map
from ctxgen.diagnostics import Diagnostics
from ctxgen.render import RenderOptions, SiteRenderer

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "maps"
REGENERATE = os.environ.get("CTXGEN_REGENERATE") == "1"


def renderer_for(name: str, **options) -> SiteRenderer:
    map_dir = FIXTURES / name / "map"
    result = load_map(map_dir)
    assert not result.diagnostics.has_errors(), [d.format() for d in result.diagnostics.sorted()]
    # no sources: "recently changed" would depend on the checkout's file times
    opts = RenderOptions(map_dir=map_dir, assets=result.assets, **options)
    return SiteRenderer(result.topic_map, result.config, opts)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if (p / "map").is_dir()))
def test_fixture_pages_match_expected(name: str) -> None:
    renderer = renderer_for(name)
    assert renderer.ok, [d.format() for d in renderer.setup.sorted()]
    expected_dir = FIXTURES / name / "expected"
    pages = renderer.pages()
    if REGENERATE:
        for old in expected_dir.rglob("*.html"):
            old.unlink()
        for page in pages:
            target = expected_dir / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(renderer.render(page))
    stored = sorted(p.relative_to(expected_dir).as_posix() for p in expected_dir.rglob("*.html"))
    assert sorted(pages) == stored
    for page in pages:
        assert renderer.render(page).decode("utf-8") == (expected_dir / page).read_text(encoding="utf-8"), page
