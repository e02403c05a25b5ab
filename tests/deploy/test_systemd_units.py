"""The systemd units in deploy/systemd: systemd itself accepts them, they are hardened,
and they agree with odlm's exit statuses.

``systemd-analyze verify`` loads unit files without a running systemd; it checks every
key and value and that ExecStart= names an executable, so the copies verified here run
the test environment's odlm instead of /opt/odlm/bin/odlm.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from odoo_lead_manager.reporting import status
from tests.deploy.helpers import DEPLOY, DEV_ODLM, run

UNITS = DEPLOY / "systemd"
INSTALLED_ODLM = "/opt/odlm/bin/odlm"
# A campaign configuration name: the instance the templates are verified as.
INSTANCES = (
    "odlm-dailydist@voice.service",
    "odlm-dailydist@voice.timer",
    "odlm-status-alert@voice.service",
)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")

needs_systemd_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed here"
)


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections and their key=value lines, in order; a key may repeat
    (EnvironmentFile=, SystemCallFilter=), which configparser would not keep."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path.name}: {line!r} is outside any section"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def values(path: Path, section: str, key: str) -> list[str]:
    return [value for name, value in parse_unit(path).get(section, []) if name == key]


def verifiable_copy(directory: Path) -> Path:
    """The units copied to ``directory`` with an executable that exists here."""
    assert DEV_ODLM.is_file(), f"the test environment has no odlm at {DEV_ODLM}"
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8")
        (directory / unit.name).write_text(
            text.replace(INSTALLED_ODLM, str(DEV_ODLM)), encoding="utf-8"
        )
    return directory


def verify(directory: Path, *units: str) -> tuple[int, str]:
    assert SYSTEMD_ANALYZE is not None
    outcome = run(
        [
            SYSTEMD_ANALYZE,
            "verify",
            "--man=no",
            "--recursive-errors=no",
            *(f"./{u}" for u in units),
        ],
        cwd=directory,
        timeout=60,
    )
    return outcome.returncode, outcome.stdout + outcome.stderr


def test_the_shipped_units_are_the_three_documented_ones() -> None:
    assert sorted(p.name for p in UNITS.iterdir()) == [
        "odlm-dailydist@.service",
        "odlm-dailydist@.timer",
        "odlm-status-alert@.service",
    ]


@needs_systemd_analyze
def test_systemd_accepts_every_unit_without_a_warning(tmp_path: Path) -> None:
    code, output = verify(verifiable_copy(tmp_path), *INSTANCES)
    assert (code, output) == (0, "")


@needs_systemd_analyze
@pytest.mark.parametrize(
    ("unit", "good", "bad", "complaint"),
    [
        (
            "odlm-dailydist@.service",
            "ProtectSystem=strict",
            "ProtectSytem=strict",
            "Unknown key 'ProtectSytem'",
        ),
        (
            "odlm-dailydist@.service",
            "Type=oneshot",
            "Type=oneshoot",
            "Failed to parse service type",
        ),
        (
            "odlm-dailydist@.service",
            "TimeoutStartSec=3h",
            "TimeoutStartSec=three hours",
            "Failed to parse TimeoutStartSec=",
        ),
        (
            "odlm-status-alert@.service",
            "SuccessExitStatus=1 3",
            "SuccessExitStatus=one",
            "Failed to parse value, ignoring: one",
        ),
        (
            "odlm-dailydist@.timer",
            "OnCalendar=*-*-* 06:00:00",
            "OnCalendar=every morning",
            "Failed to parse calendar spec",
        ),
    ],
)
def test_a_broken_unit_is_refused(
    tmp_path: Path, unit: str, good: str, bad: str, complaint: str
) -> None:
    # The same check as above, shown to fail: a typo in any of the units is caught.
    directory = verifiable_copy(tmp_path)
    path = directory / unit
    text = path.read_text(encoding="utf-8")
    assert good in text
    path.write_text(text.replace(good, bad), encoding="utf-8")
    code, output = verify(directory, *INSTANCES)
    assert code != 0
    assert complaint in output


@needs_systemd_analyze
def test_a_service_whose_command_does_not_exist_is_refused(tmp_path: Path) -> None:
    directory = verifiable_copy(tmp_path)
    path = directory / "odlm-dailydist@.service"
    path.write_text(
        path.read_text(encoding="utf-8").replace(str(DEV_ODLM), str(tmp_path / "no-odlm")),
        encoding="utf-8",
    )
    code, output = verify(directory, "odlm-dailydist@voice.service")
    assert code != 0
    assert "no-odlm is not executable" in output


@needs_systemd_analyze
@pytest.mark.parametrize(
    "unit", ["odlm-dailydist@voice.service", "odlm-status-alert@voice.service"]
)
def test_the_services_are_hardened(tmp_path: Path, unit: str) -> None:
    # systemd's own exposure score (0 = locked down, 10 = none): 9.6 for a bare
    # service; these units score below 2.
    directory = verifiable_copy(tmp_path)
    command = [SYSTEMD_ANALYZE or "", "security", "--offline=yes", "--no-pager", "--threshold=20"]
    hardened = run([*command, f"./{unit}"], cwd=directory, timeout=60)
    assert hardened.returncode == 0, hardened.stdout + hardened.stderr
    assert "Overall exposure level" in hardened.stdout

    template = directory / unit.replace("@voice", "@")
    kept = [
        line
        for line in template.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("Protect", "Private", "Restrict", "SystemCall", "Capability"))
    ]
    template.write_text("\n".join(kept) + "\n", encoding="utf-8")
    bare = run([*command, f"./{unit}"], cwd=directory, timeout=60)
    assert bare.returncode != 0, bare.stdout


def test_the_run_is_a_oneshot_of_the_dedicated_user_with_its_secrets_and_directories() -> None:
    service = UNITS / "odlm-dailydist@.service"
    assert values(service, "Service", "Type") == ["oneshot"]
    assert values(service, "Service", "User") == ["odlm"]
    assert values(service, "Service", "ExecStart") == [
        f"{INSTALLED_ODLM} dailydist --config /etc/odlm/%i.yaml"
    ]
    assert values(service, "Service", "EnvironmentFile") == [
        "-/etc/odlm/odlm.env",
        "-/etc/odlm/%i.env",
    ]
    assert values(service, "Service", "StateDirectory") == ["odlm/%i"]
    assert values(service, "Service", "ProtectSystem") == ["strict"]
    assert values(service, "Service", "NoNewPrivileges") == ["yes"]
    assert values(service, "Service", "PrivateTmp") == ["yes"]
    assert values(service, "Unit", "OnFailure") == ["odlm-status-alert@%i.service"]


def test_the_timer_catches_up_a_missed_morning_and_starts_the_same_campaign() -> None:
    timer = UNITS / "odlm-dailydist@.timer"
    assert values(timer, "Timer", "Persistent") == ["true"]
    assert values(timer, "Timer", "Unit") == ["odlm-dailydist@%i.service"]
    assert values(timer, "Install", "WantedBy") == ["timers.target"]


def test_the_alert_reports_odlms_status_and_counts_its_verdicts_as_done() -> None:
    alert = UNITS / "odlm-status-alert@.service"
    assert values(alert, "Service", "ExecStart") == [
        f"{INSTALLED_ODLM} status --config /etc/odlm/%i.yaml --format json"
    ]
    # Started because the run failed, `odlm status` then says 1 (failed) or 3 (not
    # run): the alert did its job. Tied to odlm's constants so a change there shows.
    assert values(alert, "Service", "SuccessExitStatus") == [
        f"{status.FAILED} {status.NOT_RUN_YET}"
    ]
    assert values(alert, "Service", "User") == values(
        UNITS / "odlm-dailydist@.service", "Service", "User"
    )
