"""The built site in a real browser: every page stays on 127.0.0.1 (graphs: test_graph.py)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["", "names.html", "tags.html", "search.html"])
def test_example_pages_stay_on_the_site(page, example_site, path):
    page.goto(example_site.url(path))
    page.wait_for_load_state("networkidle")
    assert page.rec.requests and all(u.startswith(example_site.base) for u in page.rec.requests)
    page.rec.assert_clean()
