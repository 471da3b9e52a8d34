"""The output folder is replaced wholesale: no folder of the map may be chosen as one (a marker
planted by content included), with or without --force."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import run_ctxgen


@pytest.fixture
def map_dir(tmp_path: Path) -> Path:
    m = tmp_path / "m"
    (m / "docs").mkdir(parents=True)
    (m / "index.md").write_text("# Top\n\nSee ![logo](imgs/logo.png).\n")
    (m / "docs" / "precious.md").write_text("# Precious\n")
    (m / "imgs").mkdir()
    (m / "imgs" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (m / "templates").mkdir()
    (m / "templates" / "topic.html").write_text('{% extends "theme:topic.html" %}')
    (m / ".git").mkdir()
    (m / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return m


def refused(proc) -> bool:
    return proc.returncode == 2 and "error[output-dir]" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("force", [False, True])
def test_a_planted_marker_does_not_license_deleting_markdown(map_dir: Path, force: bool) -> None:
    (map_dir / "docs" / ".ctxgen-site").touch()
    proc = run_ctxgen("build", map_dir, "-o", map_dir / "docs", *(["--force"] if force else []))
    assert refused(proc), proc.stderr
    assert "Markdown files" in proc.stderr
    assert (map_dir / "docs" / "precious.md").read_text() == "# Precious\n"


def test_markdown_deep_inside_a_marked_folder_is_found(map_dir: Path) -> None:
    deep = map_dir / "site" / "a" / "b"
    deep.mkdir(parents=True)
    (map_dir / "site" / ".ctxgen-site").touch()
    (deep / "Notes.MD").write_text("# Notes\n")
    assert refused(run_ctxgen("build", map_dir, "-o", map_dir / "site", "--force"))
    assert (deep / "Notes.MD").exists()


@pytest.mark.parametrize("target", [".git", ".git/hooks", "templates", "templates/new", "imgs"])
def test_map_folders_without_markdown_are_refused_even_with_force(map_dir: Path, target: str) -> None:
    before = sorted(p.relative_to(map_dir).as_posix() for p in map_dir.rglob("*"))
    proc = run_ctxgen("build", map_dir, "-o", map_dir / target, "--force")
    assert refused(proc), proc.stderr
    assert sorted(p.relative_to(map_dir).as_posix() for p in map_dir.rglob("*")) == before


def test_a_site_inside_the_map_is_still_rebuilt_in_place(map_dir: Path) -> None:
    for _ in range(2):  # first into a new folder, then over the site it wrote
        proc = run_ctxgen("build", map_dir, "-o", map_dir / "preview", "--no-cache")
        assert proc.returncode == 0, proc.stderr
    assert (map_dir / "preview" / "index.html").exists()
    (map_dir / "empty").mkdir()
    assert run_ctxgen("build", map_dir, "-o", map_dir / "empty").returncode == 0
    assert (map_dir / "empty" / "imgs" / "logo.png").exists()
