"""`odlm compare --format html`: the page's figures, its escaping, and a real browser."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.reporting.comparison_html import comparison_html
from tests.reporting.test_browser import BROWSER, sync_api

EVE = '<b>Eve & "Co"</b>'


def people(alice: tuple[int, int], eve: tuple[int, int]) -> list[dict[str, Any]]:
    """Alice (target 400) and Eve (no target): (received, after) each."""
    return [
        {"name": "Alice Smith", "received": alice[0], "after": alice[1], "target": 400},
        {"name": EVE, "received": eve[0], "after": eve[1], "target": None},
    ]


def figures(
    moved: int, spread: int, gini: float, utilisation: float | None, over: int, **more: Any
) -> dict[str, Any]:
    """A configuration's figures for a day; ``over`` salespeople over target (Alice, then Bob),
    everyone with a target who is not over is under."""
    over_names = ["Alice Smith", "Bob Johnson"][:over]
    return {
        "moved": moved,
        "received_range": spread,
        "received_gini": gini,
        "utilisation_stdev": utilisation,
        "over_target": over,
        "over_target_names": over_names,
        "under_target_names": [] if over else ["Alice Smith"],
        **more,
    }


DATA: dict[str, Any] = {
    "configurations": ["round_robin.yaml", "capacity.yaml"],
    "days": [
        {
            "run_id": "run-20",
            "date": "2026-11-20",
            "campaign": "Voice",
            "figures": [
                figures(101, 1, 0.005, None, 0, salespeople=people((51, 351), (50, 250)), left={}),
                figures(
                    87,
                    13,
                    0.0747,
                    12.5,
                    1,
                    salespeople=people((50, 350), (37, 237)),
                    left={"left: <none> at target": 4},
                ),
            ],
        },
        {
            "run_id": "run-21",
            "date": "2026-11-21",
            "campaign": "Voice",
            "figures": [
                figures(
                    112,
                    0,
                    0.0,
                    None,
                    0,
                    salespeople=people((56, 407), (56, 306)),
                    left={"excluded: Date range": 3},
                ),
                figures(95, 5, 0.0263, 8.25, 0, salespeople=people((50, 400), (45, 282)), left={}),
            ],
        },
        {
            "run_id": "run-22",
            "date": "2026-11-22",
            "campaign": "Voice",
            "figures": [
                figures(
                    98,
                    2,
                    0.0102,
                    None,
                    1,
                    salespeople=people((50, 457), (48, 354)),
                    left={"excluded: Date range": 2},
                ),
                figures(
                    120,
                    20,
                    0.0833,
                    3.75,
                    2,
                    salespeople=people((70, 470), (50, 332)),
                    left={"left: <none> at target": 1},
                ),
            ],
        },
    ],
    "total": [
        figures(
            311,
            3,
            0.0048,
            None,
            1,
            salespeople=people((157, 457), (154, 354)),
            left={"excluded: Date range": 5},
        ),
        figures(
            302,
            38,
            0.0629,
            3.75,
            2,
            salespeople=people((170, 470), (132, 332)),
            left={"left: <none> at target": 5},
        ),
    ],
}


class Tables(HTMLParser):
    """The text of every table cell, table by table and row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(page: str) -> list[list[list[str]]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def test_the_side_by_side_table_shows_each_days_figures_and_the_totals() -> None:
    side, left = tables(comparison_html(DATA))
    assert side[0] == ["Day", "Figure", "round_robin.yaml", "capacity.yaml"]
    rows = [row[1:] for row in side[1:]]
    assert len(rows) == 4 * 6  # six figures for each of three days and the total
    assert [row[0] for row in side[1:] if row[0] and not row[0].startswith("run-")] == [
        "2026-11-20",
        "Voice",
        "2026-11-21",
        "Voice",
        "2026-11-22",
        "Voice",
        "Total",
    ]
    assert rows[:6] == [
        ["leads moved", "101", "87"],
        ["received range (leads)", "1", "13"],
        ["Gini of received", "0.005", "0.0747"],
        ["utilisation std dev (points)", "—", "12.5"],
        ["over target", "none", "Alice Smith"],
        ["under target", "Alice Smith", "none"],
    ]
    assert rows[6] == ["leads moved", "112", "95"] and rows[12] == ["leads moved", "98", "120"]
    assert rows[18:] == [
        ["leads moved", "311", "302"],
        ["received range (leads)", "3", "38"],
        ["Gini of received", "0.0048", "0.0629"],
        ["utilisation std dev (points)", "—", "3.75"],
        ["over target", "Alice Smith", "Alice Smith, Bob Johnson"],
        ["under target", "none", "none"],
    ]
    assert left == [
        ["Reason", "round_robin.yaml", "capacity.yaml"],
        ["excluded: Date range", "5", "0"],
        ["left: <none> at target", "0", "5"],
    ]


def test_the_page_draws_its_charts_escapes_every_name_and_fetches_nothing() -> None:
    page = comparison_html(DATA, title="Voice <compare>")
    # Received per salesperson under each configuration, leads moved, one per configuration.
    assert page.count("<svg") == 4
    # The page's, each chart's, each bar's and target's, each axis label's (2 people side by
    # side, 3 days, 2 x 2 people).
    titled = 1 + 4 + page.count("<rect") + page.count("<line class") + 2 + 3 + 4
    assert page.count("<title>") == titled
    assert page.count('class="moved"') == 6
    # Who gets more under which configuration: one bar per salesperson and configuration.
    assert page.count('class="by-configuration"') == 4
    assert "Alice Smith under round_robin.yaml: received 157" in page
    assert "Alice Smith under capacity.yaml: received 170" in page
    assert page.count('class="received"') == page.count('class="after"') == 4
    assert page.count('class="target"') == 2  # Eve has no target
    assert "round_robin.yaml: received and after-count per salesperson" in page
    assert "capacity.yaml, 2026-11-22: 120" in page
    assert "Alice Smith: received 157" in page and "Alice Smith: after 470" in page
    assert "Alice Smith: target 400" in page
    assert "&lt;b&gt;Eve &amp; &#34;Co&#34;&lt;/b&gt;: received 154" in page
    assert "<b>" not in page and EVE not in page
    assert "left: &lt;none&gt; at target" in page and "<none>" not in page
    assert "<title>Voice &lt;compare&gt;</title>" in page
    for svg in page.split("<svg")[1:]:
        head = svg.split(">", 1)[0]
        assert ' width="' in head and ' height="' in head and "<title>" in svg.split("<rect")[0]
    lowered = page.lower()
    assert "<script" not in lowered and "http://" not in lowered and "https://" not in lowered
    assert "url(" not in lowered and "@import" not in lowered and "<img" not in lowered
    assert "<link" not in lowered and "src=" not in lowered and "href=" not in lowered


def test_an_empty_comparison_still_makes_a_page() -> None:
    page = comparison_html({"configurations": ["a.yaml", "b.yaml"], "days": [], "total": []})
    assert "No recorded runs to compare." in page and page.count("<svg") == 2


def test_a_long_name_is_shortened_under_its_bars_and_whole_in_its_title() -> None:
    data = {**DATA, "total": [dict(f) for f in DATA["total"]]}
    name = "Bartholomew Featherstonehaugh-Smythe"
    data["total"][0]["salespeople"] = [{"name": name, "received": 3, "after": 4, "target": 5}]
    page = comparison_html(data)
    assert f"<title>{name}</title>Bartholomew Fea…</text>" in page


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
        assert charts.count() == 4
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["width"] >= 300 and box["height"] > 100
        bars = page.locator("#chart-moved rect.moved")
        assert bars.count() == 6
        for index in range(bars.count()):
            box = bars.nth(index).bounding_box()
            assert box is not None and box["width"] > 10 and box["height"] > 50
        assert page.locator("#chart-people-0 rect.received").count() == 2
        assert page.locator("#chart-people-1 line.target").count() == 1
        assert page.title() == "odlm compare"
        screenshot = tmp_path / "compare.png"
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing fetched from anywhere
    assert screenshot.stat().st_size > 10_000
    shutil.copyfile(screenshot, "/tmp/compare_page.png")
