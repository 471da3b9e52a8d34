"""The dev server's HTTP side: a stdlib ThreadingHTTPServer over a `LiveSite`.

- Only paths of the site are answered: the request path is percent-decoded once, checked for
  backslashes, NUL bytes, '.' and '..' segments, then looked up in the site's own table of
  paths; a file sent from disk (an asset, a theme file) must also resolve inside its folder.
  Anything else is 404.
- Only requests whose Host is the address served are answered (DNS rebinding): 403 otherwise.
  No CORS headers are ever sent.
- HTML responses get a small script before their last `</body>` (or at the end): it listens to
  the Server-Sent Events at `<base>__ctxgen/events`, reloads the tab when its page changed, and
  shows the current errors as an overlay. Nothing else is ever modified.
"""
from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import os
import queue
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .serve_site import LiveSite, PageFailed

EVENTS = "__ctxgen/events"
HEARTBEAT_S = 10.0
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}

_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
          ".md": "text/markdown; charset=utf-8", ".mjs": "text/javascript; charset=utf-8"}


def content_type(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return _TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def site_path(target: str, base_path: str) -> str | None:
    """The site path a request target names ('' for the root), or None when it must be refused.

    Decoded exactly once, so '%252e%252e' stays the harmless literal name '%2e%2e'."""
    raw = target.split("#", 1)[0].split("?", 1)[0]
    if "\\" in raw or "\x00" in raw or not raw.startswith("/"):
        return None
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in path or "\x00" in path or not path.startswith(base_path):
        return None
    rel = path[len(base_path):]
    segments = rel.split("/")
    if any(seg in (".", "..") for seg in segments) or any(seg == "" for seg in segments[:-1]):
        return None
    return rel


def inject(html: bytes, script: bytes) -> bytes:
    """The reload script before the last </body>, or at the end when there is none (row 59)."""
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


def reload_script(base_path: str, page: str, version: int) -> bytes:
    cfg = json.dumps({"events": base_path + EVENTS, "page": page, "version": version})
    cfg = cfg.replace("<", "\\u003c")
    return (f'<script id="ctxgen-reload">(function(c){{'
            "var es=new EventSource(c.events);var box=null;"
            "function show(errs){if(box){box.remove();box=null;}if(!errs.length)return;"
            "box=document.createElement('div');box.id='ctxgen-overlay';box.setAttribute('role','alert');"
            "box.style.cssText='position:fixed;z-index:2147483647;left:0;right:0;top:0;max-height:60vh;overflow:auto;"
            "background:#2b0b0b;color:#ffd7d7;font:14px/1.5 monospace;padding:1em 1.5em;border-bottom:3px solid #e55';"
            "var h=document.createElement('strong');h.textContent='ctxgen: the last save has errors; showing the last good page';"
            "box.appendChild(h);errs.forEach(function(e){var p=document.createElement('pre');p.style.cssText='white-space:pre-wrap;background:transparent;color:inherit;border:0;margin:.5em 0;padding:0;font:inherit';"
            "p.textContent=(e.file?e.file+':'+e.line+':'+e.col+': ':'')+e.severity+'['+e.code+']: '+e.message+(e.hint?'\\n  hint: '+e.hint:'');"
            "box.appendChild(p);});document.documentElement.appendChild(box);}"
            "es.addEventListener('state',function(m){var d=JSON.parse(m.data);"
            "if(d.version!==c.version&&(d.pages===null||d.pages.indexOf(c.page)>=0||d.stale)){location.reload();return;}"
            "c.version=d.version;show(d.errors);});"
            f"}})({cfg});</script>").encode("utf-8")


class Events:
    """Fan-out of state messages to every open tab (one queue per SSE connection)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: set[queue.Queue] = set()
        self.closed = threading.Event()
        self.sent = 0  # reload signals sent (for tests and the benchmark)
        self.last_sent_at = 0.0

    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue()
        with self._lock:
            self._queues.add(q)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            self._queues.discard(q)

    def publish(self, message: dict) -> None:
        import time

        data = json.dumps(message)
        with self._lock:
            self.sent += 1
            self.last_sent_at = time.perf_counter()
            for q in self._queues:
                q.put(data)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._queues)

    def close(self) -> None:
        self.closed.set()
        with self._lock:
            for q in self._queues:
                q.put(None)


def state_message(site: LiveSite, pages: list[str] | None, stale: bool = False) -> dict:
    return {
        "version": site.version,
        "pages": pages,
        "stale": stale,
        "errors": [
            {"file": d.span.path if d.span else "", "line": d.span.line if d.span else 0,
             "col": d.span.col if d.span else 0, "severity": d.severity.value, "code": d.code,
             "message": d.message, "hint": d.hint or ""}
            for d in site.errors
        ],
    }


class DevServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a second server on the same port must fail, not share it

    def __init__(self, host: str, port: int, site: LiveSite, base_path: str = "/"):
        self.site = site
        self.base_path = base_path if base_path.endswith("/") else base_path + "/"
        self.events = Events()
        self.bind_host = host
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self) -> str:
        host = self.bind_host
        shown = "127.0.0.1" if host in ("", "0.0.0.0") else ("[::1]" if host in ("::", "::1") else host)
        if ":" in shown and not shown.startswith("["):
            shown = f"[{shown}]"
        return f"http://{shown}:{self.port}{quote(self.base_path)}"

    def host_allowed(self, header: str | None) -> bool:
        """Host must name this server: its port, and a loopback name, an IP literal or the bound name."""
        if not header:
            return False
        parts = urlsplit("//" + header)
        try:
            name, port = parts.hostname, parts.port
        except ValueError:
            return False
        if name is None or port != self.port:
            return False
        name = name.lower()
        if name in LOOPBACK_NAMES or name == self.bind_host.lower():
            return True
        if self.bind_host in ("", "0.0.0.0", "::"):
            try:
                ipaddress.ip_address(name)  # a numeric address cannot be rebound by DNS
                return True
            except ValueError:
                return False
        return False

    def server_close(self) -> None:
        self.events.close()
        super().server_close()


class _Handler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    server_version = "ctxgen-serve"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:  # quiet: the console is for rebuilds
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_POST(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", "text/plain; charset=utf-8")

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def do_GET(self, head: bool = False) -> None:
        srv = self.server
        if not srv.host_allowed(self.headers.get("Host")):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden: unknown Host\n", "text/plain; charset=utf-8", head)
            return
        base = srv.base_path
        raw = self.path.split("?", 1)[0]
        if base != "/" and raw in ("/", base.rstrip("/")):
            self._redirect(quote(base))
            return
        rel = site_path(self.path, base)
        if rel == EVENTS:
            self._events()
            return
        if rel is None:
            self._not_found(head)
            return
        page = rel if rel and not rel.endswith("/") else rel + "index.html"
        try:
            data, file = srv.site.lookup(page)
            if data is None and file is None and rel and not rel.endswith("/") \
                    and srv.site.lookup(rel + "/index.html")[0] is not None:
                self._redirect(quote(base + rel + "/"))  # a page's folder URL, as GitHub Pages does
                return
        except PageFailed as e:  # a template error: say so (as text), and reload the tab once it is fixed
            body = f"<!doctype html><title>ctxgen: template error</title><pre>{html.escape(f'ctxgen: {e}')}</pre>"
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, inject(body.encode("utf-8"), reload_script(base, page, srv.site.version)),
                       "text/html; charset=utf-8", head)
            return
        if file is not None:
            data = self._read_inside(file)
        if data is None:
            self._not_found(head)
            return
        ctype = content_type(page)
        if file is None and ctype.startswith("text/html"):  # only pages ctxgen rendered, never a file sent as it is
            data = inject(data, reload_script(base, page, srv.site.version))
        self._send(HTTPStatus.OK, data, ctype, head)

    def _read_inside(self, file: Path) -> bytes | None:
        """A file's bytes if it resolves (symlinks followed) inside one of the site's folders."""
        try:
            real = Path(os.path.realpath(file))
            if not any(real.is_relative_to(Path(os.path.realpath(root))) for root in self.server.site.roots()):
                return None
            if not real.is_file():
                return None
            return real.read_bytes()
        except OSError:
            return None

    def _not_found(self, head: bool) -> None:
        try:
            body, _ = self.server.site.lookup("404.html")
        except PageFailed:
            body = None
        if body is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", head)
            return
        body = inject(body, reload_script(self.server.base_path, "404.html", self.server.site.version))
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY if location.endswith("/") else HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, ctype: str, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        srv = self.server
        q = srv.events.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            # The state now: a tab rendered before the last rebuild reloads at once.
            self._event(json.dumps(state_message(srv.site, None, stale=True)))
            while not srv.events.closed.is_set():
                try:
                    data = q.get(timeout=HEARTBEAT_S)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if data is None:
                    break
                self._event(data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            srv.events.unsubscribe(q)

    def _event(self, data: str) -> None:
        self.wfile.write(b"event: state\ndata: " + data.encode("utf-8") + b"\n\n")
        self.wfile.flush()
