"""Alerts (spec §12.2): a slow or failed run is a log line and an e-mail to reporting.email."""

from __future__ import annotations

import socket
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from tests.ops.helpers import configured, second_write_fails
from tests.reporting.test_email import PASSWORD, USER, Server, smtp_server

__all__ = ["smtp_server"]  # the fixture, used by name


def email_section(server: Server, port: int | None = None) -> dict[str, Any]:
    return {
        "email": {
            "smtp_host": "127.0.0.1",
            "smtp_port": port or server.port,
            "username": USER,
            "password": "${SMTP_PASSWORD}",
            "sender": "odlm@example.com",
            "recipients": ["ops@example.com"],
            "ssl_ca": str(server.ca),
        }
    }


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_a_slow_run_is_a_warning_and_an_email(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configured(
        todays_demo_dir,
        monitoring={"alert_on_slow_execution": True, "slow_execution_threshold_seconds": 0.001},
        reporting=email_section(smtp_server),
    )
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert "SLOW RUN" in captured.out + captured.err
    (message,) = smtp_server.inbox.messages
    assert message["Subject"].startswith("odlm ALERT: slow run: campaign Voice on ")
    assert message["To"] == "ops@example.com"
    text = body_of(message)
    assert "over monitoring.slow_execution_threshold_seconds (0.001 s)" in text
    assert PASSWORD not in text and str(config) in text


def test_a_fast_run_sends_nothing(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configured(
        todays_demo_dir,
        monitoring={"alert_on_slow_execution": True, "alert_on_failure": True},
        reporting=email_section(smtp_server),
    )
    assert main(["dailydist", "--config", str(config)]) == 0
    assert smtp_server.inbox.messages == []


def test_a_run_ended_by_an_error_is_alerted_and_keeps_its_exit_status(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configured(
        todays_demo_dir,
        crm={"local_path": "missing.sqlite"},
        monitoring={"alert_on_failure": True},
        reporting=email_section(smtp_server),
    )
    assert main(["dailydist", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith("error: CRM store not found")
    assert "ALERT: odlm dailydist failed: campaign Voice" in captured.err
    (message,) = smtp_server.inbox.messages
    assert message["Subject"].startswith("odlm ALERT: odlm dailydist failed: campaign Voice on ")
    assert "ended with an error: CRM store not found" in body_of(message)


def test_a_stopped_run_is_alerted(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configured(
        todays_demo_dir,
        monitoring={"alert_on_failure": True},
        error_handling={"max_retries": 0, "retry_delay_seconds": 0},
        reporting=email_section(smtp_server),
    )
    second_write_fails(monkeypatch)
    assert main(["dailydist", "--config", str(config)]) == 1
    (message,) = smtp_server.inbox.messages
    assert message["Subject"].startswith("odlm ALERT: run stopped: campaign Voice on ")
    text = body_of(message)
    assert "the CRM went away" in text and "Finish it with: odlm dailydist --config" in text


def test_without_alert_on_failure_no_mail_is_sent(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configured(
        todays_demo_dir, crm={"local_path": "missing.sqlite"}, reporting=email_section(smtp_server)
    )
    assert main(["dailydist", "--config", str(config)]) == 2
    assert smtp_server.inbox.messages == []


def test_an_alert_the_mail_server_refuses_is_a_note_and_the_run_stands(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    config = configured(
        todays_demo_dir,
        monitoring={"alert_on_slow_execution": True, "slow_execution_threshold_seconds": 0.001},
        reporting=email_section(smtp_server, port=closed),
    )
    assert main(["dailydist", "--config", str(config)]) == 0
    captured = capsys.readouterr()
    assert "the alert e-mail was not sent" in captured.out
    assert PASSWORD not in captured.out + captured.err
