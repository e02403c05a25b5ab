"""deploy/cron/odlm.cron: each line is a cron.d line, and its command does what the
comments say when run as cron runs it (its own PATH and SHELL, nothing else inherited).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.deploy.helpers import DEPLOY, DEV_ODLM, run

CRON_FILE = DEPLOY / "cron" / "odlm.cron"
GUIDE = DEPLOY.parent / "docs" / "deploying.md"
_ASSIGNMENT = re.compile(r"^([A-Z_]+)=(.*)$")
# Not cron's, but without it the test environment's (editable) odlm would write its
# bytecode into the source tree: nothing may be left in the work tree.
NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}
_TIME_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\d+(-\d+)?))*$")


@dataclass(frozen=True)
class CronFile:
    environment: dict[str, str]
    jobs: list[tuple[list[str], str, str]]  # time fields, user, command


def parse(path: Path) -> CronFile:
    environment: dict[str, str] = {}
    jobs: list[tuple[list[str], str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            environment[assignment.group(1)] = assignment.group(2)
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"not a cron.d job line (5 time fields, user, command): {line!r}"
        jobs.append((fields[:5], fields[5], fields[6]))
    return CronFile(environment, jobs)


def test_every_line_is_a_cron_d_job_for_the_odlm_user() -> None:
    cron = parse(CRON_FILE)
    assert cron.environment["SHELL"] == "/bin/sh"
    assert cron.environment["PATH"].split(":")[0] == "/opt/odlm/bin"
    assert len(cron.jobs) == 2
    for times, user, command in cron.jobs:
        assert all(_TIME_FIELD.match(field) for field in times), times
        assert user == "odlm"
        # cron turns an unescaped % into a newline: the command would be cut there.
        assert "%" not in command
        assert "flock" not in command
    assert [times[:2] for times, _, _ in cron.jobs] == [["0", "6"], ["30", "9"]]


def as_cron_runs_it(
    command: str, tmp_path: Path, config: Path, env_file: Path
) -> tuple[int, str, Path]:
    """``command`` run by /bin/sh with only cron's variables, the paths of a real
    install swapped for the test's: its exit status, what cron would mail, the log."""
    cron = parse(CRON_FILE)
    logs = tmp_path / "log"
    logs.mkdir(exist_ok=True)
    command = (
        command.replace("/etc/odlm/voice.env", str(env_file))
        .replace("/etc/odlm/voice.yaml", str(config))
        .replace("/var/log/odlm/", f"{logs}/")
    )
    path = cron.environment["PATH"].replace("/opt/odlm/bin", str(DEV_ODLM.parent))
    outcome = run(
        [cron.environment["SHELL"], "-c", command],
        cwd=tmp_path,
        env={"PATH": path, "HOME": str(tmp_path), "LOGNAME": "odlm", **NO_BYTECODE},
    )
    return outcome.returncode, outcome.stdout + outcome.stderr, logs / "voice-cron.log"


def test_the_morning_line_runs_and_the_catch_up_line_then_changes_nothing(
    todays_demo_dir: Path, tmp_path: Path
) -> None:
    env_file = tmp_path / "voice.env"
    # Sourced with `set -a`: what it sets reaches odlm's environment.
    env_file.write_text("DEMO_CAMPAIGN='Voice'\n", encoding="utf-8")
    config = todays_demo_dir / "config.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["campaign"]["target_campaign"] = "${DEMO_CAMPAIGN}"
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (_, _, morning), (_, _, catch_up) = parse(CRON_FILE).jobs

    code, mailed, log = as_cron_runs_it(morning, tmp_path, config, env_file)
    assert (code, mailed) == (0, "")
    first = log.read_text(encoding="utf-8")
    assert "[campaign=Voice" in first and " written" in first

    code, mailed, log = as_cron_runs_it(catch_up, tmp_path, config, env_file)
    assert (code, mailed) == (0, "")
    added = log.read_text(encoding="utf-8")[len(first) :]
    assert "was distributed on" in added and "nothing changed" in added

    runs = run(
        [DEV_ODLM, "runs", "--config", config],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DEMO_CAMPAIGN": "Voice", **NO_BYTECODE},
    )
    assert runs.returncode == 0, runs.stderr
    # One real run in the journal: the catch-up line distributed nothing.
    assert runs.stdout.count("  Voice  ") == 2  # the run and its snapshot
    assert runs.stdout.count(" completed ") == 1


def test_a_failed_run_mails_what_odlm_status_says(todays_demo_dir: Path, tmp_path: Path) -> None:
    env_file = tmp_path / "voice.env"
    env_file.write_text("", encoding="utf-8")
    config = todays_demo_dir / "config.yaml"
    (todays_demo_dir / "crm.sqlite").unlink()
    (_, _, morning), _ = parse(CRON_FILE).jobs

    code, mailed, log = as_cron_runs_it(morning, tmp_path, config, env_file)
    # The run's error is in the log; cron mails the status, which names it too.
    assert "crm.sqlite" in log.read_text(encoding="utf-8")
    assert code == 1
    assert mailed.startswith(f"Voice ({config}): FAILED today at ")
    assert "CRM store not found" in mailed


def test_the_guide_shows_the_shipped_file() -> None:
    shown = GUIDE.read_text(encoding="utf-8")
    cron = parse(CRON_FILE)
    for name, value in cron.environment.items():
        assert f"\n{name}={value}\n" in shown
    for times, user, command in cron.jobs:
        assert any(line.split(None, 6) == [*times, user, command] for line in shown.splitlines()), (
            command
        )
