"""A run's plan in a table of its own: odlm_run_plan.

The plan (megabytes for 100,000 leads) was a column of odlm_run, whose row
changes with every status update; SQLite rewrites a whole row on update, so
each of them copied the plan, and listing runs read every plan. The plans
are moved over as they are and the column dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import LongText

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odlm_run_plan",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("odlm_run.run_id"), primary_key=True),
        sa.Column("plan_json", LongText, nullable=False),
    )
    op.execute(
        "INSERT INTO odlm_run_plan (run_id, plan_json) SELECT run_id, plan_json FROM odlm_run"
    )
    with op.batch_alter_table("odlm_run") as table:
        table.drop_column("plan_json")


def downgrade() -> None:
    with op.batch_alter_table("odlm_run") as table:
        table.add_column(sa.Column("plan_json", LongText, nullable=False, server_default="{}"))
    op.execute(
        "UPDATE odlm_run SET plan_json = "
        "(SELECT plan_json FROM odlm_run_plan WHERE odlm_run_plan.run_id = odlm_run.run_id)"
    )
    op.drop_table("odlm_run_plan")
