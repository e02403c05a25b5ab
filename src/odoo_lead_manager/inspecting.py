"""The commands that look back at decisions: `odlm replay`, `odlm explain`, `odlm compare`.

They read kept runs from the journal (`Journal.recorded`) and hand them to
the pure `replaying`, `explaining` and `comparing`; only `odlm explain`
without ``--run`` reads the CRM, to take today's snapshot as a dry run would.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import date

from odoo_lead_manager.comparing import Comparison, compare
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import CrmError, UserInputError
from odoo_lead_manager.explaining import Explanation, Today, changed_since, explain
from odoo_lead_manager.finding.finder import Fetched
from odoo_lead_manager.finding.reasons import NOT_FETCHED
from odoo_lead_manager.model import Lead
from odoo_lead_manager.plan import Plan
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
    """`odlm explain`: one lead in a kept run (``run_id``, else the latest that saw it), told
    against how the CRM holds it now; a lead no kept run saw (or with ``today``), as that
    day's dry run would decide it."""
    with _journal(loaded) as journal:
        recorded: Recorded | None = None
        if run_id is not None:
            recorded = _recorded(journal, run_id)
        elif today is None:  # --today asks for that day's dry run
            recorded = _latest_seeing(journal, target_campaign(loaded) or "", lead_id)
        applied = None
        if recorded is not None and not recorded.run.dry_run:
            applied = journal.outcomes(recorded.run.run_id)
    if recorded is None:
        found = _explain_today(loaded, lead_id, today)
        note = "no kept run saw this lead: explained as a dry run today would decide it"
        return replace(found, notes=(note, *found.notes))
    now, notes = _as_today(loaded, lead_id)
    found = explain(
        loaded, recorded.snapshot, recorded.plan, lead_id, recorded.run.dry_run, applied, now
    )
    if run_id is None:
        kind = "dry run" if recorded.run.dry_run else "run"
        notes = (f"the latest kept {kind} that saw this lead (odlm runs lists them)", *notes)
    then = recorded.snapshot.lead(lead_id)
    if then is not None and now is not None:
        left = _as_left(then, recorded.plan, (applied or {}).get(lead_id, ""))
        notes += changed_since(left, now.lead, recorded.plan, recorded.snapshot.fetched.unread)
    return replace(found, notes=(*found.notes, *notes))


def _as_left(lead: Lead, plan: Plan, outcome: str) -> Lead:
    """The lead as a real run left it: its copy, with the run's write where it was made."""
    if not outcome.startswith(("written", "already held")) or "given back" in outcome:
        return lead
    values = next((g.values for g in plan.writes if lead.id in g.lead_ids), {})
    known = {f.name for f in fields(Lead)}
    return replace(lead, **{k: v for k, v in values.items() if k in known})


# How many kept runs `odlm explain` without --run looks through, newest first: each is a
# snapshot to read (a lead no run saw reads them all before today's dry run explains it).
LOOK_BACK = 14


def _latest_seeing(journal: Journal, campaign: str, lead_id: int) -> Recorded | None:
    """The newest kept run of ``campaign`` that fetched ``lead_id`` or saw the CRM remove it
    (real runs before dry runs)."""
    kept = list(reversed(journal.recorded_runs(campaign)))[:LOOK_BACK]
    for run in sorted(kept, key=lambda r: r.dry_run):
        try:
            recorded = journal.recorded(run.run_id)
        except UserInputError:  # a kept run that cannot be read: `--run` names it
            continue
        if recorded is None:
            continue
        fetched = recorded.snapshot.fetched
        if recorded.snapshot.lead(lead_id) is not None or fetched.removed_by(lead_id):
            return recorded
    return None


def _as_today(loaded: LoadedConfig, lead_id: int) -> tuple[Today | None, tuple[str, ...]]:
    """The lead as the CRM holds it now; None, with a note, when the CRM cannot be asked."""
    # Imported here: a kept run is explained without the CRM's transports until asked.
    from odoo_lead_manager.crm.opening import open_store

    try:
        store = open_store(loaded)
        try:
            found = store.read_leads([lead_id])
        finally:
            store.close()
    except CrmError as exc:
        return None, (f"the CRM could not be asked how the lead is today: {exc.message}",)
    return Today(found[0] if found else None), ()


def _explain_today(loaded: LoadedConfig, lead_id: int, today: date | None) -> Explanation:
    """The lead in a dry run planned now (every lead of the window fetched, none pushed)."""
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
