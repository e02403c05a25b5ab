"""The tables odlm keeps in the tracking database (or the local journal file).

Defined once with SQLAlchemy Core so that SQLite, MySQL/MariaDB and
PostgreSQL get the same schema. Lists and mappings (lead ids, values,
per-lead states) are JSON text: the journal only ever reads a run's batches
whole, never queries inside them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

# MySQL's TEXT stops at 64 KB; a plan of 100,000 leads is megabytes.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
# Microseconds, so that runs started within one second keep their order.
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

metadata = MetaData()

# One row per applied plan: its state and the plan itself, so that a run
# killed halfway can be resumed with exactly the same decisions.
runs = Table(
    "odlm_run",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("campaign", String(200), nullable=False),
    Column("run_date", Date, nullable=False),
    # applying | stopped | completed | undoing | undone
    Column("status", String(16), nullable=False),
    Column("forced", Boolean, nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("planned", Integer, nullable=False),
    Column("written", Integer, nullable=False),
    Column("already", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    # Why the run stopped, when it did.
    Column("message", Text),
    Column("plan_json", LongText, nullable=False),
    Index("ix_odlm_run_campaign_date", "campaign", "run_date"),
)

# One row per batch of a run (kind "apply") or of its undo (kind "undo"),
# recorded before the batch is written and again after.
batches = Table(
    "odlm_run_batch",
    metadata,
    Column("run_id", String(32), ForeignKey("odlm_run.run_id"), primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("batch_no", Integer, primary_key=True),
    # pending | writing | done
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lead_ids", LongText, nullable=False),
    Column("values_json", Text, nullable=False),
    # {lead id: [write_date, {field: value}]}: the state a lead must still be in.
    Column("expect_json", LongText, nullable=False),
    # {lead id: {field: value}}: each lead's values before this batch wrote them.
    Column("previous_json", LongText, nullable=False),
    # Lead ids sent to the CRM in the last attempt (their write may or may not have happened).
    Column("sent_json", LongText, nullable=False),
    # {lead id: write_date} of leads this batch wrote, read back after writing.
    Column("written_json", LongText, nullable=False),
    # Lead ids that already held the values, so nothing was written.
    Column("already_json", LongText, nullable=False),
    # {lead id: reason} for leads left alone (changed since planning) or refused by the CRM.
    Column("skipped_json", LongText, nullable=False),
    Column("failed_json", LongText, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)
