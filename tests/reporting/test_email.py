"""E-mail notification against a real SMTP server (aiosmtpd) started on localhost by the tests."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from odoo_lead_manager.cli.main import main  # noqa: E402
from odoo_lead_manager.crm.local.store import LocalStore  # noqa: E402

USER, PASSWORD = "odlm", "s3cret-smtp"


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd answers 535 itself for a refused login.
    return AuthResult(success=good, handled=False)


@dataclass
class Server:
    port: int
    inbox: Inbox
    ca: Path


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Server]:
    """An SMTP server on 127.0.0.1 that requires STARTTLS and a login, with its own CA file."""
    cert, key = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = aiosmtpd_controller.Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield Server(port, inbox, cert)
    finally:
        controller.stop()


def configure(
    directory: Path,
    server: Server,
    extra: str = "",
    recipients: str = "[manager@example.com, ops@example.com]",
) -> Path:
    config = directory / "config.yaml"
    config.write_text(
        config.read_text()
        + "reporting:\n  email:\n"
        + f"    smtp_host: 127.0.0.1\n    smtp_port: {server.port}\n"
        + f"    username: {USER}\n    password: ${{SMTP_PASSWORD}}\n"
        + f"    sender: odlm@example.com\n    recipients: {recipients}\n"
        + extra
    )
    return config


def test_the_report_is_mailed_over_starttls_with_a_login(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configure(todays_demo_dir, smtp_server, f"    ssl_ca: {smtp_server.ca}\n")
    assert main(["dailydist", "--config", str(config), "--dry-run", "--email-notification"]) == 0
    out = capsys.readouterr().out
    assert "E-mail sent to manager@example.com, ops@example.com" in out
    assert PASSWORD not in out
    (message,) = smtp_server.inbox.messages
    assert message["To"] == "manager@example.com, ops@example.com"
    assert message["From"] == "odlm@example.com"
    assert message["Subject"].startswith("odlm Voice ") and "DRY RUN" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Leads distributed:" in text and "Recommendations:" in text and "Alice Smith:" in text
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename().endswith("-dry-run.html")
    page = attachment.get_content()
    assert "<svg" in page and "Lead distribution: Voice" in page


def test_a_refused_login_is_a_warning_without_the_password(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-" + PASSWORD)
    config = configure(todays_demo_dir, smtp_server, f"    ssl_ca: {smtp_server.ca}\n")
    assert main(["dailydist", "--config", str(config), "--dry-run", "--email-notification"]) == 0
    captured = capsys.readouterr()
    assert "WARNING: e-mail to manager@example.com, ops@example.com not sent" in captured.out
    assert "wrong-" not in captured.out + captured.err
    assert smtp_server.inbox.messages == []


def test_an_untrusted_certificate_is_refused(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configure(todays_demo_dir, smtp_server)  # no ssl_ca: the self-signed cert is unknown
    assert main(["dailydist", "--config", str(config), "--dry-run", "--email-notification"]) == 0
    assert "CERTIFICATE_VERIFY_FAILED" in capsys.readouterr().out.replace("\n", "")
    assert smtp_server.inbox.messages == []


@pytest.mark.parametrize(
    ("recipients", "extra", "message"),
    [
        ("[]", "", "e-mail notification needs reporting.email.recipients"),
        ("[a@example.com]", "    ssl_ca: missing-ca.pem\n", "reporting.email.ssl_ca: no such file"),
    ],
)
def test_bad_settings_stop_the_run_before_anything_changes(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], recipients: str, extra: str, message: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    config = configure(todays_demo_dir, smtp_server, extra, recipients)
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        before = store.read_leads(range(1, 5000))
    assert main(["dailydist", "--config", str(config), "--email-notification"]) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        assert store.read_leads(range(1, 5000)) == before
