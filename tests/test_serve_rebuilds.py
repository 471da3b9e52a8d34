"""`ctxgen serve` rebuilds against real files, a real watcher and real HTTP: which changes are
noticed (deleting a broken template, ctxgen.yaml, an asset), what each console line says, bursts
(sed -i, git checkout) as one rebuild and one reload, and saves by rename or delete-and-recreate
as one edit."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from ctxgen.serve_site import LiveSite
from ctxgen.serve_watch import OUTSIDE, Batcher, Watcher
from test_serve_support import EventLog, get, running, strip_script, wait_until, write_map

LINE = re.compile(r"^ctxgen: (?P<what>.+?): (?P<how>[^;]+); (?P<pages>.+?)(?:; (?P<fixed>\d+) diagnostics? fixed)? "
                  r"in (?P<ms>\d+) ms$")


@pytest.fixture
def small(tmp_path):
    return write_map(tmp_path / "map")


def page(session, path: str) -> bytes:
    status, _, body = get(session, path)
    assert status == 200, (path, status)
    return strip_script(body)


THEME_ONLY = "ctxgen: theme changed: "  # the repo's theme, edited by someone else meanwhile: not ours


def rebuild_lines(session, start: int) -> list[str]:
    return [line for line in session.out.getvalue()[start:].splitlines()
            if line.startswith("ctxgen: ") and not line.startswith(THEME_ONLY)]


def change(session, act, rebuilds: int = 1, timeout: float = 20.0) -> tuple[list[str], list]:
    """Run `act`, wait for `rebuilds` rebuilds and a quiet second more: (their console lines, the rebuilds)."""
    n, pos = len(session.rebuilds), len(session.out.getvalue())
    act()
    assert session.wait_rebuilds(n + rebuilds, timeout), session.out.getvalue()[pos:]
    time.sleep(1.0)  # longer than the settle window: a split batch would show as one more rebuild
    lines = rebuild_lines(session, pos)
    ours = [r for r in session.rebuilds[n:] if r.what != "theme changed"]
    assert len(ours) == rebuilds, lines
    assert len(lines) == rebuilds, lines  # one line per rebuild
    return lines, ours


def fresh_counts(map_dir: Path) -> str:
    """'N topics, M pages' as a fresh build of the map counts them."""
    live = LiveSite(map_dir)
    live.initial()
    topics = sum(1 for t in live.state.tm.user_topics() if not t.implicit)
    return f"{topics} topics, {live.page_count()} pages"


# --- fault 1: deletions, additions and renames of every kind of input --------------------------------
def test_deleting_a_broken_template_clears_the_error(small):
    with running(small) as s:
        events = EventLog(s)
        good = page(s, "/tags.html")
        (small / "templates").mkdir()
        lines, _ = change(s, lambda: (small / "templates/tags.html").write_text("<body>{% if %}</body>"))
        assert lines == [lines[0]] and "templates/tags.html added: 1 error; still serving the last good site" in lines[0]
        assert events.wait_for(lambda m: m["errors"] and m["errors"][0]["file"] == "templates/tags.html")
        lines, (r,) = change(s, lambda: (small / "templates/tags.html").unlink())
        assert r.ok and r.full and s.site.errors == []
        m = LINE.match(lines[0])
        assert m and m["what"] == "templates/tags.html deleted" and m["fixed"] == "1", lines
        assert events.wait_for(lambda m: m["version"] == s.site.version and m["errors"] == [])
        assert page(s, "/tags.html") == good
        events.close()


def test_a_template_error_while_rendering_keeps_the_last_good_page(small):
    """A template that compiles but fails on the page (an undefined name) is an error of the
    rebuild like a syntax error: reported, shown in the overlay, the last good page kept; fixing
    it reloads nothing, since the page is the same as before."""
    broken = '{% extends "theme:topic.html" %}{% block topic_footer %}{{ nope.x }}{% endblock %}'
    with running(small) as s:
        events = EventLog(s)
        good = page(s, "/people/ada/")
        page(s, "/index.html")
        (small / "templates").mkdir()
        lines, (r,) = change(s, lambda: (small / "templates/topic.html").write_text(broken))
        assert "templates/topic.html added: 1 error; still serving the last good site" in lines[0], lines
        assert not r.ok and [d.code for d in s.site.errors] == ["template-undefined"]
        assert s.out.getvalue().count("templates/topic.html:1:1: error[template-undefined]: 'nope' is undefined") == 1
        assert events.wait_for(lambda m: [e["code"] for e in m["errors"]] == ["template-undefined"])
        assert page(s, "/people/ada/") == good
        assert page(s, "/people/babbage/")  # not viewed before: rendered by the last good site
        lines, (r,) = change(s, lambda: (small / "templates/topic.html").unlink())
        m = LINE.match(lines[0])
        assert m and m["pages"] == "3 viewed pages re-rendered, 0 changed" and m["fixed"] == "1", lines
        assert events.wait_for(lambda m: m["version"] == s.site.version and m["errors"] == [] and m["pages"] == [])
        assert page(s, "/people/ada/") == good
        events.close()


def test_a_broken_template_is_found_on_pages_not_viewed_yet(small):
    """After a template change, one page of each kind is tried: a broken tag page is an error
    before any tag page was viewed."""
    with running(small) as s:
        page(s, "/people/ada/")
        (small / "templates").mkdir()
        lines, (r,) = change(s, lambda: (small / "templates/tag.html").write_text("<body>{{ 1 / 0 }}</body>"))
        assert "1 error; still serving the last good site" in lines[0] and not r.ok
        assert get(s, "/tags/maths.html")[0] == 200


def test_a_body_that_breaks_the_template_keeps_the_last_good_page(small):
    """The fast path too: a body edit on which the map's template fails is an error, the viewed
    page stays as it was, and the next good edit rebuilds and clears it."""
    write_map(small, {"templates/topic.html": '{% extends "theme:topic.html" %}{% block topic_footer %}'
                                             '{% if "BOOM" in topic.body %}{{ 1 / 0 }}{% endif %}{% endblock %}'})
    with running(small) as s:
        good = page(s, "/people/babbage/")
        text = (small / "people/babbage.md").read_text()
        lines, (r,) = change(s, lambda: (small / "people/babbage.md").write_text(text.replace("designed", "BOOM")))
        assert "people/babbage.md edited: 1 error; still serving the last good site" in lines[0], lines
        assert r.how == "body" and [d.code for d in s.site.errors] == ["template-error"]
        assert page(s, "/people/babbage/") == good
        lines, (r,) = change(s, lambda: (small / "people/babbage.md").write_text(text))
        assert r.ok and LINE.match(lines[0])["fixed"] == "1", lines
        assert page(s, "/people/babbage/") == good


def test_viewed_pages_changed_are_never_more_than_re_rendered(small):
    """A viewed page whose topic was deleted changed (its tab reloads into the 404) and counts as
    re-rendered: "K changed" is one of the N pages."""
    with running(small) as s:
        for path in ("/people/ada/", "/index.html", "/people/babbage/"):
            page(s, path)
        lines, (r,) = change(s, lambda: (small / "people/ada.md").unlink())
        m = LINE.match(lines[0])
        assert m and m["pages"] == "3 viewed pages re-rendered, 3 changed", lines
        assert "people/ada/index.html" in r.changed_pages


@pytest.mark.parametrize("rel,broken", [("ctxgen.yaml", "title: [unclosed\n"),
                                        ("people/babbage.md", "---\ntitle: [unclosed\n---\nx\n")])
def test_deleting_a_broken_input_clears_the_error(small, rel, broken):
    with running(small) as s:
        _, (r,) = change(s, lambda: (small / rel).write_text(broken))
        assert not r.ok and s.site.errors and s.site.errors[0].span.path == rel
        lines, (r,) = change(s, lambda: (small / rel).unlink())
        assert r.ok and r.full and s.site.errors == []
        assert LINE.match(lines[0])["what"] == f"{rel} deleted"


def test_config_deleted_and_template_renamed_away_rebuild(small):
    write_map(small, {"ctxgen.yaml": "title: My Custom Title\n", "templates/tags.html": "<body>CUSTOM TAGS</body>"})
    with running(small) as s:
        assert b"My Custom Title" in page(s, "/")
        assert b"CUSTOM TAGS" in page(s, "/tags.html")
        lines, _ = change(s, lambda: (small / "ctxgen.yaml").unlink())
        assert LINE.match(lines[0])["what"] == "ctxgen.yaml deleted"
        assert b"My Custom Title" not in page(s, "/")
        # renamed to a name no page uses: the theme's tags page is back
        lines, _ = change(s, lambda: os.rename(small / "templates/tags.html", small / "templates/unused.html"))
        assert LINE.match(lines[0])["what"] == "templates/tags.html renamed to templates/unused.html"
        assert b"CUSTOM TAGS" not in page(s, "/tags.html")
        # and the whole folder deleted, then re-created
        lines, _ = change(s, lambda: shutil.rmtree(small / "templates"))
        assert LINE.match(lines[0])["what"] == "templates/unused.html deleted"
        lines, _ = change(s, lambda: write_map(small, {"templates/tags.html": "<body>BACK</body>"}))
        assert LINE.match(lines[0])["what"] == "templates/tags.html added"
        assert b"BACK" in page(s, "/tags.html")


def test_asset_added_edited_renamed_deleted(small):
    with running(small) as s:
        lines, (r,) = change(s, lambda: (small / "img.png").write_bytes(b"\x89PNG one"))
        assert r.full and LINE.match(lines[0])["what"] == "img.png added"
        assert get(s, "/img.png")[2] == b"\x89PNG one"
        lines, (r,) = change(s, lambda: (small / "img.png").write_bytes(b"\x89PNG two"))
        assert lines[0].startswith("ctxgen: img.png edited: sent from disk; all open tabs reloaded in ")
        assert r.changed_pages is None and get(s, "/img.png")[2] == b"\x89PNG two"
        lines, _ = change(s, lambda: os.rename(small / "img.png", small / "pic.png"))
        assert LINE.match(lines[0])["what"] == "img.png renamed to pic.png"
        assert get(s, "/img.png")[0] == 404 and get(s, "/pic.png")[2] == b"\x89PNG two"
        lines, _ = change(s, lambda: (small / "pic.png").unlink())
        assert LINE.match(lines[0])["what"] == "pic.png deleted"
        assert get(s, "/pic.png")[0] == 404


def _next_batch(batcher: Batcher, timeout: float = 3.0) -> set[str]:
    """The next batch; {"(none)"} when no event came within `timeout`."""
    got: list = []
    t = threading.Thread(target=lambda: got.append(batcher.wait()))
    t.start()
    t.join(timeout)
    if t.is_alive():
        batcher.add("(none)")
        t.join()
    return got[0]


def test_theme_files_added_deleted_renamed_are_outside_changes(tmp_path):
    """The theme is watched too: any change under it (a deletion included) means rebuild everything."""
    map_dir, theme = write_map(tmp_path / "map"), tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates/base.html").write_text("x")
    batcher = Batcher(quiet=0.05)
    watcher = Watcher(map_dir, batcher, [theme])
    watcher.start()
    try:
        (theme / "templates/new.html").write_text("y")
        assert _next_batch(batcher) == {OUTSIDE}
        os.rename(theme / "templates/new.html", theme / "templates/other.html")
        assert _next_batch(batcher) == {OUTSIDE}
        (theme / "templates/other.html").unlink()
        assert _next_batch(batcher) == {OUTSIDE}
        (theme / "templates/.base.html.swp").write_text("swap")  # an editor's swap file is no change
        assert _next_batch(batcher, 1.0) == {"(none)"}
    finally:
        watcher.stop()


def test_theme_change_rebuilds_everything(small):
    live = LiveSite(small)
    live.initial()
    before = live.lookup("people/ada/")[0]
    r = live.update({OUTSIDE})
    assert r.full and r.how == "model" and r.changed_pages is None and r.what == "theme changed"
    assert live.lookup("people/ada/")[0] == before


# --- fault 2: each line says what changed, what was redone, which pages changed, how long -------------
def _viewed(session, paths):
    return {p: page(session, "/" + p.removesuffix("index.html")) for p in paths}


VIEWED = ["index.html", "people/ada/index.html", "people/babbage/index.html", "works/engine/index.html",
          "tags.html", "names.html", "types/person/index.html"]


def _check_pages(session, line: str, before: dict[str, bytes], fast: bool) -> None:
    """The line's counts against what HTTP now answers for the pages viewed before the change."""
    after = {}
    for p in before:
        status, _, body = get(session, "/" + p.removesuffix("index.html"))
        after[p] = strip_script(body) if status == 200 else None
    changed = sum(after[p] != before[p] for p in before)
    m = re.fullmatch(r"(\d+) viewed pages? re-rendered, (\d+) changed", LINE.match(line)["pages"])
    assert m, line
    rendered, said_changed = int(m[1]), int(m[2])
    assert said_changed == changed, (line, [p for p in before if after[p] != before[p]])
    alive = sum(v is not None for v in after.values())
    if fast:  # only the pages the change can show re-render: at least the changed ones
        assert changed <= rendered <= alive, line
    else:  # a rebuilt model re-renders every viewed page that still exists
        assert rendered == alive, line


def test_lines_say_what_changed_and_count_true(small):
    with running(small) as s:
        before = _viewed(s, VIEWED)
        ada = small / "people/ada.md"
        lines, (r,) = change(s, lambda: ada.write_text(ada.read_text().replace("first program", "FIRST PROGRAM")))
        m = LINE.match(lines[0])
        assert (m["what"], m["how"]) == ("people/ada.md edited", "body re-linked in place"), lines
        _check_pages(s, lines[0], before, fast=True)

        before = _viewed(s, VIEWED)
        bab = small / "people/babbage.md"
        lines, _ = change(s, lambda: bab.write_text(bab.read_text().replace("Charles Babbage", "Charles B.")))
        m = LINE.match(lines[0])
        assert (m["what"], m["how"]) == ("people/babbage.md edited", "title changed in place"), lines
        _check_pages(s, lines[0], before, fast=True)

        steps = [
            ("people/grace.md added", lambda: (small / "people/grace.md").write_text(
                "---\ntitle: Grace Hopper\ntags: [maths]\n---\nKnew [[ada]].\n")),
            ("people/grace.md renamed to people/hopper.md",
             lambda: os.rename(small / "people/grace.md", small / "people/hopper.md")),
            ("people/hopper.md deleted", lambda: (small / "people/hopper.md").unlink()),
            ("ctxgen.yaml edited", lambda: (small / "ctxgen.yaml").write_text("title: Renamed map\n")),
            ("3 files changed (1 added, 1 edited, 1 deleted)", lambda: (
                (small / "works/loom.md").write_text("---\ntitle: Loom\n---\n[[engine]]\n"),
                (small / "types/person.md").write_text("---\ntitle: Person\ntags: [kind]\n---\nA human.\n"),
                (small / "index.md").unlink())),
        ]
        for what, act in steps:
            before = _viewed(s, [p for p in VIEWED if p != "index.html" or (small / "index.md").exists()])
            lines, (r,) = change(s, act)
            m = LINE.match(lines[0])
            assert m and m["what"] == what and r.full, lines
            assert m["how"] == f"model rebuilt ({fresh_counts(small)})", lines
            _check_pages(s, lines[0], before, fast=False)


def test_folder_rename_counts_files_not_folders(small):
    with running(small) as s:
        lines, _ = change(s, lambda: os.rename(small / "people", small / "folk"))
        assert LINE.match(lines[0])["what"] == "4 files changed (2 added, 2 deleted)", lines
        lines, _ = change(s, lambda: write_map(small, {"new/deep/a.md": "a", "new/deep/b.md": "b"}))
        assert LINE.match(lines[0])["what"] == "2 files added", lines


def test_a_save_without_a_change_prints_nothing(small):
    """A temporary file that came and went, or a file rewritten with the same bytes and time, is
    no rebuild: no line, no reload signal."""
    with running(small) as s:
        events = EventLog(s)
        assert events.wait_for(lambda m: m["stale"]) is not None
        n, sent, pos = len(s.rebuilds), s.server.events.sent, len(s.out.getvalue())
        tmp = small / "people/ada.md.tmp1234"
        tmp.write_text("scratch")
        tmp.unlink()
        ada = small / "people/ada.md"
        st = ada.stat()
        ada.write_text(ada.read_text())
        os.utime(ada, ns=(st.st_atime_ns, st.st_mtime_ns))
        time.sleep(1.5)
        assert len(s.rebuilds) == n and s.server.events.sent == sent
        assert rebuild_lines(s, pos) == []
        events.close()


# --- fault 3: a burst is one rebuild and one reload ------------------------------------------------
def _bulk_map(root: Path, n: int = 400) -> Path:
    files = {f"bulk/n{i:03}.md": f"---\ntitle: Bulk {i}\n---\nSee [[ada]]. OLDWORD here.\n" for i in range(n)}
    return write_map(root, {**files})


def _one_reload(s, events, act, open_page: str) -> tuple[str, list[dict]]:
    seen = len(events.messages)
    lines, (r,) = change(s, act)
    msgs = events.messages[seen:]
    assert len(msgs) == 1, msgs  # one state message ...
    assert msgs[0]["pages"] is None or open_page in msgs[0]["pages"]  # ... that reloads the open tab
    return lines[0], msgs


@pytest.mark.skipif(shutil.which("sed") is None, reason="needs sed")
def test_sed_over_400_files_is_one_rebuild_and_one_reload(small):
    _bulk_map(small)
    with running(small, quiet=0.05) as s:  # the default single-save window
        events = EventLog(s)
        assert events.wait_for(lambda m: m["stale"]) is not None
        assert b"OLDWORD" in page(s, "/bulk/n123/")
        sed = ["sed", "-i", "s/OLDWORD/NEWWORD/"] + [f"bulk/n{i:03}.md" for i in range(400)]
        line, _ = _one_reload(s, events, lambda: subprocess.run(sed, cwd=small, check=True), "bulk/n123/index.html")
        assert LINE.match(line)["what"] == "400 files edited", line
        assert b"NEWWORD" in page(s, "/bulk/n123/") and b"NEWWORD" in page(s, "/bulk/n399/")
        events.close()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_checkout_of_another_branch_is_one_rebuild_and_one_reload(small):
    _bulk_map(small)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]

    def run(*args):
        subprocess.run(git + list(args), cwd=small, check=True, capture_output=True)

    run("init", "-q", "-b", "main")
    run("add", "-A")
    run("commit", "-qm", "one")
    run("checkout", "-qb", "other")
    for i in range(400):
        p = small / f"bulk/n{i:03}.md"
        p.write_text(p.read_text().replace("OLDWORD", "BRANCHWORD"))
    (small / "works/engine.md").unlink()
    (small / "works/loom.md").write_text("---\ntitle: Loom\n---\n[[ada]]\n")
    run("add", "-A")
    run("commit", "-qm", "two")
    run("checkout", "-q", "main")
    with running(small, quiet=0.05) as s:
        events = EventLog(s)
        assert events.wait_for(lambda m: m["stale"]) is not None
        page(s, "/bulk/n001/")
        line, _ = _one_reload(s, events, lambda: run("checkout", "-q", "other"), "bulk/n001/index.html")
        assert LINE.match(line)["what"] == "402 files changed (1 added, 400 edited, 1 deleted)", line
        assert b"BRANCHWORD" in page(s, "/bulk/n001/") and get(s, "/works/engine/")[0] == 404
        events.close()


def test_batcher_window_extends_while_events_arrive_up_to_a_cap():
    b = Batcher(quiet=0.05, settle=0.3, max_wait=3.0)
    got: list = []
    t = threading.Thread(target=lambda: got.append((b.wait(), time.monotonic())))
    t.start()
    for rel in ("a.md", "b.md", "c.md"):  # a burst starts: BURST_PATHS paths at once
        b.add(rel)
    for i in range(5):  # then pauses longer than `quiet` (shorter than `settle`) between events
        time.sleep(0.2)
        b.add(f"f{i}.md")
    last = time.monotonic()
    t.join(timeout=5)
    batch, at = got[0]
    assert batch == {"a.md", "b.md", "c.md"} | {f"f{i}.md" for i in range(5)}  # one batch
    assert 0.25 <= at - last <= 0.6  # handed over `settle` after the last event
    # the cap: events that never pause are cut at max_wait after the first
    b2 = Batcher(quiet=0.05, settle=0.3, max_wait=0.6)
    out: list = []
    t = threading.Thread(target=lambda: out.append((b2.wait(), time.monotonic())))
    t.start()
    t0 = time.monotonic()
    i = 0
    while t.is_alive() and time.monotonic() - t0 < 3:
        b2.add(f"g{i}.md")
        i += 1
        time.sleep(0.02)
    t.join(timeout=5)
    assert out and 0.55 <= out[0][1] - t0 <= 1.0 and len(out[0][0]) >= 3
    b.stop()
    b2.stop()


def test_batcher_single_save_is_quick_and_deletion_of_a_map_file_settles():
    b = Batcher(quiet=0.05, settle=0.5, matters=lambda rel: rel == "a.md")
    for rels, gone, lo, hi in (({"a.md"}, False, 0.04, 0.3),  # one save: the short window
                               ({"a.md", "a.md.tmp"}, False, 0.04, 0.3),  # a save by rename
                               ({"tmp.x"}, True, 0.04, 0.3),  # a temporary file gone: not a map file
                               ({"a.md"}, True, 0.45, 1.0)):  # a map file gone: may come back
        t0 = time.monotonic()
        for rel in sorted(rels):
            b.add(rel, gone)
        assert b.wait() == rels
        assert lo <= time.monotonic() - t0 <= hi, (rels, gone, time.monotonic() - t0)
    b.stop()
    assert b.wait() is None


# --- fault 4: broken files and editors' saves ----------------------------------------------------
def _watch_page(session, path: str, stop: threading.Event, statuses: list[int]) -> None:
    while not stop.is_set():
        statuses.append(get(session, path)[0])
        time.sleep(0.01)


@pytest.mark.parametrize("style", ["rename-over", "delete-recreate", "backup-rename"])
def test_editor_saves_are_one_edit(small, style):
    ada = small / "people/ada.md"
    new_text = ada.read_text().replace("first program", "SAVED PROGRAM")

    def save():
        if style == "rename-over":  # write a temporary file, rename it over the original
            tmp = small / "people/ada.md.tmp.4242"
            tmp.write_text(new_text)
            os.replace(tmp, ada)
        elif style == "delete-recreate":  # delete, then write anew a moment later
            ada.unlink()
            time.sleep(0.1)
            ada.write_text(new_text)
        else:  # vim's default: rename the original to a backup, write anew, delete the backup
            os.rename(ada, small / "people/ada.md~")
            time.sleep(0.05)
            ada.write_text(new_text)
            (small / "people/ada.md~").unlink()

    with running(small, quiet=0.05) as s:
        events = EventLog(s)
        assert events.wait_for(lambda m: m["stale"]) is not None
        page(s, "/people/ada/")
        stop, statuses = threading.Event(), []
        watcher = threading.Thread(target=_watch_page, args=(s, "/people/ada/", stop, statuses))
        watcher.start()
        try:
            line, _ = _one_reload(s, events, save, "people/ada/index.html")
        finally:
            stop.set()
            watcher.join()
        m = LINE.match(line)
        assert m["what"] == "people/ada.md edited" and m["how"] == "body re-linked in place", line
        assert set(statuses) == {200}  # the page never went away
        assert b"SAVED PROGRAM" in page(s, "/people/ada/")
        events.close()


def test_broken_then_deleted_then_restored_keeps_serving(small):
    with running(small) as s:
        good = page(s, "/people/ada/")
        change(s, lambda: (small / "people/ada.md").write_text("---\ntitle: [\n---\n"))
        assert page(s, "/people/ada/") == good and s.site.errors
        change(s, lambda: (small / "people/ada.md").unlink())
        assert s.site.errors == [] and get(s, "/people/ada/")[0] == 404
        lines, (r,) = change(s, lambda: write_map(small, {"people/ada.md": "---\ntitle: Ada again\n---\nBack.\n"}))
        assert r.ok and LINE.match(lines[0])["what"] == "people/ada.md added"
        assert b"Ada again" in page(s, "/people/ada/")
        assert wait_until(lambda: get(s, "/")[0] == 200)


def test_a_temporary_file_during_an_error_prints_nothing(small):
    with running(small) as s:
        _, (r,) = change(s, lambda: (small / "people/ada.md").write_text("---\ntitle: [\n---\n"))
        assert not r.ok
        n, pos = len(s.rebuilds), len(s.out.getvalue())
        (small / "scratch.tmp").write_text("x")
        (small / "scratch.tmp").unlink()
        time.sleep(1.5)
        assert len(s.rebuilds) == n and rebuild_lines(s, pos) == []


def test_a_folder_moved_out_of_the_map_counts_its_files(small, tmp_path):
    with running(small) as s:
        lines, _ = change(s, lambda: shutil.move(small / "people", tmp_path / "elsewhere"))
        assert LINE.match(lines[0])["what"] == "2 files deleted", lines
        assert get(s, "/people/ada/")[0] == 404
