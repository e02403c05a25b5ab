"""The fairness ledger: odlm_fairness_ledger.

One row per real run and eligible salesperson: their stake in the run's leads
and what they received outside odlm since the previous run; and two indexes on
lead_assignment_history, to find what odlm itself moved since a time. Runs recorded
before it have no rows: the ledger starts with the first run after the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import LongText, Timestamp

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odlm_fairness_ledger",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("salesperson", sa.String(255), nullable=False),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("stake", sa.Float, nullable=False),
        sa.Column("outside", sa.Integer, nullable=False),
        sa.Column("credit", sa.Integer, nullable=False),
        sa.Column("outside_leads", LongText, nullable=False),
        sa.Column("taken_at", Timestamp, nullable=False),
    )
    op.create_index(
        "ix_odlm_fairness_ledger_campaign_date",
        "odlm_fairness_ledger",
        ["campaign", "run_date"],
    )
    # What odlm moved since a time (its assignments, its undos): never outside receipts.
    op.create_index("idx_history_created_at", "lead_assignment_history", ["created_at"])
    op.create_index("idx_history_undone_at", "lead_assignment_history", ["undone_at"])


def downgrade() -> None:
    op.drop_index("idx_history_undone_at", "lead_assignment_history")
    op.drop_index("idx_history_created_at", "lead_assignment_history")
    op.drop_table("odlm_fairness_ledger")
