"""The tables odlm keeps in the tracking database: the run journal, the round-robin
rotations and the §9.2 history.

Defined once with SQLAlchemy Core so that SQLite, MySQL/MariaDB and
PostgreSQL get the same schema; the versioned migrations in
``tracking/migrations`` create and change them, and a test checks that the
migrated database matches these definitions on every server.

The journal's lists and mappings (lead ids, values, per-lead states) are
JSON text: the journal only ever reads a run's batches whole. The history
tables follow spec §9.2 column for column, with these additions:

- ``dry_run`` is part of the unique keys of ``lead_distribution_tracking``
  and ``lead_distribution_summary``, so that a dry run (recorded as one)
  never overwrites the record of the day's real run, nor the other way round;
- ``campaign_name`` is NOT NULL (``''`` for no campaign), because a unique
  key treats NULLs as distinct and a re-run would add rows instead of
  updating them;
- the counts by status keep the spec's fixed columns and add the whole
  breakdown as JSON, since statuses are configurable;
- ``run_id`` ties rows to the journalled run; assignments are unique per
  (run, lead), so recording a resumed run again adds nothing, and
  ``undone_at`` marks the leads ``odlm undo`` gave back.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql

# MySQL's TEXT stops at 64 KB; a plan of 100,000 leads is megabytes.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
# MySQL's BLOB stops at 64 KB too; a compressed snapshot of 20,000 leads is megabytes.
Blob = LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
# Microseconds, so that runs started within one second keep their order.
Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# Percentages above 999.99 happen (a salesperson far over a small target).
Percent = Numeric(9, 2)

# The migration version table (Alembic's), named so it is clearly odlm's.
VERSION_TABLE = "odlm_schema_version"

metadata = MetaData()

# One row per applied plan: its state; with its plan (odlm_run_plan), a run
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
    Index("ix_odlm_run_campaign_date", "campaign", "run_date"),
)

# Each run's plan, written once; kept apart from its row in odlm_run, which
# every status update rewrites.
plans = Table(
    "odlm_run_plan",
    metadata,
    Column("run_id", String(32), ForeignKey("odlm_run.run_id"), primary_key=True),
    Column("plan_json", LongText, nullable=False),
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

# Where each campaign's round-robin rotation stands, per cycle (strategies/round_robin.py):
# written in the transaction that records the run completed, so a run's end and
# the next start are never out of step, and every host sharing the database
# continues the same rotation.
rotations = Table(
    "odlm_rotation",
    metadata,
    Column("campaign", String(200), primary_key=True),
    Column("cycle", String(16), primary_key=True),
    # The cycle's turn order: user ids as a JSON list.
    Column("turn_order", Text, nullable=False),
    Column("next_user", Integer),
    # The run that left the rotation here.
    Column("run_id", String(32), nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Each run's snapshot (`snapshot.Snapshot`) and plan, dry runs included, compressed:
# what `odlm replay`, `odlm explain` and `odlm compare` work from.
snapshots = Table(
    "odlm_snapshot",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("campaign", String(200), nullable=False),
    Column("run_date", Date, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("taken_at", Timestamp, nullable=False),
    Column("snapshot", Blob, nullable=False),
    Column("plan", Blob, nullable=False),
    Index("ix_odlm_snapshot_campaign_date", "campaign", "run_date"),
)

# Whether each salesperson's message about a run reached them, per channel (``email``,
# ``webhook``, ``file``): ``kind`` is ``run`` (what the run gave and took) or ``undo``
# (the correction `odlm undo` sends). `odlm status` lists the undelivered ones, `odlm
# digests resend` sends them again; ``odoo_version`` says which form the lead links take.
digests = Table(
    "odlm_digest",
    metadata,
    Column("run_id", String(32), ForeignKey("odlm_run.run_id"), primary_key=True),
    Column("kind", String(8), primary_key=True),
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("channel", String(16), primary_key=True),
    Column("salesperson", String(255), nullable=False),
    Column("delivered", Boolean, nullable=False),
    # Why it was not delivered (no secret: a webhook is named by its host).
    Column("error", Text),
    Column("odoo_version", Integer),
    Column("updated_at", Timestamp, nullable=False),
)

# The fairness ledger (``distribution.fairness_window_days``): per real run and eligible
# salesperson, their stake in the run's leads (the strategy's weight times the part of the
# day they were there) and the leads they received outside odlm since the previous run
# (`domain.ledger`).
# What odlm gave comes from lead_assignment_history (less what was undone), so an undo
# changes the ledger too.
ledger = Table(
    "odlm_fairness_ledger",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("salesperson", String(255), nullable=False),
    Column("campaign", String(200), nullable=False),
    Column("run_date", Date, nullable=False),
    Column("stake", Float, nullable=False),
    Column("outside", Integer, nullable=False),
    # Leads given as catch-up after an absence (``availability.catch_up``): entitled extras.
    Column("credit", Integer, nullable=False),
    # The leads counted in ``outside`` (a JSON list), which the next run does not count
    # again; and when the run's snapshot was taken, from which the next run counts.
    Column("outside_leads", LongText, nullable=False),
    Column("taken_at", Timestamp, nullable=False),
    Index("ix_odlm_fairness_ledger_campaign_date", "campaign", "run_date"),
)

# The spec's fixed status columns, in its order; `records.status_column` maps
# a configured status onto them.
STATUS_COLUMNS = ("new", "in_progress", "call_back", "utr", "full_pitch", "won", "lost")


def _counts(when: str) -> list[Column[int]]:
    return [
        Column(f"leads_{when}_total", Integer, nullable=False, server_default="0"),
        *(
            Column(f"leads_{when}_{status}", Integer, nullable=False, server_default="0")
            for status in STATUS_COLUMNS
        ),
        Column(f"leads_{when}_by_status", JSON),
    ]


# §9.2.1: each salesperson's leads before and after a day's distribution.
tracking = Table(
    "lead_distribution_tracking",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("distribution_date", Date, nullable=False),
    Column("salesperson_id", Integer, nullable=False),
    Column("salesperson_name", String(255), nullable=False),
    Column("campaign_name", String(255), nullable=False, server_default=""),
    *_counts("before"),
    *_counts("after"),
    Column("leads_received", Integer, nullable=False, server_default="0"),
    Column("leads_distributed_from", Integer, nullable=False, server_default="0"),
    Column("target_leads", Integer, nullable=False, server_default="0"),
    Column("utilization_percentage", Percent, nullable=False, server_default="0"),
    Column("distribution_strategy", String(50), nullable=False),
    Column("active_status", Boolean, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index("idx_tracking_distribution_date", "distribution_date"),
    Index("idx_tracking_salesperson_date", "salesperson_id", "distribution_date"),
    Index("idx_tracking_campaign_date", "campaign_name", "distribution_date"),
    UniqueConstraint(
        "salesperson_id",
        "distribution_date",
        "campaign_name",
        "dry_run",
        name="unique_salesperson_date",
    ),
    # Never reuse the id of a row moved to the archive.
    sqlite_autoincrement=True,
)

# §9.2.2: one row per campaign and day (and per dry run of it).
summary = Table(
    "lead_distribution_summary",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("distribution_date", Date, nullable=False),
    Column("campaign_name", String(255), nullable=False, server_default=""),
    Column("total_leads_found", Integer, nullable=False, server_default="0"),
    Column("total_leads_distributed", Integer, nullable=False, server_default="0"),
    Column("total_leads_not_distributed", Integer, nullable=False, server_default="0"),
    Column("total_salespeople_eligible", Integer, nullable=False, server_default="0"),
    Column("total_salespeople_received_leads", Integer, nullable=False, server_default="0"),
    Column("total_leads_dropped_back", Integer, nullable=False, server_default="0"),
    Column("distribution_efficiency_percentage", Percent, nullable=False, server_default="0"),
    Column("average_leads_per_salesperson", Percent, nullable=False, server_default="0"),
    Column("max_leads_to_single_salesperson", Integer, nullable=False, server_default="0"),
    Column("min_leads_to_single_salesperson", Integer, nullable=False, server_default="0"),
    Column("leads_by_source", JSON),
    Column("leads_by_status", JSON),
    Column("leads_by_campaign", JSON),
    Column("date_range_start", Date),
    Column("date_range_end", Date),
    Column("distribution_strategy", String(50), nullable=False),
    Column("excluded_users", JSON),
    Column("execution_time_seconds", Numeric(10, 2), nullable=False, server_default="0"),
    Column("dry_run", Boolean, nullable=False),
    # completed | stopped | dry_run: a stopped run's row is updated when it is finished.
    Column("run_status", String(16), nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Index("idx_summary_date", "distribution_date"),
    Index("idx_campaign_summary", "campaign_name", "distribution_date"),
    UniqueConstraint("distribution_date", "campaign_name", "dry_run", name="unique_date_campaign"),
    sqlite_autoincrement=True,
)

# §9.2.3: every lead a real run handed out.
assignment_history = Table(
    "lead_assignment_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", Integer, nullable=False),
    Column("distribution_date", Date, nullable=False),
    Column("previous_user_id", Integer),
    Column("previous_user_name", String(255)),
    Column("new_user_id", Integer, nullable=False),
    Column("new_user_name", String(255), nullable=False),
    Column("lead_status", String(50)),
    Column("lead_source", String(100)),
    Column("lead_campaign", String(100)),
    Column("lead_priority", Integer),
    Column("campaign_name", String(255), nullable=False, server_default=""),
    Column("distribution_strategy", String(50), nullable=False),
    Column("distribution_reason", String(255), nullable=False),
    Column("run_id", String(32), nullable=False),
    Column("undone_at", Timestamp),
    Column("created_at", Timestamp, nullable=False),
    Index("idx_history_lead_id", "lead_id"),
    Index("idx_history_distribution_date", "distribution_date"),
    Index("idx_history_new_user", "new_user_id", "distribution_date"),
    Index("idx_history_previous_user", "previous_user_id", "distribution_date"),
    # What odlm moved since a time: the leads the fairness ledger does not count as outside.
    Index("idx_history_created_at", "created_at"),
    Index("idx_history_undone_at", "undone_at"),
    UniqueConstraint("run_id", "lead_id", name="unique_run_lead"),
    sqlite_autoincrement=True,
)

HISTORY_TABLES = (tracking, summary, assignment_history)


def _archive_of(table: Table) -> Table:
    """Where `odlm retention` moves ``table``'s old rows: the same columns, no unique keys."""
    return Table(
        f"{table.name}_archive",
        metadata,
        *(
            Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False)
            for c in table.columns
        ),
        Column("archived_at", Timestamp, nullable=False),
        Index(f"idx_{table.name}_archive_date", "distribution_date"),
    )


ARCHIVES = {table.name: _archive_of(table) for table in HISTORY_TABLES}
