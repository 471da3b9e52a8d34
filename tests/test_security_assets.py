"""With `allow_html: false` (the default) no asset may run script on the site's origin: HTML files
are not published, nor SVG/XML files (or other files in markup) holding script or anything that
would let a browser read other text than the text checked; plain SVG images still are. `build`,
`check` and `serve` agree, since discovery decides."""
from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from ctxgen.asset_policy import SNIFF_BYTES, unsafe_asset
from ctxgen.load import DEFAULT_SITE_DIR
from support import EXAMPLE_MAP, problems, run_ctxgen
from test_serve_support import get, running, strip_script, wait_until, write_map

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n{}\n</svg>\n'
SAFE_SVG = SVG.format('  <rect width="10" height="10" fill="#c00"/><text>on top = fine</text>')
HINT = "  hint: set allow_html: true in ctxgen.yaml to publish it"


def reading(data: bytes):
    """`read` for `unsafe_asset`, from bytes in memory."""
    return lambda n: data[:n]


def unsafe(name: str, inner: str) -> tuple[str, int, int] | None:
    """(what, line, col) for an SVG whose body is `inner`, or None when it is published."""
    found = unsafe_asset(name, reading(SVG.format(inner).encode("utf-8")))
    return None if found is None else (found[0], found[1].line, found[1].col)


def why(name: str, data: bytes) -> tuple[str, int, int] | None:
    found = unsafe_asset(name, reading(data))
    return None if found is None else (found[0], found[1].line, found[1].col)


@pytest.mark.parametrize("inner, col", [
    ('<script>alert(1)</script>', 1),
    ('  <svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>', 3),
    ('<rect  ONLOAD = "alert(1)"/>', 8),
    ('<rect title="a>b" onclick="alert(1)"/>', 19),
    ('<a href="javascript:alert(1)">x</a>', 10),
    ('<a xlink:href=" &#x4A;ava&#115;cript&colon;alert(1)">x</a>', 17),
    ('<a href="java\tscript:alert(1)">x</a>', 10),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', 10),
    ('<a href="VBScript:msgbox(1)">x</a>', 10),
    ('<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"/>', 14),
    ('<foreignObject><form action="https://example.org"><input name="p"/></form></foreignObject>', 16),
    ('<IFRAME src="https://example.org"/>', 1),
    ('<embed src="x.swf"/>', 1),
    ('<object data="x.html"/>', 1),
    ('<handler type="text/ecmascript">alert(1)</handler>', 1),
    ('<set attributeName="onmouseover" to="alert(1)"/>', 6),
])
def test_svg_that_can_run_script_is_refused_at_the_first_match(inner: str, col: int) -> None:
    found = unsafe("a.svg", inner)
    assert found is not None and found[1:] == (2, col), found


@pytest.mark.parametrize("inner", [
    '<rect width="10" height="10"/>',
    '<text>click on = here; javascript is a language</text>',
    '<image href="data:image/png;base64,iVBORw0KGgo="/>',
    # what draw.io writes: text labels as inert HTML in a foreignObject
    '<switch><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><div><b>Label</b><br/></div></div>'
    '</foreignObject><text>Label</text></switch>',
])
def test_plain_svg_is_published(inner: str) -> None:
    assert unsafe("a.svg", inner) is None


NOT_UTF8 = "not UTF-8 text: only UTF-8 can be checked for script"
SUBSET = ("a DOCTYPE with an internal subset ('[...]'), whose entities and attributes can add script "
          "that no check sees")
ENTITY_SCRIPT = '<!ENTITY s "&#60;script&#62;alert(1)&#60;/script&#62;">'


@pytest.mark.parametrize("name, data, expected", [
    # an entity whose text is markup: the raw text holds no '<script', the parsed document does
    ("img/evil.svg", f'<!DOCTYPE svg [{ENTITY_SCRIPT}]><svg xmlns="http://www.w3.org/2000/svg">&s;</svg>'.encode(),
     (SUBSET, 1, 1)),
    ("p.svg", b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY % p "<!ENTITY s \'&#60;script&#62;1&#60;/script&#62;\'>">'
     b' %p;]>\n<svg xmlns="http://www.w3.org/2000/svg">&s;</svg>', (SUBSET, 2, 1)),
    ("data.xml", f'<!DOCTYPE x PUBLIC "-//X//[odd]//EN" "x.dtd" [\n{ENTITY_SCRIPT}]><x>&s;</x>'.encode(), (SUBSET, 1, 1)),
    ("a.svg", b'<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]><svg/>', (SUBSET, 1, 1)),
    ("b.svg", b'<svg>\n  <!ENTITY s "x"></svg>', ("'<!ENTITY': a DTD declaration can add script that no check sees", 2, 3)),
    # ESC ( B is nothing in ISO-2022-JP: a browser reads <script> where the check saw <scr?(Bipt>
    ("jp.svg", b'<?xml version="1.0" encoding="ISO-2022-JP"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
     b'<scr\x1b(Bipt>alert(1)</scr\x1b(Bipt></svg>',
     ("it declares encoding 'ISO-2022-JP': only UTF-8 can be checked for script", 1, 31)),
    ("jp.svg", b'<svg xmlns="http://www.w3.org/2000/svg">\n<scr\x1b(Bipt>1</scr\x1b(Bipt></svg>',
     ("control character U+001B: XML has none, and in another encoding (UTF-16, ISO-2022) it can hide script", 2, 5)),
    ("u.svg", SVG.format("<script>1</script>").encode("utf-16"), (NOT_UTF8, 1, 1)),
    ("u.svg", SVG.format("<rect/>").encode("utf-16-le"),  # no BOM: read as UTF-8 it is full of NULs
     ("control character U+0000: XML has none, and in another encoding (UTF-16, ISO-2022) it can hide script", 1, 2)),
    ("l.svg", SVG.format("<text>caf\xe9</text>").encode("latin-1"), (NOT_UTF8, 2, 10)),
    ("g.svg", gzip.compress(SVG.format("<script>1</script>").encode()), (NOT_UTF8, 1, 2)),
])
def test_what_a_browser_may_read_otherwise_is_refused_unread(name: str, data: bytes, expected) -> None:
    assert why(name, data) == expected


@pytest.mark.parametrize("data", [
    # what Inkscape and Illustrator write: an XML declaration, a DOCTYPE without internal subset
    b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    + SAFE_SVG.encode(),
    b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>\r\n" + SVG.format("<text>caf\u00e9 &amp; th\u00e9</text>").encode(),
    b'<?xml version="1.0" encoding="us-ascii"?>' + SAFE_SVG.encode(),
])
def test_plain_svg_files_as_editors_write_them_are_published(data: bytes) -> None:
    assert why("a.svg", data) is None


@pytest.mark.parametrize("suffix, reason", [
    *((s, "an HTML file can run script on the site's origin") for s in (
        ".html", ".htm", ".xhtml", ".xht", ".xhtm", ".shtml", ".shtm", ".mht", ".mhtml", ".hta")),
    *((s, "an XSLT stylesheet can make any XML file a page that runs script on the site's origin")
      for s in (".xsl", ".xslt")),
    (".svgz", "a compressed SVG is not checked for script: publish it unzipped, as .svg"),
])
def test_suffixes_served_as_pages_are_refused_unread(suffix: str, reason: str) -> None:
    def read(n: int) -> bytes:
        raise AssertionError("read")
    for name in ("dir/page" + suffix, "dir/PAGE" + suffix.upper()):
        found = unsafe_asset(name, read)
        assert found is not None and (found[0], found[1].line, found[1].col) == (reason, 1, 1), found


def test_other_files_are_checked_when_they_start_like_markup() -> None:
    # servers send .rss, .kml, .gpx... as XML, which browsers render; a .txt is checked the same
    feed = b'<rss><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></rss>\n'
    assert why("feed.rss", feed) == ("'<h:script' can run script on the site's origin", 1, 6)
    assert why("notes.TXT", b"\xef\xbb\xbf \n" + feed) is not None
    assert why("u.kml", '<kml><script>1</script></kml>'.encode("utf-16")) == (NOT_UTF8, 1, 1)
    assert why("track.gpx", b'<?xml version="1.0" encoding="UTF-8"?>\n<gpx><trk/></gpx>\n') is None
    asked = []
    def read(n: int) -> bytes:
        asked.append(n)
        return (b"\x89PNG\r\n\x1a\n<script>" + bytes(range(256)) * 10)[:n]
    assert unsafe_asset("a.png", read) is None and asked == [SNIFF_BYTES]  # not markup: only its start is read


@pytest.fixture
def site_map(tmp_path: Path) -> Path:
    m = tmp_path / "m"
    m.mkdir()
    (m / "index.md").write_text("# Top\n\n![ok](ok.svg) ![bad](bad.svg) [page](page.html) [old](old.HTM)\n")
    (m / "ok.svg").write_text(SAFE_SVG)
    (m / "bad.svg").write_text(SVG.format('  <circle r="4" onmouseover="alert(document.cookie)"/>'))
    (m / "page.html").write_text("<script>alert(document.cookie)</script>\n")
    (m / "old.HTM").write_text("<script>alert(1)</script>\n")
    (m / "feed.xml").write_text('<x><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></x>\n')
    return m


def test_build_does_not_publish_unsafe_assets_and_says_where(site_map: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    proc = run_ctxgen("build", site_map, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir() if p.suffix in (".svg", ".html", ".HTM", ".xml")) == [
        "404.html", "graph.html", "index.html", "names.html", "ok.svg", "search.html", "tags.html"]
    lines = [line for line in proc.stderr.splitlines() if "asset-unsafe" in line or line == HINT]
    off = "warning[asset-unsafe]: not published while allow_html is off:"
    assert lines == [
        f"bad.svg:2:17: {off} 'onmouseover' can run script on the site's origin", HINT,
        f"feed.xml:1:4: {off} '<h:script' can run script on the site's origin", HINT,
        f"old.HTM:1:1: {off} an HTML file can run script on the site's origin", HINT,
        f"page.html:1:1: {off} an HTML file can run script on the site's origin", HINT,
    ]
    # an unpublished asset is not an asset: links to it are missing links
    missing = sorted(line.split("]: ")[1].split(":")[0] for line in problems(proc.stderr) if "link-unresolved" in line)
    assert missing == ["[bad](bad.svg)", "[old](old.HTM)", "[page](page.html)"]
    check = run_ctxgen("check", site_map)
    assert problems(check.stderr) == problems(proc.stderr)


def test_build_refuses_what_a_browser_would_read_otherwise(tmp_path: Path) -> None:
    m = tmp_path / "m"
    (m / "img").mkdir(parents=True)
    (m / "index.md").write_text("# Top\n\n![ink](img/ink.svg)\n")
    (m / "img/evil.svg").write_text(f'<!DOCTYPE svg [{ENTITY_SCRIPT}]><svg xmlns="http://www.w3.org/2000/svg">&s;</svg>')
    (m / "data.xml").write_text(f'<!DOCTYPE x [{ENTITY_SCRIPT}]><x>&s;</x>')
    (m / "jp.svg").write_bytes(b'<?xml version="1.0" encoding="ISO-2022-JP"?><svg xmlns="http://www.w3.org/2000/svg">'
                               b'<scr\x1b(Bipt>alert(1)</scr\x1b(Bipt></svg>')
    (m / "page.xhtm").write_text('<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>')
    (m / "img/ink.svg").write_text('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
                                   '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                                   '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SAFE_SVG)
    out = tmp_path / "site"
    proc = run_ctxgen("build", m, "-o", out)
    assert proc.returncode == 0, proc.stderr
    off = "warning[asset-unsafe]: not published while allow_html is off:"
    assert [line for line in problems(proc.stderr) if "asset-unsafe" in line] == [
        f"data.xml:1:1: {off} {SUBSET}",
        f"img/evil.svg:1:1: {off} {SUBSET}",
        f"jp.svg:1:31: {off} it declares encoding 'ISO-2022-JP': only UTF-8 can be checked for script",
        f"page.xhtm:1:1: {off} an HTML file can run script on the site's origin",
    ]
    assert (out / "img/ink.svg").read_bytes() == (m / "img/ink.svg").read_bytes()
    assert not any((out / p).exists() for p in ("img/evil.svg", "data.xml", "jp.svg", "page.xhtm"))


def test_allow_html_publishes_them_as_they_are(site_map: Path, tmp_path: Path) -> None:
    (site_map / "ctxgen.yaml").write_text("allow_html: true\n")
    out = tmp_path / "site"
    proc = run_ctxgen("build", site_map, "-o", out, "--strict")
    assert proc.returncode == 0 and problems(proc.stderr) == [], proc.stderr
    for name in ("bad.svg", "page.html", "old.HTM", "feed.xml"):
        assert (out / name).read_bytes() == (site_map / name).read_bytes()


def test_example_map_svgs_stay_published(tmp_path: Path) -> None:
    proc = run_ctxgen("build", EXAMPLE_MAP, "-o", tmp_path / "site", "--strict")
    assert proc.returncode == 0 and problems(proc.stderr) == [], proc.stderr
    # the map's own SVGs: not those of a site `scripts/demo.sh` built into example-map/_site
    svgs = sorted(rel for p in EXAMPLE_MAP.rglob("*.svg")
                  if not (rel := p.relative_to(EXAMPLE_MAP).as_posix()).startswith(DEFAULT_SITE_DIR + "/"))
    assert svgs and all((tmp_path / "site" / s).read_bytes() == (EXAMPLE_MAP / s).read_bytes() for s in svgs)


# --- serve --------------------------------------------------------------------------------------
def test_serve_never_sends_an_unsafe_asset(tmp_path: Path) -> None:
    m = write_map(tmp_path / "map")
    (m / "pic.svg").write_text(SAFE_SVG)
    (m / "page.html").write_text("<p>hi</p>\n")
    (m / "page.xhtm").write_text('<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>\n')
    with running(m) as s:
        assert get(s, "/pic.svg")[0] == 200
        assert get(s, "/page.html")[0] == 404  # not published: not served either
        assert get(s, "/page.xhtm")[0] == 404  # it would go as application/xhtml+xml
        n = len(s.rebuilds)
        (m / "new.svg").write_text(SVG.format("<script>alert(1)</script>"))
        assert s.wait_rebuilds(n + 1)
        assert get(s, "/new.svg")[0] == 404
        # an asset turning unsafe is refused at once, before and after the watcher's rebuild
        (m / "pic.svg").write_text(SVG.format('<rect onclick="alert(1)"/>'))
        assert get(s, "/pic.svg")[0] == 404
        assert wait_until(lambda: "pic.svg" not in s.site.state.assets)
        assert get(s, "/pic.svg")[0] == 404
        assert wait_until(lambda: any("pic.svg:2:7: warning[asset-unsafe]" in d.format() for d in s.site.diagnostics)), \
            [d.format() for d in s.site.diagnostics]


def test_serve_injects_its_script_only_into_pages_it_rendered(tmp_path: Path) -> None:
    m = write_map(tmp_path / "map")
    (m / "ctxgen.yaml").write_text("allow_html: true\n")
    (m / "page.html").write_text("<html><body><p>mine</p></body></html>\n")
    with running(m) as s:
        status, headers, body = get(s, "/page.html")
        assert status == 200 and body == (m / "page.html").read_bytes()
        status, _, home = get(s, "/")
        assert status == 200 and b'<script id="ctxgen-reload">' in home and strip_script(home) != home
