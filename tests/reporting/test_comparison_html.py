"""`odlm compare --format html`: the page's figures, its escaping, and a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.reporting.comparison_html import comparison_html


def figures(moved: int, eve: int) -> dict[str, Any]:
    return {
        "moved": moved,
        "salespeople": [
            {"name": "Alice Smith", "received": moved - eve, "after": 300, "target": 400},
            {"name": '<b>Eve & "Co"</b>', "received": eve, "after": 250, "target": None},
        ],
        "utilisation_spread": None,
        "received_spread": abs(moved - 2 * eve),
        "gini": 0.125,
        "left": {"excluded: Date range": 3, "left: <none> at target": 1},
        "over_target": 0,
    }


DATA: dict[str, Any] = {
    "configurations": ["round_robin.yaml", "capacity.yaml"],
    "days": [
        {
            "run_id": f"run{d}",
            "date": f"2026-11-2{d}",
            "campaign": "Voice",
            "figures": [figures(100 + d, 50), figures(100 + d, 20 + d)],
        }
        for d in range(3)
    ],
    "total": [figures(303, 150), figures(303, 63)],
}


def test_the_page_shows_every_figure_escaped_and_fetches_nothing() -> None:
    page = comparison_html(DATA)
    assert page.count("<svg") == 3  # leads moved, and one per configuration
    for day in DATA["days"]:
        assert day["date"] in page
    assert "round_robin.yaml" in page and "capacity.yaml" in page
    assert "&lt;b&gt;Eve &amp; &#34;Co&#34;&lt;/b&gt;" in page and "<b>Eve" not in page
    assert "left: &lt;none&gt; at target" in page
    assert "—" in page  # no utilisation spread without targets
    assert "<script" not in page.lower()
    assert "https://" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


BROWSER = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.mark.skipif(BROWSER is None, reason="no Chromium or Chrome on this machine")
def test_the_page_renders_its_charts_in_a_browser_without_errors_or_requests(
    tmp_path: Path,
) -> None:
    page_file = tmp_path / "compare.html"
    page_file.write_text(comparison_html(DATA), encoding="utf-8")
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 1200})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        charts = page.locator("figure.chart svg")
        assert charts.count() == 3
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["width"] >= 300 and box["height"] > 100
        assert page.locator("#chart-moved rect.moved").count() == 6
        assert page.locator("#chart-people-0 line.target").count() == 1
        page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()]
