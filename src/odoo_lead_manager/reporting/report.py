"""The distribution report (spec §6.3, §8.1): one value built from a plan and its outcome.

Every output — terminal recommendations, CSV, JSON, HTML, the e-mail — is
drawn from a `Report`, so they cannot disagree. Building it is pure.

Definitions: "current" is the workload the plan measured; "after" is what
the CRM holds once the plan is written: current, less the leads handed to
others ("taken"), plus the leads received (for a real run, only the leads
it placed); utilisation is leads over target.
Lead characteristics describe the distributed leads, as the summary in the
tracking history does; date buckets count days from the run's date to the
lead's date in the configured date field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from odoo_lead_manager.domain.fairness import (
    RECEIVED_GINI,
    RECEIVED_RANGE,
    UTILISATION_STDEV,
    WORKLOAD_VARIATION,
    Balance,
)
from odoo_lead_manager.domain.model import LeadFacts
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.reasons import tally
from odoo_lead_manager.domain.runs import ApplyResult
from odoo_lead_manager.ops.privacy import mask_name
from odoo_lead_manager.ops.text import plural

# (upper bound in days, label); leads older than the last bound go to OLDEST.
DATE_BUCKETS = ((7, "0-7 days"), (30, "8-30 days"), (60, "31-60 days"), (180, "61-180 days"))
OLDEST, UNDATED = "over 180 days", "no date"
# Thresholds of the recommendations.
LOW_UTILISATION, HIGH_DROPBACK_SHARE, DOMINANT_FILTER_SHARE = 50.0, 0.2, 0.5


@dataclass(frozen=True)
class PersonLine:
    """One salesperson of the §8.1 salesperson summary."""

    user_id: int
    name: str
    team: str | None
    level: str | None
    target: int | None
    current: int
    received: int
    after: int
    # Leads of theirs this run hands to others (after = current - taken + received).
    taken: int = 0
    # The cap that held them back this run (``distribution.caps``), if one did.
    cap: str | None = None
    # Away on the run's day (``salesperson_selection.availability``), if so.
    away: str | None = None
    # Catching up after an absence (``availability.catch_up``), if so.
    catch_up: str | None = None
    # The leads their assignment domain accepts (``source_type: odoo_team``), if it has one.
    domain: str | None = None
    # Odoo's capacity (``source_type: odoo_team``): the maximum over 30 days, the leads
    # Odoo counted before the run, and its count once the plan is written.
    capacity: dict[str, int] | None = None

    @property
    def utilisation_before(self) -> float | None:
        return 100.0 * self.current / self.target if self.target else None

    @property
    def utilisation_after(self) -> float | None:
        return 100.0 * self.after / self.target if self.target else None

    @property
    def deficit(self) -> int | None:
        return None if self.target is None else self.target - self.current


@dataclass(frozen=True)
class AssignmentLine:
    lead_id: int
    lead: str
    previous: str
    new: str
    reason: str


@dataclass(frozen=True)
class Applied:
    """What a real run wrote (the journal's totals)."""

    written: int
    already: int
    skipped: int
    failed: int
    stopped: str | None
    # Leads sent in batches whose answer never came (a stopped run), and those
    # batches' numbers from 1: the CRM may hold them, or not.
    outcome_unknown: int = 0
    unknown_batches: tuple[int, ...] = ()


@dataclass(frozen=True)
class Report:
    run_id: str
    campaign: str
    day: date
    dry_run: bool
    strategy: str
    seed: int
    generated_at: datetime
    date_start: date | None
    date_end: date | None
    examined: int
    excluded: Mapping[str, int]
    distributable: int
    distributed: int
    not_distributed: Mapping[str, int]
    dropback: Mapping[str, int]
    dropback_applied: bool
    people: tuple[PersonLine, ...]
    by_source: Mapping[str, int]
    by_campaign: Mapping[str, int]
    by_status: Mapping[str, int]
    by_date_range: Mapping[str, int]
    balance: Balance
    recommendations: tuple[str, ...]
    assignments: tuple[AssignmentLine, ...]
    # Whose leads this run hands to others: user name -> leads taken from them.
    taken_from: Mapping[str, int] = field(default_factory=dict)
    configuration: str = ""
    # Exclusions again by a filter's detail (the sales filter's matched stages).
    details: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    applied: Applied | None = None
    seconds: float = 0.0
    masked: bool = False
    # reporting.include_analytics: the efficiency and balance figures.
    analytics: bool = True
    # Who received the leads because nobody of the campaign could (its name), if anyone.
    fallback_owner: str | None = None

    @property
    def efficiency(self) -> float:
        """Distributed leads as a percentage of the distributable ones."""
        return 100.0 * self.distributed / self.distributable if self.distributable else 0.0

    @property
    def funnel(self) -> list[tuple[str, int]]:
        """Leads left after each filter, from those examined to those distributed."""
        steps = [("Examined", self.examined)]
        left = self.examined
        for name, count in self.excluded.items():
            if count:
                left -= count
                steps.append((f"after {name}", left))
        steps.append(("Distributable", self.distributable))
        steps.append(("Distributed", self.distributed))
        return steps

    def analytics_figures(self) -> dict[str, Any]:
        """§8.2: efficiency and the fairness measures (`fairness.MEASURES`, by their keys)."""
        balance = self.balance
        return {
            "distribution_efficiency": round(self.efficiency, 2),
            UTILISATION_STDEV.key: _round(balance.utilisation_stdev),
            WORKLOAD_VARIATION.key: _round(balance.workload_variation),
            RECEIVED_RANGE.key: balance.received_range,
            RECEIVED_GINI.key: round(balance.received_gini, 4),
            "balance_within_goal": balance.within_goal,
            "received_min": balance.received_min,
            "received_max": balance.received_max,
        }

    def to_dict(self) -> dict[str, Any]:
        """The §8.1 shape (distribution_summary, salesperson_summary, lead_characteristics)
        with the run's identity, analytics and recommendations beside it."""
        return {
            "run": {
                "run_id": self.run_id,
                "campaign": self.campaign,
                "configuration": self.configuration,
                "date": self.day.isoformat(),
                "dry_run": self.dry_run,
                "strategy": self.strategy,
                "fallback_owner": self.fallback_owner,
                "seed": self.seed,
                "generated_at": self.generated_at.isoformat(timespec="seconds"),
                "date_range": [_iso(self.date_start), _iso(self.date_end)],
                "execution_time_seconds": round(self.seconds, 2),
            },
            "distribution_summary": {
                "total_leads_examined": self.examined,
                "total_leads_found": self.distributable,
                "total_leads_distributed": self.distributed,
                "leads_not_distributed": sum(self.not_distributed.values()),
                "reason_not_distributed": dict(self.not_distributed),
                "leads_filtered_out": dict(self.excluded),
                **(
                    {"leads_filtered_out_by_detail": {k: dict(v) for k, v in self.details.items()}}
                    if self.details
                    else {}
                ),
                "dropback": dict(self.dropback),
                "leads_taken_from": dict(self.taken_from),
                "applied": None if self.applied is None else vars(self.applied).copy(),
            },
            "salesperson_summary": [
                {
                    "name": p.name,
                    "id": p.user_id,
                    "team": p.team,
                    "level": p.level,
                    "target_leads": p.target,
                    "current_leads": p.current,
                    "leads_received": p.received,
                    "leads_taken": p.taken,
                    "new_total": p.after,
                    "utilization": _round(p.utilisation_after),
                    "utilization_before": _round(p.utilisation_before),
                    "held_back_by_cap": p.cap,
                    "away": p.away,
                    "catch_up": p.catch_up,
                    "assignment_domain": p.domain,
                    "odoo_capacity": p.capacity,
                }
                for p in self.people
            ],
            "lead_characteristics": {
                "by_source": dict(self.by_source),
                "by_campaign": dict(self.by_campaign),
                "by_status": dict(self.by_status),
                "by_date_range": dict(self.by_date_range),
            },
            **({"analytics": self.analytics_figures()} if self.analytics else {}),
            "recommendations": list(self.recommendations),
            "warnings": list(self.warnings),
            "assignments": [vars(a).copy() for a in self.assignments],
        }


def _capacity(plan: Plan, user_id: int) -> dict[str, int] | None:
    capacity = plan.capacity.get(user_id)
    if capacity is None:
        return None
    return {
        "assignment_max": capacity.maximum,
        "last_30_days": capacity.used,
        "after": plan.capacity_after.get(user_id, capacity.used),
    }


def build_report(
    plan: Plan,
    result: ApplyResult | None = None,
    seconds: float = 0.0,
    mask: bool = False,
    generated_at: datetime | None = None,
    analytics: bool = True,
    assignments: bool = True,
    dropback: bool = True,
) -> Report:
    """The report of ``plan``: a dry run's when ``result`` is None, else the applied run's.

    ``assignments=False`` leaves out the per-lead list (the terminal needs
    only the figures and recommendations, and the list is the costly part);
    ``dropback=False`` the dropback counts (``count_dropback_leads: false``).
    """
    placed = None if result is None else result.placed
    projection = plan.projection(placed)
    received = plan.received_among(placed)
    current = {uid: workload.total for uid, workload in plan.workloads.items()}
    people = tuple(
        PersonLine(
            user_id=p.user_id,
            name=p.name,
            team=p.team,
            level=p.level,
            target=p.target_leads,
            current=current.get(p.user_id, 0),
            received=received.get(p.user_id, 0),
            after=projection.total(p.user_id),
            taken=projection.taken.get(p.user_id, 0),
            cap=plan.capped.get(p.user_id),
            away=plan.away.get(p.user_id),
            catch_up=plan.catch_up.get(p.user_id),
            capacity=_capacity(plan, p.user_id),
            domain=plan.domains.get(p.user_id),
        )
        for p in sorted(plan.salespeople, key=lambda p: p.name.casefold())
    )
    taken_from = {
        plan.user_name(uid): count
        for uid, count in sorted(projection.taken.items(), key=lambda item: -item[1])
    }
    facts = [plan.lead_facts.get(a.lead_id, LeadFacts()) for a in plan.assignments]
    dropped = {
        f"{campaign} -> {plan.user_name(user)}": count
        for (campaign, user), count in sorted(plan.dropback_by_campaign.items())
        if dropback
    }
    report = Report(
        run_id=plan.run_id,
        campaign=plan.campaign or "",
        day=plan.today,
        dry_run=result is None,
        strategy=plan.strategy,
        fallback_owner=(
            plan.user_name(plan.fallback_owner) if plan.fallback_owner is not None else None
        ),
        seed=plan.seed,
        generated_at=generated_at or datetime.now().astimezone().replace(microsecond=0),
        date_start=plan.date_start,
        date_end=plan.date_end,
        examined=plan.examined,
        excluded=dict(plan.excluded),
        distributable=plan.distributable,
        distributed=sum(received.values()),
        not_distributed={reason: len(ids) for reason, ids in plan.unassigned.items() if ids},
        dropback=dropped,
        dropback_applied=plan.dropback_applied,
        people=people,
        by_source=tally(f.source for f in facts),
        by_campaign=tally(f.campaign for f in facts),
        by_status=tally(f.status for f in facts),
        by_date_range=date_buckets(plan.today, (f.day for f in facts)),
        balance=plan.balance_of(projection, received),
        taken_from=taken_from,
        configuration=plan.configuration,
        details=plan.excluded_detail,
        recommendations=(),
        assignments=tuple(
            AssignmentLine(
                lead_id=a.lead_id,
                lead=_lead_name(plan.lead_facts.get(a.lead_id, LeadFacts()).name, mask),
                previous=plan.user_name(a.previous_user_id),
                new=plan.user_name(a.user_id),
                reason=a.reason,
            )
            for a in (plan.handed_out if assignments else ())
        ),
        warnings=plan.warnings,
        applied=None
        if result is None
        else Applied(
            result.written,
            result.already,
            len(result.skipped),
            len(result.failed),
            result.stopped,
            sum(len(b.lead_ids) for b in result.unsettled),
            tuple(b.batch_no + 1 for b in result.unsettled),
        ),
        seconds=seconds,
        masked=mask,
        analytics=analytics,
    )
    return _with_recommendations(report)


def date_buckets(today: date, days: Any) -> dict[str, int]:
    """How many of ``days`` fall in each age bucket (in bucket order, empty ones left out)."""
    counts = Counter[str]()
    for day in days:
        if day is None:
            counts[UNDATED] += 1
            continue
        age = (today - day).days
        counts[next((label for bound, label in DATE_BUCKETS if age <= bound), OLDEST)] += 1
    order = [label for _, label in DATE_BUCKETS] + [OLDEST, UNDATED]
    return {label: counts[label] for label in order if counts[label]}


def recommendations(report: Report) -> list[str]:
    """§6.3 "Recommendations": imbalance, capacity and configuration hints, plainly worded."""
    advice = []
    if report.distributable == 0:
        advice.append(
            "No distributable leads: check the date range and the filters "
            "(the filter impact shows what removed the leads)."
        )
    for name, count in report.excluded.items():
        if report.examined and count / report.examined > DOMINANT_FILTER_SHARE:
            advice.append(
                f'"{name}" removed {100 * count / report.examined:.0f}% of the leads examined: '
                "check that it is configured as intended."
            )
    dropped = sum(report.dropback.values())
    if report.examined and dropped / report.examined > HIGH_DROPBACK_SHARE:
        advice.append(
            f"High dropback volume ({plural(dropped, 'lead')}): consider adjusting the age "
            "thresholds or the lead sources."
        )
    for reason, count in report.not_distributed.items():
        advice.append(
            f"{plural(count, 'lead')} not distributed ({reason}): raise targets, allow "
            "overflow or add salespeople."
        )
    after = [p.utilisation_after for p in report.people if p.utilisation_after is not None]
    if after and sum(after) / len(after) < LOW_UTILISATION:
        advice.append(
            f"Low overall utilisation ({sum(after) / len(after):.0f}% of target after "
            "distribution): consider increasing lead volume or reducing targets."
        )
    over = [p.name for p in report.people if (p.utilisation_after or 0) > 100]
    if over:
        advice.append(f"Above target after distribution: {', '.join(over)}.")
    idle = [p.name for p in report.people if p.received == 0]
    if idle and report.distributed:
        advice.append(f"Eligible but receiving no leads: {', '.join(idle)}.")
    if report.balance.within_goal is False:
        advice.append(
            f"Workload imbalance: {report.balance.goal_sentence()}; a target-based strategy "
            "(level_based, capacity_based) evens it out."
        )
    return advice or ["No issues found."]


def _with_recommendations(report: Report) -> Report:
    return replace(report, recommendations=tuple(recommendations(report)))


def _lead_name(name: str, mask: bool) -> str:
    return mask_name(name) if mask else name


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
