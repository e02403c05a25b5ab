"""From a configuration and a `Snapshot` to a `Plan`: a pure function (`plan_snapshot`).

The fetch step (`fetching.take_snapshot`) asks the CRM and reads the files
once; `prepare` and the stages (selection, workload, finding, strategy)
then work on plain values and the snapshot's recorded answers. `plan_run`
is both steps, for a live run.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from odoo_lead_manager import __version__
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.defaults import holder_field, workload_counting, written_owner_fields
from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.registry import check_settings
from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.sales_dropback import (
    DropbackFilter,
    SalesFilter,
    SalesFilterReporting,
)
from odoo_lead_manager.config.schema.selection import Availability, WorkloadCounting
from odoo_lead_manager.errors import ConfigError, RunFailed, RunSkipped, UserInputError
from odoo_lead_manager.finding import found_in
from odoo_lead_manager.finding.configured import FindingSettings, FindingSetup, build_finding
from odoo_lead_manager.finding.dates import lead_day
from odoo_lead_manager.finding.dropback import Dropback, DropbackTarget
from odoo_lead_manager.finding.finder import Fetched, FindResult, Rejection
from odoo_lead_manager.finding.sales import NAME as SALES_FILTER
from odoo_lead_manager.finding.sales import sales_reporting
from odoo_lead_manager.finding.web_sources import read_source_names
from odoo_lead_manager.limits import date_in_range
from odoo_lead_manager.logs import stage_line
from odoo_lead_manager.lookups import Lookups
from odoo_lead_manager.model import (
    Absence,
    Assignment,
    Capacity,
    Lead,
    LeadFacts,
    Salesperson,
    Workload,
    write_stamp,
)
from odoo_lead_manager.odoo_assignment import (
    CAPACITY,
    LeadAssignment,
    accepted,
    describe,
    pause_label,
    refusal,
)
from odoo_lead_manager.plan import PLAN_FORMAT, Plan, WriteGroup
from odoo_lead_manager.selection import Selection, limit_workload, target_campaign
from odoo_lead_manager.selection.absences import (
    Away,
    availability_on,
    crm_absences,
    unknown_absentees,
)
from odoo_lead_manager.selection.odoo_team import (
    accepted_leads,
    capacities,
    capacity_start,
    counted_after,
    domains_of,
    paused_absences,
    preferred_domains_of,
)
from odoo_lead_manager.selection.sources import Candidates, read_candidates, select_candidates
from odoo_lead_manager.snapshot import Snapshot
from odoo_lead_manager.strategies import (
    StrategyInput,
    StrategyResult,
    StrategyUnavailable,
    choose_strategy,
    distribute,
)
from odoo_lead_manager.strategies.caps import (
    Received,
    Room,
    rooms,
    unknown_names,
    weekend_received,
)
from odoo_lead_manager.strategies.catch_up import owed
from odoo_lead_manager.strategies.engine import (
    NO_SALESPEOPLE,
    NOBODY_AVAILABLE,
    OVER_LIMIT,
    OWN_LEADS_ONLY,
)
from odoo_lead_manager.strategies.people import Levels, levels_from, with_levels
from odoo_lead_manager.strategies.round_robin import Rotation, cycle_key
from odoo_lead_manager.workload import (
    compute_workloads,
    count_workloads,
    holder_of,
    lead_move,
)

if TYPE_CHECKING:
    from odoo_lead_manager.crm.store import CrmStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    """Command-line overrides of the configuration for one run."""

    today: date | None = None
    seed: int | None = None
    max_leads: int | None = None
    force_round_robin: bool = False
    date_range: tuple[date, date] | None = None
    # Called with the number of leads fetched so far, for a progress display.
    on_fetched: Callable[[int], None] | None = field(default=None, compare=False)
    # Where the plan is saved (``--plan-out``), for the dry run's advice.
    plan_out: Path | None = None
    # Keep every excluded lead (`odlm explain`, and ``--export-excluded FILE``, written
    # there): nothing is then filtered on the server, so that each one is fetched and listed.
    ledger: bool = False
    export_excluded: Path | None = None
    # Leads this command already moved today for earlier campaigns (several --config).
    moved_elsewhere: frozenset[int] = frozenset()
    # The id the run's snapshot and plan get; chosen by the runner, so that the log lines
    # written while fetching carry it already.
    run_id: str | None = None

    def __post_init__(self) -> None:
        if self.export_excluded is not None and not self.ledger:
            object.__setattr__(self, "ledger", True)


def parse_date_range(text: str, option: str = "--override-date-range") -> tuple[date, date]:
    """``--override-date-range "2024-01-01,2024-06-30"`` into two dates (inclusive)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
    except ValueError:
        raise UserInputError(
            f"{option}: {text!r} is not START,END with dates as YYYY-MM-DD"
        ) from None
    if start > end:
        raise UserInputError(f"{option}: start {start} is after end {end}")
    return date_in_range(start, option), date_in_range(end, option)


def build_plan(
    loaded: LoadedConfig,
    store: CrmStore,
    options: RunOptions | None = None,
    rotation: Rotation | None = None,
) -> Plan:
    """Select, measure, find and distribute; return the plan without writing anything."""
    return plan_run(loaded, store, options, rotation).plan


@dataclass(frozen=True)
class Planned:
    """A plan, the snapshot it was computed from, and the leads the filters excluded
    when the ledger is asked for (``--export-excluded``, ``export_excluded_leads``)."""

    plan: Plan
    rejected: tuple[Rejection, ...] = ()
    snapshot: Snapshot | None = None


def plan_run(
    loaded: LoadedConfig,
    store: CrmStore,
    options: RunOptions | None = None,
    rotation: Rotation | None = None,
    received: Received | None = None,
    moved_elsewhere: Collection[int] = (),
) -> Planned:
    """Take the snapshot (the one step that reads the CRM), then plan from it alone.

    ``rotation`` is where round robin's cycle stands (the caller reads it from
    the tracking database: `rotation_cycle` names the cycle); None starts one.
    ``received`` is what each salesperson received in earlier runs, for the
    caps (the caller reads it from the tracking history).
    """
    # Imported here: fetching builds on this module's `prepare`.
    from odoo_lead_manager.fetching import take_snapshot

    options = options or RunOptions()
    snapshot = take_snapshot(loaded, store, options, rotation, received, moved_elsewhere)
    seed = choose_seed(loaded, options, snapshot.today)
    planned = plan_snapshot(loaded, snapshot, seed, options.ledger)
    return replace(planned, snapshot=snapshot)


# The plan's strategy when the fallback owner received the leads.
FALLBACK_OWNER = "fallback_owner"


def choose_seed(loaded: LoadedConfig, options: RunOptions, day: date) -> int:
    """``--seed``, else ``execution.seed``, else the day's seed (`day_seed`): recorded in
    the plan either way."""
    if options.seed is not None:
        return options.seed
    if loaded.config.execution.seed is not None:
        return loaded.config.execution.seed
    return day_seed(target_campaign(loaded), day, config_fingerprint(loaded.config))


def day_seed(campaign: str | None, day: date, config_digest: str) -> int:
    """The seed of a campaign's runs on ``day`` under one configuration.

    Derived, not drawn, so that a dry run and the real run of the same day on
    the same CRM decide every lead alike: the preview is the run. Another day,
    campaign or configuration gives another order.
    """
    text = f"{campaign or ''}\n{day.isoformat()}\n{config_digest}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


@dataclass(frozen=True)
class Prepared:
    """What planning works out before the leads: who receives, their workload, the rules."""

    campaign: str | None
    selection: Selection
    levels: Levels
    workloads: dict[int, Workload]
    setup: FindingSetup
    # Per salesperson, the sales team written with their leads (None: none written).
    teams: Mapping[int, int | None]
    problems: tuple[str, ...] = ()
    # Who the CRM says is away on the day (``availability.from_crm``).
    absences: tuple[Absence, ...] = ()
    # Who receives the leads when nobody of the campaign can (``fallback_owner``).
    fallback: Salesperson | None = None
    # What the CRM's own lead assignment is set to (None: a snapshot that did not ask).
    assignment: LeadAssignment | None = None
    # The Odoo capacity of each member of an ``odoo_team`` source.
    capacity: Mapping[int, Capacity] = field(default_factory=dict)
    # The names of the sales teams planning knows, for the reports.
    team_names: Mapping[int, str] = field(default_factory=dict)


def prepare(
    loaded: LoadedConfig,
    crm: Lookups,
    candidates: Candidates,
    today: date,
    web_sources: Sequence[str] = (),
    date_range: tuple[date, date] | None = None,
    moved_elsewhere: Collection[int] = (),
    taken_at: datetime | None = None,
    user_names: Mapping[int, str] | None = None,
) -> Prepared:
    """Selection, workload, the finding rules and the teams to write, from ``crm``'s answers.

    The fetch step runs it against the CRM (keeping the answers) to learn the
    fetch domain; the planner runs it again against the snapshot's answers.
    It logs nothing, so that running it twice says nothing twice. ``taken_at``
    is when the snapshot was taken: Odoo's 30-day capacity is counted back from
    that time of the day on ``today``. ``user_names`` are the users known by name
    (the snapshot's), for the rules' sentences.
    """
    cfg = loaded.config
    selection_cfg = cfg.salesperson_selection
    campaign = target_campaign(loaded)
    selection = select_candidates(selection_cfg, candidates, crm, campaign)
    problems: list[str] = []
    if not selection.eligible:
        problems.append(_nobody(loaded, selection.explain_empty(campaign), selection.warnings))
    levels = levels_from(cfg.distribution, selection_cfg.filters.level_order)
    selection = replace(selection, eligible=with_levels(selection.eligible, levels))
    counting = workload_counting(cfg)
    # Every resolved member is measured (four grouped counts whatever their number), so a
    # replay under another configuration finds the workload of whoever it selects.
    measured = {p.user_id for p in (*selection.eligible, *selection.inactive)}
    counts = count_workloads(crm, measured | set(selection.resolved_ids), today, counting)
    workloads = compute_workloads(selection.eligible, counts)
    limit = selection_cfg.filters.max_workload_percentage
    if limit is not None and selection.eligible:
        selection = limit_workload(selection, workloads, limit)
        if not selection.eligible:
            problems.append(_nobody(loaded, selection.explain_empty(campaign), selection.warnings))
        workloads = {p.user_id: workloads[p.user_id] for p in selection.eligible}
    setup = build_finding(
        FindingSettings.of(loaded),
        crm,
        today,
        selection.table_active_ids,
        selection.table_inactive_ids,
        date_range,
        written_owner_fields(cfg),
        web_sources,
        moved_elsewhere,
        user_names,
    )
    fallback = fallback_owner(loaded, crm, campaign)
    receivers = (*selection.eligible, *([fallback] if fallback is not None else []))
    teams, team_names = _write_teams(cfg.distribution, str(loaded.path), crm, receivers, campaign)
    members = {p.user_id: p.name for p in (*selection.eligible, *selection.inactive)}
    assignment = crm.lead_assignment()
    pause = pause_label(assignment.version if assignment is not None else None)
    absences = (
        *(crm_absences(crm, members, today, pause) if selection_cfg.availability.from_crm else ()),
        *paused_absences(candidates.members, members, today, pause),
    )
    capacity = capacities(crm, candidates.members, members, capacity_start(today, taken_at))
    if assignment is not None:
        team_names = {**{t.id: t.name for t in assignment.teams}, **team_names}
    return Prepared(
        campaign,
        selection,
        levels,
        workloads,
        setup,
        teams,
        tuple(problems),
        absences,
        fallback,
        assignment,
        capacity,
        team_names,
    )


def plan_snapshot(
    loaded: LoadedConfig,
    snapshot: Snapshot,
    seed: int,
    ledger: bool = False,
) -> Planned:
    """The plan computed from ``snapshot``: no store, no file, no clock.

    The same configuration, snapshot and seed give the same plan, today or
    months later (`odlm replay`). ``ledger`` keeps every excluded lead (the
    exclusion ledger, `odlm explain`), as ``export_excluded_leads`` does.
    """
    cfg = loaded.config
    notices = check_settings(loaded)
    today = snapshot.today
    crm = snapshot.lookups()
    candidates, web_sources = recorded_inputs(loaded, snapshot)
    prepared = prepare(
        loaded,
        crm,
        candidates,
        today,
        web_sources,
        snapshot.date_range,
        snapshot.moved_elsewhere,
        snapshot.taken_at,
        snapshot.user_names(),
    )
    selection, workloads, setup = prepared.selection, prepared.workloads, prepared.setup
    campaign, levels = prepared.campaign, prepared.levels
    problems = list(prepared.problems)
    unread = sorted(set(snapshot.fetched.unread) - set(unread_fields(setup, prepared)))
    if unread:
        # A replay under rules the recorded run did not have.
        problems.append(
            f"the snapshot did not read {', '.join(unread)} (no rule of its run looked at "
            "it), so every lead counts as having none"
        )
    for warning in (*problems, *selection.warnings, *setup.warnings):
        log.warning("%s", warning)
    stage_line(
        log,
        "selection",
        "salespeople: %d eligible, %d inactive, %d left out",
        len(selection.eligible),
        len(selection.inactive),
        len(selection.left_out),
        eligible=len(selection.eligible),
        inactive=len(selection.inactive),
        left_out=len(selection.left_out),
    )
    log.debug("workload: %s", {p.name: workloads[p.user_id].total for p in selection.eligible})
    counting = workload_counting(cfg)
    holder = holder_field(cfg)
    written = written_owner_fields(cfg)
    members = (*selection.eligible, *selection.inactive)
    window = setup.window
    _within_validation_threshold(
        loaded, selection.skipped_reasons.get("not CRM users", 0), setup.skipped_sources
    )
    sales = cfg.lead_finding.sales_filter
    reporting = sales_reporting(sales) if sales is not None and sales.enabled else None
    keep = keeps_rejected(loaded, ledger)
    found = found_in(snapshot.fetched, setup.pipeline, keep)
    if sales is not None and reporting is not None:
        _log_sales(sales, reporting, found)
    dropback, dropback_writes = _dropback_plan(setup.dropback, found.dropback, holder)
    for rule, removed in found.excluded.items():
        if removed:
            stage_line(
                log,
                "finding",
                "%s: %d leads removed",
                rule,
                removed,
                labels={"rule": rule},
                removed=removed,
            )
    stage_line(
        log,
        "finding",
        "found %d distributable and %d dropback leads of %d examined",
        len(found.leads),
        len(found.dropback),
        found.examined,
        distributable=len(found.leads),
        dropback=len(found.dropback),
        examined=found.examined,
    )
    if not found.leads and not found.dropback:
        problems.append(_no_leads(loaded, found.examined))

    max_leads = (
        snapshot.max_leads if snapshot.max_leads is not None else cfg.execution.max_leads_per_run
    )
    chosen, strategy_note = choose_strategy(
        cfg.distribution, snapshot.force_round_robin, len(found.leads), len(selection.eligible)
    )
    reset = {"status": cfg.distribution.status_reset} if cfg.distribution.status_reset else {}
    cap_rooms, weekend, cap_notes = _caps(cfg.distribution, snapshot, members)
    problems.extend(cap_notes)
    availability = cfg.salesperson_selection.availability
    attendance = _attendance(availability, snapshot, candidates, prepared)
    accepts, prefers = member_leads(loaded, crm, candidates, attendance.present, snapshot.fetched)
    there = {p.user_id for p in attendance.present}
    capacity = {uid: c for uid, c in prepared.capacity.items() if uid in there}
    problems.extend(_no_capacity(prepared, members, candidates))
    odoo_teams = {t for t in prepared.teams.values() if t is not None}
    odoo_teams.update(m.team_id for m in candidates.members)
    odoo_note, refused = _odoo_assigns(
        cfg.crm.odoo_auto_assignment, prepared.assignment, odoo_teams
    )
    if odoo_note is not None:
        problems.append(odoo_note)
    away, present, debts = attendance.away, attendance.present, attendance.debts
    problems.extend(attendance.notes)
    if selection.eligible and not present:
        problems.append(_nobody(loaded, f"nobody of the campaign is available on {today}"))
    data = StrategyInput(
        leads=found.leads,
        salespeople=present,
        workloads=workloads,
        settings=cfg.distribution,
        levels=levels,
        max_leads=max_leads,
        cycle=rotation_cycle(loaded, today),
        owner_field=holder,
        releasing=releasing(found.leads, {**dict.fromkeys(written, 0), **reset}, counting),
        rooms=cap_rooms,
        weekend=weekend,
        present_share={uid: a.share for uid, a in away.items() if a.share > 0},
        catch_up={uid: min(debt, availability.catch_up_per_run) for uid, debt in debts.items()},
        accepts=accepts,
        prefers=prefers,
        capacity=capacity,
    )
    # The fallback owner receives only when nobody of the campaign can.
    fallback = prepared.fallback if not present else None
    if present:
        strategy_name, strategy_note, result = _distribute(
            loaded, chosen, strategy_note, data, snapshot.rotation, seed
        )
    else:
        reason = NO_SALESPEOPLE if not selection.eligible else NOBODY_AVAILABLE
        if fallback is not None:
            strategy_name = FALLBACK_OWNER
            result = to_fallback_owner(found.leads, fallback, holder, max_leads, reason)
        else:
            # Told to go on with nobody to receive: only the dropback happens.
            strategy_name, result = chosen, _nobody_receives(found.leads, reason)
    not_assigned = sum(len(ids) for ids in result.unassigned.values())
    stage_line(
        log,
        "strategy",
        "%s: %d assigned, %d left (%s)",
        strategy_name,
        len(result.assignments),
        not_assigned,
        ", ".join(result.unassigned) or "none",
        labels={"strategy": strategy_name},
        assigned=len(result.assignments),
        left=not_assigned,
    )
    leads_by_id = {lead.id: lead for lead in (*found.leads, *found.dropback)}
    planned = [leads_by_id[a.lead_id] for a in (*result.assignments, *dropback)]
    writes = _write_groups(cfg.distribution, result.assignments, prepared.teams, written)
    writes += dropback_writes
    written_values = {lead_id: group.values for group in writes for lead_id in group.lead_ids}
    user_names = {p.user_id: p.name for p in members}
    if fallback is not None:
        user_names[fallback.user_id] = fallback.name
    if setup.dropback is not None:
        user_names.update((t.user_id, t.user_name) for t in setup.dropback.targets.values())
    user_names.update(
        # Every fetched lead's holder, so that the ledger and explain name them too.
        _owner_names(crm, snapshot.fetched.leads, user_names, (holder, counting))
    )
    if cfg.lead_finding.dropback_filter is not None and dropback:
        _log_dropback(cfg.lead_finding.dropback_filter, dropback, leads_by_id, user_names)
    plan = Plan(
        run_id=snapshot.snapshot_id,
        created_at=snapshot.taken_at,
        today=today,
        campaign=campaign,
        strategy=strategy_name,
        configured_strategy=cfg.distribution.strategy,
        strategy_note=strategy_note,
        seed=seed,
        date_start=window.start,
        date_end=window.last_day,
        salespeople=selection.eligible,
        left_out=selection.left_out,
        workloads=workloads,
        examined=found.examined,
        excluded=found.excluded,
        distributable=len(found.leads),
        assignments=tuple(result.assignments),
        unassigned=result.unassigned,
        quotas=result.quotas,
        capped=result.capped,
        away={uid: a.why for uid, a in away.items()},
        catch_up={
            uid: f"owed {debt} after an absence ({availability.catch_up}): "
            f"{result.caught_up.get(uid, 0)} more this run"
            for uid, debt in debts.items()
        },
        domains=_domain_notes(accepts, prefers, found.leads),
        capacity=prepared.capacity,
        capacity_after=counted_after(
            prepared.capacity,
            {m.user_id: m.team_id for m in candidates.members},
            leads_by_id,
            [(group.lead_ids, group.values) for group in writes],
            datetime.combine(today, snapshot.taken_at.time()),
        ),
        crm_assignment=_odoo_words(prepared.assignment),
        refused=refused,
        team_names=prepared.team_names,
        fallback_owner=fallback.user_id if fallback is not None else None,
        rotation=result.rotation,
        writes=writes,
        user_names=user_names,
        seen_write_dates={lead.id: write_stamp(lead.write_date) for lead in planned},
        seen_owners={lead.id: lead.user_id for lead in planned},
        lead_facts={
            lead.id: LeadFacts.of(
                lead,
                lead_day(lead, cfg.lead_finding.date_range.date_field),
                lead_move(lead, written_values.get(lead.id, {}), counting),
            )
            for lead in planned
        },
        dropback=dropback,
        dropback_applied=setup.dropback is None or setup.dropback.assign,
        configuration=cfg.name,
        format_version=PLAN_FORMAT,
        odlm_version=__version__,
        config_digest=config_fingerprint(cfg),
        snapshot_digest=snapshot.digest(),
        warnings=(
            *notices,
            *problems,
            *selection.warnings,
            *setup.warnings,
            *result.warnings,
            *([strategy_note] if strategy_note and strategy_name != chosen else []),
        ),
        excluded_detail=found.details,
    )
    if keep is not True:
        return Planned(plan)
    left = [
        Rejection(leads_by_id[lead_id], f"not distributed: {reason}", None, reason)
        for reason, ids in result.unassigned.items()
        for lead_id in ids
    ]
    return Planned(plan, (*found.rejected, *left))


def recorded_inputs(loaded: LoadedConfig, snapshot: Snapshot) -> tuple[Candidates, tuple[str, ...]]:
    """The salesperson rows and web-source names to plan with.

    What files and tables held comes from the snapshot (they may have changed
    since); what the configuration itself lists (``source_type: list`` or a
    ``database``/``team``/``odoo_team`` source resolved through the recorded answers, web
    sources of ``source_type: config``) comes from the configuration, so
    that replaying under another configuration uses its lists.
    """
    cfg = loaded.config
    candidates = snapshot.candidates
    if cfg.salesperson_selection.source_type in ("list", "database", "team", "odoo_team"):
        candidates = read_candidates(loaded, snapshot.lookups(), snapshot.campaign)
    web_sources = snapshot.web_sources
    sources = cfg.lead_finding.web_sources
    if sources is not None and sources.source_type == "config":
        web_sources = tuple(read_source_names(loaded, sources))
    return candidates, web_sources


def keeps_rejected(loaded: LoadedConfig, ledger: bool = False) -> bool | Callable[[str], bool]:
    """Which excluded leads planning lists: all of them for the ledger, the sales filter's
    for its match details, else none."""
    sales = loaded.config.lead_finding.sales_filter
    reporting = sales_reporting(sales) if sales is not None and sales.enabled else None
    if ledger or (reporting is not None and reporting.export_excluded_leads):
        return True
    if reporting is not None and reporting.log_match_details:
        return SALES_FILTER.__eq__
    return False


def _within_validation_threshold(loaded: LoadedConfig, names: int, sources: int) -> None:
    """Skipped bad input (unknown salespeople, unknown web sources) up to
    ``error_thresholds.max_validation_errors``; more stops the run before anything is written."""
    limit = loaded.config.error_handling.error_thresholds.max_validation_errors
    if names + sources > limit:
        raise UserInputError(
            f"{loaded.path}: {names + sources} entries skipped as invalid ({names} salespeople "
            f"not in the CRM, {sources} web sources not in the CRM), more than "
            f"error_handling.error_thresholds.max_validation_errors ({limit}); fix them or "
            "raise the threshold; nothing was changed"
        )


def _nobody(loaded: LoadedConfig, why: str, warnings: Sequence[str] = ()) -> str:
    """``when_no_salespeople_found``: stop (fail), skip the run, or go on with a warning.
    A run that stops or is skipped says the selection's warnings too: a near miss is
    most often why nobody was selected."""
    choice = loaded.config.error_handling.fallback_strategies.when_no_salespeople_found
    key = f"error_handling.fallback_strategies.when_no_salespeople_found: {choice}"
    also = "".join(f"\n  warning: {warning}" for warning in warnings)
    if choice == "fail":
        raise UserInputError(f"{why} ({key}){also}")
    if choice == "skip_distribution":
        raise RunSkipped(f"{why}; nothing was distributed ({key}){also}")
    if choice == "assign_to_fallback_owner":
        owner = loaded.config.error_handling.fallback_strategies.fallback_owner
        return f"{why}; the leads go to the fallback owner {owner} ({key})"
    return f"{why}; only dropback leads are handed out ({key})"


def fallback_owner(loaded: LoadedConfig, crm: Lookups, campaign: str | None) -> Salesperson | None:
    """The configured fallback owner as a CRM user who may own leads (asked on every run, so
    that a wrong name stops the run the day it is configured, not the day it is needed)."""
    name = loaded.config.error_handling.fallback_strategies.fallback_owner
    if name is None:
        return None
    where = f"{loaded.path}: error_handling.fallback_strategies.fallback_owner"
    users = [u for u in crm.find_users([name]) if u.active]
    if len(users) != 1:
        raise UserInputError(f"{where}: {len(users) or 'no'} active CRM users are named {name!r}")
    user = users[0]
    if not user.may_own_leads:
        raise UserInputError(f"{where}: {user.name} may not own leads (no sales rights)")
    return Salesperson(user.name, user.id, campaign or "", login=user.login)


def to_fallback_owner(
    leads: Sequence[Lead],
    owner: Salesperson,
    holder: str,
    max_leads: int | None,
    why: str,
) -> StrategyResult:
    """Every distributable lead to the fallback owner, in id order, but those the owner
    holds already and those beyond ``max_leads``."""
    assignments: list[Assignment] = []
    unassigned: dict[str, list[int]] = {}
    for lead in sorted(leads, key=lambda lead: lead.id):
        held = getattr(lead, holder)
        if held == owner.user_id:
            unassigned.setdefault(OWN_LEADS_ONLY, []).append(lead.id)
        elif max_leads is not None and len(assignments) >= max_leads:
            unassigned.setdefault(OVER_LIMIT, []).append(lead.id)
        else:
            assignments.append(Assignment(lead.id, owner.user_id, held, f"fallback owner: {why}"))
    return StrategyResult(assignments, unassigned, {owner.user_id: len(assignments)})


def _no_leads(loaded: LoadedConfig, examined: int) -> str:
    """``when_no_leads_found``: stop (fail), skip the run, or go on with a warning."""
    choice = loaded.config.error_handling.fallback_strategies.when_no_leads_found
    key = f"error_handling.fallback_strategies.when_no_leads_found: {choice}"
    why = f"no distributable or dropback leads among the {examined:,} examined"
    if choice == "fail":
        raise RunFailed(f"{why}; nothing was written ({key})")
    if choice == "skip_distribution":
        raise RunSkipped(f"{why}; nothing was distributed ({key})")
    log.warning("%s (%s)", why, key)
    return f"{why} ({key})"


def _caps(
    settings: Distribution, snapshot: Snapshot, members: Sequence[Salesperson]
) -> tuple[dict[int, Room], dict[int, int], list[str]]:
    """Each salesperson's room under ``distribution.caps``, the weekend's deliveries that
    count toward a Monday (``consider_weekend_workload``), and what the run should say."""
    weekend_on = settings.counts_weekend
    if settings.caps is None and not weekend_on:
        return {}, {}, []
    notes = [] if settings.caps is None else unknown_names(settings.caps, members)
    received = snapshot.received
    if received is None:
        # A snapshot taken before these settings existed: nothing earlier is known.
        notes.append(
            "the snapshot holds no history of what each salesperson received: "
            "distribution.caps and consider_weekend_workload count this run only"
        )
        received = ()
    today = snapshot.today
    weekend = weekend_received(received, today) if weekend_on else {}
    if settings.caps is None:
        return {}, weekend, notes
    return rooms(members, settings.caps, received, today, weekend_on), weekend, notes


def _nobody_receives(leads: Sequence[Lead], reason: str) -> StrategyResult:
    ids = sorted(lead.id for lead in leads)
    return StrategyResult([], {reason: ids} if ids else {}, {})


@dataclass(frozen=True)
class Attendance:
    """Who is away on the run's day (``availability``), who is there to receive leads, what
    those there are owed for earlier absences (``catch_up``; only debts), and notes."""

    away: dict[int, Away]
    present: tuple[Salesperson, ...]
    debts: dict[int, int]
    notes: tuple[str, ...]


def _attendance(
    settings: Availability, snapshot: Snapshot, candidates: Candidates, prepared: Prepared
) -> Attendance:
    eligible = prepared.selection.eligible
    # The absences of the file and the campaign table (known for any day), then the CRM's
    # (known for the run's day only).
    listed = (*snapshot.absences, *(r.absence for r in candidates.rows if r.absence))
    away = availability_on(
        eligible, (*listed, *prepared.absences), snapshot.today, settings.half_day_share
    )
    present = tuple(p for p in eligible if p.user_id not in away or away[p.user_id].share > 0)
    debts: dict[int, int] = {}
    if settings.catch_up != "none" and present:
        credit = (
            Fraction(1)
            if settings.catch_up == "full"
            else Fraction(str(settings.catch_up_fraction))
        )
        owing = owed(
            eligible,
            listed,
            snapshot.received or (),
            snapshot.today,
            settings.catch_up_days,
            credit,
            settings.half_day_share,
        )
        there = {p.user_id for p in present}
        debts = {uid: debt for uid, debt in owing.items() if debt and uid in there}
    notes = unknown_absentees(
        snapshot.absences,
        (r.salesperson_name for r in candidates.rows),
        snapshot.answers.users.values(),
    )
    return Attendance(away, present, debts, tuple(notes))


def member_leads(
    loaded: LoadedConfig,
    crm: Lookups,
    candidates: Candidates,
    people: Sequence[Salesperson],
    fetched: Fetched,
) -> tuple[dict[int, frozenset[int]], dict[int, frozenset[int]]]:
    """For the salespeople with an assignment domain (``odoo_team``), the fetched leads the
    CRM says it accepts, and for those with a preferred domain (Odoo 19), the leads they
    prefer; the fetch step asks the same to record the answers."""
    if not candidates.members:
        return {}, {}
    team = loaded.config.salesperson_selection.source_config.team or ""
    names = {p.user_id: p.name for p in people}
    ids = [lead.id for lead in fetched.leads]
    accepted = accepted_leads(crm, domains_of(candidates.members, names, team), ids)
    preferred = accepted_leads(crm, preferred_domains_of(candidates.members, names, team), ids)
    for user_id, leads in accepted.items():
        log.debug("assignment domain of %s accepts %d fetched leads", names[user_id], len(leads))
    return accepted, preferred


def _domain_notes(
    accepts: Mapping[int, frozenset[int]],
    prefers: Mapping[int, frozenset[int]],
    leads: Sequence[Lead],
) -> dict[int, str]:
    ids = {lead.id for lead in leads}
    notes = {
        uid: f"assignment domain (Odoo) accepts {len(ids & accepted):,} of the "
        f"{len(ids):,} distributable leads"
        for uid, accepted in accepts.items()
    }
    for uid, preferred in prefers.items():
        note = f"preferred domain (Odoo's Lead Priority Filter) prefers {len(ids & preferred):,}"
        notes[uid] = f"{notes[uid]}; {note}" if uid in notes else note
    return notes


def unread_fields(setup: FindingSetup, prepared: Prepared) -> list[str]:
    """The lead fields the fetch leaves unread: those no rule looks at, but the
    "Assignment Date" an ``odoo_team`` run counts capacity by."""
    unread = setup.pipeline.unread()
    return [name for name in unread if not (name == "date_open" and prepared.capacity)]


def _no_capacity(
    prepared: Prepared, members: Sequence[Salesperson], candidates: Candidates
) -> list[str]:
    """Members an ``odoo_team`` run gives nothing because Odoo gives them no capacity."""
    teams = {m.user_id: m.team_id for m in candidates.members}
    return [
        f"{p.name} (user {p.user_id}) has {CAPACITY} 0 in sales team "
        f"{prepared.team_names.get(teams[p.user_id], '?')} (id {teams[p.user_id]}): "
        "receives no leads (set assignment_max on the member in Odoo)"
        for p in members
        if p.user_id in prepared.capacity and prepared.capacity[p.user_id].maximum == 0
    ]


def _odoo_words(assignment: LeadAssignment | None) -> str | None:
    """Odoo's own assignment in its words, for the preview: on an Odoo server always, on the
    embedded store only where its settings were switched on."""
    if assignment is None:
        return None
    if assignment.version is None and not (assignment.rule_based or assignment.scheduled):
        return None
    return describe(assignment)


def _odoo_assigns(
    choice: str, assignment: LeadAssignment | None, teams: Collection[int]
) -> tuple[str | None, str | None]:
    """When Odoo assigns leads on its own: what the run says, and why a real run does not
    write (None with ``crm.odoo_auto_assignment: accept``, where the run goes on)."""
    if assignment is None or not assignment.automatic:
        return None, None
    if choice == "accept":
        return accepted(assignment, teams), None
    refused = refusal(assignment, teams)
    return f"a real run is refused: {refused}", refused


def rotation_cycle(loaded: LoadedConfig, today: date) -> str:
    """The round-robin cycle ``today`` belongs to (``round_robin_override.cycle_reset``)."""
    return cycle_key(today, loaded.config.distribution.round_robin_override.cycle_reset)


def _distribute(
    loaded: LoadedConfig,
    name: str,
    note: str | None,
    data: StrategyInput,
    rotation: Rotation | None,
    seed: int,
) -> tuple[str, str | None, StrategyResult]:
    """Run strategy ``name``; if it cannot run, round robin when so configured (§9.2)."""
    try:
        return (
            name,
            note,
            distribute(name, _with_rotation(name, data, rotation), random.Random(seed)),
        )
    except StrategyUnavailable as exc:
        fallback = loaded.config.error_handling.fallback_strategies.when_distribution_fails
        if fallback != "use_round_robin" or name == "round_robin":
            raise ConfigError(f"{loaded.path}: distribution.strategy: {exc}") from None
        note = (
            f"{exc}; distributed by round robin instead "
            "(error_handling.fallback_strategies.when_distribution_fails)"
        )
        log.warning("%s", note)
        rotation_data = _with_rotation("round_robin", data, rotation)
        return "round_robin", note, distribute("round_robin", rotation_data, random.Random(seed))


def _with_rotation(name: str, data: StrategyInput, rotation: Rotation | None) -> StrategyInput:
    if name != "round_robin" or rotation is None or rotation.cycle != data.cycle:
        return data
    return replace(data, rotation=rotation)


def _write_teams(
    dist: Distribution,
    where: str,
    crm: Lookups,
    salespeople: Sequence[Salesperson],
    campaign: str | None,
) -> tuple[dict[int, int | None], dict[int, str]]:
    """The sales team written with each salesperson's leads (§17.2), None for none, and
    the names of those teams.

    The team is ``distribution.team_assignment``, else the salesperson's team
    in the campaign table, else the active CRM team named like the campaign
    (R sets ``team_id`` to "Voice"); with none of them no team is written and
    the CRM keeps its own rule (Odoo moves the lead to its new owner's team).
    """
    explicit = {
        p.user_id: dist.team_assignment if dist.team_assignment is not None else p.team
        for p in salespeople
    }
    team_names = {name for name in explicit.values() if name}
    teams = {t.name: t.id for t in crm.find_teams(team_names)} if team_names else {}
    unknown = sorted(team_names - teams.keys())
    if unknown:
        raise UserInputError(f"{where}: sales team(s) not found in the CRM: {', '.join(unknown)}")
    campaign_team = _campaign_team(crm, campaign) if not all(explicit.values()) else None
    names = {team_id: name for name, team_id in teams.items()}
    if campaign_team is not None and campaign:
        names[campaign_team] = campaign
    written = {uid: teams[name] if name else campaign_team for uid, name in explicit.items()}
    return written, names


def _write_groups(
    dist: Distribution,
    assignments: Sequence[Assignment],
    teams: Mapping[int, int | None],
    owners: Sequence[str],
) -> tuple[WriteGroup, ...]:
    """The §17.2 values per salesperson: owner fields, status reset, team (`_write_teams`)."""
    by_user: dict[int, list[int]] = {}
    for assignment in assignments:
        by_user.setdefault(assignment.user_id, []).append(assignment.lead_id)
    groups = []
    for user_id, lead_ids in by_user.items():
        values: dict[str, object] = {field: user_id for field in owners}
        if dist.status_reset is not None:
            values["status"] = dist.status_reset
        team_id = teams.get(user_id)
        if team_id is not None:
            values["team_id"] = team_id
        groups.append(WriteGroup(tuple(sorted(lead_ids)), values))
    return tuple(groups)


def _campaign_team(crm: Lookups, campaign: str | None) -> int | None:
    """The id of the one active CRM team named exactly like the campaign, if there is one."""
    if not campaign:
        return None
    found = [t for t in crm.find_teams([campaign]) if t.name == campaign and t.active]
    if len(found) != 1:
        log.debug("no single active CRM team named %r: no team is written by default", campaign)
        return None
    return found[0].id


def releasing(
    leads: Sequence[Lead], values: Mapping[str, object], counting: WorkloadCounting
) -> dict[int, int]:
    """How many of ``leads`` would leave each holder's workload count if handed to someone else.

    Target-based strategies measure a deficit from what a salesperson keeps:
    the distributable leads they hold go to others, never back to them.
    """
    counts: dict[int, int] = {}
    for lead in leads:
        leaves, joins, _ = lead_move(lead, values, counting)
        if leaves is not None and joins != leaves:
            counts[leaves] = counts.get(leaves, 0) + 1
    return counts


def _dropback_plan(
    dropback: Dropback | None, leads: Sequence[Lead], owner_field: str
) -> tuple[tuple[Assignment, ...], tuple[WriteGroup, ...]]:
    """Each dropped-back lead to its campaign's user (§3.6), and one write group per rule
    (per rule and team when leads keep their own team)."""
    if dropback is None:
        return (), ()
    assignments = []
    groups: dict[tuple[str, int | None], tuple[DropbackTarget, list[int]]] = {}
    for lead in leads:
        target = dropback.target(lead)
        if target is None:  # the finder only lets routable leads through
            raise AssertionError(f"dropback lead {lead.id} has no target")
        assignments.append(
            Assignment(
                lead.id, target.user_id, getattr(lead, owner_field), f"dropback: {target.campaign}"
            )
        )
        key = (target.campaign, lead.team_id if target.keep_team else None)
        groups.setdefault(key, (target, []))[1].append(lead.id)
    writes = tuple(
        WriteGroup(
            tuple(sorted(ids)),
            {**target.values, **({"team_id": team} if target.keep_team else {})},
            dropback.batch_size,
        )
        for (_, team), (target, ids) in groups.items()
    )
    return tuple(assignments), writes if dropback.assign else ()


def _log_sales(cfg: SalesFilter, reporting: SalesFilterReporting, found: FindResult) -> None:
    """``sales_filter`` logging: how many leads it excluded, and (match details) each one."""
    level = logging.getLevelName(cfg.log_level.upper())
    if reporting.log_excluded_leads:
        count = found.excluded.get(SALES_FILTER, 0)
        log.log(level, "sales filter: %d leads excluded (their partner has an opportunity)", count)
    if reporting.log_match_details:
        for rejection in found.rejected:
            if rejection.filter == SALES_FILTER:
                lead = rejection.lead
                log.log(
                    level,
                    "sales filter: lead %d excluded (partner %s; matched by %s)",
                    lead.id,
                    lead.partner_id,
                    rejection.detail or "partner, e-mail or phone",
                )


def _log_dropback(
    cfg: DropbackFilter,
    dropback: Sequence[Assignment],
    leads: Mapping[int, Lead],
    names: Mapping[int, str],
) -> None:
    """``dropback_filter.logging``: a line per campaign, and per lead with its details."""
    settings = cfg.logging
    if not settings.log_dropback_assignments:
        return
    level = logging.getLevelName(settings.log_level.upper())
    counts: dict[tuple[str, int], int] = {}
    for assignment in dropback:
        key = (assignment.reason.removeprefix("dropback: "), assignment.user_id)
        counts[key] = counts.get(key, 0) + 1
    for (campaign, user_id), count in sorted(counts.items()):
        log.log(level, "dropback %s: %d leads to %s", campaign, count, names.get(user_id, user_id))
    if settings.include_lead_details:
        for assignment in dropback:
            lead = leads[assignment.lead_id]
            log.log(
                level,
                "dropback lead %d (status %r, source %r, dated %s, held by %s) to %s",
                lead.id,
                lead.status,
                lead.source,
                lead.source_date or lead.create_date,
                names.get(assignment.previous_user_id or 0, assignment.previous_user_id),
                names.get(assignment.user_id, assignment.user_id),
            )


def owner_ids(leads: Sequence[Lead], fields: tuple[str, WorkloadCounting]) -> set[int]:
    """The users holding ``leads`` by the holder field and the workload's."""
    holder, counting = fields
    return {
        uid
        for lead in leads
        for uid in (getattr(lead, holder), getattr(lead, holder_of(counting)))
        if uid is not None
    }


def _owner_names(
    crm: Lookups,
    leads: Sequence[Lead],
    known: Mapping[int, str],
    fields: tuple[str, WorkloadCounting],
) -> dict[int, str]:
    """Names of the leads' holders (by the holder field and the workload's), one CRM call."""
    missing = owner_ids(leads, fields) - known.keys()
    return {u.id: u.name for u in crm.users_by_id(missing)} if missing else {}
