"""Analytics over the tracking history (spec §8.2, §9.5): `odlm report`.

Four reports, each a JSON-ready dict in the shapes of §9.5.2, read from the
history tables of real runs (dry runs are previews, not history; undone
assignments are left out):

- ``daily``: one campaign's day: totals, efficiency, participants, the
  average, the execution time, the top recipients and the utilisation std dev;
- ``salesperson``: one user over a date range: leads received, the average
  per day of the range, the daily utilisation trend, the efficiency of the
  days they took part in, and the statuses of the leads they received;
- ``campaign``: one campaign over a date range: totals, efficiency, per-day
  figures, per-salesperson totals and the leads by source and status;
- ``trends``: the last N days per campaign: one point per day (distributed,
  efficiency, utilisation std dev) and the direction of each series.

`history_figures` gathers what the HTML pages chart (`reporting.history_html`):
per campaign and day the leads moved, the utilisation std dev and the leads
left by reason; per salesperson and day the leads received, the after-count
and the target.
"""

from __future__ import annotations

import json
import statistics
import zlib
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    and_,
    distinct,
    false,
    func,
    select,
)

from odoo_lead_manager.domain.fairness import UTILISATION_STDEV, utilisation_stdev
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.reasons import (
    LEFT_ALONE,
    NOT_DISTRIBUTED,
    REFUSED,
    UNACCOUNTED,
    reason_code,
    tally,
)
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.state.database import transaction
from odoo_lead_manager.state.tables import (
    assignment_history,
    batches,
    plans,
    snapshots,
    summary,
    tracking,
)

TOP_RECIPIENTS = 5


def daily_report(engine: Engine, day: date, campaign: str) -> dict[str, Any]:
    """§9.5.2 "Daily Distribution Summary"."""
    with transaction(engine) as connection:
        row = _summary_rows(connection, campaign, day, day)
        people = _tracking_rows(connection, campaign, day, day)
    if not row:
        raise UserInputError(
            f"no distribution of campaign {campaign or '(none)'} on {day} in the history"
        )
    record = row[0]
    ranked = sorted(people, key=lambda r: (-r["leads_received"], r["salesperson_name"]))
    return {
        "date": day.isoformat(),
        "campaign": campaign,
        "run_id": record["run_id"],
        "run_status": record["run_status"],
        "total_leads_found": record["total_leads_found"],
        "total_leads_distributed": record["total_leads_distributed"],
        "distribution_efficiency": _number(record["distribution_efficiency_percentage"]),
        "salespeople_participated": record["total_salespeople_received_leads"],
        "average_leads_per_salesperson": _number(record["average_leads_per_salesperson"]),
        "execution_time_seconds": _number(record["execution_time_seconds"]),
        UTILISATION_STDEV.key: _utilisation_stdev(people),
        "top_recipients": [
            {
                "user_id": r["salesperson_id"],
                "name": r["salesperson_name"],
                "leads_received": r["leads_received"],
            }
            for r in ranked[:TOP_RECIPIENTS]
            if r["leads_received"]
        ],
    }


def salesperson_report(engine: Engine, user_id: int, start: date, end: date) -> dict[str, Any]:
    """§9.5.2 "Salesperson Performance Report"."""
    history = assignment_history.c
    with transaction(engine) as connection:
        rows = (
            connection.execute(
                select(tracking)
                .where(
                    tracking.c.salesperson_id == user_id,
                    tracking.c.dry_run == false(),
                    tracking.c.distribution_date.between(start, end),
                )
                .order_by(tracking.c.distribution_date, tracking.c.campaign_name)
            )
            .mappings()
            .all()
        )
        days = {(r["distribution_date"], r["campaign_name"]) for r in rows}
        efficiency = [
            _number(s["distribution_efficiency_percentage"])
            for s in _summary_rows(connection, None, start, end)
            if (s["distribution_date"], s["campaign_name"]) in days
        ]
        statuses = (
            connection.execute(
                select(history.lead_status).where(
                    history.new_user_id == user_id,
                    history.undone_at.is_(None),
                    history.distribution_date.between(start, end),
                )
            )
            .scalars()
            .all()
        )
    if not rows:
        raise UserInputError(f"no history for user {user_id} between {start} and {end}")
    received = sum(r["leads_received"] for r in rows)
    return {
        "user_id": user_id,
        "name": rows[-1]["salesperson_name"],
        "date_range": [start.isoformat(), end.isoformat()],
        "total_leads_received": received,
        "average_leads_per_day": round(received / ((end - start).days + 1), 2),
        "utilization_trend": [_number(r["utilization_percentage"]) for r in rows],
        "distribution_efficiency": round(statistics.fmean(efficiency), 2) if efficiency else None,
        "lead_status_distribution": tally(statuses),
    }


def campaign_report(engine: Engine, campaign: str, start: date, end: date) -> dict[str, Any]:
    """One campaign over a date range: totals, per day, per salesperson, leads by source."""
    history = assignment_history.c
    with transaction(engine) as connection:
        days = _summary_rows(connection, campaign, start, end)
        people = _tracking_rows(connection, campaign, start, end)
        leads = connection.execute(
            select(history.lead_source, history.lead_status).where(
                history.campaign_name == campaign,
                history.undone_at.is_(None),
                history.distribution_date.between(start, end),
            )
        ).all()
    if not days:
        raise UserInputError(
            f"no distribution of campaign {campaign or '(none)'} between {start} and {end}"
        )
    found = sum(d["total_leads_found"] for d in days)
    distributed = sum(d["total_leads_distributed"] for d in days)
    per_person: dict[int, dict[str, Any]] = {}
    for r in people:
        entry = per_person.setdefault(
            r["salesperson_id"],
            {"user_id": r["salesperson_id"], "name": r["salesperson_name"], "leads_received": 0},
        )
        entry["leads_received"] += r["leads_received"]
    return {
        "campaign": campaign,
        "date_range": [start.isoformat(), end.isoformat()],
        "days_distributed": len(days),
        "total_leads_found": found,
        "total_leads_distributed": distributed,
        "distribution_efficiency": round(100 * distributed / found, 2) if found else 0.0,
        "daily": [
            _point(d, [p for p in people if p["distribution_date"] == d["distribution_date"]])
            for d in days
        ],
        "salespeople": sorted(per_person.values(), key=lambda e: (-e["leads_received"], e["name"])),
        "leads_by_source": tally(source for source, _ in leads),
        "leads_by_status": tally(status for _, status in leads),
    }


def trend_report(engine: Engine, days: int, today: date, campaign: str | None) -> dict[str, Any]:
    """The last ``days`` days: one series per campaign, and whether each figure rises or falls."""
    start = today - timedelta(days=days - 1)
    with transaction(engine) as connection:
        rows = _summary_rows(connection, campaign, start, today)
        people = _tracking_rows(connection, campaign, start, today)
    campaigns: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        same_day = [
            p
            for p in people
            if p["distribution_date"] == row["distribution_date"]
            and p["campaign_name"] == row["campaign_name"]
        ]
        campaigns.setdefault(row["campaign_name"], []).append(_point(row, same_day))
    return {
        "date_range": [start.isoformat(), today.isoformat()],
        "days": days,
        "campaigns": {
            name: {
                "points": points,
                "direction": {
                    key: _direction([p[key] for p in points if p[key] is not None])
                    for key in (
                        "total_leads_distributed",
                        "distribution_efficiency",
                        UTILISATION_STDEV.key,
                    )
                },
            }
            for name, points in campaigns.items()
        },
    }


def history_figures(engine: Engine, start: date, end: date, campaign: str | None) -> dict[str, Any]:
    """What the history says, day by day from ``start`` to ``end`` (one campaign unless None).

    Per campaign and day: the leads found and moved (distributed, and dropped
    back), the utilisation std dev (`fairness.UTILISATION_STDEV`, as every
    output measures it), the distributable leads left
    undistributed by reason and the leads the rules excluded by reason code.
    The reasons are read from the run's own plan (the journal's, else its
    kept snapshot's) and its write batches; ``left`` and ``excluded`` are
    None when neither is kept any more. Per salesperson and campaign: one
    point per day with what they received, held after and their target.
    """
    with transaction(engine) as connection:
        days = _summary_rows(connection, campaign, start, end)
        people = _tracking_rows(connection, campaign, start, end)
        day_plans = {d["run_id"]: kept_plan(connection, d["run_id"]) for d in days}
        reasons = {d["run_id"]: _reasons(connection, d, day_plans[d["run_id"]]) for d in days}
        moved = _distinct_moved(connection, campaign, start, end)
    campaigns: dict[str, list[dict[str, Any]]] = {}
    labels: dict[str, str] = {}
    for d in days:
        same_day = [
            p
            for p in people
            if p["distribution_date"] == d["distribution_date"]
            and p["campaign_name"] == d["campaign_name"]
        ]
        left, excluded, names = reasons[d["run_id"]]
        labels.update(names)
        campaigns.setdefault(d["campaign_name"], []).append(
            {
                "date": d["distribution_date"].isoformat(),
                "run_id": d["run_id"],
                "run_status": d["run_status"],
                "found": d["total_leads_found"],
                "distributed": d["total_leads_distributed"],
                "dropped_back": d["total_leads_dropped_back"],
                "moved": d["total_leads_distributed"] + d["total_leads_dropped_back"],
                "not_distributed": d["total_leads_not_distributed"],
                UTILISATION_STDEV.key: _utilisation_stdev(same_day),
                "left": left,
                "excluded": excluded,
            }
        )
    salespeople: dict[int, dict[str, Any]] = {}
    runs = {(d["distribution_date"], d["campaign_name"]): day_plans[d["run_id"]] for d in days}
    for p in people:
        entry = salespeople.setdefault(
            p["salesperson_id"],
            {"user_id": p["salesperson_id"], "name": p["salesperson_name"], "campaigns": {}},
        )
        # The latest name the history gives them (rows are by date).
        entry["name"] = p["salesperson_name"]
        plan = runs.get((p["distribution_date"], p["campaign_name"]))
        uid = p["salesperson_id"]
        taken = p["leads_distributed_from"] or 0
        entry["campaigns"].setdefault(p["campaign_name"], []).append(
            {
                "date": p["distribution_date"].isoformat(),
                "received": p["leads_received"],
                "taken": taken,
                "net": p["leads_received"] - taken,
                "meant": None if plan is None else _meant(plan, uid),
                "marks": [] if plan is None else _marks(plan, uid),
                "after": p["leads_after_total"],
                "target": p["target_leads"] or None,
                "utilisation": _number(p["utilization_percentage"]) if p["target_leads"] else None,
            }
        )
    totals = {
        name: _totals(points, [day_plans[x["run_id"]] for x in points], moved.get(name, (0, 0)))
        for name, points in campaigns.items()
    }
    return {
        "date_range": [start.isoformat(), end.isoformat()],
        "dates": sorted({d["distribution_date"].isoformat() for d in days}),
        "campaigns": campaigns,
        "totals": totals,
        "salespeople": sorted(
            salespeople.values(), key=lambda e: (e["name"].casefold(), e["user_id"])
        ),
        "reason_labels": labels,
    }


def _meant(plan: Plan, user_id: int) -> int | None:
    """What the run's strategy meant ``user_id`` to receive (0 for someone it left out, such
    as a salesperson away all day); None for someone not among the run's salespeople."""
    if user_id in plan.quotas:
        return plan.quotas[user_id]
    return 0 if any(p.user_id == user_id for p in plan.salespeople) else None


def _marks(plan: Plan, user_id: int) -> list[str]:
    """Why a salesperson's day is not an ordinary one: away, held back by a cap, owed leads."""
    return [
        note
        for note in (plan.away.get(user_id), plan.capped.get(user_id), plan.catch_up.get(user_id))
        if note
    ]


def _totals(
    days: Sequence[Mapping[str, Any]], plans: Sequence[Plan | None], moved: tuple[int, int]
) -> dict[str, Any]:
    """A campaign's period in figures that count each lead once: the distinct leads moved
    (``moved``: distinct, and moves), the distinct distributable leads the kept plans saw
    (None when a day's plan is gone), and what the latest run left undistributed."""
    seen: set[int] = set()
    for plan in plans:
        if plan is None:
            break
        seen.update(a.lead_id for a in plan.assignments)
        seen.update(a.lead_id for a in plan.dropback)
        seen.update(i for ids in plan.unassigned.values() for i in ids)
    complete = all(plan is not None for plan in plans)
    latest = days[-1]
    return {
        "runs": len(days),
        "leads_moved": moved[0],
        "moves": moved[1],
        "distributable_seen": len(seen) if complete else None,
        "left_now": latest["not_distributed"],
        "latest": latest["date"],
    }


def _distinct_moved(
    connection: Connection, campaign: str | None, start: date, end: date
) -> dict[str, tuple[int, int]]:
    """Per campaign, the distinct leads real runs moved from ``start`` to ``end`` and the
    moves (a lead moved on two days is one lead, two moves); undone moves left out."""
    history = assignment_history.c
    conditions: list[ColumnElement[bool]] = [
        history.distribution_date.between(start, end),
        history.undone_at.is_(None),
    ]
    if campaign is not None:
        conditions.append(history.campaign_name == campaign)
    query = (
        select(history.campaign_name, func.count(distinct(history.lead_id)), func.count())
        .where(*conditions)
        .group_by(history.campaign_name)
    )
    return {name: (int(leads), int(moves)) for name, leads, moves in connection.execute(query)}


def _reasons(
    connection: Connection, day: Any, plan: Plan | None
) -> tuple[dict[str, int] | None, dict[str, int] | None, dict[str, str]]:
    """The leads a day's run left undistributed, by reason, and those its rules excluded,
    by reason code (with each code's rule names); Nones when the run's plan is gone."""
    if plan is None:
        return None, None, {}
    left = {f"{NOT_DISTRIBUTED}: {why}": len(ids) for why, ids in plan.unassigned.items() if ids}
    skipped, failed = _write_outcomes(connection, day["run_id"])
    if skipped:
        left[LEFT_ALONE] = skipped
    if failed:
        left[REFUSED] = failed
    # The summary's count is the truth; what the plan and batches do not explain is said so.
    rest = day["total_leads_not_distributed"] - sum(left.values())
    if rest > 0:
        left[UNACCOUNTED] = rest
    excluded: dict[str, int] = {}
    names: dict[str, str] = {}
    for rule, count in plan.excluded.items():
        try:
            code = reason_code(rule)
        except KeyError:  # a rule newer or older than this odlm: keep its own name
            code = rule
        excluded[code] = excluded.get(code, 0) + count
        names[code] = rule if code not in names else f"{names[code]}; {rule}"
    return left, {c: n for c, n in excluded.items() if n}, names


def kept_plan(connection: Connection, run_id: str, dry_run: bool = False) -> Plan | None:
    """The plan of a run: a real run's from the journal, else the one kept with its snapshot;
    None when neither is kept (or it can no longer be read)."""
    text = None
    if not dry_run:
        text = connection.execute(
            select(plans.c.plan_json).where(plans.c.run_id == run_id)
        ).scalar_one_or_none()
    if text is None:
        blob = connection.execute(
            select(snapshots.c.plan).where(
                snapshots.c.run_id == run_id, snapshots.c.dry_run == dry_run
            )
        ).scalar_one_or_none()
        if blob is None:
            return None
        try:
            text = zlib.decompress(blob).decode()
        except zlib.error:
            return None
    try:
        return Plan.from_json(text)
    except ValueError:
        return None


def _write_outcomes(connection: Connection, run_id: str) -> tuple[int, int]:
    """How many leads the run's write batches left alone (changed since planning) and how
    many the CRM refused."""
    rows = connection.execute(
        select(batches.c.skipped_json, batches.c.failed_json).where(
            batches.c.run_id == run_id, batches.c.kind == "apply"
        )
    ).all()
    skipped: set[str] = set()
    failed: set[str] = set()
    for left_alone, refused in rows:
        skipped.update(json.loads(left_alone or "{}"))
        failed.update(json.loads(refused or "{}"))
    return len(skipped), len(failed)


def find_user(engine: Engine, user: str) -> int:
    """A salesperson's id from ``user``: an id, or a name as the history records it."""
    if user.isdigit():
        return int(user)
    with transaction(engine) as connection:
        found = connection.execute(
            select(tracking.c.salesperson_id, tracking.c.salesperson_name).distinct()
        ).all()
    ids = sorted({uid for uid, name in found if name.casefold() == user.casefold()})
    if len(ids) != 1:
        known = sorted({name for _, name in found})
        what = "several salespeople" if ids else "no salesperson"
        raise UserInputError(
            f"--user {user!r}: {what} of that name in the history"
            + (
                f" (ids {', '.join(map(str, ids))}; give the id)"
                if ids
                else f" (known: {', '.join(known) or 'none'})"
            )
        )
    return int(ids[0])


def _summary_rows(
    connection: Connection, campaign: str | None, start: date, end: date
) -> list[Any]:
    return _real_rows(connection, summary, campaign, start, end)


def _tracking_rows(
    connection: Connection, campaign: str | None, start: date, end: date
) -> list[Any]:
    return _real_rows(connection, tracking, campaign, start, end)


def _real_rows(
    connection: Connection, table: Table, campaign: str | None, start: date, end: date
) -> list[Any]:
    """Rows of real runs dated ``start`` to ``end`` (of ``campaign`` unless None), by date."""
    conditions = [table.c.dry_run == false(), table.c.distribution_date.between(start, end)]
    if campaign is not None:
        conditions.append(table.c.campaign_name == campaign)
    query = select(table).where(and_(*conditions)).order_by(table.c.distribution_date)
    return list(connection.execute(query).mappings().all())


def _point(day: Any, people: Sequence[Any]) -> dict[str, Any]:
    return {
        "date": day["distribution_date"].isoformat(),
        "total_leads_found": day["total_leads_found"],
        "total_leads_distributed": day["total_leads_distributed"],
        "distribution_efficiency": _number(day["distribution_efficiency_percentage"]),
        "salespeople_participated": day["total_salespeople_received_leads"],
        UTILISATION_STDEV.key: _utilisation_stdev(people),
    }


def _utilisation_stdev(people: Sequence[Any]) -> float | None:
    """`fairness.UTILISATION_STDEV` of the day's tracking rows (their utilisation after the
    run), rounded as the reports show it."""
    values = [_number(p["utilization_percentage"]) for p in people if p["target_leads"]]
    figure = utilisation_stdev([v for v in values if v is not None])
    return round(figure, 2) if figure is not None else None


def _direction(values: Sequence[float]) -> str:
    """ "rising", "falling" or "flat": the sign of the least-squares slope."""
    if len(values) < 2:
        return "flat"
    slope = statistics.linear_regression(range(len(values)), values).slope
    scale = max(abs(v) for v in values) or 1.0
    if abs(slope) * len(values) < 0.01 * scale:
        return "flat"
    return "rising" if slope > 0 else "falling"


def _number(value: Decimal | float | int | None) -> float:
    return float(value) if value is not None else 0.0
