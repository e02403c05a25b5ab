"""`odlm check` without a server: the configuration, the files it names, the campaign
table's rows and, on the embedded CRM store, its names; one line a finding, exit 2 naming
what is wrong. And against an address where nothing listens: one line, at once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def check(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def edited(config: Path, old: str, new: str) -> Path:
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new))
    return config


def findings(out: str, status: str) -> list[str]:
    """The finding lines of one status, each without its status column."""
    prefix = f"  {status} "
    return [line[len(prefix) :].strip() for line in out.splitlines() if line.startswith(prefix)]


def test_the_demo_checks_offline_and_says_what_it_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    assert main(["demo", "--dir", str(demo)]) == 0
    capsys.readouterr()
    status, out, err = check(["--config", str(demo / "config.yaml")], capsys)
    assert status == 0, out + err
    assert err == ""
    assert findings(out, "PROBLEM") == []
    ok = findings(out, "ok      ")
    whats = [line.split()[0] for line in ok]
    assert whats == [
        "configuration", "state", "local", "campaign", "salespeople", "lead", "sales", "statuses",
    ]  # fmt: skip
    table = demo / "salesperson_campaigns.csv"
    assert f"campaign table     {table}: 14 rows, 10 for campaign Voice" in out
    assert f"local CRM store    {demo / 'crm.sqlite'}: opened" in out
    assert "10 in table resolved in the local CRM store: 4 eligible; left out: 4 excluded" in out
    assert "excluded users found: Drew Cox, Patrick Adler, Administrator, Marc Spiegel" in out
    assert "written with the leads: Voice" in out
    assert out.rstrip().endswith(
        "All checks passed; no Odoo server is configured (crm.backend: local)."
    )
    # Nothing was created: the state directory a run makes is only said to be creatable.
    assert f"{demo / '.odlm-state'}: not there yet; a run creates it" in out
    assert not (demo / ".odlm-state").exists()


def test_an_unknown_salesperson_is_named_with_its_row(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = demo_dir / "salesperson_campaigns.csv"
    table.write_text(table.read_text() + "Nobody Known,Voice,true,Voice,,\n")
    status, out, err = check(["--config", str(demo_dir / "config.yaml")], capsys)
    assert status == 2
    assert findings(out, "PROBLEM") == [
        f"salespeople        'Nobody Known' ({table}, line 16) is not a CRM user"
    ]
    # The other checks went on: every finding is listed, not only the first.
    assert "written with the leads" not in out and "excluded users found" in out
    assert err.startswith("error: 1 problem in the configuration")


def test_a_missing_campaign_table_is_named(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = edited(
        demo_dir / "config.yaml", "file_path: salesperson_campaigns.csv", "file_path: gone.csv"
    )
    status, out, _ = check(["--config", str(config)], capsys)
    assert status == 2
    assert findings(out, "PROBLEM") == [
        f"campaign table     campaign table not found: {demo_dir / 'gone.csv'}"
    ]


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ("Eve Davis,Voice,maybe,Voice,,", "line 16, column active: 'maybe' is not a boolean"),
        ('"Eve Davis,Voice,true,Voice,,', "line 16: malformed CSV: a quote opened on this line"),
    ],
    ids=["bad-flag", "open-quote"],
)
def test_a_bad_csv_row_is_named(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], row: str, said: str
) -> None:
    table = demo_dir / "salesperson_campaigns.csv"
    table.write_text(table.read_text() + row + "\n")
    status, out, _ = check(["--config", str(demo_dir / "config.yaml")], capsys)
    assert status == 2
    [problem] = findings(out, "PROBLEM")
    assert problem.startswith(f"campaign table     {table}, {said}")


@pytest.mark.parametrize(
    ("old", "new", "what", "said"),
    [
        (
            'excluded_users: ["Drew Cox",',
            'excluded_users: ["Drew Coks",',
            "lead finding",
            "lead_finding.excluded_users: not CRM users: Drew Coks",
        ),
        (
            "  team_assignment: Voice",
            "  team_assignment: Voyce",
            "sales teams",
            "sales team(s) not found in the CRM: Voyce",
        ),
        (
            "\ntracking:",
            "\nerror_handling:\n  fallback_strategies:\n    when_no_salespeople_found: "
            "assign_to_fallback_owner\n    fallback_owner: Nobody Known\ntracking:",
            "fallback owner",
            "error_handling.fallback_strategies.fallback_owner: no active CRM users are named "
            "'Nobody Known'",
        ),
        (
            "target_campaign: Voice\n    include",
            "target_campaign: Voise\n    include",
            "campaign table",
            "no row names the target campaign 'Voise' (did you mean 'Voice'?)",
        ),
    ],
    ids=["excluded-user", "team", "fallback-owner", "campaign"],
)
def test_a_name_a_run_would_refuse_is_named_with_its_key(
    demo_dir: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    what: str,
    said: str,
) -> None:
    config = edited(demo_dir / "config.yaml", old, new)
    status, out, err = check(["--config", str(config)], capsys)
    assert status == 2, out
    problems = findings(out, "PROBLEM")
    assert len(problems) == 1, problems
    assert problems[0].startswith(what) and said in problems[0]
    assert "Traceback" not in err


def test_a_state_directory_that_cannot_be_one_is_named(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo_dir / "state").write_text("a file where the state directory should be")
    config = edited(
        demo_dir / "config.yaml", "  batch_size: 200", "  batch_size: 200\n  state_dir: state"
    )
    status, out, _ = check(["--config", str(config)], capsys)
    assert status == 2
    assert findings(out, "PROBLEM") == [
        f"state directory    {config}: execution.state_dir: {demo_dir / 'state'} is not a directory"
    ]


def test_a_status_no_lead_holds_is_a_note(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = edited(demo_dir / "config.yaml", '["Utr", "Call Back"]', '["Utr", "Calback"]')
    status, out, _ = check(["--config", str(config)], capsys)
    assert status == 0, out
    assert findings(out, "note    ") == [
        "statuses           lead_finding.status_filters.active_salespeople: no lead of the "
        "local CRM store has status 'Calback', so it matches none today"
    ]


ODOO = """\
crm:
  backend: odoo
salesperson_selection:
  source_type: list
  source_config: {salespeople_list: [Alice Smith]}
odoo_connection:
  host: http://127.0.0.1:9
  database: crm
  username: admin
  password: ${ODOO_PASSWORD}
"""


def test_offline_contacts_no_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ODOO_PASSWORD", "s3cret-pw")
    config = tmp_path / "odoo.yaml"
    config.write_text(ODOO)
    status, out, err = check(["--config", str(config), "--offline"], capsys)
    assert status == 0, out + err
    assert (
        "Odoo connection    http://127.0.0.1:9, database 'crm', user 'admin', a password set" in out
    )
    assert "salespeople list" in out and "1 row" in out
    assert out.rstrip().endswith("the Odoo server was not contacted (--offline).")
    assert "s3cret-pw" not in out + err


def test_odoo_settings_that_are_missing_are_named_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("ODOO_HOST", "ODOO_DB", "ODOO_USERNAME", "ODOO_PASSWORD", "ODOO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "odoo.yaml"
    config.write_text(ODOO.replace("  password: ${ODOO_PASSWORD}\n", ""))
    status, out, err = check(["--config", str(config)], capsys)
    assert status == 2
    [problem] = findings(out, "PROBLEM")
    assert problem.startswith("Odoo connection") and "odoo_connection.password" in problem
    assert "the Odoo server was not contacted" in err


def test_a_refused_connection_is_one_line_at_once(tmp_path: Path) -> None:
    config = tmp_path / "odoo.yaml"
    config.write_text(ODOO)
    env = {**os.environ, "ODOO_PASSWORD": "s3cret-pw", "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "odoo_lead_manager", "check", "--config", str(config)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    # One line on stderr: the address and what happened; no retry was logged, no secret.
    assert done.stderr == "error: cannot reach Odoo at http://127.0.0.1:9: connection refused\n"
    assert "s3cret-pw" not in done.stdout + done.stderr
    assert "ok       Odoo connection" in done.stdout
