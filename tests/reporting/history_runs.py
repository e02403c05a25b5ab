"""A tracking history made by real runs through the command line, for the history pages' tests.

The demo, then real runs on four days in a row (the first capped by
``execution.max_leads_per_run``, so that leads are left undistributed for a
reason), one writing its own HTML report file, and a dry run on the last day.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from odoo_lead_manager.cli.main import main

FIRST = date(2024, 6, 10)
DAYS = [FIRST + timedelta(days=i) for i in range(4)]
LAST = DAYS[-1]
# Leads the first run may hand out: fewer than the demo has, so some are left.
CAP = 60
REPORTS = "reports"


def build_history(directory: Path) -> Path:
    """The demo in ``directory`` with its history; the configuration file's path."""
    assert main(["demo", "--dir", str(directory), "--today", str(FIRST)]) == 0
    config = directory / "config.yaml"
    base = config.read_text(encoding="utf-8")
    capped = base.replace("execution:\n", f"execution:\n  max_leads_per_run: {CAP}\n")
    assert capped != base
    config.write_text(capped, encoding="utf-8")
    common = ["--config", str(config), "--run-again"]
    assert main(["dailydist", *common, "--today", str(DAYS[0])]) == 0
    config.write_text(base, encoding="utf-8")
    assert main(["dailydist", *common, "--today", str(DAYS[1])]) == 0
    # This run writes its own report file too (reporting.report_location).
    own_report = ["--report-format", "html", "--report-location", str(directory / REPORTS)]
    assert main(["dailydist", *common, "--today", str(DAYS[2]), *own_report]) == 0
    assert main(["dailydist", *common, "--today", str(DAYS[3])]) == 0
    assert main(["dailydist", "--config", str(config), "--dry-run", "--today", str(LAST)]) == 0
    return config
