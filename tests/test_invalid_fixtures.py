"""Every invalid map under tests/fixtures/invalid/ gives exactly its expected diagnostics.

A fixture is a folder with `map/` and `expected.txt` (the exact diagnostic lines of
`ctxgen check map`), and optionally `args.txt` (extra CLI arguments, one per line).
The exit code must be 1 when an error is expected and 0 otherwise.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from support import REPO, diagnostic_lines, run_ctxgen

FIXTURES = sorted(p for p in (REPO / "tests" / "fixtures" / "invalid").glob("*") if (p / "expected.txt").exists())


@pytest.mark.parametrize("case", FIXTURES, ids=[p.name for p in FIXTURES])
def test_invalid_map_diagnostics(case: Path):
    args = (case / "args.txt").read_text().split() if (case / "args.txt").exists() else []
    proc = run_ctxgen("check", "map", *args, cwd=case)
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert diagnostic_lines(proc.stderr) == expected, proc.stderr
    strict = "--strict" in args
    expect_failure = any("error[" in line or (strict and "warning[" in line) for line in expected)
    assert proc.returncode == (1 if expect_failure else 0), proc.stderr
    assert "Traceback" not in proc.stderr
