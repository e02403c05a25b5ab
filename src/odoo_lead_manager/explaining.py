"""`odlm explain LEAD_ID`: every decision a run made about one lead, in order.

Pure: from the configuration, the snapshot the run planned from, its plan
and (for a real run) what the journal says was written. The rules are met
through `finding.finder.decide`, the function the finder decides every lead
with, so the rule shown as stopping a lead is the one the report counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.defaults import holder_field
from odoo_lead_manager.finding.finder import decide
from odoo_lead_manager.finding.reasons import (
    DISTRIBUTED,
    DROPPED_BACK,
    NOT_DISTRIBUTED,
    NOT_FETCHED,
    reason_code,
    sentence,
)
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.planning import prepare, recorded_inputs
from odoo_lead_manager.snapshot import Snapshot


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
        return out


def explain(
    loaded: LoadedConfig,
    snapshot: Snapshot,
    plan: Plan,
    lead_id: int,
    dry_run: bool,
    applied: Mapping[int, str] | None = None,
) -> Explanation:
    """Explain ``lead_id``'s fate in ``plan`` (computed from ``snapshot`` under ``loaded``).

    ``applied`` is what the journal says became of each lead written (real
    runs): "written", "already held the values", or why it was left alone.
    """
    lead = snapshot.lead(lead_id)
    if lead is None:
        return _not_fetched(snapshot, plan, lead_id, dry_run)
    candidates, web_sources = recorded_inputs(loaded, snapshot)
    prepared = prepare(
        loaded,
        snapshot.lookups(),
        candidates,
        snapshot.today,
        web_sources,
        snapshot.date_range,
        snapshot.moved_elsewhere,
        snapshot.taken_at,
        snapshot.user_names(),
    )
    met, drops = decide(lead, prepared.setup.pipeline, server_first=True)
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
    holder = getattr(lead, holder_field(loaded.config))
    held = f"; it was held by {plan.user_label(holder)}" if holder is not None else ""
    for assignment in plan.dropback if drops else plan.assignments:
        if assignment.lead_id == lead_id:
            code = DROPPED_BACK if drops else DISTRIBUTED
            to = plan.user_label(assignment.user_id)
            never = (
                f" (never to its holder {plan.user_label(holder)})"
                if holder is not None and not drops
                else ""
            )
            outcome = f"to {to}{never} — {assignment.reason}{held if drops else ''}"
            return Explanation(lead_id, plan.run_id, dry_run, steps, code, outcome, written)
    for why, ids in plan.unassigned.items():
        if lead_id in ids:
            outcome = f"passed every rule, and the strategy {plan.strategy} left it: {why}{held}"
            return Explanation(lead_id, plan.run_id, dry_run, steps, NOT_DISTRIBUTED, outcome)
    raise AssertionError(f"lead {lead_id} passed every rule but is in no part of the plan")


def _not_fetched(snapshot: Snapshot, plan: Plan, lead_id: int, dry_run: bool) -> Explanation:
    rules = ", ".join(name for name, _ in snapshot.fetched.removed)
    where = f"the date window {plan.date_start or '...'}..{plan.date_end or '...'}"
    if rules:
        where += f" or one of the rules the CRM applied ({rules})"
    outcome = (
        f"not among the {len(snapshot.fetched.leads):,} leads the run fetched: "
        f"{where} left it out, or it is not an active lead of a distributed type"
    )
    return Explanation(lead_id, plan.run_id, dry_run, (), NOT_FETCHED, outcome, fetched=False)


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
