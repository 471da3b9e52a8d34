"""Discovery and source reading (ctxgen.load)."""
from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path

import pytest

import ctxgen.load as load_module
from ctxgen.config import Config
from ctxgen.diagnostics import Diagnostics, Span
from ctxgen.load import compile_excludes, discover, is_ignored_name, is_ignored_path, read_source, read_sources
from ctxgen.yamlpos import PosDict

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def found(root: Path, config: Config | None = None, out_dir: Path | None = None):
    diags = Diagnostics()
    result = discover(root, config or Config(), out_dir, diags)
    return result, "\n".join(d.format() for d in diags.sorted()).splitlines()


def messages(sf) -> list[str]:
    return "\n".join(d.format() for d in sf.diagnostics).splitlines()


# -- discovery ------------------------------------------------------------------------------

def test_sources_and_assets_sorted_and_skips(tmp_path):
    write(tmp_path, {
        "b.md": "", "a.md": "", "Z.MD": "", "sub/c.md": "", "img/x.png": b"\x89PNG", "ctxgen.yaml": "",
        "sub/ctxgen.yaml": "", ".hidden.md": "", ".git/config": "", "templates/topic.html": "",
        "sub/templates/t.md": "", "node_modules/p/readme.md": "", "_site/index.html": "",
        "a.md~": "", ".#a.md": "", ".a.md.swp": "", "x.md___jb_tmp___": "", "4913": "", "#a.md#": "",
    })
    result, problems = found(tmp_path)
    assert problems == []
    assert result.sources == ["Z.MD", "a.md", "b.md", "sub/c.md", "sub/templates/t.md"]
    assert result.assets == ["img/x.png", "sub/ctxgen.yaml"]


def test_the_output_folder_is_skipped_wherever_it_is(tmp_path):
    write(tmp_path, {"a.md": "", "public/b.md": "", "_site/c.md": "", "deep/out/d.md": ""})
    assert found(tmp_path, out_dir=tmp_path / "public")[0].sources == ["_site/c.md", "a.md", "deep/out/d.md"]
    assert found(tmp_path, out_dir=tmp_path / "deep" / "out")[0].sources == ["_site/c.md", "a.md", "public/b.md"]
    assert found(tmp_path, out_dir=tmp_path.parent / "elsewhere")[0].sources == [
        "_site/c.md", "a.md", "deep/out/d.md", "public/b.md"]


@pytest.mark.parametrize("patterns, kept", [
    (["drafts/**"], ["a.md", "notes/drafts/n.md", "x.tmp"]),
    (["drafts"], ["a.md", "x.tmp"]),  # a name without '/' matches at any depth, folders included
    (["/drafts"], ["a.md", "notes/drafts/n.md", "x.tmp"]),
    (["*.tmp"], ["a.md", "drafts/d.md", "drafts/sub/e.md", "notes/drafts/n.md"]),
    (["**/*.md"], ["x.tmp"]),
    (["drafts/*.md"], ["a.md", "drafts/sub/e.md", "notes/drafts/n.md", "x.tmp"]),
    (["notes/**/n.md", "?.tmp"], ["a.md", "drafts/d.md", "drafts/sub/e.md"]),
    (["[ab].md"], ["drafts/d.md", "drafts/sub/e.md", "notes/drafts/n.md", "x.tmp"]),
    (["[!a].md"], ["a.md", "x.tmp"]),
    ([], ["a.md", "drafts/d.md", "drafts/sub/e.md", "notes/drafts/n.md", "x.tmp"]),
])
def test_exclude_globs(tmp_path, patterns, kept):
    write(tmp_path, {"a.md": "", "drafts/d.md": "", "drafts/sub/e.md": "", "notes/drafts/n.md": "", "x.tmp": ""})
    result, _ = found(tmp_path, Config(exclude=patterns))
    assert sorted(result.sources + result.assets) == kept


def test_compile_excludes_matches_paths():
    rx = compile_excludes(["a/**/z", "*.bak"])
    assert rx.match("a/z") and rx.match("a/b/c/z") and rx.match("q/w.bak") and rx.match("a/z/inner")
    assert not rx.match("b/a/z") and not rx.match("a/zz") and not rx.match("w.bak2")
    assert compile_excludes([]) is None and compile_excludes(["  ", "/"]) is None


def test_ignored_names_for_the_watcher():
    for name in [".#a.md", "a.md~", ".a.md.swp", "a.swp", "a.md___jb_tmp___", "4913", "#a.md#", ".DS_Store", "~$x.docx"]:
        assert is_ignored_name(name), name
    for name in ["a.md", "4913.md", "notes", "a~b.md"]:
        assert not is_ignored_name(name), name
    assert is_ignored_path("notes/.obsidian/x.json") and is_ignored_path("node_modules/a.md")
    assert not is_ignored_path("notes/a.md")


def test_nfd_names_are_reported_nfc_and_readable(tmp_path):
    nfd = "Cafe\u0301/U\u0308bersicht.md"
    write(tmp_path, {nfd: "# Ü\n"})
    result, problems = found(tmp_path)
    assert problems == [] and result.sources == ["Café/Übersicht.md"]
    assert result.disk_path("Café/Übersicht.md") == nfd
    sf = read_source(tmp_path, "Café/Übersicht.md")
    assert not sf.failed and sf.body == "# Ü\n" and sf.path == "Café/Übersicht.md"


def test_names_equal_once_normalised_collide(tmp_path):
    write(tmp_path, {"U\u0308.md": "", "\u00dc.md": ""})
    result, problems = found(tmp_path)
    assert result.sources == ["Ü.md"]
    assert problems == ["Ü.md:1:1: warning[path-collision]: another file has the same name once Unicode-normalised; skipped"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks(tmp_path):
    root = write(tmp_path / "map", {"a.md": "", "sub/b.md": "", "sub/deeper/c.md": ""})
    write(tmp_path, {"outside/o.md": ""})
    os.symlink("../outside", root / "out-dir")
    os.symlink(str(tmp_path / "outside" / "o.md"), root / "out-file.md")
    os.symlink("..", root / "sub" / "deeper" / "up")  # a loop
    os.symlink("sub", root / "sub-again")  # a second way to the same folder
    os.symlink("a.md", root / "alias.md")  # a file inside the map: fine
    os.symlink("missing.md", root / "gone.md")
    os.symlink("self.md", root / "self.md")
    os.symlink("sub/deeper", root / "z-link")  # already walked under sub/
    result, problems = found(root)
    assert result.sources == ["a.md", "alias.md", "sub/b.md", "sub/deeper/c.md"]
    assert problems == [
        "gone.md:1:1: warning[broken-symlink]: broken symlink to 'missing.md'; skipped",
        "out-dir:1:1: warning[symlink-outside]: symlink to '../outside' points outside the map; skipped",
        "  hint: copy the files into the map, or link to a place inside it",
        f"out-file.md:1:1: warning[symlink-outside]: symlink to '{tmp_path / 'outside' / 'o.md'}' points outside the map; skipped",
        "  hint: copy the files into the map, or link to a place inside it",
        "self.md:1:1: warning[symlink-loop]: symlink loop at 'self.md'; skipped",
        "sub-again:1:1: warning[symlink-duplicate]: symlink to a folder already in the map; skipped",
        "  hint: its files are read from their real place",
        "sub/deeper/up:1:1: warning[symlink-loop]: symlink to a folder that contains it (a loop); skipped",
        "z-link:1:1: warning[symlink-duplicate]: symlink to a folder already in the map; skipped",
        "  hint: its files are read from their real place",
    ]


def test_a_symlinked_folder_inside_the_map_is_not_followed(tmp_path):
    write(tmp_path, {"real/x.md": ""})
    os.symlink("real", tmp_path / "a-link")  # sorts first: the real folder must still win
    result, problems = found(tmp_path)
    assert result.sources == ["real/x.md"]
    assert problems == ["a-link:1:1: warning[symlink-duplicate]: symlink to a folder already in the map; skipped",
                        "  hint: its files are read from their real place"]


# -- reading --------------------------------------------------------------------------------

def test_a_topic_file(tmp_path):
    write(tmp_path, {"people/ada.md": "---\ntitle: Ada\ntags: [x]\n---\n# Ada\n\nText.\n"})
    sf = read_source(tmp_path, "people/ada.md")
    assert (sf.path, sf.kind, sf.failed, sf.diagnostics) == ("people/ada.md", "topic", False, [])
    assert sf.front == {"title": "Ada", "tags": ["x"]} and isinstance(sf.front, PosDict)
    assert sf.front.value_span("title") == Span("people/ada.md", 2, 8)
    assert sf.body == "# Ada\n\nText.\n" and sf.body_span == Span("people/ada.md", 5, 1)
    assert sf.mtime == pytest.approx((tmp_path / "people/ada.md").stat().st_mtime)
    if sf.rendered is not None:  # ctxgen.markdown present
        assert "Ada" in sf.rendered.html


@pytest.mark.parametrize("front, kind", [
    ("association: wrote\nroles: {a: [x, y]}\n", "association"),
    ("occurrence: biography\ntopic: ada\n", "note"),
    ("title: plain\n", "topic"),
])
def test_kind_comes_from_the_front_matter(tmp_path, front, kind):
    write(tmp_path, {"a.md": f"---\n{front}---\nBody\n"})
    assert read_source(tmp_path, "a.md").kind == kind


def test_no_front_matter(tmp_path):
    write(tmp_path, {"a.md": "# Title\n\n---\nnot: front matter\n---\n"})
    sf = read_source(tmp_path, "a.md")
    assert sf.front is None and sf.body == "# Title\n\n---\nnot: front matter\n---\n"
    assert sf.body_span == Span("a.md", 1, 1) and sf.diagnostics == [] and not sf.failed


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nLine 1\r\nLine 2\r\n",
    b"---\rtitle: T\r---\rLine 1\rLine 2\r",
    b"---\ntitle: T\r\n---\rLine 1\r\nLine 2\n",
])
def test_bom_and_line_ends_do_not_change_positions(tmp_path, data):
    write(tmp_path, {"a.md": data})
    sf = read_source(tmp_path, "a.md")
    assert sf.front == {"title": "T"} and sf.front.value_span("title") == Span("a.md", 2, 8)
    assert sf.body == "Line 1\nLine 2\n" and sf.body_span == Span("a.md", 4, 1) and sf.diagnostics == []


def test_bom_without_front_matter(tmp_path):
    write(tmp_path, {"a.md": b"\xef\xbb\xbf# T\n"})
    assert read_source(tmp_path, "a.md").body == "# T\n"


@pytest.mark.parametrize("data, where", [
    (b"ok\ncaf\xe9\n", "a.md:2:4"),
    (b"\xef\xbb\xbfcaf\xe9", "a.md:1:4"),  # the BOM is not a column
    (b"a\r\nb\rc\r\n\xc3\xa9\xc3\xa9\xff", "a.md:4:3"),  # columns count characters
    (b"\xc3", "a.md:1:1"),  # truncated sequence
])
def test_invalid_utf8_points_at_the_first_bad_byte(tmp_path, data, where):
    write(tmp_path, {"a.md": data})
    sf = read_source(tmp_path, "a.md")
    assert sf.failed and sf.front is None and sf.rendered is None
    assert messages(sf)[0].startswith(f"{where}: error[encoding]: not valid UTF-8: byte 0x")
    assert messages(sf)[1] == "  hint: re-save the file as UTF-8 (your editor's 'Save with Encoding')"


def test_nul_bytes_are_replaced(tmp_path):
    write(tmp_path, {"a.md": b"---\ntitle: T\n---\nab\x00c\n"})
    sf = read_source(tmp_path, "a.md")
    assert not sf.failed and sf.body == "ab\ufffdc\n"
    assert messages(sf)[0] == "a.md:4:3: warning[nul-byte]: file contains a NUL byte; replaced with U+FFFD"


@pytest.mark.parametrize("data", ["", " \n\t\n", "\r\n\r\n"])
def test_empty_files_warn(tmp_path, data):
    write(tmp_path, {"a.md": data})
    sf = read_source(tmp_path, "a.md")
    assert not sf.failed and [d.code for d in sf.diagnostics] == ["empty-file"]


def test_size_limit(tmp_path):
    write(tmp_path, {"a.md": "x" * 101, "b.md": "x" * 100})
    sf = read_source(tmp_path, "a.md", max_bytes=100)
    assert sf.failed and sf.body == ""
    assert messages(sf)[0] == "a.md:1:1: error[file-too-large]: file is 101 bytes, over the limit of 100 bytes"
    assert not read_source(tmp_path, "b.md", max_bytes=100).failed


def test_broken_front_matter_fails_the_file(tmp_path):
    write(tmp_path, {"a.md": "---\ntitle: a: b\n---\n[[link]]\n", "b.md": "---\n- x\n---\n"})
    for rel in ("a.md", "b.md"):
        sf = read_source(tmp_path, rel)
        assert sf.failed and sf.front is None and sf.rendered is None


def test_unreadable_and_missing_files(tmp_path, monkeypatch):
    write(tmp_path, {"secret.md": "x"})
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith("secret.md"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(load_module.os, "open", deny)
    sf = read_source(tmp_path, "secret.md")
    assert sf.failed and messages(sf) == ["secret.md:1:1: error[unreadable]: cannot read file: Permission denied",
                                          "  hint: check the file's permissions"]
    monkeypatch.undo()
    sf = read_source(tmp_path, "gone.md")
    assert sf.failed and messages(sf) == ["gone.md:1:1: error[unreadable]: cannot read file: No such file or directory"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_never_hangs(tmp_path):
    write(tmp_path, {"a.md": ""})
    os.mkfifo(tmp_path / "pipe.md")
    result, problems = found(tmp_path)
    assert result.sources == ["a.md"]
    assert problems == ["pipe.md:1:1: warning[not-a-file]: not a regular file (a pipe, socket or device); skipped"]
    sf = read_source(tmp_path, "pipe.md")
    assert sf.failed and [d.code for d in sf.diagnostics] == ["not-a-file"]


def test_source_files_pickle(tmp_path):
    write(tmp_path, {"a.md": "---\ntitle: T\nlist: [1, {k: v}]\n---\n# T\n[[x]] and [y](y.md)\n"})
    sf = read_source(tmp_path, "a.md")
    copy = pickle.loads(pickle.dumps(sf))
    assert copy == sf and copy.front.value_span("list") == sf.front.value_span("list")


def test_read_sources_in_parallel_matches_serial(tmp_path, monkeypatch):
    files = {f"d{i % 7}/n{i}.md": f"---\ntitle: N{i}\ntags: [t{i % 3}]\n---\n# N{i}\n\nSee [[n{i + 1}]].\n"
             for i in range(60)}
    files["bad.md"] = b"caf\xe9"
    write(tmp_path, files)
    rels = sorted(files)
    monkeypatch.setattr(load_module, "PARALLEL_MIN_FILES", 10)
    parallel = read_sources(tmp_path, rels, jobs=2)
    serial = read_sources(tmp_path, rels, jobs=1)
    assert [s.path for s in parallel] == rels
    assert parallel == serial
    assert [s.path for s in parallel if s.failed] == ["bad.md"]


@pytest.mark.skipif(not CORPORA.is_dir(), reason="needs ../shared/corpora")
@pytest.mark.parametrize("corpus", ["quartz-docs", "foam-docs", "dendron-vault"])
def test_real_vaults_load_without_errors(corpus):
    root = CORPORA / corpus
    result, problems = found(root)
    assert result.sources and not [p for p in problems if "error[" in p]
    for sf in read_sources(root, result.sources, jobs=1):
        assert not sf.failed, messages(sf)
        assert not [m for m in messages(sf) if "error[" in m]


def test_an_invalid_glob_is_matched_literally_with_a_warning(tmp_path):
    write(tmp_path, {"[z-a]/a.md": "", "b.md": ""})
    result, problems = found(tmp_path, Config(exclude=["[z-a]"]))
    assert result.sources == ["b.md"]
    assert problems == ["ctxgen.yaml:1:1: warning[config-value]: Config value 'exclude': '[z-a]' is not a valid glob "
                        "(bad character range z-a); matched literally"]
