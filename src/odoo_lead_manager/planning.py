"""From configuration and CRM to a `Plan`: the only stage runner that reads the store.

Each step reads what it needs from the store in bulk, then hands plain
values to the pure stages (selection, workload, finding, strategy).
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from odoo_lead_manager import __version__
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.defaults import holder_field, workload_counting, written_owner_fields
from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.registry import check_settings
from odoo_lead_manager.config.schema.sales_dropback import (
    DropbackFilter,
    SalesFilter,
    SalesFilterReporting,
)
from odoo_lead_manager.config.schema.selection import WorkloadCounting
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.errors import ConfigError, RunFailed, RunSkipped, UserInputError
from odoo_lead_manager.finding import base_domain, find_in_store
from odoo_lead_manager.finding.configured import build_finding
from odoo_lead_manager.finding.dates import lead_day
from odoo_lead_manager.finding.dropback import Dropback, DropbackTarget
from odoo_lead_manager.finding.finder import FindResult, Rejection
from odoo_lead_manager.finding.sales import NAME as SALES_FILTER
from odoo_lead_manager.finding.sales import sales_reporting
from odoo_lead_manager.limits import date_in_range
from odoo_lead_manager.model import Assignment, Lead, LeadFacts, Salesperson, write_stamp
from odoo_lead_manager.plan import PLAN_FORMAT, Plan, WriteGroup
from odoo_lead_manager.selection import limit_workload, select_from_config, target_campaign
from odoo_lead_manager.strategies import (
    StrategyInput,
    StrategyResult,
    StrategyUnavailable,
    choose_strategy,
    distribute,
)
from odoo_lead_manager.strategies.engine import NO_SALESPEOPLE
from odoo_lead_manager.strategies.people import levels_from, with_levels
from odoo_lead_manager.strategies.round_robin import Rotation, cycle_key
from odoo_lead_manager.workload import (
    compute_workloads,
    count_workloads,
    holder_of,
    lead_move,
)

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


def parse_date_range(text: str) -> tuple[date, date]:
    """``--override-date-range "2024-01-01,2024-06-30"`` into two dates (inclusive)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
    except ValueError:
        raise UserInputError(
            f"--override-date-range: {text!r} is not START,END with dates as YYYY-MM-DD"
        ) from None
    if start > end:
        raise UserInputError(f"--override-date-range: start {start} is after end {end}")
    option = "--override-date-range"
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
    """A plan, and the leads the filters excluded when the ledger is asked for
    (``sales_filter.reporting.export_excluded_leads``)."""

    plan: Plan
    rejected: tuple[Rejection, ...] = ()


def plan_run(
    loaded: LoadedConfig,
    store: CrmStore,
    options: RunOptions | None = None,
    rotation: Rotation | None = None,
) -> Planned:
    """`build_plan`, keeping the excluded leads when the configuration exports them.

    ``rotation`` is where round robin's cycle stands (the caller reads it from
    the tracking database: `rotation_cycle` names the cycle); None starts one.
    """
    options = options or RunOptions()
    cfg = loaded.config
    notices = check_settings(loaded)
    today = options.today or date.today()
    seed = options.seed if options.seed is not None else cfg.execution.seed
    if seed is None:
        seed = secrets.randbits(32)

    selection_cfg = cfg.salesperson_selection
    campaign = target_campaign(loaded)
    selection = select_from_config(loaded, store, campaign)
    log.debug(
        "selection: %d eligible, %d inactive, %d left out",
        len(selection.eligible),
        len(selection.inactive),
        len(selection.left_out),
    )
    problems: list[str] = []
    if not selection.eligible:
        problems.append(_nobody(loaded, selection.explain_empty(campaign)))
    levels = levels_from(cfg.distribution, selection_cfg.filters.level_order)
    selection = replace(selection, eligible=with_levels(selection.eligible, levels))

    counting = workload_counting(cfg)
    holder = holder_field(cfg)
    written = written_owner_fields(cfg)
    workloads = compute_workloads(
        selection.eligible, count_workloads(store, selection.eligible, today, counting)
    )
    limit = selection_cfg.filters.max_workload_percentage
    if limit is not None and selection.eligible:
        selection = limit_workload(selection, workloads, limit)
        if not selection.eligible:
            problems.append(_nobody(loaded, selection.explain_empty(campaign)))
        workloads = {p.user_id: workloads[p.user_id] for p in selection.eligible}
    log.debug("workload: %s", {p.name: workloads[p.user_id].total for p in selection.eligible})
    members = (*selection.eligible, *selection.inactive)

    setup = build_finding(
        loaded,
        store,
        today,
        selection.table_active_ids,
        selection.table_inactive_ids,
        options.date_range,
        written,
    )
    window = setup.window
    for warning in setup.warnings:
        log.warning("%s", warning)
    _within_validation_threshold(
        loaded, selection.skipped_reasons.get("not CRM users", 0), setup.skipped_sources
    )
    sales = cfg.lead_finding.sales_filter
    reporting = sales_reporting(sales) if sales is not None and sales.enabled else None
    keep: bool | Callable[[str], bool] = False
    if reporting is not None and reporting.export_excluded_leads:
        keep = True
    elif reporting is not None and reporting.log_match_details:
        keep = SALES_FILTER.__eq__
    found = find_in_store(
        store,
        base_domain(cfg.crm.lead_types),
        setup.pipeline,
        cfg.crm.page_size,
        options.on_fetched,
        keep,
    )
    if sales is not None and reporting is not None:
        _log_sales(sales, reporting, found)
    dropback, dropback_writes = _dropback_plan(setup.dropback, found.dropback, holder)
    log.debug(
        "found %d distributable and %d dropback leads of %d examined; excluded %s",
        len(found.leads),
        len(found.dropback),
        found.examined,
        {name: n for name, n in found.excluded.items() if n},
    )
    if not found.leads and not found.dropback:
        problems.append(_no_leads(loaded, found.examined))

    max_leads = (
        options.max_leads if options.max_leads is not None else cfg.execution.max_leads_per_run
    )
    chosen, strategy_note = choose_strategy(
        cfg.distribution, options.force_round_robin, len(found.leads), len(selection.eligible)
    )
    reset = {"status": cfg.distribution.status_reset} if cfg.distribution.status_reset else {}
    data = StrategyInput(
        leads=found.leads,
        salespeople=selection.eligible,
        workloads=workloads,
        settings=cfg.distribution,
        levels=levels,
        max_leads=max_leads,
        cycle=rotation_cycle(loaded, today),
        owner_field=holder,
        releasing=releasing(found.leads, {**dict.fromkeys(written, 0), **reset}, counting),
    )
    if selection.eligible:
        strategy_name, strategy_note, result = _distribute(
            loaded, chosen, strategy_note, data, rotation, seed
        )
    else:
        # Nobody to distribute to, and told to go on: only the dropback happens.
        strategy_name, result = chosen, _nobody_receives(found.leads)
    log.debug(
        "%s: %d assigned, %d left (%s)",
        strategy_name,
        len(result.assignments),
        sum(len(ids) for ids in result.unassigned.values()),
        ", ".join(result.unassigned) or "none",
    )
    leads_by_id = {lead.id: lead for lead in (*found.leads, *found.dropback)}
    planned = [leads_by_id[a.lead_id] for a in (*result.assignments, *dropback)]
    writes = _write_groups(loaded, store, result.assignments, selection.eligible, campaign, written)
    writes += dropback_writes
    written_values = {lead_id: group.values for group in writes for lead_id in group.lead_ids}
    user_names = {p.user_id: p.name for p in members}
    if setup.dropback is not None:
        user_names.update((t.user_id, t.user_name) for t in setup.dropback.targets.values())
    user_names.update(
        _owner_names(store, [*found.leads, *found.dropback], user_names, (holder, counting))
    )
    if cfg.lead_finding.dropback_filter is not None and dropback:
        _log_dropback(cfg.lead_finding.dropback_filter, dropback, leads_by_id, user_names)
    plan = Plan(
        run_id=uuid.uuid4().hex,
        created_at=datetime.now(UTC).replace(microsecond=0),
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
        Rejection(leads_by_id[lead_id], f"not distributed: {reason}")
        for reason, ids in result.unassigned.items()
        for lead_id in ids
    ]
    return Planned(plan, (*found.rejected, *left))


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


def _nobody(loaded: LoadedConfig, why: str) -> str:
    """``when_no_salespeople_found``: stop (fail), skip the run, or go on with a warning."""
    choice = loaded.config.error_handling.fallback_strategies.when_no_salespeople_found
    key = f"error_handling.fallback_strategies.when_no_salespeople_found: {choice}"
    if choice == "fail":
        raise UserInputError(f"{why} ({key})")
    if choice == "skip_distribution":
        raise RunSkipped(f"{why}; nothing was distributed ({key})")
    warning = f"{why}; only dropback leads are handed out ({key})"
    log.warning("%s", warning)
    return warning


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


def _nobody_receives(leads: Sequence[Lead]) -> StrategyResult:
    ids = sorted(lead.id for lead in leads)
    return StrategyResult([], {NO_SALESPEOPLE: ids} if ids else {}, {})


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


def _write_groups(
    loaded: LoadedConfig,
    store: CrmStore,
    assignments: Sequence[Assignment],
    salespeople: Sequence[Salesperson],
    campaign: str | None,
    owners: Sequence[str],
) -> tuple[WriteGroup, ...]:
    """The §17.2 values per salesperson: owner fields, status reset, team.

    The team is ``distribution.team_assignment``, else the salesperson's team
    in the campaign table, else the active CRM team named like the campaign
    (R sets ``team_id`` to "Voice"); with none of them no team is written and
    the CRM keeps its own rule (Odoo moves the lead to its new owner's team).
    """
    dist = loaded.config.distribution
    explicit = {
        p.user_id: dist.team_assignment if dist.team_assignment is not None else p.team
        for p in salespeople
    }
    team_names = {name for name in explicit.values() if name}
    teams = {t.name: t.id for t in store.find_teams(team_names)} if team_names else {}
    unknown = sorted(team_names - teams.keys())
    if unknown:
        raise UserInputError(
            f"{loaded.path}: sales team(s) not found in the CRM: {', '.join(unknown)}"
        )
    campaign_team = _campaign_team(store, campaign) if not all(explicit.values()) else None
    by_user: dict[int, list[int]] = {}
    for assignment in assignments:
        by_user.setdefault(assignment.user_id, []).append(assignment.lead_id)
    groups = []
    for user_id, lead_ids in by_user.items():
        values: dict[str, object] = {field: user_id for field in owners}
        if dist.status_reset is not None:
            values["status"] = dist.status_reset
        team = explicit.get(user_id)
        team_id = teams[team] if team else campaign_team
        if team_id is not None:
            values["team_id"] = team_id
        groups.append(WriteGroup(tuple(sorted(lead_ids)), values))
    return tuple(groups)


def _campaign_team(store: CrmStore, campaign: str | None) -> int | None:
    """The id of the one active CRM team named exactly like the campaign, if there is one."""
    if not campaign:
        return None
    found = [t for t in store.find_teams([campaign]) if t.name == campaign and t.active]
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


def _owner_names(
    store: CrmStore,
    leads: Sequence[Lead],
    known: Mapping[int, str],
    fields: tuple[str, WorkloadCounting],
) -> dict[int, str]:
    """Names of the leads' holders (by the holder field and the workload's), one CRM call."""
    holder, counting = fields
    missing = {
        uid
        for lead in leads
        for uid in (getattr(lead, holder), getattr(lead, holder_of(counting)))
        if uid is not None
    } - known.keys()
    return {u.id: u.name for u in store.users_by_id(missing)} if missing else {}
