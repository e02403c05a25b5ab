"""Reading Odoo's assignment domains: what Odoo's ``literal_eval`` reads, and nothing else."""

from __future__ import annotations

import pytest

from odoo_lead_manager.domain.model import TeamMember
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.pipeline.selection.odoo_team import member_domain, parse_domain


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("[]", []),
        ("[('name', 'ilike', 'x')]", [("name", "ilike", "x")]),
        # Lists and tuples alike; a tuple value becomes a list, as Odoo's JSON would carry it.
        ("[['priority', 'in', ('2', '3')]]", [("priority", "in", ["2", "3"])]),
        (
            "['|', ('phone', '=', False), '!', ('email_from', 'ilike', '@x')]",
            ["|", ("phone", "=", False), "!", ("email_from", "ilike", "@x")],
        ),
        # Implicit AND between complete expressions, then an OR.
        (
            "[('a', '=', 1), '|', ('b', '=', 2), ('c', '=', 3)]",
            [("a", "=", 1), "|", ("b", "=", 2), ("c", "=", 3)],
        ),
    ],
)
def test_domains_odoo_reads_are_read(text: str, domain: list[object]) -> None:
    assert parse_domain(text, "where") == domain


@pytest.mark.parametrize(
    "text",
    [
        "[('a', '=', 1), '&', ('b', '=', 2)]",
        "['!']",
        "[('a', '=')]",
        "[(1, '=', 2)]",
        "[('a', '=', 1), 'x']",
        "'text'",
        "[('a', '=', context_today())]",
        "[" * 10_000,
    ],
)
def test_anything_else_is_refused_naming_where(text: str) -> None:
    with pytest.raises(UserInputError, match=r"^team X, member Y: "):
        parse_domain(text, "team X, member Y")


def test_the_team_domain_and_the_members_are_both_required() -> None:
    member = TeamMember(1, 2, 30, False, "['|', ('a', '=', 1), ('b', '=', 2)]", "[('c', '=', 3)]")
    # Odoo ANDs whole domains laid one after the other.
    assert member_domain(member, "Y", "X") == [("c", "=", 3), "|", ("a", "=", 1), ("b", "=", 2)]
    assert member_domain(TeamMember(1, 2), "Y", "X") is None
