"""`ctxgen serve`: build the map, serve it, rebuild and reload open tabs on every save.

The pieces: `serve_site.LiveSite` (the model and renderer in memory, patched per save),
`serve_http.DevServer` (the HTTP side: site paths only, Host check, reload script, SSE),
`serve_watch.Watcher` + `Batcher` (watchdog events, debounced). `Session` ties them together
and is what tests drive; `serve(args)` is the command.
"""
from __future__ import annotations

import errno
import ipaddress
import os
import sys
import threading
import webbrowser
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from .diagnostics import Severity
from .serve_http import DevServer, state_message
from .serve_site import LiveSite, Rebuild
from .serve_watch import QUIET_S, Batcher, Watcher


class ServeError(Exception):
    """A problem that stops the server before it starts (the message is for the user)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Session:
    def __init__(self, map_dir: Path, host: str = "127.0.0.1", port: int = 8000, *, drafts: bool = False,
                 poll: bool = False, base_url: str | None = None, quiet: float = QUIET_S,
                 out: TextIO | None = None, jobs: int = 0):
        self.map_dir = Path(map_dir)
        self.host, self.requested_port = host, port
        self.poll, self.quiet = poll, quiet
        self.out = out or sys.stderr
        self.site = LiveSite(self.map_dir, drafts=drafts, base_url=base_url, jobs=jobs)
        self.batcher = Batcher(quiet=quiet, matters=self.site.is_input)
        self.server: DevServer | None = None
        self.watcher: Watcher | None = None
        self.rebuilds: list[Rebuild] = []
        self.rebuilt = threading.Condition()  # notified after each rebuild (tests wait on it)
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Bind, build, start serving and watching. Raises ServeError when it cannot."""
        if not self.map_dir.is_dir():
            raise ServeError(f"{self.map_dir} is a file, not a map folder" if self.map_dir.exists()
                             else f"map folder not found: {self.map_dir}")
        try:
            self.server = DevServer(self.host, self.requested_port, self.site)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                free = _free_port(self.host, self.requested_port + 1)
                raise ServeError(f"port {self.requested_port} in use" + (f"; try --port {free}" if free else "")) from None
            if e.errno == errno.EACCES:
                raise ServeError(f"not allowed to use port {self.requested_port}; try --port 8000") from None
            raise ServeError(f"cannot serve on {self.host}:{self.requested_port}: {e.strerror or e}") from None
        if not is_loopback(self.host):
            self.say(f"warning: serving on {self.host}:{self.port} is exposed on all interfaces"
                     f"{'' if self.host in ('0.0.0.0', '::', '') else ' of that address'}: anyone who can reach "
                     "this machine can read the map; use --host 127.0.0.1 to keep it local")
        result = self.site.initial()
        self._print_initial(result)
        self._set_base_path()
        t = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, name="ctxgen-http",
                             daemon=True)
        t.start()
        self._threads.append(t)
        theme = self.site.state.renderer._theme_dir if self.site.state else None
        self.watcher = Watcher(self.map_dir, self.batcher, [theme] if theme else [], poll=self.poll,
                               warn=lambda s: self.say(f"warning: {s}"))
        self.watcher.start()
        self._record(result)
        self.site.warm()

    @property
    def port(self) -> int:
        return self.server.port if self.server else self.requested_port

    def url(self) -> str:
        return self.server.url() if self.server else ""

    def run(self) -> None:
        """The rebuild loop, until stop(): one rebuild per debounced batch of changes."""
        while not self._stopped.is_set():
            batch = self.batcher.wait()
            if batch is None:
                break
            self.rebuild(batch)

    def rebuild(self, batch: set[str]) -> Rebuild:
        """One rebuild for a batch of changed paths: printed, signalled to the tabs, recorded.
        A batch that changed nothing (a temporary file that came and went) is none of these."""
        r = self.site.update(batch)
        if r.nothing:
            return r
        self._set_base_path()
        for d in r.new_diagnostics:
            self.say(d.format())
        self.say(_line(r, self.site))
        if self.server is not None:
            self.server.events.publish(state_message(self.site, r.changed_pages if r.ok else []))
        self._record(r)
        self.site.warm()
        return r

    def stop(self) -> None:
        self._stopped.set()
        self.batcher.stop()
        if self.watcher is not None:
            self.watcher.stop()
        if self.server is not None:
            if self._threads:  # shutdown() waits for serve_forever: only when it runs
                self.server.shutdown()
            self.server.server_close()
        for t in self._threads:
            t.join(timeout=5)

    # --- output ------------------------------------------------------------------------
    def _record(self, r: Rebuild) -> None:
        with self.rebuilt:
            self.rebuilds.append(r)
            self.rebuilt.notify_all()

    def wait_rebuilds(self, n: int, timeout: float = 20.0) -> bool:
        """Wait until at least n rebuilds (the initial build counts as one) have happened."""
        with self.rebuilt:
            return self.rebuilt.wait_for(lambda: len(self.rebuilds) >= n, timeout)

    def _print_initial(self, r: Rebuild) -> None:
        for d in self.site.diagnostics:
            self.say(d.format())
        s = self.site
        errors = sum(1 for d in s.diagnostics if d.severity is Severity.ERROR)
        warnings = sum(1 for d in s.diagnostics if d.severity is Severity.WARNING)
        self.say(f"ctxgen: built {_counts(s)}; {warnings} warning{'s' * (warnings != 1)}, "
                 f"{errors} error{'s' * (errors != 1)} in {r.ms / 1000:.2f} s")

    def _set_base_path(self) -> None:
        state = self.site.state
        if self.server is not None and state is not None:
            path = urlsplit(state.renderer.base_url).path if state.renderer.base_url else ""
            self.server.base_path = path if path.endswith("/") else path + "/"


HOW = {"body": "body re-linked in place", "title": "title changed in place", "asset": "sent from disk"}


def _line(r: Rebuild, site: LiveSite) -> str:
    """One rebuild's console line: what changed, what was redone, which viewed pages changed, how long."""
    if not r.ok:
        errors = len(site.errors)
        return (f"ctxgen: {r.what}: {errors} error{'s' * (errors != 1)}; still serving the last good site "
                f"({r.ms:.0f} ms)")
    if r.how == "model":
        how = f"model rebuilt ({_counts(site)})"
    else:
        how = HOW.get(r.how, r.how)
    viewed = f"{r.rendered} viewed page{'s' * (r.rendered != 1)} re-rendered"
    if r.changed_pages is None:
        pages = f"{viewed}, all open tabs reloaded" if r.rendered else "all open tabs reloaded"
    else:
        pages = f"{viewed}, {len(r.changed_pages)} changed"
    fixed = f"; {r.fixed} diagnostic{'s' * (r.fixed != 1)} fixed" if r.fixed else ""
    return f"ctxgen: {r.what}: {how}; {pages}{fixed} in {r.ms:.0f} ms"


def _counts(site: LiveSite) -> str:
    tm = site.state.tm if site.state else None
    topics = sum(1 for t in tm.user_topics() if not t.implicit) if tm else 0
    pages = site.page_count()
    return f"{topics} topic{'s' * (topics != 1)}, {pages} page{'s' * (pages != 1)}"


def _interrupt_on_signals() -> None:
    """Ctrl-C and SIGTERM stop the server cleanly, also when started with SIGINT ignored (`cmd &`)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        return

    main_pid = os.getpid()

    def stop(signum, frame):
        if os.getpid() != main_pid:  # a forked reader inherited this handler: let it die quietly
            os._exit(1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def serve(args) -> int:
    """The `ctxgen serve` command: 0 after Ctrl-C, 1 when it cannot start."""
    _interrupt_on_signals()
    session = Session(args.map_dir, args.host, args.port, drafts=args.drafts, poll=args.poll,
                      base_url=args.base_url)
    try:
        try:
            session.start()
        except ServeError as e:
            print(f"ctxgen: error: {e}", file=sys.stderr)
            return 1
        session.say(f"ctxgen: serving {session.url()} (Ctrl-C to stop)")
        if args.open:
            threading.Timer(0.3, webbrowser.open, (session.url(),)).start()
        session.run()
    except KeyboardInterrupt:
        pass
    finally:
        session.stop()
    print("ctxgen: stopped", file=sys.stderr)
    return 0


def _free_port(host: str, start: int, tries: int = 50) -> int | None:
    """The first port from `start` that can be bound now (a suggestion, so it was really free)."""
    import socket

    for port in range(start, min(start + tries, 65536)):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
                return port
            except OSError:
                continue
    return None
