"""A run killed at any point: resumed or re-run, every planned lead ends assigned exactly once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.running import RunOutcome
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tracking import open_journal
from tests.apply.faults import Fault, FaultyStore, Killed
from tests.conftest import TODAY

REPO = Path(__file__).resolve().parents[2]
OPTIONS = RunOptions(today=TODAY, seed=7, max_leads=60)


def small_batches(directory: Path) -> LoadedConfig:
    config = directory / "config.yaml"
    config.write_text(config.read_text().replace("batch_size: 200", "batch_size: 20"))
    return load_config(config)


def run(loaded: LoadedConfig, store: FaultyStore, force: bool = False) -> RunOutcome:
    return run_distribution(loaded, dry_run=False, options=OPTIONS, store=store, force=force)


def assert_applied_once(loaded: LoadedConfig, written: list[int]) -> Plan:
    """The journal's one run is complete, the CRM holds it, and no lead was written twice."""
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        (record,) = journal.recent(10)
        plan = journal.plan(record.run_id)
    finally:
        journal.close()
    planned = sorted(lead_id for group in plan.writes for lead_id in group.lead_ids)
    assert record.status == "completed"
    assert record.written == len(planned) and record.skipped == record.failed == 0
    assert sorted(written) == planned
    with LocalStore.open(loaded.resolve_path("crm.sqlite")) as store:
        for group in plan.writes:
            for lead in store.read_leads(group.lead_ids):
                assert all(getattr(lead, f) == v for f, v in group.values.items())
    return plan


def store_calls(loaded: LoadedConfig) -> list[tuple[str, int]]:
    """Every CRM read and write of a clean run, in order of method and count."""
    with LocalStore.open(loaded.resolve_path("crm.sqlite")) as inner:
        counter = FaultyStore(inner)
        run(loaded, counter)
    return [(m, n) for m in ("read_values", "write_leads") for n in range(1, counter.calls[m] + 1)]


def test_a_kill_before_or_after_any_crm_call_resumes_to_the_same_end(
    demo_dir: Path, tmp_path: Path
) -> None:
    pristine = tmp_path / "pristine"
    shutil.copytree(demo_dir, pristine)
    calls = store_calls(small_batches(demo_dir))
    assert len([c for c in calls if c[0] == "write_leads"]) >= 3  # several batches
    for index, (method, number) in enumerate(calls):
        for when in ("before", "after"):
            directory = tmp_path / f"case-{index}-{when}"
            shutil.copytree(pristine, directory)
            loaded = small_batches(directory)
            with LocalStore.open(directory / "crm.sqlite") as inner:
                dying = FaultyStore(inner, [Fault(method, number, when, Killed())])
                with pytest.raises(Killed):
                    run(loaded, dying)
            with LocalStore.open(directory / "crm.sqlite") as inner:
                again = FaultyStore(inner)
                outcome = run(loaded, again)
            assert outcome.applied is not None and outcome.applied.complete
            assert_applied_once(loaded, dying.written + again.written)


KILLER = """
import sys
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.commands.dailydist import run_distribution
from tests.apply.faults import Fault, FaultyStore
from tests.apply.test_resume import OPTIONS

config, method, number, when, log = sys.argv[1:]
loaded = load_config(config)
store = FaultyStore(
    LocalStore.open(loaded.resolve_path("crm.sqlite")),
    [Fault(method, int(number), when)],
    log_path=log,
)
run_distribution(loaded, dry_run=False, options=OPTIONS, store=store)
"""


@pytest.mark.parametrize(
    ("method", "number", "when"),
    [
        ("write_leads", 2, "after"),  # inside a batch: written, not yet journalled
        ("read_values", 5, "before"),  # between batches
    ],
)
def test_kill_9_then_rerun(
    demo_dir: Path, tmp_path: Path, method: str, number: int, when: str
) -> None:
    loaded = small_batches(demo_dir)
    log = tmp_path / "written.log"
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(loaded.path), method, str(number), when, str(log)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    first = [int(line) for line in log.read_text().split()]
    assert first  # it had written something
    with LocalStore.open(demo_dir / "crm.sqlite") as inner:
        again = FaultyStore(inner)
        outcome = run(loaded, again)
    assert outcome.applied is not None and outcome.applied.resumed
    assert_applied_once(loaded, first + again.written)


def test_a_second_run_the_same_day_changes_nothing_unless_forced(demo_dir: Path) -> None:
    loaded = small_batches(demo_dir)
    with LocalStore.open(demo_dir / "crm.sqlite") as inner:
        first = FaultyStore(inner)
        done = run(loaded, first)
        second = FaultyStore(inner)
        again = run(loaded, second)
        assert second.calls["write_leads"] == 0 and again.applied is None
        assert "was distributed on 2024-06-14 already" in again.notes[0]
        assert again.plan.run_id == done.plan.run_id
        forced = run(loaded, FaultyStore(inner), force=True)
    assert forced.plan.run_id != done.plan.run_id
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        runs = journal.recent(10)
    finally:
        journal.close()
    assert [r.forced for r in runs] == [True, False]
    assert all(r.status == "completed" for r in runs)
