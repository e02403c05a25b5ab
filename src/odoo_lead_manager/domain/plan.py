"""The plan: which lead goes to whom and why, plus every count the reports need.

A plan is data. A dry run shows it; a real run applies exactly it. It can be
written to JSON and read back.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from pydantic import TypeAdapter, ValidationError

from odoo_lead_manager.domain.fairness import Balance, measure_balance
from odoo_lead_manager.domain.ledger import LedgerEntry
from odoo_lead_manager.domain.model import (
    Assignment,
    Capacity,
    LeadFacts,
    Salesperson,
    Workload,
    user_label,
)
from odoo_lead_manager.domain.projection import Projection, project
from odoo_lead_manager.domain.rotation import Rotation

# Raised when what a plan file holds changes meaning; `odlm apply` refuses others.
PLAN_FORMAT = 1
# Lead fields that hold a user id.
USER_FIELDS = frozenset({"user_id", "open_user_id", "closer_id"})


@dataclass(frozen=True)
class WriteGroup:
    """Leads that receive identical values, written together (``batch_size`` at a time,
    when the group has its own, else the run's ``execution.batch_size``)."""

    lead_ids: tuple[int, ...]
    values: Mapping[str, Any]
    batch_size: int | None = None


@dataclass(frozen=True)
class Plan:
    """Everything a run decided before touching the CRM."""

    run_id: str
    created_at: datetime
    today: date
    campaign: str | None
    strategy: str
    seed: int
    date_start: date | None
    date_end: date | None
    salespeople: tuple[Salesperson, ...]
    left_out: tuple[tuple[str, str], ...]
    workloads: Mapping[int, Workload]
    examined: int
    excluded: Mapping[str, int]
    distributable: int
    assignments: tuple[Assignment, ...]
    unassigned: Mapping[str, list[int]]
    writes: tuple[WriteGroup, ...]
    user_names: Mapping[int, str] = field(default_factory=dict)
    # The configured strategy, and why this plan used another one (override or fallback).
    configured_strategy: str | None = None
    strategy_note: str | None = None
    # How many leads the strategy meant each salesperson to receive.
    quotas: Mapping[int, int] = field(default_factory=dict)
    # Who a cap held back (``distribution.caps``), with the cap: user id -> sentence.
    capped: Mapping[int, str] = field(default_factory=dict)
    # Who is away on the run's day (all day: nothing; half a day: a smaller share), and why.
    away: Mapping[int, str] = field(default_factory=dict)
    # Who is owed leads after an absence (``availability.catch_up``), and what this run gave.
    catch_up: Mapping[int, str] = field(default_factory=dict)
    # Who may only take the leads an assignment domain accepts (``odoo_team``), and how many
    # of the distributable leads the CRM says it accepts.
    domains: Mapping[int, str] = field(default_factory=dict)
    # The Odoo capacity of each member of an ``odoo_team`` source (Odoo's
    # "Average Leads Capacity (on 30 days)" and the leads it counted in the window before
    # the run), and what Odoo counts once the plan is written.
    capacity: Mapping[int, Capacity] = field(default_factory=dict)
    capacity_after: Mapping[int, int] = field(default_factory=dict)
    # What the CRM's own lead assignment is set to, in Odoo's words (None: not known).
    crm_assignment: str | None = None
    # Why a real run does not write this plan (Odoo assigns leads on its own), if so.
    refused: str | None = None
    # The names of the sales teams the plan writes or names, by id.
    team_names: Mapping[int, str] = field(default_factory=dict)
    # Who received the leads because nobody of the campaign could (``fallback_owner``).
    fallback_owner: int | None = None
    # Where round robin resumes next (saved once this plan is applied).
    rotation: Rotation | None = None
    # What the plan saw of each assigned lead (last change, owner), so that
    # applying can tell a lead changed since and leave it alone.
    seen_write_dates: Mapping[int, str | None] = field(default_factory=dict)
    seen_owners: Mapping[int, int | None] = field(default_factory=dict)
    # Stale leads handed back to their campaign's user (§3.6), outside the strategy.
    dropback: tuple[Assignment, ...] = ()
    # False when dropback only reports (``assign_immediately: false``).
    dropback_applied: bool = True
    # What the run could not do as configured, for the report (e.g. a skipped sales filter).
    warnings: tuple[str, ...] = ()
    # Status, source, campaign and priority of each lead handed out, for the history.
    lead_facts: Mapping[int, LeadFacts] = field(default_factory=dict)
    # The configuration's ``name``, to tell the reports of several configurations apart.
    configuration: str = ""
    # Exclusions again by a filter's detail (the sales filter's matched stages).
    excluded_detail: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # What made the plan: the plan format (0 for plans older than the field),
    # odlm's version and the configuration's fingerprint, checked by `odlm apply`.
    format_version: int = 0
    odlm_version: str = ""
    config_digest: str = ""
    # The SHA-256 of the snapshot the plan was computed from (`snapshot.Snapshot.digest`),
    # kept in the journal under the run id: `odlm replay` and `odlm explain` read it.
    snapshot_digest: str = ""
    # What this run adds to the fairness ledger (None: the ledger is off, or a plan from
    # before it), and the balances it planned with.
    ledger: LedgerEntry | None = None

    @property
    def received(self) -> dict[int, int]:
        """How many leads each eligible salesperson receives."""
        return self.received_among()

    def received_among(self, placed: Collection[int] | None = None) -> dict[int, int]:
        """How many leads each eligible salesperson receives (of ``placed``, when given)."""
        counts = {person.user_id: 0 for person in self.salespeople}
        for assignment in self.assignments:
            if placed is None or assignment.lead_id in placed:
                counts[assignment.user_id] = counts.get(assignment.user_id, 0) + 1
        return counts

    @property
    def dropback_by_campaign(self) -> dict[tuple[str, int], int]:
        """Dropped-back leads per (campaign, receiving user)."""
        counts: dict[tuple[str, int], int] = {}
        for assignment in self.dropback:
            key = (assignment.reason.removeprefix("dropback: "), assignment.user_id)
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def handed_out(self) -> tuple[Assignment, ...]:
        """Every assignment this plan writes: the strategy's, then dropback's when applied."""
        return (*self.assignments, *(self.dropback if self.dropback_applied else ()))

    @property
    def undistributed(self) -> int:
        """Distributable leads this plan leaves where they are."""
        return sum(len(ids) for ids in self.unassigned.values())

    def fates(self) -> dict[int, str]:
        """Each decided lead's fate: "to NAME" or "left: WHY"."""
        result = {a.lead_id: f"to {self.user_name(a.user_id)}" for a in self.handed_out}
        for why, ids in self.unassigned.items():
            result.update((lead_id, f"left: {why}") for lead_id in ids)
        return result

    def decided_differently(self, other: Plan) -> int:
        """How many leads ``other`` decides otherwise than this plan (or decides alone)."""
        mine, theirs = self.fates(), other.fates()
        return sum(mine.get(lead) != theirs.get(lead) for lead in mine.keys() | theirs.keys())

    def projection(self, placed: Collection[int] | None = None) -> Projection:
        """The workload counts once the plan's leads (or those of ``placed``) are written.

        A salesperson's leads after = current - taken + gained: the leads the
        plan hands to others leave their count, the leads it hands them join it.
        The whole plan's projection is worked out once (preview, balance and
        reports all ask for it).
        """
        if placed is None:
            return self._projected
        return self._project(placed)

    @cached_property
    def _projected(self) -> Projection:
        return self._project(None)

    def _project(self, placed: Collection[int] | None) -> Projection:
        moves = (
            (facts.leaves, facts.status, facts.joins, facts.new_status)
            for assignment in self.handed_out
            if placed is None or assignment.lead_id in placed
            for facts in (self.lead_facts.get(assignment.lead_id, LeadFacts()),)
        )
        return project(self.workloads, moves)

    @property
    def balance(self) -> Balance:
        """How even the workloads are once this plan is applied (spec §16.2)."""
        return self.balance_of(self.projection(), self.received)

    def balance_of(self, projection: Projection, received: Mapping[int, int]) -> Balance:
        """How even the workloads of ``projection`` are, ``received`` being what each got."""
        return measure_balance(
            [
                (projection.total(p.user_id), received.get(p.user_id, 0), p.target_leads)
                for p in self.salespeople
                if p.user_id in self.workloads
            ]
        )

    def user_name(self, user_id: int | None) -> str:
        """A display name for a user id of this plan."""
        if user_id is None:
            return "(unassigned)"
        return self.user_names.get(user_id, f"user {user_id}")

    def user_label(self, user_id: int | None) -> str:
        """A user as sentences name one: the name and the id."""
        return user_label(user_id, self.user_names)

    def team_name(self, team_id: int | None) -> str:
        """A sales team as reports name it: its name and id."""
        if team_id is None:
            return "(no team)"
        name = self.team_names.get(team_id)
        return f"{name} (id {team_id})" if name else f"sales team {team_id}"

    def value_name(self, field: str, value: Any) -> str | None:
        """A lead field's value as messages name it, when it is a user or a sales team (by
        name and id); None for any other value."""
        if isinstance(value, int) and not isinstance(value, bool):
            if field in USER_FIELDS:
                return self.user_label(value)
            if field == "team_id":
                return self.team_name(value)
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready representation (mapping keys that are ids become strings)."""
        # The per-lead collections are most of a large plan: converted directly.
        bulky = {"assignments", "dropback", "lead_facts", "seen_write_dates", "seen_owners"}
        data: dict[str, Any] = {
            name: _plain(getattr(self, name))
            for name in self.__dataclass_fields__
            if name not in bulky
        }
        data["assignments"] = [_assignment(a) for a in self.assignments]
        data["dropback"] = [_assignment(a) for a in self.dropback]
        data["lead_facts"] = {
            str(lead_id): {
                "status": f.status,
                "source": f.source,
                "campaign": f.campaign,
                "priority": f.priority,
                "name": f.name,
                "day": f.day,
                "leaves": f.leaves,
                "joins": f.joins,
                "new_status": f.new_status,
            }
            for lead_id, f in self.lead_facts.items()
        }
        data["seen_write_dates"] = {str(k): v for k, v in self.seen_write_dates.items()}
        data["seen_owners"] = {str(k): v for k, v in self.seen_owners.items()}
        data["balance"] = _plain(self.balance)
        return data

    def to_json(self, pretty: bool = True) -> str:
        """The plan as JSON text that `from_json` reads back.

        Pretty: indented, sorted, with the derived balance, for people. Compact
        (the run journal's copy): the plan's own fields only, encoded by
        pydantic-core, several times faster for a plan of 100,000 leads.
        """
        if pretty:
            return json.dumps(self.to_dict(), default=_json_default, indent=2, sort_keys=True)
        return _PLAN.dump_json(self).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> Plan:
        """A plan written by `to_json`; raises ``ValueError`` naming what does not fit."""
        try:
            plan = _PLAN.validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the document"
            raise ValueError(f"{where}: {first['msg']} ({exc.error_count()} problem(s))") from None
        unseen = [
            lead_id
            for group in plan.writes
            for lead_id in group.lead_ids
            if lead_id not in plan.seen_write_dates or lead_id not in plan.seen_owners
        ]
        if unseen:
            raise ValueError(f"lead {unseen[0]} is written but its planned state is not recorded")
        return plan


_PLAN = TypeAdapter(Plan)


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "lead_id": a.lead_id,
        "user_id": a.user_id,
        "previous_user_id": a.previous_user_id,
        "reason": a.reason,
    }


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and mappings as dicts and lists, without `asdict`'s deep copies
    (a plan of 100,000 assignments is converted in a fraction of the time)."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(k) if isinstance(k, int) else k: _plain(v) for k, v in value.items()}
    return value


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
