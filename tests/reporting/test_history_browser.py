"""The history site in a real headless browser, served by a plain static web server.

Chromium and Playwright are found as `test_browser` finds them; the
screenshots are kept in the test's temporary directory.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from tests.reporting.history_runs import LAST, build_history
from tests.reporting.test_browser import BROWSER, sync_api


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The site of a four-day history, served over http from localhost; its base URL."""
    config = build_history(tmp_path / "demo")
    site = tmp_path / "site"
    assert main(["report", "site", str(site), "--config", str(config), "--to", str(LAST)]) == 0
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.skipif(BROWSER is None, reason="no Chromium or Chrome on this machine")
def test_the_site_renders_its_charts_and_fetches_only_its_own_files(
    served: str, tmp_path: Path
) -> None:
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(served + "index.html")
        assert page.title().startswith("odlm runs:")
        rows = page.locator("#runs tr")
        assert rows.count() == 1 + 5  # the header, four real runs and the dry run
        page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
        # Follow the index's own link to the trends page, as a reader would.
        page.locator("nav a", has_text="Trends").click()
        page.wait_for_load_state()
        assert page.url == served + "trends.html"
        charts = page.locator("svg.chart")
        assert charts.count() >= 5
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 150
        bars = page.locator("#chart-moved rect.bar")
        assert bars.count() == 4
        heights = [bars.nth(i).bounding_box() for i in range(4)]
        assert all(h is not None and h["height"] > 0 for h in heights)
        page.screenshot(path=str(tmp_path / "trends.png"), full_page=True)
        page.goto(served + "index.html")
        page.locator("a.report").first.click()
        page.wait_for_load_state()
        assert page.url.startswith(served + "runs/") and page.title().startswith("odlm")
        browser.close()
    assert errors == [], requests
    assert requests and all(url.startswith(served) for url in requests), requests
    assert (tmp_path / "index.png").stat().st_size > 10_000
    assert (tmp_path / "trends.png").stat().st_size > 10_000
