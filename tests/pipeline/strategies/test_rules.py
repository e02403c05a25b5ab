"""§4.2 override triggers and the §4.3 rules: priority, skills, place, workload bounds."""

from __future__ import annotations

import pytest

from odoo_lead_manager.config.schema.triggers import parse_trigger
from odoo_lead_manager.pipeline.strategies import choose_strategy
from tests.pipeline.leads import lead, person
from tests.pipeline.strategies.helpers import received, run, settings

SENIOR, MID, JUNIOR = (
    person(1, "Sam", level="senior"),
    person(2, "Mo", level="mid_level"),
    person(3, "Jo", level="junior"),
)


def rules(**advanced: object) -> object:
    return settings(strategy="round_robin", advanced_rules=advanced)


def test_high_priority_leads_go_to_seniors_only() -> None:
    config = rules(priority_handling={"high_priority_leads": "senior_only"})
    leads = [lead(i, priority=3 if i <= 4 else 0) for i in range(1, 10)]
    result = run("round_robin", leads, [SENIOR, MID, JUNIOR], config=config)
    taker = {a.lead_id: a.user_id for a in result.assignments}
    assert all(taker[i] == 1 for i in range(1, 5))
    assert all(
        "high priority, only the most senior level" in a.reason
        for a in result.assignments
        if a.lead_id <= 4
    )
    # Round robin still shares evenly: the other leads went to the others.
    assert received(result) == {1: 4, 2: 3, 3: 2} or received(result) == {1: 4, 2: 2, 3: 3}


def test_high_priority_leads_stay_when_no_senior_has_room() -> None:
    levels = {
        "senior": {"target_leads": 1, "priority": 1, "salespeople": ["Sam"]},
        "junior": {"target_leads": 9, "priority": 2, "salespeople": ["Jo"]},
    }
    config = settings(
        strategy="level_based",
        level_based={"levels": levels},
        advanced_rules={"priority_handling": {"high_priority_leads": "senior_only"}},
    )
    leads = [lead(i, priority=2) for i in range(1, 4)]
    result = run("level_based", leads, [SENIOR, JUNIOR], config=config)
    assert received(result) == {1: 1}
    assert result.unassigned == {
        "high priority: only the most senior level may take it, and none had room": sorted(
            a for a in (1, 2, 3) if a not in {x.lead_id for x in result.assignments}
        )
    }


def test_low_priority_leads_go_to_juniors_first() -> None:
    config = rules(priority_handling={"low_priority_leads": "junior_first"})
    # Equal shares of 2: the two low-priority leads both go to juniors before anyone else.
    leads = [lead(1, priority=0), lead(2, priority=0), *[lead(i, priority=1) for i in range(3, 7)]]
    result = run("round_robin", leads, [SENIOR, MID, JUNIOR], config=config)
    taker = {a.lead_id: a.user_id for a in result.assignments}
    assert taker[1] == taker[2] == 3
    assert received(result) == {1: 2, 2: 2, 3: 2}


def test_skill_matching_sends_leads_to_salespeople_with_the_skill() -> None:
    config = rules(
        skill_matching={
            "enabled": True,
            "required_skills": ["enterprise_sales", "technical_knowledge"],
            "skill_weights": [0.7, 0.3],
        }
    )
    people = [
        person(1, "Ent", skills=("Enterprise_Sales",)),
        person(2, "Tech", skills=("technical_knowledge",)),
        person(3, "Both", skills=("enterprise_sales", "technical_knowledge")),
    ]
    leads = [
        lead(1, skills=("enterprise_sales", "technical_knowledge")),
        lead(2, skills=("technical_knowledge",)),
        lead(3, skills=("enterprise_sales",)),
    ]
    result = run("round_robin", leads, people, config=config)
    taker = {a.lead_id: a.user_id for a in result.assignments}
    assert taker == {1: 3, 2: 2, 3: 1}
    reason = next(a.reason for a in result.assignments if a.lead_id == 1)
    assert "matched skill enterprise_sales, technical_knowledge" in reason


def test_region_then_timezone_matching() -> None:
    config = rules(geographic_distribution={"enabled": True})
    people = [
        person(1, region="EU", timezone="Europe/Paris"),
        person(2, region="EU", timezone="Europe/London"),
        person(3, region="US", timezone="America/New_York"),
    ]
    leads = [
        lead(1, region="eu", timezone="Europe/London"),
        lead(2, region="US"),
        lead(3, region="EU", timezone="Europe/Paris"),
    ]
    result = run("round_robin", leads, people, config=config)
    assert {a.lead_id: a.user_id for a in result.assignments} == {1: 2, 2: 3, 3: 1}


def test_matching_without_data_says_so() -> None:
    config = rules(skill_matching={"enabled": True, "required_skills": ["x"]})
    result = run("round_robin", [lead(1)], [person(1)], config=config)
    assert result.warnings == (
        "skill_matching: no lead has a skill (map crm.field_mapping.skill); leads were distributed without it",
        "skill_matching: no salesperson has a skills (campaign table column skills); leads were distributed without it",
    )


def test_max_daily_distribution_caps_and_moves_the_excess() -> None:
    config = settings(
        strategy="proportional",
        proportional={"weights": {"Big": 8}},
        advanced_rules={"workload_balancing": {"enabled": True, "max_daily_distribution": 4}},
    )
    people = [person(1, "Big"), person(2), person(3)]
    result = run("proportional", [lead(i) for i in range(1, 11)], people, config=config)
    assert received(result) == {1: 4, 2: 3, 3: 3}
    big = next(a for a in result.assignments if a.user_id == 1)
    assert "(share 8 lowered to 4 by max_daily_distribution)" in big.reason
    crowded = run("proportional", [lead(i) for i in range(1, 21)], people, config=config)
    assert len(crowded.assignments) == 12
    assert list(crowded.unassigned) == ["every salesperson has max_daily_distribution leads"]


def test_min_daily_distribution_raises_small_shares() -> None:
    levels = {
        "senior": {"target_leads": 50, "priority": 1},
        "junior": {"target_leads": 50, "priority": 2},
    }
    config = settings(
        strategy="level_based",
        level_based={"levels": levels},
        advanced_rules={"workload_balancing": {"enabled": True, "min_daily_distribution": 3}},
    )
    people = [person(1, level="senior"), person(2, level="junior")]
    result = run("level_based", [lead(i) for i in range(1, 11)], people, config=config)
    # Without the minimum the senior takes all ten.
    assert received(result) == {1: 7, 2: 3}


@pytest.mark.parametrize(
    ("override", "forced", "leads", "people", "expected"),
    [
        (
            {"enabled": True, "trigger_conditions": ["when_lead_count < 10"]},
            False,
            9,
            5,
            "round_robin",
        ),
        (
            {"enabled": True, "trigger_conditions": ["when_lead_count < 10"]},
            False,
            10,
            5,
            "level_based",
        ),
        (
            {"enabled": True, "trigger_conditions": ["when_salespeople_count < 3"]},
            False,
            99,
            2,
            "round_robin",
        ),
        (
            {"enabled": False, "trigger_conditions": ["when_salespeople_count < 3"]},
            False,
            99,
            2,
            "level_based",
        ),
        (
            {"enabled": True, "trigger_conditions": ["when_manual_override = true"]},
            False,
            9,
            2,
            "level_based",
        ),
        ({"enabled": True}, False, 99, 9, "round_robin"),
        ({}, True, 99, 9, "round_robin"),
    ],
)
def test_round_robin_override_triggers(
    override: dict[str, object], forced: bool, leads: int, people: int, expected: str
) -> None:
    config = settings(
        strategy="level_based",
        level_based={"levels": {"senior": {"target_leads": 5}}},
        round_robin_override=override,
    )
    name, note = choose_strategy(config, forced, leads, people)
    assert name == expected
    assert (note is None) == (expected == "level_based")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lead_count < 10", "is not a condition like"),
        ("when_leads < 10", "unknown condition when_leads"),
        ("when_lead_count < ten", "'ten' is not a whole number"),
        ("when_manual_override < true", "takes = true or = false"),
    ],
)
def test_bad_trigger_conditions(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_trigger(text)
