"""The campaign table read from a database (§5.2), through SQLAlchemy.

The table is reflected (so a missing table or column is named before any
query) and read with a SELECT built from `Table` objects: the configured
names are checked as plain identifiers and quoted by SQLAlchemy; no SQL
text is ever assembled from configuration values.
"""

from __future__ import annotations

from sqlalchemy import Engine

from odoo_lead_manager.domain.candidates import CampaignRow
from odoo_lead_manager.pipeline.selection.rows import Columns
from odoo_lead_manager.state.engines import check_identifier, read_table

# Optional columns of §5.2, read when the table has them.
OPTIONAL = ("team", "level", "target_leads", "salesperson_id", "skills", "region", "timezone")


def read_campaign_table(
    engine: Engine,
    table_name: str,
    salesperson_column: str = "salesperson_name",
    campaign_column: str = "campaign_name",
    active_column: str | None = "active",
    key: str = "salesperson_selection.source_config.campaign_table",
) -> list[CampaignRow]:
    """Every row of the campaign table, in primary-key (or table) order."""
    check_identifier(table_name, f"{key}.table_name", qualified=True)
    for column, name in (
        ("salesperson_column", salesperson_column),
        ("campaign_column", campaign_column),
        ("active_column", active_column),
    ):
        if name is not None:
            check_identifier(name, f"{key}.{column}")
    wanted = [salesperson_column, campaign_column]
    optional = [*OPTIONAL, *([active_column] if active_column else [])]
    records, found = read_table(engine, table_name, wanted, optional, "campaign table")
    origin = f"table {table_name}"
    reader = Columns(
        salesperson_column, campaign_column, active_column if active_column in found else None
    )
    return [reader.row(record, origin, number) for number, record in enumerate(records, start=1)]
