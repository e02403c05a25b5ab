from pathlib import Path

import pytest

from odoo_lead_manager.domain.model import User, Workload
from odoo_lead_manager.errors import DataFileError, UserInputError
from odoo_lead_manager.pipeline.selection import (
    CampaignRow,
    SelectionCriteria,
    limit_workload,
    select_salespeople,
)
from odoo_lead_manager.snapshot.source_files import read_campaign_csv

CSV = """salesperson_name,campaign_name,active,team,level,target_leads
Alice Smith,Voice,true,Voice,senior,200
Bob Johnson,Voice,false,Voice,mid_level,150
Carol Williams,Voice,true,Voice,junior,
Drew Cox,Voice,true,Voice,senior,200
Gina Wilson,Apple,true,Apple,senior,200
Hal Archived,voice,TRUE,Voice,junior,100
"""

USERS = {
    "Alice Smith": [User(1, "Alice Smith")],
    "Bob Johnson": [User(2, "Bob Johnson")],
    "Carol Williams": [User(3, "Carol Williams")],
    "Drew Cox": [User(4, "Drew Cox")],
    "Hal Archived": [User(6, "Hal Archived", active=False)],
}


def write(tmp_path: Path, text: str, name: str = "campaigns.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_campaign_table(tmp_path: Path) -> None:
    rows = read_campaign_csv(write(tmp_path, CSV))
    assert rows[0] == CampaignRow(
        "Alice Smith",
        "Voice",
        True,
        "Voice",
        "senior",
        200,
        None,
        line=2,
        origin=str(tmp_path / "campaigns.csv"),
    )
    assert rows[1].active is False
    assert rows[2].target_leads is None


def test_selects_the_campaign_with_exclusions_and_inactive_members(tmp_path: Path) -> None:
    rows = read_campaign_csv(write(tmp_path, CSV))
    criteria = SelectionCriteria("Voice", exclude_specific_users=["Drew Cox"])
    selection = select_salespeople(rows, criteria, USERS)
    assert [p.name for p in selection.eligible] == ["Alice Smith", "Carol Williams"]
    assert [p.name for p in selection.inactive] == ["Bob Johnson"]
    assert dict(selection.left_out) == {"Bob Johnson": "inactive", "Drew Cox": "excluded"}
    # "voice" is not "Voice", as R's %in% has it: Hal's row is not the campaign's.
    assert selection.campaign_rows == 4
    (warning,) = selection.warnings
    assert warning == (
        f"{tmp_path / 'campaigns.csv'}, line 7: campaign 'voice' is not 'Voice' (case or "
        "blanks differ), so 'Hal Archived' is not selected; set salesperson_selection."
        "campaign_filtering.case_sensitive: false and strip_whitespace: true to match it"
    )


def test_names_differing_by_case_or_blanks_are_warned_about_not_matched(tmp_path: Path) -> None:
    text = CSV.replace("Gina Wilson,Apple", "Gina Wilson, Voice ")
    rows = read_campaign_csv(write(tmp_path, text))
    users = {**USERS, "Gina Wilson": [User(5, "Gina Wilson")]}
    criteria = SelectionCriteria("Voice", exclude_specific_users=["drew cox"])
    selection = select_salespeople(rows, criteria, users)
    # Drew Cox is not "drew cox": a recipient, with a warning naming his line.
    assert [p.name for p in selection.eligible] == ["Alice Smith", "Carol Williams", "Drew Cox"]
    where = str(tmp_path / "campaigns.csv")
    assert [w.split(":")[0] for w in selection.warnings] == [
        f"{where}, line 6",  # ' Voice ' with its blanks
        f"{where}, line 7",  # 'voice'
        f"{where}, line 5",  # 'Drew Cox' against 'drew cox'
    ]
    assert "'Drew Cox' is not the excluded user 'drew cox'" in selection.warnings[2]
    # Asked for, case and blanks are ignored in both comparisons.
    loose = SelectionCriteria(
        "Voice", exclude_specific_users=["drew cox"], case_sensitive=False, strip_whitespace=True
    )
    relaxed = select_salespeople(rows, loose, users)
    assert [p.name for p in relaxed.eligible] == ["Alice Smith", "Carol Williams", "Gina Wilson"]
    assert dict(relaxed.left_out)["Drew Cox"] == "excluded"
    assert dict(relaxed.left_out)["Hal Archived"] == "archived in the CRM"
    assert relaxed.warnings == ()


def test_a_repeated_row_is_a_warning_when_it_agrees_and_an_error_when_it_does_not() -> None:
    same = [
        CampaignRow("Alice Smith", "Voice", level="senior", line=2, origin="t.csv"),
        CampaignRow("Alice Smith", "Voice", level="senior", line=5, origin="t.csv"),
    ]
    selection = select_salespeople(same, SelectionCriteria("Voice"), USERS)
    assert [p.name for p in selection.eligible] == ["Alice Smith"]
    assert selection.warnings == (
        "'Alice Smith' is listed twice for campaign Voice (t.csv, lines 2 and 5); "
        "the rows agree, so the second is ignored",
    )
    differ = [same[0], CampaignRow("Alice Smith", "Voice", False, level="junior", line=5)]
    with pytest.raises(UserInputError) as err:
        select_salespeople(differ, SelectionCriteria("Voice"), USERS)
    assert "'Alice Smith' is listed twice for campaign Voice with different active, level " in (
        str(err.value)
    )
    assert "(t.csv, lines 2 and 5)" in str(err.value)
    # Two spellings of one CRM user (name and login) are the same salesperson.
    users = {**USERS, "alice": [User(1, "Alice Smith", "alice")]}
    login = [same[0], CampaignRow("alice", "Voice", target_leads=9, line=7, origin="t.csv")]
    with pytest.raises(UserInputError, match=r"'alice' is listed twice .* target_leads"):
        select_salespeople(login, SelectionCriteria("Voice"), users)


@pytest.mark.parametrize("cell", ["", "  ", "maybe"])
def test_an_empty_or_unknown_active_cell_is_an_error_naming_row_and_column(
    tmp_path: Path, cell: str
) -> None:
    text = f"salesperson_name,campaign_name,active\nAlice Smith,Voice,true\nBob,Voice,{cell}\n"
    with pytest.raises(DataFileError, match=r"campaigns.csv, line 3, column active"):
        read_campaign_csv(write(tmp_path, text))


def test_without_an_active_column_everyone_is_active(tmp_path: Path) -> None:
    rows = read_campaign_csv(write(tmp_path, "salesperson_name,campaign_name\nAlice,Voice\n"))
    assert rows[0].active is True


def test_include_inactive_salespeople_makes_them_recipients(tmp_path: Path) -> None:
    rows = read_campaign_csv(write(tmp_path, CSV))
    selection = select_salespeople(
        rows, SelectionCriteria("Voice", include_inactive_salespeople=True), USERS
    )
    assert "Bob Johnson" in [p.name for p in selection.eligible]
    assert selection.inactive == ()  # Hal's row is campaign "voice", not "Voice"


def test_empty_selection_is_explained() -> None:
    rows = [CampaignRow("Bob Johnson", "Voice", active=False, line=2)]
    selection = select_salespeople(rows, SelectionCriteria("Voice"), USERS)
    assert selection.eligible == ()
    assert selection.explain_empty("Voice") == (
        "no eligible salespeople for campaign Voice: 1 in table, 1 inactive"
    )


def test_unknown_ambiguous_and_duplicate_names_are_listed_together() -> None:
    rows = [
        CampaignRow("Nobody Here", "Voice", line=2),
        CampaignRow("Alice Smith", "Voice", line=3),
        CampaignRow("Alice Smith", "Voice", active=False, line=4),
        CampaignRow("Twin", "Voice", line=5),
    ]
    users = {**USERS, "Twin": [User(7, "Twin"), User(8, "Twin")]}
    with pytest.raises(UserInputError) as err:
        select_salespeople(rows, SelectionCriteria("Voice"), users)
    message = str(err.value)
    assert "'Nobody Here' (line 2) is not a CRM user" in message
    assert "listed twice for campaign Voice with different active (lines 3 and 4)" in message
    assert "'Twin' (line 5) matches several CRM users (ids 7, 8)" in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("salesperson_name,active\nAlice,true\n", "missing column(s) campaign_name"),
        (
            "salesperson_name,campaign_name,active\nAlice,Voice,maybe\n",
            "line 2, column active: 'maybe' is not a boolean",
        ),
        (
            "salesperson_name,campaign_name,target_leads\nAlice,Voice,lots\n",
            "line 2, column target_leads: 'lots' is not a whole number",
        ),
        ("salesperson_name,campaign_name\n,Voice\n", "line 2: empty salesperson_name"),
    ],
)
def test_bad_rows_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as err:
        read_campaign_csv(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="campaign table not found"):
        read_campaign_csv(tmp_path / "nope.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("salesperson_name,campaign_name\nJos\xe9,Voice\n".encode("latin-1"))
    with pytest.raises(DataFileError, match=r"line \d+, column \d+: not UTF-8 text"):
        read_campaign_csv(bad)


TEAM_ROWS = [
    CampaignRow("Alice Smith", "Voice", team="Voice", level="senior", target_leads=100, line=2),
    CampaignRow("Bob Johnson", "Voice", team="Apple", level="mid_level", target_leads=100, line=3),
    CampaignRow("Carol Williams", "Voice", level="junior", target_leads=100, line=4),
    CampaignRow("Drew Cox", "Voice", level="mid_level", line=5),
]
TEAM_USERS = {
    "Alice Smith": [User(1, "Alice Smith", team_id=1)],
    "Bob Johnson": [User(2, "Bob Johnson", team_id=1)],
    "Carol Williams": [User(3, "Carol Williams", team_id=1)],
    "Drew Cox": [User(4, "Drew Cox", team_id=2)],
}


def eligible(rows: list[CampaignRow], criteria: SelectionCriteria, users=TEAM_USERS) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.name for p in select_salespeople(rows, criteria, users).eligible]


def test_team_filter_uses_the_table_team_then_the_crm_team() -> None:
    criteria = SelectionCriteria("Voice", team_filter="voice", team_ids=[1])
    # Bob's row says Apple (the table decides); Carol has no team in the table
    # and is in CRM team 1; Drew's CRM team is 2.
    assert eligible(TEAM_ROWS, criteria) == ["Alice Smith", "Carol Williams"]
    left_out = dict(select_salespeople(TEAM_ROWS, criteria, TEAM_USERS).left_out)
    assert left_out["Drew Cox"] == "not in team voice"


@pytest.mark.parametrize(
    ("minimum", "order", "expected"),
    [
        (
            1,
            ("senior", "mid_level", "junior"),
            ["Alice Smith", "Bob Johnson", "Carol Williams", "Drew Cox"],
        ),
        (2, ("senior", "mid_level", "junior"), ["Alice Smith", "Bob Johnson", "Drew Cox"]),
        ("senior", ("senior", "mid_level", "junior"), ["Alice Smith"]),
        (
            "Mid_Level",
            ("senior", "mid_level", "junior"),
            ["Alice Smith", "Bob Johnson", "Drew Cox"],
        ),
        # A different order: juniors ranked above mid-levels.
        ("junior", ("senior", "junior", "mid_level"), ["Alice Smith", "Carol Williams"]),
    ],
)
def test_min_experience_level(
    minimum: int | str, order: tuple[str, ...], expected: list[str]
) -> None:
    criteria = SelectionCriteria("Voice", min_experience_level=minimum, level_order=order)
    assert eligible(TEAM_ROWS, criteria) == expected


def test_min_level_leaves_out_rows_without_level_and_refuses_unknown_levels() -> None:
    rows = [*TEAM_ROWS, CampaignRow("Eve Davis", "Voice", line=6)]
    users = {**TEAM_USERS, "Eve Davis": [User(5, "Eve Davis")]}
    selection = select_salespeople(rows, SelectionCriteria("Voice", min_experience_level=1), users)
    assert dict(selection.left_out)["Eve Davis"] == "below the minimum level"
    bad = [*TEAM_ROWS, CampaignRow("Eve Davis", "Voice", level="guru", line=6)]
    with pytest.raises(
        UserInputError, match="level 'guru' is not one of senior, mid_level, junior"
    ):
        select_salespeople(bad, SelectionCriteria("Voice", min_experience_level=1), users)


def test_has_permissions_leaves_out_users_without_sales_rights() -> None:
    users = {**TEAM_USERS, "Drew Cox": [User(4, "Drew Cox", may_own_leads=False)]}
    selection = select_salespeople(TEAM_ROWS, SelectionCriteria("Voice"), users)
    assert dict(selection.left_out) == {"Drew Cox": "without sales rights"}
    relaxed = SelectionCriteria("Voice", has_permissions=False)
    assert "Drew Cox" in eligible(TEAM_ROWS, relaxed, users)


def test_unknown_names_can_be_skipped_with_a_warning() -> None:
    rows = [*TEAM_ROWS, CampaignRow("Nobody Here", "Voice", line=6, origin="t.csv")]
    selection = select_salespeople(
        rows, SelectionCriteria("Voice", unknown_salespeople="skip"), TEAM_USERS
    )
    assert len(selection.eligible) == 4
    assert selection.warnings == ("'Nobody Here' (t.csv, line 6) is not a CRM user; skipped",)
    assert dict(selection.left_out) == {"Nobody Here": "not CRM users"}


def test_ids_resolve_ambiguous_names() -> None:
    twins = [User(7, "Twin", "twin.a"), User(8, "Twin", "twin.b")]
    rows = [CampaignRow("Twin", "Voice", salesperson_id=8, line=2)]
    selection = select_salespeople(rows, SelectionCriteria("Voice"), {"Twin": twins}, {8: twins[1]})
    assert [p.user_id for p in selection.eligible] == [8]
    with pytest.raises(UserInputError, match="no CRM user has id 9"):
        select_salespeople(
            [CampaignRow("Twin", "Voice", salesperson_id=9, line=2)],
            SelectionCriteria("Voice"), {"Twin": twins}, {8: twins[1]},
        )  # fmt: skip


def test_exclusion_matches_the_users_name_or_login() -> None:
    rows = [CampaignRow("admin", "Voice", line=2), *TEAM_ROWS]
    users = {**TEAM_USERS, "admin": [User(99, "Administrator", "admin")]}
    criteria = SelectionCriteria("Voice", exclude_specific_users=["Administrator"])
    assert dict(select_salespeople(rows, criteria, users).left_out) == {"admin": "excluded"}


def test_workload_limit_leaves_out_the_fullest() -> None:
    selection = select_salespeople(TEAM_ROWS, SelectionCriteria("Voice"), TEAM_USERS)
    workloads = {
        1: Workload(1, total=95, target=100),
        2: Workload(2, total=90, target=100),
        3: Workload(3, total=10, target=100),
        4: Workload(4, total=500),  # no target: no utilisation, kept
    }
    limited = limit_workload(selection, workloads, 90)
    assert [p.name for p in limited.eligible] == ["Bob Johnson", "Carol Williams", "Drew Cox"]
    assert dict(limited.left_out) == {"Alice Smith": "above 90% of target"}
    none_left = limit_workload(selection, {k: Workload(k, 200, target=100) for k in workloads}, 50)
    assert none_left.explain_empty("Voice") == (
        "no eligible salespeople for campaign Voice: 4 in table, 4 above 50% of target"
    )


def test_campaign_table_matching_columns(tmp_path: Path) -> None:
    text = (
        "salesperson_name,campaign_name,skills,region,timezone\n"
        'Alice Smith,Voice,"enterprise_sales; technical_knowledge",EU,Europe/Paris\n'
        "Bob Johnson,Voice,,,\n"
    )
    alice, bob = read_campaign_csv(write(tmp_path, text))
    assert alice.skills == ("enterprise_sales", "technical_knowledge")
    assert (alice.region, alice.timezone) == ("EU", "Europe/Paris")
    assert (bob.skills, bob.region, bob.timezone) == ((), None, None)
