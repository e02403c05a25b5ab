"""What a run does when it cannot go as planned (``error_handling``, Odoo's own
assignment): each exit that may stop the run says so in its name (``..._or_raise``)."""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Sequence
from dataclasses import replace

from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import (
    Assignment,
    Lead,
    Salesperson,
)
from odoo_lead_manager.domain.odoo_assignment import (
    LeadAssignment,
    accepted,
    describe,
    refusal,
)
from odoo_lead_manager.domain.rotation import Rotation
from odoo_lead_manager.errors import ConfigError, RunFailed, RunSkipped, UserInputError
from odoo_lead_manager.ops.logs import Said
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.pipeline.settings import PlanSettings
from odoo_lead_manager.pipeline.strategies import (
    StrategyInput,
    StrategyResult,
    StrategyUnavailable,
    distribute,
)
from odoo_lead_manager.pipeline.strategies.engine import (
    OVER_LIMIT,
    OWN_LEADS_ONLY,
)

# The plan's strategy when the fallback owner received the leads.
FALLBACK_OWNER = "fallback_owner"


def within_validation_threshold(settings: PlanSettings, names: int, sources: int) -> None:
    """Skipped bad input (unknown salespeople, unknown web sources) up to
    ``error_thresholds.max_validation_errors``; more stops the run before anything is written."""
    limit = settings.policy.max_validation_errors
    if names + sources > limit:
        raise UserInputError(
            f"{settings.where}: {plural(names + sources, 'entry', 'entries')} skipped as invalid "
            f"({plural(names, 'salesperson', 'salespeople')} not in the CRM, "
            f"{plural(sources, 'web source')} not in the CRM), more than "
            f"error_handling.error_thresholds.max_validation_errors ({limit}); fix them or "
            "raise the threshold; nothing was changed"
        )


def nobody_or_raise(settings: PlanSettings, why: str, warnings: Sequence[str] = ()) -> str:
    """``when_no_salespeople_found``: stop (fail), skip the run, or go on with a warning.
    A run that stops or is skipped says the selection's warnings too: a near miss is
    most often why nobody was selected."""
    choice = settings.policy.when_no_salespeople_found
    key = f"error_handling.fallback_strategies.when_no_salespeople_found: {choice}"
    also = "".join(f"\n  warning: {warning}" for warning in warnings)
    if choice == "fail":
        raise UserInputError(f"{why} ({key}){also}")
    if choice == "skip_distribution":
        raise RunSkipped(f"{why}; nothing was distributed ({key}){also}")
    if choice == "assign_to_fallback_owner":
        owner = settings.policy.fallback_owner
        return f"{why}; the leads go to the fallback owner {owner} ({key})"
    return f"{why}; only dropback leads are handed out ({key})"


def fallback_owner(
    settings: PlanSettings, crm: Lookups, campaign: str | None
) -> Salesperson | None:
    """The configured fallback owner as a CRM user who may own leads (asked on every run, so
    that a wrong name stops the run the day it is configured, not the day it is needed)."""
    name = settings.policy.fallback_owner
    if name is None:
        return None
    where = f"{settings.where}: error_handling.fallback_strategies.fallback_owner"
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


def no_leads_or_raise(settings: PlanSettings, examined: int, said: list[Said]) -> str:
    """``when_no_leads_found``: stop (fail), skip the run, or go on with a warning."""
    choice = settings.policy.when_no_leads_found
    key = f"error_handling.fallback_strategies.when_no_leads_found: {choice}"
    why = f"no distributable or dropback leads among the {examined:,} examined"
    if choice == "fail":
        raise RunFailed(f"{why}; nothing was written ({key})")
    if choice == "skip_distribution":
        raise RunSkipped(f"{why}; nothing was distributed ({key})")
    said.append(Said(logging.WARNING, "%s (%s)", (why, key)))
    return f"{why} ({key})"


def nobody_receives(leads: Sequence[Lead], reason: str) -> StrategyResult:
    ids = sorted(lead.id for lead in leads)
    return StrategyResult([], {reason: ids} if ids else {}, {})


def odoo_words(assignment: LeadAssignment | None) -> str | None:
    """Odoo's own assignment in its words, for the preview: on an Odoo server always, on the
    embedded store only where its settings were switched on."""
    if assignment is None:
        return None
    if assignment.version is None and not (assignment.rule_based or assignment.scheduled):
        return None
    return describe(assignment)


def odoo_assigns(
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


def distribute_or_fall_back(
    settings: PlanSettings,
    name: str,
    note: str | None,
    data: StrategyInput,
    rotation: Rotation | None,
    seed: int,
    said: list[Said],
) -> tuple[str, str | None, StrategyResult]:
    """Run strategy ``name``; if it cannot run, round robin when so configured (§9.2)."""
    try:
        return (
            name,
            note,
            distribute(name, with_rotation(name, data, rotation), random.Random(seed)),
        )
    except StrategyUnavailable as exc:
        fallback = settings.policy.when_distribution_fails
        if fallback != "use_round_robin" or name == "round_robin":
            raise ConfigError(f"{settings.where}: distribution.strategy: {exc}") from None
        note = (
            f"{exc}; distributed by round robin instead "
            "(error_handling.fallback_strategies.when_distribution_fails)"
        )
        said.append(Said(logging.WARNING, "%s", (note,)))
        rotation_data = with_rotation("round_robin", data, rotation)
        return "round_robin", note, distribute("round_robin", rotation_data, random.Random(seed))


def with_rotation(name: str, data: StrategyInput, rotation: Rotation | None) -> StrategyInput:
    if name != "round_robin" or rotation is None or rotation.cycle != data.cycle:
        return data
    return replace(data, rotation=rotation)
