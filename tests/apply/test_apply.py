"""Applying a plan: grouped batches, re-checks, retries, refused leads, thresholds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from odoo_lead_manager.apply.writer import ApplySettings, apply_plan, planned_batches
from odoo_lead_manager.commands.resolve import apply_settings, tracking_settings
from odoo_lead_manager.commands.running import build_plan
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.crm.store import LeadValues
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.errors import ConfigError, CrmError, CrmUnavailable, RunStopped
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.database import TrackingUnavailable
from odoo_lead_manager.state.tracking import Journal, open_journal
from tests.apply.faults import Fault, FaultyStore
from tests.conftest import TODAY


def no_wait(_seconds: float) -> None:
    return None


def settings(**changes: object) -> ApplySettings:
    values: dict[str, object] = {"batch_size": 25, "retry_delay_seconds": 0.5, "sleep": no_wait}
    values.update(changes)
    return ApplySettings(**values)  # type: ignore[arg-type]


def holds_plan(store: LocalStore, plan: Plan) -> bool:
    for group in plan.writes:
        for lead in store.read_leads(group.lead_ids):
            if any(getattr(lead, f) != v for f, v in group.values.items()):
                return False
    return True


def test_one_write_per_batch_of_identical_values(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    recorder = FaultyStore(store)
    result = apply_plan(plan, recorder, journal, settings())
    batches = sum(math.ceil(len(g.lead_ids) / 25) for g in plan.writes)
    assert result.write_calls == recorder.calls["write_leads"] == batches
    # One read to re-check the first batch; then each batch's read-back, confirming its
    # write, also re-checks the next batch (one call for both).
    assert recorder.calls["read_values"] == batches + 1
    assert result.written == len(plan.assignments) and result.complete
    assert sorted(recorder.written) == sorted(a.lead_id for a in plan.assignments)
    assert holds_plan(store, plan)
    assert journal.run(plan.run_id).status == "completed"  # type: ignore[union-attr]


def test_the_journal_holds_each_written_leads_previous_state(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    ids = [a.lead_id for a in plan.assignments]
    before = store.read_values(ids, ["user_id", "open_user_id", "closer_id", "team_id", "status"])
    apply_plan(plan, store, journal, settings())
    recorded = {i: p for b in journal.batches(plan.run_id, "apply") for i, p in b.previous.items()}
    assert recorded.keys() == set(ids)
    for lead_id, previous in recorded.items():
        assert previous == {name: before[lead_id][name] for name in previous}


def test_a_save_rewrites_previous_states_only_when_a_lead_gained_one(
    plan: Plan, journal: Journal
) -> None:
    batches = planned_batches(plan, 25)
    journal.begin(plan, False, batches)
    batch = batches[0]
    first, second = batch.lead_ids[:2]

    def on_record() -> dict[int, dict[str, object]]:
        return journal.batches(plan.run_id, "apply")[0].previous

    batch.previous[first] = {"user_id": 7}
    journal.save(plan.run_id, batch)
    batch.written[first] = "2026-01-01 00:00:00"
    journal.save(plan.run_id, batch)  # the outcome alone
    assert on_record() == {first: {"user_id": 7}}
    assert journal.batches(plan.run_id, "apply")[0].written == {first: "2026-01-01 00:00:00"}
    batch.previous[second] = {"user_id": 8}  # a later attempt
    journal.save(plan.run_id, batch)
    assert on_record() == {first: {"user_id": 7}, second: {"user_id": 8}}
    resumed = journal.batches(plan.run_id, "apply")[0]
    resumed.previous[batch.lead_ids[2]] = {"user_id": 9}  # after a restart
    journal.save(plan.run_id, resumed)
    assert len(on_record()) == 3


def test_the_written_fields_follow_the_configuration(demo_dir: Path, store: LocalStore) -> None:
    config = demo_dir / "config.yaml"
    text = config.read_text()
    text = text.replace(
        "owner_fields: [user_id, open_user_id, closer_id]", "owner_fields: [user_id]"
    )
    text = text.replace('status_reset: "New"', "status_reset: null")
    config.write_text(text)
    loaded = load_config(config)
    plan = build_plan(loaded, store, RunOptions(today=TODAY, seed=3))
    # The team is the salesperson's (team_assignment: Voice); the status stays.
    assert {tuple(sorted(g.values)) for g in plan.writes} == {("team_id", "user_id")}
    before = {lead.id: lead for lead in store.read_leads([a.lead_id for a in plan.assignments])}
    journal, _ = open_journal(tracking_settings(loaded))
    apply_plan(plan, store, journal, settings())
    for lead in store.read_leads(list(before)):
        old = before[lead.id]
        assert (lead.status, lead.open_user_id, lead.closer_id) == (
            old.status, old.open_user_id, old.closer_id,
        )  # fmt: skip


def test_leads_changed_since_planning_are_left_alone_and_reported(
    plan: Plan, store: LocalStore, journal: Journal, demo_dir: Path
) -> None:
    first, second, third = (a.lead_id for a in plan.assignments[:3])
    store.write_leads([first], {"user_id": 1})  # reassigned by hand
    with LocalStore.open(demo_dir / "crm.sqlite") as other:
        # Another field changed: only the write date tells.
        other._db.execute(
            "UPDATE crm_lead SET write_date = '2099-01-01 00:00:00' WHERE id = ?", (second,)
        )
        other._db.execute("DELETE FROM crm_lead WHERE id = ?", (third,))
        other._db.commit()
    result = apply_plan(plan, store, journal, settings())
    assert result.skipped[first] == (
        f"left alone: user_id is now user 1, not {plan.user_label(plan.seen_owners[first])} "
        "as planned"
    )
    assert result.skipped[second].startswith("left alone: modified at 2099-01-01 00:00:00")
    assert result.skipped[third] == "no longer in the CRM"
    assert result.written == len(plan.assignments) - 3
    assert store.read_leads([first])[0].user_id == 1
    assert journal.run(plan.run_id).skipped == 3  # type: ignore[union-attr]


def test_a_refused_lead_is_isolated_and_the_rest_written(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    bad = plan.writes[0].lead_ids[7]
    recorder = FaultyStore(store, refuse={bad})
    result = apply_plan(plan, recorder, journal, settings())
    assert list(result.failed) == [bad]
    assert "ValidationError" in result.failed[bad]
    assert result.written == len(plan.assignments) - 1 and result.complete
    # Halving a refused batch of 25 down to the one lead costs a few calls, not 25.
    batches = sum(math.ceil(len(g.lead_ids) / 25) for g in plan.writes)
    assert recorder.calls["write_leads"] <= batches + 2 * math.ceil(math.log2(25))


def test_too_many_failures_stop_the_run(plan: Plan, store: LocalStore, journal: Journal) -> None:
    refused = set(plan.writes[0].lead_ids[:4])
    result = apply_plan(plan, FaultyStore(store, refuse=refused), journal, settings(max_failed=3))
    assert not result.complete and result.stopped is not None
    assert "4 assignments failed, more than" in result.stopped
    assert "max_failed_assignments (3)" in result.stopped
    # The first batch held the failures; nothing after it was written.
    assert result.written == min(25, len(plan.writes[0].lead_ids)) - 4
    record = journal.run(plan.run_id)
    assert record is not None and record.status == "stopped" and record.message == result.stopped


def test_transient_failures_are_retried_after_the_delay(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    waits: list[float] = []
    flaky = FaultyStore(
        store,
        [
            Fault("write_leads", 1, "before", CrmUnavailable("cannot reach Odoo: timed out")),
            # The answer to the third write is lost although the write went through.
            Fault("write_leads", 3, "after", CrmUnavailable("connection reset")),
        ],
    )
    result = apply_plan(plan, flaky, journal, settings(sleep=waits.append, max_connection_errors=5))
    assert waits == [0.5, 0.5]
    assert result.complete and result.written == len(plan.assignments)
    assert sorted(flaky.written) == sorted(a.lead_id for a in plan.assignments)  # none twice
    assert holds_plan(store, plan)


def test_retries_run_out_then_the_same_plan_finishes_later(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    down = CrmUnavailable("cannot reach Odoo at https://crm.example.com: connection refused")
    faults = [Fault("read_values", n, "before", down) for n in range(3, 10)]
    result = apply_plan(plan, FaultyStore(store, faults), journal, settings(retries=2))
    assert result.stopped == f"{down.message} (after 3 attempt(s))"
    assert 0 < result.written < len(plan.assignments)
    assert journal.run(plan.run_id).status == "stopped"  # type: ignore[union-attr]

    finished = apply_plan(plan, FaultyStore(store), journal, settings())
    assert finished.resumed and finished.complete
    assert finished.written == len(plan.assignments)
    assert holds_plan(store, plan)


def test_connection_errors_beyond_the_threshold_stop_the_run(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    faults = [Fault("write_leads", n, "before", CrmUnavailable("busy")) for n in (1, 2, 3)]
    result = apply_plan(
        plan, FaultyStore(store, faults), journal, settings(max_connection_errors=2)
    )
    assert result.stopped is not None and "3 connection errors, more than" in result.stopped
    assert result.written == 0


def test_a_journal_failure_mid_run_stops_it_naming_the_journal(
    plan: Plan, store: LocalStore, journal: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = 0
    save = journal.save

    def failing_save(run_id: str, batch: object) -> None:
        nonlocal saves
        saves += 1
        if saves == 3:
            raise TrackingUnavailable("run journal: database postgresql://odlm@db/odlm: gone")
        save(run_id, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(journal, "save", failing_save)
    with pytest.raises(RunStopped) as stopped:
        apply_plan(plan, store, journal, settings())
    assert "gone; the run stopped at batch 2 of" in stopped.value.message
    assert "run the same command again" in stopped.value.message


def test_retry_settings_come_from_both_sections(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    base = config.read_text()

    def load(extra: str) -> LoadedConfig:
        config.write_text(base + extra)
        return load_config(config)

    assert apply_settings(load("")).retries == 3
    handling = "error_handling:\n  max_retries: 5\n  retry_delay_seconds: 2\n"
    got = apply_settings(load(handling))
    assert (got.retries, got.retry_delay_seconds, got.batch_size) == (5, 2, 200)
    off = "error_handling:\n  retry_failed_assignments: false\n"
    assert apply_settings(load(off)).retries == 0
    both = base.replace("  batch_size: 200\n", "  batch_size: 200\n  max_retries: 2\n")
    config.write_text(both + handling)
    with pytest.raises(ConfigError, match=r"execution.max_retries \(2\) and error_handling"):
        apply_settings(load_config(config))


def test_unwritable_values_are_refused_before_anything_is_written(plan: Plan) -> None:
    broken = Plan(**{**plan.__dict__, "writes": (plan.writes[0].__class__((1,), {"name": "x"}),)})
    with pytest.raises(Exception, match="cannot write lead field"):
        planned_batches(broken, 10)


def test_a_refused_read_mid_run_stops_it_honestly(
    plan: Plan, store: LocalStore, journal: Journal
) -> None:
    denied = CrmError("Odoo refused crm.lead.search_read: AccessError: not allowed")
    result = apply_plan(
        plan, FaultyStore(store, [Fault("read_values", 3, "before", denied)]), journal, settings()
    )
    assert result.stopped == denied.message and result.written == 25
    assert journal.run(plan.run_id).status == "stopped"  # type: ignore[union-attr]


class ChangesAfterFirstWrite(FaultyStore):
    """The CRM as another user changes it while the run writes: right after the first
    write, one lead of a later batch is reassigned by hand."""

    def __init__(self, inner: LocalStore, lead_id: int, path: Path) -> None:
        super().__init__(inner)
        self.lead_id, self.path = lead_id, path

    def write_leads(self, ids: Sequence[int], values: LeadValues) -> None:
        super().write_leads(ids, values)
        if self.calls["write_leads"] == 1:
            with LocalStore.open(self.path) as other:
                other.write_leads([self.lead_id], {"user_id": 1})


def test_a_lead_changed_while_earlier_batches_are_written_is_left_alone(
    plan: Plan, store: LocalStore, journal: Journal, demo_dir: Path
) -> None:
    batches = planned_batches(plan, settings().batch_size)
    assert len(batches) > 2
    # A lead of the last batch: re-checked by the read that confirms the batch before it.
    target = batches[-1].lead_ids[0]
    changing = ChangesAfterFirstWrite(store, target, demo_dir / "crm.sqlite")
    result = apply_plan(plan, changing, journal, settings())
    assert result.skipped == {
        target: f"left alone: user_id is now user 1, not {plan.user_label(plan.seen_owners[target])} "
        "as planned"
    }
    assert store.read_leads([target])[0].user_id == 1
    assert result.written == len(plan.assignments) - 1
    # The first batch's re-check, then one read per batch that wrote something.
    wrote = sum(1 for b in batches if set(b.lead_ids) != {target})
    assert changing.calls["read_values"] == 1 + wrote
