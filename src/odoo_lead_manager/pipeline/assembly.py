"""Plan assembly: every decision of a run, and every count the reports need, in one value."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from odoo_lead_manager import __version__
from odoo_lead_manager.config.schema.selection import (
    WorkloadCounting,
)
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.fetched import Rejection
from odoo_lead_manager.domain.ledger import LedgerEntry
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import (
    Assignment,
    Lead,
    LeadFacts,
    Salesperson,
    lead_day,
    write_stamp,
)
from odoo_lead_manager.domain.plan import PLAN_FORMAT, Plan, WriteGroup
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.ops.logs import Said
from odoo_lead_manager.pipeline.attendance import Attendance
from odoo_lead_manager.pipeline.finding.finder import FindResult
from odoo_lead_manager.pipeline.policy import (
    odoo_words,
)
from odoo_lead_manager.pipeline.preparing import (
    Prepared,
    owner_names,
)
from odoo_lead_manager.pipeline.selection.odoo_team import (
    counted_after,
)
from odoo_lead_manager.pipeline.settings import PlanSettings
from odoo_lead_manager.pipeline.strategies import (
    StrategyInput,
    StrategyResult,
)
from odoo_lead_manager.pipeline.workload import (
    lead_move,
)
from odoo_lead_manager.pipeline.writes import dropback_said


@dataclass(frozen=True)
class Found:
    """The find step: the leads the rules keep (and drop back), and the dropback's writes."""

    result: FindResult
    keep: bool | Callable[[str], bool]
    dropback: tuple[Assignment, ...]
    dropback_writes: tuple[WriteGroup, ...]


@dataclass(frozen=True)
class Request:
    """The request step: what the strategy is asked, the strategy chosen, and the notes."""

    data: StrategyInput
    chosen: str
    note: str | None
    refused: str | None
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """The distribute step: the strategy that ran, its note, what it decided, and who
    received as the fallback owner (None: the campaign's salespeople did)."""

    strategy: str
    note: str | None
    result: StrategyResult
    fallback: Salesperson | None


def assemble(
    settings: PlanSettings,
    snapshot: Snapshot,
    seed: int,
    crm: Lookups,
    candidates: Candidates,
    prepared: Prepared,
    found: Found,
    attendance: Attendance,
    request: Request,
    outcome: Outcome,
    writes: tuple[WriteGroup, ...],
    problems: Sequence[str],
    said: list[Said],
) -> Plan:
    """The plan: every decision, and every count the reports need."""
    selection, setup, result = prepared.selection, prepared.setup, outcome.result
    holder, counting = settings.owners.holder, settings.owners.counting
    members = (*selection.eligible, *selection.inactive)
    dropback = found.dropback
    leads_by_id = {lead.id: lead for lead in (*found.result.leads, *found.result.dropback)}
    planned = [leads_by_id[a.lead_id] for a in (*result.assignments, *dropback)]
    written_values = {lead_id: group.values for group in writes for lead_id in group.lead_ids}
    user_names = named_users(crm, snapshot, prepared, outcome.fallback, members, holder, counting)
    if settings.finding.dropback_filter is not None and dropback:
        said.extend(
            dropback_said(settings.finding.dropback_filter, dropback, leads_by_id, user_names)
        )
    strategy_note = outcome.note
    availability = settings.selection.availability
    return Plan(
        run_id=snapshot.snapshot_id,
        created_at=snapshot.taken_at,
        today=snapshot.today,
        campaign=prepared.campaign,
        strategy=outcome.strategy,
        configured_strategy=settings.distribution.strategy,
        strategy_note=strategy_note,
        seed=seed,
        date_start=setup.window.start,
        date_end=setup.window.last_day,
        salespeople=selection.eligible,
        left_out=selection.left_out,
        workloads=prepared.workloads,
        examined=found.result.examined,
        excluded=found.result.excluded,
        distributable=len(found.result.leads),
        assignments=tuple(result.assignments),
        unassigned=result.unassigned,
        quotas=result.quotas,
        capped=result.capped,
        away={uid: a.why for uid, a in attendance.away.items()},
        catch_up={
            uid: f"owed {debt} after an absence ({availability.catch_up}): "
            f"{result.caught_up.get(uid, 0)} more this run"
            for uid, debt in attendance.debts.items()
        },
        domains=domain_notes(request.data.accepts, request.data.prefers, found.result.leads),
        capacity=prepared.capacity,
        capacity_after=counted_after(
            prepared.capacity,
            {m.user_id: m.team_id for m in candidates.members},
            leads_by_id,
            [(group.lead_ids, group.values) for group in writes],
            datetime.combine(snapshot.today, snapshot.taken_at.time()),
        ),
        crm_assignment=odoo_words(prepared.assignment),
        refused=request.refused,
        team_names=prepared.team_names,
        fallback_owner=outcome.fallback.user_id if outcome.fallback is not None else None,
        rotation=result.rotation,
        writes=writes,
        user_names=user_names,
        seen_write_dates={lead.id: write_stamp(lead.write_date) for lead in planned},
        seen_owners={lead.id: lead.user_id for lead in planned},
        lead_facts={
            lead.id: LeadFacts.of(
                lead,
                lead_day(lead, settings.finding.date_range.date_field),
                lead_move(lead, written_values.get(lead.id, {}), counting),
            )
            for lead in planned
        },
        dropback=dropback,
        dropback_applied=setup.dropback is None or setup.dropback.assign,
        configuration=settings.name,
        format_version=PLAN_FORMAT,
        odlm_version=__version__,
        config_digest=settings.digest,
        snapshot_digest=snapshot.digest(),
        warnings=(
            *settings.notices,
            *problems,
            *selection.warnings,
            *setup.warnings,
            *result.warnings,
            *([strategy_note] if strategy_note and outcome.strategy != request.chosen else []),
        ),
        excluded_detail=found.result.details,
        ledger=ledger_entry(snapshot, request.data, result),
    )


def ledger_entry(
    snapshot: Snapshot, data: StrategyInput, result: StrategyResult
) -> LedgerEntry | None:
    """What the run adds to the fairness ledger (None: the ledger is off)."""
    if snapshot.standing is None:
        return None
    return LedgerEntry(
        taken_at=snapshot.taken_at.replace(tzinfo=None),
        stakes=dict(data.stakes),
        outside={uid: ids for uid, ids in snapshot.outside.items() if uid in data.stakes},
        credit={uid: n for uid, n in result.caught_up.items() if n},
        balances={uid: round(b, 3) for uid, b in data.balances.items()},
        days=data.ledger_days,
    )


def named_users(
    crm: Lookups,
    snapshot: Snapshot,
    prepared: Prepared,
    fallback: Salesperson | None,
    members: Sequence[Salesperson],
    holder: str,
    counting: WorkloadCounting,
) -> dict[int, str]:
    """Everyone the plan names: the members, the fallback owner, the dropback users, and
    every fetched lead's holder (so that the ledger and explain name them too)."""
    names = {p.user_id: p.name for p in members}
    if fallback is not None:
        names[fallback.user_id] = fallback.name
    dropback = prepared.setup.dropback
    if dropback is not None:
        names.update((t.user_id, t.user_name) for t in dropback.targets.values())
    names.update(owner_names(crm, snapshot.fetched.leads, names, (holder, counting)))
    return names


def rejected_leads(found: Found, outcome: Outcome, plan: Plan) -> tuple[Rejection, ...]:
    """The leads the ledger lists: those a rule excluded, and those the strategy left."""
    if found.keep is not True:
        return ()
    leads = {lead.id: lead for lead in (*found.result.leads, *found.result.dropback)}
    left = [
        Rejection(leads[lead_id], f"not distributed: {reason}", None, reason)
        for reason, ids in outcome.result.unassigned.items()
        for lead_id in ids
    ]
    return (*found.result.rejected, *left)


def domain_notes(
    accepts: Mapping[int, frozenset[int]],
    prefers: Mapping[int, frozenset[int]],
    leads: Sequence[Lead],
) -> dict[int, str]:
    ids = {lead.id for lead in leads}
    notes = {
        uid: f"assignment domain (Odoo) accepts {len(ids & accepted):,} of the "
        f"{len(ids):,} distributable leads"
        for uid, accepted in accepts.items()
    }
    for uid, preferred in prefers.items():
        note = f"preferred domain (Odoo's Lead Priority Filter) prefers {len(ids & preferred):,}"
        notes[uid] = f"{notes[uid]}; {note}" if uid in notes else note
    return notes
