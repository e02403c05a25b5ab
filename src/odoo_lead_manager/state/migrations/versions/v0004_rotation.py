"""The round-robin rotation in the tracking database: odlm_rotation.

It was a JSON file per campaign in ``execution.state_dir``, saved after the
run was recorded completed: a crash in between lost the position, and each
copy of the configuration (another directory, another host) kept its own.
Nothing is copied here: a campaign without a row reads its old file once
(see `runner.current_rotation`), and its next completed run writes the row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import Timestamp

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odlm_rotation",
        sa.Column("campaign", sa.String(200), primary_key=True),
        sa.Column("cycle", sa.String(16), primary_key=True),
        sa.Column("turn_order", sa.Text, nullable=False),
        sa.Column("next_user", sa.Integer),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("odlm_rotation")
