"""The load stage alone gives exactly the diagnostics of its invalid-map fixtures.

tests/test_invalid_fixtures.py runs every fixture end to end through `ctxgen check`; this
runs the load-stage ones (load-*, fm-*, config-*) through the loader's own functions, so a
loader regression shows up here with no other stage in the way.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ctxgen.configload import load_config
from ctxgen.diagnostics import Diagnostics
from ctxgen.load import discover, read_sources

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "invalid"
MY_CASES = sorted(p for p in FIXTURES.glob("*") if p.name.startswith(("load-", "fm-", "config-"))
                  and (p / "expected.txt").exists())


def load_stage_lines(map_dir: Path) -> list[str]:
    """What `ctxgen check` would print for the load stage's diagnostics, one line per line."""
    diags = Diagnostics()
    config = load_config(map_dir, diags)
    found = discover(map_dir, config, None, diags)
    for source in read_sources(map_dir, found.sources, config.allow_html, jobs=1, max_bytes=config.max_file_bytes):
        diags.extend(source.diagnostics)
    return "\n".join(d.format() for d in diags.sorted()).splitlines()


def test_there_are_fixtures():
    assert len(MY_CASES) >= 20


@pytest.mark.parametrize("case", MY_CASES, ids=[p.name for p in MY_CASES])
def test_load_fixture(case: Path):
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert load_stage_lines(case / "map") == expected
