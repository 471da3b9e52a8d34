"""Render stage: a TopicMap and its Config become the site's pages and files.

`SiteRenderer` builds its lookup indexes once (`site_index.SiteIndex`), compiles the theme's
templates once, and renders any page by its site path. `write_all` renders every page, in
worker processes on a large map (fork: the workers inherit the renderer and write their own
files), and adds the theme's static files, the map's assets, the graph JSON, the search index,
sitemap.xml, 404.html and .nojekyll.

Problems are diagnostics, never exceptions: setup problems (unknown theme, a template syntax
error) are collected when the renderer is made and reported by `write_all`.
"""
from __future__ import annotations

import dataclasses
import gc
import os
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
from types import SimpleNamespace as NS  # template data: attribute access is Jinja's fast path
from markupsafe import Markup, escape

from .config import Config
from .diagnostics import Diagnostic, Diagnostics, Severity, Span, cut
from .forkpool import can_fork, fork_pool
from .markdown import fill_holes, fill_tags, take_leading_h1
from .model import XSD_ANYURI, Association, Body, LinkTarget, Topic, TopicMap
from .render_early import EarlyTasks, map_task_files, map_tasks, write_files
from .site_embeds import embed_part, missing_embeds, part_of, prefix_ids
from .site_index import SiteIndex
from .site_topic import MAX_TYPED_ASSOCIATIONS, TopicView, badge_html
from .site_paths import (
    URL_SAFE,
    GRAPH,
    HOME,
    NAME_MAX,
    NAMES,
    NOT_FOUND,
    SEARCH,
    TAGS,
    absolute_url,
    home_topic_id,
    href,
    is_safe_path,
    long_segment,
    root_of,
    tag_path,
    topic_path,
    url_of,
)
from .site_templates import (
    REQUIRED_TEMPLATES,
    MapThemeLoader,
    TemplateLocator,
    available_themes,
    find_theme,
    make_environment,
    self_extending,
)
from .site_values import IMAGE_EXTENSIONS, file_embed, safe_href
from .source import LinkRef, RenderedBody, SourceFile
from .frontmatter import normalise_newlines, parse as parse_front_matter
from .write import MARKER as SITE_MARKER, write_file
from .yamlpos import PosDict

try:  # the frontend engineer's modules; the site builds without them
    from . import graphdata as _graphdata
except ImportError:  # pragma: no cover
    _graphdata = None
try:
    from . import searchindex as _searchindex
except ImportError:
    _searchindex = None
try:  # the map's data exports (interchange engineer)
    from .interchange import commands as _interchange
except ImportError:  # pragma: no cover
    _interchange = None
EXPORT_FILES = ("map.xtm", "map.jtm")  # what _interchange.export_files writes
try:  # the timeline and map pages (search/views engineer); the site builds without them
    from . import geomap as _geomap
    from . import timeline as _timeline
except ImportError:  # pragma: no cover
    _geomap = _timeline = None

EMBED_DEPTH = 3  # ![[a]] inside ![[b]] inside ![[c]]: deeper embeds become links
PARALLEL_MIN_PAGES = 400  # below this, forking costs more than it saves
MOST_CONNECTED = 12
RECENT = 10
# the occurrence types that say when a topic last changed (front matter updated/modified/lastmod/
# last_modified become `updated`; the others, from an importer or `occurrences:`, count as well)
CHANGE_OCCURRENCE_TYPES = frozenset({"updated", "modified", "lastmod", "last_modified"})
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
GLOBAL_GRAPH_JSON = getattr(_graphdata, "GLOBAL_GRAPH_PATH", "graph/all.json")
SEARCH_JSON = getattr(_searchindex, "SEARCH_INDEX_PATH", "search-index.json")
LEGEND_PATH = getattr(_graphdata, "LEGEND_PATH", "graph/legend.json")
# Folders whose files a frontend task names only when it runs (search shards, graph clusters):
# a page or asset there, named like one of those files, is a collision found before writing.
TASK_FOLDERS = {"graph": ("graph/c/",), "search": ("search/t/", "search/n/", "search/d/")}
TASK_OF_FOLDER = {folder: name for name, folders in TASK_FOLDERS.items() for folder in folders}
TIMELINE_PAGE, MAP_PAGE = "timeline.html", "map.html"
VIEW_TEMPLATES = (TIMELINE_PAGE, MAP_PAGE)  # optional: a theme without them has no such page


@dataclass
class RenderOptions:
    map_dir: Path | None = None  # for templates/ overrides and assets
    drafts: bool = False
    base_url: str | None = None  # overrides config.base_url
    jobs: int = 1
    serve_mode: bool = False  # set by the dev server (no sitemap)
    # A topic page embeds its neighbourhood JSON; the dev server turns this off and serves the same
    # JSON as a file, so a save need not re-render every page whose neighbourhood it touches.
    embed_graphs: bool = True
    assets: list[str] = field(default_factory=list)  # map-relative paths of non-Markdown files to copy
    sources: list[SourceFile] = field(default_factory=list)  # for "recently changed" (mtime)


@dataclass
class RenderStats:
    pages: int = 0
    files: int = 0  # everything written, pages included
    bytes: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Link:
    """A topic as a link target in a page: `html` is the ready-made markup."""

    id: str
    label: str
    href: str  # relative to the page; "" when the topic has no page
    color: str  # the schema colour of its first type, or ""
    html: Markup


@dataclass(slots=True)
class _Page:
    kind: str
    key: str = ""  # topic id or tag


def _sort_key(label: str) -> tuple[str, str]:
    return (label.casefold(), label)


def _letter(label: str) -> str:
    base = unicodedata.normalize("NFKD", label.strip())[:1].upper()
    return base if base.isalpha() else "#"


class SiteRenderer:
    def __init__(self, tm: TopicMap, config: Config, options: RenderOptions | None = None):
        self.tm = tm
        self.config = config
        self.options = options or RenderOptions()
        self.base_url = self.options.base_url if self.options.base_url is not None else config.base_url
        self.setup = Diagnostics()  # problems found before any page is rendered
        self.index = _without_gc(SiteIndex.build, tm, config, self.options.drafts)
        self.setup.extend(missing_embeds(self.index.topics, (
            b for t in self.index.topics.values() for b in (t.body, *(o.note for o in t.occurrences if o.note)))))
        self._mtimes = {s.path: s.mtime for s in self.options.sources}
        self._link_tables: dict[str, Callable[[str], Link]] = {}
        self._link_tails: dict[str, tuple] = {}
        self._badges: dict[tuple[str, str], str] = {}
        self._nav_cache: dict[tuple[str, str], list[NS]] = {}
        url_for = _graphdata.topic_urls(tm) if _graphdata else lambda tid: url_of(topic_path(tid))
        self._topic_urls = {tid: url_for(tid) for tid in self.index.topics}  # the home topic's is "./"
        self._inline_graphs: dict[str, str] = {}  # neighbourhoods computed ahead for a chunk of pages
        self._env: jinja2.Environment | None = None
        self._templates: dict[str, jinja2.Template] = {}
        self._theme_dir = find_theme(config.theme)
        self._setup_templates()
        self._pages = self._plan_pages()

    # --- templates ---------------------------------------------------------------------
    def _setup_templates(self) -> None:
        if self._theme_dir is None:
            self.setup.error(
                "theme-unknown",
                f"unknown theme {self.config.theme!r}; available: {', '.join(available_themes()) or '(none)'}",
                self.config.span_of("theme"),
            )
            return
        theme_templates = self._theme_dir / "templates"
        loader = MapThemeLoader(self.options.map_dir, theme_templates)
        self.setup.extend(loader.refused)
        self._env = make_environment(loader)
        self._locator = TemplateLocator(self.options.map_dir, loader)
        self.setup.extend(self_extending(loader))
        missing = [t for t in REQUIRED_TEMPLATES if loader._path(t) is None]
        if missing:
            have = sorted(p.name for p in theme_templates.glob("*.html"))
            self.setup.error(
                "theme-incomplete",
                f"theme {self.config.theme!r} lacks {', '.join(missing)}; it has {', '.join(have) or 'no templates'}",
                self.config.span_of("theme"),
            )
        views = [v for v in VIEW_TEMPLATES if loader._path(v) is not None]
        for name in dict.fromkeys(list(REQUIRED_TEMPLATES) + views + loader.overrides()):
            if name in missing:
                continue
            try:
                self._templates[name] = self._env.get_template(name)
            except jinja2.TemplateSyntaxError as e:
                self.setup.add(self._locator.syntax_error(e))
            except jinja2.TemplateError as e:
                self.setup.add(self._locator.render_error(e, name))

    # --- the pages -----------------------------------------------------------------------
    def _plan_pages(self) -> dict[str, _Page]:
        pages: dict[str, _Page] = {}
        owners: dict[str, str] = {}
        whose: dict[str, str] = {}  # output path -> the topic id or asset path that claimed it, for a position

        def collide(message: str, *paths: str) -> None:
            span = next((sp for sp in map(self._claim_span, (whose.get(p) for p in paths)) if sp), None)
            self.setup.error("output-collision", message, span)

        def claim(path: str, page: _Page | None, owner: str, who: str | None = None) -> None:
            if not is_safe_path(path):
                self.setup.error("output-path", f"{owner}: output path {path!r} would leave the site folder")
                return
            if long_segment(path, NAME_MAX):  # the model refuses longer ids and tags: this is a safety net
                self.setup.error("output-path", f"{cut(owner)}: output path {cut(path)!r} has a name longer than "
                                 f"{NAME_MAX} bytes, which file systems refuse", self._claim_span(who))
                return
            if path in owners:
                if who is not None:
                    whose.setdefault(path, who)
                collide(f"{owner} and {owners[path]} both write {path}", path)
                return
            owners[path] = owner
            if who is not None:
                whose[path] = who
            if page is not None:
                pages[path] = page

        for special, kind in ((HOME, "home"), (TAGS, "tags"), (NAMES, "names"), (GRAPH, "graph"),
                              (SEARCH, "search"), (NOT_FOUND, "404")):
            claim(special, _Page(kind), f"the {kind} page")
        for view in self._views():
            claim(view + ".html", _Page(view), f"the {view} page")
        for tid, t in sorted(self.index.topics.items()):
            claim(topic_path(tid), _Page("topic", tid), f"topic {tid!r}" + (f" ({t.source})" if t.source else ""),
                  "topic:" + tid)
        # tags that differ only by case or spelling of unsafe characters share one page
        self._tag_paths = {tag: tag_path(tag) for tag in sorted(self.index.tags)}
        self._tag_groups: dict[str, list[str]] = {}
        for tag, p in self._tag_paths.items():
            self._tag_groups.setdefault(p, []).append(tag)
        for p, tags in self._tag_groups.items():
            claim(p, _Page("tag", p), f"tag {tags[0]!r}")
        self._sub_tags: dict[str, list[str]] = {}  # folded tag -> the tags one level below it
        for tag in self._tag_paths:
            if "/" in tag:
                self._sub_tags.setdefault(tag.rpartition("/")[0].casefold(), []).append(tag)
        for asset in self.options.assets:
            claim(asset, None, f"asset {asset}", "asset:" + asset)
        tasks = self._frontend_tasks()
        for name in tasks:
            for out in self._task_outputs(name):
                claim(out, None, f"the {name} index" if name != "exports" else f"the map's export {out}")
        if "graph" in tasks:  # its per-topic files: named by the topics, so known now
            claim(LEGEND_PATH, None, "the graph index")
            for tid in sorted(self.index.topics):
                claim(_graphdata.topic_graph_path(tid), None, "the graph index")
        for extra in self._extra_files():
            claim(extra, None, "the theme" if extra.startswith("static/") else f"generated {extra}")
        claim(SITE_MARKER, None, "the site marker")
        self._check_folders(owners, tasks, collide)
        return pages

    def _check_folders(self, owners: dict[str, str], tasks: list[str], collide: Callable[..., None]) -> None:
        """A path written as a file cannot also be a folder of another (topic `graph/all.json` has
        its page at graph/all.json/index.html), nor lie in a folder whose files a frontend task
        names only when it runs (search shards, graph clusters)."""
        named_later = tuple(folder for name, folders in TASK_FOLDERS.items() if name in tasks for folder in folders)
        for path, owner in owners.items():
            if owner.startswith("the ") and owner.endswith(" index"):
                continue
            if path.startswith(named_later):
                folder = next(f for f in named_later if path.startswith(f))
                if path[len(folder):].split("/", 1)[0].endswith(".json"):
                    collide(f"{owner} writes {path}, in {folder}, where the {TASK_OF_FOLDER[folder]} index writes "
                            "its files", path)
                    continue
            folder = path
            while "/" in folder:
                folder = folder.rpartition("/")[0]
                if folder in owners:
                    collide(f"{owner} writes {path}, but {owners[folder]} writes the file {folder}", path, folder)
                    break

    def _claim_span(self, who: str | None) -> Span | None:
        """Where a claim comes from: a topic file's `id:` (1:1 when the id is the file's path), an asset."""
        if who is None:
            return None
        kind, _, key = who.partition(":")
        if kind == "asset":
            return Span(key, 1, 1)
        t = self.tm.topics.get(key)
        if t is None or not t.source:
            return t.span if t is not None else None
        at = Span(t.source, 1, 1)
        if self.options.map_dir is None:
            return at
        try:
            text = (self.options.map_dir / t.source).read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            return at
        front = parse_front_matter(normalise_newlines(text), t.source).front
        found = front.value_span("id") if isinstance(front, PosDict) and "id" in front else None
        return found or at

    def _views(self) -> list[str]:
        """"timeline" and "map" when the map has dated / located topics and the theme has the page."""
        if getattr(self, "_views_cache", None) is None:
            tm, cfg = self.tm, self.config
            dated = _timeline is not None and any(
                _timeline.is_timeline_date(o, cfg) for t in tm.topics.values() if not t.draft for o in t.occurrences)
            located = _geomap is not None and bool(_geomap.map_points(tm, cfg))
            self._views_cache = [v for v, on in (("timeline", dated), ("map", located))
                                 if on and v + ".html" in self._templates]
        return self._views_cache

    def _extra_files(self) -> list[str]:
        out = [".nojekyll", "sitemap.xml"]
        if self._theme_dir is not None:
            static = self._theme_dir / "static"
            if static.is_dir():
                out += ["static/" + p.relative_to(static).as_posix() for p in sorted(static.rglob("*"))
                        if p.is_file() and not p.name.startswith(".")]
        return out

    def _task_outputs(self, name: str) -> list[str]:
        """The files a frontend task is known to write before it runs (graph and search add more)."""
        return {"graph": [GLOBAL_GRAPH_JSON], "search": [SEARCH_JSON], "exports": list(EXPORT_FILES),
                "timeline": [getattr(_timeline, "TIMELINE_PATH", "")], "map": [getattr(_geomap, "MAP_PATH", "")]}[name]

    def generated_files(self) -> dict[str, str]:
        """The files `write_all` generates besides pages, the theme's static files and assets, as
        site path -> what makes it: "" (.nojekyll, empty), "sitemap" (`sitemap()`), or a frontend
        task's name (its bytes: `_frontend_files(name)`). The graph task also writes graph/t/...
        per topic, and the search task its shards: those are named only by the task's files.
        For the dev server, which serves the site from memory."""
        files = {".nojekyll": ""}
        if self.base_url and not self.options.serve_mode:
            files["sitemap.xml"] = "sitemap"
        for name in self._frontend_tasks():
            for out in self._task_outputs(name):
                files[out] = name
        return files

    def pages(self) -> list[str]:
        """Every page's site-relative path, in a stable order."""
        return list(self._pages)

    @property
    def ok(self) -> bool:
        return not self.setup.has_errors()

    def forget(self, tid: str | None = None) -> None:
        """Drop what was memoised about topic `tid` (about every topic when None), for a live
        server that patched the map in place: links, counts, navigation and template fragments."""
        if tid is None:
            self._link_tails.clear()
        else:
            self._link_tails.pop(tid, None)
        self._link_tables.clear()
        self._nav_cache.clear()
        self._counts_cache = None
        self._views_cache = None
        self._env.fragment_cache.clear()

    # --- links ---------------------------------------------------------------------------
    def label(self, tid: str) -> str:
        return self.index.labels.get(tid, tid)

    def link(self, page: str, tid: str) -> "Link":
        """A link to a topic from `page`; href "" when the topic has no page (a standard or draft topic)."""
        return self.link_table(root_of(page))(tid)

    def link_table(self, root: str) -> Callable[[str], "Link"]:
        """tid -> its Link from a page at `root` (e.g. "../"), made once per depth and shared.

        A link's markup differs between depths only by the relative prefix, so the escaped rest
        (`_link_tail`) is made once per topic; templates cannot change a shared Link (frozen)."""
        table = self._link_tables.get(root)
        if table is None:
            made: dict[str, Link] = {}
            prefix = "" if root == "./" else root

            def get(tid: str) -> Link:
                found = made.get(tid)
                if found is None:
                    tail = self._link_tails.get(tid)
                    if tail is None:
                        tail = self._link_tails[tid] = self._link_tail(tid)
                    label, url, color, start, end = tail
                    if url is None:
                        found = Link(tid, label, "", color, Markup(start))
                    else:
                        found = Link(tid, label, _joined(prefix, url), color, Markup(start + _joined(prefix, end)))
                    made[tid] = found
                return found

            table = self._link_tables[root] = get
        return table

    def _link_tail(self, tid: str) -> tuple[str, str | None, str, str, str]:
        """(label, url from the root or None, colour, markup before the prefix, markup after it)."""
        label = self.label(tid)
        url = self._topic_urls.get(tid)
        color = self.index.colors.get(tid, "")
        if url is None:
            return label, None, color, f'<span class="ctx-topic ctx-nopage">{escape(label)}</span>', ""
        dot = f'<span class="ctx-dot" style="--ctx-type-color: {escape(color)}" aria-hidden="true"></span>' if color else ""
        return label, url, color, '<a class="ctx-topic" href="', f'{escape(url)}">{dot}{escape(label)}</a>'

    def badge(self, root: str, link: "Link") -> str:
        """A type badge (_macros.html's type_badge), made once per type and depth."""
        key = (root, link.id)
        made = self._badges.get(key)
        if made is None:
            made = self._badges[key] = badge_html(link, self.index.type_colors.get(link.id))
        return made

    def links(self, page: str, ids: Iterable[str], sort: bool = True) -> list[dict]:
        out = [self.link(page, t) for t in ids]
        if sort:
            out.sort(key=lambda l: _sort_key(l.label))
        return out

    # --- bodies --------------------------------------------------------------------------
    def body_html(self, body: Body | None, page: str, stack: tuple[str, ...] = (), id_prefix: str = "",
                  rendered: RenderedBody | None = None) -> Markup:
        """A body's HTML with its link holes filled for `page`; embeds render their target's body.

        `rendered`: a part of the body's rendering to show instead of all of it (a section).
        `id_prefix` goes before every id in it (and every in-page anchor), so a body shown inside
        another page keeps the page's ids unique; each embed adds its own, `e<hole>-`."""
        if rendered is None:
            if body is None or body.rendered is None:
                return Markup("")
            rendered = body.rendered
        if id_prefix:
            rendered = dataclasses.replace(rendered, html=prefix_ids(rendered.html, id_prefix))
        tag_paths = self._tag_paths

        def tag_href(tag: str) -> str | None:  # an inline #tag links to its tag's page
            path = tag_paths.get(tag)
            return href(page, path) if path is not None else None

        if not rendered.links:
            return Markup(fill_tags(rendered.html, tag_href))

        def target_of(link: LinkRef) -> LinkTarget | None:
            t = body.targets.get(link.hole)
            if t is not None and t.tag is not None:  # [[tags/x]]: the tag's page, if the tag exists
                return t if t.tag in self.index.tags else None
            if t is None or (t.topic is None and t.asset is None):
                return None
            if t.topic is not None and t.topic not in self.index.topics:
                return None  # a draft or unknown topic: shown as missing
            return t

        prefix = root_of(page)
        prefix = "" if prefix == "./" else prefix
        urls = self._topic_urls

        def href_for(link: LinkRef) -> str | None:
            t = target_of(link)
            if t is None:
                return None
            if t.tag is not None:
                return href(page, tag_path(t.tag))
            if t.topic is not None:  # href(page, topic_path(t.topic), t.anchor) with the URL made once
                url = _joined(prefix, urls[t.topic])
                return url + "#" + quote(t.anchor, safe=URL_SAFE) if t.anchor else url
            return href(page, t.asset)

        def topic_href(tid: str, anchor: str | None) -> str:
            url = _joined(prefix, urls[tid])
            return url + "#" + quote(anchor, safe=URL_SAFE) if anchor else url

        def embed_for(link: LinkRef) -> str | None:
            t = target_of(link)
            if t is None:
                return None
            if t.tag is not None:
                return None  # a tag cannot be embedded: a plain link
            if t.asset is not None:
                src = href(page, t.asset)
                if t.asset.lower().endswith(IMAGE_EXTENSIONS):
                    return str(Markup('<img class="ctx-embed-image" src="{}" alt="{}" loading="lazy">').format(
                        src, link.label or t.asset.rsplit("/", 1)[-1]))
                return str(file_embed(src, t.asset, link.label, link.heading))
            target = self.index.topics[t.topic]
            here = topic_href(t.topic, t.anchor)
            if t.topic in stack or len(stack) >= EMBED_DEPTH:
                reason = "embed cycle" if t.topic in stack else "embedded too deep"
                return str(Markup('<a class="ctx-embed-stop" href="{}" title="{}">{}</a>').format(
                    here, reason, self.label(t.topic)))
            whole = target.body.rendered if target.body is not None else None
            part = embed_part(link, t, whole)
            shown = part_of(whole, part) if whole is not None else None
            if shown is None and part.kind != "all":  # ![[a#No such heading]]
                return str(Markup(
                    '<span class="ctx-embed-missing" title="Missing: {}#{}"><a href="{}">{}</a> '
                    '<span class="ctx-muted">({} not found)</span></span>'
                ).format(link.target, link.heading, here, self.label(t.topic), link.heading))
            inner = self.body_html(target.body, page, stack + (t.topic,), f"{id_prefix}e{link.hole}-", shown)
            title = self.label(t.topic)
            if part.kind == "section":  # the figure's link opens the section; its caption names it
                here = topic_href(t.topic, part.key)
                title += "".join(f" › {h.text}" for h in whole.headings if h.anchor == part.key)
            return str(Markup(
                '<figure class="ctx-embed"><figcaption><a href="{}">{}</a></figcaption>'
                '<div class="ctx-embed-body">{}</div></figure>'
            ).format(here, title, inner))

        return Markup(fill_holes(rendered, href_for, embed_for, tag_href))

    # --- page contexts ---------------------------------------------------------------------
    def _common(self, path: str, kind: str, title: str, has_graph: bool = False, root: str | None = None) -> dict:
        root = root if root is not None else root_of(path)
        return {
            "site": self._site,
            "page": NS(
                path=path,
                kind=kind,
                title=title,
                canonical=absolute_url(self.base_url, path) if self.base_url and kind != "404" else "",
                has_graph=has_graph,
            ),
            "root": root,
            "nav": self._nav(path, root),
            "graph_json": GLOBAL_GRAPH_JSON,
            "graph_inline": None,  # a topic page's neighbourhood JSON, when embedded (topic_context)
            "search_json": SEARCH_JSON,
        }

    @property
    def _site(self) -> NS:
        site = getattr(self, "_site_cache", None)
        if site is None:
            cfg = self.config
            site = self._site_cache = NS(title=cfg.title, description=cfg.description, language=cfg.language,
                                         base_url=self.base_url, extra=cfg.extra, counts=self._counts)
        return site

    def _nav(self, path: str, root: str) -> list[NS]:
        """The header's links, shared by the pages at one depth that are not in the nav themselves."""
        targets = (("Home", HOME), ("Names A–Z", NAMES), ("Tags", TAGS), ("Graph", GRAPH),
                   ("Timeline", TIMELINE_PAGE), ("Map", MAP_PAGE), ("Search", SEARCH))
        key = (root, path if any(path == target for _, target in targets) else "")
        nav = self._nav_cache.get(key)
        if nav is None:
            nav = self._nav_cache[key] = [
                NS(label=label, href=root + url_of(target), current=target == path) for label, target in targets
                if target not in VIEW_TEMPLATES or target[:-len(".html")] in self._views()]
        return nav

    @property
    def _counts(self) -> dict:
        c = getattr(self, "_counts_cache", None)
        if c is None:
            ix = self.index
            c = self._counts_cache = NS(
                topics=sum(1 for t in ix.topics.values() if not t.implicit),
                associations=ix.association_count,
                types=sum(1 for ty, inst in ix.instances_of.items() if ty in ix.topics and inst),
                tags=len(self._tag_groups),
            )
        return c

    def topic_context(self, path: str, tid: str) -> dict:
        root = root_of(path)
        topic = TopicView(self, path, tid, root)
        ctx = self._common(path, "topic", topic.name, has_graph=True, root=root)
        ctx["graph_json"] = _graphdata.topic_graph_url(tid) if _graphdata else GLOBAL_GRAPH_JSON
        if _graphdata and self.options.embed_graphs:
            ready = self._inline_graphs.pop(tid, None)
            ctx["graph_inline"] = Markup(ready if ready is not None else self.site_graph.script_json(tid))
        ctx["topic"] = topic
        return ctx

    @property
    def site_graph(self) -> "_graphdata.SiteGraph":
        """The map's graph, built once: the topic pages embed their neighbourhoods from it and
        the graph task writes the overview from it."""
        g = getattr(self, "_site_graph", None)
        if g is None:
            g = self._site_graph = _without_gc(_graphdata.SiteGraph.build, self.tm, self.config)
        return g

    def _iri(self, path: str, iri: str) -> NS:
        return NS(text=iri, href=safe_href(iri, lambda v: href(path, v)))

    def reading(self, a: Association, my_role: str) -> tuple[str, str]:
        """How association `a` reads from the page of the player of `my_role`: (text, direction).

        The schema's `reading` wins; otherwise a symmetric type (every role the same type)
        reads as its label both ways, the first role reads "label" and the others "← label"
        (the arrow says the relation points at this topic).
        """
        schema = self.config.schema.association_types.get(a.type)
        role_types = [r.type for r in a.roles]
        symmetric = len(set(role_types)) == 1
        first = (schema.roles[0] if schema and schema.roles else role_types[0]) if role_types else my_role
        direction = "symmetric" if symmetric else ("forward" if my_role == first else "backward")
        if schema is not None and schema.reading.get(my_role):
            return schema.reading[my_role], direction
        return self._default_reading(a.type, direction), direction

    def has_reading(self, assoc_type: str, role: str) -> bool:
        """Whether the schema (or a scoped name) says how `assoc_type` reads for `role`: then the
        reading says it all, and the page does not add "as <role>"."""
        schema = self.config.schema.association_types.get(assoc_type)
        return bool(schema is not None and schema.reading.get(role))

    def _default_reading(self, assoc_type: str, direction: str) -> str:
        label = self.label(assoc_type)
        return label if direction != "backward" else f"← {label}"

    def home_context(self, path: str) -> dict:
        ix = self.index
        ctx = self._common(path, "home", self.config.title)
        home_topic = ix.topics.get(home_topic_id(self.tm) or "")
        types = [
            NS(link=self.link(path, ty), count=sum(1 for i in inst if i in ix.topics))
            for ty, inst in ix.instances_of.items()
            if ty in ix.topics
        ]
        types = [t for t in types if t.count]
        types.sort(key=lambda t: (-t.count, _sort_key(t.link.label)))
        home_id = home_topic.id if home_topic else None  # the page itself: not a place to go from it
        connected = sorted((tid for tid in ix.topics if ix.degree.get(tid) and tid != home_id),
                           key=lambda tid: (-ix.degree[tid], _sort_key(self.label(tid)), tid))[:MOST_CONNECTED]
        # the page's own <h1> is the site title: a body opening with the same heading drops it,
        # and the page's <h1> takes its id (title_id), so links to that heading still land
        text, title_id = "", None
        if home_topic:
            text, title_id = take_leading_h1(self.body_html(home_topic.body, path, (home_topic.id,)), self.config.title)
        ctx["home"] = NS(
            text=Markup(text),
            title_id=title_id,
            topic=self.link(path, home_topic.id) if home_topic else None,
            types=types,
            connected=[NS(link=self.link(path, tid), degree=ix.degree[tid]) for tid in connected],
            recent=self._recent(path),
            exports=[NS(label=label, href=href(path, f), format=fmt) for f, label, fmt in
                     (("map.xtm", "map.xtm", "XTM 2.1"), ("map.jtm", "map.jtm", "JTM 1.1"))
                     if _interchange is not None],
        )
        return ctx

    def _recent(self, path: str) -> list[dict]:
        """The RECENT topics changed last, as docs/authoring.md says: a topic changed on its latest
        `updated` (`modified`, `lastmod`) occurrence, else when its file was last modified.
        Publication and creation dates (`published`, `date`, `created`) are not changes."""
        changed: list[tuple[str, str]] = []  # (ISO date or date-time, topic id)
        for tid, t in self.index.topics.items():
            stamps = [o.value for o in t.occurrences if o.type in CHANGE_OCCURRENCE_TYPES and _ISO_DATE.match(o.value)]
            if stamps:
                changed.append((max(stamps), tid))
            elif t.source and self._mtimes.get(t.source):
                changed.append((time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self._mtimes[t.source])), tid))
        changed.sort(key=lambda c: (c[0], c[1]), reverse=True)
        return [NS(link=self.link(path, tid), date=stamp[:10]) for stamp, tid in changed[:RECENT]]

    def _tag_topics(self, group: list[str]) -> list[str]:
        return list(dict.fromkeys(tid for tag in group for tid in self.index.tags[tag]))

    def tags_context(self, path: str) -> dict:
        ctx = self._common(path, "tags", "Tags")
        ctx["tags"] = sorted(
            (NS(label=group[0], href=href(path, p), count=len(self._tag_topics(group)))
             for p, group in self._tag_groups.items()),
            key=lambda t: _sort_key(t.label),
        )
        return ctx

    def tag_context(self, path: str, tag_page: str) -> dict:
        group = self._tag_groups[tag_page]
        tag = group[0]
        ctx = self._common(path, "tag", f"Tag: {tag}")
        described = next((self.index.topics[f"tags/{t}"] for t in group if f"tags/{t}" in self.index.topics), None)
        sub_pages = {self._tag_paths[s] for t in group for s in self._sub_tags.get(t.casefold(), ())}
        subtags = [(self._tag_groups[p][0], p) for p in sub_pages]  # one per page, named as on the tags page
        ctx["tag"] = NS(
            label=tag,
            subtags=[NS(label=label, href=href(path, p)) for label, p in sorted(subtags, key=lambda s: (_sort_key(s[0]), s[1]))],
            topics=self.links(path, self._tag_topics(group)),
            body=self.body_html(described.body, path, (described.id,)) if described else Markup(""),
            topic=self.link(path, described.id) if described else None,
        )
        return ctx

    def names_context(self, path: str) -> dict:
        entries = []
        for tid, t in self.index.topics.items():
            main = t.name
            seen = set()
            for n in t.names or ():
                if n.value in seen:
                    continue
                seen.add(n.value)
                entries.append(NS(name=n.value, link=self.link(path, tid), alias=n.value != main))
            if not t.names:
                entries.append(NS(name=self.label(tid), link=self.link(path, tid), alias=False))
        entries.sort(key=lambda e: (_sort_key(e.name), e.link.id))
        letters: dict[str, list] = {}
        for e in entries:
            letters.setdefault(_letter(e.name), []).append(e)
        ctx = self._common(path, "names", "Names A–Z")
        ctx["letters"] = [NS(letter=k, anchor=f"ctx-letter-{i}", entries=v)
                          for i, (k, v) in enumerate(sorted(letters.items(), key=lambda kv: (kv[0] == "#", kv[0])))]
        return ctx

    def context(self, path: str) -> tuple[str, dict]:
        page = self._pages[path]
        if page.kind == "topic":
            return "topic.html", self.topic_context(path, page.key)
        if page.kind == "tag":
            return "tag.html", self.tag_context(path, page.key)
        if page.kind == "home":
            return "home.html", self.home_context(path)
        if page.kind == "tags":
            return "tags.html", self.tags_context(path)
        if page.kind == "names":
            return "names.html", self.names_context(path)
        if page.kind == "graph":
            return "graph.html", self._common(path, "graph", "Graph", has_graph=True)
        if page.kind == "search":
            return "search.html", self._common(path, "search", "Search")
        if page.kind == "timeline":
            ctx = self._common(path, "timeline", "Timeline")
            ctx["timeline_json"] = _timeline.TIMELINE_PATH
            return TIMELINE_PAGE, ctx
        if page.kind == "map":
            ctx = self._common(path, "map", "Map")
            ctx["map_json"] = _geomap.MAP_PATH
            ctx["map_view"] = self.config.map
            return MAP_PAGE, ctx
        root = urlsplit(self.base_url).path if self.base_url else "./"
        return "404.html", self._common(path, "404", "Page not found", root=root or "/")

    # --- rendering ---------------------------------------------------------------------------
    def render(self, path: str) -> bytes:
        """One page as UTF-8 bytes. Raises KeyError for a path that is not a page, and the
        template's exception when it fails (write_all turns those into diagnostics)."""
        name, ctx = self.context(path)
        template = self._templates.get(name)
        if template is None:
            raise jinja2.TemplateNotFound(name)
        return template.render(ctx).encode("utf-8")

    def render_checked(self, path: str, diags: Diagnostics) -> bytes | None:
        try:
            return self.render(path)
        except Exception as e:  # a template bug must not stop the others: report it
            diags.add(self._locator.render_error(e, path) if self._env else
                      Diagnostic(Severity.ERROR, "template-error", f"{e} (while rendering {path})"))
            return None

    def _write_pages(self, paths: list[str], out_dir: Path) -> tuple[int, int, list[Diagnostic]]:
        diags = Diagnostics()
        count = size = 0
        made: set[str] = set()
        out = str(out_dir) + "/"
        self._prepare_graphs(paths)
        for path in paths:
            data = self.render_checked(path, diags)
            if data is None:
                continue
            folder = path.rpartition("/")[0]
            if folder and folder not in made:  # most topics are folders of their own: one mkdir each
                try:
                    os.mkdir(out + folder)  # its parent is usually there (makedirs would stat it first)
                except OSError:
                    os.makedirs(out + folder, exist_ok=True)
                made.add(folder)
            fd = os.open(out + path, _WRITE_FLAGS, 0o644)
            try:
                done = os.write(fd, data)  # one call: a regular file takes a page at once
                while done < len(data):
                    done += os.write(fd, data[done:])
            finally:
                os.close(fd)
            count += 1
            size += len(data)
        return count, size, diags.items

    def _prepare_graphs(self, paths: list[str]) -> None:
        """The neighbourhoods of a chunk's topic pages, all at once: one BFS after another keeps
        the graph in the CPU's caches (interleaved with rendering pages they cost 40% more)."""
        if not (_graphdata and self.options.embed_graphs):
            return
        g = self.site_graph
        for path in paths:
            page = self._pages.get(path)
            if page is not None and page.kind == "topic":
                self._inline_graphs[page.key] = g.script_json(page.key)

    def write_all(self, out_dir: Path, diags: Diagnostics, early: EarlyTasks | None = None) -> RenderStats:
        """Write the whole site into out_dir (an empty folder). Errors go to diags. `early`: the
        map-only tasks already running (render_early), whose results are added to this build's."""
        t0 = time.perf_counter()
        stats = RenderStats()
        diags.extend(self.setup)
        if self.setup.has_errors():
            return stats
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = self.pages()
        if _graphdata and paths:
            self.site_graph  # before forking: every page worker embeds neighbourhoods from it
        # The model is millions of long-lived objects: without this every full collection walks them
        # all (a third of the render time on a large map), and in forked workers it would touch
        # (copy) every page of the parent's memory.
        gc.freeze()
        jobs = max(1, self.options.jobs)
        for rel, data in self._generated_files(diags):
            write_file(out_dir / rel, data)
            stats.files += 1
            stats.bytes += len(data)
        # tasks: the frontend's files (graph JSON, search index) and chunks of pages
        started = early.kinds if early else []
        tasks: list[tuple[str, list[str]]] = [(name, []) for name in self._frontend_tasks() if name not in started]
        if jobs == 1 or len(paths) < PARALLEL_MIN_PAGES or not can_fork():
            tasks.append(("pages", paths))
            results = [self._run_task(kind, chunk, out_dir) for kind, chunk in tasks]
        else:
            size = max(50, len(paths) // (jobs * 8))  # small chunks balance against the long frontend tasks
            tasks += [("pages", paths[i:i + size]) for i in range(0, len(paths), size)]
            global _WORKER
            _WORKER = self
            try:
                with fork_pool(jobs) as pool:
                    results = pool.starmap(_run_task, [(kind, chunk, str(out_dir)) for kind, chunk in tasks], chunksize=1)
            finally:
                _WORKER = None
        done = list(zip((k for k, _ in tasks), results)) + (early.results() if early else [])
        for kind, (count, size_, items) in done:
            if kind == "pages":
                stats.pages += count
            stats.files += count
            stats.bytes += size_
            diags.extend(items)
        gc.unfreeze()
        stats.files += self._copy_static(out_dir)
        stats.files += self._copy_assets(out_dir, diags)
        stats.seconds = time.perf_counter() - t0
        return stats

    # --- other files -----------------------------------------------------------------------
    def _generated_files(self, diags: Diagnostics) -> Iterable[tuple[str, bytes]]:
        yield ".nojekyll", b""
        if self.base_url and not self.options.serve_mode:
            yield "sitemap.xml", self.sitemap()
        elif not self.options.serve_mode:
            self.note_sitemap_skipped(diags)

    def note_sitemap_skipped(self, diags: Diagnostics) -> None:
        """No base URL, no sitemap: said at ctxgen.yaml's base_url (or line 1) when there is a ctxgen.yaml."""
        has_config = self.options.map_dir is not None and (self.options.map_dir / "ctxgen.yaml").is_file()
        diags.note("sitemap-skipped", "sitemap.xml not written: set base_url in ctxgen.yaml (or --base-url)",
                   self.config.span_of("base_url") if has_config else None)

    def _frontend_tasks(self) -> list[str]:
        """The tasks that write data files beside the pages (run in the pool with the page chunks)."""
        return (["graph"] if _graphdata else []) + map_tasks() + self._views()

    def _frontend_files(self, kind: str) -> dict[str, bytes]:
        if kind == "graph":
            g = self.site_graph
            return {path: g.file(path) for path in g.shared_paths()}
        if kind == "timeline":
            return _timeline.timeline_files(self.tm, self.config)
        if kind == "map":
            return _geomap.map_files(self.tm, self.config)
        return map_task_files(kind, self.tm, self.config)

    def _run_task(self, kind: str, chunk: list[str], out_dir: Path) -> tuple[int, int, list[Diagnostic]]:
        if kind == "pages":
            return self._write_pages(chunk, out_dir)
        return write_files(kind, lambda: self._frontend_files(kind), out_dir)

    def sitemap(self) -> bytes:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for path in self._pages:
            if path != NOT_FOUND:
                lines.append(f"  <url><loc>{xml_escape(absolute_url(self.base_url, path))}</loc></url>")
        lines.append("</urlset>")
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _copy_static(self, out_dir: Path) -> int:
        if self._theme_dir is None or not (self._theme_dir / "static").is_dir():
            return 0
        static = self._theme_dir / "static"
        n = 0
        for rel in self._extra_files():
            if rel.startswith("static/"):
                _copy(static / rel[len("static/"):], out_dir / rel)
                n += 1
        return n

    def _copy_assets(self, out_dir: Path, diags: Diagnostics) -> int:
        if self.options.map_dir is None:
            return 0
        n = 0
        for rel in self.options.assets:
            if not is_safe_path(rel):
                continue
            try:
                _copy(self.options.map_dir / rel, out_dir / rel)
                n += 1
            except OSError as e:
                diags.error("asset-copy", f"cannot copy {rel}: {e.strerror or e}", Span(rel))
        return n


def _joined(prefix: str, url: str) -> str:
    """A root-relative URL seen from a page at `prefix` ("../"): "./" (the home page) is the prefix itself."""
    if url.startswith("./") and prefix:
        return prefix + url[2:]
    return prefix + url


def _without_gc(make: Callable, *args):
    """make(*args) with the collector paused: building an index allocates many objects and
    frees none, so collections there only walk the model again and again."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        return make(*args)
    finally:
        if was_on:
            gc.enable()


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)  # contents only: files get the default mode (0644), no symlinks


_WORKER: SiteRenderer | None = None  # set in the parent before forking; the children inherit it


def _run_task(kind: str, chunk: list[str], out_dir: str) -> tuple[int, int, list[Diagnostic]]:
    assert _WORKER is not None
    return _WORKER._run_task(kind, chunk, Path(out_dir))

