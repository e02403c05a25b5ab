"""From configuration and CRM to a `Plan`: the only stage runner that reads the store.

Each step reads what it needs from the store in bulk, then hands plain
values to the pure stages (selection, workload, finding, strategy).
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from odoo_lead_manager.capabilities import unsupported_settings
from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.errors import ConfigError, UserInputError
from odoo_lead_manager.finding import base_domain, find_in_store
from odoo_lead_manager.finding.configured import build_finding
from odoo_lead_manager.finding.dates import lead_day
from odoo_lead_manager.finding.dropback import Dropback, DropbackTarget
from odoo_lead_manager.model import Assignment, Lead, LeadFacts, Salesperson, write_stamp
from odoo_lead_manager.plan import Plan, WriteGroup
from odoo_lead_manager.selection import limit_workload, select_from_config, target_campaign
from odoo_lead_manager.strategies import (
    StrategyInput,
    StrategyResult,
    StrategyUnavailable,
    choose_strategy,
    distribute,
)
from odoo_lead_manager.strategies.people import levels_from, with_levels
from odoo_lead_manager.strategies.round_robin import cycle_key, load_rotation, state_path
from odoo_lead_manager.workload import compute_workloads, count_workloads

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
    return start, end


def build_plan(loaded: LoadedConfig, store: CrmStore, options: RunOptions | None = None) -> Plan:
    """Select, measure, find and distribute; return the plan without writing anything."""
    options = options or RunOptions()
    cfg = loaded.config
    unsupported = unsupported_settings(cfg)
    if unsupported:
        raise ConfigError(
            f"{loaded.path}: not available in this version, and ignoring them would move "
            f"leads they protect: {', '.join(unsupported)} (remove or disable them)"
        )
    today = options.today or date.today()
    seed = options.seed if options.seed is not None else cfg.execution.seed
    if seed is None:
        seed = secrets.randbits(32)

    selection_cfg = cfg.salesperson_selection
    campaign = target_campaign(loaded)
    selection = select_from_config(loaded, store, campaign)
    if not selection.eligible:
        raise UserInputError(selection.explain_empty(campaign))
    levels = levels_from(cfg.distribution, selection_cfg.filters.level_order)
    selection = replace(selection, eligible=with_levels(selection.eligible, levels))

    counting = selection_cfg.workload
    workloads = compute_workloads(
        selection.eligible, count_workloads(store, selection.eligible, today, counting)
    )
    limit = selection_cfg.filters.max_workload_percentage
    if limit is not None:
        selection = limit_workload(selection, workloads, limit)
        if not selection.eligible:
            raise UserInputError(selection.explain_empty(campaign))
        workloads = {p.user_id: workloads[p.user_id] for p in selection.eligible}
    members = (*selection.eligible, *selection.inactive)

    setup = build_finding(
        loaded,
        store,
        today,
        selection.table_active_ids,
        selection.table_inactive_ids,
        options.date_range,
        cfg.distribution.owner_fields,
    )
    window = setup.window
    for warning in setup.warnings:
        log.warning("%s", warning)
    found = find_in_store(
        store,
        base_domain(cfg.crm.lead_types),
        setup.pipeline,
        cfg.crm.page_size,
        options.on_fetched,
    )
    dropback, dropback_writes = _dropback_plan(
        setup.dropback, found.dropback, cfg.lead_finding.owner_field
    )

    max_leads = (
        options.max_leads if options.max_leads is not None else cfg.execution.max_leads_per_run
    )
    chosen, strategy_note = choose_strategy(
        cfg.distribution, options.force_round_robin, len(found.leads), len(selection.eligible)
    )
    data = StrategyInput(
        leads=found.leads,
        salespeople=selection.eligible,
        workloads=workloads,
        settings=cfg.distribution,
        levels=levels,
        max_leads=max_leads,
        cycle=cycle_key(today, cfg.distribution.round_robin_override.cycle_reset),
    )
    strategy_name, strategy_note, result = _distribute(
        loaded, chosen, strategy_note, data, campaign, seed
    )
    leads_by_id = {lead.id: lead for lead in (*found.leads, *found.dropback)}
    planned = [leads_by_id[a.lead_id] for a in (*result.assignments, *dropback)]
    writes = _write_groups(loaded, store, result.assignments, selection.eligible)
    writes += dropback_writes
    user_names = {p.user_id: p.name for p in members}
    if setup.dropback is not None:
        user_names.update((t.user_id, t.user_name) for t in setup.dropback.targets.values())
    user_names.update(_owner_names(store, [*found.leads, *found.dropback], user_names))
    return Plan(
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
            lead.id: LeadFacts.of(lead, lead_day(lead, cfg.lead_finding.date_range.date_field))
            for lead in planned
        },
        dropback=dropback,
        dropback_applied=setup.dropback is None or setup.dropback.assign,
        warnings=(
            *selection.warnings,
            *setup.warnings,
            *result.warnings,
            *([strategy_note] if strategy_note and strategy_name != chosen else []),
        ),
    )


def rotation_path(loaded: LoadedConfig, campaign: str | None) -> Path:
    """Where this configuration keeps a campaign's round-robin rotation."""
    return state_path(loaded.path.parent / loaded.config.execution.state_dir, campaign)


def _distribute(
    loaded: LoadedConfig,
    name: str,
    note: str | None,
    data: StrategyInput,
    campaign: str | None,
    seed: int,
) -> tuple[str, str | None, StrategyResult]:
    """Run strategy ``name``; if it cannot run, round robin when so configured (§9.2)."""
    try:
        return (
            name,
            note,
            distribute(name, _with_rotation(loaded, name, data, campaign), random.Random(seed)),
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
        rotation_data = _with_rotation(loaded, "round_robin", data, campaign)
        return "round_robin", note, distribute("round_robin", rotation_data, random.Random(seed))


def _with_rotation(
    loaded: LoadedConfig, name: str, data: StrategyInput, campaign: str | None
) -> StrategyInput:
    if name != "round_robin":
        return data
    return replace(data, rotation=load_rotation(rotation_path(loaded, campaign), data.cycle))


def _write_groups(
    loaded: LoadedConfig,
    store: CrmStore,
    assignments: Sequence[Assignment],
    salespeople: Sequence[Salesperson],
) -> tuple[WriteGroup, ...]:
    """The §17.2 values per salesperson: owner fields, status reset, team."""
    dist = loaded.config.distribution
    team_of = {
        p.user_id: dist.team_assignment if dist.team_assignment is not None else p.team
        for p in salespeople
    }
    team_names = {name for name in team_of.values() if name}
    teams = {t.name: t.id for t in store.find_teams(team_names)} if team_names else {}
    unknown = sorted(team_names - teams.keys())
    if unknown:
        raise UserInputError(
            f"{loaded.path}: sales team(s) not found in the CRM: {', '.join(unknown)}"
        )
    by_user: dict[int, list[int]] = {}
    for assignment in assignments:
        by_user.setdefault(assignment.user_id, []).append(assignment.lead_id)
    groups = []
    for user_id, lead_ids in by_user.items():
        values: dict[str, object] = {field: user_id for field in dist.owner_fields}
        if dist.status_reset is not None:
            values["status"] = dist.status_reset
        team = team_of.get(user_id)
        if team:
            values["team_id"] = teams[team]
        groups.append(WriteGroup(tuple(sorted(lead_ids)), values))
    return tuple(groups)


def _dropback_plan(
    dropback: Dropback | None, leads: Sequence[Lead], owner_field: str
) -> tuple[tuple[Assignment, ...], tuple[WriteGroup, ...]]:
    """Each dropped-back lead to its campaign's user (§3.6), and one write group per rule."""
    if dropback is None:
        return (), ()
    assignments = []
    by_campaign: dict[str, tuple[DropbackTarget, list[int]]] = {}
    for lead in leads:
        target = dropback.target(lead)
        if target is None:  # the finder only lets routable leads through
            raise AssertionError(f"dropback lead {lead.id} has no target")
        assignments.append(
            Assignment(
                lead.id, target.user_id, getattr(lead, owner_field), f"dropback: {target.campaign}"
            )
        )
        by_campaign.setdefault(target.campaign, (target, []))[1].append(lead.id)
    writes = tuple(
        WriteGroup(tuple(sorted(ids)), dict(target.values)) for target, ids in by_campaign.values()
    )
    return tuple(assignments), writes if dropback.assign else ()


def _owner_names(store: CrmStore, leads: Sequence[Lead], known: dict[int, str]) -> dict[int, str]:
    missing = {lead.user_id for lead in leads if lead.user_id is not None} - known.keys()
    return {u.id: u.name for u in store.users_by_id(missing)} if missing else {}
