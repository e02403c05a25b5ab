"""Whether each salesperson's digest of a run reached them: odlm_digest.

One row per run, kind of message (``run``: what the run did; ``undo``: the
correction `odlm undo` sends), salesperson and channel (``email``,
``webhook``, ``file``), written once the message was sent or refused. `odlm
status` lists the ones not delivered, and `odlm digests resend` sends those
again and nothing else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from odoo_lead_manager.state.tables import Timestamp

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "odlm_digest",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("odlm_run.run_id"), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("salesperson", sa.String(255), nullable=False),
        sa.Column("delivered", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("odoo_version", sa.Integer),
        sa.Column("updated_at", Timestamp, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("odlm_digest")
