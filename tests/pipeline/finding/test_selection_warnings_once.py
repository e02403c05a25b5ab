"""Each selection warning is logged once per run, though selection runs twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.snapshot.options import RunOptions
from tests.pipeline.finding.test_r_parity import TODAY, messy, write_inputs


def test_each_selection_warning_is_logged_once_per_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Selection runs twice (for the fetch domain, then on the snapshot); a messy
    # campaign table's warnings are still said once each.
    case = messy(1, count=300)
    write_inputs(case, tmp_path)
    loaded = load_config(tmp_path / "config.yaml")
    with caplog.at_level("WARNING"):
        plan = run_distribution(loaded, dry_run=True, options=RunOptions(today=TODAY, seed=1)).plan
    near = [w for w in plan.warnings if "(case or blanks differ)" in w]
    assert near
    logged = Counter(r.getMessage() for r in caplog.records)
    assert all(logged[w] == 1 for w in near), {w: logged[w] for w in near}
