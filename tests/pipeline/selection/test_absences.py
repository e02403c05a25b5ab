"""Absences (``salesperson_selection.availability``): reading them and what they mean for a day."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from odoo_lead_manager.domain.availability import Away, availability_on
from odoo_lead_manager.domain.model import Absence, Lead, Salesperson, Workload
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.pipeline.selection.absences import unknown_absentees
from odoo_lead_manager.pipeline.strategies import PARTLY_AWAY, StrategyInput, distribute
from odoo_lead_manager.pipeline.strategies.people import levels_from, with_levels
from odoo_lead_manager.snapshot.absences_file import read_absences_csv
from odoo_lead_manager.snapshot.source_files import read_campaign_csv
from tests.pipeline.strategies.helpers import settings

DAY = date(2024, 6, 12)
ALICE = Salesperson("Alice Smith", 1, "Voice")
BOB = Salesperson("Bob Johnson", 2, "Voice")
CAROL = Salesperson("Carol Williams", 3, "Voice")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_gives_one_absence_per_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "absences.csv",
        "salesperson_name,from,to,part\n"
        "Alice Smith,2024-06-10,2024-06-14,\n"
        "\n"
        "Bob Johnson,2024-06-12,,Morning\n",
    )
    assert read_absences_csv(path) == (
        Absence("Alice Smith", date(2024, 6, 10), date(2024, 6, 14), "full", f"{path}, line 2"),
        Absence("Bob Johnson", DAY, DAY, "morning", f"{path}, line 4"),
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Alice Smith,2024-13-01,,", "line 2, from: '2024-13-01' is not a date (YYYY-MM-DD)"),
        ("Alice Smith,2024-06-12,2024-06-11,", "line 2: 'to' 2024-06-11 is before 'from'"),
        ("Alice Smith,2024-06-12,,evening", "line 2, part: 'evening' is not one of full"),
        (",2024-06-12,,", "line 2: empty salesperson_name"),
        ("Alice Smith,0001-01-01,,", "0001-01-01 is outside 1900-01-01..2999-12-31"),
    ],
)
def test_a_bad_row_names_the_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path / "absences.csv", f"salesperson_name,from,to,part\n{row}\n")
    with pytest.raises(DataFileError) as err:
        read_absences_csv(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_columns_and_files_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "absences.csv", "name,start\nAlice,2024-06-12\n")
    with pytest.raises(DataFileError, match="missing column"):
        read_absences_csv(path)
    with pytest.raises(DataFileError, match="absences file"):
        read_absences_csv(tmp_path / "nowhere.csv")


def test_the_campaign_table_columns_give_an_absence(tmp_path: Path) -> None:
    path = write(
        tmp_path / "campaigns.csv",
        "salesperson_name,campaign_name,away_from,away_to,away_part\n"
        "Alice Smith,Voice,2024-06-12,2024-06-13,afternoon\n"
        "Bob Johnson,Voice,,,\n",
    )
    alice, bob = read_campaign_csv(path)
    assert alice.absence == Absence(
        "Alice Smith", DAY, date(2024, 6, 13), "afternoon", f"{path}, line 2"
    )
    assert bob.absence is None
    bad = write(
        tmp_path / "bad.csv",
        "salesperson_name,campaign_name,away_from\nAlice Smith,Voice,soon\n",
    )
    with pytest.raises(DataFileError, match="line 2, from: 'soon' is not a date"):
        read_campaign_csv(bad)


def test_who_is_away_on_a_day() -> None:
    absences = [
        Absence("alice smith", date(2024, 6, 10), date(2024, 6, 14), "full", "f, line 2"),
        Absence("Bob Johnson", DAY, DAY, "morning", "f, line 3"),
        Absence("Carol Williams", DAY, DAY, "morning", "f, line 4"),
        Absence("Carol Williams", DAY, DAY, "afternoon", "t, line 9"),
        Absence("Bob Johnson", date(2024, 6, 13), date(2024, 6, 13), "full", "f, line 5"),
    ]
    away = availability_on([ALICE, BOB, CAROL], absences, DAY, 0.5)
    assert away == {
        1: Away(0.0, "away all day (f, line 2)"),
        2: Away(0.5, "away in the morning (f, line 3): at most 0.5 of the share"),
        # A morning and an afternoon make the whole day.
        3: Away(0.0, "away all day (f, line 4; t, line 9)"),
    }
    assert availability_on([ALICE, BOB, CAROL], absences, date(2024, 6, 15), 0.5) == {}


def test_names_in_no_row_are_named() -> None:
    absences = [Absence("Alice Smyth", DAY, DAY, "full", "f, line 2")]
    assert unknown_absentees(absences, ["Alice Smith"]) == [
        "f, line 2: 'Alice Smyth' is neither a salesperson of the salesperson source nor a "
        "CRM user (did you mean 'Alice Smith'?)"
    ]


def test_half_a_day_takes_at_most_that_share_and_the_rest_goes_to_the_others() -> None:
    config = settings(strategy="round_robin")
    levels = levels_from(config, ())
    people = with_levels([ALICE, BOB, CAROL], levels)
    data = StrategyInput(
        leads=[Lead(id=i, name=f"L{i}") for i in range(1, 31)],
        salespeople=people,
        workloads={p.user_id: Workload(p.user_id, 0) for p in people},
        settings=config,
        levels=levels,
        cycle="2024-06-12",
        present_share={2: 0.5},
    )
    result = distribute("round_robin", data, random.Random(3))
    received = {uid: 0 for uid in (1, 2, 3)}
    for assignment in result.assignments:
        received[assignment.user_id] += 1
    assert received == {1: 12, 2: 5, 3: 13} or received == {1: 13, 2: 5, 3: 12}
    assert sum(received.values()) == 30 and PARTLY_AWAY not in result.unassigned
