"""Connecting to Odoo over real XML-RPC: `odlm check`, retries, errors, secrets."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_lead_manager.cli import main
from odoo_lead_manager.config import load_config
from odoo_lead_manager.crm.odoo.connect import open_odoo_store, server_url, settings_from_config
from odoo_lead_manager.errors import ConfigError, CrmError

from .contract import SEED_LEADS, SEED_TEAMS, SEED_USERS
from .fake_odoo import FakeOdoo
from .xmlrpc_fake_server import ServerState, odoo_fault, serve

PASSWORD = "s3cret-pw"

CONFIG = """\
crm:
  backend: odoo
odoo_connection:
  host: ${{ODOO_URL}}
  database: {database}
  username: admin
  password: ${{ODOO_PASSWORD}}
  retry_backoff_seconds: 0
  max_retries: {retries}
"""


@pytest.fixture
def fake() -> FakeOdoo:
    fake = FakeOdoo()
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    return fake


@pytest.fixture
def server(fake: FakeOdoo) -> Iterator[tuple[str, ServerState]]:
    with serve(fake, password=PASSWORD) as running:
        yield running


def config(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    database: str = "crm",
    password: str = PASSWORD,
    retries: int = 2,
) -> str:
    monkeypatch.setenv("ODOO_URL", url)
    monkeypatch.setenv("ODOO_PASSWORD", password)
    path = tmp_path / "odoo.yaml"
    path.write_text(CONFIG.format(database=database, retries=retries))
    return str(path)


def check(
    args: list[str], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> tuple[int, str]:
    with caplog.at_level(logging.DEBUG):
        status = main(args)
    captured = capsys.readouterr()
    text = captured.out + captured.err + caplog.text
    assert PASSWORD not in text and "wrong-pw" not in text
    return status, text


def test_check_reports_server_and_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    status, out = check(
        ["check", "--config", config(tmp_path, monkeypatch, server[0])], capsys, caplog
    )
    assert status == 0
    assert "(version 17.0)" in out and "Protocol: xmlrpc" in out
    assert "user: admin (uid 2)" in out
    assert "ok       status                   crm.lead.status (char)" in out


def test_check_names_missing_fields_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOdoo,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    for custom in ("status", "source_date", "open_user_id", "closer_id"):
        del fake.lead_fields[custom]
    fake.lead_fields["stage_id"] = {"type": "many2one", "relation": "crm.stage"}
    with serve(fake, password=PASSWORD) as (url, _):
        status, out = check(
            ["check", "--config", config(tmp_path, monkeypatch, url)], capsys, caplog
        )
        assert status == 2
        assert "PROBLEM  status" in out and "e.g. stage_id on a stock Odoo" in out
        assert "PROBLEM  closer_id" in out and "closer_id: null" in out
        mapped = config(tmp_path, monkeypatch, url)
        stock = "    status: stage_id\n    source_date: create_date\n    open_user_id: null\n"
        Path(mapped).write_text(
            Path(mapped)
            .read_text()
            .replace(
                "  backend: odoo\n",
                f"  backend: odoo\n  field_mapping:\n{stock}    closer_id: null\n",
            )
        )
        status, out = check(["check", "--config", mapped], capsys, caplog)
        assert status == 0, out
        assert "crm.lead.stage_id (many2one)" in out


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"password": "wrong-pw"}, "rejected the login 'admin' on database 'crm'"),
        ({"database": "nope"}, "database 'nope' does not exist on the Odoo server at http://"),
    ],
)
def test_refusals_are_one_sentence_and_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    kwargs: dict[str, str], message: str,
) -> None:  # fmt: skip
    url, state = server
    status, out = check(
        ["check", "--config", config(tmp_path, monkeypatch, url, **kwargs)], capsys, caplog
    )
    assert status == 2
    assert message in out and "Traceback" not in out
    assert state.requests == 2  # version, then one authenticate: no retry


def test_access_error_on_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    url, state = server
    state.fault_on[("crm.lead", "fields_get")] = odoo_fault(
        "odoo.exceptions.AccessError", "You are not allowed to access 'Lead/Opportunity' records."
    )
    status, out = check(["check", "--config", config(tmp_path, monkeypatch, url)], capsys, caplog)
    assert status == 2
    assert (
        "cannot read the crm.lead model (Odoo refused crm.lead.fields_get: AccessError: You are not allowed"
        in out
    )


def test_transient_faults_are_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    url, state = server
    state.fail_next = 2
    status, out = check(["check", "--config", config(tmp_path, monkeypatch, url)], capsys, caplog)
    assert status == 0, out
    assert "HTTP 503" in out  # logged as a warning before each retry
    state.fail_next = 5
    status, out = check(
        ["check", "--config", config(tmp_path, monkeypatch, url, retries=1)], capsys, caplog
    )
    assert status == 2
    assert f"cannot reach Odoo at {url}: HTTP 503 Service Unavailable" in out


def test_unreachable_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    status, out = check(
        ["check", "--config", config(tmp_path, monkeypatch, url, retries=1)], capsys, caplog
    )
    assert status == 2
    assert f"error: cannot reach Odoo at {url}: connection refused" in out
    assert out.count("retry 1") == 1


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("crm: {backend: odoo}\n")
    env = {"ODOO_HOST": "crm.example.com", "ODOO_PORT": "8070", "ODOO_DB": "prod",
           "ODOO_USERNAME": "bot", "ODOO_PASSWORD": "pw"}  # fmt: skip
    settings = settings_from_config(load_config(path, environ=env))
    assert (settings.url, settings.database, settings.username) == (
        "http://crm.example.com:8070", "prod", "bot",
    )  # fmt: skip
    assert "pw" not in repr(settings)
    with pytest.raises(ConfigError, match=r"needs odoo_connection.host \(or ODOO_HOST\)"):
        settings_from_config(load_config(path, environ={}))


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("crm.example.com", 8069, "http://crm.example.com:8069"),
        ("https://crm.example.com", None, "https://crm.example.com"),
        ("https://crm.example.com:8443/", 8069, "https://crm.example.com:8443"),
    ],
)
def test_server_url(host: str, port: int | None, url: str) -> None:
    assert server_url(host, port) == url


def test_json2_on_odoo_19_with_an_api_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    fake = FakeOdoo(version=19)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    with serve(fake, password=PASSWORD, api_key="k3y-secret") as (url, _):
        path = config(tmp_path, monkeypatch, url)
        monkeypatch.setenv("ODOO_API_KEY", "k3y-secret")
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 0, out
        assert "Protocol: json2" in out and "(version 19.0)" in out
        assert "k3y-secret" not in out

        store = open_odoo_store(load_config(path))
        assert [u.name for u in store.find_users(["alice"])] == ["Alice Smith"]
        store.write_leads([2], {"status": "New"})
        assert store.read_leads([2])[0].status == "New"
        with pytest.raises(CrmError, match="MissingError"):
            store.write_leads([999], {"status": "New"})

        monkeypatch.setenv("ODOO_API_KEY", "wrong-key")
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 2
        assert "Unauthorized: Invalid apikey" in out and "wrong-key" not in out


def test_xmlrpc_on_odoo_19_without_api_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    fake = FakeOdoo(version=19)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    with serve(fake, password=PASSWORD) as (url, _):
        status, out = check(
            ["check", "--config", config(tmp_path, monkeypatch, url)], capsys, caplog
        )
        assert status == 0 and "Protocol: xmlrpc" in out


def test_timeouts_are_retried_then_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    url, state = server
    path = config(tmp_path, monkeypatch, url, retries=1)
    Path(path).write_text(Path(path).read_text() + "  timeout_seconds: 0.3\n")
    state.delay_seconds, state.delay_next = 1.0, 1
    status, out = check(["check", "--config", path], capsys, caplog)
    assert status == 0, out  # the first answer came too late; the retry got through
    assert "no answer before the timeout); retry 1" in out
    state.delay_next = 2
    status, out = check(["check", "--config", path], capsys, caplog)
    assert status == 2
    assert f"cannot reach Odoo at {url}: no answer before the timeout" in out
