"""CSV errors name the line where the trouble starts: an unclosed quote where it opened, a
column named twice with both places, an oversized value and a non-UTF-8 byte with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.snapshot.absences_file import read_absences_csv
from odoo_lead_manager.snapshot.source_files import read_campaign_csv
from tests.conftest import TODAY
from tests.e2e.test_apply_undo import crm

HEADER = "salesperson_name,campaign_name,active,team,level,target_leads\n"
ROW = "Person {n},Voice,true,Voice,senior,400\n"


def table(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "campaigns.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


def rows(count: int) -> list[str]:
    return [ROW.format(n=n) for n in range(count)]


def test_a_quote_left_open_is_reported_on_the_line_it_opened(tmp_path: Path) -> None:
    lines = rows(14)
    lines[6] = '"Person 6,Voice,true,Voice,senior,400\n'  # line 8 of the file
    with pytest.raises(DataFileError) as caught:
        read_campaign_csv(table(tmp_path, lines))
    assert caught.value.message == (
        f"{tmp_path / 'campaigns.csv'}, line 8: malformed CSV: a quote opened on this line is "
        "never closed"
    )


def test_a_quote_closed_lines_later_is_reported_where_it_opened(tmp_path: Path) -> None:
    lines = rows(14)
    lines[6] = '"Person 6,Voice,true,Voice,senior,400\n'  # line 8
    lines[12] = 'Person 12",Voice,true,Voice,senior,400\n'  # line 14 closes it
    with pytest.raises(DataFileError, match=r"line 8: a quote opened on this line is not closed "
                       r"before line 14"):  # fmt: skip
        read_campaign_csv(table(tmp_path, lines))


def test_a_column_named_twice_is_refused_naming_both(tmp_path: Path) -> None:
    path = table(
        tmp_path, ["Alice,Voice,true,Voice,senior,400,29000\n"], HEADER.strip() + ",target_leads\n"
    )
    with pytest.raises(DataFileError) as caught:
        read_campaign_csv(path)
    assert "line 1: column 'target_leads' is named twice (columns 6 and 7)" in caught.value.message


def test_an_oversized_value_names_its_line(tmp_path: Path) -> None:
    lines = rows(5)
    lines[2] = '"' + "x" * 200_000 + '",Voice,true,Voice,senior,400\n'  # line 4
    with pytest.raises(DataFileError, match=r"line 4: malformed CSV: a value is longer than"):
        read_campaign_csv(table(tmp_path, lines))


def test_a_byte_that_is_not_utf8_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.csv"
    path.write_bytes((HEADER + ROW.format(n=1) + "Ren\xe9,Voice,true,,,\n").encode("latin-1"))
    with pytest.raises(DataFileError, match=r"campaigns.csv, line 3, column 4: not UTF-8 text"):
        read_campaign_csv(path)


def test_the_absences_file_is_read_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "absences.csv"
    path.write_text(
        "salesperson_name,from,to,part\nAlice,2024-06-14,2024-06-14,\n"
        '"Bob,2024-06-14,2024-06-14,\nCarol,2024-06-14,2024-06-14,\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"absences.csv, line 3: malformed CSV: a quote"):
        read_absences_csv(path)
    path.write_text("salesperson_name,from,to,to\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 1: column 'to' is named twice"):
        read_absences_csv(path)


def test_a_run_on_a_table_with_a_quote_left_open_is_exit_2_and_changes_nothing(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = demo_dir / "salesperson_campaigns.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[7] = '"' + lines[7]
    path.write_text("".join(lines), encoding="utf-8")
    before = crm(demo_dir)
    config = str(demo_dir / "config.yaml")
    assert main(["dailydist", "--config", config, "--today", str(TODAY), "--run-again"]) == 2
    assert "salesperson_campaigns.csv, line 8: malformed CSV" in capsys.readouterr().err
    assert crm(demo_dir) == before
