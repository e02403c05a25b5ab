"""One fairness vocabulary: each measure has one name and one formula, and a run's figure
is the same in every output — the run's terminal output and report, `odlm report`, the
history site, `odlm compare` — and in the documentation's table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.compare import compare_runs
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.domain.fairness import MEASURES, UTILISATION_STDEV, gini, measure_balance
from odoo_lead_manager.state.tracking import open_journal

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reports.md"
# Names the measures went by before they had one each.
RETIRED = ("spread", "utilization_stdev", "max-min", "max\u2212min")


def found(data: Any, key: str) -> list[Any]:
    """Every value of ``key`` anywhere in a JSON document."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == key] + [
            x for v in data.values() for x in found(v, key)
        ]
    if isinstance(data, list):
        return [x for v in data for x in found(v, key)]
    return []


def test_the_documentation_lists_each_measure_with_its_formula() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for measure in MEASURES:
        assert f"| {measure.name} | `{measure.key}` |" in text
        assert measure.formula in text


def test_one_run_has_one_utilisation_std_dev_everywhere(
    todays_demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    reports = tmp_path / "reports"
    assert main(["dailydist", "--config", config, "--report-format", "json",
                 "--report-location", str(reports)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    loaded = load_config(Path(config))
    journal, _ = open_journal(tracking_settings(loaded))
    (run,) = journal.recent(1)
    plan = journal.plan(run.run_id)
    journal.close()
    figure = plan.balance.utilisation_stdev
    assert figure is not None
    shown = round(figure, 2)
    # The terminal: the strategy details and the recommendation, one name, one value.
    said = " ".join(out.split())
    assert said.count(UTILISATION_STDEV.shown(figure)) == 2
    # The report file.
    (report,) = reports.glob("*.json")
    assert found(json.loads(report.read_text()), "utilisation_stdev") == [shown]
    # `odlm report daily` and `trends`, from the history.
    assert main(["report", "daily", "--config", config, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["utilisation_stdev"] == shown
    assert main(["report", "trends", "--config", config, "--format", "json"]) == 0
    trends = json.loads(capsys.readouterr().out)
    (points,) = [c["points"] for c in trends["campaigns"].values()]
    assert points[-1]["utilisation_stdev"] == shown
    # `odlm compare` of the run under its own configuration.
    comparison = compare_runs([("a", loaded), ("b", loaded)])
    assert comparison.days[-1].figures[0].utilisation_stdev == shown
    assert comparison.days[-1].figures[0].received_range == plan.balance.received_range
    assert comparison.days[-1].figures[0].received_gini == round(plan.balance.received_gini, 4)
    # The history site names it the same, and no output uses a retired name.
    site = tmp_path / "site"
    assert main(["report", "site", str(site), "--config", config]) == 0
    capsys.readouterr()
    index = (site / "trends.html").read_text(encoding="utf-8")
    assert "Utilisation std dev" in index
    for text in (out, report.read_text(), json.dumps(trends), index):
        lowered = text.lower()
        assert not [word for word in RETIRED if re.search(rf"\b{word}\b", lowered)]


def test_the_measures_formulas() -> None:
    balance = measure_balance([(300, 50, 400), (350, 40, 350), (100, 10, None)])
    # Utilisation 75 % and 100 % among those with a target: std dev 12.5 points.
    assert balance.utilisation_stdev == pytest.approx(12.5)
    assert balance.received_range == 40
    assert balance.received_gini == pytest.approx(gini([50, 40, 10]))
    assert gini([5, 5, 5]) == 0.0 and gini([0, 0, 9]) == pytest.approx(2 / 3)
    assert balance.goal_sentence() == (
        "utilisation std dev 12.5 points (above the goal: under 10 points)"
    )
