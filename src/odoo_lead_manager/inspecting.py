"""The commands that look back at decisions: `odlm replay`, `odlm explain`, `odlm compare`.

They read kept runs from the journal (`Journal.recorded`) and hand them to
the pure `replaying`, `explaining` and `comparing`; only `odlm explain`
without ``--run`` reads the CRM, to take today's snapshot as a dry run would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

from odoo_lead_manager.comparing import Comparison, compare
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.explaining import Explanation, explain
from odoo_lead_manager.finding.finder import Fetched
from odoo_lead_manager.finding.reasons import NOT_FETCHED
from odoo_lead_manager.planning import RunOptions, choose_seed, plan_snapshot
from odoo_lead_manager.replaying import Replay, replay
from odoo_lead_manager.selection import target_campaign
from odoo_lead_manager.tracking import open_journal, open_tracking
from odoo_lead_manager.tracking.journal import Journal, Recorded, RecordedRun


@contextmanager
def _journal(loaded: LoadedConfig) -> Iterator[Journal]:
    journal, _ = open_journal(loaded)
    try:
        yield journal
    finally:
        journal.close()


def _recorded(journal: Journal, run_id: str) -> Recorded:
    found = journal.recorded(run_id)
    if found is None:
        raise UserInputError(
            f"no kept snapshot for run {run_id!r} in {journal.where} (see `odlm runs`; "
            "runs before snapshots were kept, and runs past tracking.retention_days, have none)"
        )
    return found


def replay_run(loaded: LoadedConfig, run_id: str, seed: int | None = None) -> Replay:
    """`odlm replay`: the kept run planned again under ``loaded``."""
    with _journal(loaded) as journal:
        recorded = _recorded(journal, run_id)
        applied = None if recorded.run.dry_run else journal.outcomes(recorded.run.run_id)
    return replay(loaded, recorded, seed, applied)


def explain_lead(
    loaded: LoadedConfig, lead_id: int, run_id: str | None = None, today: date | None = None
) -> Explanation:
    """`odlm explain`: one lead in a kept run, or (without ``run_id``) in today's dry run."""
    if run_id is not None:
        with _journal(loaded) as journal:
            recorded = _recorded(journal, run_id)
            applied = None if recorded.run.dry_run else journal.outcomes(recorded.run.run_id)
        return explain(
            loaded, recorded.snapshot, recorded.plan, lead_id, recorded.run.dry_run, applied
        )
    # Imported here: a kept run is explained without the CRM and its transports.
    from odoo_lead_manager.crm.opening import open_store
    from odoo_lead_manager.fetching import take_snapshot
    from odoo_lead_manager.received_state import moved_elsewhere, received_history
    from odoo_lead_manager.rotation_state import current_rotation

    options = RunOptions(today=today, ledger=True)
    day = today or date.today()
    tracking = open_tracking(loaded)
    try:
        rotation = current_rotation(loaded, tracking.journal, day)
        received = received_history(loaded, tracking.history, day)
        moved = moved_elsewhere(loaded, tracking.history, day)
    finally:
        tracking.close()
    store = open_store(loaded)
    try:
        snapshot = take_snapshot(loaded, store, options, rotation, received, moved)
        if snapshot.lead(lead_id) is None:
            # Outside the window (nothing else is filtered by the CRM here): read it alone,
            # so that the window's rule says why.
            extra = store.read_leads([lead_id])
            if not extra:
                raise UserInputError(f"lead {lead_id}: no such lead in the CRM")
            lead = extra[0]
            if not lead.active or lead.type not in loaded.config.crm.lead_types:
                what = "archived" if not lead.active else f"of type {lead.type}"
                types = ", ".join(loaded.config.crm.lead_types)
                outcome = (
                    f"the lead is {what}: odlm distributes only active records of type "
                    f"{types} (crm.lead_types), so no rule was met"
                )
                return Explanation(
                    lead_id, snapshot.snapshot_id, True, (), NOT_FETCHED, outcome, fetched=False
                )
            fetched = snapshot.fetched
            snapshot = replace(snapshot, fetched=Fetched((*fetched.leads, lead), fetched.domain))
    finally:
        store.close()
    plan = plan_snapshot(
        loaded, snapshot, choose_seed(loaded, options, snapshot.today), ledger=True
    ).plan
    return explain(loaded, snapshot, plan, lead_id, dry_run=True)


def compare_runs(
    configs: Sequence[tuple[str, LoadedConfig]],
    run_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Comparison:
    """`odlm compare`: kept runs (from the first configuration's journal) under each one."""
    first = configs[0][1]
    campaign = target_campaign(first) or ""
    with _journal(first) as journal:
        if run_id is not None:
            runs = [_recorded(journal, run_id)]
        else:
            listed = journal.recorded_runs(campaign, since, until)
            runs = [_recorded(journal, r.run_id) for r in _last_per_day(listed)]
    if not runs:
        span = f"{since or '...'}..{until or '...'}"
        raise UserInputError(
            f"no kept snapshots of campaign {campaign or '(any)'} in {span} "
            "(dry runs and real runs keep one; see `odlm runs`)"
        )
    return compare(configs, runs)


def _last_per_day(runs: Sequence[RecordedRun]) -> list[RecordedRun]:
    """The latest kept run of each day: a day planned twice counts once."""
    latest = {run.run_date: run for run in runs}
    return [latest[day] for day in sorted(latest)]
