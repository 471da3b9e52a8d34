"""Command line: `ctxgen new|build|check|serve|convert|import`.

Exit codes: 0 ok, 1 errors in the map (or warnings under --strict), 2 bad usage: a bad
argument, or a map or output folder that cannot be used (USAGE_CODES). Diagnostics and the
summary go to stderr, so stdout stays clean for `convert`.
"""
from __future__ import annotations

import argparse
import signal
import sys
import traceback
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostics, Severity


def run() -> None:
    """The `ctxgen` command (and `python -m ctxgen`): main(), then exit. A Ctrl-C that comes as
    main() returns, or while Python shuts down, finds the work done or already stopped: it must
    not print a traceback."""
    code = 130  # unless main() returns
    try:
        code = main()
    except KeyboardInterrupt:  # just as main() returned, past its own handler: its result stands
        pass
    finally:
        _ignore_sigint()
    sys.exit(code)


def _ignore_sigint() -> None:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:  # one that came just before is raised as the handler is replaced
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("ctxgen: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug in ctxgen, not in the map: say so briefly
        if getattr(args, "verbose", False):
            traceback.print_exc()
        else:
            print(f"ctxgen: internal error: {type(e).__name__}: {e}\n  hint: run again with -v for details, and please report it", file=sys.stderr)
        return 1


# Errors about where ctxgen was told to read or write, not about the map's content: exit 2.
USAGE_CODES = frozenset({"bad-argument", "map-not-found", "output-dir", "output-write", "io-error",
                         "import-target-not-empty", "new-target-exists", "new-write", "syntax-unknown"})


def exit_code(diags: Diagnostics, strict: bool = False) -> int:
    """2 for a usage or environment error, else 1 when the run failed, else 0."""
    if any(d.code in USAGE_CODES for d in diags.errors):
        return 2
    return 1 if diags.has_errors(strict) else 0


def _path(text: str) -> Path:
    # Path("") is Path("."): an empty -o or MAP_DIR (an unset shell variable) must not quietly
    # mean the current folder, which a build would then replace.
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path is not allowed (is a shell variable unset?)")
    return Path(text)


def _port(text: str) -> int:
    port = int(text) if text.isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def _jobs(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of worker processes (0 = one per core)")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ctxgen", description="Build a topic-map website from a folder of Markdown files.")
    p.add_argument("--version", action="version", version=f"ctxgen {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, run) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("-v", "--verbose", action="store_true", help="show tracebacks of internal errors")
        c.set_defaults(run=run)
        return c

    c = command("new", "create a new map with example topics and a GitHub Pages workflow", _cmd_new)
    c.add_argument("path", type=_path, help="folder to create")

    for name, help, run in (("build", "build the site", _cmd_build), ("check", "validate the map without writing anything", _cmd_check)):
        c = command(name, help, run)
        c.add_argument("map_dir", nargs="?", type=_path, default=".", metavar="MAP_DIR")
        c.add_argument("--strict", action="store_true", help="treat warnings as errors")
        c.add_argument("--drafts", action="store_true", help="include topics marked draft: true")
        c.add_argument("-j", "--jobs", type=_jobs, default=0, help="worker processes (default: one per core)")
        c.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings (no notes, no summary)")
        c.add_argument("--timings", action="store_true", help="print wall and CPU time of each stage")
        if name == "build":
            c.add_argument("-o", "--output", type=_path, help="output folder (default: MAP_DIR/_site)")
            c.add_argument("--base-url", help="absolute URL the site is published at, e.g. https://user.github.io/repo/")
            c.add_argument("--force", action="store_true", help="replace an output folder ctxgen did not write")
            c.add_argument("--no-cache", action="store_true", help="ignore and do not write the build cache")

    c = command("serve", "preview the site, rebuilding and reloading on every save", _cmd_serve)
    c.add_argument("map_dir", nargs="?", type=_path, default=".", metavar="MAP_DIR")
    c.add_argument("--port", type=_port, default=8000)
    c.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    c.add_argument("--open", action="store_true", help="open the site in a browser")
    c.add_argument("--drafts", action="store_true")
    c.add_argument("--poll", action="store_true", help="poll for changes (network and WSL mounts)")
    c.add_argument("--base-url", help="preview under this URL's path, e.g. https://user.github.io/repo/ -> /repo/")

    c = command("convert", "convert a topic map (or a ctxgen map folder) between XTM, JTM, LTM, CTM and CXTM", _cmd_convert)
    c.add_argument("input", type=_path)
    c.add_argument("-o", "--output", type=_path, help="output file (default: standard output)")
    c.add_argument("--to", dest="to_format", help="xtm, jtm or cxtm (default: from the output's extension, else xtm)")
    c.add_argument("--from", dest="from_format", help="xtm, xtm1, jtm, ltm or ctm (default: from the extension)")
    c.add_argument("--drafts", action="store_true", help="with a map folder as input: include topics marked draft: true")

    c = command("import", "turn a topic map file into a ctxgen map folder", _cmd_import)
    c.add_argument("input", type=_path)
    c.add_argument("-o", "--output", type=_path, required=True, help="map folder to create")
    return p


def print_diagnostics(diags: Diagnostics, strict: bool = False, quiet: bool = False) -> None:
    for d in diags.sorted(strict):
        if not (quiet and d.severity is Severity.NOTE):
            print(d.format(), file=sys.stderr)


def _summary(result, strict: bool, write: bool) -> str:
    s = result.stats
    items = result.diagnostics.sorted(strict)
    errors = sum(1 for d in items if d.severity.value == "error")
    warnings = sum(1 for d in items if d.severity.value == "warning")
    problems = f"{_count(warnings, 'warning')}, {_count(errors, 'error')} in {s.seconds:.2f} s"
    if result.topic_map is None and not s.unchanged:  # stopped before reading the map: no counts to give
        return f"ctxgen: {'not built' if write else 'not checked'}: {problems}"
    # The site from the cache is the last build's: under --strict its warnings fail this one, so
    # it is "not built", as when the map changed.
    built = (result.written or s.unchanged) and not result.failed(strict)
    verb = "built" if built else ("checked" if not write else "not built:")
    pages = "" if not built else " (nothing changed)" if s.unchanged else f", {_count(s.pages, 'page')} written"
    return (f"ctxgen: {verb} {_count(s.topics, 'topic')}, {_count(s.associations, 'association')}, "
            f"{_count(s.occurrences, 'occurrence')}{pages}; {problems}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _run_build(args, write: bool) -> int:
    from .build import BuildOptions, build

    opts = BuildOptions(
        map_dir=args.map_dir,
        out_dir=getattr(args, "output", None),
        base_url=getattr(args, "base_url", None),
        strict=args.strict,
        drafts=args.drafts,
        write=write,
        force=getattr(args, "force", False),
        jobs=args.jobs,
        use_cache=not getattr(args, "no_cache", False),
    )
    result = build(opts)
    print_diagnostics(result.diagnostics, args.strict, args.quiet)
    failed = result.failed(args.strict)
    if not args.quiet or failed:
        print(_summary(result, args.strict, write), file=sys.stderr)
    if args.timings:
        for st in result.stats.stages:
            print(f"ctxgen: {st.name:<7}{st.wall:7.2f} s wall {st.cpu:7.2f} s CPU", file=sys.stderr)
    return exit_code(result.diagnostics, args.strict) if failed else 0


def _cmd_build(args) -> int:
    return _run_build(args, write=True)


def _cmd_check(args) -> int:
    return _run_build(args, write=False)


def _cmd_new(args) -> int:
    from .scaffold import create_map

    diags = Diagnostics()
    create_map(args.path, diags)
    print_diagnostics(diags)
    if diags.has_errors():
        return exit_code(diags)
    print(f"ctxgen: created {args.path}. Next: ctxgen serve {args.path}", file=sys.stderr)
    return 0


def _cmd_serve(args) -> int:
    from .serve import serve

    return serve(args)


def _cmd_convert(args) -> int:
    from .interchange.commands import convert

    diags = Diagnostics()
    code = convert(args.input, args.output, args.to_format, args.from_format, diags, args.drafts)
    print_diagnostics(diags)
    return exit_code(diags) if code else 0


def _cmd_import(args) -> int:
    from .interchange.commands import import_map

    diags = Diagnostics()
    code = import_map(args.input, args.output, diags)
    print_diagnostics(diags)
    if code:
        return exit_code(diags)
    files = sum(1 for _ in args.output.rglob("*.md"))
    print(f"ctxgen: imported {args.input} into {args.output} ({files} Markdown files). "
          f"Next: ctxgen serve {args.output}", file=sys.stderr)
    return 0
