import pytest

from odoo_lead_manager.domain.user_query import QueryError, check_user_domain, parse_where_clause


@pytest.mark.parametrize(
    ("clause", "domain"),
    [
        ("active = true AND sales_team_id = 1", [("active", "=", True), ("team_id", "=", 1)]),
        ("ACTIVE = FALSE and Login <> 'admin'", [("active", "=", False), ("login", "!=", "admin")]),
        ("sale_team_id = 'Voice'", [("team", "=", "Voice")]),
        ("team_id IN ('Voice', 'Apple')", [("team", "in", ["Voice", "Apple"])]),
        ("id not in (1, 2) AND id >= 3", [("id", "not in", [1, 2]), ("id", ">=", 3)]),
        ("team_id IS NULL", [("team_id", "=", False)]),
        ("team_id is not null", [("team_id", "!=", False)]),
        ("name LIKE 'A%'", [("name", "=like", "A%")]),
        ("name NOT LIKE 'A%'", ["!", ("name", "=like", "A%")]),
        ("name = 'O''Brien'", [("name", "=", "O'Brien")]),
        ("share = false", [("share", "=", False)]),
    ],
)
def test_where_clause_becomes_a_domain(clause: str, domain: list[object]) -> None:
    assert parse_where_clause(clause) == domain


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        ("active = true OR id = 1", "OR is not part of the safe where_clause form"),
        ("password = 'x'", "unknown user field 'password'"),
        ("active = true; DROP TABLE res_users", "cannot read ';"),
        ("id = (SELECT 1)", "expected a value"),
        ("name = 'unterminated", "cannot read"),
        ("active", "expected a comparison after active"),
        ("active = true AND", "expected a field name but found the end of the clause"),
        ("id IN 1", "expected ( after IN"),
        ("id NOT = 1", "expected IN or LIKE after NOT"),
        ("", "empty"),
    ],
)
def test_anything_outside_the_safe_form_is_refused(clause: str, message: str) -> None:
    with pytest.raises(QueryError, match=message.replace("(", r"\(")):
        parse_where_clause(clause)


def test_domains_from_config_are_checked() -> None:
    assert check_user_domain(["|", ["team_id", "=", "Voice"], ["id", "in", [1, 2]]]) == [
        "|",
        ("team", "=", "Voice"),
        ("id", "in", [1, 2]),
    ]
    for bad, message in [
        ([["password", "=", "x"]], "unknown user field"),
        ([["id", "~", 1]], "unknown operator"),
        (["|", ["id", "=", 1]], "lacks its operands"),
        ([["id", "="]], "is not \\[field, operator, value\\]"),
        (["or", ["id", "=", 1]], "is not '&', '|' or '!'"),
        ([], "empty"),
    ]:
        with pytest.raises(QueryError, match=message):
            check_user_domain(bad)
