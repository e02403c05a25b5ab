"""The campaign table read from a database (§5.2), through SQLAlchemy.

The table is reflected (so a missing table or column is named before any
query) and read with a SELECT built from `Table` objects: the configured
names are checked as plain identifiers and quoted by SQLAlchemy; no SQL
text is ever assembled from configuration values.
"""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, select
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.selection.rows import CampaignRow, Columns
from odoo_lead_manager.sqldb import check_identifier, describe_failure

# Optional columns of §5.2, read when the table has them.
OPTIONAL = ("team", "level", "target_leads", "salesperson_id")


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
    schema, _, bare = table_name.rpartition(".")
    origin = f"table {table_name}"
    try:
        with engine.connect() as connection:
            try:
                table = Table(bare, MetaData(), autoload_with=connection, schema=schema or None)
            except NoSuchTableError:
                raise DataFileError(
                    f"campaign table {table_name} not found in database "
                    f"{engine.url.render_as_string(hide_password=True)}"
                ) from None
            found = set(table.c.keys())
            missing = [c for c in (salesperson_column, campaign_column) if c not in found]
            if missing:
                raise DataFileError(
                    f"{origin}: missing column(s) {', '.join(missing)} "
                    f"(found: {', '.join(sorted(found))})"
                )
            wanted = [salesperson_column, campaign_column, *OPTIONAL]
            if active_column:
                wanted.append(active_column)
            columns = [table.c[name] for name in dict.fromkeys(wanted) if name in found]
            order = list(table.primary_key.columns) or columns[:2]
            records = connection.execute(select(*columns).order_by(*order)).mappings().all()
    except SQLAlchemyError as error:
        raise describe_failure(engine, error) from None
    reader = Columns(
        salesperson_column, campaign_column, active_column if active_column in found else None
    )
    return [
        reader.row(dict(record), origin, number) for number, record in enumerate(records, start=1)
    ]
