from pathlib import Path

import pytest

from odoo_lead_manager.errors import DataFileError, UserInputError
from odoo_lead_manager.model import User
from odoo_lead_manager.selection import (
    CampaignRow,
    SelectionCriteria,
    names_to_resolve,
    read_campaign_csv,
    select_salespeople,
)

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
    assert rows[0] == CampaignRow("Alice Smith", "Voice", True, "Voice", "senior", 200, None, 2)
    assert rows[1].active is False
    assert rows[2].target_leads is None


def test_selects_the_campaign_with_exclusions_and_inactive_members(tmp_path: Path) -> None:
    rows = read_campaign_csv(write(tmp_path, CSV))
    criteria = SelectionCriteria("Voice", exclude_specific_users=["drew cox"])
    assert names_to_resolve(rows, criteria) == {
        "Alice Smith",
        "Bob Johnson",
        "Carol Williams",
        "Drew Cox",
        "Hal Archived",
    }
    selection = select_salespeople(rows, criteria, USERS)
    assert [p.name for p in selection.eligible] == ["Alice Smith", "Carol Williams"]
    assert [p.name for p in selection.inactive] == ["Bob Johnson", "Hal Archived"]
    assert dict(selection.left_out) == {
        "Bob Johnson": "inactive",
        "Drew Cox": "excluded",
        "Hal Archived": "archived in the CRM",
    }
    assert selection.campaign_rows == 5


def test_include_inactive_salespeople_makes_them_recipients(tmp_path: Path) -> None:
    rows = read_campaign_csv(write(tmp_path, CSV))
    selection = select_salespeople(
        rows, SelectionCriteria("Voice", include_inactive_salespeople=True), USERS
    )
    assert "Bob Johnson" in [p.name for p in selection.eligible]
    assert [p.name for p in selection.inactive] == ["Hal Archived"]


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
        CampaignRow("alice smith", "Voice", line=4),
        CampaignRow("Twin", "Voice", line=5),
    ]
    users = {**USERS, "Twin": [User(7, "Twin"), User(8, "Twin")]}
    with pytest.raises(UserInputError) as err:
        select_salespeople(rows, SelectionCriteria("Voice"), users)
    message = str(err.value)
    assert "'Nobody Here' (line 2) is not a CRM user" in message
    assert "listed twice for campaign Voice (lines 3 and 4)" in message
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
    with pytest.raises(DataFileError, match="not readable as UTF-8"):
        read_campaign_csv(bad)
