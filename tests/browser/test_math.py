"""TeX math in bodies, drawn by KaTeX from the site itself (core.js loads it on pages with math)."""
from __future__ import annotations


def test_inline_and_display_math_render_with_katex_from_the_site(page, math_site):
    page.goto(math_site.url("euler/"))
    page.wait_for_selector("html[data-math=rendered]")
    page.wait_for_load_state("networkidle")
    body = page.locator(".ctx-body, main").first
    assert page.locator(".math-inline .katex").count() == 2
    assert page.locator(".math-display .katex-display").count() == 2
    assert page.locator(".katex-error").count() == 0
    assert "\\{x" not in body.inner_text()  # the TeX is typeset, not shown
    assert "it costs $5, and $6 is a dollar." in body.inner_text()
    # KaTeX's fonts come from the site: the page really uses them
    fonts = [u for u in page.rec.requests if u.endswith(".woff2")]
    assert fonts and all(u.startswith(math_site.url("static/vendor/katex/fonts/")) for u in fonts)
    assert all(u.startswith(math_site.base) for u in page.rec.requests)
    page.rec.assert_clean()


def test_a_page_without_math_loads_no_katex(page, math_site):
    page.goto(math_site.url("plain/"))
    page.wait_for_load_state("networkidle")
    assert not [u for u in page.rec.requests if "katex" in u]
    page.rec.assert_clean()
