"""From configuration and CRM to a `Selection`: reading the source and asking the CRM.

Each source type (§2.1) yields candidate rows; names and ids are then
resolved with one CRM call each, whatever the number of salespeople.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.schema.selection import SalespersonSelection
from odoo_lead_manager.errors import ConfigError, CrmError, CrmUnavailable, UserInputError
from odoo_lead_manager.lookups import Lookups
from odoo_lead_manager.model import Team, TeamMember, User
from odoo_lead_manager.selection.odoo_team import domains_of, preferred_domains_of
from odoo_lead_manager.selection.rows import (
    CampaignRow,
    list_rows,
    read_campaign_csv,
    read_legacy_file,
)
from odoo_lead_manager.selection.select import (
    Selection,
    SelectionCriteria,
    campaign_rows,
    select_salespeople,
)

KEY = "salesperson_selection"


def target_campaign(loaded: LoadedConfig) -> str | None:
    """The campaign whose salespeople are chosen, from the most specific setting."""
    cfg = loaded.config
    selection = cfg.salesperson_selection
    return (
        selection.campaign_filtering.target_campaign
        or cfg.campaign.target_campaign
        or selection.source_config.campaign
        or cfg.campaign.name
    )


@dataclass(frozen=True)
class Candidates:
    """The rows the configured source gave (§2.1), a label for counts, the users the
    source itself read (a ``database``, ``team`` or ``odoo_team`` source) and, for
    ``odoo_team``, the team's memberships with their assignment settings."""

    rows: tuple[CampaignRow, ...]
    label: str
    known: tuple[User, ...] = ()
    members: tuple[TeamMember, ...] = ()


def select_from_config(loaded: LoadedConfig, crm: Lookups, campaign: str | None) -> Selection:
    """Read the configured source, resolve its names in the CRM and apply the filters."""
    candidates = read_candidates(loaded, crm, campaign)
    return select_candidates(loaded.config.salesperson_selection, candidates, crm, campaign)


def read_candidates(loaded: LoadedConfig, crm: Lookups, campaign: str | None) -> Candidates:
    """The configured source's rows: the fetch step's part of selection (files, tables)."""
    if loaded.config.salesperson_selection.source_type == "odoo_team":
        return _odoo_team(loaded, crm, campaign or "")
    rows, label, known = candidate_rows(loaded, crm, campaign)
    return Candidates(tuple(rows), label, tuple(known.values()))


def select_candidates(
    cfg: SalespersonSelection, candidates: Candidates, crm: Lookups, campaign: str | None
) -> Selection:
    """Resolve the rows' names (``crm`` answers) and apply the filters of the
    ``salesperson_selection`` section; reads no file."""
    rows, label = list(candidates.rows), candidates.label
    known = {user.id: user for user in candidates.known}
    filtering, filters = cfg.campaign_filtering, cfg.filters
    team_ids: list[int] = []
    if filters.team_filter:
        team_ids = [t.id for t in crm.find_teams([filters.team_filter])]
    criteria = SelectionCriteria(
        target_campaign=campaign if filtering.enabled else None,
        include_inactive_salespeople=filtering.include_inactive_salespeople,
        exclude_specific_users=filtering.exclude_specific_users if filtering.enabled else (),
        active_only=filters.active_only,
        has_permissions=filters.has_permissions,
        team_filter=filters.team_filter,
        team_ids=team_ids,
        min_experience_level=filters.min_experience_level,
        level_order=filters.level_order,
        unknown_salespeople=cfg.unknown_salespeople,
        source_label=label,
        case_sensitive=filtering.case_sensitive,
        strip_whitespace=filtering.strip_whitespace,
    )
    wanted = campaign_rows(rows, criteria.target_campaign, criteria)
    names = {r.salesperson_name for r in wanted if r.salesperson_id is None}
    ids = {r.salesperson_id for r in wanted if r.salesperson_id is not None} - known.keys()
    by_id = dict(known)
    by_id.update((u.id, u) for u in (crm.users_by_id(ids) if ids else []))
    by_name = _users_by_name(crm.find_users(names) if names else [], names)
    # The warnings travel in the selection; the planner logs them once per run, whereas
    # this runs twice (for the fetch domain, then on the snapshot).
    return select_salespeople(rows, criteria, by_name, by_id)


def candidate_rows(
    loaded: LoadedConfig, crm: Lookups, campaign: str | None
) -> tuple[list[CampaignRow], str, dict[int, User]]:
    """The rows the configured source names, a label for counts, and users already read."""
    cfg = loaded.config.salesperson_selection
    source = cfg.source_config
    kind = cfg.source_type
    name = campaign or ""
    if kind == "campaign_table":
        table = source.campaign_table
        if table is not None and table.file_path:
            rows = read_campaign_csv(
                loaded.resolve_path(table.file_path),
                salesperson_column=table.salesperson_column,
                campaign_column=table.campaign_column,
                active_column=table.active_column,
            )
            return rows, "in table", {}
        if table is not None and table.table_name:
            # Imported here: SQLAlchemy is only loaded by runs that read a database.
            from odoo_lead_manager.selection.table import read_campaign_table
            from odoo_lead_manager.sqldb import database_engine

            engine = database_engine(loaded)
            try:
                rows = read_campaign_table(
                    engine,
                    table.table_name,
                    salesperson_column=table.salesperson_column,
                    campaign_column=table.campaign_column,
                    active_column=table.active_column,
                )
            finally:
                engine.dispose()
            return rows, "in table", {}
        raise _needs(loaded, "campaign_table.file_path or campaign_table.table_name", kind)
    if kind == "file":
        if not source.file_path:
            raise _needs(loaded, "file_path", kind)
        return read_legacy_file(loaded.resolve_path(source.file_path), name), "in file", {}
    if kind == "list":
        if not source.salespeople_list:
            raise _needs(loaded, "salespeople_list", kind)
        origin = f"{loaded.path}: {KEY}.source_config.salespeople_list"
        return list_rows(source.salespeople_list, name, origin), "in list", {}
    if kind == "database":
        if source.database_query is None:
            raise _needs(loaded, "database_query", kind)
        users = crm.search_users(source.database_query.user_domain())
        return _user_rows(users, name, "database query", None), "from the query", _by_id(users)
    teams = _teams(loaded, crm, kind)
    users = crm.users_by_id({m for t in teams for m in t.member_ids})
    rows = _user_rows(users, name, f"team {source.team}", source.team)
    return rows, "in team", _by_id(users)


def _teams(loaded: LoadedConfig, crm: Lookups, kind: str) -> list[Team]:
    """The CRM sales teams named by ``source_config.team`` (archived ones included)."""
    team = loaded.config.salesperson_selection.source_config.team
    if not team:
        raise _needs(loaded, "team", kind)
    teams = [t for t in crm.find_teams([team]) if t.name == team]
    if not teams:
        raise UserInputError(
            f"{loaded.path}: {KEY}.source_config.team: no CRM sales team is named {team!r}"
        )
    return teams


def _odoo_team(loaded: LoadedConfig, crm: Lookups, campaign: str) -> Candidates:
    """The members of one active sales team, each with Odoo's assignment settings; their
    ``assignment_max`` is a capacity over 30 days, not a target (see `selection.odoo_team`)."""
    teams = [t for t in _teams(loaded, crm, "odoo_team") if t.active]
    where = f"{loaded.path}: {KEY}.source_config.team"
    if len(teams) != 1:
        name = loaded.config.salesperson_selection.source_config.team
        raise UserInputError(
            f"{where}: {len(teams) or 'no'} active CRM sales teams are named {name!r}; "
            "odoo_team reads exactly one"
        )
    team = teams[0]
    try:
        members = crm.team_members([team.id])
    except CrmUnavailable:
        raise
    except CrmError as error:
        raise UserInputError(
            f"{where}: the CRM keeps no sales-team assignment settings ({error.message})"
        ) from None
    users = _by_id(crm.users_by_id({m.user_id for m in members}))
    names = {uid: user.name for uid, user in users.items()}
    # Every domain is checked now, so a malformed one stops the run before anything is read.
    domains_of(members, names, team.name)
    preferred_domains_of(members, names, team.name)
    rows = [
        CampaignRow(
            salesperson_name=users[m.user_id].name,
            campaign_name=campaign,
            team=team.name,
            salesperson_id=m.user_id,
            line=number,
            origin=f"sales team {team.name} (Odoo)",
        )
        for number, m in enumerate((m for m in members if m.user_id in users), start=1)
    ]
    return Candidates(tuple(rows), "in team", tuple(users.values()), tuple(members))


def _needs(loaded: LoadedConfig, key: str, kind: str) -> ConfigError:
    return ConfigError(
        f"{loaded.path}: {KEY}.source_config.{key} is required for source_type {kind}"
    )


def _user_rows(
    users: Sequence[User], campaign: str, origin: str, team: str | None
) -> list[CampaignRow]:
    return [
        CampaignRow(
            salesperson_name=user.name,
            campaign_name=campaign,
            team=team,
            salesperson_id=user.id,
            line=number,
            origin=origin,
        )
        for number, user in enumerate(users, start=1)
    ]


def _by_id(users: Sequence[User]) -> dict[int, User]:
    return {user.id: user for user in users}


def _users_by_name(users: Sequence[User], names: Collection[str]) -> dict[str, list[User]]:
    """Users keyed by each requested name they answer to (name or login)."""
    wanted = set(names)
    result: dict[str, list[User]] = {name: [] for name in wanted}
    for user in users:
        for key in {user.name, user.login} & wanted:
            result[key].append(user)
    return result
