"""Choosing the eligible salespeople from candidate rows (spec §2.2, §2.4, §7.1).

A pure function of the rows, the criteria and the CRM users the rows name:
reading sources and asking the CRM happen before (`snapshot.selection`,
`pipeline.selection.candidates`), the workload limit after the workload is
measured (`limit_workload`).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from odoo_lead_manager.domain.candidates import CampaignRow
from odoo_lead_manager.domain.model import Salesperson, User, Workload
from odoo_lead_manager.errors import UserInputError

DEFAULT_LEVEL_ORDER = ("senior", "mid_level", "junior")


@dataclass(frozen=True)
class SelectionCriteria:
    """The campaign filtering of §2.2 and the filters of §2.4.

    ``team_ids`` are the CRM ids of the team named by ``team_filter``, so that
    a salesperson without a team in the table is matched by the CRM's team.
    ``level_order`` lists levels from highest to lowest; an integer
    ``min_experience_level`` counts from the lowest (1 = the lowest level).
    The campaign and ``exclude_specific_users`` compare exactly, as R's
    ``%in%`` does, unless ``case_sensitive`` is off (case folded) or
    ``strip_whitespace`` on (surrounding blanks ignored).
    """

    target_campaign: str | None
    include_inactive_salespeople: bool = False
    exclude_specific_users: Collection[str] = ()
    active_only: bool = True
    has_permissions: bool = True
    team_filter: str | None = None
    team_ids: Collection[int] = ()
    min_experience_level: int | str | None = None
    level_order: Sequence[str] = DEFAULT_LEVEL_ORDER
    unknown_salespeople: Literal["error", "skip"] = "error"
    source_label: str = "in table"
    case_sensitive: bool = True
    strip_whitespace: bool = False

    def key(self, name: str) -> str:
        """How a campaign or user name compares under these settings."""
        name = name.strip() if self.strip_whitespace else name
        return name if self.case_sensitive else name.casefold()

    def level_rank(self, level: str) -> int | None:
        """1 for the lowest level, up to the number of levels; None when unknown."""
        order = [name.casefold() for name in self.level_order]
        key = level.casefold()
        return len(order) - order.index(key) if key in order else None

    def minimum_rank(self) -> int | None:
        """The rank ``min_experience_level`` asks for, or None when unset."""
        wanted = self.min_experience_level
        if wanted is None:
            return None
        if isinstance(wanted, int):
            return wanted
        rank = self.level_rank(wanted)
        if rank is None:
            raise UserInputError(
                f"min_experience_level {wanted!r} is not one of the levels "
                f"{', '.join(self.level_order)}"
            )
        return rank


@dataclass(frozen=True)
class Selection:
    """Who receives leads, whose leads may be taken back, and who was left out and why.

    ``eligible`` receive leads. ``inactive`` are campaign members marked
    inactive in the table (or archived in the CRM): the legacy pipeline
    redistributes their leads. ``left_out`` pairs a name with the reason;
    ``warnings`` are the skipped unknown names when skipping is configured.
    """

    eligible: tuple[Salesperson, ...]
    inactive: tuple[Salesperson, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    campaign_rows: int = 0
    table_rows: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    source_label: str = "in table"
    warnings: tuple[str, ...] = ()
    # The campaign members by the table's active flag alone (excluded users left
    # out), whatever their eligibility: the R pipeline's two groups of owners.
    table_active_ids: tuple[int, ...] = ()
    table_inactive_ids: tuple[int, ...] = ()
    # Every campaign member resolved to a CRM user, whether selected or left out.
    resolved_ids: tuple[int, ...] = ()

    def explain_empty(self, campaign: str | None) -> str:
        """Why nobody is eligible, in one sentence with the counts."""
        parts = [f"{self.campaign_rows} {self.source_label}"]
        parts.extend(f"{count} {reason}" for reason, count in self.skipped_reasons.items())
        return f"no eligible salespeople for campaign {campaign or '(any)'}: {', '.join(parts)}"


def loose(name: str) -> str:
    """A name without case or surrounding blanks: what a near miss has in common."""
    return name.strip().casefold()


def campaign_rows(
    rows: Sequence[CampaignRow], target: str | None, criteria: SelectionCriteria | None = None
) -> list[CampaignRow]:
    """The rows of the target campaign (all rows without a target), compared as configured."""
    if target is None:
        return list(rows)
    criteria = criteria or SelectionCriteria(target)
    wanted = criteria.key(target)
    return [row for row in rows if criteria.key(row.campaign_name) == wanted]


def unknown_campaign(rows: Sequence[CampaignRow], target: str) -> str:
    """A target campaign no row names: a typo, not a day without salespeople. The sentence
    names the source, the nearest campaign it has and all of them."""
    names = sorted({row.campaign_name for row in rows})
    by_loose = {loose(name): name for name in names}
    loosely = [name for name in names if loose(name) == loose(target)]
    close = loosely or [
        by_loose[match]
        for match in difflib.get_close_matches(loose(target), list(by_loose), n=1, cutoff=0.6)
    ]
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    if loosely:
        hint = (
            f" ({close[0]!r} differs only by case or blanks: set it as target_campaign, or "
            "set salesperson_selection.campaign_filtering.case_sensitive: false and "
            "strip_whitespace: true to match it)"
        )
    origin = rows[0].origin or "the salesperson source"
    listed = ", ".join(repr(name) for name in names[:20])
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return (
        f"{origin}: no row names the target campaign {target!r}{hint}; its campaigns are "
        f"{listed}{more}; nothing was changed"
    )


def near_misses(
    rows: Sequence[CampaignRow], criteria: SelectionCriteria, chosen: Sequence[CampaignRow]
) -> list[str]:
    """Rows that differ from the target campaign or an excluded name only by case or blanks.

    Such a row is compared exactly and left out (or kept), as R would; the
    warning says so, with the file and line, and how to compare loosely.
    """
    warnings = []
    target = criteria.target_campaign
    how = (
        "set salesperson_selection.campaign_filtering.case_sensitive: false"
        " and strip_whitespace: true to match it"
    )
    if target is not None:
        for row in rows:
            name = row.campaign_name
            if criteria.key(name) != criteria.key(target) and loose(name) == loose(target):
                warnings.append(
                    f"{row.where}: campaign {name!r} is not {target!r} (case or blanks "
                    f"differ), so {row.salesperson_name!r} is not selected; {how}"
                )
    excluded = {criteria.key(n): n for n in criteria.exclude_specific_users}
    loosely = {loose(n): n for n in criteria.exclude_specific_users}
    for row in chosen:
        name = row.salesperson_name
        if criteria.key(name) not in excluded and loose(name) in loosely:
            warnings.append(
                f"{row.where}: {name!r} is not the excluded user "
                f"{loosely[loose(name)]!r} (case or blanks differ), so it is not excluded; {how}"
            )
    return warnings


def select_salespeople(
    rows: Sequence[CampaignRow],
    criteria: SelectionCriteria,
    users_by_name: Mapping[str, Sequence[User]],
    users_by_id: Mapping[int, User] | None = None,
) -> Selection:
    """Apply the target campaign, exclusions, CRM users, activity, rights, team and level.

    Names are matched to users by exact name or login, ids (a
    ``salesperson_id`` column, the legacy file's id) by id, and then the name
    must be the user's name or login. Unknown and ambiguous names are one
    error listing them all, since a silently missing salesperson would skew
    the whole distribution — unless ``unknown_salespeople`` is ``skip``.
    """
    chosen = campaign_rows(rows, criteria.target_campaign, criteria)
    if criteria.target_campaign is not None and rows and not chosen:
        raise UserInputError(unknown_campaign(rows, criteria.target_campaign))
    by_id = users_by_id or {}
    excluded = {criteria.key(name) for name in criteria.exclude_specific_users}
    minimum = criteria.minimum_rank()
    team_ids = set(criteria.team_ids)
    problems: list[str] = []
    warnings: list[str] = near_misses(rows, criteria, chosen)
    seen: dict[str, CampaignRow] = {}
    seen_users: dict[int, CampaignRow] = {}
    eligible: list[Salesperson] = []
    inactive: list[Salesperson] = []
    flagged: dict[bool, list[int]] = {True: [], False: []}
    left_out: list[tuple[str, str]] = []
    reasons: dict[str, int] = {}

    def leave_out(name: str, reason: str) -> None:
        left_out.append((name, reason))
        reasons[reason] = reasons.get(reason, 0) + 1

    for row in chosen:
        key = row.salesperson_name
        if key in seen:
            _repeated(seen[key], row, problems, warnings)
            continue
        seen[key] = row
        if criteria.key(key) in excluded:
            leave_out(row.salesperson_name, "excluded")
            continue
        user, problem = _resolve(row, users_by_name, by_id)
        if user is None:
            if criteria.unknown_salespeople == "skip":
                warnings.append(f"{problem}; skipped")
                leave_out(row.salesperson_name, "not CRM users")
            else:
                problems.append(problem)
            continue
        if user.id in seen_users:
            _repeated(seen_users[user.id], row, problems, warnings)
            continue
        seen_users[user.id] = row
        if criteria.key(user.name) in excluded or criteria.key(user.login) in excluded:
            leave_out(row.salesperson_name, "excluded")
            continue
        person = Salesperson(
            name=user.name,
            user_id=user.id,
            campaign=row.campaign_name,
            active=row.active and user.active,
            user_active=user.active,
            team=row.team,
            level=row.level,
            target_leads=row.target_leads,
            skills=row.skills,
            region=row.region,
            timezone=row.timezone,
            login=user.login,
        )
        flagged[row.active].append(user.id)
        if not user.active and criteria.active_only:
            inactive.append(person)
            leave_out(row.salesperson_name, "archived in the CRM")
        elif not row.active and not criteria.include_inactive_salespeople:
            inactive.append(person)
            leave_out(row.salesperson_name, "inactive")
        elif criteria.has_permissions and not user.may_own_leads:
            leave_out(row.salesperson_name, "without sales rights")
        elif criteria.team_filter is not None and not _in_team(row, user, criteria, team_ids):
            leave_out(row.salesperson_name, f"not in team {criteria.team_filter}")
        elif minimum is not None and not _level_ok(row, criteria, minimum, problems):
            leave_out(row.salesperson_name, "below the minimum level")
        else:
            eligible.append(person)
    if problems:
        raise UserInputError("salespeople: " + "; ".join(problems))
    return Selection(
        eligible=tuple(eligible),
        inactive=tuple(inactive),
        left_out=tuple(left_out),
        campaign_rows=len(chosen),
        table_rows=len(rows),
        skipped_reasons=reasons,
        source_label=criteria.source_label,
        warnings=tuple(warnings),
        table_active_ids=tuple(flagged[True]),
        table_inactive_ids=tuple(flagged[False]),
        resolved_ids=tuple(seen_users),
    )


def _repeated(
    first: CampaignRow, again: CampaignRow, problems: list[str], warnings: list[str]
) -> None:
    """A salesperson listed twice for the campaign: harmless if the rows agree, else an error."""
    where = f"{first.origin}, " if first.origin else ""
    lines = f"{where}lines {first.line} and {again.line}"
    differ = first.differences(again)
    if differ:
        problems.append(
            f"{again.salesperson_name!r} is listed twice for campaign {again.campaign_name} "
            f"with different {', '.join(differ)} ({lines})"
        )
    else:
        warnings.append(
            f"{again.salesperson_name!r} is listed twice for campaign {again.campaign_name} "
            f"({lines}); the rows agree, so the second is ignored"
        )


def _resolve(
    row: CampaignRow, users_by_name: Mapping[str, Sequence[User]], by_id: Mapping[int, User]
) -> tuple[User | None, str]:
    name = row.salesperson_name
    if row.salesperson_id is not None:
        user = by_id.get(row.salesperson_id)
        if user is None:
            return None, f"{name!r} ({row.where}): no CRM user has id {row.salesperson_id}"
        if name.casefold() not in (user.name.casefold(), user.login.casefold()):
            return None, (
                f"{name!r} ({row.where}): CRM user {row.salesperson_id} is "
                f"{user.name!r} (login {user.login!r}), not {name!r}"
            )
        return user, ""
    users = list(users_by_name.get(name, ()))
    if not users:
        return None, f"{name!r} ({row.where}) is not a CRM user"
    if len(users) > 1:
        ids = ", ".join(str(u.id) for u in users)
        return None, (
            f"{name!r} ({row.where}) matches several CRM users (ids {ids}); "
            "give the user id (a salesperson_id column, or name|id in a salespeople file)"
        )
    return users[0], ""


def _in_team(row: CampaignRow, user: User, criteria: SelectionCriteria, ids: set[int]) -> bool:
    """The table's team decides; without one, the CRM user's sales team does."""
    wanted = criteria.team_filter or ""
    if row.team:
        return row.team.casefold() == wanted.casefold()
    return user.team_id is not None and user.team_id in ids


def _level_ok(
    row: CampaignRow, criteria: SelectionCriteria, minimum: int, problems: list[str]
) -> bool:
    if row.level is None:
        return False
    rank = criteria.level_rank(row.level)
    if rank is None:
        problems.append(
            f"{row.salesperson_name!r} ({row.where}): level {row.level!r} is not one of "
            f"{', '.join(criteria.level_order)}"
        )
        return False
    return rank >= minimum


def limit_workload(
    selection: Selection, workloads: Mapping[int, Workload], max_percentage: float
) -> Selection:
    """Leave out the salespeople whose workload is above ``max_percentage`` of their target.

    Salespeople without a target have no utilisation and are kept.
    """
    kept: list[Salesperson] = []
    left_out = list(selection.left_out)
    reasons = dict(selection.skipped_reasons)
    reason = f"above {max_percentage:g}% of target"
    for person in selection.eligible:
        utilisation = workloads[person.user_id].utilisation
        if utilisation is not None and utilisation > max_percentage:
            left_out.append((person.name, reason))
            reasons[reason] = reasons.get(reason, 0) + 1
        else:
            kept.append(person)
    return replace(
        selection, eligible=tuple(kept), left_out=tuple(left_out), skipped_reasons=reasons
    )
