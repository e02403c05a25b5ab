"""The kept runs `odlm replay`, `odlm explain` and `odlm compare` read from the journal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.domain.runs import Recorded
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.tracking import open_journal


@contextmanager
def opened_journal(loaded: LoadedConfig) -> Iterator[Journal]:
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        yield journal
    finally:
        journal.close()


def kept_run(journal: Journal, run_id: str) -> Recorded:
    found = journal.recorded(run_id)
    if found is None:
        raise UserInputError(
            f"no kept snapshot for run {run_id!r} in {journal.where} (see `odlm runs`; "
            "runs before snapshots were kept, and runs past tracking.retention_days, have none)"
        )
    return found
