"""The HTML report in a real headless browser: it renders its charts without script errors.

Uses the machine's Chromium through Playwright (no browser download); the
screenshot is kept in the test's temporary directory (pytest prints where
with ``--basetemp``), for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.reporting.files import write_reports
from odoo_lead_manager.reporting.report import build_report
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY

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
def test_the_report_renders_its_charts_without_errors(demo_dir: Path, tmp_path: Path) -> None:
    plan = run_distribution(
        load_config(demo_dir / "config.yaml"), True, RunOptions(today=TODAY, seed=3)
    ).plan
    (page_file,) = write_reports(build_report(plan, None, 0.4), ["html"], tmp_path)
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        charts = page.locator("figure.chart svg")
        assert charts.count() >= 5
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 10
        bars = page.locator("#chart-salespeople rect.received")
        assert bars.count() == len(plan.salespeople)
        assert page.locator("#chart-salespeople line.target").count() == len(plan.salespeople)
        assert page.title().startswith("odlm dry run report: Voice")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing fetched from anywhere
    assert (tmp_path / "report.png").stat().st_size > 10_000
