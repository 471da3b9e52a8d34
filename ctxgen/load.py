"""The load stage: find a map's files, and read each source into a `SourceFile`.

`discover` walks the map folder once (sorted, deterministic), skipping what is not content;
`read_source` is a pure function of one file (bytes -> front matter, body, rendered HTML,
diagnostics), so `read_sources` can fan it out over worker processes.
"""
from __future__ import annotations

import errno
import functools
import os
import pickle
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .asset_policy import HINT as ASSET_UNSAFE_HINT, file_reader, unsafe_asset
from .config import Config
from .diagnostics import Diagnostic, Diagnostics, Severity, Span
from .forkpool import can_fork, fork_pool
from .frontmatter import normalise_newlines, parse
from .ids import nfc
from .write import MARKER as SITE_MARKER  # every output folder carries it
from .source import SourceFile
from .yamlpos import PosDict

CONFIG_FILE = "ctxgen.yaml"
DEFAULT_MAX_FILE_BYTES: int = Config.__dataclass_fields__["max_file_bytes"].default
DEFAULT_SITE_DIR = "_site"  # skipped at the map root when no output folder is given
PARALLEL_MIN_FILES = 200  # below this a process pool costs more than it saves

_BOM = b"\xef\xbb\xbf"


# -- discovery ------------------------------------------------------------------------------

@dataclass(slots=True)
class Discovery:
    sources: list[str] = field(default_factory=list)  # map-relative POSIX NFC paths of *.md files, sorted
    assets: list[str] = field(default_factory=list)  # every other file, same form
    disk_paths: dict[str, str] = field(default_factory=dict)  # NFC path -> on-disk path, where they differ

    def disk_path(self, rel: str) -> str:
        """The path to open for a discovered file (differs from `rel` for NFD names)."""
        return self.disk_paths.get(rel, rel)


def is_ignored_name(name: str) -> bool:
    """Dotfiles, editor temporaries and OS clutter: never content (used by the watcher too)."""
    return (
        name.startswith((".", "~$"))
        or name.endswith(("~", ".swp", ".swo", ".swx", "___jb_tmp___", "___jb_old___"))
        or (name.startswith("#") and name.endswith("#"))
        or name in _IGNORED_NAMES
    )


_IGNORED_NAMES = {"4913", "Thumbs.db", "desktop.ini"}  # 4913: vim's can-I-write probe
_SKIPPED_DIRS = {"node_modules", "__pycache__"}
_SKIPPED_ROOT_DIRS = {"templates"}  # theme overrides, not content


def is_ignored_path(rel: str) -> bool:
    """True when any segment of a map-relative path is ignored by name (for the watcher)."""
    return any(is_ignored_name(seg) or seg in _SKIPPED_DIRS for seg in rel.split("/"))


def compile_excludes(patterns: list[str], diags: Diagnostics | None = None,
                     span_of: Callable[[str], Span] | None = None) -> re.Pattern[str] | None:
    """One regex for all `exclude:` globs, matched against map-relative paths.

    gitignore-like: `*` and `?` stay within a segment, `**` crosses folders, a pattern without
    '/' matches a name at any depth, and a pattern matching a folder excludes what is inside it.
    A pattern that is not a valid glob (`[z-a]`) is matched literally, with a warning at
    `span_of("exclude[i]")` (Config.span_of; ctxgen.yaml:1:1 without it).
    """
    parts = []
    for i, pattern in enumerate(patterns):
        if not pattern.strip().strip("/"):
            continue
        part = _glob_regex(pattern)
        try:
            re.compile(part)
        except re.error as e:
            if diags is not None:
                diags.warning("config-value", f"Config value 'exclude': {pattern!r} is not a valid glob ({e.msg}); "
                              "matched literally", span_of(f"exclude[{i}]") if span_of else Span(CONFIG_FILE, 1, 1))
            part = re.escape(nfc(pattern.strip()).strip("/")) + r"(?:/.*)?\Z"
        parts.append(part)
    return re.compile("|".join(parts), re.DOTALL) if parts else None


def _glob_regex(pattern: str) -> str:
    raw = nfc(pattern.strip())
    anchored = "/" in raw.rstrip("/")  # "a/b" and "/a" are relative to the map root; "a" and "a/" match anywhere
    p = raw.strip("/")
    out: list[str] = []
    i = 0
    while i < len(p):
        if p.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif p.startswith("**", i):
            out.append(".*")
            i += 2
        elif p[i] == "*":
            out.append("[^/]*")
            i += 1
        elif p[i] == "?":
            out.append("[^/]")
            i += 1
        elif p[i] == "[" and (end := p.find("]", i + 2)) > 0:
            body = p[i + 1 : end]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append(("[^" if negate else "[") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(p[i]))
            i += 1
    return ("" if anchored else "(?:.*/)?") + "".join(out) + r"(?:/.*)?\Z"


def is_inside(real: str, root_real: str) -> bool:
    """Whether the real path `real` is the real folder `root_real` or lies under it."""
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def symlink_outside(written: str, rel: str) -> Diagnostic:
    """The warning for the symlink at map-relative `rel`, to `written`, that leads out of the map."""
    return Diagnostic(Severity.WARNING, "symlink-outside", f"symlink to '{written}' points outside the map; skipped",
                      Span(rel, 1, 1), "copy the files into the map, or link to a place inside it")


def discover(map_dir: Path, config: Config, out_dir: Path | None, diags: Diagnostics) -> Discovery:
    """Every source and asset of the map, sorted, with what is skipped and why reported."""
    return _Walker(Path(map_dir), config, out_dir, diags).run()


class _Walker:
    def __init__(self, root: Path, config: Config, out_dir: Path | None, diags: Diagnostics) -> None:
        self.root = os.fspath(root)
        self.root_real = os.path.realpath(root)
        self.diags = diags
        self.excludes = compile_excludes(config.exclude, diags, config.span_of)
        self.out_real = os.path.realpath(out_dir) if out_dir is not None else None
        self.allow_html = config.allow_html
        self.found = Discovery()
        self.seen: set[str] = set()  # NFC paths of files found

    def run(self) -> Discovery:
        self.walk(self.root, self.root_real, "")
        found = self.found
        found.sources.sort()
        found.assets.sort()
        return found

    def warn(self, code: str, message: str, rel: str, hint: str | None = None) -> None:
        self.diags.warning(code, message, Span(rel, 1, 1), hint)

    def excluded(self, rel: str) -> bool:
        return self.excludes is not None and self.excludes.match(rel) is not None

    def walk(self, disk_dir: str, real_dir: str, rel_dir: str) -> None:
        try:
            with os.scandir(disk_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            self.warn("unreadable", f"cannot read folder: {e.strerror or e}; skipped", rel_dir.rstrip("/") or ".")
            return
        for entry in entries:
            name = entry.name
            if is_ignored_name(name):
                continue
            disk_rel = rel_dir + name
            rel = nfc(disk_rel)
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            except OSError as e:
                self.warn("unreadable", f"cannot read: {e.strerror or e}; skipped", rel)
                continue
            real = os.path.join(real_dir, name)
            if is_link:
                real = self.link_target(entry, rel)
                if real is None:
                    continue
                is_dir = os.path.isdir(real)
            if is_dir:
                self.enter(entry, real, rel, disk_rel, is_link)
            else:
                self.add_file(entry, rel, disk_rel, rel_dir == "")

    def link_target(self, entry: os.DirEntry, rel: str) -> str | None:
        """The real path a symlink leads to, or None (reported) when it must not be followed."""
        try:
            written = os.readlink(entry.path)
        except OSError:
            written = "?"
        try:
            real = os.path.realpath(entry.path, strict=True)
        except FileNotFoundError:
            self.warn("broken-symlink", f"broken symlink to '{written}'; skipped", rel)
            return None
        except OSError as e:
            if e.errno == errno.ELOOP:
                self.warn("symlink-loop", f"symlink loop at '{written}'; skipped", rel)
            else:
                self.warn("unreadable", f"cannot follow symlink to '{written}': {e.strerror or e}; skipped", rel)
            return None
        if not is_inside(real, self.root_real):
            self.diags.add(symlink_outside(written, rel))
            return None
        return real

    def enter(self, entry: os.DirEntry, real: str, rel: str, disk_rel: str, is_link: bool) -> None:
        if real == self.out_real or (self.out_real is None and rel == DEFAULT_SITE_DIR):
            return
        if os.path.exists(os.path.join(real, SITE_MARKER)):
            return  # a site ctxgen wrote (an old -o folder, say): output, never input
        if entry.name in _SKIPPED_DIRS or ("/" not in rel and entry.name in _SKIPPED_ROOT_DIRS):
            return
        if self.excluded(rel + "/"):
            return
        if is_link:
            # A folder symlink inside the map leads to files the walk reaches anyway (or to an
            # ancestor: a loop), so it is never followed; outside ones were refused already.
            link_dir = os.path.dirname(os.path.join(self.root_real, rel))
            if link_dir == real or link_dir.startswith(real.rstrip(os.sep) + os.sep):
                self.warn("symlink-loop", "symlink to a folder that contains it (a loop); skipped", rel)
            else:
                self.warn("symlink-duplicate", "symlink to a folder already in the map; skipped", rel,
                          "its files are read from their real place")
            return
        self.walk(entry.path, real, disk_rel + "/")

    def add_file(self, entry: os.DirEntry, rel: str, disk_rel: str, at_root: bool) -> None:
        if self.excluded(rel) or (at_root and entry.name == CONFIG_FILE):
            return
        try:
            st = entry.stat()
        except OSError as e:
            self.warn("unreadable", f"cannot read file: {e.strerror or e}; skipped", rel)
            return
        if not stat.S_ISREG(st.st_mode):
            self.warn("not-a-file", "not a regular file (a pipe, socket or device); skipped", rel)
            return
        found = self.found
        if rel in self.seen:
            self.warn("path-collision", "another file has the same name once Unicode-normalised; skipped", rel)
            return
        self.seen.add(rel)
        if rel != disk_rel:
            found.disk_paths[rel] = disk_rel
        if rel[-3:].lower() == ".md":
            found.sources.append(rel)
        elif not os.access(entry.path, os.R_OK):
            self.warn("unreadable", "cannot read file: Permission denied; skipped", rel)
        elif self.allow_html or self.publishable(entry.path, rel):
            found.assets.append(rel)

    def publishable(self, path: str, rel: str) -> bool:
        """False (warned) for an asset that could run script on the site: an unpublished asset
        is simply not an asset, so links to it are missing links, in build and serve alike."""
        try:
            unsafe = unsafe_asset(rel, file_reader(path))
        except OSError as e:
            self.warn("unreadable", f"cannot read file: {e.strerror or e}; skipped", rel)
            return False
        if unsafe is None:
            return True
        why, span = unsafe
        self.diags.warning("asset-unsafe", f"not published while allow_html is off: {why}", span, ASSET_UNSAFE_HINT)
        return False


# -- reading --------------------------------------------------------------------------------

def decode_source(data: bytes, rel: str) -> tuple[str | None, list[Diagnostic]]:
    """UTF-8 (BOM stripped) to text; None and an `encoding` error at the first bad byte."""
    if data.startswith(_BOM):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        prefix = data[: e.start]
        line = 1 + prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n")
        line_start = max(prefix.rfind(b"\n"), prefix.rfind(b"\r")) + 1
        col = len(prefix[line_start:].decode("utf-8")) + 1
        return None, [Diagnostic(
            Severity.ERROR, "encoding", f"not valid UTF-8: byte 0x{data[e.start]:02X} cannot be read",
            Span(rel, line, col), "re-save the file as UTF-8 (your editor's 'Save with Encoding')")]


def read_source(map_dir: Path, rel: str, allow_html: bool = False,
                max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> SourceFile:
    """Read and parse one source file; problems go to `SourceFile.diagnostics`, never raised."""
    sf = SourceFile(path=rel)
    data = _read_bytes(os.fspath(map_dir), rel, max_bytes, sf)
    if data is None:
        sf.failed = True
        return sf
    text, problems = decode_source(data, rel)
    if text is None:
        sf.diagnostics.extend(problems)
        sf.failed = True
        return sf
    text = normalise_newlines(text)
    if "\x00" in text:
        _replace_nuls(text, sf)
        text = text.replace("\x00", "\ufffd")
    if not text.strip():
        sf.diagnostics.append(Diagnostic(Severity.WARNING, "empty-file", "empty topic file", Span(rel, 1, 1),
                                         "write a title and some text, or delete the file"))
    parsed = parse(text, rel)
    sf.diagnostics.extend(parsed.diagnostics)
    sf.front, sf.body, sf.body_span = parsed.front, parsed.body, Span(rel, parsed.body_line, 1)
    if parsed.failed:
        sf.failed = True
        return sf
    front = parsed.front
    if isinstance(front, PosDict):
        if "association" in front:
            sf.kind = "association"
        elif "occurrence" in front:
            sf.kind = "note"
    render = _renderer()
    if render is not None:
        sf.rendered, problems = render(sf.body, sf.body_span, allow_html)
        sf.diagnostics.extend(problems)
    return sf


def _read_bytes(root: str, rel: str, max_bytes: int, sf: SourceFile) -> bytes | None:
    where = Span(rel, 1, 1)
    try:
        path = os.path.join(root, rel)
        if not os.path.lexists(path):
            path = os.path.join(root, _disk_rel(root, rel))
        # O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                sf.diagnostics.append(Diagnostic(Severity.ERROR, "not-a-file", "not a regular file", where))
                return None
            sf.mtime = st.st_mtime
            data = f.read(max_bytes + 1) if st.st_size <= max_bytes else b""
    except OSError as e:
        sf.diagnostics.append(Diagnostic(Severity.ERROR, "unreadable", f"cannot read file: {e.strerror or e}",
                                         where, "check the file's permissions" if e.errno == errno.EACCES else None))
        return None
    if st.st_size > max_bytes or len(data) > max_bytes:
        size = max(st.st_size, len(data))
        sf.diagnostics.append(Diagnostic(
            Severity.ERROR, "file-too-large", f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes",
            where, "split the file, or raise max_file_bytes in ctxgen.yaml"))
        return None
    return data


def _disk_rel(root: str, rel: str) -> str:
    """Find the on-disk spelling of an NFC path whose names are stored decomposed (macOS NFD)."""
    current = ""
    for seg in rel.split("/"):
        try:
            names = os.listdir(os.path.join(root, current) if current else root)
        except OSError:
            return rel
        match = next((n for n in names if nfc(n) == seg), seg)
        current = f"{current}/{match}" if current else match
    return current


def _replace_nuls(text: str, sf: SourceFile) -> None:
    first = text.index("\x00")
    line = text.count("\n", 0, first) + 1
    col = first - (text.rfind("\n", 0, first) + 1) + 1
    n = text.count("\x00")
    what = "a NUL byte" if n == 1 else f"{n} NUL bytes"
    sf.diagnostics.append(Diagnostic(Severity.WARNING, "nul-byte", f"file contains {what}; replaced with U+FFFD",
                                     Span(sf.path, line, col), "NUL bytes usually mean a binary or corrupted file"))


@functools.cache
def _renderer():
    """ctxgen.markdown.render_body, imported on first use (None while it does not exist)."""
    try:
        from .markdown import render_body
    except ImportError:
        return None
    return render_body


def read_sources(map_dir: Path, rels: list[str], allow_html: bool = False, jobs: int = 1,
                 max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> list[SourceFile]:
    """read_source over many files, in order; in forked worker processes when it pays off."""
    read = functools.partial(read_source, Path(map_dir), allow_html=allow_html, max_bytes=max_bytes)
    workers = min(jobs, os.cpu_count() or 1, len(rels))
    return list(_map_in_workers(read, rels, len(rels), workers, chunksize=max(16, len(rels) // (max(workers, 1) * 8))))


def read_batches_pickled(map_dir: Path, batches: list[list[str]], allow_html: bool = False, jobs: int = 1,
                         max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[bytes]:
    """read_source over each batch of files, each batch's SourceFiles as one pickle, in order and
    as soon as it is ready (the caller unpickles one while the workers read the next).

    Worker processes have to pickle what they send back anyway: handing over those bytes lets a
    build cache store them as they are, instead of pickling every SourceFile a second time."""
    read = functools.partial(_read_batch, Path(map_dir), allow_html, max_bytes)
    workers = min(jobs, os.cpu_count() or 1, len(batches))
    return _map_in_workers(read, batches, sum(len(b) for b in batches), workers, chunksize=1)


def _map_in_workers(func: Callable, items: list, files: int, workers: int, chunksize: int) -> Iterator:
    """func over items, in order: in forked workers when there are enough files to pay for them."""
    if workers <= 1 or files < PARALLEL_MIN_FILES or not can_fork():
        yield from map(func, items)
        return
    _renderer()  # import the Markdown engine once, before forking, so workers inherit it
    with fork_pool(workers) as pool:
        yield from pool.imap(func, items, chunksize=chunksize)


def _read_batch(map_dir: Path, allow_html: bool, max_bytes: int, rels: list[str]) -> bytes:
    files = [read_source(map_dir, rel, allow_html, max_bytes) for rel in rels]
    return pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL)
