"""`odlm explain LEAD_ID`: every decision a run made about one lead, in order.

Pure: from the configuration, the snapshot the run planned from, its plan
and (for a real run) what the journal says was written. The rules are met
through `pipeline.finding.finder.decide`, the function the finder decides every lead
with, so the rule shown as stopping a lead is the one the report counted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from odoo_lead_manager.domain.holders import earlier_holders
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.reasons import (
    CREATED_AFTER,
    DISTRIBUTED,
    DROPPED_BACK,
    NO_SUCH_LEAD,
    NOT_DISTRIBUTED,
    NOT_FETCHED,
    reason_code,
)
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.pipeline.finding.filters import sentence
from odoo_lead_manager.pipeline.finding.finder import Pipeline, decide
from odoo_lead_manager.pipeline.preparing import prepare_recorded
from odoo_lead_manager.pipeline.settings import PlanSettings


@dataclass(frozen=True)
class Step:
    """One rule the lead met: its name (as the report counts it), code, outcome and why."""

    rule: str
    code: str
    passed: bool
    why: str = ""


@dataclass(frozen=True)
class Explanation:
    """What happened to one lead in one run."""

    lead_id: int
    run_id: str
    dry_run: bool
    steps: tuple[Step, ...]
    # The code and sentence of the outcome: the rule that stopped the lead, or what moved it.
    code: str
    outcome: str
    # What was written, or why nothing was (real runs), or that nothing is written (dry).
    written: str = ""
    fetched: bool = True
    # Which run this is, and how the lead differs today from what the run saw.
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The explanation for a terminal."""
        kind = "dry run" if self.dry_run else "run"
        out = [f"Lead {self.lead_id} in {kind} {self.run_id}:"]
        for number, step in enumerate(self.steps, start=1):
            mark = "passed" if step.passed else "REMOVED HERE"
            why = f": {step.why}" if step.why and not step.passed else ""
            out.append(f"  {number:>2}. {step.rule} [{step.code}] {mark}{why}")
        out.append(f"  Outcome [{self.code}]: {self.outcome}")
        if self.written:
            out.append(f"  Written: {self.written}")
        out.extend(f"  Note: {note}" for note in self.notes)
        return out


@dataclass(frozen=True)
class Today:
    """A lead as the CRM holds it when explaining (``lead`` None: the CRM has no such
    lead): what says why a run never saw it, and whether it changed since."""

    lead: Lead | None


def explain(
    settings: PlanSettings,
    snapshot: Snapshot,
    plan: Plan,
    lead_id: int,
    dry_run: bool,
    applied: Mapping[int, str] | None = None,
    today: Today | None = None,
) -> Explanation:
    """Explain ``lead_id``'s fate in ``plan`` (computed from ``snapshot`` under ``settings``).

    ``applied`` is what the journal says became of each lead written (real
    runs): "written", "already held the values", or why it was left alone.
    ``today`` (None: the CRM was not asked) tells a lead the run never saw.
    """
    lead = snapshot.lead(lead_id)
    pipeline = prepare_recorded(settings, snapshot, snapshot.lookups())[1].setup.pipeline
    if lead is None:
        types = settings.lead_types
        return _not_fetched(snapshot, plan, lead_id, dry_run, pipeline, today, types)
    met, drops = decide(lead, pipeline, server_first=True)
    steps = tuple(
        Step(rule.name, reason_code(rule.name), passed, "" if passed else sentence(rule, lead))
        for rule, passed in met
    )
    written = _written(plan, lead_id, dry_run, applied)
    if steps and not steps[-1].passed:
        last = steps[-1]
        return Explanation(
            lead_id, plan.run_id, dry_run, steps, last.code, f"{last.rule}: {last.why}", ""
        )
    holder = getattr(lead, settings.owners.holder)
    held = f"; it was held by {plan.user_label(holder)}" if holder is not None else ""
    for assignment in plan.dropback if drops else plan.assignments:
        if assignment.lead_id == lead_id:
            code = DROPPED_BACK if drops else DISTRIBUTED
            to = plan.user_label(assignment.user_id)
            never = "" if drops else _never_to(plan, snapshot, settings, lead_id, holder)
            outcome = f"to {to}{never} — {assignment.reason}{held if drops else ''}"
            return Explanation(lead_id, plan.run_id, dry_run, steps, code, outcome, written)
    for why, ids in plan.unassigned.items():
        if lead_id in ids:
            outcome = f"passed every rule, and the strategy {plan.strategy} left it: {why}{held}"
            return Explanation(lead_id, plan.run_id, dry_run, steps, NOT_DISTRIBUTED, outcome)
    raise AssertionError(f"lead {lead_id} passed every rule but is in no part of the plan")


def _never_to(
    plan: Plan, snapshot: Snapshot, settings: PlanSettings, lead_id: int, holder: int | None
) -> str:
    """Whom the lead could not go to: its holder, and its earlier holders
    (``distribution.never_back_to_last``)."""
    chain = snapshot.earlier_holders.get(lead_id, ())
    count = settings.distribution.never_back_to_last
    earlier = sorted(earlier_holders(chain, holder, count))
    said = [f"its holder {plan.user_label(holder)}"] if holder is not None else []
    if earlier:
        names = ", ".join(plan.user_label(uid) for uid in earlier)
        said.append(f"back to {names}, who held it before (never_back_to_last: {count})")
    return f" (never to {' nor '.join(said)})" if said else ""


def _not_fetched(
    snapshot: Snapshot,
    plan: Plan,
    lead_id: int,
    dry_run: bool,
    pipeline: Pipeline,
    today: Today | None,
    lead_types: Collection[str],
) -> Explanation:
    """A lead the run did not download: removed by a rule the CRM applied (on record by id),
    outside what the run asked for, or not in the CRM at the run."""
    window = f"{plan.date_start or '...'}..{plan.date_end or '...'}"
    removed_by = snapshot.fetched.removed_by(lead_id)
    if removed_by is not None:
        steps, why = _removed_on_server(snapshot, pipeline, today, removed_by)
        outcome = f"{removed_by}: {why}"
        code = reason_code(removed_by)
        return Explanation(lead_id, plan.run_id, dry_run, steps, code, outcome, fetched=False)
    lead = today.lead if today is not None else None
    if today is not None and lead is None:
        outcome = (
            f"no lead {lead_id} in the CRM: deleted since the run of "
            f"{snapshot.taken_at:%Y-%m-%d %H:%M} UTC, or never created"
        )
        return Explanation(lead_id, plan.run_id, dry_run, (), NO_SUCH_LEAD, outcome, fetched=False)
    if lead is not None and lead.create_date is not None and _after(lead, snapshot):
        outcome = (
            f"created {lead.create_date:%Y-%m-%d %H:%M} UTC, after the run took its snapshot "
            f"({snapshot.taken_at:%Y-%m-%d %H:%M} UTC): the run never saw it"
        )
        return Explanation(lead_id, plan.run_id, dry_run, (), CREATED_AFTER, outcome, fetched=False)
    if lead is not None:
        code, why = _outside(lead, pipeline, window, lead_types)
        outcome = f"not among the leads the run asked the CRM for: {why}"
        return Explanation(lead_id, plan.run_id, dry_run, (), code, outcome, fetched=False)
    outcome = (
        f"not among the {plural(len(snapshot.fetched.leads), 'lead')} the run fetched nor those "
        f"a rule removed on the server: outside the date window {window}, or not an active lead "
        "of a distributed type (the CRM was not asked which)"
    )
    return Explanation(lead_id, plan.run_id, dry_run, (), NOT_FETCHED, outcome, fetched=False)


def _after(lead: Lead, snapshot: Snapshot) -> bool:
    created = lead.create_date
    assert created is not None
    taken = snapshot.taken_at
    if (created.tzinfo is None) != (taken.tzinfo is None):
        created = created.replace(tzinfo=taken.tzinfo)
    return created > taken


def _outside(
    lead: Lead, pipeline: Pipeline, window: str, lead_types: Collection[str]
) -> tuple[str, str]:
    """Why the run did not ask for ``lead`` (its code and sentence), from its values today:
    the run kept no copy of leads outside what it asked for."""
    today = "as the CRM holds it today"
    if not lead.active:
        return NOT_FETCHED, f"it is archived (odlm distributes active leads only; {today})"
    if lead.type not in lead_types:
        types = ", ".join(lead_types)
        return NOT_FETCHED, f"it is of type {lead.type!r}; odlm distributes {types} ({today})"
    if not pipeline.window.keep(lead):
        why = f"{sentence(pipeline.window, lead)} — outside the date window {window} ({today})"
        return reason_code(pipeline.window.name), why
    return NOT_FETCHED, (
        f"it was archived, of another type or outside the date window {window} then; today "
        "it is none of these (it changed since the run)"
    )


def _removed_on_server(
    snapshot: Snapshot, pipeline: Pipeline, today: Today | None, removed_by: str
) -> tuple[tuple[Step, ...], str]:
    """The rules the CRM applied, in order, up to the one whose answer left the lead out,
    and why (with how that rule sees the lead today, when the CRM was asked)."""
    steps = [Step(pipeline.window.name, reason_code(pipeline.window.name), True)]
    rules = {rule.name: rule for rule in pipeline.pushed()}
    for name, _ in snapshot.fetched.removed_ids:
        if name == removed_by:
            break
        steps.append(Step(name, reason_code(name), True))
    rule, lead = rules.get(removed_by), today.lead if today is not None else None
    why = "the CRM applied this rule and left the lead out (its values then were not downloaded)"
    if rule is not None and lead is not None:
        now = sentence(rule, lead) if not rule.keep(lead) else "it would pass this rule today"
        why += f"; today: {now}"
    steps.append(Step(removed_by, reason_code(removed_by), False, why))
    return tuple(steps), why


def _written(plan: Plan, lead_id: int, dry_run: bool, applied: Mapping[int, str] | None) -> str:
    values = next((g.values for g in plan.writes if lead_id in g.lead_ids), None)
    if values is None:
        return ""

    def value(name: str, v: Any) -> Any:
        named = plan.value_name(name, v)
        return v if named is None else named

    shown = ", ".join(f"{name}={value(name, v)}" for name, v in sorted(values.items()))
    if dry_run:
        return f"would write {shown} (a dry run writes nothing)"
    state = (applied or {}).get(lead_id)
    return f"{shown}: {state}" if state else f"{shown}: not recorded as written in the journal"


# The fields a lead's fate turns on, compared between the run's copy and today's.
_WATCHED = ("active", "type", "user_id", "open_user_id", "closer_id", "team_id", "status",
            "stage", "source_date", "activity_date_deadline")  # fmt: skip


def changed_since(
    then: Lead, now: Lead | None, plan: Plan, unread: Collection[str] = ()
) -> tuple[str, ...]:
    """How the lead as the CRM holds it now differs from the run's copy, in one note
    (``unread``: fields the run did not read, left out)."""
    if now is None:
        return ("the lead is no longer in the CRM",)

    def shown(field: str, value: Any) -> str:
        if field in ("user_id", "open_user_id", "closer_id"):
            return plan.user_label(value)
        if field == "team_id":
            return plan.team_name(value)
        return repr(value)

    changes = [
        f"{field} {shown(field, getattr(then, field))} -> {shown(field, getattr(now, field))}"
        for field in _WATCHED
        if field not in unread and getattr(then, field) != getattr(now, field)
    ]
    if not changes:
        return ("today the CRM holds the lead as the run left it",)
    return ("since the run, the CRM changed the lead: " + "; ".join(changes),)
