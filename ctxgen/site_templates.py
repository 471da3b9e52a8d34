"""The Jinja2 environment of a build: map overrides first, then the theme; `theme:NAME` is the theme's own.

Templates are compiled once, up front, so a syntax error in an override is reported before
any page is rendered. Render-time errors are turned into diagnostics that name the template
and line (Jinja rewrites tracebacks so template frames carry the template's file and line).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Callable

import jinja2
import jinja2.sandbox
import jinja2.ext
from jinja2.loaders import split_template_path
from markupsafe import Markup

import ctxgen

from .diagnostics import Diagnostic, Severity, Span
from .ids import nfc
from .load import is_inside, symlink_outside

THEME_PREFIX = "theme:"
REQUIRED_TEMPLATES = ("base.html", "home.html", "topic.html", "tags.html", "tag.html",
                      "names.html", "graph.html", "search.html", "404.html")


def themes_dirs() -> list[Path]:
    """Where themes live: inside the installed package, else the source checkout's themes/."""
    pkg = Path(ctxgen.__file__).resolve().parent
    return [d for d in (pkg / "themes", pkg.parent / "themes") if d.is_dir()]


def available_themes() -> list[str]:
    names: set[str] = set()
    for d in themes_dirs():
        names.update(p.name for p in d.iterdir() if (p / "templates").is_dir())
    return sorted(names)


def find_theme(name: str) -> Path | None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    for d in themes_dirs():
        if (d / name / "templates").is_dir():
            return d / name
    return None


class MapThemeLoader(jinja2.BaseLoader):
    """Looks in the map's templates/ first, then the theme's; "theme:x.html" is always the theme's.

    A map's template whose real path is outside the map folder is never read, as if absent: a
    symlink (templates/env.html -> /proc/self/environ, or templates/ itself) would otherwise
    publish any file of the machine that builds the map. `refused` reports each such symlink."""

    def __init__(self, map_dir: Path | None, theme_templates: Path):
        self.theme_templates = theme_templates
        self.override_dir: Path | None = None
        self.refused: list[Diagnostic] = []
        folder = map_dir / "templates" if map_dir is not None else None
        if folder is None or not folder.is_dir():
            return
        self.map_real = os.path.realpath(map_dir)
        if not self._inside(folder):
            self.refused.append(symlink_outside(os.readlink(folder), "templates"))
            return
        self.override_dir = folder
        for dirpath, dirnames, filenames in os.walk(folder):  # symlinked folders are not entered
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                if os.path.islink(p) and os.path.exists(p) and not self._inside(p):
                    rel = nfc(Path(p).relative_to(map_dir).as_posix())  # as discovery names files
                    self.refused.append(symlink_outside(os.readlink(p), rel))

    def _inside(self, path: Path | str) -> bool:
        return is_inside(os.path.realpath(path), self.map_real)

    def _path(self, template: str) -> Path | None:
        if template.startswith(THEME_PREFIX):
            dirs = [self.theme_templates]
            template = template[len(THEME_PREFIX):]
        else:
            dirs = [d for d in (self.override_dir, self.theme_templates) if d is not None]
        parts = split_template_path(template)  # refuses '..'
        for d in dirs:
            p = d.joinpath(*parts)
            if p.is_file() and (d is not self.override_dir or self._inside(p)):
                return p
        return None

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        p = self._path(template)
        if p is None:
            raise jinja2.TemplateNotFound(template)
        return p.read_text(encoding="utf-8"), str(p), lambda: True

    def overrides(self) -> list[str]:
        if self.override_dir is None:
            return []
        return sorted(
            p.relative_to(self.override_dir).as_posix()
            for p in self.override_dir.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.suffix in (".html", ".xml", ".j2", ".jinja")
            and self._inside(p)
        )


_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}


def tojson(value: Any) -> Markup:
    """JSON safe inside <script> and in attributes: <, >, &, ' and U+2028/U+2029 escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup("".join(_JSON_ESCAPES.get(c, c) for c in text))


class FragmentCache(jinja2.ext.Extension):
    """`{% cache key, ... %}...{% endcache %}`: the body is rendered once per key and reused.

    For the parts of a page that many pages share (the site's nav on every topic page at one
    depth): the template says what the fragment depends on, and a fragment must read nothing
    else. The cache lives on the environment, i.e. one build; the key is made unique per tag.
    """

    tags = {"cache"}

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(fragment_cache={})

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        args = [jinja2.nodes.Const(f"{parser.name}:{lineno}")]
        while parser.stream.current.type != "block_end":
            if len(args) > 1:
                parser.stream.expect("comma")
            args.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        key = jinja2.nodes.Tuple(args, "load")
        return jinja2.nodes.CallBlock(self.call_method("_fragment", [key]), [], [], body).set_lineno(lineno)

    def _fragment(self, key: tuple, caller) -> str:
        cache = self.environment.fragment_cache
        made = cache.get(key)
        if made is None:
            made = cache[key] = caller()
        return made


class _BoundedSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` bounded as it bounds range(): `'a' * 10**9` in a map's
    template would otherwise take all the memory of the machine that builds it."""

    intercepted_binops = frozenset({"*", "**"})
    MAX_ITEMS = 1_000_000

    def call_binop(self, context, operator: str, left, right):
        if operator == "**" and isinstance(right, int) and abs(right) > 10_000 and left not in (0, 1, -1):
            raise jinja2.sandbox.SecurityError(f"the power {right} is too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > self.MAX_ITEMS:
                    raise jinja2.sandbox.SecurityError(f"the result would have more than {self.MAX_ITEMS:,} items")
        return super().call_binop(context, operator, left, right)


def make_environment(loader: MapThemeLoader) -> jinja2.Environment:
    """The Jinja environment of a build. A map's own templates/ are content, and content is
    untrusted: a plain Environment would let `{{ self.__init__.__globals__ ... }}` run any code
    on the machine that builds the map. So a map with template overrides renders in Jinja's
    sandbox (no private attributes, no unsafe calls); the theme's own templates alone need not."""
    environment_class = _BoundedSandbox if loader.overrides() else jinja2.Environment
    env = environment_class(
        loader=loader,
        extensions=[FragmentCache],
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
        keep_trailing_newline=True,
    )
    env.filters["tojson"] = tojson
    return env


class TemplateLocator:
    """Turns a template file name back into what the author sees: templates/x.html or theme:x.html."""

    def __init__(self, map_dir: Path | None, loader: MapThemeLoader):
        self.map_dir = map_dir.resolve() if map_dir else None
        self.loader = loader

    def display(self, filename: str | None) -> str | None:
        if not filename:
            return None
        p = Path(filename).resolve()
        if self.map_dir is not None:
            try:
                return p.relative_to(self.map_dir).as_posix()
            except ValueError:
                pass
        try:
            return THEME_PREFIX + p.relative_to(self.loader.theme_templates.resolve()).as_posix()
        except ValueError:
            return filename

    def is_template_file(self, filename: str) -> bool:
        p = Path(filename)
        if p.suffix not in (".html", ".xml", ".j2", ".jinja"):
            return False
        roots = [self.loader.theme_templates] + ([self.loader.override_dir] if self.loader.override_dir else [])
        return any(str(p).startswith(str(r)) for r in roots)

    def syntax_error(self, e: jinja2.TemplateSyntaxError) -> Diagnostic:
        where = self.display(e.filename) or (e.name or "?")
        return Diagnostic(Severity.ERROR, "template-syntax", e.message or str(e), Span(where, e.lineno or 1, 1))

    def render_error(self, e: BaseException, page: str) -> Diagnostic:
        """A diagnostic at the innermost template line of the traceback."""
        where: Span | None = None
        tb = e.__traceback__
        while tb is not None:
            fn = tb.tb_frame.f_code.co_filename
            if self.is_template_file(fn):
                where = Span(self.display(fn) or fn, tb.tb_lineno, 1)
            tb = tb.tb_next
        if isinstance(e, jinja2.TemplateSyntaxError):
            return self.syntax_error(e)
        if isinstance(e, jinja2.sandbox.SecurityError):
            return Diagnostic(Severity.ERROR, "template-unsafe", f"{e} (while rendering {page})", where,
                              "a map's templates run in Jinja's sandbox: private attributes and unsafe calls are refused")
        if isinstance(e, jinja2.UndefinedError):
            message = re.sub(r"'[\w.]*?(\w+) object'", r"\1", e.message or str(e))  # not our module paths
            return Diagnostic(Severity.ERROR, "template-undefined", f"{message} (while rendering {page})", where,
                              "docs/themes.md lists what each template gets")
        if isinstance(e, jinja2.TemplateNotFound):
            return Diagnostic(Severity.ERROR, "template-not-found",
                              f"template not found: {e.name} (while rendering {page})", where)
        return Diagnostic(Severity.ERROR, "template-error", f"{type(e).__name__}: {e} (while rendering {page})", where)


_EXTENDS_RE = re.compile(r"""\{%-?\s*extends\s+(["'])([^"']+)\1""")


def self_extending(loader: MapThemeLoader) -> list[Diagnostic]:
    """Overrides that extend themselves (`{% extends "topic.html" %}` in templates/topic.html):
    Jinja would recurse until Python gives up, on every page. The theme's is "theme:topic.html"."""
    found = []
    for name in loader.overrides():
        text = (loader.override_dir / name).read_text(encoding="utf-8", errors="replace")
        for m in _EXTENDS_RE.finditer(text):
            if m.group(2) == name:
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                found.append(Diagnostic(Severity.ERROR, "template-extends-itself",
                                        f"templates/{name} extends itself", Span(f"templates/{name}", line, col),
                                        f'to build on the theme\'s template, write {{% extends "theme:{name}" %}}'))
    return found


_WHILE_RENDERING = re.compile(r" \(while rendering (.+)\)$")


def collapse_page_repeats(items: list[Diagnostic]) -> list[Diagnostic]:
    """One template fault shows on every page that uses the template: report it once, saying on
    how many pages (and the first), instead of once per page."""
    groups: dict[tuple, list[Diagnostic]] = {}
    out: list[Diagnostic] = []
    for d in items:
        m = _WHILE_RENDERING.search(d.message)
        if m is None:
            out.append(d)
            continue
        groups.setdefault((d.severity, d.code, d.span, d.message[: m.start()], d.hint), []).append(d)
    for (severity, code, span, message, hint), ds in groups.items():
        pages = sorted(_WHILE_RENDERING.search(d.message).group(1) for d in ds)
        where = f"while rendering {pages[0]}" if len(pages) == 1 else f"on {len(pages)} pages, first {pages[0]}"
        out.append(Diagnostic(severity, code, f"{message} ({where})", span, hint))
    return out
