"""Each format's content: CSV tables, the JSON document, the self-contained HTML page."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from odoo_lead_manager.reporting import files
from odoo_lead_manager.reporting.files import render_html, safe_cells, write_reports
from odoo_lead_manager.reporting.report import build_report
from tests.state.helpers import NOW, tiny_plan


def written(tmp_path: Path, formats: list[str], mask: bool = False) -> dict[str, Path]:
    report = build_report(tiny_plan(), None, 2.0, mask=mask, generated_at=NOW)
    paths = write_reports(report, formats, tmp_path / "reports")
    return {
        path.name.removeprefix("odlm-voice-2024-06-14-rrrrrrrr-dry-run"): path for path in paths
    }


def test_json_is_the_report(tmp_path: Path) -> None:
    files = written(tmp_path, ["json"])
    data = json.loads(files[".json"].read_text())
    assert data == json.loads(
        json.dumps(build_report(tiny_plan(), None, 2.0, generated_at=NOW).to_dict())
    )
    assert data["salesperson_summary"][0] == {
        "name": "Alice", "id": 1, "team": None, "level": None, "target_leads": 10,
        "current_leads": 3, "leads_received": 2, "leads_taken": 0, "new_total": 5,
        "utilization": 50.0, "utilization_before": 30.0, "held_back_by_cap": None, "away": None,
        "catch_up": None, "assignment_domain": None, "odoo_capacity": None,
    }  # fmt: skip
    # Bob gives lead 101 to Alice and receives 103: 2 - 1 + 1.
    assert data["salesperson_summary"][1]["new_total"] == 2
    assert data["distribution_summary"]["leads_taken_from"] == {"Bob": 1, "Zed": 1}
    assert data["lead_characteristics"]["by_date_range"] == {
        "0-7 days": 1, "over 180 days": 1, "no date": 1,
    }  # fmt: skip


def test_csv_tables(tmp_path: Path) -> None:
    files = written(tmp_path, ["csv"])
    assert set(files) == {"-summary.csv", "-salespeople.csv", "-leads.csv", "-assignments.csv"}
    people = list(csv.DictReader(files["-salespeople.csv"].open()))
    assert [(p["name"], p["leads_received"], p["new_total"]) for p in people] == [
        ("Alice", "2", "5"), ("Bob", "1", "2"), ("Cleo", "0", "0"),
    ]  # fmt: skip
    leads = list(csv.DictReader(files["-leads.csv"].open()))
    sources = {row["value"]: int(row["leads"]) for row in leads if row["dimension"] == "source"}
    assert sources == {"Facebook": 1, "(none)": 1, "Google" * 30: 1}
    summary = dict(csv.reader(files["-summary.csv"].open()))
    assert summary["total_leads_distributed"] == "3"
    assert summary["reason_not_distributed: capacity"] == "1"
    assert summary["run_id"] == "r" * 32 and summary["distribution_efficiency"] == "75.0"
    assignments = list(csv.DictReader(files["-assignments.csv"].open()))
    # CRM text a spreadsheet would run as a formula is quoted.
    assert assignments[2]["lead"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_of_owasp_is_neutralised(start: str) -> None:
    cell = f'{start}HYPERLINK("http://x")'
    assert safe_cells([cell, 7, "plain", ""]) == [f"'{cell}", 7, "plain", ""]


def test_html_is_one_file_with_charts_and_escaped_crm_text(tmp_path: Path) -> None:
    page = written(tmp_path, ["html"])[".html"].read_text()
    for section in ("overview", "filters", "salespeople", "leads", "strategy", "recommendations"):
        assert f'<section id="{section}">' in page
    for chart in ("chart-funnel", "chart-salespeople", "chart-sources", "chart-dates"):
        assert f'id="{chart}"' in page
    assert page.count("<svg") >= 4
    # Self-contained: nothing fetched, no script at all.
    assert "<script" not in page.replace("&lt;script", "")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<link" not in page
    # CRM text is escaped, never markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_masked_html_hides_lead_names() -> None:
    page = render_html(build_report(tiny_plan(), mask=True, generated_at=NOW))
    assert "John Smith" not in page and "J*** S***" in page and "personal data masked" in page


def test_the_html_page_lists_a_bounded_number_of_assignments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "HTML_ASSIGNMENTS", 2)
    page = render_html(build_report(tiny_plan(), generated_at=NOW))
    assert "The first 2 are listed here" in page
    assert '<td class="n">102</td>' in page and '<td class="n">103</td>' not in page
