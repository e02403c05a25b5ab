"""Which failures the Odoo transport tries again: a refused connection and an unknown host
never (no server answers there; said at once), a timeout, a connection reset mid-request,
a 502/503/504 and a resolver that did not answer yes. Counted through an httpx mock
transport (every attempt to connect) and a recording sleeper (every backoff): no clock."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest

from odoo_lead_manager.crm.odoo.connect import OdooSettings, connect
from odoo_lead_manager.crm.odoo.transport import (
    CONNECT_RETRIES,
    HttpSession,
    JsonRpcTransport,
    OdooNoServer,
    OdooOutcomeUnknown,
    OdooUnreachable,
    RetryPolicy,
    public_url,
)
from odoo_lead_manager.errors import CrmUnavailable

URL = "http://odoo.test"
ATTEMPTS = 3  # the retry policy's retries after the first try


def refused(request: httpx.Request) -> httpx.Response:
    # As httpx raises it: the operating system's error is the cause.
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request) from (
        ConnectionRefusedError(111, "Connection refused")
    )


def unknown_host(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from (
        socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    )


def resolver_silent(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -3] Temporary failure", request=request) from (
        socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    )


def connect_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout("timed out", request=request)


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def reset(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request) from (
        ConnectionResetError(104, "Connection reset by peer")
    )


def busy(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, text="busy")


class Network:
    """An httpx transport that fails as ``fault`` does and counts every request it sees."""

    def __init__(self, fault: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests = 0
        self.fault = fault

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return self.fault(request)


def transport(fault: Callable[[httpx.Request], httpx.Response], url: str = URL) -> tuple[
    JsonRpcTransport, Network, list[float]
]:  # fmt: skip
    network, slept = Network(fault), []
    policy = RetryPolicy(attempts=ATTEMPTS, backoff_seconds=1.0, sleep=slept.append)
    http = HttpSession(transport=httpx.MockTransport(network))
    made = JsonRpcTransport(url, "crm", "admin", "s3cret-pw", timeout=5, retry=policy, http=http)
    made.uid = 2
    return made, network, slept


@pytest.mark.parametrize(
    ("fault", "said"),
    [(refused, "connection refused"), (unknown_host, "unknown host")],
    ids=["refused", "unknown-host"],
)
def test_no_server_is_tried_once_and_said_at_once(
    fault: Callable[[httpx.Request], httpx.Response], said: str
) -> None:
    made, network, slept = transport(fault)
    with pytest.raises(OdooNoServer) as version:
        made.version()
    assert version.value.message == f"cannot reach Odoo at {URL}: {said}"
    assert (network.requests, slept) == (1, [])
    # A read and a login are not tried again either, by the policy or on connecting.
    with pytest.raises(OdooNoServer):
        made.call("crm.lead", "search_read", None, domain=[], fields=["id"])
    with pytest.raises(OdooNoServer):
        made.authenticate()
    assert (network.requests, slept) == (3, [])
    # Nothing was sent: a write that met no server is not of unknown outcome.
    with pytest.raises(OdooNoServer) as write:
        made.call("crm.lead", "write", [2], vals={"status": "New"})
    assert not isinstance(write.value, OdooOutcomeUnknown)
    assert isinstance(write.value, CrmUnavailable)  # the applier's own retries still apply


def test_connecting_to_no_server_is_one_attempt_and_one_sentence() -> None:
    network, slept = Network(refused), []
    settings = OdooSettings(
        url="https://bot:s3cret-pw@odoo.test:8069",
        database="crm",
        username="bot",
        secret="s3cret-pw",
        retry=RetryPolicy(attempts=ATTEMPTS, sleep=slept.append),
        http=HttpSession(transport=httpx.MockTransport(network)),
    )
    with pytest.raises(CrmUnavailable) as failed:
        connect(settings)
    # The address without the credentials written into it.
    assert failed.value.message == "cannot reach Odoo at https://odoo.test:8069: connection refused"
    assert (network.requests, slept) == (1, [])


@pytest.mark.parametrize(
    ("fault", "said", "connects"),
    [
        (connect_timeout, "no connection before the timeout", 1 + CONNECT_RETRIES),
        (resolver_silent, "temporary failure in name resolution", 1 + CONNECT_RETRIES),
        (read_timeout, "no answer before the timeout", 1),
        (reset, "connection reset by peer", 1),
        (busy, "HTTP 503 Service Unavailable", 1),
    ],
    ids=["connect-timeout", "resolver-silent", "read-timeout", "reset", "503"],
)
def test_faults_that_may_pass_are_still_retried(
    fault: Callable[[httpx.Request], httpx.Response], said: str, connects: int
) -> None:
    made, network, slept = transport(fault)
    with pytest.raises(OdooUnreachable, match=said) as failed:
        made.call("crm.lead", "search_read", None, domain=[], fields=["id"])
    assert not isinstance(failed.value, OdooNoServer)
    # Each try of the policy connects once more (then at once) when connecting failed.
    assert network.requests == (ATTEMPTS + 1) * connects
    assert slept == [1.0, 2.0, 4.0]


def test_a_timeout_then_an_answer_is_a_success() -> None:
    answers = iter([read_timeout, lambda _: httpx.Response(200, json={"result": 7})])
    made, network, slept = transport(lambda request: next(answers)(request))
    assert made.call("crm.lead", "search_count", None, domain=[]) == 7
    assert (network.requests, slept) == (2, [1.0])


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://bot:pw@odoo.example.com:8443/odoo", "https://odoo.example.com:8443/odoo"),
        ("http://odoo.example.com", "http://odoo.example.com"),
    ],
)
def test_an_address_is_shown_without_credentials(url: str, shown: str) -> None:
    assert public_url(url) == shown
