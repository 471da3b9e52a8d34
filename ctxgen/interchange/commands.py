"""Interchange commands the CLI wires in: convert, import a map into a ctxgen folder, export files.

    read_map(path, syntax, diags) -> TopicMap | None      any supported syntax, errors as diagnostics
    convert(input, output, to, from_, diags, drafts) -> int  exit code (0 ok, 1 errors); input a file or a map folder
    read_map_folder(map_dir, diags, drafts) -> TopicMap | None  a ctxgen map folder as a build publishes it
    import_map(input, map_dir, diags) -> int               writes a ctxgen map folder
    map_files(tm) -> dict[str, str]                        that folder's files (ctxgen.interchange.mapfiles)
    export_files(tm) -> dict[str, bytes]                   map.xtm (XTM 2.1), map.jtm (JTM 1.1)

Readers: XTM 1.0/2.0/2.1 (.xtm, .xml), JTM 1.0/1.1 (.jtm, .json), LTM (.ltm), CTM (.ctm), and a
ctxgen map folder (drafts left out, as in a build).
Writers: XTM 2.1 (xtm), JTM 1.1 (jtm), CXTM (cxtm).
"""
from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from ..diagnostics import Diagnostics, Span
from ..model import TopicMap
from .cxtm import serialize as write_cxtm
from .errors import TopicMapSyntaxError
from .jtm import write_jtm11
from .mapfiles import map_files
from .xtm import write_xtm21

# syntax -> (module, reader function)
READERS = {
    "xtm": ("ctxgen.interchange.xtm", "read_xtm"),
    "jtm": ("ctxgen.interchange.jtm", "read_jtm"),
    "ltm": ("ctxgen.interchange.ltm", "read_ltm"),
    "ctm": ("ctxgen.interchange.ctm", "read_ctm"),
}
EXTENSIONS = {".xtm": "xtm", ".xml": "xtm", ".xtmm": "xtm", ".jtm": "jtm", ".json": "jtm", ".ltm": "ltm", ".ltmm": "ltm", ".ctm": "ctm"}
WRITERS = {"xtm": write_xtm21, "jtm": write_jtm11, "cxtm": write_cxtm}
OUT_EXTENSIONS = {".xtm": "xtm", ".jtm": "jtm", ".json": "jtm", ".cxtm": "cxtm"}


def detect_syntax(path: Path, from_: str | None = None) -> str | None:
    """The reader for `path`: `from_` when given (xtm, xtm1, xtm2, jtm, ltm, ctm), else by extension."""
    if from_:
        key = from_.lower().rstrip(".0123456789") or from_.lower()
        return key if key in READERS else None
    return EXTENSIONS.get(path.suffix.lower())


def read_map(path: Path, syntax: str, diags: Diagnostics) -> TopicMap | None:
    """Read a topic map in `syntax`; on bad input append an error diagnostic and return None.

    Readers either raise TopicMapSyntaxError (XTM, JTM) or take a Diagnostics (LTM, CTM);
    both are handled here so callers see one convention.
    """
    module, func = READERS[syntax]
    try:
        reader = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        diags.error("syntax-unsupported", f"no {syntax.upper()} reader is available", Span(str(path)))
        return None
    try:
        if "diags" in inspect.signature(reader).parameters:
            before = len(diags.errors)
            tm = reader(path, diags)
            return tm if tm is not None and len(diags.errors) == before else None
        return reader(path)
    except TopicMapSyntaxError as e:
        e.report(diags)
        return None
    except RecursionError:
        diags.error("tm-syntax", "the map nests too deeply to read", Span(str(path)))
        return None


def read_map_folder(map_dir: Path, diags: Diagnostics, drafts: bool = False) -> TopicMap | None:
    """A ctxgen map folder's topic map as a build publishes it: drafts left out unless `drafts`.
    None (the errors in `diags`) when the map has errors."""
    from ..api import load_map

    result = load_map(map_dir, drafts=drafts)
    diags.extend(result.diagnostics)
    return result.topic_map if result.ok else None


def convert(input: Path, output: Path | None, to: str | None, from_: str | None, diags: Diagnostics,
            drafts: bool = False) -> int:
    """Convert a topic map file, or a ctxgen map folder (without its drafts unless `drafts`);
    writes to `output` or stdout. Returns the exit code."""
    syntax = "folder" if input.is_dir() and not from_ else detect_syntax(input, from_)
    if syntax is None:
        diags.error(
            "syntax-unknown",
            f"cannot tell the syntax of {input}" if not from_ else f"unknown input syntax {from_!r}",
            hint="use --from xtm|jtm|ltm|ctm",
        )
        return 1
    suffix = output.suffix.lower() if output is not None else ""
    if not to and suffix and suffix not in OUT_EXTENSIONS:  # `-o map.txt` must not quietly mean XTM
        diags.error("syntax-unknown", f"cannot tell the output syntax from the extension {output.suffix!r}",
                    hint="name the file .xtm, .jtm or .cxtm, or use --to xtm|jtm|cxtm")
        return 1
    target = (to or OUT_EXTENSIONS.get(suffix) or "xtm").lower()
    if target in ("xtm2", "xtm21", "xtm2.1"):
        target = "xtm"
    if target in ("jtm1.1", "jtm11"):
        target = "jtm"
    if target not in WRITERS:
        diags.error("syntax-unknown", f"unknown output syntax {to!r}", hint="use --to xtm|jtm|cxtm")
        return 1
    tm = read_map_folder(input, diags, drafts) if syntax == "folder" else read_map(input, syntax, diags)
    if tm is None:
        return 1
    data = WRITERS[target](tm)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as e:
            diags.error("io-error", f"cannot write {output}: {e.strerror}")
            return 1
    return 0


def export_files(tm: TopicMap) -> dict[str, bytes]:
    """The downloadable forms of a map for the site: `tm` as built, so without the drafts a
    build leaves out (the modeler never adds them)."""
    return {"map.xtm": write_xtm21(tm), "map.jtm": write_jtm11(tm, compact=True)}


def import_map(input: Path, map_dir: Path, diags: Diagnostics, from_: str | None = None) -> int:
    """Read a topic map and write it as a ctxgen map folder (see docs/authoring.md, "Keys for
    imported maps"). Refuses to write into a folder that already has Markdown files."""
    syntax = detect_syntax(input, from_)
    if syntax is None:
        diags.error("syntax-unknown", f"cannot tell the syntax of {input}", hint="use --from xtm|jtm|ltm|ctm")
        return 1
    if map_dir.exists() and any(map_dir.rglob("*.md")):
        diags.error("import-target-not-empty", f"{map_dir} already holds Markdown files", hint="import into a new folder")
        return 1
    tm = read_map(input, syntax, diags)
    if tm is None:
        return 1
    files = map_files(tm)
    try:
        folders: set[Path] = set()
        for rel, text in files.items():
            p = map_dir / rel
            if p.parent not in folders:
                p.parent.mkdir(parents=True, exist_ok=True)
                folders.add(p.parent)
            p.write_bytes(text.encode("utf-8"))
    except OSError as e:
        diags.error("io-error", f"cannot write {map_dir}: {e.strerror}")
        return 1
    return 0

