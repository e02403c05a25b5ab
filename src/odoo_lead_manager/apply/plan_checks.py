"""What `odlm apply` checks of a plan file before anything is journalled or written.

A plan file is text anyone with access to the folder can edit. Its writes are
what reaches the CRM and its assignments are what the history records, so an
edited plan could send leads to anyone while the history says otherwise. The
checks here are pure: the plan against itself and against the configuration's
rules. Whether the recipients are CRM users who may own leads, and whether the
journal holds the same plan for the run id, the runner asks of the stores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from odoo_lead_manager import __version__
from odoo_lead_manager.config.defaults import written_owner_fields
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.domain.model import Assignment
from odoo_lead_manager.domain.plan import PLAN_FORMAT, Plan
from odoo_lead_manager.ops.limits import EARLIEST_DATE, LATEST_DATE, MAX_RECORD_ID, MAX_SEED

# Besides the owner fields, what a dropback rule may set on a lead.
DROPBACK_FIELDS = frozenset({"status", "team_id", "priority"})


@dataclass(frozen=True)
class WriteRules:
    """What the configuration lets a plan write."""

    owner_fields: tuple[str, ...]
    status_reset: str | None

    @classmethod
    def of(cls, config: DistributionConfig) -> WriteRules:
        """The rules of ``config``."""
        return cls(written_owner_fields(config), config.distribution.status_reset)


def format_problem(plan: Plan) -> str | None:
    """Why this odlm cannot read ``plan`` as it was meant, or None."""
    if plan.format_version == PLAN_FORMAT:
        return None
    made = f"odlm {plan.odlm_version}" if plan.odlm_version else "an older odlm"
    return (
        f"the plan has format {plan.format_version} (made by {made}); odlm {__version__} "
        f"applies format {PLAN_FORMAT} only: make the plan again"
    )


def write_problems(plan: Plan, rules: WriteRules) -> list[str]:
    """Where the plan's writes disagree with its assignments or with ``rules``.

    Each lead handed out is written exactly once, to the salesperson its
    assignment names (every configured owner field), and nothing else is
    written; the strategy's leads go to the plan's salespeople only.
    """
    problems = _range_problems(plan)
    if problems:
        return problems  # values out of range: nothing else is worth checking
    intended: dict[int, Assignment] = {}
    dropped_back = {a.lead_id for a in plan.dropback} if plan.dropback_applied else set()
    for assignment in plan.handed_out:
        if assignment.lead_id in intended:
            problems.append(f"lead {assignment.lead_id} is assigned twice")
        intended[assignment.lead_id] = assignment
    eligible = {person.user_id for person in plan.salespeople}
    unmeasured = sorted(eligible - plan.workloads.keys())
    if unmeasured:
        problems.append(f"salesperson {unmeasured[0]} has no workload in the plan")
    # The fallback owner receives leads only when the plan has no salesperson there to.
    receivers = eligible | ({plan.fallback_owner} if plan.fallback_owner is not None else set())
    for assignment in plan.assignments:
        if assignment.user_id not in receivers:
            problems.append(
                f"lead {assignment.lead_id} is assigned to user {assignment.user_id}, "
                "who is not one of the plan's salespeople"
            )
    written: set[int] = set()
    for number, group in enumerate(plan.writes):
        problems += _group_problems(
            f"writes[{number}]", group.lead_ids, group.values, intended, rules, dropped_back
        )
        again = written.intersection(group.lead_ids)
        if again:
            problems.append(f"writes[{number}]: lead {min(again)} is written twice")
        written.update(group.lead_ids)
    unwritten = sorted(intended.keys() - written)
    if unwritten:
        problems.append(
            f"{len(unwritten)} assigned lead(s) are not written (lead {unwritten[0]} first)"
        )
    return problems


def _range_problems(plan: Plan) -> list[str]:
    """Ids outside what a CRM record id can be; a seed or day outside odlm's bounds."""
    ids = [
        *(n for a in plan.handed_out for n in (a.lead_id, a.user_id)),
        *(n for group in plan.writes for n in group.lead_ids),
        *(
            v
            for group in plan.writes
            for v in group.values.values()
            if isinstance(v, int) and not isinstance(v, bool)
        ),
        *(p.user_id for p in plan.salespeople),
        *((plan.fallback_owner,) if plan.fallback_owner is not None else ()),
    ]
    wrong = [n for n in ids if not 1 <= n <= MAX_RECORD_ID]
    problems = []
    if wrong:
        problems.append(
            f"{len(wrong)} id(s) are not CRM record ids (1 to {MAX_RECORD_ID:,}): {wrong[0]}"
        )
    if not -MAX_SEED <= plan.seed <= MAX_SEED:
        problems.append(f"seed {plan.seed} is outside ±{MAX_SEED:,}")
    if not EARLIEST_DATE <= plan.today <= LATEST_DATE:
        problems.append(f"today {plan.today} is outside {EARLIEST_DATE}..{LATEST_DATE}")
    return problems


def _group_problems(
    where: str,
    lead_ids: tuple[int, ...],
    values: Mapping[str, object],
    intended: Mapping[int, Assignment],
    rules: WriteRules,
    dropped_back: set[int],
) -> list[str]:
    problems: list[str] = []
    if len(set(lead_ids)) != len(lead_ids):
        problems.append(f"{where} names a lead twice")
    missing = [f for f in rules.owner_fields if f not in values]
    if missing:
        problems.append(f"{where} does not set the configured owner field(s) {', '.join(missing)}")
    owners = {values[f] for f in rules.owner_fields if f in values}
    if len(owners) > 1:
        problems.append(f"{where} names different owners in {', '.join(rules.owner_fields)}")
    for lead_id in lead_ids:
        assignment = intended.get(lead_id)
        if assignment is None:
            problems.append(f"{where}: lead {lead_id} is written but not assigned")
        elif owners and owners != {assignment.user_id}:
            problems.append(
                f"{where}: lead {lead_id} is assigned to user {assignment.user_id} but "
                f"written to user {sorted(owners, key=str)[0]}"
            )
    kinds = {lead_id in dropped_back for lead_id in lead_ids}
    if len(kinds) > 1:
        problems.append(f"{where} mixes dropped-back leads with the strategy's")
    kind_is_dropback = kinds == {True}
    allowed = set(rules.owner_fields) | (DROPBACK_FIELDS if kind_is_dropback else {"team_id"})
    if not kind_is_dropback and rules.status_reset is not None:
        allowed.add("status")
        if values.get("status") != rules.status_reset:
            problems.append(
                f"{where} sets status {values.get('status')!r}, not the configured "
                f"distribution.status_reset {rules.status_reset!r}"
            )
    extra = sorted(set(values) - allowed)
    if extra:
        problems.append(f"{where} writes field(s) the configuration does not: {', '.join(extra)}")
    return problems
