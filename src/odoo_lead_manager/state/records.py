"""The rows of the history tables, built from a plan and what became of it.

Pure functions: no database, no CRM. `History` writes what they return.

Definitions the requirements leave open:

- "distributed" counts the strategy's assignments that were written (all of
  them for a dry run); leads dropped back to campaign managers are counted
  apart (``total_leads_dropped_back``) but are in the assignment history;
- the average is per salesperson who received leads (as in the spec's
  sample report); min and max run over every eligible salesperson, so a
  minimum of 0 shows that somebody received nothing;
- the breakdowns by source, status and campaign describe the distributed
  leads, as the plan saw them;
- a dry run's "after" counts are projected from the plan; a real run's are
  counted in the CRM once it has written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from odoo_lead_manager.domain.model import Assignment, LeadFacts
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.state.tables import STATUS_COLUMNS

StatusCounts = Mapping[str, int]
Row = dict[str, Any]
NO_VALUE = "(none)"
_ALIASES = {"callback": "call_back", "inprogress": "in_progress", "fullpitch": "full_pitch"}


@dataclass(frozen=True)
class Outcome:
    """What a run did with its plan: the assignments written and how the run stands."""

    dry_run: bool
    handed_out: Sequence[Assignment]
    after: Mapping[int, StatusCounts]
    seconds: float
    # completed | stopped | dry_run
    status: str


def status_column(status: str) -> str | None:
    """The §9.2.1 column a status counts in ("Call Back" -> call_back), or None."""
    key = re.sub(r"[^a-z0-9]+", "_", status.lower()).strip("_")
    key = _ALIASES.get(key.replace("_", ""), key)
    return key if key in STATUS_COLUMNS else None


def count_columns(when: str, by_status: StatusCounts) -> Row:
    """``leads_<when>_*`` columns: the total, the spec's statuses and the whole breakdown."""
    row: Row = {f"leads_{when}_{status}": 0 for status in STATUS_COLUMNS}
    for status, count in by_status.items():
        column = status_column(status)
        if column is not None:
            row[f"leads_{when}_{column}"] += count
    row[f"leads_{when}_total"] = sum(by_status.values())
    row[f"leads_{when}_by_status"] = {status or NO_VALUE: n for status, n in by_status.items()}
    return row


def projected_after(plan: Plan, placed: Collection[int] | None = None) -> dict[int, StatusCounts]:
    """Each salesperson's leads by status once the plan (or its ``placed`` leads) is written.

    The plan's own projection (`Plan.projection`): a lead leaves its holder's
    count and joins its new owner's, with the status it is written with;
    statuses the workload does not count are left out, as
    `workload.workload_domain` leaves them out.
    """
    return dict(plan.projection(placed).by_status)


def salesperson_rows(
    plan: Plan,
    outcome: Outcome,
    received: Mapping[int, int],
    taken: Mapping[int, int],
    now: datetime,
) -> list[Row]:
    """§9.2.1: one row per eligible salesperson."""
    rows = []
    for person in plan.salespeople:
        workload = plan.workloads.get(person.user_id)
        after = outcome.after.get(person.user_id, {})
        target = person.target_leads or 0
        rows.append(
            {
                "distribution_date": plan.today,
                "salesperson_id": person.user_id,
                "salesperson_name": person.name[:255],
                "campaign_name": (plan.campaign or "")[:255],
                **count_columns("before", workload.by_status if workload else {}),
                **count_columns("after", after),
                "leads_received": received.get(person.user_id, 0),
                "leads_distributed_from": taken.get(person.user_id, 0),
                "target_leads": target,
                "utilization_percentage": _percent(sum(after.values()), target),
                "distribution_strategy": plan.strategy[:50],
                "active_status": person.active and person.user_active,
                "dry_run": outcome.dry_run,
                "run_id": plan.run_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def received_and_taken(handed_out: Iterable[Assignment]) -> tuple[Counter[int], Counter[int]]:
    """Leads each user received, and leads taken from each previous owner."""
    received: Counter[int] = Counter()
    taken: Counter[int] = Counter()
    for assignment in handed_out:
        received[assignment.user_id] += 1
        if assignment.previous_user_id is not None:
            taken[assignment.previous_user_id] += 1
    return received, taken


def summary_row(plan: Plan, outcome: Outcome, now: datetime) -> Row:
    """§9.2.2: the run's one summary row."""
    dropback = {a.lead_id for a in plan.dropback}
    distributed = [a for a in outcome.handed_out if a.lead_id not in dropback]
    per_person = Counter(a.user_id for a in distributed)
    counts = [per_person.get(p.user_id, 0) for p in plan.salespeople]
    receivers = sum(1 for n in counts if n)
    facts = [plan.lead_facts.get(a.lead_id, LeadFacts()) for a in distributed]
    return {
        "distribution_date": plan.today,
        "campaign_name": (plan.campaign or "")[:255],
        "total_leads_found": plan.distributable,
        "total_leads_distributed": len(distributed),
        "total_leads_not_distributed": max(plan.distributable - len(distributed), 0),
        "total_salespeople_eligible": len(plan.salespeople),
        "total_salespeople_received_leads": receivers,
        "total_leads_dropped_back": len(outcome.handed_out) - len(distributed),
        "distribution_efficiency_percentage": _percent(len(distributed), plan.distributable),
        "average_leads_per_salesperson": _ratio(len(distributed), receivers),
        "max_leads_to_single_salesperson": max(counts, default=0),
        "min_leads_to_single_salesperson": min(counts, default=0),
        "leads_by_source": _tally(f.source for f in facts),
        "leads_by_status": _tally(f.status for f in facts),
        "leads_by_campaign": _tally(f.campaign for f in facts),
        "date_range_start": plan.date_start,
        "date_range_end": plan.date_end,
        "distribution_strategy": plan.strategy[:50],
        "excluded_users": [{"name": name, "reason": why} for name, why in plan.left_out],
        "execution_time_seconds": _ratio(outcome.seconds, 1),
        "dry_run": outcome.dry_run,
        "run_status": outcome.status,
        "run_id": plan.run_id,
        "created_at": now,
        "updated_at": now,
    }


def assignment_rows(plan: Plan, handed_out: Iterable[Assignment], now: datetime) -> list[Row]:
    """§9.2.3: one row per lead written, with its previous and new owner and why."""
    rows = []
    for assignment in handed_out:
        facts = plan.lead_facts.get(assignment.lead_id, LeadFacts())
        previous = assignment.previous_user_id
        rows.append(
            {
                "lead_id": assignment.lead_id,
                "distribution_date": plan.today,
                "previous_user_id": previous,
                "previous_user_name": plan.user_name(previous)[:255] if previous else None,
                "new_user_id": assignment.user_id,
                "new_user_name": plan.user_name(assignment.user_id)[:255],
                "lead_status": _cut(facts.status, 50),
                "lead_source": _cut(facts.source, 100),
                "lead_campaign": _cut(facts.campaign, 100),
                "lead_priority": facts.priority,
                "campaign_name": (plan.campaign or "")[:255],
                "distribution_strategy": plan.strategy[:50],
                "distribution_reason": assignment.reason[:255],
                "run_id": plan.run_id,
                "undone_at": None,
                "created_at": now,
            }
        )
    return rows


def _tally(values: Iterable[str | None]) -> dict[str, int]:
    return dict(sorted(Counter(value or NO_VALUE for value in values).items()))


def _percent(part: float, whole: float) -> Decimal:
    return _ratio(100 * part, whole)


def _ratio(part: float, whole: float) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return Decimal(str(round(part / whole, 2)))


def _cut(text: str | None, length: int) -> str | None:
    return text[:length] if text is not None else None
