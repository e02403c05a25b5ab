"""What the snapshot reads besides the CRM, resolved once by the command
(`commands.resolve.read_settings`): where the configuration's files are, the database its
tables live in, how many leads a page holds, and whether personal data is masked."""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.config.schema.connections import DatabaseConnection
from odoo_lead_manager.config.source import ConfigSource


@dataclass(frozen=True)
class ReadSettings:
    source: ConfigSource
    database: DatabaseConnection | None = None
    # ``crm.page_size``: leads per page fetched.
    page_size: int = 1000
    # ``salesperson_selection.availability.absences_file`` (as written in the file).
    absences_file: str | None = None
    # ``security.mask_personal_data``: the snapshot is kept masked.
    mask_personal_data: bool = False
