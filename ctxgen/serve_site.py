"""The dev server's live site: the map's model and renderer kept in memory, updated per save.

`LiveSite.update(paths)` is one rebuild. It takes the fast path when every changed file is a
known topic file whose front matter is unchanged (values and positions) and whose title/headings/tags are the
same: the new body is re-linked in place, the site index's backlinks for that topic are
patched, and only the pages that can show that body or its links are re-rendered (its page,
the pages it links to or linked to, pages embedding it, the home page). Anything else
(create, delete, rename, front matter, ctxgen.yaml, templates, theme) rebuilds the model
from the in-memory sources, re-reading only changed files.

Pages are rendered on request by the same `SiteRenderer` `ctxgen build` uses and cached;
a rebuild re-renders the cached pages it may have changed and reports which did. The graph
JSON and the search index are computed on first request after a change that affects them.
A rebuild with errors keeps the last good site; its errors are `errors` (for the overlay).
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .asset_policy import file_reader, unsafe_asset
from .build import file_stamp
from .config import Config
from .configload import CONFIG_FILE
from .diagnostics import Diagnostic, Diagnostics, Severity, Span
from .model import Body, TopicMap
from .site_index import link_contributions
from .source import SourceFile

TEMPLATES = "templates/"  # the map's own template overrides
LINK_CODES = frozenset({"link-ambiguous", "link-target-failed", "link-to-draft", "link-unresolved"})
RECHECK_LIMIT = 300  # cached pages re-rendered after a full rebuild to tell which changed


class PageFailed(Exception):
    """A page of the site whose template failed; the message is the diagnostic."""


@dataclass
class Rebuild:
    """What one rebuild did, for the console line and the reload signal."""

    what: str  # "people/ada.md edited", "a.md renamed to b.md", "400 files edited", "theme changed"
    full: bool  # the model was rebuilt (not patched)
    changed_pages: list[str] | None  # site paths whose bytes changed; None = reload everything
    rendered: int = 0  # pages viewed so far (cached) that were rendered again (or are gone): >= len(changed_pages)
    ms: float = 0.0
    ok: bool = True
    new_diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: int = 0  # diagnostics of the previous build that are gone
    how: str = ""  # "model" (rebuilt), "body" / "title" (patched in place), "asset" (sent from disk), "" (nothing)

    @property
    def nothing(self) -> bool:
        """No file of the map changed (a temporary file came and went, a file was saved unchanged)."""
        return not self.how


@dataclass
class _State:
    """One consistent build: everything a request needs."""

    config: Config
    tm: TopicMap
    renderer: object  # SiteRenderer
    modeler: object  # ctxgen.modeler._Modeler, kept for its resolver (fast path)
    assets: list[str]
    model_diags: list[Diagnostic]  # modeler + validate
    other_diags: list[Diagnostic]  # config, discovery, renderer setup, sitemap note
    files: dict[str, str] = field(default_factory=dict)  # SiteRenderer.generated_files(): path -> what makes it
    static: set[str] = field(default_factory=set)  # the theme's static files, as site paths
    render_diags: list[Diagnostic] = field(default_factory=list)  # template errors of the pages a rebuild rendered


class LiveSite:
    def __init__(self, map_dir: Path, drafts: bool = False, base_url: str | None = None, jobs: int = 0):
        self.map_dir = Path(map_dir)
        self.drafts = drafts
        self.base_url = base_url
        self.jobs = jobs or os.cpu_count() or 1
        self.lock = threading.RLock()  # guards the state and the page cache (requests take it)
        self._rebuilding = threading.Lock()  # one rebuild at a time
        self.sources: dict[str, SourceFile] = {}
        self._stamps: dict[str, tuple[int, ...]] = {}
        self._allow_html: bool | None = None
        self.state: _State | None = None
        self.version = 0  # bumped on every successful rebuild
        self.errors: list[Diagnostic] = []  # errors of the last rebuild (the overlay); [] when it was good
        self.diagnostics: list[Diagnostic] = []  # the last rebuild's, sorted, as `ctxgen build` prints them
        self._cache: dict[str, bytes] = {}
        self.render_failures: dict[str, str] = {}  # page -> why it failed (a template error)
        self._graph = None
        self._search: dict[str, bytes] | None = None
        self._links: dict | None = None  # see _link_index
        self._fronts: dict | None = None  # see _front_index
        self._inputs: set[str] = set()  # ctxgen.yaml and templates/ files read by the last full rebuild
        self.before_model: Callable[[], None] | None = None  # test hook: runs inside a full rebuild

    # --- rebuilding -----------------------------------------------------------------------
    def initial(self) -> Rebuild:
        return self._full("initial build", None, initial=True)

    def update(self, changed: set[str]) -> Rebuild:
        """Rebuild after `changed` (map-relative paths, or '*' for everything outside the map)."""
        t0 = time.perf_counter()
        with self._rebuilding:
            changed = self._relevant(changed)
            if not changed:
                return Rebuild("nothing changed", False, [], ms=(time.perf_counter() - t0) * 1000, ok=not self.errors)
            what = self._describe(changed)
            state = self.state
            if (state is not None and not self.errors and changed and "*" not in changed
                    and all(p in state.assets and self._publishable(state, p) for p in changed)):
                self.version += 1  # an asset's new bytes: served from disk, pages unchanged
                return Rebuild(what, False, None, ms=(time.perf_counter() - t0) * 1000, how="asset")
            if (self.state is not None and not self.errors and changed and "*" not in changed
                    and all(p in self.sources for p in changed)):
                with self.lock:
                    result = self._fast(changed, what)
                if result is not None:
                    result.ms = (time.perf_counter() - t0) * 1000
                    return result
            result = self._full(what, changed)
            result.ms = (time.perf_counter() - t0) * 1000
            return result

    def warm(self) -> None:
        """Build the title path's indexes ahead of need (call after the reload signal is out)."""
        with self._rebuilding:
            if self.state is not None and not self.errors:
                self._link_index(self.state)
                self._front_index()

    def is_input(self, rel: str) -> bool:
        """Was `rel` (map-relative) read by the last build: a source, an asset, ctxgen.yaml, a template?"""
        state = self.state
        return (rel in self.sources or rel in self._inputs or rel == CONFIG_FILE or rel.startswith(TEMPLATES)
                or (state is not None and rel in state.assets))

    def _known(self) -> set[str]:
        state = self.state
        return set(self.sources) | self._inputs | set(state.assets if state else ())

    def _relevant(self, changed: set[str]) -> set[str]:
        """Drop paths that neither exist nor were part of the map: an editor's or sed's temporary
        file that came and went within the batch. A deleted input (a broken template, ctxgen.yaml)
        is a change."""
        known = self._known()
        out, folders = set(), None
        for p in changed:
            if p == "*" or self.is_input(p) or os.path.lexists(self.map_dir / p):
                out.add(p)
                continue
            if folders is None:
                folders = {k.rsplit("/", i)[0] for k in known for i in range(1, k.count("/") + 1)}
            if p in folders:
                out.add(p)  # a folder of the map was deleted or moved away
        return out

    def _full(self, what: str, changed: set[str] | None, initial: bool = False) -> Rebuild:
        from .build import _normalise_base_url
        from .configload import load_config
        from .load import discover, read_sources
        from .modeler import _Modeler
        from .render import RenderOptions, SiteRenderer
        from .validate import validate

        t0 = time.perf_counter()
        # built without the lock: requests keep getting the last good site meanwhile
        other = Diagnostics()
        config = load_config(self.map_dir, other)
        if self.base_url is not None:
            config.base_url = _normalise_base_url(self.base_url, other)
        found = discover(self.map_dir, config, self.map_dir / "_site", other)
        if config.allow_html != self._allow_html:
            self.sources.clear()
            self._allow_html = config.allow_html
        todo = []
        for rel in found.sources:
            stamp = file_stamp(self.map_dir / found.disk_path(rel))
            if rel not in self.sources or self._stamps.get(rel) != stamp or (changed and rel in changed):
                todo.append(rel)
            self._stamps[rel] = stamp
        if initial and len(todo) > 1:
            self._read_initial(found, config)
            todo = [rel for rel in todo if rel not in self.sources]
        for sf in read_sources(self.map_dir, todo, config.allow_html, self.jobs if len(todo) > 50 else 1,
                               config.max_file_bytes):
            self.sources[sf.path] = sf
        for rel in set(self.sources) - set(found.sources):
            del self.sources[rel]
            self._stamps.pop(rel, None)
        if self.before_model is not None:
            self.before_model()
        sources = [self.sources[rel] for rel in found.sources if rel in self.sources]
        mdiags = Diagnostics()
        modeler = _Modeler(config, mdiags, self.drafts)
        tm = modeler.build(sources, list(found.assets))
        validate(tm, config, mdiags)
        renderer = SiteRenderer(tm, config, RenderOptions(
            map_dir=self.map_dir, drafts=self.drafts, jobs=1, assets=list(found.assets), sources=sources,
            embed_graphs=False))
        other.extend(renderer.setup)
        if not renderer.base_url:
            renderer.note_sitemap_skipped(other)
        self._inputs = _map_inputs(self.map_dir)
        state = _State(config, tm, renderer, modeler, list(found.assets), mdiags.items, other.items)
        state.files = renderer.generated_files()
        state.static = {p for p in renderer._extra_files() if p.startswith("static/")}
        # The pages viewed so far, and those that failed, are rendered with the new state before
        # it is adopted (a template error keeps the last good site); after a template or theme
        # change, also one page of each kind, so a broken template is found before it is viewed.
        with self.lock:
            old_cache = self._cache
            seen = list(old_cache)[:RECHECK_LIMIT] + [p for p in self.render_failures if p not in old_cache]
        recheck = [p for p in seen if p in renderer._pages]
        if self.state is not None and changed and any(p == "*" or p.startswith(TEMPLATES) for p in changed):
            recheck += _one_of_each_kind(renderer, recheck)
        all_diags = self._all_diagnostics(state)
        pages = {} if _has_errors(all_diags) else self._render_with(state, recheck)
        if state.render_diags:
            all_diags = self._all_diagnostics(state)
        if _has_errors(all_diags) and self.state is not None:
            return self._failed(what, all_diags, t0)
        with self.lock:
            old_state = self.state
            self.state, self._graph, self._search = state, None, None
            self._cache = {p: pages[p] for p in seen if p in pages}  # the probes stay unviewed
            self.render_failures = {}
            self._links = self._fronts = None
            changed_pages: list[str] | None = None
            if old_state is not None and not (changed and "*" in changed) and len(old_cache) <= RECHECK_LIMIT:
                changed_pages = [p for p in seen if pages.get(p) != old_cache.get(p)]  # a deleted page too
            return self._adopted(what, "model", changed_pages, len(seen), all_diags, t0)

    def _render_with(self, state: _State, paths: list[str]) -> dict[str, bytes]:
        """`paths` rendered by `state`'s renderer; the template errors of those that failed go to
        `state.render_diags` (one per fault, as `ctxgen build` reports them)."""
        from .site_templates import collapse_page_repeats

        d = Diagnostics()
        pages = {}
        for path in paths:
            data = state.renderer.render_checked(path, d)
            if data is not None:
                pages[path] = data
        state.render_diags = collapse_page_repeats(d.items)
        return pages

    def _read_initial(self, found, config: Config) -> None:
        """The first read goes through the build's parse cache (a map built before starts warm).
        That cache is the build's own business: if its interface moved, read without it."""
        try:
            from .build import BuildStats, _Cache, _read_sources, cache_dir_for

            cache = _Cache(cache_dir_for(self.map_dir, self.map_dir / "_site"))
            read = _read_sources(self.map_dir, found, config, self.jobs, cache, BuildStats())
        except (ImportError, TypeError, AttributeError):
            return  # the caller reads what is still missing
        for sf in read:
            self.sources[sf.path] = sf

    def _fast(self, changed: set[str], what: str) -> Rebuild | None:
        """Patch bodies and titles in place; None when any change needs the full path.

        Every change is planned before anything is touched, so giving up leaves the state as it was."""
        from .load import read_source

        t0 = time.perf_counter()
        state = self.state
        assert state is not None
        if state.tm.merged_ids:
            return None
        plans = []
        for rel in changed:
            old = self.sources[rel]
            stamp = file_stamp(self.map_dir / rel)
            if stamp == self._stamps.get(rel):
                continue  # touched, not changed
            new = read_source(self.map_dir, rel, state.config.allow_html, state.config.max_file_bytes)
            plan = self._body_plan(state, old, new) or self._title_plan(state, old, new)
            if plan is None:
                return None
            plans.append((rel, stamp, new, plan))
        if not plans:
            return Rebuild(what, False, [], ok=not self.errors)  # saved without a change: nothing to do
        if any(p[0] == "title" for _, _, _, p in plans):
            plans = [(rel, stamp, new, list(plan)) for rel, stamp, new, plan in plans]
            if not self._title_plans_safe(state, plans):
                return None
        affected: set[str] = set()
        how = "title" if any(p[0] == "title" for _, _, _, p in plans) else "body"
        for rel, stamp, new, plan in plans:
            old = self.sources[rel]
            self.sources[rel], self._stamps[rel] = new, stamp
            topic = plan[1]
            if plan[0] == "body":
                affected |= self._patch_body(state, topic, Body(new.body, new.body_span or Span(rel, 1, 1), new.rendered))
            else:
                affected |= self._patch_title(state, topic, old, new, plan[2], plan[3])
            state.renderer._mtimes[rel] = new.mtime
        self._search = None
        viewed = [p for p in sorted(affected) if p in self._cache]
        pages = self._render_with(state, viewed)
        changed_pages = [p for p, data in pages.items() if data != self._cache[p]]
        self._cache.update(pages)  # a page that failed keeps its last good bytes; its error is reported
        return self._adopted(what, how, changed_pages, len(viewed), self._all_diagnostics(state), t0)

    def _usable(self, old: SourceFile, new: SourceFile) -> bool:
        return not (old.failed or new.failed or old.kind != new.kind or new.kind == "note"
                    or old.rendered is None or new.rendered is None or old.body_span != new.body_span
                    or any(d.severity is Severity.ERROR for d in new.diagnostics))

    def _topic_of(self, state: _State, path: str):
        return next((t for t in state.tm.topics.values() if t.source == path), None)

    def _body_plan(self, state: _State, old: SourceFile, new: SourceFile):
        """("body", topic) when only the body changed, in a way that leaves the model's other parts alone."""
        if not self._usable(old, new):
            return None
        o, n = old.rendered, new.rendered
        if (o.first_h1, o.tags, o.headings) != (n.first_h1, n.tags, n.headings):
            return None  # the title, tags or anchors others link to may change
        if front_signature(old.front) != front_signature(new.front):
            return None  # front matter values or their positions differ
        topic = self._topic_of(state, old.path)
        if topic is None or not self._only_link_diags_in_body(state, old.path, new.body_span):
            return None
        return ("body", topic)

    def _only_link_diags_in_body(self, state: _State, path: str, body_span: Span | None) -> bool:
        """The body's region holds no model diagnostic other than link ones (those are redone)."""
        line = body_span.line if body_span else 1
        return not any(d.span and d.span.path == path and d.span.line >= line and d.code not in LINK_CODES
                       for d in state.model_diags)

    def _title_plan(self, state: _State, old: SourceFile, new: SourceFile):
        """("title", topic, new title) when only the `title:` value of an ordinary topic changed."""
        from .yamlpos import PosDict

        if not self._usable(old, new) or new.kind != "topic" or old.body != new.body:
            return None
        of, nf = old.front, new.front
        if not (isinstance(of, PosDict) and isinstance(nf, PosDict)):
            return None
        ot, nt = of.get("title"), nf.get("title")
        if not (isinstance(ot, str) and isinstance(nt, str) and ot.strip() and nt.strip() and ot != nt):
            return None
        if of.key_span("title") != nf.key_span("title") or (of.value_span("title") or Span("")).line != \
                (nf.value_span("title") or Span("")).line:
            return None
        if front_signature(of, skip="title") != front_signature(nf, skip="title"):
            return None
        topic = self._topic_of(state, old.path)
        if topic is None or not topic.names or topic.names[0].value != ot.strip():
            return None
        schema = state.config.schema
        if any(topic.id in table for table in (schema.topic_types, schema.association_types,
                                               schema.role_types, schema.occurrence_types)):
            return None
        if _structural(state, topic.id) or topic.id not in state.modeler.resolver._ids:
            return None
        return ("title", topic, nt.strip())

    def _title_plans_safe(self, state: _State, plans) -> bool:
        """No front matter elsewhere refers to the old or new title by name (it would resolve
        differently), and the bodies whose links do are topic bodies (not note files)."""
        from .links import fold

        fronts = self._front_index()
        resolver = state.modeler.resolver
        for rel, _, new, plan in plans:
            if plan[0] != "title":
                continue
            keys = {fold(plan[1].names[0].value), fold(plan[2])}
            for key in keys:
                for path, n in fronts.get(key, {}).items():
                    if path == rel or n <= 0 or path not in self.sources:
                        continue
                    for raw in _raw_strings(self.sources[path].front):
                        if fold(raw) == key and not resolver._resolve(raw, path, False, by_name=False).resolved:
                            return False  # a reference by name: the full path re-resolves it
            owners = self._name_linkers(state, keys)
            if owners is None:
                return False
            plan.append(owners)
        return True

    def _name_linkers(self, state: _State, keys: set[str]) -> set[str] | None:
        """Topics with a body link that resolves (or fails) by name, for one of the folded `keys`;
        None when such a link is in a note file."""
        from .links import fold

        resolver = state.modeler.resolver
        out: set[str] = set()
        for key in keys:
            for (owner, path), n in self._link_index(state).get(key, {}).items():
                t = state.tm.topics.get(owner)
                if n <= 0 or t is None or owner in out:
                    continue
                for b in [t.body] + [o.note for o in t.occurrences]:
                    if b is None or b.rendered is None or b.span.path != path:
                        continue
                    for link in b.rendered.links:
                        if (fold(link.target) == key and not link.markdown_link
                                and not resolver._resolve(link.target, path, False, by_name=False).resolved):
                            if t.source != path:
                                return None
                            out.add(owner)
        return out

    def _patch_title(self, state: _State, topic, old: SourceFile, new: SourceFile, title: str,
                     owners: set[str]) -> set[str]:
        from .links import fold
        from .model import Name
        from .modeler import _value_span
        from .site_paths import HOME, NAMES, tag_path, topic_path

        tm, index, resolver = state.tm, state.renderer.index, state.modeler.resolver
        tid = topic.id
        before = topic.names[0].value
        topic.names[0] = Name(title, span=_value_span(new.front, "title", Span(new.path, 1, 1)))
        candidate = resolver._ids[tid]
        olds = resolver._names.get(fold(before), [])
        if candidate in olds and not any(fold(n.value) == fold(before) for n in topic.names):
            olds.remove(candidate)
            if not olds:
                del resolver._names[fold(before)]
        resolver._add(resolver._names, title, candidate)
        resolver._cache.clear()
        fronts = self._front_index()
        for key, n in _front_strings(old.front).items():
            fronts[key][new.path] -= n
        for key, n in _front_strings(new.front).items():
            fronts.setdefault(key, {}).setdefault(new.path, 0)
            fronts[key][new.path] += n
        index.labels[tid] = title
        _forget_label(state.renderer, tid)
        self._graph = None
        pages = {topic_path(tid), NAMES, HOME}
        for owner in sorted(owners):
            t = tm.topics.get(owner)
            if t is not None and t.body is not None:
                pages |= self._patch_body(state, t, Body(t.body.markdown, t.body.span, t.body.rendered))
        # every page that shows this topic's label
        near = set(index.backlinks.get(tid, {})) | set(link_contributions(topic, index.topics))
        for a, _ in index.by_player.get(tid, ()):
            near.update(r.player for r in a.roles)
            near.add(a.type)  # the association type's page lists its associations
            if a.reifier:
                near.add(a.reifier)
        if tid in index.reifies:
            near.update(r.player for r in index.reifies[tid].roles)
        for table in (index.types_of, index.supertypes_of):
            near.update(table.get(tid, ()))
        near |= self._embedders(tm, {tid})
        for t in near:
            if t in index.topics:
                pages.add(topic_path(t))
        for tag in topic.tags:
            if tag in index.tags:
                pages.add(tag_path(tag))
        return pages

    def _embedders(self, tm: TopicMap, ids: set[str]) -> set[str]:
        """Topics whose pages show one of `ids`' bodies through embeds (transitively)."""
        from .render import EMBED_DEPTH

        shown, frontier = set(ids), set(ids)
        for _ in range(EMBED_DEPTH):
            frontier = {m.source for m in tm.mentions if m.embed and m.target in frontier} - shown
            shown |= frontier
        return shown - set(ids)

    def _patch_body(self, state: _State, topic, body: Body) -> set[str]:
        """Swap in a body, re-link it, patch mentions, backlinks and link diagnostics; the pages it may change."""
        from .links import fold
        from .site_paths import HOME, tag_path, topic_path

        tm, index, modeler = state.tm, state.renderer.index, state.modeler
        tid, path = topic.id, body.span.path
        old_body = topic.body
        old_targets = link_contributions(topic, index.topics)
        old_pairs = {(m.source, m.target) for m in tm.mentions if m.source == tid}
        keep = [m for m in tm.mentions if not (m.source == tid and m.span.path == path)]
        at = next((i for i, m in enumerate(tm.mentions) if m.source == tid and m.span.path == path), len(keep))
        topic.body = body
        tm.mentions = []
        link_diags = Diagnostics()
        modeler.diags, saved = link_diags, modeler.diags
        try:
            modeler.link_body(body, tid, topic.draft)
        finally:
            modeler.diags = saved
        tm.mentions = keep[:at] + tm.mentions + keep[at:]
        line = body.span.line
        state.model_diags = [d for d in state.model_diags
                             if not (d.span and d.span.path == path and d.code in LINK_CODES and d.span.line >= line)]
        state.model_diags.extend(link_diags.items)
        if self._links is not None:
            for b, sign in ((old_body, -1), (body, 1)):
                if b is not None and b.rendered is not None:
                    for link in b.rendered.links:
                        counts = self._links.setdefault(fold(link.target), {})
                        counts[(tid, path)] = counts.get((tid, path), 0) + sign
        if {(m.source, m.target) for m in tm.mentions if m.source == tid} != old_pairs:
            self._graph = None
        new_targets = link_contributions(topic, index.topics)
        for target in old_targets:
            index.backlinks[target].pop(tid, None)
            index.degree[tid] -= 1
            index.degree[target] -= 1
        for target, contexts in new_targets.items():
            index.backlinks[target][tid] = contexts
            index.degree[tid] += 1
            index.degree[target] += 1
        pages = {HOME}
        for t in {tid} | self._embedders(tm, {tid}) | set(old_targets) | set(new_targets):
            if t in index.topics:
                pages.add(topic_path(t))
            if t.startswith("tags/") and t[5:] in index.tags:
                pages.add(tag_path(t[5:]))
        return pages

    # --- indexes for the title path, built on first use, kept up to date by the patches ---
    def _link_index(self, state: _State) -> dict[str, dict[tuple[str, str], int]]:
        """fold(link target as written) -> {(owner topic, file): count} over every body."""
        from .links import fold

        if self._links is None:
            links: dict[str, dict[tuple[str, str], int]] = {}
            for t in state.tm.topics.values():
                for b in [t.body] + [o.note for o in t.occurrences]:
                    if b is not None and b.rendered is not None:
                        for link in b.rendered.links:
                            counts = links.setdefault(fold(link.target), {})
                            key = (t.id, b.span.path)
                            counts[key] = counts.get(key, 0) + 1
            self._links = links
        return self._links

    def _front_index(self) -> dict[str, dict[str, int]]:
        """fold(string in front matter) -> {file: count}: where a name could be referred to."""
        if self._fronts is None:
            fronts: dict[str, dict[str, int]] = {}
            for path, sf in self.sources.items():
                for key, n in _front_strings(sf.front).items():
                    fronts.setdefault(key, {})[path] = n
            self._fronts = fronts
        return self._fronts

    def _failed(self, what: str, all_diags: list[Diagnostic], t0: float) -> Rebuild:
        self.errors = [d for d in all_diags if d.severity is Severity.ERROR]
        new, fixed = _diff(self.diagnostics, all_diags)
        self.diagnostics = all_diags
        return Rebuild(what, True, [], ok=False, new_diagnostics=new, fixed=fixed,
                       ms=(time.perf_counter() - t0) * 1000, how="model")

    def _adopted(self, what: str, how: str, changed_pages, rendered, all_diags, t0) -> Rebuild:
        self.errors = [d for d in all_diags if d.severity is Severity.ERROR]
        new, fixed = _diff(self.diagnostics, all_diags)
        self.diagnostics = all_diags
        self.version += 1
        return Rebuild(what, how == "model", changed_pages, rendered, (time.perf_counter() - t0) * 1000,
                       not self.errors, new, fixed, how)

    def _describe(self, changed: set[str]) -> str:
        """What a batch changed, in the map's terms: files edited, added, deleted or renamed
        (folders count by the files in them; judged against the last build's files)."""
        known = self._known()
        added, edited, deleted, gone_folders = [], [], [], set()
        for p in sorted(changed - {"*"}):
            here = os.path.lexists(self.map_dir / p)
            if here and (self.map_dir / p).is_dir():
                continue  # a new or moved folder: its files have their own events
            if not here and p not in known:
                gone_folders.add(p)  # a folder deleted or moved away (or a temporary file)
                continue
            (edited if here and p in known else added if here else deleted).append(p)
        if gone_folders:  # the known files in them, unless listed already
            deleted += sorted(k for k in known if k not in changed and any(
                k.rsplit("/", i)[0] in gone_folders for i in range(1, k.count("/") + 1)))
        n = len(added) + len(edited) + len(deleted)
        theme = "theme changed" if "*" in changed else ""
        if n == 0:
            return theme or "nothing changed"
        if len(added) == len(deleted) == 1 and not edited:
            text = f"{deleted[0]} renamed to {added[0]}"
        elif n == 1:
            text = f"{(added or edited or deleted)[0]} {'added' if added else 'edited' if edited else 'deleted'}"
        else:
            parts = [f"{len(xs)} {word}" for xs, word in ((added, "added"), (edited, "edited"), (deleted, "deleted"))
                     if xs]
            text = f"{n} files {parts[0].split(' ', 1)[1]}" if len(parts) == 1 else f"{n} files changed ({', '.join(parts)})"
        return f"{theme}, {text}" if theme else text

    def _all_diagnostics(self, state: _State) -> list[Diagnostic]:
        d = Diagnostics()
        d.extend(state.other_diags)
        for sf in self.sources.values():
            d.extend(sf.diagnostics)
        d.extend(state.model_diags)
        d.extend(state.render_diags)
        return d.sorted()

    # --- serving --------------------------------------------------------------------------
    def lookup(self, path: str) -> tuple[bytes | None, Path | None]:
        """A site path's bytes (rendered or generated), or the file to send (asset, theme static).
        (None, None): not part of the site."""
        with self.lock:
            state = self.state
            if state is None:
                return None, None
            if path in state.renderer._pages:
                data = self._render_page(path)
                if data is None:
                    raise PageFailed(self.render_failures.get(path, "the page could not be rendered"))
                return data, None
            kind = state.files.get(path)
            if kind is None and path.startswith(_search_dir()):
                kind = "search"  # the search index's shards: their names are known once it is built
            if kind is None and path.startswith("graph/"):
                kind = "graph"
            if kind is not None:
                return self._generated(path, kind), None
            if path in state.assets:
                # checked again as it is sent: a file may turn unsafe before the watcher's rebuild
                return (None, self.map_dir / path) if self._publishable(state, path) else (None, None)
            theme = state.renderer._theme_dir
            if theme is not None and path in state.static:
                return None, theme / "static" / path[len("static/"):]
            return None, None

    def _publishable(self, state: _State, rel: str) -> bool:
        """Is the asset `rel` still a file that discovery would publish (see asset_policy)?"""
        file = self.map_dir / rel
        if not file.is_file():
            return False
        if state.config.allow_html:
            return True
        try:
            return unsafe_asset(rel, file_reader(file)) is None  # as discovery reads it
        except OSError:
            return False

    def roots(self) -> list[Path]:
        """Folders files may be sent from (a resolved file must lie inside one of them)."""
        state = self.state
        out = [self.map_dir]
        if state is not None and state.renderer._theme_dir is not None:
            out.append(state.renderer._theme_dir / "static")
        return out

    def _render_page(self, path: str) -> bytes | None:
        data = self._cache.get(path)
        if data is None:
            d = Diagnostics()
            data = self.state.renderer.render_checked(path, d)
            if data is None:
                self.render_failures[path] = "\n".join(x.format() for x in d.items) or "render failed"
                return None
            self.render_failures.pop(path, None)
            self._cache[path] = data
        return data

    def _generated(self, path: str, kind: str) -> bytes | None:
        state = self.state
        if kind == "graph":
            from . import graphdata

            if self._graph is None:
                self._graph = graphdata.SiteGraph.build(state.tm, state.config)
            return self._graph.file(path)
        if kind == "search":
            from . import searchindex

            if self._search is None:
                self._search = searchindex.search_files(state.tm, state.config)
            return self._search.get(path)
        if kind == "sitemap":
            return state.renderer.sitemap()
        if kind in ("timeline", "map", "exports"):
            return state.renderer._frontend_files(kind).get(path)
        return b""

    def page_count(self) -> int:
        return len(self.state.renderer._pages) if self.state else 0


def _search_dir() -> str:
    from . import searchindex

    folder = searchindex.SEARCH_INDEX_PATH.rpartition("/")[0]
    return folder + "/" if folder else searchindex.SEARCH_INDEX_PATH


def _has_errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diags)


def _one_of_each_kind(renderer, skip: list[str]) -> list[str]:
    """The first page of each kind (topic, tag, home, ...) whose kind is not among `skip`'s pages."""
    seen = {renderer._pages[p].kind for p in skip if p in renderer._pages}
    out = []
    for path, page in renderer._pages.items():
        if page.kind not in seen:
            seen.add(page.kind)
            out.append(path)
    return out


def _forget_label(renderer, tid: str) -> None:
    """Drop what the renderer memoised about a topic's label."""
    renderer.forget(tid)


def _structural(state: _State, tid: str) -> bool:
    """Is the topic used as a type, role, scope or reifier anywhere (its label is on many pages)?"""
    index, tm = state.renderer.index, state.tm
    if index.instances_of.get(tid) or index.subtypes_of.get(tid) or tid in index.by_type:
        return True
    for a in tm.associations:
        if a.type == tid or tid in a.scope or any(r.type == tid for r in a.roles):
            return True
    for t in tm.topics.values():
        for n in t.names:
            if n.type == tid or tid in n.scope or any(tid in v.scope for v in n.variants):
                return True
        for o in t.occurrences:
            if o.type == tid or tid in o.scope:
                return True
    return False


def _raw_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _raw_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _raw_strings(v)


NAME_KEYS = frozenset({"title", "name", "aliases", "names"})  # a file's own names, not references


def _front_strings(value, out: dict[str, int] | None = None, top: bool = True) -> dict[str, int]:
    """fold() of every string in a front matter value that could be a reference, counted."""
    from .links import fold

    out = {} if out is None else out
    if isinstance(value, str):
        k = fold(value)
        out[k] = out.get(k, 0) + 1
    elif isinstance(value, dict):
        for k, v in value.items():
            if not (top and k in NAME_KEYS):
                _front_strings(v, out, False)
    elif isinstance(value, list):
        for v in value:
            _front_strings(v, out, False)
    return out


def front_signature(value, skip: str | None = None):
    """Front matter as a comparable value: its values and the position of every key and value
    (what the model and its diagnostics depend on; comments and spacing are left out)."""
    from .yamlpos import PosDict, PosList

    if isinstance(value, PosDict):
        return ("map", value.span, tuple((k, value._keys.get(k), value._values.get(k), front_signature(v))
                                         for k, v in value.items() if k != skip))
    if isinstance(value, PosList):
        return ("list", value.span, tuple(value._items), tuple(front_signature(v) for v in value))
    if isinstance(value, dict):
        return ("map", tuple((k, front_signature(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(front_signature(v) for v in value))
    return (type(value).__name__, repr(value))


def _map_inputs(map_dir: Path) -> set[str]:
    """The map's ctxgen.yaml and templates/ files (map-relative): inputs besides sources and assets."""
    out = {CONFIG_FILE} if (map_dir / CONFIG_FILE).is_file() else set()
    folder = map_dir / TEMPLATES
    if folder.is_dir():
        out |= {p.relative_to(map_dir).as_posix() for p in folder.rglob("*") if p.is_file()}
    return out


def _diff(old: list[Diagnostic], new: list[Diagnostic]) -> tuple[list[Diagnostic], int]:
    before, after = set(old), set(new)
    return [d for d in new if d not in before], len(before - after)
