"""Each run's snapshot and plan (`odlm replay`, `odlm explain`, `odlm compare`): odlm_snapshot.

Dry runs are kept too (they have no row in odlm_run); both columns hold
zlib-compressed JSON. `odlm retention` deletes them with the rest of the
history older than ``tracking.retention_days``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import Blob, Timestamp

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odlm_snapshot",
        sa.Column("run_id", sa.String(32), primary_key=True),
        sa.Column("campaign", sa.String(200), nullable=False),
        sa.Column("run_date", sa.Date, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("taken_at", Timestamp, nullable=False),
        sa.Column("snapshot", Blob, nullable=False),
        sa.Column("plan", Blob, nullable=False),
    )
    op.create_index("ix_odlm_snapshot_campaign_date", "odlm_snapshot", ["campaign", "run_date"])


def downgrade() -> None:
    op.drop_index("ix_odlm_snapshot_campaign_date", "odlm_snapshot")
    op.drop_table("odlm_snapshot")
