"""Helpers for the `ctxgen serve` tests: a small map, a running Session, raw HTTP and SSE clients."""
from __future__ import annotations

import http.client
import io
import json
import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ctxgen.serve import Session

SMALL_MAP = {
    "ctxgen.yaml": "title: Serve test map\n",
    "index.md": "---\ntitle: Home\n---\nWelcome. See [[ada]] and [[babbage]].\n",
    "people/ada.md": (
        "---\ntitle: Ada Lovelace\ntype: person\ntags: [maths]\n"
        "associations:\n  - type: worked-with\n    role: colleague\n    player: babbage\n---\n"
        "Ada wrote the first program. She met [[babbage]].\n\n## Notes\n\nSee [[engine]].\n"
    ),
    "people/babbage.md": "---\ntitle: Charles Babbage\ntype: person\n---\nBabbage designed the [[engine]].\n",
    "works/engine.md": "---\ntitle: Analytical Engine\n---\nA machine. ![[ada#Notes]]\n",
    "types/person.md": "---\ntitle: Person\n---\nA human being.\n",
}


def write_map(root: Path, files: dict[str, str] = SMALL_MAP) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


EMBEDDED = re.compile(rb'data-graph-inline="ctx-graph-data"(.*?)\n<script type="application/json" id="ctx-graph-data">(.*?)</script>', re.S)
FETCHED = re.compile(rb'<link rel="preload" href="([^"]*graph/t/[^"]*)" as="fetch" crossorigin>\n')


def _inline_graph(page: bytes) -> tuple[bytes, bytes | None]:
    """A built topic page with its embedded neighbourhood taken out, and that JSON."""
    m = EMBEDDED.search(page)
    if m is None:
        return page, None
    return page[:m.start()] + b"GRAPH" + m[1] + page[m.end():], m[2]


def _fetched_graph(page: bytes) -> tuple[bytes, str]:
    """A served topic page with its graph preload and source taken out, and the file's site path."""
    m = FETCHED.search(page)
    assert m is not None
    page = page[:m.start()] + page[m.end():]
    src = re.search(rb'data-graph-src="([^"]*)"', page)
    page = page[:src.start()] + b"GRAPH" + page[src.end():]
    return page, m[1].decode().lstrip("./")


def same_as_built(s, prefix: str, served: bytes, built: bytes) -> bool:
    """Is a served file (reload script stripped) what `ctxgen build` wrote? The one difference
    allowed: a built topic page embeds its neighbourhood JSON, which the server serves as a file."""
    built, embedded = _inline_graph(built)
    if embedded is None:
        return served == built
    served, src = _fetched_graph(served)
    return served == built and json.loads(get(s, prefix + src)[2]) == json.loads(embedded)


@contextmanager
def running(map_dir: Path, **kw):
    """A started Session on an ephemeral port, its rebuild loop in a thread; stopped afterwards."""
    kw.setdefault("quiet", 0.15)
    session = Session(map_dir, "127.0.0.1", 0, out=io.StringIO(), **kw)
    session.start()
    loop = threading.Thread(target=session.run, daemon=True)
    loop.start()
    try:
        yield session
    finally:
        session.stop()
        loop.join(timeout=5)


def get(session: Session, path: str, host: str | None = None, headers: dict | None = None):
    """(status, headers, body) for a raw request target, sent exactly as given."""
    conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        if host is not False:  # None: the right Host; False: no Host header at all
            conn.putheader("Host", f"127.0.0.1:{session.port}" if host is None else host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def raw_request(port: int, request_line: bytes, host: bytes) -> int:
    """The status for a request line sent byte for byte (backslashes, NUL bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request_line + b"\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0


class EventLog:
    """Reads the SSE stream in a thread and keeps every state message."""

    def __init__(self, session: Session, path: str = "/__ctxgen/events"):
        self.messages: list[dict] = []
        self._cond = threading.Condition()
        self.conn = http.client.HTTPConnection("127.0.0.1", session.port, timeout=30)
        self.conn.request("GET", path)
        self.response = self.conn.getresponse()
        self.headers = dict(self.response.getheaders())
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.response:
                if line.startswith(b"data: "):
                    with self._cond:
                        self.messages.append(json.loads(line[6:]))
                        self._cond.notify_all()
        except (OSError, ValueError):
            pass

    def wait_for(self, pred, timeout: float = 20.0) -> dict | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages:
                    if pred(m):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def close(self) -> None:
        self.conn.close()


def wait_until(pred, timeout: float = 20.0, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(every)
    return pred()


def strip_script(html: bytes) -> bytes:
    start = html.find(b'<script id="ctxgen-reload">')
    if start < 0:
        return html
    end = html.find(b"</script>", start) + len(b"</script>")
    return html[:start] + html[end:]
