"""What each salesperson received in earlier runs, read from the tracking history for the
caps (``distribution.caps``) and ``consider_weekend_workload``."""

from __future__ import annotations

from datetime import date

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.strategies.caps import Received, history_start
from odoo_lead_manager.tracking.history import History

__all__ = ["received_history"]


def received_history(loaded: LoadedConfig, history: History | None, today: date) -> Received | None:
    """The receipts the caps of ``today`` count; None when no setting needs them.

    Without a history to read (tracking fell back to the local journal) a run
    with caps would hand out leads it cannot bound, so it stops naming the key.
    """
    distribution = loaded.config.distribution
    keys = distribution.history_keys
    if not keys:
        return None
    if history is None:
        raise UserInputError(
            f"{keys[0]}: the tracking history is not available in this run (tracking fell back "
            "to the local journal), so what each salesperson received earlier cannot be "
            "counted; nothing was changed"
        )
    return history.received(history_start(today, distribution.counts_weekend), today)
