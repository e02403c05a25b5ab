"""Putting a run on record in the history (spec §9.3): the glue between CRM and tracking.

The "after" counts of a real run are counted in the CRM once it has
written (one grouped count); a dry run's are projected from its plan. A
history that cannot be written is a warning, unless ``tracking.required``:
then a dry run stops with status 2 and a real run, whose leads are already
written, with status 1.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

from odoo_lead_manager.config.schema.selection import WorkloadCounting
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import ApplyResult
from odoo_lead_manager.errors import CrmError, RunStopped, UserInputError
from odoo_lead_manager.pipeline.workload import statuses_now
from odoo_lead_manager.state.database import TrackingUnavailable
from odoo_lead_manager.state.records import Outcome, StatusCounts, projected_after
from odoo_lead_manager.state.tracking import Tracking

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordSettings:
    """What putting a run on record needs: how workload is counted (the counts after the
    run), and whether a history that cannot be written stops it (``tracking.required``)."""

    counting: WorkloadCounting
    required: bool = False


def record_run(
    settings: RecordSettings,
    tracking: Tracking,
    plan: Plan,
    crm: CrmStore,
    result: ApplyResult | None,
    seconds: float,
) -> tuple[str, ...]:
    """Record ``plan`` as a dry run (``result`` None) or as applied; the notes to show."""
    history = tracking.history
    if history is None:
        return ()
    if result is None:
        outcome = Outcome(True, plan.handed_out, projected_after(plan), seconds, "dry_run")
    else:
        placed = tracking.journal.placed(plan.run_id)
        after, notes = _counted_after(plan, crm, settings, placed)
        outcome = Outcome(
            False,
            [a for a in plan.handed_out if a.lead_id in placed],
            after,
            seconds,
            "completed" if result.complete else "stopped",
        )
    try:
        history.record(plan, outcome)
    except TrackingUnavailable as exc:
        return _not_recorded(settings, exc, plan, dry_run=result is None)
    return () if result is None else notes


def record_undo(
    settings: RecordSettings, tracking: Tracking, plan: Plan, crm: CrmStore
) -> tuple[str, ...]:
    """Mark in the history the leads an undo gave back; the notes to show."""
    history = tracking.history
    if history is None:
        return ()
    restored = tracking.journal.placed(plan.run_id, "undo")
    remaining = set(tracking.journal.placed(plan.run_id)) - set(restored)
    after, notes = _counted_after(plan, crm, settings, remaining)
    try:
        history.record_undo(plan, restored, after)
    except TrackingUnavailable as exc:
        return _not_recorded(settings, exc, plan, dry_run=False)
    return notes


def _counted_after(
    plan: Plan, crm: CrmStore, settings: RecordSettings, placed: Collection[int]
) -> tuple[dict[int, StatusCounts], tuple[str, ...]]:
    """The counts in the CRM now; failing that, the plan's projection of the ``placed`` leads."""
    counting = settings.counting
    try:
        return dict(statuses_now(crm, plan.salespeople, counting)), ()
    except CrmError as exc:
        note = f"could not count the leads after the run ({exc.message}); history has projections"
        log.warning("%s", note)
        return projected_after(plan, placed), (note,)


def _not_recorded(
    settings: RecordSettings, error: TrackingUnavailable, plan: Plan, dry_run: bool
) -> tuple[str, ...]:
    if settings.required:
        if dry_run:
            raise UserInputError(
                f"{error.message}; tracking.required is true: the dry run could not be recorded"
            ) from None
        raise RunStopped(
            f"{error.message}; run {plan.run_id} wrote its leads but its history could not be "
            "recorded (tracking.required is true)"
        ) from None
    note = f"{error.message}; this run is not in the history"
    log.warning("%s", note)
    return (note,)
