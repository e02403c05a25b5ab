"""Who a source names, resolved in the CRM: the candidate rows of the sources the
configuration and the CRM hold, and the selection's filters over any source's rows.

Each source type yields candidate rows; names and ids are then resolved with one
CRM call each, whatever the number of salespeople. The rows of a file or a table
are read when the snapshot is taken (`snapshot.selection`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from odoo_lead_manager.config.schema.selection import SalespersonSelection
from odoo_lead_manager.domain.candidates import CampaignRow, Candidates
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Team, User
from odoo_lead_manager.errors import ConfigError, CrmError, CrmUnavailable, UserInputError
from odoo_lead_manager.pipeline.selection.odoo_team import domains_of, preferred_domains_of
from odoo_lead_manager.pipeline.selection.rows import list_rows
from odoo_lead_manager.pipeline.selection.select import (
    Selection,
    SelectionCriteria,
    campaign_rows,
    select_salespeople,
)

KEY = "salesperson_selection"


def crm_candidates(
    cfg: SalespersonSelection, where: str, crm: Lookups, campaign: str | None
) -> Candidates:
    """The rows of a source the configuration and the CRM hold (``list``, ``database``,
    ``team``, ``odoo_team``): resolved through ``crm``'s answers, no file read. ``where``
    names the configuration in messages."""
    source = cfg.source_config
    kind = cfg.source_type
    name = campaign or ""
    if kind == "odoo_team":
        return _odoo_team(cfg, where, crm, name)
    if kind == "list":
        if not source.salespeople_list:
            raise needs_key(where, "salespeople_list", kind)
        origin = f"{where}: {KEY}.source_config.salespeople_list"
        return Candidates(tuple(list_rows(source.salespeople_list, name, origin)), "in list")
    if kind == "database":
        if source.database_query is None:
            raise needs_key(where, "database_query", kind)
        users = crm.search_users(source.database_query.user_domain())
        rows = _user_rows(users, name, "database query", None)
        return Candidates(tuple(rows), "from the query", tuple(users))
    if kind not in ("team",):
        raise ValueError(f"{kind} is read from a file or table, not from the CRM")
    teams = _teams(cfg, where, crm, kind)
    users = crm.users_by_id({m for t in teams for m in t.member_ids})
    rows = _user_rows(users, name, f"team {source.team}", source.team)
    return Candidates(tuple(rows), "in team", tuple(users))


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


def _teams(cfg: SalespersonSelection, where: str, crm: Lookups, kind: str) -> list[Team]:
    """The CRM sales teams named by ``source_config.team`` (archived ones included)."""
    team = cfg.source_config.team
    if not team:
        raise needs_key(where, "team", kind)
    teams = [t for t in crm.find_teams([team]) if t.name == team]
    if not teams:
        raise UserInputError(
            f"{where}: {KEY}.source_config.team: no CRM sales team is named {team!r}"
        )
    return teams


def _odoo_team(cfg: SalespersonSelection, where: str, crm: Lookups, campaign: str) -> Candidates:
    """The members of one active sales team, each with Odoo's assignment settings; their
    ``assignment_max`` is a capacity over 30 days, not a target (see
    `pipeline.selection.odoo_team`)."""
    teams = [t for t in _teams(cfg, where, crm, "odoo_team") if t.active]
    where = f"{where}: {KEY}.source_config.team"
    if len(teams) != 1:
        name = cfg.source_config.team
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


def needs_key(where: str, key: str, kind: str) -> ConfigError:
    return ConfigError(f"{where}: {KEY}.source_config.{key} is required for source_type {kind}")


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
