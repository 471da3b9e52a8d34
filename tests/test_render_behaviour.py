"""Render stage behaviour: escaping, relative URLs, readings, templates and their errors, output files."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import ctxgen.render as render_mod
from ctxgen.api import load_map
from ctxgen.config import AssociationType, Config
from ctxgen.diagnostics import Diagnostics, Span
from ctxgen.model import Association, Role, Topic, TopicMap
from ctxgen.render import RenderOptions, SiteRenderer
from ctxgen.searchindex import search_documents
from ctxgen.site_templates import tojson
from support import write_files

BASIC = Path(__file__).resolve().parent / "fixtures" / "maps" / "basic" / "map"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def basic():
    return load_map(BASIC)


def make(result, map_dir: Path = BASIC, **options) -> SiteRenderer:
    options.setdefault("assets", result.assets)
    return SiteRenderer(result.topic_map, result.config, RenderOptions(map_dir=map_dir, **options))


def all_pages(renderer: SiteRenderer) -> dict[str, str]:
    return {p: renderer.render(p).decode("utf-8") for p in renderer.pages()}


def copy_map(tmp_path: Path) -> Path:
    dst = tmp_path / "map"
    shutil.copytree(BASIC, dst)
    return dst


# --- escaping ------------------------------------------------------------------------------
def test_hostile_title_is_escaped_on_every_page(basic) -> None:
    pages = all_pages(make(basic))
    assert any("&lt;img src=x onerror=alert(1)&gt;" in html for html in pages.values())
    for path, html in pages.items():
        assert HOSTILE not in html, path
        assert "<svg onload" not in html, path
        assert "<b>bold</b>" not in html, path


def test_tojson_escapes_script_breakers_and_line_separators() -> None:
    out = str(tojson({"t": "</script><!-- \u2028\u2029 'x' & y"}))
    for bad in ("<", ">", "&", "'", "\u2028", "\u2029"):
        assert bad not in out
    assert "\\u2028" in out and "\\u003c/script\\u003e" in out


def test_topic_pages_embed_their_neighbourhood(basic) -> None:
    """A built topic page carries its graph (no file, no request); the dev server's pages fetch it."""
    import json

    from ctxgen.graphdata import graph_files, topic_graph_path, topic_graph_url

    files = graph_files(basic.topic_map, basic.config)
    embedded = re.compile(r'<script type="application/json" id="ctx-graph-data">(.*?)</script>', re.S)
    pages = [(p, tid) for p, tid in ((p, p.removesuffix("/index.html")) for p in make(basic).pages())
             if topic_graph_path(tid) in files]
    assert len(pages) > 10
    built, served = make(basic), make(basic, embed_graphs=False)
    for path, tid in pages:
        html = built.render(path).decode()
        assert json.loads(embedded.search(html)[1]) == json.loads(files[topic_graph_path(tid)]), path
        assert 'data-graph-inline="ctx-graph-data"' in html and "graph/t/" not in html
        live = served.render(path).decode()
        assert not embedded.search(live) and live.count(f'{topic_graph_url(tid)}"') == 2


def test_unsafe_uri_occurrence_is_not_linked(basic) -> None:
    html = make(basic).render("ada/index.html").decode()
    assert 'href="javascript:' not in html
    assert '<span class="ctx-uri ctx-unsafe">javascript:alert(1)</span>' in html


# --- URLs ------------------------------------------------------------------------------------
HREF = re.compile(r'\b(?:href|src|data-graph-src|data-index-src|data-root)="([^"]*)"')


def test_every_internal_url_is_relative_so_a_sub_path_works(basic) -> None:
    base = "https://user.github.io/repo/"
    renderer = make(basic, base_url=base)
    for path, html in all_pages(renderer).items():
        if path == "404.html":
            continue
        for url in HREF.findall(html):
            assert not url.startswith("/"), (path, url)
            if url.startswith(base):  # only the canonical link may be absolute
                assert f'<link rel="canonical" href="{url}">' in html, (path, url)


def test_404_uses_absolute_paths_from_base_url(basic) -> None:
    html = make(basic, base_url="https://user.github.io/repo/").render("404.html").decode()
    assert 'data-root="/repo/"' in html
    assert 'href="/repo/static/style.css"' in html
    assert 'href="/repo/names.html"' in html


def test_non_ascii_ids_are_percent_encoded_in_hrefs(basic) -> None:
    renderer = make(basic)
    assert "übersicht/index.html" in renderer.pages()
    assert 'href="../%C3%BCbersicht/"' in renderer.render("ada/index.html").decode()


# --- associations --------------------------------------------------------------------------------
def test_schema_readings_differ_by_side_and_symmetric_reads_the_same(basic) -> None:
    r = make(basic)
    ada, notes, babbage = (r.render(p).decode() for p in ("ada/index.html", "notes/index.html", "babbage/index.html"))
    assert '<span class="ctx-reading">wrote</span>' in ada
    assert '<span class="ctx-reading">written by</span>' in notes
    assert '<span class="ctx-reading">collaborated with</span>' in ada
    assert '<span class="ctx-reading">collaborated with</span>' in babbage


def _tm_with(assoc: Association) -> TopicMap:
    tm = TopicMap()
    for tid in ("a", "b", "c"):
        tm.add_topic(Topic(tid))
    tm.add_association(assoc)
    return tm


def test_default_reading_without_schema_marks_the_backward_side() -> None:
    tm = _tm_with(Association("influenced", [Role("subject", "a"), Role("object", "b")]))
    r = SiteRenderer(tm, Config())
    a = tm.associations[0]
    assert r.reading(a, "subject") == ("influenced", "forward")
    assert r.reading(a, "object") == ("← influenced", "backward")


def test_schema_role_order_decides_the_forward_side() -> None:
    tm = _tm_with(Association("wrote", [Role("work", "b"), Role("author", "a")]))
    cfg = Config()
    cfg.schema.association_types["wrote"] = AssociationType("wrote", roles=["author", "work"])
    r = SiteRenderer(tm, cfg)
    assert r.reading(tm.associations[0], "author") == ("wrote", "forward")
    assert r.reading(tm.associations[0], "work") == ("← wrote", "backward")


def test_nary_association_shows_every_other_role() -> None:
    tm = _tm_with(Association("premiere", [Role("work", "a"), Role("venue", "b"), Role("conductor", "c")]))
    html = SiteRenderer(tm, Config()).render("a/index.html").decode()
    assert "<dt><a class=\"ctx-topic\" href=\"../venue/\">venue</a></dt><dd><a class=\"ctx-topic\" href=\"../b/\">b</a></dd>" in html
    assert 'href="../c/"' in html
    type_page = SiteRenderer(tm, Config()).render("premiere/index.html").decode()
    assert all(f'href="../{x}/"' in type_page for x in "abc")


def test_reifier_page_shows_the_association_it_reifies(basic) -> None:
    html = make(basic).render("associations/collaboration/index.html").decode()
    section = html[html.index('class="ctx-reifies"'):html.index("</section>", html.index('class="ctx-reifies"'))]
    assert 'href="../../ada/"' in section and 'href="../../babbage/"' in section


# --- bodies ------------------------------------------------------------------------------------------
def test_embed_cycle_terminates_and_is_marked(basic) -> None:
    html = make(basic).render("cycle-a/index.html").decode()
    assert 'class="ctx-embed-stop"' in html and 'title="embed cycle"' in html


def test_home_shows_root_index_body(basic) -> None:
    html = make(basic).render("index.html").decode()
    assert "This map is about" in html and 'href="ada/"' in html


def test_links_to_the_root_index_lead_to_the_home_page(tmp_path) -> None:
    """The root index.md is the home page's text: a link to it, a backlink, a relation, its graph
    node and its search result all lead home, not to the copy at index/."""
    write_files(tmp_path, {
        "index.md": "---\ntitle: Welcome\nassociations:\n  about: a\n---\n# Start\n\nSee [[a]].\n",
        "a.md": "Back [[index]], [[Welcome#Start]] and [home](/).\n",
        "deep/b.md": "[[index]]\n",
    })
    result = load_map(tmp_path)
    r = make(result, tmp_path)
    a = r.render("a/index.html").decode()
    assert a.count('href="../" class="wikilink"') == 2 and 'href="../#h-start" class="wikilink"' in a
    assert '<a class="ctx-topic" href="../">Welcome</a>' in a  # the relation about: a
    assert 'href="../../" class="wikilink"' in r.render("deep/b/index.html").decode()
    assert 'href="./"' in r.render("names.html").decode() and "index/" not in r.render("names.html").decode()
    assert r.site_graph.nodes["index"]["url"] == "./" and r.site_graph.nodes["a"]["url"] == "a/"
    assert {d["id"]: d["url"] for d in search_documents(result.topic_map, result.config)}["index"] == "./"
    assert "index/index.html" in r.pages()  # still there, for what the home page does not show


# --- templates ------------------------------------------------------------------------------------------
def test_override_extending_the_theme_template(basic, tmp_path) -> None:
    map_dir = copy_map(tmp_path)
    (map_dir / "templates").mkdir()
    (map_dir / "templates" / "topic.html").write_text(
        '{% extends "theme:topic.html" %}{% block topic_footer %}<p id="ctx-custom">custom {{ topic.id }}</p>{% endblock %}'
    )
    (map_dir / "templates" / "base.html").write_text(
        '{% extends "theme:base.html" %}{% block head %}<meta name="x-override" content="yes">{% endblock %}'
    )
    r = make(basic, map_dir)
    assert r.ok, [d.format() for d in r.setup.items]
    html = r.render("ada/index.html").decode()
    assert '<p id="ctx-custom">custom ada</p>' in html
    assert '<meta name="x-override" content="yes">' in html  # topic.html's base.html is the override
    assert "Source: <code>" not in html


def test_syntax_error_in_override_is_reported_with_its_line(basic, tmp_path) -> None:
    map_dir = copy_map(tmp_path)
    (map_dir / "templates").mkdir()
    (map_dir / "templates" / "topic.html").write_text("line one\n{% if %}\n")
    r = make(basic, map_dir)
    diags = Diagnostics()
    r.write_all(tmp_path / "out", diags)
    errors = [d.format() for d in diags.errors]
    assert len(errors) == 1 and errors[0].startswith("templates/topic.html:2:1: error[template-syntax]: "), errors
    assert not (tmp_path / "out" / "index.html").exists()


def test_undefined_variable_names_template_line_and_page(basic, tmp_path) -> None:
    map_dir = copy_map(tmp_path)
    (map_dir / "templates").mkdir()
    (map_dir / "templates" / "tags.html").write_text('{% extends "theme:tags.html" %}\n{% block content %}\n{{ nope.x }}\n{% endblock %}\n')
    r = make(basic, map_dir)
    diags = Diagnostics()
    r.write_all(tmp_path / "out", diags)
    errors = [d.format() for d in diags.errors]
    assert errors == ["templates/tags.html:3:1: error[template-undefined]: 'nope' is undefined (while rendering tags.html)"
                      "\n  hint: docs/themes.md lists what each template gets"]


def test_unknown_theme_lists_the_available_ones(basic) -> None:
    cfg = Config(theme="fancy")
    r = SiteRenderer(basic.topic_map, cfg, RenderOptions())
    errors = [d.format() for d in r.setup.errors]
    assert errors == ["ctxgen.yaml:1:1: error[theme-unknown]: unknown theme 'fancy'; available: default"]


def test_theme_without_a_required_template_is_incomplete(basic, tmp_path, monkeypatch) -> None:
    theme = tmp_path / "half"
    shutil.copytree(Path(render_mod.__file__).resolve().parents[1] / "themes" / "default", theme)
    (theme / "templates" / "names.html").unlink()
    (theme / "templates" / "tag.html").unlink()
    monkeypatch.setattr(render_mod, "find_theme", lambda name: theme if name == "half" else None)
    r = SiteRenderer(basic.topic_map, Config(theme="half"), RenderOptions())
    errors = [d.format() for d in r.setup.errors]
    assert len(errors) == 1 and errors[0].startswith("ctxgen.yaml:1:1: error[theme-incomplete]: theme 'half' lacks ")
    assert errors[0].index("tag.html") < errors[0].index("; it has") and "names.html" in errors[0].split("; it has")[0]
    assert "topic.html" in errors[0].split("; it has")[1]
    stats = r.write_all(tmp_path / "site", diags := Diagnostics())
    assert stats.pages == 0 and [d.code for d in diags.errors] == ["theme-incomplete"]


def test_theme_errors_point_at_the_theme_setting(basic, tmp_path, monkeypatch) -> None:
    theme = tmp_path / "half"
    (theme / "templates").mkdir(parents=True)
    monkeypatch.setattr(render_mod, "find_theme", lambda name: theme if name == "half" else None)
    at = {"theme": Span("ctxgen.yaml", 4, 8)}
    for name, code in (("half", "theme-incomplete"), ("fancy", "theme-unknown")):
        r = SiteRenderer(basic.topic_map, Config(theme=name, spans=at), RenderOptions())
        assert [d.format().split(": ")[:2] for d in r.setup.errors] == [["ctxgen.yaml:4:8", f"error[{code}]"]]


# --- output ---------------------------------------------------------------------------------------------
def test_output_collision_is_an_error(basic) -> None:
    r = make(basic, assets=["tags.html"] + basic.assets)
    assert [d.code for d in r.setup.errors] == ["output-collision"]


def test_write_all_writes_pages_static_assets_and_sitemap(basic, tmp_path) -> None:
    out = tmp_path / "out"
    diags = Diagnostics()
    stats = make(basic, base_url="https://example.org/m/").write_all(out, diags)
    assert not diags.has_errors()
    assert stats.pages == len(make(basic).pages())
    for rel in ("index.html", "ada/index.html", "static/style.css", "static/favicon.svg", "images/ada.png", ".nojekyll", "404.html"):
        assert (out / rel).is_file(), rel
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/m/ada/</loc>" in sitemap and "<loc>https://example.org/m/</loc>" in sitemap
    assert "404.html" not in sitemap


def test_no_base_url_skips_sitemap_with_a_note(basic, tmp_path) -> None:
    diags = Diagnostics()
    make(basic).write_all(tmp_path / "out", diags)
    assert not (tmp_path / "out" / "sitemap.xml").exists()
    assert [d.code for d in diags.items] == ["sitemap-skipped"]


def test_parallel_write_is_identical_to_serial(basic, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(render_mod, "PARALLEL_MIN_PAGES", 1)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        diags = Diagnostics()
        make(basic, jobs=jobs).write_all(out, diags)
        assert not diags.has_errors()
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert outs[0] == outs[1]


def test_early_map_tasks_write_what_the_pool_would(basic, tmp_path, monkeypatch) -> None:
    """The search index and exports, started in their own worker before the renderer exists
    (render_early), give the same site; a renderer that fails setup stops that worker."""
    import ctxgen.render_early as early_mod

    monkeypatch.setattr(render_mod, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(early_mod, "EARLY_MIN_TOPICS", 1)
    serial = tmp_path / "serial"
    make(basic, jobs=1).write_all(serial, Diagnostics())
    out = tmp_path / "early"
    out.mkdir()
    with early_mod.EarlyTasks(basic.topic_map, basic.config, out, jobs=2) as early:
        assert early.kinds == ["search", "exports"]
        diags = Diagnostics()
        stats = make(basic, jobs=2).write_all(out, diags, early)
    assert not diags.has_errors()
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert files == {p.relative_to(serial).as_posix(): p.read_bytes() for p in serial.rglob("*") if p.is_file()}
    assert stats.files == len(files) and any(f.startswith("search/") for f in files) and "map.xtm" in files
    with early_mod.EarlyTasks(basic.topic_map, basic.config, tmp_path / "left", jobs=2) as early:
        pool = early._pool
    assert early._pool is None and all(not p.is_alive() for p in pool._pool)


def test_drafts_get_no_page_unless_drafts_on() -> None:
    tm = TopicMap()
    tm.add_topic(Topic("shown"))
    tm.add_topic(Topic("hidden", draft=True))
    assert "hidden/index.html" not in SiteRenderer(tm, Config()).pages()
    assert "hidden/index.html" in SiteRenderer(tm, Config(), RenderOptions(drafts=True)).pages()


def test_tags_differing_by_case_share_one_page() -> None:
    tm = TopicMap()
    tm.add_topic(Topic("a", tags=["todo"]))
    tm.add_topic(Topic("b", tags=["TODO"]))
    r = SiteRenderer(tm, Config())
    assert r.ok
    assert [p for p in r.pages() if p.startswith("tags/")] == ["tags/todo.html"]
    html = r.render("tags/todo.html").decode()
    assert 'href="../a/"' in html and 'href="../b/"' in html


def test_a_topic_only_referred_to_reads_as_first_written(tmp_path) -> None:
    """`type: Research Paper` and a player `Ada Lovelace` with no file of their own: every place
    that shows them (badges, links, page titles, A–Z, graph, search) reads what the author wrote,
    not the slug; a reference written as its id reads as words."""
    write_files(tmp_path, {"a.md": "---\ntitle: Alpha\ntype: Research Paper\nassociations:\n"
                                   "  influenced-by: Ada Lovelace\n---\nText.\n"})
    result = load_map(tmp_path)
    tm = result.topic_map
    assert tm.topics["ada-lovelace"].implicit and not tm.topics["ada-lovelace"].names
    assert [tm.label(t) for t in ("ada-lovelace", "research-paper", "influenced-by")] == [
        "Ada Lovelace", "Research Paper", "influenced by"]
    r = make(result, tmp_path)
    alpha = r.render("a/index.html").decode()
    assert '">Research Paper</a>' in alpha and '">Ada Lovelace</a>' in alpha
    assert "<h1>Ada Lovelace</h1>" in r.render("ada-lovelace/index.html").decode()
    assert ">Ada Lovelace</a>" in r.render("names.html").decode()
    labels = {rec["id"]: rec["label"] for rec in r.site_graph.nodes.values()}
    assert labels["ada-lovelace"] == "Ada Lovelace"
    docs = {d["id"]: d for d in search_documents(tm, result.config)}
    assert docs["ada-lovelace"]["name"] == "Ada Lovelace" and docs["a"]["types"] == ["Research Paper"]


def test_a_nested_tag_is_in_its_parents_which_list_their_nested_tags() -> None:
    """As in Obsidian and Quartz: #area shows the topics of #area/sub too, and links to it."""
    tm = TopicMap()
    tm.add_topic(Topic("a", tags=["area/sub", "area/other/deep"]))
    tm.add_topic(Topic("b", tags=["area"]))
    tm.add_topic(Topic("c", tags=["Area/Sub"]))
    r = SiteRenderer(tm, Config())
    assert sorted(p for p in r.pages() if p.startswith("tags/")) == [
        "tags/area.html", "tags/area/other.html", "tags/area/other/deep.html", "tags/area/sub.html"]
    html = r.render("tags/area.html").decode()
    assert all(f'href="../{t}/"' in html for t in "abc") and "3 topics" in html
    assert ('Nested tags: <a class="ctx-tag" href="../tags/area/other.html">#area/other</a>, '
            '<a class="ctx-tag" href="../tags/area/sub.html">#Area/Sub</a>') in html  # one per page, named as on the tags page
    sub = r.render("tags/area/sub.html").decode()
    assert 'href="../../a/"' in sub and 'href="../../c/"' in sub and 'href="../../b/"' not in sub


def test_a_first_h1_with_math_is_the_pages_title_once_with_its_math(tmp_path) -> None:
    write_files(tmp_path, {"alpha.md": "# The $\\alpha$ particle and *emph*\n\nText.\n"})
    result = load_map(tmp_path)
    assert result.topic_map["alpha"].name == "The $\\alpha$ particle and emph"
    html = make(result, tmp_path).render("alpha/index.html").decode()
    assert html.count("<h1") == 1
    assert '<h1 id="h-the-alpha-particle-and-emph">The <span class="math math-inline">\\(\\alpha\\)</span> particle and <em>emph</em></h1>' in html
