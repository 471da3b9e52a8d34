"""The dev server's watcher: watchdog events, filtered and debounced into batches of changed paths.

Events under ignored names (.git/, editor swap and temporary files, dotfiles), under the
output folder and under node_modules never count. A batch is handed over once no event has
arrived for `quiet` seconds, a single save's window. Two things hold it for the longer `settle`
window instead (it restarts on every event, capped at `max_wait` after the first):

- a burst: `BURST_PATHS` or more paths pending (sed -i over a vault, git checkout). watchdog holds
  each rename's IN_MOVED_FROM up to 0.5 s to pair it, so events of a burst of renames can pause
  for that long: `settle` is longer, and the burst stays one rebuild;
- a deleted file of the map (`matters(path)`): editors that save by deleting and re-creating
  get one edit, not a delete (page gone) followed by a create.

Native events are used where they work; polling where they cannot (inotify limits, network,
WSL and container mounts) or when forced.
"""
from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .load import is_ignored_path

QUIET_S = 0.05  # one save: its few events come within a millisecond or two
SETTLE_S = 0.6  # a burst or a deletion: longer than watchdog's 0.5 s move-pairing delay
MAX_WAIT_S = 5.0  # a batch never waits longer than this after its first event
BURST_PATHS = 3  # a save is one path, or two (a temporary file renamed over it)
POLL_INTERVAL_S = 0.5
# File systems whose changes inotify does not see (made elsewhere, or not supported)
POLLED_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "v9fs", "drvfs", "fuse.sshfs", "fuse.vmhgfs-fuse",
             "vboxsf", "virtiofs", "fuse.rclone", "afs"}
OUTSIDE = "*"  # a change outside the map (the theme): everything is rebuilt


def mount_type(path: Path) -> str:
    """The file system type of the mount holding `path` (Linux /proc/mounts; '' elsewhere)."""
    try:
        real = os.path.realpath(path)
        best, kind = "", ""
        with open("/proc/mounts", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (real == mnt or real.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, kind = mnt, parts[2]
        return kind
    except OSError:
        return ""


class Batcher:
    """Collects changed paths; `wait()` returns one debounced batch (or None when stopped)."""

    def __init__(self, quiet: float = QUIET_S, max_wait: float = MAX_WAIT_S, settle: float = SETTLE_S,
                 matters: Callable[[str], bool] = lambda rel: False):
        self.quiet, self.max_wait, self.settle = quiet, max_wait, max(settle, quiet)
        self.matters = matters  # is this path one of the map's files (its deletion may be a save)?
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._settling = False  # the pending batch waits `settle`, not `quiet`
        self._first = self._last = 0.0
        self._stopped = False

    def add(self, rel: str, gone: bool = False) -> None:
        """`rel` changed; `gone`: it was deleted or moved away."""
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first, self._settling = now, False
            self._pending.add(rel)
            if gone and not self._settling and self.matters(rel):
                self._settling = True
            if len(self._pending) >= BURST_PATHS:
                self._settling = True
            self._last = now
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def due(self) -> float:
        """When the pending batch is handed over (monotonic time; call with paths pending)."""
        window = self.settle if self._settling else self.quiet
        return min(self._last + window, self._first + self.max_wait)

    def wait(self) -> set[str] | None:
        with self._cond:
            while not self._stopped:
                if not self._pending:
                    self._cond.wait(0.5)
                    continue
                now = time.monotonic()
                due = self.due()
                if now >= due:
                    batch, self._pending = self._pending, set()
                    return batch
                self._cond.wait(due - now)
            return None


class _Events(FileSystemEventHandler):
    def __init__(self, to_rel: Callable[[str], str | None], batcher: Batcher):
        self.to_rel, self.batcher = to_rel, batcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads (our own included) are not changes
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's entries changed: the events of those entries say which
        gone = event.event_type in ("deleted", "moved")  # for a move: its source only
        for p in (event.src_path, getattr(event, "dest_path", "")):
            if p:
                rel = self.to_rel(os.fsdecode(p))
                if rel is not None:
                    self.batcher.add(rel, gone)
            gone = False


class Watcher:
    """Watches the map folder and the theme folder; feeds a Batcher with map-relative paths."""

    def __init__(self, map_dir: Path, batcher: Batcher, extra_dirs: list[Path] = (), poll: bool = False,
                 warn: Callable[[str], None] = lambda s: None, poll_interval: float = POLL_INTERVAL_S):
        self.map_dir = Path(os.path.realpath(map_dir))
        self.extra = [Path(os.path.realpath(d)) for d in extra_dirs if Path(d).is_dir()]
        self.extra = [d for d in self.extra if not d.is_relative_to(self.map_dir)]
        self.batcher = batcher
        self.warn = warn
        self.poll_interval = poll_interval
        self.polling = poll
        if not poll:
            kind = mount_type(self.map_dir)
            if kind in POLLED_FS:
                warn(f"{map_dir} is on a {kind} mount, where file events are not delivered; polling for changes")
                self.polling = True
        self.observer = None

    def to_rel(self, path: str) -> str | None:
        p = Path(path)
        for root in self.extra:
            if p == root or p.is_relative_to(root):
                return OUTSIDE if not is_ignored_path(p.relative_to(root).as_posix()) else None
        try:
            rel = p.relative_to(self.map_dir).as_posix()
        except ValueError:
            return None
        if rel in ("", "."):
            return None
        first = rel.split("/", 1)[0]
        if first == "_site" or is_ignored_path(rel):
            return None  # the build's output, .git/, swap and temporary files: not changes (row 57)
        return rel

    def start(self) -> None:
        handler = _Events(self.to_rel, self.batcher)
        if not self.polling:
            try:
                self.observer = self._start(Observer(), handler)
                return
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EPERM, errno.ENOSYS, None):
                    raise
                self.warn(f"native file events unavailable ({e.strerror or e}; see fs.inotify.max_user_watches); "
                          "polling for changes instead")
                self.polling = True
        self.observer = self._start(PollingObserver(timeout=self.poll_interval), handler)

    def _start(self, observer, handler):
        try:
            observer.schedule(handler, str(self.map_dir), recursive=True)
            for d in self.extra:
                observer.schedule(handler, str(d), recursive=True)
            observer.start()
        except BaseException:
            try:
                observer.stop()
            except Exception:
                pass
            raise
        return observer

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
