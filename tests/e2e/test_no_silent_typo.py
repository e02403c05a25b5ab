"""A typo is never a quiet morning: a campaign or absence naming nobody stops with exit 2 and
the nearest name, an option a run does not use is refused, and a skipped run still says the
near misses that explain it. The CRM and the history are checked unchanged after each refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.state.tracking import open_journal
from tests.conftest import TODAY
from tests.e2e.test_apply_undo import crm


def set_campaign(config: Path, name: str) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["campaign"]["target_campaign"] = name
    data["salesperson_selection"]["campaign_filtering"]["target_campaign"] = name
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def edit(config: Path, path: tuple[str, ...], value: Any) -> None:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    node = data
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def nothing_happened(directory: Path, before: object) -> None:
    assert crm(directory) == before
    journal, _ = open_journal(tracking_settings(load_config(directory / "config.yaml")))
    try:
        assert journal.recent(10) == [] and journal.recorded_runs() == []
    finally:
        journal.close()


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("Voicee", "(did you mean 'Voice'?)"),
        ("Voice ", "'Voice' differs only by case or blanks"),
        ("voice", "'Voice' differs only by case or blanks"),
        ("Apricot", "its campaigns are 'Apple', 'Voice'"),
    ],
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_campaign_no_row_names_is_exit_2_with_the_nearest_name(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], typed: str, hint: str, dry_run: bool
) -> None:
    config = demo_dir / "config.yaml"
    set_campaign(config, typed)
    before = crm(demo_dir)
    words = ["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]
    assert main([*words, *(["--dry-run"] if dry_run else [])]) == 2
    err = capsys.readouterr().err
    assert f"salesperson_campaigns.csv: no row names the target campaign {typed!r}" in err
    assert hint in err and "its campaigns are 'Apple', 'Voice'" in err
    nothing_happened(demo_dir, before)


def test_a_campaign_loosely_matched_as_configured_runs(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    set_campaign(config, "voice ")
    edit(config, ("salesperson_selection", "campaign_filtering", "case_sensitive"), False)
    edit(config, ("salesperson_selection", "campaign_filtering", "strip_whitespace"), True)
    words = ["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]
    assert main(words) == 0


def test_a_skipped_run_still_says_the_near_misses(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every Voice salesperson inactive but one, written "voice " (a near miss): nobody is
    # eligible, the run is skipped (the campaign exists), and the near miss says why.
    table = demo_dir / "salesperson_campaigns.csv"
    lines = table.read_text(encoding="utf-8").splitlines()
    edited = [lines[0]]
    for line in lines[1:]:
        name, campaign, active, *rest = line.split(",")
        if campaign == "Voice":
            if name == "Alice Smith":
                campaign = "voice "
            else:
                active = "false"
        edited.append(",".join([name, campaign, active, *rest]))
    table.write_text("\n".join(edited) + "\n", encoding="utf-8")
    config = demo_dir / "config.yaml"
    edit(
        config,
        ("error_handling", "fallback_strategies", "when_no_salespeople_found"),
        "skip_distribution",
    )
    before = crm(demo_dir)
    words = ["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]
    assert main(words) == 0
    out = capsys.readouterr().out
    assert "no eligible salespeople for campaign Voice" in out
    assert "warning: " in out and "campaign 'voice ' is not 'Voice'" in out
    assert "'Alice Smith' is not selected" in out
    assert crm(demo_dir) == before


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--campaign", "Apple"], "--campaign Apple: "),
        (["--output", "x.yaml"], "--output is for --generate-config"),
        (["--template", "minimal"], "--template is for --generate-config"),
    ],
)
def test_an_option_a_run_does_not_use_is_refused(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    before = crm(demo_dir)
    config = str(demo_dir / "config.yaml")
    words = ["dailydist", "--config", config, "--today", str(TODAY), "--run-again", *extra]
    assert main(words) == 2
    assert message in capsys.readouterr().err
    nothing_happened(demo_dir, before)


def test_campaign_naming_the_configurations_own_is_a_check_that_passes(demo_dir: Path) -> None:
    config = str(demo_dir / "config.yaml")
    words = ["dailydist", "--config", config, "--today", str(TODAY), "--dry-run"]
    assert main([*words, "--campaign", "Voice"]) == 0


def absences(directory: Path, *rows: str) -> None:
    (directory / "absences.csv").write_text(
        "salesperson_name,from,to,part\n" + "".join(f"{row}\n" for row in rows),
        encoding="utf-8",
    )
    edit(
        directory / "config.yaml",
        ("salesperson_selection", "availability", "absences_file"),
        "absences.csv",
    )


def test_an_absence_naming_nobody_is_exit_2_with_the_nearest_name(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absences(demo_dir, f"Bob Jonson,{TODAY},{TODAY},")
    before = crm(demo_dir)
    config = str(demo_dir / "config.yaml")
    words = ["dailydist", "--config", config, "--today", str(TODAY), "--run-again"]
    assert main(words) == 2
    err = capsys.readouterr().err
    assert "absences.csv, line 2: 'Bob Jonson' is neither a salesperson" in err
    assert "(did you mean 'Bob Johnson'?)" in err
    assert "unknown_absentees: warn" in err
    nothing_happened(demo_dir, before)


def test_unknown_absentees_warn_goes_on_and_says_so(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    absences(demo_dir, f"Bob Jonson,{TODAY},{TODAY},")
    config = demo_dir / "config.yaml"
    edit(config, ("salesperson_selection", "availability", "unknown_absentees"), "warn")
    words = ["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]
    assert main(words) == 0
    out = capsys.readouterr().out
    assert "'Bob Jonson' is neither a salesperson" in out
    assert "did you mean 'Bob Johnson'?" in out


def test_a_shared_absences_file_naming_others_is_fine(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Gina is an Apple salesperson; Kevin is a CRM user in no campaign; both by login or name.
    absences(
        demo_dir,
        f"Gina Wilson,{TODAY},{TODAY},",
        f"kevin.levonas,{TODAY},{TODAY},",
        f"Bob Johnson,{TODAY},{TODAY},",
    )
    config = str(demo_dir / "config.yaml")
    words = ["dailydist", "--config", config, "--today", str(TODAY), "--run-again"]
    assert main(words) == 0
    out = capsys.readouterr().out
    assert "is neither a salesperson" not in out
    assert "Bob Johnson: away" in out or "away all day" in out


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["trends", "--user", "Bob"], "odlm report trends does not use --user"),
        (["daily", "--days", "5"], "odlm report daily does not use --days"),
        (["daily", "--from", "2024-06-01"], "odlm report daily does not use --from"),
        (["site", "out", "--date", "2024-06-01"], "odlm report site does not use --date"),
        (["site", "out", "--campaign", "Voice"], "odlm report site does not use --campaign"),
        (["campaign", "--days", "3", "--from", "2024-06-01"], "--from and --days both set"),
    ],
)
def test_a_report_option_its_kind_does_not_read_is_refused(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], words: list[str], message: str
) -> None:
    config = str(demo_dir / "config.yaml")
    assert main(["report", *words, "--config", config]) == 2
    assert message in capsys.readouterr().err
    assert not (demo_dir / "out").exists()


def test_explain_refuses_a_run_and_a_day_together(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(demo_dir / "config.yaml")
    words = ["explain", "1", "--config", config, "--run", "abc", "--today", str(TODAY)]
    assert main(words) == 2
    assert "give one of them" in capsys.readouterr().err
