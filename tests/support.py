"""Shared test helpers: paths and running the CLI as a user types it.

Imported as `from support import ...` (not from conftest: tests/browser has a conftest of its own)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE_MAP = REPO / "example-map"
CORPORA = SHARED / "corpora"


def run_ctxgen(*args: str | os.PathLike, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m ctxgen ARGS` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "ctxgen", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUTF8": "1"},
    )


def diagnostic_lines(stderr: str) -> list[str]:
    """The diagnostic lines of a run's stderr: everything but the closing summary."""
    return [line for line in stderr.splitlines() if not line.startswith("ctxgen: ")]


def problems(stderr: str) -> list[str]:
    """Only the warnings and errors (notes are information, not problems)."""
    return [line for line in diagnostic_lines(stderr) if "warning[" in line or "error[" in line]


def write_files(root: Path, files: dict[str, str]) -> Path:
    """A map folder from {relative path: text}; returns root."""
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def first_lines(result) -> list[str]:
    """Each diagnostic of a load_map result as its first printed line (no hint), sorted."""
    return [d.format().split("\n")[0] for d in result.diagnostics.sorted()]
