"""Helpers of the timeline and map browser tests: build a map, serve it under /repo/, a tile server."""
from __future__ import annotations

import functools
import http.server
import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

VIEWS_MAP = Path(__file__).resolve().parent / "maps" / "views"
EXAMPLE_MAP = Path(__file__).resolve().parents[2] / "example-map"
TIMEOUT = 20_000  # ms


def build(map_dir: Path, out: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "ctxgen", "build", str(map_dir), "-o", str(out)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONUTF8": "1"})
    assert proc.returncode == 0, proc.stderr
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve root; returns the server and the URL of root/repo/."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/repo/"


def png(width: int = 256, height: int = 256, rgb: tuple[int, int, int] = (200, 220, 240)) -> bytes:
    """A plain PNG tile."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


class TileServer:
    """A local tile server on 127.0.0.1: every /tiles/z/x/y.png is the same PNG; it records paths."""

    def __init__(self) -> None:
        tile = png()
        seen = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.template = self.origin + "/tiles/{z}/{x}/{y}.png"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
