"""The CLI as a user types it: new, build, check, exit codes, summaries, and what a build leaves on disk."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

from support import CORPORA, EXAMPLE_MAP, diagnostic_lines, problems, run_ctxgen

SUMMARY = re.compile(
    r"^ctxgen: (built|checked|not built:) (\d+) topics?, (\d+) associations?, (\d+) occurrences?"
    r"(, (\d+) pages? written| \(nothing changed\))?; (\d+) warnings?, (\d+) errors? in \d+\.\d\d s$"
)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def new_map(tmp_path) -> Path:
    proc = run_ctxgen("new", "my-map", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "my-map"


def test_version_and_usage_errors():
    assert run_ctxgen("--version").stdout.startswith("ctxgen ")
    assert run_ctxgen().returncode == 2
    bad = run_ctxgen("build", "--no-such-option")
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr


@pytest.mark.parametrize("args", [
    ("build", "MAP", "-o", ""), ("build", ""), ("check", ""), ("serve", ""), ("new", ""),
    ("convert", ""), ("convert", "in.xtm", "-o", ""), ("import", "in.xtm", "-o", ""), ("import", "", "-o", "x"),
])
def test_an_empty_path_is_bad_usage_not_the_current_folder(args, new_map: Path):
    """`-o "$OUT"` with OUT unset must not build into (and replace) the current folder."""
    (new_map / "keep.txt").write_text("mine")
    before = snapshot(new_map)
    proc = run_ctxgen(*(str(new_map) if a == "MAP" else a for a in args), cwd=new_map)
    assert proc.returncode == 2, proc.stderr
    assert "an empty path is not allowed" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(new_map) == before


def test_a_missing_map_folder_is_bad_usage(tmp_path: Path):
    (tmp_path / "note.md").write_text("# A note\n")
    for command in ("build", "check"):
        proc = run_ctxgen(command, tmp_path / "nope")
        assert proc.returncode == 2 and "error[map-not-found]" in proc.stderr, proc.stderr
        # nothing was read, so the summary gives no counts (not "0 topics", as if the map were empty)
        verb = "built" if command == "build" else "checked"
        assert re.fullmatch(rf"ctxgen: not {verb}: 0 warnings, 1 error in \d+\.\d\d s", proc.stderr.splitlines()[-1])
        proc = run_ctxgen(command, tmp_path / "note.md")
        assert proc.returncode == 2, proc.stderr
        assert f"error[map-not-found]: {tmp_path / 'note.md'} is a file, not a map folder" in proc.stderr


def test_summary_counts_agree_in_number(tmp_path: Path):
    (tmp_path / "only.md").write_text("---\ntitle: Only\nhomepage: https://example.org/\n---\nText.\n")
    proc = run_ctxgen("check", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"ctxgen: checked 1 topic, 0 associations, 1 occurrence; 0 warnings, 0 errors in \d+\.\d\d s",
                        proc.stderr.splitlines()[-1]), proc.stderr


@pytest.mark.parametrize("args, message", [
    (("--to", "foo"), "unknown output syntax 'foo'"),
    (("--from", "foo"), "unknown input syntax 'foo'"),
    (("-o", "OUT/map.bogus"), "cannot tell the output syntax from the extension '.bogus'"),
])
def test_convert_with_an_unknown_syntax_is_bad_usage(args, message, new_map: Path, tmp_path: Path):
    proc = run_ctxgen("convert", new_map, *(a.replace("OUT", str(tmp_path)) for a in args))
    assert proc.returncode == 2 and f"error[syntax-unknown]: {message}" in proc.stderr, proc.stderr
    assert not (tmp_path / "map.bogus").exists()


def test_new_scaffolds_a_map_with_a_pages_workflow(new_map: Path):
    workflow = (new_map / ".github/workflows/pages.yml").read_text()
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in workflow
    assert "steps.pages.outputs.base_url" in workflow
    install = re.search(r'- run: pip install "(.*)"', workflow).group(1)
    # this checkout's ctxgen: from its git remote and commit if it has one (see the next test)
    assert install.startswith("ctxgen @ git+") or install == f"ctxgen=={__import__('ctxgen').__version__}"
    assert (new_map / "ctxgen.yaml").exists()
    again = run_ctxgen("new", str(new_map))
    assert again.returncode == 2 and "error[new-target-exists]" in again.stderr


def test_the_pages_workflow_installs_the_ctxgen_that_made_the_map():
    from ctxgen.scaffold import install_requirement

    commit = "0123456789abcdef0123456789abcdef01234567"
    from_git = {"url": "https://github.com/me/ctxgen", "vcs_info": {"vcs": "git", "commit_id": commit}}
    assert install_requirement(from_git, "0.3.0") == f"ctxgen @ git+https://github.com/me/ctxgen@{commit}"
    assert install_requirement({"url": "file:///home/me/ctxgen", "dir_info": {"editable": True}}, "0.3.0") == "ctxgen==0.3.0"
    assert install_requirement({"url": "file:///tmp/x", "vcs_info": {"vcs": "git", "commit_id": commit}}, "1.0") == "ctxgen==1.0"
    assert install_requirement(None, "0.1.0") == "ctxgen==0.1.0"


def test_a_clone_installed_as_a_folder_gives_the_workflow_its_remote_and_commit(tmp_path: Path, monkeypatch):
    """`pip install -e .` in a clone (the README's setup) records only the folder: the workflow
    installs the clone's origin at its commit, and a folder CI cannot fetch from is a warning."""
    import subprocess

    from ctxgen.scaffold import _with_checkout_git, create_map, install_requirement

    clone = tmp_path / "clone"
    clone.mkdir()
    git = lambda *a: subprocess.run(["git", "-C", str(clone), *a], check=True, capture_output=True, text=True).stdout.strip()  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x")
    local = {"url": clone.as_uri(), "dir_info": {"editable": True}}
    assert _with_checkout_git(local) == local  # no remote: nothing CI could fetch
    git("remote", "add", "origin", "https://github.com/me/ctxgen")
    commit = git("rev-parse", "HEAD")
    assert install_requirement(_with_checkout_git(local), "0.3.0") == f"ctxgen @ git+https://github.com/me/ctxgen@{commit}"
    git("remote", "set-url", "origin", "/srv/mirror/ctxgen")  # a local path: CI cannot fetch it either
    assert _with_checkout_git(local) == local
    assert _with_checkout_git({"url": "file:///no/such/folder", "dir_info": {}}) == {"url": "file:///no/such/folder", "dir_info": {}}

    import ctxgen.scaffold as scaffold
    from ctxgen.diagnostics import Diagnostics

    diags = Diagnostics()
    monkeypatch.setattr(scaffold, "_direct_url", lambda: local)
    create_map(tmp_path / "map", diags)
    [warning] = [d.format() for d in diags.items]
    assert warning.startswith("warning[new-workflow-install]: .github/workflows/pages.yml installs ctxgen==")
    assert f"installed from the folder {clone}" in warning


def test_build_new_map_writes_a_site_and_a_summary(new_map: Path):
    proc = run_ctxgen("build", new_map)
    assert proc.returncode == 0, proc.stderr
    assert problems(proc.stderr) == []
    summary = proc.stderr.strip().splitlines()[-1]
    m = SUMMARY.match(summary)
    assert m and m.group(1) == "built", summary
    assert int(m.group(2)) >= 5 and int(m.group(6)) > int(m.group(2))
    site = new_map / "_site"
    for page in ("index.html", "404.html", ".nojekyll", "people/ada-lovelace/index.html"):
        assert (site / page).is_file(), page
    assert "Ada Lovelace" in (site / "people/ada-lovelace/index.html").read_text()


def test_python_dash_m_and_check_write_nothing(new_map: Path):
    proc = run_ctxgen("check", new_map)
    assert proc.returncode == 0, proc.stderr
    assert SUMMARY.match(proc.stderr.strip().splitlines()[-1]).group(1) == "checked"
    assert not (new_map / "_site").exists()


def test_unchanged_rebuild_is_a_no_op_and_an_edit_is_not(new_map: Path):
    assert run_ctxgen("build", new_map).returncode == 0
    before = snapshot(new_map / "_site")
    second = run_ctxgen("build", new_map)
    assert second.returncode == 0 and "(nothing changed)" in second.stderr
    assert snapshot(new_map / "_site") == before
    page = new_map / "people/charles-babbage.md"
    page.write_text(page.read_text().replace("inventor", "designer"))
    third = run_ctxgen("build", new_map)
    assert third.returncode == 0 and "pages written" in third.stderr
    assert "designer" in (new_map / "_site/people/charles-babbage/index.html").read_text()


def test_timings_name_each_stage_with_its_times(new_map: Path):
    stage = re.compile(r"ctxgen: (\w+) +(\d+\.\d\d) s wall +(\d+\.\d\d) s CPU")
    proc = run_ctxgen("build", new_map, "--timings")
    assert proc.returncode == 0, proc.stderr
    rows = [stage.fullmatch(line) for line in proc.stderr.splitlines() if stage.fullmatch(line)]
    assert [m.group(1) for m in rows] == ["load", "model", "render", "swap"]
    summary_seconds = float(re.search(r"in (\d+\.\d\d) s", proc.stderr).group(1))
    assert sum(float(m.group(2)) for m in rows) <= summary_seconds + 0.05
    checked = run_ctxgen("check", new_map, "--timings")
    assert [stage.fullmatch(line).group(1) for line in checked.stderr.splitlines() if stage.fullmatch(line)] == [
        "load", "model"]
    unchanged = run_ctxgen("build", new_map, "--timings")
    assert "(nothing changed)" in unchanged.stderr and not stage.search(unchanged.stderr)


def test_re_pointing_a_symlink_rebuilds_even_at_a_file_of_the_same_size_and_mtime(tmp_path: Path):
    map_dir = tmp_path / "map"
    (map_dir / "versions").mkdir(parents=True)
    one, two = map_dir / "versions/one.md", map_dir / "versions/two.md"
    one.write_text("# Current\n\nSee [[nowhere-else]].\n")
    two.write_text("# Current\n\nSee [[versions/one]].\n")  # same size, no broken link
    os.utime(two, ns=(one.stat().st_atime_ns, one.stat().st_mtime_ns))
    (map_dir / "current.md").symlink_to("versions/one.md")
    first = run_ctxgen("build", map_dir)
    assert "current.md:3:5: warning[link-unresolved]" in first.stderr
    (map_dir / "current.md").unlink()
    (map_dir / "current.md").symlink_to("versions/two.md")
    second = run_ctxgen("build", map_dir)
    assert "(nothing changed)" not in second.stderr
    assert "current.md:3:5" not in second.stderr


def test_failed_build_leaves_the_previous_site_exactly_as_it_was(new_map: Path):
    assert run_ctxgen("build", new_map).returncode == 0
    before = snapshot(new_map / "_site")
    (new_map / "people/broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n")
    proc = run_ctxgen("build", new_map)
    assert proc.returncode == 1
    assert any(line.startswith("people/broken.md:2:") and "error[" in line for line in diagnostic_lines(proc.stderr)), proc.stderr
    assert snapshot(new_map / "_site") == before
    leftovers = [p.name for p in new_map.iterdir() if p.name.startswith("._site")]
    assert leftovers == []


def test_strict_turns_warnings_into_a_failure(new_map: Path):
    (new_map / "people/linker.md").write_text("See [[nobody-by-this-name]].\n")
    lenient = run_ctxgen("check", new_map)
    assert lenient.returncode == 0 and "warning[link-unresolved]" in lenient.stderr
    strict = run_ctxgen("check", new_map, "--strict")
    assert strict.returncode == 1 and "error[link-unresolved]" in strict.stderr


def test_strict_over_an_unchanged_site_is_not_built_as_over_a_changed_one(new_map: Path):
    """The cache's site has a warning: `build --strict` fails, and says so as it does when the
    map changed (it said 'built ... (nothing changed); 0 warnings, 1 error' and exited 1)."""
    (new_map / "people/linker.md").write_text("See [[nobody-by-this-name]].\n")
    assert run_ctxgen("build", new_map).returncode == 0
    unchanged = run_ctxgen("build", new_map, "--strict")
    (new_map / "people/linker.md").write_text("See [[nobody-by-this-name]]!\n")
    changed = run_ctxgen("build", new_map, "--strict")
    for proc in (unchanged, changed):
        summary = proc.stderr.strip().splitlines()[-1]
        assert proc.returncode == 1 and SUMMARY.match(summary).group(1) == "not built:", proc.stderr
        assert "(nothing changed)" not in summary and summary.split("; ")[1].startswith("0 warnings, 1 error in")


def test_output_folder_safety(new_map: Path, tmp_path: Path):
    same = run_ctxgen("build", new_map, "-o", new_map)
    assert same.returncode == 2 and "error[output-dir]" in same.stderr  # usage, not the map
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    refused = run_ctxgen("build", new_map, "-o", foreign)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert (foreign / "keep.txt").read_text() == "not ours"
    (foreign / ".git").mkdir()
    (foreign / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    forced = run_ctxgen("build", new_map, "-o", foreign, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (foreign / ".git" / "HEAD").exists() and not (foreign / "keep.txt").exists()
    assert (foreign / "index.html").exists()


def test_output_is_deterministic_and_pages_friendly(new_map: Path, tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_ctxgen("build", new_map, "-o", a, "--no-cache").returncode == 0
    assert run_ctxgen("build", new_map, "-o", b, "--no-cache").returncode == 0
    assert snapshot(a) == snapshot(b)
    for p in a.rglob("*"):
        assert not p.is_symlink()
        assert (p.stat().st_mode & 0o777) == (0o755 if p.is_dir() else 0o644), p


@pytest.mark.parametrize("umask", [0o077, 0o002])
def test_pages_modes_whatever_the_umask(new_map: Path, tmp_path: Path, umask: int):
    """Files 0644 and folders 0755 (checklist row 61) also when the umask would make them otherwise."""
    old = os.umask(umask)
    try:
        assert run_ctxgen("build", new_map, "-o", tmp_path / "out", "--no-cache").returncode == 0
    finally:
        os.umask(old)
    for p in (tmp_path / "out").rglob("*"):
        assert (p.stat().st_mode & 0o777) == (0o755 if p.is_dir() else 0o644), p


def test_base_url_gives_absolute_urls_only_where_required(new_map: Path):
    proc = run_ctxgen("build", new_map, "--base-url", "https://user.github.io/repo")
    assert proc.returncode == 0, proc.stderr
    site = new_map / "_site"
    assert "https://user.github.io/repo/people/ada-lovelace/" in (site / "sitemap.xml").read_text()
    page = (site / "people/ada-lovelace/index.html").read_text()
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', page)
    internal = [h for h in hrefs if not h.startswith(("http://", "https://", "mailto:"))]
    assert internal and all(not h.startswith("/") for h in internal), internal
    for wrong in ("user.github.io/repo", "/my-repo/", ""):
        bad = run_ctxgen("build", new_map, "--base-url", wrong)
        assert bad.returncode == 2 and f"error[bad-argument]: --base-url {wrong!r}: expected an absolute URL" in bad.stderr


def test_example_map_builds_with_no_warnings(tmp_path: Path):
    proc = run_ctxgen("build", EXAMPLE_MAP, "-o", tmp_path / "site", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert problems(proc.stderr) == []
    m = SUMMARY.match(proc.stderr.strip().splitlines()[-1])
    topics, associations = int(m.group(2)), int(m.group(3))
    assert topics >= 40 and associations >= 60


@pytest.mark.parametrize("vault", ["quartz-docs", "foam-docs", "dendron-vault"])
def test_real_vaults_build_without_errors(vault: str, tmp_path: Path):
    proc = run_ctxgen("build", CORPORA / vault, "-o", tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not [line for line in diagnostic_lines(proc.stderr) if "error[" in line]
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "site" / "index.html").exists()


def test_interrupted_build_leaves_no_half_site(new_map: Path):
    """Ctrl-C (SIGINT) mid-build: exit 130, no temporary folder left, old site intact."""
    import signal
    import subprocess
    import sys
    import time

    assert run_ctxgen("build", new_map).returncode == 0
    before = snapshot(new_map / "_site")
    for i in range(300):
        (new_map / f"bulk-{i}.md").write_text(f"# Bulk {i}\n\n" + "Some text [[people/ada-lovelace]]. " * 200)
    proc = subprocess.Popen([sys.executable, "-m", "ctxgen", "build", str(new_map), "-j", "1"], stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the build finished before the signal arrived")
    assert proc.returncode == 130 and "Traceback" not in err
    assert snapshot(new_map / "_site") == before
    assert [p.name for p in new_map.iterdir() if p.name.startswith("._site")] == []


def test_render_failure_leaves_the_previous_site_and_no_temp_folder(new_map: Path):
    """Checklist row 38: an error while rendering (here a template using an undefined variable)."""
    assert run_ctxgen("build", new_map).returncode == 0
    before = snapshot(new_map / "_site")
    (new_map / "templates").mkdir()
    (new_map / "templates" / "topic.html").write_text('{% extends "theme:topic.html" %}{% block content %}{{ no_such_variable.x }}{% endblock %}')
    proc = run_ctxgen("build", new_map)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert any("templates/topic.html" in line and "error[" in line for line in diagnostic_lines(proc.stderr)), proc.stderr
    assert snapshot(new_map / "_site") == before
    assert [p.name for p in new_map.iterdir() if p.name.startswith("._site")] == []


def test_unwritable_output_location_is_an_error_naming_the_path(new_map: Path):
    """Checklist row 43: the OS error and the path, no traceback."""
    proc = run_ctxgen("build", new_map, "-o", "/dev/null/site")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "/dev/null" in proc.stderr and "error[output-" in proc.stderr


def test_force_never_deletes_map_sources(new_map: Path):
    """--force replaces a foreign output folder, but not one holding the map's own Markdown files."""
    proc = run_ctxgen("build", new_map, "-o", new_map / "people", "--force")
    assert proc.returncode == 2 and "error[output-dir]" in proc.stderr and "Markdown files" in proc.stderr
    assert (new_map / "people" / "ada-lovelace.md").exists()


def test_an_old_site_inside_the_map_is_never_input(new_map: Path, tmp_path: Path):
    assert run_ctxgen("build", new_map).returncode == 0  # MAP/_site
    assert run_ctxgen("build", new_map, "-o", new_map / "preview").returncode == 0
    elsewhere = run_ctxgen("build", new_map, "-o", tmp_path / "site", "--strict")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert not (tmp_path / "site" / "_site").exists() and not (tmp_path / "site" / "preview").exists()


def test_tag_links_open_the_tag_page(tmp_path: Path):
    """Quartz-style [[tags/x]] links to the tag's page; an unknown tag is a visible missing link."""
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.md").write_text("---\ntitle: A\ntags: [computing]\n---\nSee [[tags/computing|the tag]] and [[tags/nope]].\n")
    proc = run_ctxgen("build", tmp_path / "m")
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "m" / "_site" / "a" / "index.html").read_text()
    assert '<a href="../tags/computing.html" class="wikilink">the tag</a>' in page
    assert '<span class="wikilink missing" title="Missing: tags/nope">' in page
    assert "a.md:5:36: warning[link-unresolved]" in proc.stderr


def test_check_reports_template_problems_as_build_would(new_map: Path):
    (new_map / "ctxgen.yaml").write_text((new_map / "ctxgen.yaml").read_text() + "theme: no-such-theme\n")
    check = run_ctxgen("check", new_map)
    build = run_ctxgen("build", new_map)
    assert check.returncode == build.returncode == 1
    assert "error[theme-unknown]" in check.stderr and "error[theme-unknown]" in build.stderr


@pytest.mark.parametrize("where", ["root", "home", "map-parent"])
def test_an_output_folder_holding_more_than_a_site_is_refused_even_with_force(where, new_map: Path, tmp_path: Path,
                                                                              monkeypatch, capsys):
    """Checklist row 39: `/`, the home folder, a folder containing the map: refused before any deletion."""
    from ctxgen.cli import main

    home = tmp_path / "home"
    home.mkdir()
    (home / "keep.txt").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    out = {"root": Path("/"), "home": home, "map-parent": new_map.parent}[where]
    before = sorted(p.name for p in out.iterdir())
    code = main(["build", str(new_map), "-o", str(out), "--force", "--no-cache"])
    err = capsys.readouterr().err
    assert code == 2 and "error[output-dir]" in err, err
    assert sorted(p.name for p in out.iterdir()) == before


def test_content_cannot_drive_the_terminal_or_forge_diagnostic_lines(tmp_path: Path):
    root = tmp_path / "map"
    root.mkdir()
    (root / "a.md").write_text("# A\n\nSee [[missing\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED]].\n")
    (root / "b\nforged.md:9:9: error[fake]: forged line\n.md").write_text("# B\n\n[[nowhere]]\n")
    proc = run_ctxgen("check", root)
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert "a.md:3:5: warning[link-unresolved]: [[missing\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mRED]]" in proc.stderr
    assert not any(line.startswith("forged.md") for line in proc.stderr.splitlines())
    assert "b\\nforged.md:9:9: error[fake]: forged line\\n.md:3:1: warning[link-unresolved]" in proc.stderr


def test_import_says_what_it_made_and_what_to_do_next(tmp_path: Path):
    source = tmp_path / "tiny.ltm"
    source.write_text('[ada : person = "Ada Lovelace"]\n[person = "Person"]\n')
    proc = run_ctxgen("import", source, "-o", tmp_path / "imported")
    assert proc.returncode == 0, proc.stderr
    made = sorted(p.relative_to(tmp_path / "imported").as_posix() for p in (tmp_path / "imported").rglob("*.md"))
    assert made and proc.stderr.strip().splitlines()[-1] == (
        f"ctxgen: imported {source} into {tmp_path / 'imported'} ({len(made)} Markdown files). "
        f"Next: ctxgen serve {tmp_path / 'imported'}")


def test_a_role_type_page_reads_as_the_schema_label(new_map: Path):
    assert "author:" in (new_map / "ctxgen.yaml").read_text() and not list(new_map.rglob("author.md"))
    assert run_ctxgen("build", new_map).returncode == 0
    page = (new_map / "_site/author/index.html").read_text()
    assert re.search(r"<h1[^>]*>\s*Author\s*</h1>", page), page[:2000]
    assert "<title>Author · " in page


def test_the_load_stages_pool_ends_with_its_last_batch_not_when_collected(tmp_path: Path, monkeypatch):
    """A pool shut down when its generator is collected turns a Ctrl-C at that moment into an
    "Exception ignored" traceback, and the build goes on (the Ctrl-C test below caught it once)."""
    import ctxgen.load as load
    from ctxgen.build import BuildOptions, build

    for i in range(300):  # over load.PARALLEL_MIN_FILES: worker processes
        (tmp_path / f"t{i}.md").write_text(f"# Topic {i}\n")
    ended = []
    real = load.read_batches_pickled

    def watched(*args, **kwargs):
        try:
            yield from real(*args, **kwargs)
            ended.append("after its last batch")
        except GeneratorExit:
            ended.append("when collected")
            raise

    monkeypatch.setattr(load, "read_batches_pickled", watched)
    result = build(BuildOptions(tmp_path, out_dir=tmp_path.parent / "site", jobs=2, use_cache=False))
    assert result.written and ended == ["after its last batch"]


def test_ctrl_c_in_a_terminal_stops_the_workers_too_quietly(tmp_path: Path):
    """A terminal's Ctrl-C reaches the whole process group, the workers too: whenever it comes,
    the build prints only 'ctxgen: interrupted' (no worker's traceback) and exits 130 at once."""
    import os
    import signal
    import subprocess
    import sys
    import time

    map_dir = tmp_path / "map"
    map_dir.mkdir()
    for i in range(800):  # enough for both the load and the render stage to fork workers
        (map_dir / f"t{i}.md").write_text(f"# Topic {i}\n\n" + f"Text about [[t{(i + 1) % 800}]]. " * 150)
    interrupted = 0
    for delay in (0.4, 0.8, 1.2, 1.6, 2.0, 2.5, 3.0):
        proc = subprocess.Popen([sys.executable, "-m", "ctxgen", "build", str(map_dir), "-o", str(tmp_path / "site"),
                                 "--no-cache"], stderr=subprocess.PIPE, text=True, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, 130), err
        assert "Traceback" not in err and "ForkPoolWorker" not in err, err
        interrupted += proc.returncode == 130
    assert interrupted >= 3
