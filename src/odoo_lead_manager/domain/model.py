"""The domain values every stage passes to the next.

They are plain, immutable and independent of where they came from: the CRM
stores turn Odoo-shaped records into these, and nothing downstream sees a
raw record. Field names follow the target installation's crm.lead fields
(``status``, ``source_date``, ``open_user_id``, ``closer_id`` and the
standard ones), which are also the logical names used in domains.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# A domain in Odoo's notation over logical field names, e.g.
# [("status", "in", ["New", "Utr"]), "|", ("user_id", "=", False), ("user_id", "=", 7)].
DomainTerm = tuple[str, str, Any] | str
Domain = list[DomainTerm]


@dataclass(frozen=True, slots=True)
class User:
    """A CRM user (res.users).

    ``team_id`` is the user's main sales team; ``may_own_leads`` says whether
    the CRM lets the user own leads (an internal user with sales rights).
    """

    id: int
    name: str
    login: str = ""
    active: bool = True
    team_id: int | None = None
    may_own_leads: bool = True


@dataclass(frozen=True, slots=True)
class Team:
    """A CRM sales team (crm.team) and its active members' user ids."""

    id: int
    name: str
    active: bool = True
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A sales-team membership (crm.team.member) with Odoo's own assignment settings.

    ``assignment_max`` is what Odoo calls the member's capacity: leads per 30
    days. ``assignment_optout`` is "Skip auto assignment" (17, 18) / "Pause
    assignment" (19). ``assignment_domain``, ``team_domain`` (the team's
    own) and ``preferred_domain`` (19 only) are the domains as Odoo keeps
    them: Python literal text over crm.lead's fields, or None when empty.
    """

    team_id: int
    user_id: int
    assignment_max: int = 0
    assignment_optout: bool = False
    assignment_domain: str | None = None
    team_domain: str | None = None
    # Odoo 19's "Lead Priority Filter" (``assignment_domain_preferred``): leads the member
    # is chosen for first, among those whose ``assignment_domain`` accepts the lead.
    preferred_domain: str | None = None


@dataclass(frozen=True, slots=True)
class Lead:
    """A crm.lead record (a lead or an opportunity), normalised.

    Empty Odoo values (``False``) become ``None``; many2one fields keep only
    their id, except the utm source, campaign and stage, whose names are what
    the rules match on; ``priority`` is Odoo's selection key as an int 0-3.
    ``skills``, ``region`` and ``timezone`` feed the §4.3 matching rules;
    ``skills`` is the lead's skill field split on commas and semicolons.
    """

    id: int
    name: str = ""
    type: str = "lead"
    active: bool = True
    status: str | None = None
    stage: str | None = None
    source_date: date | None = None
    create_date: datetime | None = None
    write_date: datetime | None = None
    user_id: int | None = None
    open_user_id: int | None = None
    closer_id: int | None = None
    team_id: int | None = None
    source: str | None = None
    campaign: str | None = None
    tags: tuple[str, ...] = ()
    partner_id: int | None = None
    email: str | None = None
    phone: str | None = None
    priority: int = 0
    activity_date_deadline: date | None = None
    # Read only where crm.field_mapping maps them (none exists on a stock Odoo lead).
    skills: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None
    # Odoo's "Assignment Date": when the lead last got another salesperson (Odoo dates
    # every lead of a write that changes the salesperson of any of them, and clears it
    # with the salesperson); what Odoo counts a member's 30-day capacity by. Read only for
    # ``source_type: odoo_team``.
    date_open: datetime | None = None


def user_label(user_id: int | None, names: Mapping[int, str]) -> str:
    """A user as odlm's sentences name one: by name and id (``names``: those known)."""
    if user_id is None:
        return "nobody"
    name = names.get(user_id)
    return f"{name} (user {user_id})" if name else f"user {user_id}"


def split_values(text: str) -> tuple[str, ...]:
    """A list held in one text value (a ``skills`` column or field), split on commas or ;."""
    return tuple(part.strip() for part in re.split(r"[,;]", text) if part.strip())


def campaign_slug(campaign: str | None) -> str:
    """A campaign name fit for a file name (``all`` when there is no campaign)."""
    return "".join(c if c.isalnum() else "-" for c in (campaign or "all").casefold())


def write_stamp(value: datetime | None) -> str | None:
    """A lead's ``write_date`` as plans and journals record it, to compare with a later read."""
    return value.isoformat(sep=" ") if value else None


# Lead fields that can be written, with the type a store expects.
WRITABLE_FIELDS: Mapping[str, type] = {
    "user_id": int,
    "open_user_id": int,
    "closer_id": int,
    "team_id": int,
    "status": str,
    "priority": int,
}


@dataclass(frozen=True, slots=True)
class Salesperson:
    """A salesperson of a campaign, resolved to a CRM user.

    ``active`` is the campaign table's flag (the R pipeline's active and
    inactive salespeople); ``user_active`` is the CRM user's own flag.
    """

    name: str
    user_id: int
    campaign: str
    active: bool = True
    user_active: bool = True
    team: str | None = None
    level: str | None = None
    target_leads: int | None = None
    skills: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None
    # The CRM user's login (often the e-mail address the digests go to); not part of
    # what makes two salespeople the same.
    login: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Absence:
    """A salesperson away from ``start`` to ``end`` (both included): all day, or only in
    the ``morning`` or ``afternoon``; ``where`` names the file or table and line."""

    name: str
    start: date
    end: date
    part: str = "full"
    where: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Workload:
    """How many leads a salesperson holds now (spec §2.5).

    ``by_status`` and ``by_source`` use ``""`` for leads without one;
    ``recent`` counts the leads dated within the last ``recent_days`` days and
    ``this_month`` those dated since the first of the month.
    """

    user_id: int
    total: int
    by_status: Mapping[str, int] = field(default_factory=dict)
    target: int | None = None
    by_source: Mapping[str, int] = field(default_factory=dict)
    recent: int = 0
    this_month: int = 0

    @property
    def utilisation(self) -> float | None:
        """Current leads as a percentage of the target, when there is a target."""
        if not self.target:
            return None
        return 100.0 * self.total / self.target

    @property
    def deficit(self) -> int | None:
        """Leads missing to reach the target (negative when above it)."""
        if self.target is None:
            return None
        return self.target - self.total


@dataclass(frozen=True, slots=True)
class Capacity:
    """A sales-team member's capacity as Odoo means it (``source_type: odoo_team``).

    ``maximum`` is the member's ``assignment_max`` ("Average Leads Capacity (on
    30 days)"); ``used`` the leads Odoo counts as assigned to them in the 30
    days before the run: their leads of that team whose "Assignment Date"
    (``date_open``) falls in the window, lost and archived ones included, as
    Odoo's own ``lead_month_count`` counts. ``since`` is the window's start
    (naive UTC). A run gives a member at most ``left`` leads.
    """

    maximum: int
    used: int
    since: datetime

    @property
    def left(self) -> int:
        return max(0, self.maximum - self.used)


@dataclass(frozen=True, slots=True)
class Assignment:
    """One lead handed to one salesperson, and why."""

    lead_id: int
    user_id: int
    previous_user_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class LeadFacts:
    """What the history and the reports keep of a lead handed out, as the plan saw it.

    ``name`` is the lead's title (often a person's name: reports mask it
    when ``security.mask_personal_data`` is on); ``day`` is its date in the
    configured date field. ``leaves`` and ``joins`` say whose workload count
    the lead leaves and joins once written (None: nobody's), ``new_status``
    its status then (`workload.lead_move`).
    """

    status: str | None = None
    source: str | None = None
    campaign: str | None = None
    priority: int = 0
    name: str = ""
    day: date | None = None
    leaves: int | None = None
    joins: int | None = None
    new_status: str | None = None

    @classmethod
    def of(
        cls,
        lead: Lead,
        day: date | None = None,
        move: tuple[int | None, int | None, str | None] = (None, None, None),
    ) -> LeadFacts:
        leaves, joins, new_status = move
        return cls(
            lead.status,
            lead.source,
            lead.campaign,
            lead.priority,
            lead.name,
            day,
            leaves,
            joins,
            new_status,
        )


# What `CrmStore.read_values` gives per lead: the asked fields plus ``write_date``.
LeadState = dict[str, Any]


# `Lead` fields `CrmStore.search_leads` may be told to leave unread: Odoo computes
# ``activity_date_deadline`` from each lead's activities on every read (a second per
# 10,000 leads over XML-RPC, issue 27), and one rule alone looks at it; ``date_open``
# only matters to the capacity of ``source_type: odoo_team``.
SKIPPABLE = frozenset({"activity_date_deadline", "date_open"})


def lead_day(lead: Lead, field: str) -> date | None:
    """The day of a lead's date field (a datetime counts by its UTC day)."""
    value = getattr(lead, field)
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None
