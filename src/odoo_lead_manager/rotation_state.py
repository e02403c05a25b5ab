"""Where round robin's rotation stands for a campaign: the journal's table, else an old file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.planning import rotation_cycle
from odoo_lead_manager.selection import target_campaign
from odoo_lead_manager.strategies.round_robin import Rotation, load_rotation, state_path
from odoo_lead_manager.tracking.journal import Journal

__all__ = ["current_rotation", "rotation_path"]


def rotation_path(loaded: LoadedConfig, campaign: str | None) -> Path:
    """Where versions before the journal's rotation table kept a campaign's rotation."""
    return state_path(loaded.resolve_path(loaded.config.execution.state_dir), campaign)


def current_rotation(loaded: LoadedConfig, journal: Journal, today: date) -> Rotation | None:
    """Where round robin's cycle of ``today`` stands for this configuration's campaign.

    The journal's database keeps it; a campaign it has never kept one for
    reads the file an older version left in ``execution.state_dir``, once:
    the next completed run keeps its rotation in the journal, and the file
    is not read again.
    """
    campaign = target_campaign(loaded)
    cycle = rotation_cycle(loaded, today)
    kept, rotation = journal.rotation(campaign or "", cycle)
    if kept:
        return rotation
    return load_rotation(rotation_path(loaded, campaign), cycle)
