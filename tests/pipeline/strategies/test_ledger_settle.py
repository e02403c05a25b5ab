"""The fairness ledger in a run's shares (`pipeline.strategies.ledger.settle`)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from odoo_lead_manager.pipeline.strategies.ledger import settle
from odoo_lead_manager.pipeline.strategies.shares import Shares

TURN = [1, 2, 3, 4]


def even_shares(total: int, caps: dict[int, int | None] | None = None) -> Shares:
    base, extra = divmod(total, len(TURN))
    quota = {uid: base + (1 if i < extra else 0) for i, uid in enumerate(TURN)}
    return Shares(
        quota=quota,
        cap=caps or dict.fromkeys(TURN),
        basis={uid: f"turn {i}" for i, uid in enumerate(TURN, start=1)},
        unplaced="",
    )


STAKES = dict.fromkeys(TURN, 1.0)


def test_with_no_balance_the_day_splits_as_the_strategy_had_it() -> None:
    shares = even_shares(7)
    assert settle(shares, TURN, STAKES, dict.fromkeys(TURN, 0.0), 0) is shares
    assert settle(shares, TURN, STAKES, {}, 0) is shares


def test_the_extra_leads_go_to_those_furthest_behind_not_the_first_in_turn() -> None:
    # 7 leads among 4: three get 2. The first in turn is ahead, the last two behind.
    settled = settle(even_shares(7), TURN, STAKES, {1: -0.75, 2: 0.25, 3: 0.25, 4: 0.25}, 5)
    assert settled.quota == {1: 1, 2: 2, 3: 2, 4: 2}
    assert sum(settled.quota.values()) == 7
    assert "0.8 leads ahead over the last 5 run days" in settled.basis[1]


def test_someone_far_ahead_receives_nothing_until_the_others_catch_up() -> None:
    # Dave (4) was given 30 leads by hand: each of the others is 7.5 behind, he 22.5 ahead.
    balances = {1: 7.5, 2: 7.5, 3: 7.5, 4: -22.5}
    settled = settle(even_shares(12), TURN, STAKES, balances, 3)
    assert settled.quota == {1: 4, 2: 4, 3: 4, 4: 0}


def test_nobody_who_is_not_ahead_gets_less_than_the_whole_of_their_share() -> None:
    # A returning salesperson far behind takes from those ahead, never from the even one.
    balances = {1: 40.0, 2: 0.0, 3: -20.0, 4: -20.0}
    settled = settle(even_shares(20), TURN, STAKES, balances, 10)
    assert settled.quota[2] >= 5
    assert settled.quota == {1: 15, 2: 5, 3: 0, 4: 0}


def test_caps_hold_and_the_total_stays() -> None:
    caps: dict[int, int | None] = {1: 3, 2: None, 3: None, 4: None}
    settled = settle(even_shares(12, caps), TURN, STAKES, {1: 9.0, 2: -3.0, 3: -3.0, 4: -3.0}, 4)
    assert settled.quota[1] == 3
    assert sum(settled.quota.values()) == 12


def test_stakes_weigh_the_share_of_the_day() -> None:
    # Proportional: weights 2, 1, 1, 0 (a weight of 0 is capped at 0 by the strategy).
    stakes = {1: 2.0, 2: 1.0, 3: 1.0, 4: 0.0}
    shares = Shares(
        quota={1: 4, 2: 2, 3: 2, 4: 0},
        cap={1: None, 2: None, 3: None, 4: 0},
        basis=dict.fromkeys(TURN, ""),
        unplaced="",
    )
    settled = settle(shares, TURN, stakes, {1: 0.0, 2: 1.2, 3: -1.2, 4: 0.0}, 2)
    assert settled.quota == {1: 4, 2: 3, 3: 1, 4: 0}


@given(
    total=st.integers(min_value=0, max_value=200),
    balances=st.lists(
        st.floats(min_value=-100, max_value=100, allow_nan=False), min_size=4, max_size=4
    ),
    caps=st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=4, max_size=4),
)
def test_any_settlement_keeps_the_total_and_the_caps(
    total: int, balances: list[float], caps: list[int | None]
) -> None:
    cap = dict(zip(TURN, caps, strict=True))
    room = sum(c if c is not None else total for c in caps)
    shares = even_shares(total)
    # The strategy's own shares are within the caps (it deals under them).
    if room < total:
        return
    quota = dict.fromkeys(TURN, 0)
    for _ in range(total):
        uid = min((u for u in TURN if cap[u] is None or quota[u] < cap[u]), key=quota.__getitem__)
        quota[uid] += 1
    shares = Shares(quota=quota, cap=cap, basis=dict.fromkeys(TURN, ""), unplaced="")
    settled = settle(shares, TURN, STAKES, dict(zip(TURN, balances, strict=True)), 3)
    assert sum(settled.quota.values()) == total
    assert all(cap[u] is None or settled.quota[u] <= cap[u] for u in TURN)  # type: ignore[operator]
    assert all(q >= 0 for q in settled.quota.values())
