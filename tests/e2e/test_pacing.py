"""Runs collect garbage at a slower pace while they work, and put the default back after."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.undo import undo
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.ops.pacing import BULK_THRESHOLDS, bulk_objects
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY


class Watching:
    """Passes every call to a store and notes the collector's thresholds at each."""

    def __init__(self, inner: LocalStore) -> None:
        self.inner = inner
        self.seen: set[tuple[int, int, int]] = set()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def watched(*args: Any, **kwargs: Any) -> Any:
            self.seen.add(gc.get_threshold())
            return attribute(*args, **kwargs)

        return watched


def test_the_pace_is_slower_inside_and_restored_after_a_failure() -> None:
    before = gc.get_threshold()
    assert before != BULK_THRESHOLDS
    with pytest.raises(RuntimeError), bulk_objects():
        assert gc.get_threshold() == BULK_THRESHOLDS
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == before


def test_dry_runs_real_runs_and_undo_work_at_the_slower_pace(demo_dir: Path) -> None:
    before = gc.get_threshold()
    loaded = load_config(demo_dir / "config.yaml")
    with LocalStore.open(demo_dir / "crm.sqlite") as inner:
        store = Watching(inner)
        run_distribution(loaded, True, RunOptions(today=TODAY), store=store)  # type: ignore[arg-type]
        real = run_distribution(loaded, False, RunOptions(today=TODAY), store=store)  # type: ignore[arg-type]
        assert gc.get_threshold() == before
        undo(loaded, real.plan.run_id, store=store)  # type: ignore[arg-type]
    assert store.seen == {BULK_THRESHOLDS}
    assert gc.get_threshold() == before
