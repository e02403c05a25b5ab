"""CRM calls stand for speed: a run's calls grow with pages and batches, never with leads.

Runs the benchmark dataset (every filter enabled, 55 salespeople) at two
sizes through a store that counts every call, and checks the bound
docs/odoo.md states ("calls do not grow with the number of leads"): a dry run makes the same 14 calls whatever the number of
leads (selection 5, workload 4, Odoo's own assignment settings 1 (two calls
on Odoo: the sales teams and the scheduled action), one grouped count per
server-side rule 3, and one paged search, counted once); a real run adds one grouped count for
the history, two calls for the campaign's lease in the CRM when its run
journal is a local file (taken before planning, given back after the last
write), and, per batch of ``execution.batch_size`` leads with the same
values, a write and one read that confirms it and re-checks the next batch,
plus the first batch's re-check (the history's grouped
count is absent here: the benchmark configuration keeps no history, so its
journal is the local file and the lease is taken).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import apply_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
DRY_RUN_CALLS = 14


@pytest.fixture(scope="module")
def bench() -> Any:
    """The benchmark scripts' dataset generator and counting store."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import runs  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCHMARKS))
    return runs


@pytest.mark.parametrize("leads", [2_000, 8_000])
def test_calls_do_not_grow_with_leads(bench: Any, tmp_path: Path, leads: int) -> None:
    config = bench.generate(tmp_path / "data", leads, TODAY)
    loaded = load_config(config)
    with LocalStore.open(tmp_path / "data" / "crm.sqlite") as inner:
        store = bench.Counting(inner)
        dry = run_distribution(loaded, True, RunOptions(today=TODAY), store=store)  # type: ignore[arg-type]
        assert sum(store.calls.values()) == DRY_RUN_CALLS
        assert dry.plan.examined > leads * 0.8 and len(dry.plan.handed_out) > 0

        store.calls.clear()
        real = run_distribution(loaded, False, RunOptions(today=TODAY), store=store)  # type: ignore[arg-type]
    assert real.applied is not None and real.applied.complete
    size = apply_settings(loaded).batch_size
    batches = sum(math.ceil(len(group.lead_ids) / size) for group in real.plan.writes)
    assert store.calls["write_leads"] == batches
    # The first batch's re-check, then one read per batch: its read-back and the next
    # batch's re-check together.
    assert store.calls["read_values"] == batches + 1
    # The benchmark keeps no history; with tracking on, one grouped count more.
    history = 1 if loaded.config.tracking.enabled else 0
    # Its journal is a local file, so the run holds the campaign's lease in the CRM.
    assert store.calls["take_lease"] == store.calls["drop_lease"] == 1
    lease = 2
    assert sum(store.calls.values()) == DRY_RUN_CALLS + history + lease + 2 * batches + 1
