"""The site's data files that need only the topic map (the search index, the XTM/JTM exports),
started in a forked worker as soon as the model exists.

Before the page workers can fork, the parent builds the site index and the graph the pages need:
about a second of serial work at 10,000 topics, with the second core idle. Started here first,
these tasks (about 3 s of CPU at that size) use that core meanwhile; `SiteRenderer.write_all`
leaves them out of its own pool and adds their results.
"""
from __future__ import annotations

from pathlib import Path

from .config import Config
from .diagnostics import Diagnostic, Severity
from .forkpool import can_fork, fork_pool
from .model import TopicMap
from .site_paths import is_safe_path
from .write import write_file

try:
    from . import searchindex as _searchindex
except ImportError:  # pragma: no cover
    _searchindex = None
try:  # the map's data exports (interchange engineer)
    from .interchange import commands as _interchange
except ImportError:  # pragma: no cover
    _interchange = None

EARLY_MIN_TOPICS = 400  # below this, a fork costs more than the overlap saves

TaskResult = tuple[int, int, list[Diagnostic]]  # files written, bytes, diagnostics


def map_tasks() -> list[str]:
    """The frontend tasks that need only the topic map and the config."""
    return [name for name, mod in (("search", _searchindex), ("exports", _interchange)) if mod is not None]


def map_task_files(kind: str, tm: TopicMap, config: Config) -> dict[str, bytes]:
    if kind == "exports":  # the whole map as XTM 2.1 and JTM 1.1, linked from the home page
        return _interchange.export_files(tm)
    return _searchindex.search_files(tm, config)


def write_files(kind: str, make, out_dir: Path) -> TaskResult:
    """Write the files `make()` returns (site path -> bytes) into out_dir; a bug in `make` becomes
    a diagnostic, so it never hides the pages' own."""
    try:
        files = make()
    except Exception as e:
        return 0, 0, [Diagnostic(Severity.ERROR, "render-internal", f"{kind} files not written: {type(e).__name__}: {e}")]
    count = size = 0
    for rel, data in sorted(files.items()):
        if is_safe_path(rel):
            write_file(out_dir / rel, data)
            count += 1
            size += len(data)
    return count, size, []


class EarlyTasks:
    """`map_tasks()` running in one forked worker, writing into out_dir. A context manager: leaving
    it without `results()` (an error, or a renderer that stops before writing) stops the worker."""

    def __init__(self, tm: TopicMap, config: Config, out_dir: Path, jobs: int):
        self.kinds: list[str] = []
        self._pool = self._pending = None
        if jobs > 1 and len(tm.topics) >= EARLY_MIN_TOPICS and can_fork():
            global _MAP
            _MAP = (tm, config)  # the worker inherits it by forking
            try:
                self._pool = fork_pool(1)
            finally:
                _MAP = None
            self.kinds = map_tasks()
            self._pending = self._pool.starmap_async(_run, [(kind, str(out_dir)) for kind in self.kinds], chunksize=1)

    def results(self) -> list[tuple[str, TaskResult]]:
        """Wait for the tasks: (kind, result) each."""
        if self._pending is None:
            return []
        done = self._pending.get()
        self._close()
        return list(zip(self.kinds, done))

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = self._pending = None

    def __enter__(self) -> "EarlyTasks":
        return self

    def __exit__(self, *exc) -> None:
        self._close()


_MAP: tuple[TopicMap, Config] | None = None  # set in the parent just before forking


def _run(kind: str, out_dir: str) -> TaskResult:
    assert _MAP is not None
    tm, config = _MAP
    return write_files(kind, lambda: map_task_files(kind, tm, config), Path(out_dir))
