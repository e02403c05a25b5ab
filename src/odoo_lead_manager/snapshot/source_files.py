"""The files a salesperson source names, read when the snapshot is taken: the campaign
table as CSV and the legacy salespeople file."""

from __future__ import annotations

from pathlib import Path

from odoo_lead_manager.domain.candidates import CampaignRow
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.ops.limits import MAX_DATA_FILE_BYTES, read_bounded
from odoo_lead_manager.pipeline.selection.rows import Columns, parse_legacy_line
from odoo_lead_manager.snapshot.csv_file import csv_records


def read_campaign_csv(
    path: Path,
    salesperson_column: str = "salesperson_name",
    campaign_column: str = "campaign_name",
    active_column: str | None = "active",
) -> list[CampaignRow]:
    """Read the campaign table from CSV (§5.2), naming the file and line of any bad row."""
    text = read_bounded(path, "campaign table", MAX_DATA_FILE_BYTES, DataFileError, "utf-8-sig")
    header, records = csv_records(path, text)
    missing = [c for c in (salesperson_column, campaign_column) if c not in header]
    if missing:
        raise DataFileError(
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header) or 'no header'})"
        )
    columns = Columns(
        salesperson_column,
        campaign_column,
        active_column if active_column in header else None,
    )
    return [
        columns.row(record, str(path), line)
        for line, record in records
        if any(value.strip() for value in record.values())
    ]


def read_legacy_file(path: Path, campaign: str) -> list[CampaignRow]:
    """The legacy salespeople file (§5.3): one entry per line, ``#`` comments, blank lines."""
    text = read_bounded(path, "salespeople file", MAX_DATA_FILE_BYTES, DataFileError, "utf-8-sig")
    lines = text.splitlines()
    return [
        parse_legacy_line(text, campaign, str(path), number)
        for number, text in enumerate(lines, start=1)
        if text.strip() and not text.lstrip().startswith("#")
    ]
