"""What each salesperson received in earlier runs, read from the tracking history for the
caps (``distribution.caps``), ``consider_weekend_workload`` and the catch-up after an
absence (``salesperson_selection.availability.catch_up``)."""

from __future__ import annotations

from datetime import date, timedelta

from odoo_lead_manager.domain.ledger import Standing
from odoo_lead_manager.domain.received import Received, history_start
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state.history import History
from odoo_lead_manager.state.settings import TrackingSettings

__all__ = ["ledger_standing", "moved_elsewhere", "received_history"]


def received_history(
    settings: TrackingSettings, history: History | None, today: date
) -> Received | None:
    """The receipts the caps of ``today`` count; None when no setting needs them.

    Without a history to read (tracking fell back to the local journal) a run
    with caps would hand out leads it cannot bound, so it stops naming the key.
    """
    keys = settings.history_keys
    if not keys:
        return None
    if history is None:
        raise UserInputError(
            f"{keys[0]}: the tracking history is not available in this run (tracking fell back "
            "to the local journal), so what each salesperson received earlier cannot be "
            "counted; nothing was changed"
        )
    start = history_start(today, settings.counts_weekend)
    if settings.catch_up != "none":
        start = min(start, today - timedelta(days=settings.catch_up_days))
    return history.received(start, today)


def moved_elsewhere(
    settings: TrackingSettings, history: History | None, today: date
) -> tuple[int, ...]:
    """The leads other campaigns' real runs moved on ``today`` (none without a history)."""
    if history is None:
        return ()
    return history.moved_on(today, settings.campaign or "")


def ledger_standing(
    settings: TrackingSettings, history: History | None, today: date
) -> Standing | None:
    """The campaign's fairness ledger over its window (None: the ledger is off, or there is
    no tracking history to keep it in)."""
    if history is None or settings.fairness_window_days == 0:
        return None
    return history.standing(settings.campaign or "", today, settings.fairness_window_days)
