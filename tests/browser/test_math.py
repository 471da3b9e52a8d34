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


def test_one_formula_that_fails_or_is_huge_leaves_the_page_and_the_others_alone(page, math_site):
    """A formula too deep for KaTeX stays as written and the next one still renders; \\rule cannot
    make the page a million pixels wide (maxSize)."""
    page.goto(math_site.url("hostile/"))
    page.wait_for_selector("html[data-math=rendered]")
    assert page.locator(".math-error").count() == 1
    assert page.locator(".math-inline .katex").count() == 3  # zeta, the capped rule, a^2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width < 3000, width
