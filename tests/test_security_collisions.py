"""A topic whose page would overwrite, or make a folder of, a file the build generates is an
`output-collision` at the topic's `id:` (exit 1), found before anything is written."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import problems, run_ctxgen


@pytest.mark.parametrize("topic_id, generated", [
    ("index.html", "the home page writes the file index.html"),
    ("search/index.json", "the search index writes the file search/index.json"),
    ("graph/all.json", "the graph index writes the file graph/all.json"),
    ("graph/legend.json", "the graph index writes the file graph/legend.json"),
    ("graph/t/x.json", "the graph index writes the file graph/t/x.json"),  # topic x's neighbourhood
    ("map.jtm", "the map's export map.jtm writes the file map.jtm"),
    ("static/js/core.js", "the theme writes the file static/js/core.js"),
    (".ctxgen-site", "the site marker writes the file .ctxgen-site"),
    (".nojekyll", "generated .nojekyll writes the file .nojekyll"),
])
def test_a_topic_id_naming_a_generated_file_is_a_collision_at_its_id(tmp_path: Path, topic_id: str,
                                                                     generated: str) -> None:
    m = tmp_path / "m"
    m.mkdir()
    (m / "index.md").write_text("# Top\n")
    (m / "x.md").write_text(f"---\ntitle: X\nid: {topic_id}\n---\nhi\n")
    if topic_id == "graph/t/x.json":
        (m / "x.md").write_text("# X\n")
        (m / "y.md").write_text(f"---\ntitle: Y\nid: {topic_id}\n---\nhi\n")
    out = tmp_path / "site"
    proc = run_ctxgen("build", m, "-o", out)
    assert proc.returncode == 1, proc.stderr
    src = "y.md" if topic_id == "graph/t/x.json" else "x.md"
    assert problems(proc.stderr) == [
        f"{src}:3:5: error[output-collision]: topic {topic_id!r} ({src}) writes {topic_id}/index.html, but {generated}"]
    assert not out.exists()


@pytest.mark.parametrize("name", ["search/t/6162.json", "search/n/61.json", "search/d/0.json", "graph/c/0.json"])
def test_a_page_in_a_folder_a_task_fills_when_it_runs_is_a_collision(tmp_path: Path, name: str) -> None:
    m = tmp_path / "m"
    m.mkdir()
    (m / "index.md").write_text("# Top\n\nab ab\n")
    (m / "x.md").write_text(f"---\nid: {name}\n---\nab\n")
    proc = run_ctxgen("check", m)
    assert proc.returncode == 1
    (line,) = problems(proc.stderr)
    assert line.startswith("x.md:2:5: error[output-collision]: ") and f"in {name.rsplit('/', 1)[0]}/, where" in line


def test_an_id_from_the_path_is_reported_at_1_1(tmp_path: Path) -> None:
    m = tmp_path / "m"
    m.mkdir()
    (m / "notes.md").write_text("# Notes\n")
    (m / "notes").write_text("a file where the page's folder goes\n")
    proc = run_ctxgen("check", m)
    assert proc.returncode == 1
    assert problems(proc.stderr) == ["notes.md:1:1: error[output-collision]: topic 'notes' (notes.md) writes "
                                     "notes/index.html, but asset notes writes the file notes"]


def test_ordinary_ids_under_generated_folders_still_build(tmp_path: Path) -> None:
    m = tmp_path / "m"
    m.mkdir()
    for tid in ("graph", "search", "graph/t", "search/t/notes", "static", "map"):
        (m / f"{tid.replace('/', '-')}.md").write_text(f"---\nid: {tid}\ntitle: {tid}\n---\ntext\n")
    proc = run_ctxgen("build", m, "-o", tmp_path / "site", "--strict")
    assert proc.returncode == 0 and problems(proc.stderr) == [], proc.stderr
    assert (tmp_path / "site" / "search" / "t" / "notes" / "index.html").exists()


# --- names too long for a file: the site names files after ids and tags ---------------------------
TOO_LONG = Path(__file__).resolve().parent / "fixtures" / "invalid" / "model-name-too-long" / "map"


def test_names_too_long_for_a_file_name_are_errors_at_their_position_before_writing(tmp_path: Path) -> None:
    """A 300-character id, tag, type, occurrence or association type used to pass `check` and
    fail `build` with `output-write: File name too long` and no position (ids, tags, and the
    names of implicit topics all become file names)."""
    out = tmp_path / "site"
    proc = run_ctxgen("build", TOO_LONG, "-o", out)
    assert proc.returncode == 1, proc.stderr
    found = problems(proc.stderr)
    assert len(found) == 9 and all("error[name-too-long]" in line for line in found), found
    assert "output-write" not in proc.stderr and not out.exists()


def test_names_of_200_bytes_build(tmp_path: Path) -> None:
    m = tmp_path / "m"
    m.mkdir()
    (m / "ok.md").write_text((TOO_LONG / "ok.md").read_text())
    proc = run_ctxgen("build", m, "-o", tmp_path / "site", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / ("b" * 200) / "index.html").exists()
    assert (tmp_path / "site" / "tags" / ("c" * 200 + ".html")).exists()


def test_a_file_name_too_long_for_an_id_is_reported_at_1_1(tmp_path: Path) -> None:
    m = tmp_path / "m"
    m.mkdir()
    (m / ("f" * 240 + ".md")).write_text("# Long\n")
    proc = run_ctxgen("check", m)
    assert proc.returncode == 1
    (line,) = problems(proc.stderr)
    assert line.startswith(f"{'f' * 240}.md:1:1: error[name-too-long]: topic id 'fff")


def test_an_output_path_too_long_for_a_file_name_is_refused_when_planned() -> None:
    """The renderer's own check, for a name the model let through."""
    from ctxgen.config import Config
    from ctxgen.model import TopicMap
    from ctxgen.render import SiteRenderer

    tm = TopicMap()
    tm.ensure_topic("a" * 300)
    setup = SiteRenderer(tm, Config()).setup.items
    assert setup and all(d.code == "output-path" and "longer than 255 bytes" in d.message for d in setup)
