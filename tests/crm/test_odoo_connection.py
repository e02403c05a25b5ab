"""Connecting to Odoo over real XML-RPC and JSON-2: `odlm check`, retries, errors, secrets,
and writes that are never sent twice."""

from __future__ import annotations

import http.server
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import crm_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.odoo.connect import (
    Connection,
    default_transport,
    open_odoo_store,
    server_dialect,
    server_url,
    settings_from_config,
)
from odoo_lead_manager.crm.odoo.dialect import ODOO_17, ODOO_19
from odoo_lead_manager.crm.odoo.transport import (
    HttpSession,
    Json2Transport,
    JsonRpcTransport,
    OdooNoServer,
    OdooOutcomeUnknown,
    OdooRefused,
    OdooUnreachable,
    RetryPolicy,
    Transport,
    XmlRpcTransport,
)
from odoo_lead_manager.errors import ConfigError, CrmError
from tests.crm.contract import SEED_LEADS, SEED_TEAMS, SEED_USERS
from tests.crm.fake_odoo import FakeOdoo
from tests.crm.xmlrpc_fake_server import ServerState, odoo_fault, serve

PASSWORD = "s3cret-pw"

# `odlm check` checks the configuration offline first: a run needs a salesperson source.
SOURCE = """\
salesperson_selection:
  source_type: list
  source_config: {salespeople_list: [Alice Smith]}
"""

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
  protocol: {protocol}
"""


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> FakeOdoo:
    # A test over JSON-2 talks to a fake Odoo 19: 17 has no JSON-2.
    callspec = getattr(request.node, "callspec", None)
    protocol = callspec.params.get("protocol") if callspec is not None else None
    fake = FakeOdoo(version=19 if protocol == "json2" else 17)
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
    protocol: str = "auto",
) -> str:
    monkeypatch.setenv("ODOO_URL", url)
    monkeypatch.setenv("ODOO_PASSWORD", password)
    path = tmp_path / "odoo.yaml"
    path.write_text(SOURCE + CONFIG.format(database=database, retries=retries, protocol=protocol))
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
    assert "(version 17.0)" in out and "Protocol: jsonrpc" in out
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


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
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
    kwargs: dict[str, str], message: str, protocol: str,
) -> None:  # fmt: skip
    url, state = server
    path = config(tmp_path, monkeypatch, url, protocol=protocol, **kwargs)
    status, out = check(["check", "--config", path], capsys, caplog)
    assert status == 2
    assert message in out and "Traceback" not in out
    assert state.requests == 2  # version, then one authenticate: no retry


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_access_error_on_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, protocol: str,
) -> None:  # fmt: skip
    url, state = server
    state.fault_on[("crm.lead", "fields_get")] = odoo_fault(
        "odoo.exceptions.AccessError", "You are not allowed to access 'Lead/Opportunity' records."
    )
    path = config(tmp_path, monkeypatch, url, protocol=protocol)
    status, out = check(["check", "--config", path], capsys, caplog)
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
    # Nothing listens there: said at once, with no retry (max_retries notwithstanding).
    assert "retry" not in out


def test_a_jsonrpc_answer_that_is_not_json_rpc_is_named() -> None:
    # A proxy's error page, or a server without /jsonrpc, instead of Odoo's answer.
    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = b"<html><title>404 Not Found</title></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        transport = JsonRpcTransport(url, "crm", "admin", PASSWORD, timeout=5)
        with pytest.raises(OdooRefused) as refused:
            transport.authenticate()
        assert refused.value.message == (
            f"Odoo at {url} answered authentication with HTTP 404 Not Found that is not JSON-RPC"
        )
        assert PASSWORD not in refused.value.message
    finally:
        server.shutdown()
        server.server_close()


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("crm: {backend: odoo}\n")
    env = {"ODOO_HOST": "crm.example.com", "ODOO_PORT": "8070", "ODOO_DB": "prod",
           "ODOO_USERNAME": "bot", "ODOO_PASSWORD": "pw"}  # fmt: skip
    settings = settings_from_config(crm_settings(load_config(path, environ=env)))
    assert (settings.url, settings.database, settings.username) == (
        "http://crm.example.com:8070", "prod", "bot",
    )  # fmt: skip
    assert "pw" not in repr(settings)
    with pytest.raises(ConfigError, match=r"needs odoo_connection.host \(or ODOO_HOST\)"):
        settings_from_config(crm_settings(load_config(path, environ={})))


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

        store = open_odoo_store(crm_settings(load_config(path)))
        assert [u.name for u in store.find_users(["alice"])] == ["Alice Smith"]
        store.write_leads([2], {"status": "New"})
        assert store.read_leads([2])[0].status == "New"
        with pytest.raises(CrmError, match="MissingError"):
            store.write_leads([999], {"status": "New"})

        monkeypatch.setenv("ODOO_API_KEY", "wrong-key")
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 2
        assert (
            "refused the API key (Invalid apikey): the API key is wrong, revoked or expired" in out
        )
        assert "wrong-key" not in out


def test_jsonrpc_on_odoo_19_without_api_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    fake = FakeOdoo(version=19)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    with serve(fake, password=PASSWORD) as (url, _):
        status, out = check(
            ["check", "--config", config(tmp_path, monkeypatch, url)], capsys, caplog
        )
        assert status == 0 and "Protocol: jsonrpc" in out


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


# A call that changes data is sent once (issue 22): the transport never repeats it.

WRITE = {"vals": {"status": "New"}}


def transport_to(url: str, protocol: str, backoff: list[float]) -> Transport:
    """A logged-in transport of ``protocol`` whose retry waits are recorded in ``backoff``."""
    policy = RetryPolicy(attempts=3, backoff_seconds=1.0, sleep=backoff.append)
    transport: Transport
    if protocol == "json2":
        transport = Json2Transport(url, "crm", "admin", "k3y-secret", timeout=5, retry=policy)
    else:
        kind = JsonRpcTransport if protocol == "jsonrpc" else XmlRpcTransport
        transport = kind(url, "crm", "admin", PASSWORD, timeout=5, retry=policy)
    transport.uid = 2
    return transport


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc", "json2"])
def test_a_write_whose_answer_is_lost_is_not_sent_again(
    fake: FakeOdoo, server: tuple[str, ServerState], protocol: str
) -> None:
    url, state = server
    fake.version_major = 19  # JSON-2 is Odoo 19's
    backoff: list[float] = []
    transport = transport_to(url, protocol, backoff)
    state.drop_answer[("crm.lead", "write")] = {1}
    with pytest.raises(OdooOutcomeUnknown) as lost:
        transport.call("crm.lead", "write", [2, 3], **WRITE)
    assert "the connection was closed without an answer" in lost.value.message
    assert "crm.lead.write had been sent: Odoo may have carried it out" in lost.value.message
    # Odoo did the write, once; the transport neither waited nor sent it again.
    assert fake.calls[("crm.lead", "write")] == 1
    assert fake.writes == {("crm.lead", 2): 1, ("crm.lead", 3): 1}
    assert fake.models["crm.lead"][2]["status"] == "New" and backoff == []


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc", "json2"])
def test_a_read_whose_answer_is_lost_is_asked_again(
    fake: FakeOdoo, server: tuple[str, ServerState], protocol: str
) -> None:
    url, state = server
    fake.version_major = 19
    backoff: list[float] = []
    state.drop_answer[("crm.lead", "search_read")] = {1}
    found = transport_to(url, protocol, backoff).call(
        "crm.lead", "search_read", None, domain=[("id", "=", 2)], fields=["status"]
    )
    assert [r["status"] for r in found] == ["Utr"]
    assert fake.calls[("crm.lead", "search_read")] == 2 and backoff == [1.0]


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc", "json2"])
def test_a_gateway_error_on_a_write_is_an_unknown_outcome_not_a_retry(
    fake: FakeOdoo, server: tuple[str, ServerState], protocol: str
) -> None:
    url, state = server
    backoff: list[float] = []
    state.fail_next = 1  # a proxy's 503: Odoo may or may not have had the request
    with pytest.raises(OdooOutcomeUnknown, match="HTTP 503"):
        transport_to(url, protocol, backoff).call("crm.lead", "write", [2], **WRITE)
    assert state.requests == 1 and backoff == []


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc", "json2"])
def test_a_refused_connection_proves_nothing_was_sent(protocol: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backoff: list[float] = []
    transport = transport_to(f"http://127.0.0.1:{port}", protocol, backoff)
    with pytest.raises(OdooUnreachable, match="connection refused") as refused:
        transport.call("crm.lead", "write", [2], **WRITE)
    # Safe to send again, but that is the applier's decision: one retry layer for writes.
    assert not isinstance(refused.value, OdooOutcomeUnknown) and backoff == []
    # Nothing listens there: a read is not tried again either (a timeout or a 503 would be).
    with pytest.raises(OdooNoServer, match="connection refused"):
        transport.call("crm.lead", "search_read", None, domain=[], fields=["id"])
    assert backoff == []


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc", "json2"])
def test_call_once_leaves_retries_to_the_caller(
    server: tuple[str, ServerState], protocol: str
) -> None:
    url, state = server
    backoff: list[float] = []
    state.fail_next = 1
    with pytest.raises(OdooUnreachable, match="HTTP 503") as failed:
        transport_to(url, protocol, backoff).call_once(
            "crm.lead", "search_read", None, domain=[], fields=["id"]
        )
    assert not isinstance(failed.value, OdooOutcomeUnknown)  # a read changes nothing
    assert state.requests == 1 and backoff == []


# Each version's names, chosen once at connect, and `odlm check` trying every read of a
# run with them (issue 23: a check that passed, then every run refused on Odoo 19).


@pytest.mark.parametrize(
    ("version", "groups", "grouping"),
    [(17, "groups_id", "read_group"), (19, "all_group_ids", "formatted_read_group")],
)
def test_check_tries_every_read_of_a_run_in_the_servers_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
    version: int, groups: str, grouping: str,
) -> None:  # fmt: skip
    fake = FakeOdoo(version=version)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    with serve(fake, password=PASSWORD) as (url, _):
        path = config(tmp_path, monkeypatch, url)
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 0, out
        assert (
            f"ok       res.users.search_read (id, name, login, active, sale_team_id, share, {groups})"
            in out
        )
        assert f"ok       crm.lead.{grouping} (user_id)" in out
        assert "ok       crm.team.search_read (id, name, active, member_ids)" in out
        assert fake.deprecated == {}

        store = open_odoo_store(crm_settings(load_config(path)))
        assert store.dialect.user_groups == groups and store.dialect.grouping == grouping
        assert store.users_by_id([1])[0].may_own_leads
        store.count_leads([], ["user_id"])
        assert fake.calls[("crm.lead", grouping)] == 2  # the check's, then the run's
        assert fake.deprecated == {}


def test_check_fails_when_a_read_of_a_run_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, ServerState],
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    url, state = server
    state.fault_on[("res.users", "search_read")] = odoo_fault(
        "builtins.ValueError", "Invalid field 'groups_id' on 'res.users'"
    )
    status, out = check(["check", "--config", config(tmp_path, monkeypatch, url)], capsys, caplog)
    assert status == 2
    assert "PROBLEM  res.users.search_read (id, name" in out
    assert "ValueError: Invalid field 'groups_id' on 'res.users'" in out
    assert "error: 1 read of a run failing" in out
    assert "ok       crm.team.search_read" in out  # every read is tried and reported


def test_the_dialect_follows_the_major_version() -> None:
    fake = FakeOdoo(version=17)
    assert server_dialect(Connection(fake, "18.0", 18)) == ODOO_17
    assert server_dialect(Connection(fake, "19.0+e", 19)) == ODOO_19
    assert server_dialect(Connection(fake, "20.0", 20)) == ODOO_19
    # A server that would not tell: JSON-2 exists from 19 on only.
    json2 = Json2Transport("http://127.0.0.1:9", "crm", "admin", "k3y-secret")
    assert server_dialect(Connection(json2, "unknown", None)) == ODOO_19
    assert server_dialect(Connection(fake, "unknown", None)) == ODOO_17
    assert fake.calls == {}  # chosen without a call


# Odoo 19 for real (issue 23): the version over plain HTTP, JSON-2's own answers.

JSON2_CONFIG = """\
crm:
  backend: odoo
odoo_connection:
  host: ${ODOO_URL}
  database: {database}
  username: {username}
  api_key: ${ODOO_API_KEY}
  protocol: json2
  retry_backoff_seconds: 0
  max_retries: 2
"""


def json2_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, database: str = "crm",
    username: str = "admin", key: str = "k3y-secret",
) -> str:  # fmt: skip
    monkeypatch.setenv("ODOO_URL", url)
    monkeypatch.setenv("ODOO_API_KEY", key)
    path = tmp_path / "json2.yaml"
    text = JSON2_CONFIG.replace("{database}", database).replace("{username}", username)
    path.write_text(SOURCE + text)
    return str(path)


@pytest.fixture
def fake19() -> FakeOdoo:
    fake = FakeOdoo(version=19)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    return fake


def test_the_version_is_asked_over_http_not_xmlrpc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake19: FakeOdoo,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with serve(fake19, api_key="k3y-secret") as (url, _):
        status, out = check(["check", "--config", json2_config(tmp_path, monkeypatch, url)],
                            capsys, caplog)  # fmt: skip
        assert status == 0, out
        # protocol: json2 used to skip the version: "(version unknown)".
        assert "(version 19.0)" in out and "Protocol: json2" in out
        assert "user: admin (uid 2)" in out and "k3y-secret" not in out
        # One version call, and it was /web/webclient/version_info: the XML-RPC
        # endpoint (deprecated in 19, gone in 20) was never asked.
        assert fake19.calls[("common", "version")] == 1
        assert not any(model == "common" and m == "authenticate" for model, m in fake19.calls)


def test_a_version_from_get_web_version_when_version_info_is_not_there() -> None:
    asked: list[str] = []

    def odoo(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        if request.url.path == "/web/version":
            return httpx.Response(200, json={"version_info": [19, 0, 0, "final", 0, ""],
                                             "version": "19.0+e-20251227"})  # fmt: skip
        return httpx.Response(404, text="<title>404 Not Found</title>",
                              headers={"Content-Type": "text/html"})  # fmt: skip

    http = HttpSession(transport=httpx.MockTransport(odoo))
    info = XmlRpcTransport("http://odoo.test", "crm", "admin", PASSWORD, http=http).version()
    assert info == {"server_version": "19.0+e-20251227",
                    "server_version_info": [19, 0, 0, "final", 0, ""]}  # fmt: skip
    assert asked == ["POST /web/webclient/version_info", "GET /web/version"]


def test_json2_says_the_database_does_not_exist_as_xmlrpc_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake19: FakeOdoo,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with serve(fake19, api_key="k3y-secret") as (url, state):
        path = json2_config(tmp_path, monkeypatch, url, database="nope")
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 2 and "HTTP 404" not in out
        assert f"error: database 'nope' does not exist on the Odoo server at {url}" in out
        # The version, one refused login (no retry), and the version once more, which
        # tells an unknown database (19) from a server without JSON-2 (before 19).
        assert state.requests == 3


def test_a_key_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake19: FakeOdoo,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    others = {"s4les-key": (7, "json2.probe.sales")}
    with serve(fake19, api_key="k3y-secret", other_keys=others) as (url, _):
        path = json2_config(tmp_path, monkeypatch, url, key="s4les-key")
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 2 and "s4les-key" not in out
        assert (
            "the API key belongs to the Odoo user 'json2.probe.sales' (uid 7), not to the "
            "configured user 'admin'" in out
        )
        path = json2_config(tmp_path, monkeypatch, url, username="json2.probe.sales",
                            key="s4les-key")  # fmt: skip
        status, out = check(["check", "--config", path], capsys, caplog)
        assert status == 0, out
        assert "user: json2.probe.sales (uid 7)" in out


def test_json2_on_odoo_17_is_refused_with_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOdoo,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with serve(fake, api_key="k3y-secret") as (url, state):
        status, out = check(["check", "--config", json2_config(tmp_path, monkeypatch, url)],
                            capsys, caplog)  # fmt: skip
        assert status == 2
        assert f"Odoo at {url} is version 17.0, which has no JSON-2 API" in out
        assert state.requests == 1


def test_a_json2_server_error_is_a_refusal_never_retried(
    fake19: FakeOdoo,
) -> None:
    answers = iter([
        httpx.Response(500, json={"name": "builtins.ValueError",
                                  "message": "Invalid field 'nope' on 'crm.lead'"}),
        httpx.Response(503, text="busy"),
        httpx.Response(200, json=3),
    ])  # fmt: skip
    sent: list[httpx.Request] = []

    def odoo(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return next(answers)

    backoff: list[float] = []
    transport = Json2Transport(
        "http://odoo.test", "crm", "admin", "k3y-secret",
        retry=RetryPolicy(sleep=backoff.append),
        http=HttpSession(transport=httpx.MockTransport(odoo)),
    )  # fmt: skip
    with pytest.raises(OdooRefused, match=r"ValueError: Invalid field 'nope' on 'crm\.lead'"):
        transport.call("crm.lead", "search_count", None, domain=[("nope", "=", 1)])
    assert len(sent) == 1 and backoff == []
    # A 503 is transient: the read is asked again.
    assert transport.call("crm.lead", "search_count", None, domain=[]) == 3
    assert len(sent) == 3 and backoff == [1.0]
    assert sent[-1].headers["Authorization"] == "bearer k3y-secret"
    assert sent[-1].headers["X-Odoo-Database"] == "crm"


def test_one_pooled_client_serves_a_run(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("crm: {backend: odoo}\n")
    env = {"ODOO_HOST": "crm.example.com", "ODOO_DB": "prod", "ODOO_USERNAME": "bot",
           "ODOO_PASSWORD": "pw", "ODOO_API_KEY": "key"}  # fmt: skip
    settings = settings_from_config(crm_settings(load_config(path, environ=env)))
    # The version probe (XML-RPC) and the JSON-2 transport a run goes on with share
    # the connections of one httpx client, made on first use.
    probe, json2 = default_transport(settings, "xmlrpc"), default_transport(settings, "json2")
    assert isinstance(probe, XmlRpcTransport) and isinstance(json2, Json2Transport)
    assert probe._http is json2._http is settings.http
    assert "pw" not in repr(settings) and "key" not in repr(settings)
