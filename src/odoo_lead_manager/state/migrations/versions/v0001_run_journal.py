"""The run journal: odlm_run and odlm_run_batch.

Databases used before migrations existed already hold these two tables
(created as they are here); they are adopted as version 1 as they stand.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import LongText, Timestamp

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "odlm_run" not in existing:
        op.create_table(
            "odlm_run",
            sa.Column("run_id", sa.String(32), primary_key=True),
            sa.Column("campaign", sa.String(200), nullable=False),
            sa.Column("run_date", sa.Date, nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("forced", sa.Boolean, nullable=False),
            sa.Column("started_at", Timestamp, nullable=False),
            sa.Column("updated_at", Timestamp, nullable=False),
            sa.Column("planned", sa.Integer, nullable=False),
            sa.Column("written", sa.Integer, nullable=False),
            sa.Column("already", sa.Integer, nullable=False),
            sa.Column("skipped", sa.Integer, nullable=False),
            sa.Column("failed", sa.Integer, nullable=False),
            sa.Column("message", sa.Text),
            sa.Column("plan_json", LongText, nullable=False),
        )
        op.create_index("ix_odlm_run_campaign_date", "odlm_run", ["campaign", "run_date"])
    if "odlm_run_batch" not in existing:
        op.create_table(
            "odlm_run_batch",
            sa.Column("run_id", sa.String(32), sa.ForeignKey("odlm_run.run_id"), primary_key=True),
            sa.Column("kind", sa.String(8), primary_key=True),
            sa.Column("batch_no", sa.Integer, primary_key=True),
            sa.Column("state", sa.String(16), nullable=False),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("lead_ids", LongText, nullable=False),
            sa.Column("values_json", sa.Text, nullable=False),
            *(
                sa.Column(name, LongText, nullable=False)
                for name in (
                    "expect_json",
                    "previous_json",
                    "sent_json",
                    "written_json",
                    "already_json",
                    "skipped_json",
                    "failed_json",
                )
            ),
            sa.Column("updated_at", Timestamp, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("odlm_run_batch")
    op.drop_index("ix_odlm_run_campaign_date", table_name="odlm_run")
    op.drop_table("odlm_run")
