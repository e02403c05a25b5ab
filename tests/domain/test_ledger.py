"""The fairness ledger's arithmetic (`domain.ledger`)."""

from __future__ import annotations

from datetime import date

import pytest

from odoo_lead_manager.domain.ledger import LedgerRun, Standing, accounts_of, jain, with_today

DAY = date(2026, 11, 9)


def test_each_runs_leads_are_split_over_the_stakes_of_those_there() -> None:
    runs = [
        # 8 leads among 4; Bob (2) away: stake 0, entitled nothing that day.
        LedgerRun("a", {1: 1.0, 2: 0.0, 3: 1.0, 4: 1.0}, {}, {1: 3, 3: 3, 4: 2}),
        # 10 leads from odlm and 2 given to Dave (4) by hand.
        LedgerRun("b", {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}, {4: 2}, {1: 3, 2: 4, 3: 3}),
    ]
    accounts = accounts_of(runs)
    assert accounts[2].entitled == pytest.approx(3.0)
    assert accounts[4].entitled == pytest.approx(8 / 3 + 3)
    assert accounts[4].received == 4 and accounts[4].outside == 2
    assert sum(a.entitled for a in accounts.values()) == pytest.approx(20)
    assert sum(a.balance for a in accounts.values()) == pytest.approx(0)


def test_leads_given_as_catch_up_are_the_takers_own() -> None:
    run = LedgerRun("c", {1: 1.0, 2: 1.0}, {}, {1: 2, 2: 6}, credit={2: 4})
    accounts = accounts_of([run])
    assert accounts[1].balance == pytest.approx(0)
    assert accounts[2].balance == pytest.approx(0)


def test_an_undone_run_counts_for_nothing() -> None:
    # Its assignments are undone: nothing given, so nobody is entitled to anything either.
    run = LedgerRun("d", {1: 1.0, 2: 1.0}, {}, {})
    assert all(a.balance == 0 for a in accounts_of([run]).values())


def test_todays_outside_receipts_count_before_the_run_splits() -> None:
    standing = Standing(
        days=(DAY,), accounts=accounts_of([LedgerRun("e", {1: 1.0, 2: 1.0}, {}, {1: 1, 2: 1})])
    )
    balances = with_today(standing, {1: 1.0, 2: 1.0}, {2: 6})
    assert balances == {1: pytest.approx(3.0), 2: pytest.approx(-3.0)}


def test_jain() -> None:
    assert jain([1.0, 1.0, 1.0]) == 1.0
    assert jain([1.0, 0.0, 0.0]) == pytest.approx(1 / 3)
    assert jain([]) is None
