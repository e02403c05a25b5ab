"""The prepare step: who receives, their workload, the rules and the teams to write, from
the CRM's answers (the fetch step asks them, the planner reads them back)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from odoo_lead_manager.config.defaults import sales_reporting
from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.finding import LeadFinding
from odoo_lead_manager.config.schema.selection import (
    SalespersonSelection,
    WorkloadCounting,
)
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import (
    Absence,
    Capacity,
    Lead,
    Salesperson,
    Workload,
)
from odoo_lead_manager.domain.odoo_assignment import (
    LeadAssignment,
    pause_label,
)
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.pipeline.finding.configured import FindingSetup, build_finding
from odoo_lead_manager.pipeline.finding.sales import NAME as SALES_FILTER
from odoo_lead_manager.pipeline.finding.web_sources import configured_source_names
from odoo_lead_manager.pipeline.policy import fallback_owner, nobody_or_raise
from odoo_lead_manager.pipeline.selection import Selection, limit_workload
from odoo_lead_manager.pipeline.selection.absences import crm_absences
from odoo_lead_manager.pipeline.selection.candidates import crm_candidates, select_candidates
from odoo_lead_manager.pipeline.selection.odoo_team import (
    accepted_leads,
    capacities,
    capacity_start,
    domains_of,
    paused_absences,
    preferred_domains_of,
)
from odoo_lead_manager.pipeline.settings import PlanSettings
from odoo_lead_manager.pipeline.strategies.people import Levels, levels_from, with_levels
from odoo_lead_manager.pipeline.workload import (
    compute_workloads,
    count_workloads,
    holder_of,
)


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
    settings: PlanSettings,
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
    selection_cfg = settings.selection
    campaign = settings.campaign
    selection = select_candidates(selection_cfg, candidates, crm, campaign)
    problems: list[str] = []
    if not selection.eligible:
        problems.append(
            nobody_or_raise(settings, selection.explain_empty(campaign), selection.warnings)
        )
    levels = levels_from(settings.distribution, selection_cfg.filters.level_order)
    selection = replace(selection, eligible=with_levels(selection.eligible, levels))
    counting = settings.owners.counting
    # Every resolved member is measured (four grouped counts whatever their number), so a
    # replay under another configuration finds the workload of whoever it selects.
    measured = {p.user_id for p in (*selection.eligible, *selection.inactive)}
    counts = count_workloads(crm, measured | set(selection.resolved_ids), today, counting)
    workloads = compute_workloads(selection.eligible, counts)
    limit = selection_cfg.filters.max_workload_percentage
    if limit is not None and selection.eligible:
        selection = limit_workload(selection, workloads, limit)
        if not selection.eligible:
            problems.append(
                nobody_or_raise(settings, selection.explain_empty(campaign), selection.warnings)
            )
        workloads = {p.user_id: workloads[p.user_id] for p in selection.eligible}
    setup = build_finding(
        settings.finding_stage,
        crm,
        today,
        selection.table_active_ids,
        selection.table_inactive_ids,
        date_range,
        settings.owners.written,
        web_sources,
        moved_elsewhere,
        user_names,
    )
    fallback = fallback_owner(settings, crm, campaign)
    receivers = (*selection.eligible, *([fallback] if fallback is not None else []))
    teams, team_names = write_teams(settings.distribution, settings.where, crm, receivers, campaign)
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


def recorded_inputs(
    settings: PlanSettings, snapshot: Snapshot
) -> tuple[Candidates, tuple[str, ...]]:
    """The salesperson rows and web-source names to plan with.

    What files and tables held comes from the snapshot (they may have changed
    since); what the configuration itself lists (``source_type: list`` or a
    ``database``/``team``/``odoo_team`` source resolved through the recorded answers, web
    sources of ``source_type: config``) comes from the configuration, so
    that replaying under another configuration uses its lists.
    """
    candidates = snapshot.candidates
    if settings.selection.source_type in ("list", "database", "team", "odoo_team"):
        candidates = crm_candidates(
            settings.selection, settings.where, snapshot.lookups(), snapshot.campaign
        )
    web_sources = snapshot.web_sources
    sources = settings.finding.web_sources
    if sources is not None and sources.source_type == "config":
        web_sources = tuple(configured_source_names(sources))
    return candidates, web_sources


def keeps_rejected(finding: LeadFinding, ledger: bool = False) -> bool | Callable[[str], bool]:
    """Which excluded leads planning lists: all of them for the ledger, the sales filter's
    for its match details, else none."""
    sales = finding.sales_filter
    reporting = sales_reporting(sales) if sales is not None and sales.enabled else None
    if ledger or (reporting is not None and reporting.export_excluded_leads):
        return True
    if reporting is not None and reporting.log_match_details:
        return SALES_FILTER.__eq__
    return False


def member_leads(
    selection: SalespersonSelection,
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
    team = selection.source_config.team or ""
    names = {p.user_id: p.name for p in people}
    ids = [lead.id for lead in fetched.leads]
    accepted = accepted_leads(crm, domains_of(candidates.members, names, team), ids)
    preferred = accepted_leads(crm, preferred_domains_of(candidates.members, names, team), ids)
    return accepted, preferred


def unread_fields(setup: FindingSetup, prepared: Prepared) -> list[str]:
    """The lead fields the fetch leaves unread: those no rule looks at, but the
    "Assignment Date" an ``odoo_team`` run counts capacity by."""
    unread = setup.pipeline.unread()
    return [name for name in unread if not (name == "date_open" and prepared.capacity)]


def write_teams(
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
    campaign_team = campaign_team_id(crm, campaign) if not all(explicit.values()) else None
    names = {team_id: name for name, team_id in teams.items()}
    if campaign_team is not None and campaign:
        names[campaign_team] = campaign
    written = {uid: teams[name] if name else campaign_team for uid, name in explicit.items()}
    return written, names


def campaign_team_id(crm: Lookups, campaign: str | None) -> int | None:
    """The id of the one active CRM team named exactly like the campaign, if there is one."""
    if not campaign:
        return None
    found = [t for t in crm.find_teams([campaign]) if t.name == campaign and t.active]
    if len(found) != 1:
        return None
    return found[0].id


def owner_ids(leads: Sequence[Lead], fields: tuple[str, WorkloadCounting]) -> set[int]:
    """The users holding ``leads`` by the holder field and the workload's."""
    holder, counting = fields
    return {
        uid
        for lead in leads
        for uid in (getattr(lead, holder), getattr(lead, holder_of(counting)))
        if uid is not None
    }


def owner_names(
    crm: Lookups,
    leads: Sequence[Lead],
    known: Mapping[int, str],
    fields: tuple[str, WorkloadCounting],
) -> dict[int, str]:
    """Names of the leads' holders (by the holder field and the workload's), one CRM call."""
    missing = owner_ids(leads, fields) - known.keys()
    return {u.id: u.name for u in crm.users_by_id(missing)} if missing else {}


def prepare_recorded(
    settings: PlanSettings, snapshot: Snapshot, crm: Lookups
) -> tuple[Candidates, Prepared]:
    """The prepare step on a kept snapshot: its own inputs, and the CRM's answers it recorded
    (``crm``: the snapshot's `Lookups`)."""
    candidates, web_sources = recorded_inputs(settings, snapshot)
    prepared = prepare(
        settings,
        crm,
        candidates,
        snapshot.today,
        web_sources,
        snapshot.date_range,
        snapshot.moved_elsewhere,
        snapshot.taken_at,
        snapshot.user_names(),
    )
    return candidates, prepared
