"""The history of spec §9.2 and its archive tables.

lead_distribution_tracking, lead_distribution_summary and
lead_assignment_history, with the additions described in ``tables.py``
(dry_run in the unique keys, run ids, JSON breakdowns by status), and a
``*_archive`` twin of each for `odlm retention`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import Percent, Timestamp

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = ("new", "in_progress", "call_back", "utr", "full_pitch", "won", "lost")


def _zero(name: str, type_: Any = None) -> sa.Column[Any]:
    return sa.Column(name, type_ or sa.Integer(), nullable=False, server_default="0")


def _counts(when: str) -> list[sa.Column[Any]]:
    return [
        _zero(f"leads_{when}_total"),
        *(_zero(f"leads_{when}_{status}") for status in STATUSES),
        sa.Column(f"leads_{when}_by_status", sa.JSON),
    ]


def _tracking_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("distribution_date", sa.Date, nullable=False),
        sa.Column("salesperson_id", sa.Integer, nullable=False),
        sa.Column("salesperson_name", sa.String(255), nullable=False),
        sa.Column("campaign_name", sa.String(255), nullable=False, server_default=""),
        *_counts("before"),
        *_counts("after"),
        _zero("leads_received"),
        _zero("leads_distributed_from"),
        _zero("target_leads"),
        _zero("utilization_percentage", Percent),
        sa.Column("distribution_strategy", sa.String(50), nullable=False),
        sa.Column("active_status", sa.Boolean, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    ]


def _summary_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("distribution_date", sa.Date, nullable=False),
        sa.Column("campaign_name", sa.String(255), nullable=False, server_default=""),
        _zero("total_leads_found"),
        _zero("total_leads_distributed"),
        _zero("total_leads_not_distributed"),
        _zero("total_salespeople_eligible"),
        _zero("total_salespeople_received_leads"),
        _zero("total_leads_dropped_back"),
        _zero("distribution_efficiency_percentage", Percent),
        _zero("average_leads_per_salesperson", Percent),
        _zero("max_leads_to_single_salesperson"),
        _zero("min_leads_to_single_salesperson"),
        sa.Column("leads_by_source", sa.JSON),
        sa.Column("leads_by_status", sa.JSON),
        sa.Column("leads_by_campaign", sa.JSON),
        sa.Column("date_range_start", sa.Date),
        sa.Column("date_range_end", sa.Date),
        sa.Column("distribution_strategy", sa.String(50), nullable=False),
        sa.Column("excluded_users", sa.JSON),
        _zero("execution_time_seconds", sa.Numeric(10, 2)),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("run_status", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    ]


def _history_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("lead_id", sa.Integer, nullable=False),
        sa.Column("distribution_date", sa.Date, nullable=False),
        sa.Column("previous_user_id", sa.Integer),
        sa.Column("previous_user_name", sa.String(255)),
        sa.Column("new_user_id", sa.Integer, nullable=False),
        sa.Column("new_user_name", sa.String(255), nullable=False),
        sa.Column("lead_status", sa.String(50)),
        sa.Column("lead_source", sa.String(100)),
        sa.Column("lead_campaign", sa.String(100)),
        sa.Column("lead_priority", sa.Integer),
        sa.Column("campaign_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("distribution_strategy", sa.String(50), nullable=False),
        sa.Column("distribution_reason", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("undone_at", Timestamp),
        sa.Column("created_at", Timestamp, nullable=False),
    ]


TABLES = {
    "lead_distribution_tracking": _tracking_columns,
    "lead_distribution_summary": _summary_columns,
    "lead_assignment_history": _history_columns,
}


def upgrade() -> None:
    op.create_table(
        "lead_distribution_tracking",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_tracking_columns(),
        sa.UniqueConstraint(
            "salesperson_id",
            "distribution_date",
            "campaign_name",
            "dry_run",
            name="unique_salesperson_date",
        ),
        # Never reuse the id of a row moved to the archive.
        sqlite_autoincrement=True,
    )
    op.create_index(
        "idx_tracking_distribution_date", "lead_distribution_tracking", ["distribution_date"]
    )
    op.create_index(
        "idx_tracking_salesperson_date",
        "lead_distribution_tracking",
        ["salesperson_id", "distribution_date"],
    )
    op.create_index(
        "idx_tracking_campaign_date",
        "lead_distribution_tracking",
        ["campaign_name", "distribution_date"],
    )
    op.create_table(
        "lead_distribution_summary",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_summary_columns(),
        sa.UniqueConstraint(
            "distribution_date", "campaign_name", "dry_run", name="unique_date_campaign"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_summary_date", "lead_distribution_summary", ["distribution_date"])
    op.create_index(
        "idx_campaign_summary", "lead_distribution_summary", ["campaign_name", "distribution_date"]
    )
    op.create_table(
        "lead_assignment_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_history_columns(),
        sa.UniqueConstraint("run_id", "lead_id", name="unique_run_lead"),
        sqlite_autoincrement=True,
    )
    for name, columns in (
        ("idx_history_lead_id", ["lead_id"]),
        ("idx_history_distribution_date", ["distribution_date"]),
        ("idx_history_new_user", ["new_user_id", "distribution_date"]),
        ("idx_history_previous_user", ["previous_user_id", "distribution_date"]),
    ):
        op.create_index(name, "lead_assignment_history", columns)
    for table, columns_of in TABLES.items():
        archive = f"{table}_archive"
        op.create_table(
            archive,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            *(_loose(column) for column in columns_of()),
            sa.Column("archived_at", Timestamp, nullable=False),
        )
        op.create_index(f"idx_{archive}_date", archive, ["distribution_date"])


def _loose(column: sa.Column[Any]) -> sa.Column[Any]:
    """An archive keeps whatever it is given: every column nullable, no defaults."""
    return sa.Column(column.name, column.type, nullable=True)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(f"{table}_archive")
        op.drop_table(table)
