"""`ctxgen serve` in a real headless Chromium: a save reloads the open tab with the new text,
and a broken file shows the error overlay until the next good save."""
from __future__ import annotations

from pathlib import Path

import pytest

from test_serve_support import running, write_map

CHROMIUM = Path("/usr/bin/chromium")

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
# `browser` is the session's Chromium from tests/browser/conftest.py: one Playwright per session
# (a second sync_playwright inside the first one's event loop is refused).


def test_save_reloads_the_open_page_and_overlay_comes_and_goes(tmp_path, browser):
    m = write_map(tmp_path / "map")
    with running(m, base_url="https://x.github.io/repo/") as s:
        page = browser.new_page()
        page.goto(s.url() + "people/babbage/")
        assert "/repo/people/babbage/" in page.url
        page.wait_for_function("() => document.body.innerText.includes('Babbage designed')", timeout=15000)
        page.evaluate("() => { window.__notReloaded = true; }")
        page.wait_for_timeout(300)  # the event stream is connected

        p = m / "people/babbage.md"
        p.write_text(p.read_text().replace("Babbage designed", "Babbage built and designed"))
        page.wait_for_function("() => document.body.innerText.includes('Babbage built and designed')", timeout=20000)
        assert page.evaluate("() => window.__notReloaded === undefined")  # a real reload, not a patch

        good = p.read_text()
        p.write_text("---\ntitle: [unclosed\n---\n<img src=x onerror=alert(1)>\n")
        overlay = page.wait_for_selector("#ctxgen-overlay", timeout=20000)
        text = overlay.inner_text()
        assert "people/babbage.md:" in text and "error[" in text
        assert page.locator("#ctxgen-overlay img").count() == 0  # the message is text, not HTML
        assert "Babbage built and designed" in page.inner_text("main")  # the last good page

        p.write_text(good.replace("built and designed", "FIXED and designed"))
        page.wait_for_function("() => document.body.innerText.includes('FIXED and designed')", timeout=20000)
        assert page.locator("#ctxgen-overlay").count() == 0
        page.close()
