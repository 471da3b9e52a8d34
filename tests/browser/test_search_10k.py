"""Search on a generated 10,000-topic map (../shared/bench/gen_corpus.py) in a real browser:
a topic by words only in its body, by an alias, the type filter, markup as text, small downloads."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ctxgen.searchindex import MAX_POSTINGS, words
from views_support import TIMEOUT, build, serve

GEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_corpus.py"
N = 10_000
HOSTILE = '---\ntitle: "<img src=x onerror=alert(1)> Zyzzyva"\ntype: concept\n---\nA hostile title.\n'


@pytest.fixture(scope="module")
def big(tmp_path_factory, vendor_files):
    work = tmp_path_factory.mktemp("gen10k")
    subprocess.run([sys.executable, str(GEN), str(N), str(work / "corpus"), "--flavours", "ctxgen"], check=True,
                   stdout=subprocess.DEVNULL, timeout=600)
    map_dir = work / "corpus" / "ctxgen"
    (map_dir / "topics" / "zz-hostile.md").write_text(HOSTILE, encoding="utf-8")
    site = build(map_dir, work / "site" / "repo")
    server, base = serve(work / "site")
    yield map_dir, site, base
    server.shutdown()
    server.server_close()


def front_and_body(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return front, body


def search_box(page, base: str, query: str):
    page.goto(base)
    box = page.locator("#ctx-search-input")
    box.focus()
    page.evaluate("delete document.getElementById('ctx-search-results').dataset.ms")
    box.fill(query)
    page.wait_for_function("document.getElementById('ctx-search-results').dataset.ms", timeout=TIMEOUT)
    return page.locator("#ctx-search-results li")


def search_bytes(page) -> int:
    return page.evaluate("""performance.getEntriesByType('resource').filter(e => e.name.includes('/search/'))
                            .reduce((n, e) => n + e.encodedBodySize, 0)""")


def narrowing_words(map_dir: Path) -> tuple[str, list[str]]:
    """A topic and a few words of its body, in none of its names, that together are in at most
    five topics' files (each word in at most MAX_POSTINGS files: no posting list is cut)."""
    files = sorted((map_dir / "topics").glob("*.md"))
    found: dict[str, set[int]] = {}
    topics = []
    for i, f in enumerate(files):
        front, body = front_and_body(f)
        topics.append((front, set(words(re.sub(r"\[\[[^\]]*\]\]", " ", body)))))
        for w in set(words(front + body)):  # anywhere in the file: names and link labels count too
            found.setdefault(w, set()).add(i)
    for i in range(len(files) // 3, len(files)):
        front, ws = topics[i]
        m = re.search(r'^title: "(.*)"$', front, re.M)
        if not m:
            continue
        usable = sorted((w for w in ws - set(words(front)) if len(w) > 1 and len(found[w]) <= MAX_POSTINGS),
                        key=lambda w: (len(found[w]), w))
        alpha = [w for w in usable if w.isalpha()]
        if alpha:  # a real word first, then whatever narrows the hits down (numbers of inline code)
            usable = alpha[:1] + [w for w in usable if w != alpha[0]]
        chosen, docs = [], set(range(len(files)))
        for w in usable:
            chosen.append(w)
            docs &= found[w]
            if len(docs) <= 5:  # the header box shows 5 names and 8 hits
                return m.group(1), chosen
            if len(chosen) == 6:
                break
    pytest.fail("no topic with narrowing body words")


def test_finds_a_topic_by_words_only_in_its_body(page, big):
    map_dir, site, base = big
    title, query = narrowing_words(map_dir)
    items = search_box(page, base, " ".join(query))
    names = items.locator("a.ctx-search-name").all_inner_texts()
    assert title in names, (query, names)
    hit = items.filter(has=page.locator("a.ctx-search-name", has_text=title)).first
    stored = next(d for f in (site / "search" / "d").glob("*.json")
                  for d in json.loads(f.read_text(encoding="utf-8")) if d["name"] == title)
    if set(query) & set(words(stored.get("text", ""))):  # a match in the quoted part of the text
        assert hit.locator(".ctx-search-passage mark").count() >= 1
    assert search_bytes(page) < 1_000_000  # the manifest, a few shards and chunks: never the whole text
    page.rec.assert_clean()


def test_finds_a_topic_by_its_alias_and_jumps_to_it(page, big):
    map_dir, site, base = big
    target = sorted((map_dir / "topics").glob("*.md"))[1234]
    front, _ = front_and_body(target)
    title = re.search(r'^title: "(.*)"$', front, re.M).group(1)
    alias = re.search(r'^aliases: \["([^"]+)"', front, re.M).group(1)
    items = search_box(page, base, alias)
    first = items.first
    assert first.locator("a.ctx-search-name").inner_text() == title
    assert f"also: {alias}" in first.inner_text()
    page.locator("#ctx-search-input").press("Enter")
    page.wait_for_url(re.compile(rf"/repo/topics/{re.escape(target.stem)}/$"), timeout=TIMEOUT)
    page.rec.assert_clean()


def test_type_filter_and_markup_as_text(page, big):
    _, site, base = big
    page.goto(base + "search.html?q=zyzzyva")
    page.locator("#ctx-search-page-results li").first.wait_for(timeout=TIMEOUT)
    assert page.locator("#ctx-search-page-results a.ctx-search-name").first.inner_text() == \
        "<img src=x onerror=alert(1)> Zyzzyva"
    assert page.locator("#ctx-search-page-results img").count() == 0
    page.goto(base + "search.html?q=schema")
    page.locator("#ctx-search-page-results li").first.wait_for(timeout=TIMEOUT)
    types = page.locator("#ctx-search-type option").all_inner_texts()[1:]
    assert len(types) >= 3
    page.select_option("#ctx-search-type", label=types[0])
    page.wait_for_function(f"new URLSearchParams(location.search).get('type') === {types[0]!r}", timeout=TIMEOUT)
    page.wait_for_timeout(300)
    details = page.locator("#ctx-search-page-results .ctx-search-details").all_inner_texts()
    assert details and all(types[0] in d for d in details)
    page.rec.assert_clean()
