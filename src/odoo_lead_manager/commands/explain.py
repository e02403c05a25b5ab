"""`odlm explain LEAD_ID`: every decision a run made about one lead, told against the CRM today."""

from __future__ import annotations

import argparse
import json
from dataclasses import fields, replace
from datetime import date

from odoo_lead_manager.commands.kept_runs import kept_run, opened_journal
from odoo_lead_manager.commands.resolve import (
    crm_settings,
    plan_settings,
    read_settings,
    tracking_settings,
)
from odoo_lead_manager.commands.session import EXIT_OK, configure_logging, load
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.crm.opening import open_store
from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.reasons import NOT_FETCHED
from odoo_lead_manager.domain.runs import Recorded
from odoo_lead_manager.errors import CrmError, UserInputError
from odoo_lead_manager.pipeline.inspect.explain import Explanation, Today, changed_since, explain
from odoo_lead_manager.pipeline.planning import choose_seed, plan_snapshot
from odoo_lead_manager.snapshot.fetch import take_snapshot
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.received import moved_elsewhere, received_history
from odoo_lead_manager.state.rotation import current_rotation
from odoo_lead_manager.state.tracking import open_tracking


def run(args: argparse.Namespace) -> int:
    """`odlm explain LEAD_ID`: each rule the lead met, the strategy's decision, the write."""
    if args.run is not None and args.today is not None:
        raise UserInputError(
            "--today plans that day's dry run; --run explains a recorded run: give one of them"
        )
    loaded = load(args.config)
    configure_logging("ERROR", loaded)
    found = explain_lead(loaded, args.lead_id, args.run, args.today)
    if args.format == "json":
        data = {
            "lead_id": found.lead_id,
            "run_id": found.run_id,
            "dry_run": found.dry_run,
            "fetched": found.fetched,
            "steps": [
                {"rule": s.rule, "code": s.code, "passed": s.passed, "why": s.why}
                for s in found.steps
            ],
            "code": found.code,
            "outcome": found.outcome,
            "written": found.written,
            "notes": list(found.notes),
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print("\n".join(found.lines()))
    return EXIT_OK


def explain_lead(
    loaded: LoadedConfig, lead_id: int, run_id: str | None = None, today: date | None = None
) -> Explanation:
    """`odlm explain`: one lead in a kept run (``run_id``, else the latest that saw it), told
    against how the CRM holds it now; a lead no kept run saw (or with ``today``), as that
    day's dry run would decide it."""
    with opened_journal(loaded) as journal:
        recorded: Recorded | None = None
        if run_id is not None:
            recorded = kept_run(journal, run_id)
        elif today is None:  # --today asks for that day's dry run
            recorded = _latest_seeing(journal, loaded.config.target_campaign or "", lead_id)
        applied = None
        if recorded is not None and not recorded.run.dry_run:
            applied = journal.outcomes(recorded.run.run_id)
    if recorded is None:
        found = _explain_today(loaded, lead_id, today)
        note = "no kept run saw this lead: explained as a dry run today would decide it"
        return replace(found, notes=(note, *found.notes))
    now, notes = _as_today(loaded, lead_id)
    found = explain(
        plan_settings(loaded),
        recorded.snapshot,
        recorded.plan,
        lead_id,
        recorded.run.dry_run,
        applied,
        now,
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
    # The latest by the day it ran as, then by when: runs of several days (a catch-up, a
    # replay of missed days) may be taken within the same second.
    newest = sorted(journal.recorded_runs(campaign), key=lambda r: (r.run_date, r.taken_at))
    kept = list(reversed(newest))[:LOOK_BACK]
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
    try:
        store = open_store(crm_settings(loaded))
        try:
            found = store.read_leads([lead_id])
        finally:
            store.close()
    except CrmError as exc:
        return None, (f"the CRM could not be asked how the lead is today: {exc.message}",)
    return Today(found[0] if found else None), ()


def _explain_today(loaded: LoadedConfig, lead_id: int, today: date | None) -> Explanation:
    """The lead in a dry run planned now (every lead of the window fetched, none pushed)."""
    options = RunOptions(today=today, ledger=True)
    settings = plan_settings(loaded)
    day = today or date.today()
    kept = tracking_settings(loaded)
    tracking = open_tracking(kept)
    try:
        rotation = current_rotation(kept, tracking.journal, day)
        received = received_history(kept, tracking.history, day)
        moved = moved_elsewhere(kept, tracking.history, day)
    finally:
        tracking.close()
    store = open_store(crm_settings(loaded))
    try:
        snapshot = take_snapshot(
            settings, read_settings(loaded), store, options, rotation, received, moved
        )
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
        settings, snapshot, choose_seed(settings, options.seed, snapshot.today), ledger=True
    ).plan
    return explain(settings, snapshot, plan, lead_id, dry_run=True)
