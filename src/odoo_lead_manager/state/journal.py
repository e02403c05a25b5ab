"""The run journal: every applied plan and each of its batches, before and after writing.

The journal is what makes a run safe to kill. A run is recorded with its
whole plan before the first write; each batch is recorded as *writing*
(with the leads' previous values) before it goes to the CRM and as *done*
(with what was written, skipped or refused) after. Whatever the moment a
run dies, the next run finds it unfinished and completes exactly that plan.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    Table,
    Update,
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.domain.runs import (
    APPLYING,
    COMPLETED,
    RUN_DIGEST,
    STOPPED,
    UNDO_DIGEST,
    UNDOING,
    UNDONE,
    UNFINISHED,
    Batch,
    DigestDelivery,
    Expectation,
    Recorded,
    RecordedRun,
    RunRecord,
    Totals,
    Undelivered,
)
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state.database import (
    TrackingUnavailable,
    prepare,
    transaction,
    unavailable,
    utc_now,
    where,
)
from odoo_lead_manager.state.tables import (
    batches,
    digests,
    plans,
    rotations,
    runs,
    snapshots,
)
from odoo_lead_manager.state.upsert import upsert


def _recorded(row: RowMapping) -> Recorded:
    where = f"run {row['run_id']}"
    run = RecordedRun(
        row["run_id"], row["campaign"], row["run_date"], bool(row["dry_run"]), row["taken_at"]
    )
    try:
        plan = Plan.from_json(zlib.decompress(row["plan"]))
    except (zlib.error, ValueError) as exc:
        raise UserInputError(f"{where}: its kept plan cannot be read ({exc})") from None
    return Recorded(run, Snapshot.from_bytes(row["snapshot"], where), plan)


class Journal:
    """Runs and batches in one database, reached through a SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = prepare(engine)
        self.where = where(engine)

    def close(self) -> None:
        self.engine.dispose()

    def run(self, run_id: str) -> RunRecord | None:
        with self._connection() as connection:
            row = connection.execute(select(runs).where(runs.c.run_id == run_id)).first()
        return _record(row._mapping) if row else None

    def find_run(self, run_id: str) -> RunRecord | None:
        """The run ``run_id`` names: the whole id, or a prefix of one run's id only."""
        found = self._run_id(runs, run_id)
        return self.run(found) if found is not None else None

    def _run_id(self, table: Table, run_id: str) -> str | None:
        """The one id of ``table`` that ``run_id`` names (whole, or the start of one id
        only); ids alone are read, so that a short prefix loads no snapshot."""
        with self._connection() as connection:
            found = (
                connection.execute(
                    select(table.c.run_id)
                    .where(table.c.run_id.startswith(run_id, autoescape=True))
                    .order_by(table.c.run_id)
                    .limit(6)
                )
                .scalars()
                .all()
            )
        if run_id in found:
            return run_id
        if len(found) > 1:
            raise UserInputError(f"run id {run_id!r} is ambiguous: {', '.join(found[:5])}")
        return found[0] if found else None

    def unfinished(self, campaign: str) -> list[RunRecord]:
        """Runs of ``campaign`` that began and did not end, oldest first."""
        return self._runs(and_(runs.c.campaign == campaign, runs.c.status.in_(UNFINISHED)))

    def completed_on(self, campaign: str, day: date, since: date | None = None) -> RunRecord | None:
        """The last run of ``campaign`` for ``day`` (or ``since`` to ``day``) that finished
        and was not undone."""
        found = self._runs(
            and_(
                runs.c.campaign == campaign,
                runs.c.run_date.between(since or day, day),
                runs.c.status == COMPLETED,
            )
        )
        return found[-1] if found else None

    def latest(self, campaign: str) -> RunRecord | None:
        """The campaign's most recent real run, with what its batches know."""
        with self._connection() as connection:
            row = connection.execute(
                select(runs)
                .where(runs.c.campaign == campaign)
                .order_by(runs.c.started_at.desc(), runs.c.run_id.desc())
                .limit(1)
            ).first()
        return self.counted(_record(row._mapping)) if row else None

    def recent(self, limit: int) -> list[RunRecord]:
        """The latest ``limit`` runs, newest first, each with what its batches know."""
        with self._connection() as connection:
            rows = connection.execute(
                select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id).limit(limit)
            ).all()
        return [self.counted(_record(row._mapping)) for row in rows]

    def counted(self, record: RunRecord) -> RunRecord:
        """``record`` with its counts added up from its batches, unless it completed.

        A run's row gets its counts when it ends: a killed run's still says 0
        written however much it wrote, and only the batches name those whose
        outcome is unknown. A completed run's row is exact and costs no read.
        """
        if record.status == COMPLETED:
            return record
        totals = Totals.of(self.batches(record.run_id, "apply"))
        return replace(
            record,
            written=totals.written,
            already=totals.already,
            skipped=len(totals.skipped),
            failed=len(totals.failed),
            # An undo settles what it finds holding the run's values; only a run
            # still to be finished has batches waiting for a re-read.
            unsettled=totals.unsettled if record.status in (APPLYING, STOPPED) else (),
        )

    def begin(self, plan: Plan, forced: bool, planned: Sequence[Batch]) -> None:
        """Record a run and all its batches, before anything is written."""
        now = utc_now()
        with self._connection() as connection:
            connection.execute(
                insert(runs).values(
                    run_id=plan.run_id,
                    campaign=plan.campaign or "",
                    run_date=plan.today,
                    status=APPLYING,
                    forced=forced,
                    started_at=now,
                    updated_at=now,
                    planned=sum(len(b.lead_ids) for b in planned),
                    written=0,
                    already=0,
                    skipped=0,
                    failed=0,
                )
            )
            connection.execute(
                insert(plans).values(run_id=plan.run_id, plan_json=plan.to_json(pretty=False))
            )
            self._insert_batches(connection, plan.run_id, planned)

    def begin_undo(self, run_id: str, planned: Sequence[Batch]) -> None:
        """Record the batches that will undo a run, and mark it as being undone."""
        with self._connection() as connection:
            self._insert_batches(connection, run_id, planned)
            self._mark(connection, run_id, UNDOING)

    def mark(self, run_id: str, status: str) -> None:
        """Set a run's status (a resumed run is applying or undoing again)."""
        with self._connection() as connection:
            self._mark(connection, run_id, status)

    @staticmethod
    def _mark(connection: Connection, run_id: str, status: str) -> None:
        connection.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(status=status, updated_at=utc_now(), message=None)
        )

    def plan(self, run_id: str) -> Plan:
        with self._connection() as connection:
            text = connection.execute(
                select(plans.c.plan_json).where(plans.c.run_id == run_id)
            ).scalar_one()
        return Plan.from_json(text)

    def batches(self, run_id: str, kind: str) -> list[Batch]:
        with self._connection() as connection:
            rows = connection.execute(
                select(batches)
                .where(batches.c.run_id == run_id, batches.c.kind == kind)
                .order_by(batches.c.batch_no)
            ).all()
        return [_batch(row._mapping) for row in rows]

    def placed(self, run_id: str, kind: str = "apply") -> set[int]:
        """Leads the run's batches of ``kind`` wrote, or found holding their values already."""
        return {
            lead_id
            for batch in self.batches(run_id, kind)
            for lead_id in (*batch.written, *batch.already)
        }

    def outcomes(self, run_id: str) -> dict[int, str]:
        """What became of each lead the run's batches were to write, in words."""
        result: dict[int, str] = {}
        for batch in self.batches(run_id, "apply"):
            result.update((lead_id, "not written yet") for lead_id in batch.lead_ids)
            result.update((lead_id, "written") for lead_id in batch.written)
            result.update((lead_id, "already held these values") for lead_id in batch.already)
            result.update((i, f"left alone: {why}") for i, why in batch.skipped.items())
            result.update((i, f"refused by the CRM: {why}") for i, why in batch.failed.items())
        for batch in self.batches(run_id, "undo"):
            result.update((i, "written, then given back by odlm undo") for i in batch.written)
            result.update(
                (i, f"written; odlm undo left it alone: {why}") for i, why in batch.skipped.items()
            )
        return result

    def save(self, run_id: str, batch: Batch) -> None:
        """Record where a batch stands (before writing it, and again after)."""
        # After a write its leads' previous states are on record already.
        previous = len(batch.previous) != batch.previous_on_record
        progress = _progress(batch, previous)
        statement = _SAVE if previous else _SAVE_OUTCOME
        with self._connection() as connection:
            connection.execute(
                statement,
                {
                    "key_run_id": run_id,
                    "key_kind": batch.kind,
                    "key_batch_no": batch.batch_no,
                    **{f"new_{name}": value for name, value in progress.items()},
                    "new_updated_at": utc_now(),
                },
            )
        batch.previous_on_record = len(batch.previous)

    def finish(
        self,
        run_id: str,
        status: str,
        totals: Totals | None,
        message: str | None,
        rotation: Rotation | None = None,
    ) -> None:
        """Record a run's end; ``totals`` are the applied counts (None keeps them, for undo).

        A completed run's ``rotation`` (round robin's next start) is kept for
        its campaign in the same transaction: the run is on record as
        completed with its rotation saved, or neither.
        """
        counts = (
            {}
            if totals is None
            else {
                "written": totals.written,
                "already": totals.already,
                "skipped": len(totals.skipped),
                "failed": len(totals.failed),
            }
        )
        with self._connection() as connection:
            connection.execute(
                update(runs)
                .where(runs.c.run_id == run_id)
                .values(status=status, updated_at=utc_now(), message=message, **counts)
            )
            if status == COMPLETED and rotation is not None:
                self._keep_rotation(connection, run_id, rotation)

    @staticmethod
    def _keep_rotation(connection: Connection, run_id: str, rotation: Rotation) -> None:
        campaign = connection.execute(
            select(runs.c.campaign).where(runs.c.run_id == run_id)
        ).scalar_one()
        row = {
            "campaign": campaign,
            "cycle": rotation.cycle,
            "turn_order": _json(rotation.order),
            "next_user": rotation.next_user,
            "run_id": run_id,
            "updated_at": utc_now(),
        }
        upsert(
            connection,
            rotations,
            [row],
            key=("campaign", "cycle"),
            update=("turn_order", "next_user", "run_id", "updated_at"),
        )

    def rotation(self, campaign: str, cycle: str) -> tuple[bool, Rotation | None]:
        """Whether any rotation of ``campaign`` is kept here, and the one of ``cycle``.

        The first tells a campaign that never kept one here (its position may
        still be in the file older versions wrote) from one whose cycle is new.
        """
        with self._connection() as connection:
            rows = connection.execute(
                select(rotations.c.cycle, rotations.c.turn_order, rotations.c.next_user).where(
                    rotations.c.campaign == campaign
                )
            ).all()
        for row in rows:
            if row.cycle == cycle:
                order = tuple(int(uid) for uid in json.loads(row.turn_order))
                return True, Rotation(cycle, order, row.next_user)
        return bool(rows), None

    def keep_snapshot(self, snapshot: Snapshot, plan: Plan, dry_run: bool) -> None:
        """Keep a run's snapshot and plan (compressed) under its run id."""
        with self._connection() as connection:
            connection.execute(
                insert(snapshots).values(
                    run_id=plan.run_id,
                    campaign=plan.campaign or "",
                    run_date=plan.today,
                    dry_run=dry_run,
                    taken_at=snapshot.taken_at.replace(tzinfo=None),
                    snapshot=snapshot.to_bytes(),
                    plan=zlib.compress(plan.to_json(pretty=False).encode(), 6),
                )
            )

    def promote_snapshot(self, run_id: str) -> None:
        """A dry run's plan is being applied (`odlm apply`): its kept snapshot is now the
        real run's, so that `odlm runs`, `explain` and `replay` show it as written."""
        with self._connection() as connection:
            connection.execute(
                update(snapshots).where(snapshots.c.run_id == run_id).values(dry_run=False)
            )

    def dry_run_plan(self, campaign: str, day: date) -> tuple[RecordedRun, Plan] | None:
        """The plan of ``campaign``'s latest dry run on ``day``, if one is kept and readable."""
        with self._connection() as connection:
            row = connection.execute(
                select(
                    snapshots.c.run_id, snapshots.c.run_date, snapshots.c.taken_at, snapshots.c.plan
                )
                .where(
                    snapshots.c.campaign == campaign,
                    snapshots.c.run_date == day,
                    snapshots.c.dry_run.is_(True),
                )
                .order_by(snapshots.c.taken_at.desc(), snapshots.c.run_id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        try:
            plan = Plan.from_json(zlib.decompress(row.plan))
        except (zlib.error, ValueError):
            return None
        return RecordedRun(row.run_id, campaign, row.run_date, True, row.taken_at), plan

    def recorded(self, run_id: str) -> Recorded | None:
        """The snapshot and plan kept for ``run_id`` (a unique prefix will do), if any."""
        found = self._run_id(snapshots, run_id)
        if found is None:
            return None
        with self._connection() as connection:
            row = connection.execute(select(snapshots).where(snapshots.c.run_id == found)).one()
        return _recorded(row._mapping)

    def recorded_runs(
        self, campaign: str | None = None, since: date | None = None, until: date | None = None
    ) -> list[RecordedRun]:
        """The runs whose snapshot is kept, oldest first (without their contents)."""
        query = select(
            snapshots.c.run_id,
            snapshots.c.campaign,
            snapshots.c.run_date,
            snapshots.c.dry_run,
            snapshots.c.taken_at,
        )
        if campaign is not None:
            query = query.where(snapshots.c.campaign == campaign)
        if since is not None:
            query = query.where(snapshots.c.run_date >= since)
        if until is not None:
            query = query.where(snapshots.c.run_date <= until)
        with self._connection() as connection:
            rows = connection.execute(
                query.order_by(snapshots.c.taken_at, snapshots.c.run_id)
            ).all()
        return [
            RecordedRun(r.run_id, r.campaign, r.run_date, bool(r.dry_run), r.taken_at) for r in rows
        ]

    def record_digests(self, deliveries: Sequence[DigestDelivery]) -> None:
        """Keep whether each message was delivered (a message sent again replaces its row)."""
        if not deliveries:
            return
        now = utc_now()
        rows = [
            {
                "run_id": d.run_id,
                "kind": d.kind,
                "user_id": d.user_id,
                "channel": d.channel,
                "salesperson": d.salesperson[:255],
                "delivered": d.delivered,
                "error": d.error,
                "odoo_version": d.odoo_version,
                "updated_at": now,
            }
            for d in deliveries
        ]
        with self._connection() as connection:
            upsert(
                connection,
                digests,
                rows,
                key=("run_id", "kind", "user_id", "channel"),
                update=("salesperson", "delivered", "error", "odoo_version", "updated_at"),
            )

    def digest_deliveries(self, run_id: str) -> list[DigestDelivery]:
        """What became of each message about run ``run_id``."""
        with self._connection() as connection:
            rows = connection.execute(
                select(digests)
                .where(digests.c.run_id == run_id)
                .order_by(digests.c.kind, digests.c.user_id, digests.c.channel)
            ).all()
        return [_delivery(row._mapping) for row in rows]

    def undelivered_digests(self, campaign: str, since: date) -> list[Undelivered]:
        """Messages about ``campaign``'s runs since ``since`` that are still not delivered,
        newest run first: a run's own digests while it stands (completed), and the
        corrections of an undone one."""
        current = or_(
            and_(digests.c.kind == RUN_DIGEST, runs.c.status == COMPLETED),
            and_(digests.c.kind == UNDO_DIGEST, runs.c.status == UNDONE),
        )
        with self._connection() as connection:
            rows = connection.execute(
                select(digests, runs.c.run_date, runs.c.started_at)
                .join(runs, runs.c.run_id == digests.c.run_id)
                .where(
                    runs.c.campaign == campaign,
                    runs.c.run_date >= since,
                    digests.c.delivered.is_(False),
                    current,
                )
                .order_by(
                    runs.c.started_at.desc(),
                    digests.c.run_id,
                    digests.c.kind,
                    digests.c.salesperson,
                    digests.c.channel,
                )
            ).all()
        grouped: dict[tuple[str, str], tuple[date, list[str], list[str]]] = {}
        for row in rows:
            _, people, reasons = grouped.setdefault((row.run_id, row.kind), (row.run_date, [], []))
            people.append(row.salesperson)
            reasons.append(row.error or "not delivered")
        return [
            Undelivered(
                run_id,
                day,
                kind,
                tuple(dict.fromkeys(people)),
                tuple(dict.fromkeys(reasons)),
            )
            for (run_id, kind), (day, people, reasons) in grouped.items()
        ]

    def _runs(self, condition: Any) -> list[RunRecord]:
        with self._connection() as connection:
            rows = connection.execute(
                select(runs).where(condition).order_by(runs.c.started_at, runs.c.run_id)
            ).all()
        return [_record(row._mapping) for row in rows]

    @staticmethod
    def _insert_batches(connection: Connection, run_id: str, planned: Sequence[Batch]) -> None:
        if not planned:
            return
        now = utc_now()
        connection.execute(
            insert(batches),
            [
                {
                    "run_id": run_id,
                    "kind": batch.kind,
                    "batch_no": batch.batch_no,
                    "lead_ids": _json(batch.lead_ids),
                    "values_json": json.dumps(dict(batch.values), sort_keys=True),
                    "expect_json": _json(
                        {k: (e.write_date, dict(e.fields)) for k, e in batch.expect.items()}
                    ),
                    "updated_at": now,
                    **_progress(batch),
                }
                for batch in planned
            ],
        )
        for batch in planned:
            batch.previous_on_record = len(batch.previous)

    def _connection(self) -> AbstractContextManager[Connection]:
        return transaction(self.engine)

    def unavailable(self, error: SQLAlchemyError, doing: str = "") -> TrackingUnavailable:
        """The failure as one sentence naming the journal's database, without a password."""
        return unavailable(self.engine, error, doing)


def _saving(previous: bool = True) -> Update:
    """The UPDATE recording a batch's progress (with its leads' previous states or
    without), built once: a run saves each batch twice, and building the statement anew
    (with its values inline) cost more than running it."""
    columns = [*_progress(Batch("", 0, (), {}, {}), previous), "updated_at"]
    return (
        update(batches)
        .where(
            batches.c.run_id == bindparam("key_run_id"),
            batches.c.kind == bindparam("key_kind"),
            batches.c.batch_no == bindparam("key_batch_no"),
        )
        .values({name: bindparam(f"new_{name}") for name in columns})
    )


def _progress(batch: Batch, previous: bool = True) -> dict[str, Any]:
    """A batch's progress columns; its leads' previous states only when ``previous``."""
    return {
        "state": batch.state,
        "attempts": batch.attempts,
        **({"previous_json": _json(batch.previous)} if previous else {}),
        "sent_json": _json(batch.sent),
        "written_json": _json(batch.written),
        "already_json": _json(batch.already),
        "skipped_json": _json(batch.skipped),
        "failed_json": _json(batch.failed),
    }


def _json(value: Any) -> str:
    """Compact JSON (ids as keys become strings) by pydantic-core's encoder: a batch's
    records are encoded twice per batch, and this is several times faster than `json`."""
    return to_json(value).decode()


_SAVE = _saving()
_SAVE_OUTCOME = _saving(previous=False)


def _batch(row: RowMapping) -> Batch:
    def by_id(column: str) -> dict[int, Any]:
        return {int(k): v for k, v in json.loads(row[column]).items()}

    return Batch(
        kind=row["kind"],
        batch_no=row["batch_no"],
        lead_ids=tuple(json.loads(row["lead_ids"])),
        values=json.loads(row["values_json"]),
        expect={k: Expectation(v[0], v[1]) for k, v in by_id("expect_json").items()},
        state=row["state"],
        attempts=row["attempts"],
        previous=(previous := by_id("previous_json")),
        previous_on_record=len(previous),
        sent=tuple(json.loads(row["sent_json"])),
        written=by_id("written_json"),
        already=list(json.loads(row["already_json"])),
        skipped=by_id("skipped_json"),
        failed=by_id("failed_json"),
    )


def _delivery(row: RowMapping) -> DigestDelivery:
    return DigestDelivery(
        run_id=row["run_id"],
        kind=row["kind"],
        user_id=row["user_id"],
        channel=row["channel"],
        salesperson=row["salesperson"],
        delivered=bool(row["delivered"]),
        error=row["error"],
        odoo_version=row["odoo_version"],
    )


def _record(row: RowMapping) -> RunRecord:
    return RunRecord(
        **{
            name: row[name]
            for name in RunRecord.__dataclass_fields__
            if name not in ("forced", "unsettled")
        },
        forced=bool(row["forced"]),
    )
