"""Round robin: equal shares in turn, never to the owner, resuming within a cycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from odoo_lead_manager.domain.rotation import Rotation, cycle_key
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.pipeline.strategies.engine import NO_SALESPEOPLE, OVER_LIMIT, OWN_LEADS_ONLY
from odoo_lead_manager.state.rotation import load_rotation, state_path
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import received, run, settings


def test_equal_shares_in_turn_and_never_to_the_owner() -> None:
    people = [person(1), person(2), person(3)]
    leads = [lead(i, user_id=(i % 4) or None) for i in range(1, 31)]
    result = run("round_robin", leads, people, seed=7)
    assert result.unassigned == {}
    assert sorted(a.lead_id for a in result.assignments) == list(range(1, 31))
    assert all(a.user_id != a.previous_user_id for a in result.assignments)
    assert sorted(received(result).values()) == [10, 10, 10]
    assert all(a.reason.startswith("round_robin: turn ") for a in result.assignments)


def test_first_turns_go_to_different_people_in_alphabetical_order() -> None:
    people = [person(2, "Bob"), person(1, "alice"), person(3, "Carol")]
    config = settings(strategy="round_robin", randomize_order=False)
    result = run("round_robin", [lead(i) for i in range(1, 7)], people, config=config)
    assert [a.user_id for a in result.assignments] == [1, 2, 3, 1, 2, 3]


def test_seniority_order_gives_the_extra_leads_to_seniors() -> None:
    people = [
        person(1, "Ann", level="junior"),
        person(2, "Ben", level="senior"),
        person(3, "Cy", level="mid_level"),
    ]
    config = settings(round_robin_override={"distribution_order": "seniority"})
    result = run("round_robin", [lead(i) for i in range(1, 3)], people, config=config)
    assert received(result) == {2: 1, 3: 1}


def test_a_lead_only_its_owner_could_take_stays() -> None:
    result = run("round_robin", [lead(1, user_id=1), lead(2, user_id=2)], [person(1)])
    assert [(a.lead_id, a.user_id) for a in result.assignments] == [(2, 1)]
    assert result.unassigned == {OWN_LEADS_ONLY: [1]}


@pytest.mark.parametrize("seed", range(40))
def test_an_exchange_keeps_shares_equal_when_only_the_owner_has_room(seed: int) -> None:
    # Whatever the order, lead 4 must not go back to person 1, and both get two.
    leads = [lead(1), lead(2), lead(3), lead(4, user_id=1)]
    result = run("round_robin", leads, [person(1), person(2)], seed=seed)
    assert received(result) == {1: 2, 2: 2}
    assert {a.lead_id: a.user_id for a in result.assignments}[4] == 2


def test_max_leads_caps_the_run() -> None:
    result = run(
        "round_robin", [lead(i) for i in range(1, 11)], [person(1), person(2)], max_leads=4
    )
    assert len(result.assignments) == 4
    assert sorted(received(result).values()) == [2, 2]
    assert len(result.unassigned[OVER_LIMIT]) == 6


def test_no_salespeople_leaves_everything() -> None:
    result = run("round_robin", [lead(1)], [])
    assert result.assignments == []
    assert result.unassigned == {NO_SALESPEOPLE: [1]}


def test_the_rotation_resumes_within_a_cycle_so_extras_go_round() -> None:
    people = [person(1), person(2), person(3)]
    totals = {1: 0, 2: 0, 3: 0}
    rotation = None
    for day in range(3):
        leads = [lead(100 * day + i) for i in range(4)]
        result = run("round_robin", leads, people, seed=day, rotation=rotation, cycle="2024-W24")
        for user_id, count in received(result).items():
            totals[user_id] += count
        rotation = result.rotation
    # 12 leads in 3 runs of 4: each run's extra lead went to a different person.
    assert totals == {1: 4, 2: 4, 3: 4}


def test_without_a_saved_rotation_every_run_starts_afresh() -> None:
    people = [person(1), person(2), person(3)]
    config = settings(strategy="round_robin", randomize_order=False)
    firsts = set()
    for day in range(3):
        result = run("round_robin", [lead(i) for i in range(4)], people, config=config, seed=day)
        firsts |= {uid for uid, count in received(result).items() if count == 2}
    assert firsts == {1}


def test_rotation_keeps_its_order_skips_leavers_and_appends_newcomers() -> None:
    rotation = Rotation("2024-06", (3, 1, 2), next_user=1)
    arranged = rotation.arrange([person(2), person(4), person(3)])
    # 1 left: the turn passes to the next one still here (2), then 4 (new), then 3.
    assert [p.user_id for p in arranged] == [2, 4, 3]
    after = rotation.after(arranged, 4)
    assert after == Rotation("2024-06", (3, 1, 2, 4), next_user=4)


def test_cycle_keys() -> None:
    day = date(2024, 6, 14)
    assert cycle_key(day, "daily") == "2024-06-14"
    assert cycle_key(day, "weekly") == "2024-W24"
    assert cycle_key(day, "monthly") == "2024-06"


def test_an_older_versions_state_file_is_read_for_its_cycle_only(tmp_path: Path) -> None:
    path = state_path(tmp_path / "state", "Voice Team")
    assert path.name == "round-robin-voice-team.json"
    assert load_rotation(path, "2024-W24") is None
    path.parent.mkdir()
    # As odlm wrote it before the rotation moved into the tracking database.
    path.write_text('{"cycle": "2024-W24", "order": [1, 2], "next_user": 2}')
    assert load_rotation(path, "2024-W24") == Rotation("2024-W24", (1, 2), 2)
    assert load_rotation(path, "2024-W25") is None


def test_a_corrupt_state_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "round-robin-voice.json"
    path.write_text('{"cycle": "2024-W24", "order": ["x"]}')
    with pytest.raises(
        DataFileError, match=r"round-robin-voice\.json: not a round-robin state file"
    ):
        load_rotation(path, "2024-W24")


def test_an_exchange_is_explained_in_the_plan() -> None:
    exchanged = [
        a
        for seed in range(40)
        for a in run(
            "round_robin",
            [lead(1), lead(2), lead(3), lead(4, user_id=1)],
            [person(1), person(2)],
            seed=seed,
        ).assignments
        if "exchanged" in a.reason
    ]
    assert exchanged and all(a.user_id == 1 and "lead 4" in a.reason for a in exchanged)
