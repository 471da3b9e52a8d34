"""Orchestration: load -> model -> validate -> render -> write, with a cache so nothing is computed twice.

The parse cache keeps each source's SourceFile keyed by (size, mtime): an edit re-reads only
that file. The build fingerprint (sources, assets, config, templates, theme, ctxgen itself,
options) is stored with the output: a build whose fingerprint matches the output's is a
no-op that replays the previous diagnostics.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import pickle
import shutil
import stat
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import Config
from .diagnostics import Diagnostic, Diagnostics, Severity, Span
from .model import TopicMap
from .source import SourceFile
from .write import MARKER, OutputError, check_output_dir, staged_output

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class BuildOptions:
    map_dir: Path
    out_dir: Path | None = None  # None: MAP_DIR/_site
    base_url: str | None = None  # overrides ctxgen.yaml
    strict: bool = False
    drafts: bool = False
    write: bool = True  # False for `ctxgen check`
    force: bool = False
    jobs: int = 0  # 0: one per core
    use_cache: bool = True

    def resolved_out(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.map_dir / "_site"


@dataclass
class BuildStats:
    topics: int = 0
    associations: int = 0
    occurrences: int = 0
    pages: int = 0
    seconds: float = 0.0
    unchanged: bool = False
    files_parsed: int = 0
    stages: list["StageTime"] = field(default_factory=list)  # in order, for `--timings`


@dataclass
class StageTime:
    name: str
    wall: float
    cpu: float  # this process and its finished workers, user + system


class _Stopwatch:
    """Wall and CPU time per stage; CPU includes the worker processes a stage forked and joined."""

    def __init__(self, stats: BuildStats):
        self.stats = stats
        self.wall, self.cpu = time.perf_counter(), _cpu_seconds()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), _cpu_seconds()
        self.stats.stages.append(StageTime(name, wall - self.wall, cpu - self.cpu))
        self.wall, self.cpu = wall, cpu


def _cpu_seconds() -> float:
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    stats: BuildStats
    topic_map: TopicMap | None = None
    config: Config | None = None
    written: bool = False

    def failed(self, strict: bool) -> bool:
        return self.diagnostics.has_errors(strict)


def cache_dir_for(map_dir: Path, out_dir: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ctxgen"
    key = hashlib.sha1(f"{map_dir.resolve()}\0{out_dir.resolve()}".encode()).hexdigest()[:16]
    return base / key


def build(opts: BuildOptions) -> BuildResult:
    with _no_cyclic_gc():
        return _build(opts)


@contextlib.contextmanager
def _no_cyclic_gc():
    """A build makes millions of long-lived objects and almost no garbage cycles: the cyclic
    collector would rescan them all, over and over, for nothing (it cost 40% of the load and
    model stages at 10,000 topics). Reference counting still frees everything else."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(opts: BuildOptions) -> BuildResult:
    from .configload import load_config
    from .load import discover

    t0 = time.perf_counter()
    diags = Diagnostics()
    stats = BuildStats()
    map_dir = opts.map_dir
    out_dir = opts.resolved_out()
    jobs = opts.jobs or os.cpu_count() or 1
    watch = _Stopwatch(stats)

    if not map_dir.is_dir():
        if map_dir.exists():
            diags.error("map-not-found", f"{map_dir} is a file, not a map folder", hint="give the folder that holds it")
        else:
            diags.error("map-not-found", f"map folder not found: {map_dir}")
        return BuildResult(diags, stats)

    config = load_config(map_dir, diags)
    if opts.base_url is not None:
        config.base_url = _normalise_base_url(opts.base_url, diags)
    if opts.write:
        try:
            check_output_dir(out_dir, map_dir, opts.force)
        except OutputError as e:
            diags.error("output-dir", str(e))
            return _finish(diags, stats, t0)

    found = discover(map_dir, config, out_dir, diags)
    cache = _Cache(cache_dir_for(map_dir, out_dir)) if opts.use_cache else None
    stamps = _source_stamps(map_dir, found)  # once: the fingerprint and the parse cache both use them
    fingerprint = _fingerprint(map_dir, config, found, opts, stamps)

    if opts.write and cache and not diags.has_errors() and cache.is_current(fingerprint, out_dir):
        diags.extend(cache.last_diagnostics())
        stats = cache.last_stats()
        stats.unchanged, stats.pages, stats.stages = True, 0, []
        return _finish(diags, stats, t0, config=config)

    sources = _read_sources(map_dir, found, config, jobs, cache, stats, stamps)
    for sf in sources:
        diags.extend(sf.diagnostics)
    watch.lap("load")

    from .modeler import build_topic_map
    from .validate import validate

    tm = build_topic_map(sources, config, diags, drafts=opts.drafts, assets=found.assets)
    validate(tm, config, diags)
    stats.topics = sum(1 for t in tm.user_topics() if not t.implicit)
    stats.associations = sum(1 for a in tm.associations if not a.type.startswith("tm:"))
    stats.occurrences = sum(len(t.occurrences) for t in tm.topics.values())
    result = BuildResult(diags, stats, tm, config)
    watch.lap("model")

    if diags.has_errors(opts.strict):
        return _finish(diags, stats, t0, result)

    from .render import RenderOptions, SiteRenderer
    from .render_early import EarlyTasks
    from .site_templates import collapse_page_repeats

    # The renderer needs only each file's mtime: the parsed front matter and the SourceFiles
    # themselves are freed here (a fifth of the peak memory at 10,000 topics).
    stamps = [SourceFile(path=sf.path, mtime=sf.mtime) for sf in sources]
    del sources
    options = RenderOptions(map_dir=map_dir, drafts=opts.drafts, jobs=jobs, assets=found.assets, sources=stamps)
    if not opts.write:  # `check` also reports what the theme and templates would refuse
        diags.extend(SiteRenderer(tm, config, options).setup)
        return _finish(diags, stats, t0, result)
    try:
        with staged_output(out_dir) as tmp, EarlyTasks(tm, config, tmp, jobs) as early:
            renderer = SiteRenderer(tm, config, options)  # meanwhile the search index and exports are written
            render_diags = Diagnostics()
            render_stats = renderer.write_all(tmp, render_diags, early)
            diags.extend(collapse_page_repeats(render_diags.items))
            if render_diags.has_errors(opts.strict):
                raise _RenderFailed
            stats.pages = render_stats.pages
            (tmp / MARKER).write_text(fingerprint + "\n")
            watch.lap("render")
    except _RenderFailed:
        return _finish(diags, stats, t0, result)
    except OutputError as e:
        diags.error("output-dir", str(e))
        return _finish(diags, stats, t0, result)
    except OSError as e:
        diags.error("output-write", f"cannot write the site to {out_dir}: {e.strerror or e} ({e.filename or out_dir})")
        return _finish(diags, stats, t0, result)
    result.written = True
    if cache:
        cache.save_build(fingerprint, diags, stats)
    watch.lap("swap")
    return _finish(diags, stats, t0, result)


class _RenderFailed(Exception):
    pass


def _finish(diags: Diagnostics, stats: BuildStats, t0: float, result: BuildResult | None = None, config=None) -> BuildResult:
    stats.seconds = time.perf_counter() - t0
    if result is None:
        result = BuildResult(diags, stats, config=config)
    return result


def _normalise_base_url(url: str, diags: Diagnostics) -> str:
    url = url.strip()
    if "://" not in url:  # bad usage (exit 2), not a fault of the map; '' included
        diags.error("bad-argument", f"--base-url {url!r}: expected an absolute URL such as https://user.github.io/repo/",
                    hint="the URL the site is published at; leave --base-url out to build without one")
        return ""
    return url if not url or url.endswith("/") else url + "/"


def _read_sources(map_dir: Path, found, config: Config, jobs: int, cache: "_Cache | None", stats: BuildStats,
                  stamps: dict[str, tuple[int, ...]] | None = None) -> list[SourceFile]:
    """Every source, parsed or from the cache. The cache is kept in buckets of files (by a hash of
    the path), so an edit rewrites one bucket, and a cold build stores the pickles the worker
    processes sent back as they are."""
    from .load import read_batches_pickled

    rels = found.sources
    if stamps is None:
        stamps = _source_stamps(map_dir, found)
    buckets = _buckets(rels)
    out: dict[str, SourceFile] = {}
    stale: list[tuple[int, list[str], list[str], bool]] = []  # bucket, its files, files to parse, any hit
    for b, members in enumerate(buckets):
        cached = cache.load_bucket(len(buckets), b, config.allow_html) if cache else {}
        todo = []
        for rel in members:
            hit = cached.get(rel)
            if hit is not None and hit[0] == stamps[rel]:
                out[rel] = hit[1]
            else:
                todo.append(rel)
        if todo or len(cached) != len(members):
            stale.append((b, members, todo, len(todo) < len(members)))
    stats.files_parsed = sum(len(todo) for _, _, todo, _ in stale)
    blobs = read_batches_pickled(map_dir, [todo for _, _, todo, _ in stale], config.allow_html, jobs,
                                 config.max_file_bytes)
    # strict: zip then asks `blobs` for one more, which ends the generator and its worker pool here.
    # Left suspended, the pool would be shut down whenever the generator is collected, where a
    # Ctrl-C is "ignored" with a traceback and the build goes on.
    for (b, members, todo, any_hit), blob in zip(stale, blobs, strict=True):
        fresh = pickle.loads(blob)
        for sf in fresh:
            out[sf.path] = sf
        if cache:
            if any_hit:  # merge the fresh files into what the bucket kept
                blob = pickle.dumps([out[rel] for rel in members], protocol=pickle.HIGHEST_PROTOCOL)
            cache.save_bucket(len(buckets), b, config.allow_html, [stamps[rel] for rel in members], blob)
    return [out[rel] for rel in rels if rel in out]


SOURCE_BUCKETS_MAX = 64
SOURCE_BUCKET_FILES = 256  # files per bucket before the count doubles


def _buckets(rels: list[str]) -> list[list[str]]:
    """Files grouped by a stable hash of their path. The count only changes when the map's size
    crosses a power of two, so adding a file keeps the others' buckets."""
    count = 1
    while count < SOURCE_BUCKETS_MAX and count * SOURCE_BUCKET_FILES <= len(rels):
        count *= 2
    buckets: list[list[str]] = [[] for _ in range(count)]
    for rel in rels:
        buckets[zlib.crc32(rel.encode()) % count].append(rel)
    return buckets


@functools.lru_cache(maxsize=1)
def _code_version() -> str:
    """ctxgen's version plus the stat of its own modules: a cache written by other code is stale."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(f"{p}\0{file_stamp(p)}\0".encode())
    return h.hexdigest()


def file_stamp(path: Path) -> tuple[int, ...]:
    """What tells a file changed: size, mtime and inode of what it points to; for a symlink also
    the link's own mtime, so re-pointing it (even at a file of the same size and mtime) counts.
    One lstat for a regular file: this runs for every file of the map on every build."""
    try:
        st = os.lstat(path)
        if not stat.S_ISLNK(st.st_mode):
            return (st.st_size, st.st_mtime_ns, st.st_ino)
        target = os.stat(path)
        return (target.st_size, target.st_mtime_ns, target.st_ino, st.st_mtime_ns)
    except (OSError, ValueError):
        return (-1, -1, -1)


def _source_stamps(map_dir: Path, found) -> dict[str, tuple[int, ...]]:
    return {rel: file_stamp(map_dir / found.disk_path(rel)) for rel in found.sources}


def _fingerprint(map_dir: Path, config: Config, found, opts: BuildOptions, stamps: dict[str, tuple[int, ...]]) -> str:
    h = hashlib.sha256()
    h.update(f"{_code_version()}\0{config.base_url}\0{opts.drafts}\0".encode())
    for rel in found.sources:
        h.update(f"source\0{rel}\0{stamps[rel]}\0".encode())
    for rel in found.assets:
        h.update(f"asset\0{rel}\0{file_stamp(map_dir / found.disk_path(rel))}\0".encode())
    watched = [map_dir / "ctxgen.yaml", map_dir / "templates", _theme_dir()]
    for root in watched:
        for p in _walk_files(root):
            h.update(f"{p}\0{file_stamp(p)}\0".encode())
    return h.hexdigest()


def _theme_dir() -> Path:
    installed = PACKAGE_DIR / "themes"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "themes"


def _walk_files(root: Path):
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            yield Path(dirpath, f)


class _Cache:
    """Pickled SourceFiles and the last build's fingerprint, diagnostics and counts."""

    def __init__(self, root: Path):
        self.root = root

    def _read(self, name: str):
        try:
            with open(self.root / name, "rb") as f:
                return pickle.load(f)
        except Exception:  # a missing, old or corrupt cache is just a cold cache
            return None

    def _write(self, name: str, value) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = self.root / f".{name}.tmp"
            with open(tmp, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.root / name)
        except OSError:
            pass  # an unwritable cache only costs speed

    def _bucket_dir(self, count: int, allow_html: bool) -> Path:
        return self.root / f"sources-{_code_version()[:16]}-{count}{'-html' if allow_html else ''}"

    def load_bucket(self, count: int, b: int, allow_html: bool) -> dict[str, tuple[tuple[int, int], SourceFile]]:
        """rel -> (stat stamp, SourceFile) for the files the bucket holds; {} when there is none."""
        try:
            with open(self._bucket_dir(count, allow_html) / f"{b}.pickle", "rb") as f:
                stamps, blob = pickle.load(f)
            files = pickle.loads(blob)
            return {sf.path: (stamp, sf) for stamp, sf in zip(stamps, files)}
        except Exception:  # a missing, old or corrupt cache is just a cold cache
            return {}

    def save_bucket(self, count: int, b: int, allow_html: bool, stamps: list, blob: bytes) -> None:
        """Store a bucket: the files' stamps and the pickle of their SourceFiles, in the same order."""
        folder = self._bucket_dir(count, allow_html)
        try:
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                for old in self.root.glob("sources*"):  # other code or another bucket count: stale
                    if old != folder:
                        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
            tmp = folder / f".{b}.tmp"
            with open(tmp, "wb") as f:
                pickle.dump((stamps, blob), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, folder / f"{b}.pickle")
        except OSError:
            pass  # an unwritable cache only costs speed

    def is_current(self, fingerprint: str, out_dir: Path) -> bool:
        last = self._read("build.pickle")
        try:
            marker = (out_dir / MARKER).read_text().strip()
        except OSError:
            return False
        return bool(last) and last["fingerprint"] == fingerprint and marker == fingerprint

    def last_diagnostics(self) -> list[Diagnostic]:
        return self._read("build.pickle")["diagnostics"]

    def last_stats(self) -> BuildStats:
        return self._read("build.pickle")["stats"]

    def save_build(self, fingerprint: str, diags: Diagnostics, stats: BuildStats) -> None:
        self._write("build.pickle", {"fingerprint": fingerprint, "diagnostics": list(diags.items), "stats": stats})
