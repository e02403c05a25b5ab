"""From the planner's settings and a `Snapshot` to a `Plan`: a pure function (`plan_snapshot`).

`plan_snapshot` is a short composition of named steps over plain values and the
snapshot's recorded answers: prepare (`preparing`), find, attendance (`attendance`),
request, distribute (`policy` says what happens when it cannot), write groups
(`writes`) and assemble (`assembly`). It reads nothing and logs nothing: what a run
says while planning comes back as values (`Planned.said`). Taking the snapshot, then
planning, is composed by the command (`commands.running.plan_run`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from odoo_lead_manager.config.defaults import sales_reporting
from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.sales_dropback import (
    SalesFilter,
    SalesFilterReporting,
)
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.fetched import Rejection
from odoo_lead_manager.domain.holders import earlier_holders
from odoo_lead_manager.domain.ledger import with_today
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Lead, Salesperson
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.rotation import cycle_key
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.ops.logs import Said
from odoo_lead_manager.pipeline.assembly import Found, Outcome, Request, assemble, rejected_leads
from odoo_lead_manager.pipeline.attendance import Attendance, attendance_on, cap_rooms, no_capacity
from odoo_lead_manager.pipeline.finding import found_in
from odoo_lead_manager.pipeline.finding.finder import FindResult
from odoo_lead_manager.pipeline.finding.sales import NAME as SALES_FILTER
from odoo_lead_manager.pipeline.policy import (
    FALLBACK_OWNER,
    distribute_or_fall_back,
    no_leads_or_raise,
    nobody_or_raise,
    nobody_receives,
    odoo_assigns,
    to_fallback_owner,
    within_validation_threshold,
)
from odoo_lead_manager.pipeline.preparing import (
    Prepared,
    keeps_rejected,
    member_leads,
    prepare_recorded,
    unread_fields,
)
from odoo_lead_manager.pipeline.settings import PlanSettings
from odoo_lead_manager.pipeline.stakes import run_stakes
from odoo_lead_manager.pipeline.strategies import (
    StrategyInput,
    choose_strategy,
)
from odoo_lead_manager.pipeline.strategies.engine import (
    NO_SALESPEOPLE,
    NOBODY_AVAILABLE,
)
from odoo_lead_manager.pipeline.writes import dropback_plan, releasing, write_groups


@dataclass(frozen=True)
class Planned:
    """A plan, the snapshot it was computed from, and the leads the filters excluded
    when the ledger is asked for (``--export-excluded``, ``export_excluded_leads``)."""

    plan: Plan
    rejected: tuple[Rejection, ...] = ()
    snapshot: Snapshot | None = None
    # What planning had to say, in order, for the caller to log (`ops.logs.tell`).
    said: tuple[Said, ...] = ()


def choose_seed(settings: PlanSettings, seed: int | None, day: date) -> int:
    """``--seed``, else ``execution.seed``, else the day's seed (`day_seed`): recorded in
    the plan either way."""
    if seed is not None:
        return seed
    if settings.seed is not None:
        return settings.seed
    return day_seed(settings.campaign, day, settings.digest)


def day_seed(campaign: str | None, day: date, config_digest: str) -> int:
    """The seed of a campaign's runs on ``day`` under one configuration.

    Derived, not drawn, so that a dry run and the real run of the same day on
    the same CRM decide every lead alike: the preview is the run. Another day,
    campaign or configuration gives another order.
    """
    text = f"{campaign or ''}\n{day.isoformat()}\n{config_digest}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def plan_snapshot(
    settings: PlanSettings,
    snapshot: Snapshot,
    seed: int,
    ledger: bool = False,
) -> Planned:
    """The plan computed from ``snapshot``: no store, no file, no clock, no log line.

    The same settings, snapshot and seed give the same plan, today or months
    later (`odlm replay`). ``ledger`` keeps every excluded lead (the exclusion
    ledger, `odlm explain`), as ``export_excluded_leads`` does. What a run
    says while planning comes back in `Planned.said`, for its caller to log.
    """
    said: list[Said] = []
    crm = snapshot.lookups()
    candidates, prepared = prepare_recorded(settings, snapshot, crm)
    problems = [*prepared.problems, *_unread_notes(snapshot, prepared)]
    said.extend(_selection_said(problems, prepared))
    within_validation_threshold(
        settings,
        prepared.selection.skipped_reasons.get("not CRM users", 0),
        prepared.setup.skipped_sources,
    )
    found = _find(settings, snapshot, prepared, ledger, said)
    if not found.result.leads and not found.result.dropback:
        problems.append(no_leads_or_raise(settings, found.result.examined, said))
    attendance = attendance_on(settings.selection.availability, snapshot, candidates, prepared)
    request = _request(settings, snapshot, crm, candidates, prepared, found, attendance)
    problems.extend(request.problems)
    if prepared.selection.eligible and not attendance.present:
        why = f"nobody of the campaign is available on {snapshot.today}"
        problems.append(nobody_or_raise(settings, why))
    outcome = _distribute_request(settings, snapshot, seed, prepared, found, request, said)
    writes = (
        *write_groups(
            settings.distribution, outcome.result.assignments, prepared.teams,
            settings.owners.written,
        ),
        *found.dropback_writes,
    )  # fmt: skip
    plan = assemble(
        settings, snapshot, seed, crm, candidates, prepared, found, attendance, request,
        outcome, writes, problems, said,
    )  # fmt: skip
    return Planned(plan, rejected_leads(found, outcome, plan), said=tuple(said))


def _unread_notes(snapshot: Snapshot, prepared: Prepared) -> list[str]:
    """A replay under rules the recorded run did not have: the fields it did not read."""
    unread = sorted(set(snapshot.fetched.unread) - set(unread_fields(prepared.setup, prepared)))
    if not unread:
        return []
    return [
        f"the snapshot did not read {', '.join(unread)} (no rule of its run looked at "
        "it), so every lead counts as having none"
    ]


def _selection_said(problems: Sequence[str], prepared: Prepared) -> list[Said]:
    """The warnings of the selection and the rules, and the selection's line."""
    selection, workloads = prepared.selection, prepared.workloads
    warnings = (*problems, *selection.warnings, *prepared.setup.warnings)
    return [
        *(Said(logging.WARNING, "%s", (warning,)) for warning in warnings),
        Said(
            logging.INFO,
            "salespeople: %d eligible, %d inactive, %d left out",
            (len(selection.eligible), len(selection.inactive), len(selection.left_out)),
            stage="selection",
            counts={
                "eligible": len(selection.eligible),
                "inactive": len(selection.inactive),
                "left_out": len(selection.left_out),
            },
        ),
        Said(
            logging.DEBUG,
            "workload: %s",
            ({p.name: workloads[p.user_id].total for p in selection.eligible},),
        ),
    ]


def _find(
    settings: PlanSettings, snapshot: Snapshot, prepared: Prepared, ledger: bool, said: list[Said]
) -> Found:
    """The rules over the fetched leads, with what the server removed counted in."""
    sales = settings.finding.sales_filter
    reporting = sales_reporting(sales) if sales is not None and sales.enabled else None
    keep = keeps_rejected(settings.finding, ledger)
    found = found_in(snapshot.fetched, prepared.setup.pipeline, keep)
    if sales is not None and reporting is not None:
        said.extend(_sales_said(sales, reporting, found))
    dropback, writes = dropback_plan(
        prepared.setup.dropback, found.dropback, settings.owners.holder
    )
    for rule, removed in found.excluded.items():
        if removed:
            said.append(
                Said(
                    logging.INFO,
                    "%s: %d leads removed",
                    (rule, removed),
                    stage="finding",
                    labels={"rule": rule},
                    counts={"removed": removed},
                )
            )
    said.append(
        Said(
            logging.INFO,
            "found %d distributable and %d dropback leads of %d examined",
            (len(found.leads), len(found.dropback), found.examined),
            stage="finding",
            counts={
                "distributable": len(found.leads),
                "dropback": len(found.dropback),
                "examined": found.examined,
            },
        )
    )
    return Found(found, keep, dropback, writes)


def _request(
    settings: PlanSettings,
    snapshot: Snapshot,
    crm: Lookups,
    candidates: Candidates,
    prepared: Prepared,
    found: Found,
    attendance: Attendance,
) -> Request:
    """Who receives, how much room each has, and what Odoo's own assignment allows."""
    selection, leads = prepared.selection, found.result.leads
    distribution, owners = settings.distribution, settings.owners
    members = (*selection.eligible, *selection.inactive)
    max_leads = snapshot.max_leads if snapshot.max_leads is not None else settings.max_leads_per_run
    chosen, note = choose_strategy(
        distribution, snapshot.force_round_robin, len(leads), len(selection.eligible)
    )
    reset = {"status": distribution.status_reset} if distribution.status_reset else {}
    rooms, weekend, problems = cap_rooms(distribution, snapshot, members)
    accepts, prefers = member_leads(
        settings.selection, crm, candidates, attendance.present, snapshot.fetched
    )
    there = {p.user_id for p in attendance.present}
    problems.extend(no_capacity(prepared, members, candidates))
    odoo_teams = {t for t in prepared.teams.values() if t is not None}
    odoo_teams.update(m.team_id for m in candidates.members)
    odoo_note, refused = odoo_assigns(
        settings.policy.odoo_auto_assignment, prepared.assignment, odoo_teams
    )
    if odoo_note is not None:
        problems.append(odoo_note)
    problems.extend(attendance.notes)
    per_run = settings.selection.availability.catch_up_per_run
    stakes, balances = _ledger(snapshot, chosen, distribution, selection.eligible, attendance)
    data = StrategyInput(
        leads=leads,
        salespeople=attendance.present,
        workloads=prepared.workloads,
        settings=distribution,
        levels=prepared.levels,
        max_leads=max_leads,
        cycle=cycle_key(snapshot.today, distribution.round_robin_override.cycle_reset),
        owner_field=owners.holder,
        releasing=releasing(leads, {**dict.fromkeys(owners.written, 0), **reset}, owners.counting),
        rooms=rooms,
        weekend=weekend,
        present_share={uid: a.share for uid, a in attendance.away.items() if a.share > 0},
        catch_up={uid: min(debt, per_run) for uid, debt in attendance.debts.items()},
        accepts=accepts,
        prefers=prefers,
        capacity={uid: c for uid, c in prepared.capacity.items() if uid in there},
        earlier=barred_holders(
            leads, snapshot.earlier_holders, owners.holder, distribution.never_back_to_last
        ),
        stakes=stakes,
        balances=balances,
        ledger_days=len(snapshot.standing.days) if snapshot.standing is not None else 0,
    )
    return Request(data, chosen, note, refused, tuple(problems))


def _ledger(
    snapshot: Snapshot,
    strategy: str,
    distribution: Distribution,
    eligible: Sequence[Salesperson],
    attendance: Attendance,
) -> tuple[dict[int, float], dict[int, float]]:
    """Each eligible salesperson's stake in the run and balance in the fairness ledger,
    this run's outside receipts counted (both empty when the ledger is off)."""
    if snapshot.standing is None:
        return {}, {}
    there = {uid: away.share for uid, away in attendance.away.items()}
    stakes = run_stakes(strategy, distribution, eligible, there)
    outside = {uid: len(ids) for uid, ids in snapshot.outside.items()}
    return stakes, with_today(snapshot.standing, stakes, outside)


def barred_holders(
    leads: Sequence[Lead], chains: Mapping[int, tuple[int, ...]], holder: str, count: int
) -> dict[int, frozenset[int]]:
    """The earlier holders each lead must not go back to: of its last ``count`` holders,
    those other than the one holding it now (``distribution.never_back_to_last``)."""
    barred = (
        (lead.id, earlier_holders(chains.get(lead.id, ()), getattr(lead, holder), count))
        for lead in leads
        if lead.id in chains
    )
    return {lead_id: users for lead_id, users in barred if users}


def _distribute_request(
    settings: PlanSettings,
    snapshot: Snapshot,
    seed: int,
    prepared: Prepared,
    found: Found,
    request: Request,
    said: list[Said],
) -> Outcome:
    """The strategy over the request; the fallback owner only when nobody of the campaign can
    receive; with neither, only the dropback happens."""
    present = request.data.salespeople
    leads = found.result.leads
    fallback = prepared.fallback if not present else None
    if present:
        name, note, result = distribute_or_fall_back(
            settings, request.chosen, request.note, request.data, snapshot.rotation, seed, said
        )
    else:
        name, note = request.chosen, request.note
        reason = NO_SALESPEOPLE if not prepared.selection.eligible else NOBODY_AVAILABLE
        if fallback is not None:
            name = FALLBACK_OWNER
            result = to_fallback_owner(
                leads, fallback, settings.owners.holder, request.data.max_leads, reason
            )
        else:
            result = nobody_receives(leads, reason)
    left = sum(len(ids) for ids in result.unassigned.values())
    said.append(
        Said(
            logging.INFO,
            "%s: %d assigned, %d left (%s)",
            (name, len(result.assignments), left, ", ".join(result.unassigned) or "none"),
            stage="strategy",
            labels={"strategy": name},
            counts={"assigned": len(result.assignments), "left": left},
        )
    )
    return Outcome(name, note, result, fallback)


def _sales_said(cfg: SalesFilter, reporting: SalesFilterReporting, found: FindResult) -> list[Said]:
    """``sales_filter`` logging: how many leads it excluded, and (match details) each one."""
    level = logging.getLevelName(cfg.log_level.upper())
    said = []
    if reporting.log_excluded_leads:
        count = found.excluded.get(SALES_FILTER, 0)
        said.append(
            Said(
                level,
                "sales filter: %d leads excluded (their partner has an opportunity)",
                (count,),
            )
        )
    if reporting.log_match_details:
        for rejection in found.rejected:
            if rejection.filter == SALES_FILTER:
                lead = rejection.lead
                said.append(
                    Said(
                        level,
                        "sales filter: lead %d excluded (partner %s; matched by %s)",
                        (lead.id, lead.partner_id, rejection.detail or "partner, e-mail or phone"),
                    )
                )
    return said
