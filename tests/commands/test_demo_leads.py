"""`odlm demo --leads N`: a demo of any size in the standard one's shape, the same every
time, refused out of bounds, with a progress bar only on a terminal."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import STATUSES, create_demo
from odoo_lead_manager.snapshot.source_files import read_campaign_csv

ODLM = Path(sys.executable).with_name("odlm")
DAY = "2026-12-01"
ALL = [("active", "in", [True, False])]


def make_demo(directory: Path, leads: int | None) -> Path:
    size = ["--leads", str(leads)] if leads is not None else []
    assert main(["demo", "--dir", str(directory), "--today", DAY, *size]) == 0
    return directory


def contents(crm: Path) -> list[str]:
    """Every row of the store, in order: SQLite keeps rows in the order of insertion, and
    the tags of a lead are inserted from a set, whose order changes from one process
    to the next."""
    with sqlite3.connect(crm) as db:
        return sorted(db.iterdump())


@pytest.fixture(scope="module")
def demo_2000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("leads") / "demo", 2000)


def test_the_demo_holds_as_many_leads_as_asked(demo_2000: Path) -> None:
    with LocalStore.open(demo_2000 / "crm.sqlite") as store:
        leads = list(store.search_leads(ALL))
    assert len(leads) == 2000
    assert sorted(lead.id for lead in leads) == list(range(1, 2001))
    # The standard demo's mix: every status spelling, leads and opportunities.
    assert set(Counter(lead.status for lead in leads)) == {status for status, _ in STATUSES}
    assert {lead.type for lead in leads} == {"lead", "opportunity"}


def test_a_dry_run_on_it_distributes_leads(
    demo_2000: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = contents(demo_2000 / "crm.sqlite")
    config = demo_2000 / "config.yaml"
    assert main(["dailydist", "--config", str(config), "--dry-run", "--today", DAY]) == 0
    shown = re.search(r"Leads that would be distributed: ([\d,]+)", capsys.readouterr().out)
    assert shown and int(shown.group(1).replace(",", "")) > 0
    assert contents(demo_2000 / "crm.sqlite") == before


def test_a_larger_demo_has_more_salespeople_each_a_crm_user(tmp_path: Path) -> None:
    # Without --leads, the standard demo: the one --leads 4000 makes.
    standard_dir = make_demo(tmp_path / "standard", None)
    four_thousand = make_demo(tmp_path / "4000", 4000)
    assert contents(standard_dir / "crm.sqlite") == contents(four_thousand / "crm.sqlite")
    standard = read_campaign_csv(standard_dir / "salesperson_campaigns.csv")
    larger = read_campaign_csv(make_demo(tmp_path / "larger", 12_000) / "salesperson_campaigns.csv")
    # One campaign salesperson per 400 leads: the standard ten, then thirty.
    assert len([r for r in standard if r.level]) == 10
    assert len([r for r in larger if r.level]) == 30
    assert {r.campaign_name for r in larger} == {"Voice", "Apple"}
    assert Counter(r.active for r in larger if r.level) == Counter({True: 24, False: 6})
    hired = {r.salesperson_name for r in larger} - {r.salesperson_name for r in standard}
    assert len(hired) == 20
    with LocalStore.open(tmp_path / "larger" / "crm.sqlite") as store:
        for row in larger:
            assert len(store.find_users([row.salesperson_name])) == 1, row.salesperson_name
        owners = Counter(lead.user_id for lead in store.search_leads(ALL))
        assert all(owners[user.id] > 0 for user in store.find_users(hired))


def test_the_same_seed_gives_the_same_data(demo_2000: Path, tmp_path: Path) -> None:
    again = make_demo(tmp_path / "again", 2000)
    assert contents(again / "crm.sqlite") == contents(demo_2000 / "crm.sqlite")
    for name in ("salesperson_campaigns.csv", "salespeople.txt", "config.yaml"):
        assert (again / name).read_bytes() == (demo_2000 / name).read_bytes(), name
    other = create_demo(tmp_path / "other", seed=7, leads=2000)
    assert contents(other.crm_path) != contents(again / "crm.sqlite")


@pytest.mark.parametrize("value", ["0", "-5", "abc", str(10**12), "1000001", "1.5", ""])
def test_a_bad_number_of_leads_is_refused(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "demo"
    with pytest.raises(SystemExit) as ended:
        main(["demo", "--dir", str(target), f"--leads={value}"])
    assert ended.value.code == 2
    assert "argument --leads:" in capsys.readouterr().err
    assert not target.exists()


def odlm_demo(target: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    return subprocess.run(
        [str(ODLM), "demo", "--dir", str(target), "--today", DAY, "--leads", "2000"],
        capture_output=True, text=True, check=False, timeout=120, env=env | environ,
    )  # fmt: skip


def test_no_progress_bar_when_not_on_a_terminal(tmp_path: Path) -> None:
    piped = odlm_demo(tmp_path / "piped")
    assert piped.returncode == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines[0] == f"Demo CRM written to {tmp_path / 'piped' / 'crm.sqlite'}"
    assert (
        lines[-1] == f"Run: odlm dailydist --config {tmp_path / 'piped' / 'config.yaml'} --dry-run"
    )
    assert "Building" not in piped.stdout
    assert "\x1b" not in piped.stdout and "\r" not in piped.stdout
    assert piped.stderr == ""
    # What the pipe would have had on a terminal (rich takes FORCE_COLOR for one).
    terminal = odlm_demo(tmp_path / "terminal", FORCE_COLOR="1")
    assert terminal.returncode == 0, terminal.stderr
    assert "Building 2,000 leads" in terminal.stdout
