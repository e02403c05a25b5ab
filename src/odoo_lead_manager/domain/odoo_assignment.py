"""Odoo's own lead assignment ("Rule-Based Assignment"): what it is set to, in Odoo's words.

Odoo assigns leads itself when a scheduled action, "CRM: Lead Assignment"
(``crm.ir_cron_crm_lead_assign``), is active. Settings > CRM > Rule-Based
Assignment (system parameter ``crm.lead.auto.assignment``) with "Running:
Repeatedly" switches it on; "Running: Manually" switches it off and leaves
only the "Assign Leads" button of a sales team. The scheduled action runs
whether the setting is ticked or not, so its own state is what decides.

Each such run (or click) takes the leads with no team and no salesperson,
merges each with every active lead sharing its e-mail address, whoever
holds it (the lower-ranked records are deleted: 22 of 400 leads handed out
in a run measured on Odoo 17 and 19, docs/odoo.md), gives them teams, and
gives salespeople to the leads of a team that have none, turning those into
opportunities. A CRM where it runs on its own would undo part of what odlm
writes, so a real run refuses such a CRM unless
``crm.odoo_auto_assignment: accept`` says the risk is known.

Everything here is a plain value or a pure function of one: the CRM store
reads the settings (`CrmStore.lead_assignment`), the snapshot keeps them,
and planning, ``odlm check`` and the runner word them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

# The configuration key that accepts running beside Odoo's automatic assignment.
ACCEPT_KEY = "crm.odoo_auto_assignment"
SETTING = "Rule-Based Assignment"
WHERE = "Settings > CRM > Rule-Based Assignment"
SCHEDULED_ACTION = "CRM: Lead Assignment"
CAPACITY = "Average Leads Capacity (on 30 days)"
# The first Odoo version that says "Pause assignment" for a member's assignment_optout.
PAUSE_RENAMED_IN = 19


@dataclass(frozen=True, slots=True)
class TeamCapacity:
    """A sales team as Odoo's assignment sees it.

    ``capacity`` is Odoo's "Lead Average Capacity": the sum of its
    memberships' ``assignment_max``, an archived user's included, as Odoo
    sums them (Odoo gives a team with 0 nothing);
    ``skipped`` is the team's own "Skip auto assignment", which keeps the
    scheduled action (not the "Assign Leads" button) away from it.
    """

    id: int
    name: str
    capacity: int = 0
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class LeadAssignment:
    """What the CRM's own lead assignment is set to, as read on the run's day.

    ``version`` is Odoo's major version (None: the embedded store, which
    keeps the same settings for tests and demos). ``rule_based`` is the
    setting; ``scheduled`` whether the scheduled action is active (read from
    the action itself; from the sales teams' "Auto Assignment" flag when the
    user may not read scheduled actions, ``unreadable`` then saying so).
    """

    version: int | None
    rule_based: bool
    scheduled: bool
    interval_number: int | None = None
    interval_type: str | None = None
    unreadable: str | None = None
    teams: tuple[TeamCapacity, ...] = ()

    @property
    def automatic(self) -> bool:
        """Whether Odoo assigns leads on its own: its scheduled action is active."""
        return self.scheduled

    def teams_of(self, ids: Collection[int]) -> tuple[TeamCapacity, ...]:
        """The teams among ``ids`` that Odoo's scheduled assignment gives leads to."""
        wanted = set(ids)
        return tuple(t for t in self.teams if t.id in wanted and t.capacity and not t.skipped)


def pause_label(version: int | None) -> str:
    """The label of a member's ``assignment_optout`` on this Odoo version."""
    if version is not None and version >= PAUSE_RENAMED_IN:
        return "Pause assignment"
    return "Skip auto assignment"


def describe(assignment: LeadAssignment) -> str:
    """The settings in Odoo's own words, as the server's version shows them."""
    if assignment.scheduled:
        every = _every(assignment)
        if assignment.rule_based:
            head = f'{SETTING} is on, with Running "Repeatedly"{every}'
        else:
            head = (
                f"{SETTING} is off, but the scheduled action {SCHEDULED_ACTION!r} is active"
                f"{every} (Settings > Technical > Scheduled Actions), and it assigns leads "
                "whatever the setting says"
            )
    elif assignment.rule_based:
        head = (
            f'{SETTING} is on, with Running "Manually": Odoo assigns leads only when '
            'someone clicks "Assign Leads" on a sales team (a click on any team merges '
            "duplicates across all leads, as a scheduled run does)"
        )
    else:
        head = f"{SETTING} is off: Odoo does not assign leads itself"
    if assignment.unreadable:
        head += f" ({assignment.unreadable})"
    return head


def _every(assignment: LeadAssignment) -> str:
    number, unit = assignment.interval_number, assignment.interval_type
    if not number or not unit:
        return ""
    return f" every {number} {unit.rstrip('s') if number == 1 else unit}"


def team_notes(assignment: LeadAssignment, team_ids: Collection[int]) -> list[str]:
    """Which of the campaign's teams Odoo's assignment would give leads to (none while it is
    switched off)."""
    if not (assignment.rule_based or assignment.scheduled):
        return []
    teams = assignment.teams_of(team_ids)
    return [
        f"sales team {t.name} (id {t.id}) has members with capacity ({CAPACITY}: "
        f"{t.capacity:,} in all), so Odoo's runs give it leads"
        for t in teams
    ]


def refusal(assignment: LeadAssignment, team_ids: Collection[int]) -> str:
    """Why a real run does not write on a CRM where Odoo assigns leads on its own."""
    return (
        f"Odoo assigns leads on its own on this CRM: {describe(assignment)}. "
        f"{_consequences(assignment, team_ids)} Switch it off in Odoo ({WHERE}: Running "
        f'"Manually", or untick {SETTING}), or set {ACCEPT_KEY}: accept to run anyway'
    )


def accepted(assignment: LeadAssignment, team_ids: Collection[int]) -> str:
    """What a run accepting the risk (``crm.odoo_auto_assignment: accept``) still says."""
    return (
        f"Odoo assigns leads on its own on this CRM: {describe(assignment)}. "
        f"{_consequences(assignment, team_ids)} Running anyway ({ACCEPT_KEY}: accept)"
    )


def _consequences(assignment: LeadAssignment, team_ids: Collection[int]) -> str:
    teams = "; ".join(team_notes(assignment, team_ids))
    return (
        "Each of its runs merges every lead with no team and no salesperson with the active "
        "leads sharing its e-mail address, deleting the lower-ranked ones (leads odlm handed "
        "out included), and gives salespeople to the leads of a team that have none, turning "
        "them into opportunities." + (f" Also: {teams}." if teams else "")
    )
