"""Writing a run into the §9.2 history tables (spec §9.3).

One transaction per run, with upserts on the tables' unique keys, so that
recording the same run again (a stopped run resumed, an undo) or another
run of the same day updates rows instead of adding them:

- ``lead_assignment_history`` gets a row per lead a real run wrote (unique
  per run and lead; dry runs write none, as in spec §9.3.2);
- ``lead_distribution_tracking`` keeps, per salesperson and day, the counts
  before the day's first run, the counts after its latest, and the leads
  received and taken that day: counted from the assignment history, so a
  forced second run adds to them and an undone run is taken off; a dry run
  has its own rows (``dry_run`` true), replaced by each dry run of the day;
- ``lead_distribution_summary`` describes the day's latest run (and,
  separately, its latest dry run);
- ``odlm_fairness_ledger`` gets a row per eligible salesperson of a real run
  whose plan carries the fairness ledger (`domain.ledger`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from odoo_lead_manager.config.schema.operations import Tracking
from odoo_lead_manager.domain.holders import HolderChains, holder_chains
from odoo_lead_manager.domain.ledger import LedgerRun, Standing, accounts_of
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.received import Received
from odoo_lead_manager.state.database import prepare, run_in_transaction, utc_now, where
from odoo_lead_manager.state.records import (
    Outcome,
    StatusCounts,
    assignment_rows,
    received_and_taken,
    salesperson_rows,
    summary_row,
)
from odoo_lead_manager.state.tables import assignment_history, ledger, summary, tracking
from odoo_lead_manager.state.upsert import upsert

_TRACKING_KEY = ("salesperson_id", "distribution_date", "campaign_name", "dry_run")
_SUMMARY_KEY = ("distribution_date", "campaign_name", "dry_run")
_HISTORY_KEY = ("run_id", "lead_id")
_LEDGER_KEY = ("run_id", "user_id")
# Counts a later run of the same day does not replace: the day's starting point.
_BEFORE = tuple(c.name for c in tracking.columns if c.name.startswith("leads_before_"))
_AFTER = tuple(c.name for c in tracking.columns if c.name.startswith("leads_after_"))


class History:
    """The history tables of one tracking database."""

    def __init__(self, engine: Engine, settings: Tracking) -> None:
        self.engine = prepare(engine)
        self.where = where(engine)
        self.settings = settings

    def record(self, plan: Plan, outcome: Outcome) -> None:
        """Record a run (or a dry run) of ``plan``; raises `TrackingUnavailable`."""
        now = utc_now()
        settings = self.settings

        def work(connection: Connection) -> None:
            from_history = settings.track_individual_assignments and not outcome.dry_run
            if from_history:
                rows = assignment_rows(plan, outcome.handed_out, now)
                upsert(connection, assignment_history, rows, _HISTORY_KEY, (), self._chunk)
            if settings.track_pre_post_counts:
                received, taken = (
                    _day_counts(connection, plan)
                    if from_history
                    else received_and_taken(outcome.handed_out)
                )
                rows = salesperson_rows(plan, outcome, received, taken, now)
                keep = {*_TRACKING_KEY, "id", "created_at", *(() if outcome.dry_run else _BEFORE)}
                changed = [c.name for c in tracking.columns if c.name not in keep]
                upsert(connection, tracking, rows, _TRACKING_KEY, changed, self._chunk)
            if settings.track_distribution_summary:
                if not outcome.dry_run:
                    # A dry run's plan applied (`odlm apply`) is one run, no longer a preview.
                    connection.execute(
                        delete(summary).where(
                            summary.c.run_id == plan.run_id, summary.c.dry_run.is_(True)
                        )
                    )
                row = summary_row(plan, outcome, now)
                changed = [c.name for c in summary.columns if c.name not in {"id", "created_at"}]
                upsert(connection, summary, [row], _SUMMARY_KEY, changed)
            if from_history and plan.ledger is not None:
                rows = _ledger_rows(plan)
                changed = [c.name for c in ledger.columns if c.name not in _LEDGER_KEY]
                upsert(connection, ledger, rows, _LEDGER_KEY, changed, self._chunk)

        run_in_transaction(self.engine, work)

    def record_undo(
        self, plan: Plan, restored: Collection[int], after: Mapping[int, StatusCounts]
    ) -> None:
        """Mark the leads `odlm undo` gave back, and update the day's counts and summary."""
        now = utc_now()
        settings = self.settings
        ids = sorted(restored)

        def work(connection: Connection) -> None:
            for start in range(0, len(ids), self._chunk):
                connection.execute(
                    update(assignment_history)
                    .where(
                        assignment_history.c.run_id == plan.run_id,
                        assignment_history.c.lead_id.in_(ids[start : start + self._chunk]),
                    )
                    .values(undone_at=now)
                )
            connection.execute(
                update(summary)
                .where(summary.c.run_id == plan.run_id)
                .values(run_status="undone", updated_at=now)
            )
            if settings.track_pre_post_counts and settings.track_individual_assignments:
                received, taken = _day_counts(connection, plan)
                outcome = Outcome(False, (), after, 0.0, "undone")
                rows = salesperson_rows(plan, outcome, received, taken, now)
                changed = [*_AFTER, "leads_received", "leads_distributed_from", "updated_at"]
                changed += ["utilization_percentage"]
                upsert(connection, tracking, rows, _TRACKING_KEY, changed, self._chunk)

        run_in_transaction(self.engine, work)

    def received(self, since: date, until: date) -> Received:
        """Leads each user received per day from ``since`` to ``until``, over every
        campaign: real runs only (dry runs write no assignment rows), less those undone."""
        history = assignment_history.c
        query = (
            select(history.new_user_id, history.distribution_date, func.count())
            .where(
                history.distribution_date >= since,
                history.distribution_date <= until,
                history.undone_at.is_(None),
            )
            .group_by(history.new_user_id, history.distribution_date)
            .order_by(history.new_user_id, history.distribution_date)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return tuple((int(user), day, int(count)) for user, day, count in rows)

    def holder_chains(self, lead_ids: Collection[int]) -> HolderChains:
        """Each of ``lead_ids``' holders as real runs (over every campaign, less what was
        undone) recorded them, oldest first (``distribution.never_back_to_last``)."""
        history = assignment_history.c
        ids = sorted(set(lead_ids))
        rows: list[tuple[int, int | None, int]] = []
        with self.engine.connect() as connection:
            for start in range(0, len(ids), self._chunk):
                query = (
                    select(history.lead_id, history.previous_user_id, history.new_user_id)
                    .where(
                        history.lead_id.in_(ids[start : start + self._chunk]),
                        history.undone_at.is_(None),
                    )
                    .order_by(history.lead_id, history.created_at, history.id)
                )
                rows.extend(
                    (int(lead), None if old is None else int(old), int(new))
                    for lead, old, new in connection.execute(query)
                )
        return holder_chains(rows)

    def moved_on(self, day: date, campaign: str) -> tuple[int, ...]:
        """Leads real runs of other campaigns than ``campaign`` wrote on ``day``, not undone."""
        history = assignment_history.c
        query = (
            select(history.lead_id)
            .where(
                history.distribution_date == day,
                history.campaign_name != campaign[:255],
                history.undone_at.is_(None),
            )
            .distinct()
        )
        with self.engine.connect() as connection:
            return tuple(sorted(int(lead) for (lead,) in connection.execute(query)))

    def standing(self, campaign: str, today: date, days: int) -> Standing:
        """The campaign's fairness ledger over its last ``days`` run days up to ``today``,
        and from when the next run counts outside receipts (`domain.ledger`)."""
        rows_of = ledger.c
        name = campaign[:200]
        with self.engine.connect() as connection:
            window = connection.execute(
                select(rows_of.run_date)
                .where(rows_of.campaign == name, rows_of.run_date <= today)
                .distinct()
                .order_by(rows_of.run_date.desc())
                .limit(days)
            ).scalars()
            run_days = sorted(window)
            if not run_days:
                return Standing()
            rows = connection.execute(
                select(
                    rows_of.run_id,
                    rows_of.run_date,
                    rows_of.user_id,
                    rows_of.salesperson,
                    rows_of.stake,
                    rows_of.outside,
                    rows_of.credit,
                    rows_of.outside_leads,
                    rows_of.taken_at,
                ).where(rows_of.campaign == name, rows_of.run_date >= run_days[0])
            ).all()
            runs = sorted({row.run_id for row in rows})
            given = self._given(connection, runs)
            since = max(row.taken_at for row in rows)
            previous = self._previous(connection, since)
        stakes: dict[str, dict[int, float]] = {}
        outside: dict[str, dict[int, int]] = {}
        credit: dict[str, dict[int, int]] = {}
        counted: set[int] = set()
        for row in rows:
            stakes.setdefault(row.run_id, {})[int(row.user_id)] = float(row.stake)
            outside.setdefault(row.run_id, {})[int(row.user_id)] = int(row.outside)
            credit.setdefault(row.run_id, {})[int(row.user_id)] = int(row.credit)
            if row.taken_at == since:
                # Every run of that second: Odoo's dates cannot tell them apart.
                counted.update(json.loads(row.outside_leads))
        ledger_runs = (
            LedgerRun(run, stakes[run], outside[run], given.get(run, {}), credit[run])
            for run in runs
        )
        return Standing(
            days=tuple(run_days),
            accounts=accounts_of(ledger_runs),
            since=since,
            previous=tuple(sorted(previous | counted)),
            names={int(row.user_id): row.salesperson for row in rows},
        )

    def _given(self, connection: Connection, runs: list[str]) -> dict[str, dict[int, int]]:
        """What each of ``runs`` gave each user, less what was undone."""
        history = assignment_history.c
        given: dict[str, dict[int, int]] = {}
        for start in range(0, len(runs), self._chunk):
            query = (
                select(history.run_id, history.new_user_id, func.count())
                .where(
                    history.run_id.in_(runs[start : start + self._chunk]),
                    history.undone_at.is_(None),
                )
                .group_by(history.run_id, history.new_user_id)
            )
            for run, user, count in connection.execute(query):
                given.setdefault(run, {})[int(user)] = int(count)
        return given

    def _previous(self, connection: Connection, since: datetime) -> set[int]:
        """The leads odlm itself moved since ``since``, by any run or undo: their holders did
        not receive them from outside (Odoo dates a lead's assignment to the second, so a run
        within the same second as the snapshot is told apart by its leads, not its time)."""
        history = assignment_history.c
        moved = select(history.lead_id).where(history.created_at >= since)
        undone = select(history.lead_id).where(history.undone_at >= since)
        return {int(lead) for lead in connection.execute(moved.union(undone)).scalars()}

    @property
    def _chunk(self) -> int:
        return self.settings.batch_size


def _day_counts(connection: Connection, plan: Plan) -> tuple[dict[int, int], dict[int, int]]:
    """Leads each user received and lost on the plan's day and campaign, not undone since."""
    history = assignment_history.c
    day = (
        history.distribution_date == plan.today,
        history.campaign_name == (plan.campaign or "")[:255],
        history.undone_at.is_(None),
    )

    def per(column: Any) -> dict[int, int]:
        rows = connection.execute(
            select(column, func.count()).where(*day, column.is_not(None)).group_by(column)
        )
        return {int(user): int(count) for user, count in rows}

    return per(history.new_user_id), per(history.previous_user_id)


def _ledger_rows(plan: Plan) -> list[dict[str, Any]]:
    """The plan's ledger entry as rows of odlm_fairness_ledger, one per stakeholder."""
    entry = plan.ledger
    if entry is None:
        return []
    return [
        {
            "run_id": plan.run_id,
            "user_id": uid,
            "salesperson": plan.user_names.get(uid, f"user {uid}")[:255],
            "campaign": (plan.campaign or "")[:200],
            "run_date": plan.today,
            "stake": stake,
            "outside": entry.outside_count(uid),
            "credit": entry.credit.get(uid, 0),
            "outside_leads": json.dumps(list(entry.outside.get(uid, ()))),
            "taken_at": entry.taken_at.replace(tzinfo=None),
        }
        for uid, stake in sorted(entry.stakes.items())
    ]
