"""Search in a real browser: the chunked index of ctxgen/searchindex.py read by search.js."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from ctxgen import load_map
from ctxgen.searchindex import words

from pathlib import Path

EXAMPLE_MAP = Path(__file__).resolve().parents[2] / "example-map"

TIMEOUT = 20_000  # ms; the machine may be busy


def type_query(page, site, path: str, text: str):
    page.goto(site.url(path))
    box = page.locator("#ctx-search-input")
    box.focus()
    box.type(text)
    page.locator("#ctx-search-results li").first.wait_for(timeout=TIMEOUT)
    # each keystroke searches: wait for the results of the whole text, not of a prefix of it
    page.wait_for_function("q => document.getElementById('ctx-search-results').dataset.query === q",
                           arg=text.strip(), timeout=TIMEOUT)
    return page.locator("#ctx-search-results li")


def result_names(page, selector: str = "#ctx-search-results") -> list[str]:
    return page.locator(f"{selector} li a.ctx-search-name").all_inner_texts()


# --- the small fixture map -----------------------------------------------------------------
def test_search_finds_a_topic_by_alias_and_opens_it(page, small_site):
    items = type_query(page, small_site, "charles-babbage/", "enchantress")
    first = items.first
    assert first.locator("a").inner_text() == "Ada Lovelace"
    assert "ctx-search-jump" in first.get_attribute("class")  # a name match: autocomplete
    box = page.locator("#ctx-search-input")
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/repo/ada-lovelace/$"), timeout=TIMEOUT)
    page.rec.assert_clean()


def test_search_escape_closes_and_results_are_text(page, small_site):
    items = type_query(page, small_site, "", "hostile")
    assert items.first.locator("a").inner_text() == "<img src=x onerror=alert(1)> Hostile"
    assert page.locator("#ctx-search-results img").count() == 0
    box = page.locator("#ctx-search-input")
    box.type(" nosuchword")
    page.locator("#ctx-search-results .ctx-search-empty").wait_for(timeout=TIMEOUT)
    box.press("Escape")
    assert items.count() == 0 and box.get_attribute("aria-expanded") == "false"
    page.rec.assert_clean()  # includes: no alert() dialog


def test_search_index_is_loaded_lazily_and_in_parts(page, small_site):
    page.goto(small_site.url("charles-babbage/"))
    page.wait_for_load_state("networkidle")
    assert not any("/search/" in u for u in page.rec.requests)
    type_query(page, small_site, "charles-babbage/", "analytical")
    fetched = sorted(u.split("/repo/")[1] for u in page.rec.requests if "/search/" in u)
    assert "search/index.json" in fetched
    assert any(u.startswith("search/t/") for u in fetched) and any(u.startswith("search/d/") for u in fetched)
    assert len(fetched) <= 6
    page.rec.assert_clean()


# --- the example map ----------------------------------------------------------------------
def body_only_word(map_dir) -> tuple[str, str]:
    """A word that is in exactly one topic's body and in no name, alias or occurrence: (word, topic name)."""
    tm = load_map(map_dir).topic_map
    in_bodies: Counter = Counter()
    elsewhere: set[str] = set()
    owner = {}
    for t in tm.user_topics():
        text = t.body.rendered.text if t.body is not None and t.body.rendered is not None else ""
        for w in set(words(text)):
            in_bodies[w] += 1
            owner[w] = t.name
        for n in t.names:
            elsewhere.update(words(n.value))
            for v in n.variants:
                elsewhere.update(words(v.value))
        for o in t.occurrences:
            elsewhere.update(words(o.value))
    candidates = sorted(w for w, c in in_bodies.items() if c == 1 and len(w) >= 8 and w.isalpha()
                        and w not in elsewhere and not any(x != w and x.startswith(w) for x in in_bodies))
    assert candidates, "the example map has no word unique to one body"
    word = candidates[len(candidates) // 2]
    return word, owner[word]


def test_example_search_finds_a_word_only_in_a_body_and_shows_the_passage(page, example_site):
    word, name = body_only_word(EXAMPLE_MAP)
    items = type_query(page, example_site, "", word)
    assert result_names(page) == [name]
    mark = items.first.locator(".ctx-search-passage mark")
    assert mark.count() >= 1 and mark.first.inner_text().lower().startswith(word)
    page.rec.assert_clean()


def test_example_search_finds_by_alias(page, example_site):
    type_query(page, example_site, "", "Augusta Ada")  # an alias of Ada Lovelace, not her name
    assert result_names(page)[0] == "Ada Lovelace"
    assert "also: Augusta Ada" in page.locator("#ctx-search-results li").first.inner_text()
    page.rec.assert_clean()


def test_example_search_page_filters_by_type(page, example_site):
    page.goto(example_site.url("search.html?q=engine"))
    page.locator("#ctx-search-page-results li").first.wait_for(timeout=TIMEOUT)
    everything = result_names(page, "#ctx-search-page-results")
    page.select_option("#ctx-search-type", label="Machine")
    page.wait_for_function("document.getElementById('ctx-search-page-status').textContent.includes('topic') && "
                           "new URLSearchParams(location.search).get('type') === 'Machine'", timeout=TIMEOUT)
    page.wait_for_timeout(200)
    machines = result_names(page, "#ctx-search-page-results")
    assert machines and set(machines) < set(everything)
    types = page.locator("#ctx-search-page-results .ctx-search-details").all_inner_texts()
    assert len(types) == len(machines) and all("Machine" in t for t in types)
    page.rec.assert_clean()
