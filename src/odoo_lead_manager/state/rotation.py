"""Where round robin's rotation stands for a campaign: the journal's table, else an old file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from odoo_lead_manager.domain.model import campaign_slug
from odoo_lead_manager.domain.rotation import Rotation, cycle_key
from odoo_lead_manager.errors import DataFileError, reading
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.settings import TrackingSettings

__all__ = ["current_rotation", "rotation_path"]


def rotation_path(settings: TrackingSettings, campaign: str | None) -> Path:
    """Where versions before the journal's rotation table kept a campaign's rotation."""
    return state_path(settings.state_dir, campaign)


def current_rotation(settings: TrackingSettings, journal: Journal, today: date) -> Rotation | None:
    """Where round robin's cycle of ``today`` stands for this configuration's campaign.

    The journal's database keeps it; a campaign it has never kept one for
    reads the file an older version left in ``execution.state_dir``, once:
    the next completed run keeps its rotation in the journal, and the file
    is not read again.
    """
    campaign = settings.campaign
    cycle = cycle_key(today, settings.cycle_reset)
    kept, rotation = journal.rotation(campaign or "", cycle)
    if kept:
        return rotation
    return load_rotation(rotation_path(settings, campaign), cycle)


def state_path(state_dir: Path, campaign: str | None) -> Path:
    """Where versions before the journal's rotation table kept a campaign's rotation."""
    return state_dir / f"round-robin-{campaign_slug(campaign)}.json"


def load_rotation(path: Path, cycle: str) -> Rotation | None:
    """The rotation in an older version's state file when it belongs to ``cycle``; None
    when there is none or its cycle ended."""
    if not path.exists():
        return None
    with reading(path, "round-robin state", DataFileError):
        text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
        rotation = Rotation(
            cycle=str(data["cycle"]),
            order=tuple(int(uid) for uid in data["order"]),
            next_user=None if data.get("next_user") is None else int(data["next_user"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DataFileError(
            f"{path}: not a round-robin state file ({exc}); delete it to start a new cycle"
        ) from None
    return rotation if rotation.cycle == cycle else None
