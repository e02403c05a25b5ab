"""The fairness ledger (``distribution.fairness_window_days``): what each salesperson was
entitled to and what they received over the campaign's last run days.

Every real run keeps, per eligible salesperson, a *stake*: the strategy's own
weight (1 for round robin and level-based, the weight for proportional, the
target for capacity-based) times the part of the day they were there (0 when
away). A run's leads — those odlm gave the stakeholders (less any undone since)
and those they received outside odlm since the run before (by hand, by Odoo's
own assignment, created already assigned) — are split over the stakes: that is
what each was *entitled* to. Someone away is entitled to nothing for that day,
so the ledger owes nobody for an absence (``availability.catch_up`` does that).

A salesperson's *balance* is entitled less received: positive when behind,
negative when ahead. The next run gives its leads so that balances come back to
zero (`pipeline.strategies.ledger`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class LedgerRun:
    """One real run as the ledger keeps it: stakes and outside receipts per user, and
    what odlm gave each user in it (not undone)."""

    run_id: str
    stakes: Mapping[int, float]
    outside: Mapping[int, int]
    given: Mapping[int, int]
    # Leads given as catch-up after an absence: entitled to whoever got them.
    credit: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Account:
    """One salesperson's line of the ledger over a window."""

    entitled: float = 0.0
    given: int = 0
    outside: int = 0

    @property
    def received(self) -> int:
        return self.given + self.outside

    @property
    def balance(self) -> float:
        """Entitled less received: positive when behind, negative when ahead."""
        return self.entitled - self.received


@dataclass(frozen=True)
class Standing:
    """Where the campaign's ledger stands before a run.

    ``days`` are the run days the window covers (oldest first). ``since`` is
    when the previous real run's snapshot was taken (naive UTC, as Odoo keeps
    ``date_open``): a lead its holder was given after it, and that the previous
    run did not write (``previous``), came from outside odlm.
    """

    days: tuple[date, ...] = ()
    accounts: dict[int, Account] = field(default_factory=dict)
    since: datetime | None = None
    previous: tuple[int, ...] = ()
    # The salespeople's names as the runs knew them.
    names: dict[int, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.accounts

    def balance(self, user_id: int) -> float:
        account = self.accounts.get(user_id)
        return account.balance if account is not None else 0.0


@dataclass(frozen=True)
class LedgerEntry:
    """What a run adds to the ledger, and where the ledger stood when it was planned.

    ``balances`` are each stakeholder's balance over the window's ``days`` run
    days before this run's leads, with its outside receipts counted.
    """

    taken_at: datetime
    stakes: dict[int, float]
    # The leads each stakeholder received outside odlm since the previous run.
    outside: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Leads given as catch-up after an absence (``availability.catch_up``).
    credit: dict[int, int] = field(default_factory=dict)
    balances: dict[int, float] = field(default_factory=dict)
    days: int = 0

    def outside_count(self, user_id: int) -> int:
        return len(self.outside.get(user_id, ()))


def accounts_of(runs: Iterable[LedgerRun]) -> dict[int, Account]:
    """Each user's account over ``runs``: every run's leads split over its stakes."""
    entitled: dict[int, float] = {}
    given: dict[int, int] = {}
    outside: dict[int, int] = {}
    for run in runs:
        stakes = {uid: stake for uid, stake in run.stakes.items() if stake > 0}
        whole = sum(stakes.values())
        volume = sum(run.given.get(uid, 0) + run.outside.get(uid, 0) for uid in run.stakes)
        volume -= sum(run.credit.values())
        for uid in run.stakes:
            share = volume * stakes[uid] / whole if uid in stakes else 0.0
            entitled[uid] = entitled.get(uid, 0.0) + share + run.credit.get(uid, 0)
            given[uid] = given.get(uid, 0) + run.given.get(uid, 0)
            outside[uid] = outside.get(uid, 0) + run.outside.get(uid, 0)
    return {uid: Account(entitled[uid], given[uid], outside[uid]) for uid in sorted(entitled)}


def with_today(
    standing: Standing, stakes: Mapping[int, float], outside: Mapping[int, int]
) -> dict[int, float]:
    """Each stakeholder's balance once this run's outside receipts are counted: split over
    today's stakes as entitlement, and received by whoever got them."""
    whole = sum(stake for stake in stakes.values() if stake > 0)
    volume = sum(outside.get(uid, 0) for uid in stakes)
    return {
        uid: standing.balance(uid)
        + (volume * stake / whole if whole and stake > 0 else 0.0)
        - outside.get(uid, 0)
        for uid, stake in stakes.items()
    }


def jain(ratios: Iterable[float]) -> float | None:
    """Jain's fairness index of ``ratios`` (received / entitled): 1 when all are equal,
    1/n when one has everything; None for no ratio."""
    values = list(ratios)
    squares = sum(x * x for x in values)
    if not values:
        return None
    return sum(values) ** 2 / (len(values) * squares) if squares else 1.0
