"""Talking to an Odoo server: JSON-RPC and XML-RPC (every Odoo up to 19; both go in
20) and JSON-2 (Odoo 19+).

They offer the same `Transport.call`: a model, a method, the record ids it
works on (create's records for ``create``; None for a model method) and
named arguments. Transient faults
(connections reset or closed mid-request, timeouts, 502/503/504) of calls that
change nothing (`REPEATABLE`: reads, the login) are retried with exponential
backoff; authentication, access and validation errors never are, nor is a
500 (on JSON-2 it is a request error, mostly a field name the server does
not know). Nor is an address where no server answers: a refused connection
or a host name that does not resolve (`OdooNoServer`) is a server that is
down or an address mistyped, which waiting seconds does not mend; it is said
at once, in one line (the applier still retries its own batches after its
delay: a server restarting mid-run refuses connections for a while).

A call that changes data (``write``, ``create``, ``unlink``, anything not
known to be a read) is sent once: Odoo may commit it and its answer be lost
on the way back (a proxy's timeout, a server restarting after a long
request), and sending it again would do it twice. When it fails after the
request may have left, `OdooOutcomeUnknown` says so; the caller decides,
after reading the records again (the applier does, and is the only retry
layer of a run's writes). Only a failure to connect (refused, unknown host,
no TCP/TLS handshake before the timeout) proves nothing was sent; it is a
plain `OdooUnreachable`.

Every protocol goes over one pooled `HttpSession` (httpx) per run: a
connection, and its TLS handshake, is made once and reused, where urllib
made one per JSON-2 call. XML-RPC keeps `xmlrpc.client`'s marshalling but
not its transport, which silently sent a request a second time when a
kept-alive connection dropped. JSON-RPC (``/jsonrpc``) calls the same
``execute_kw`` as XML-RPC with the same arguments and answers; its JSON is a
fifth of XML-RPC's size for a page of leads and parsed in C, so reading
5,000 leads takes a third of the time (issue 27).

The secret (password or API key) is held by the transport only and never
appears in a message: every error is rebuilt from its parts.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import urllib.parse
import weakref
import xmlrpc.client
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

import httpx

from odoo_lead_manager.errors import CrmError, CrmOutcomeUnknown, CrmUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_HTTP = frozenset({502, 503, 504})

# Methods that change nothing in Odoo: sending one twice costs a second answer and
# nothing else, so a fault may be retried whatever the moment it struck. Any other
# method is sent once (see the module's docstring).
REPEATABLE = frozenset(
    {
        "authenticate",
        "check_access_rights",
        "context_get",
        "default_get",
        "fields_get",
        "formatted_read_group",
        "name_search",
        "read",
        "read_group",
        "search",
        "search_count",
        "search_read",
        "version",
        "web_read",
        "web_search_read",
    }
)

# How often httpx itself tries to connect again, at once, before a call fails: a
# failed connect sent nothing, so this is safe for any call, writes included.
CONNECT_RETRIES = 1
# Seconds to wait for a TCP (and TLS) connection, whatever the read timeout: a
# server that is down should not cost a whole read timeout per attempt.
CONNECT_TIMEOUT = 10.0
# Idle pooled connections are dropped after this long, well before servers and
# proxies close theirs (nginx: 75 s), so that a request rarely meets a connection
# the other side has just closed.
KEEPALIVE_SECONDS = 5.0
USER_AGENT = "odlm"


class OdooUnreachable(CrmUnavailable):
    """The server could not be reached or did not answer in time."""


class OdooNoServer(OdooUnreachable):
    """No server answers at the address: the connection was refused, or the host name does
    not resolve. Nothing was sent; trying again at once would meet the same, so the
    transport does not (the applier's own retries, after their delay, still may)."""


class OdooOutcomeUnknown(OdooUnreachable, CrmOutcomeUnknown):
    """A call that changes data was sent, or may have been, and no answer came back."""


class OdooRefused(CrmError):
    """The server answered with an error: authentication, access, validation, missing record."""


class Transport(Protocol):
    """One authenticated connection to one database."""

    protocol: str
    uid: int

    def authenticate(self) -> int:
        """Log in; return the user id (0 when the server refuses the credentials)."""

    def call(self, model: str, method: str, ids: list[Any] | None, **kwargs: Any) -> Any:
        """Run ``model.method`` on ``ids`` with named arguments; return its result.

        A `REPEATABLE` method is retried on transient faults; any other is sent
        once, and raises `OdooOutcomeUnknown` when its answer may have been lost.
        """

    def call_once(self, model: str, method: str, ids: list[Any] | None, **kwargs: Any) -> Any:
        """`call` in a single attempt, even for a read: for a caller with its own retries."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently transient faults of repeatable calls are retried."""

    attempts: int = 3
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def run(self, what: str, action: Callable[[], T], retry: bool = True) -> T:
        """``action``'s result, trying again after an `OdooUnreachable` when ``retry``; an
        `OdooNoServer` at once (see the module's docstring)."""
        attempts = self.attempts if retry else 0
        for attempt in range(1, attempts + 2):
            try:
                return action()
            except OdooNoServer:
                raise
            except OdooUnreachable as exc:
                if attempt > attempts:
                    raise
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                logger.warning("%s failed (%s); retry %d in %.1f s", what, exc, attempt, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")


class HttpSession:
    """One pooled HTTP client for a run, shared by every transport to the server.

    The httpx client is made on first use (so settings that are never used
    connect nowhere) and closed when the session is garbage-collected.
    ``transport`` replaces the network, e.g. by an ``httpx.MockTransport``.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        connect_retries: int = CONNECT_RETRIES,
    ) -> None:
        """``transport`` is wrapped in the connect retries too: a test counts, through
        it, every attempt to connect."""
        self._transport = transport
        self._connect_timeout = connect_timeout
        self._connect_retries = connect_retries
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                network = self._transport or httpx.HTTPTransport(
                    limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
                )
                transport = ConnectRetries(network, self._connect_retries)
                self._client = httpx.Client(transport=transport, headers={"User-Agent": USER_AGENT})
                weakref.finalize(self, self._client.close)
            return self._client

    def post(
        self, url: str, content: bytes, headers: dict[str, str], timeout: float
    ) -> httpx.Response:
        """One POST; a failure to connect that may pass is tried again (nothing was sent)."""
        return self.client.post(
            url, content=content, headers=headers, timeout=self._timeout(timeout)
        )

    def get(self, url: str, timeout: float) -> httpx.Response:
        return self.client.get(url, timeout=self._timeout(timeout))

    def _timeout(self, read: float) -> httpx.Timeout:
        return httpx.Timeout(read, connect=min(self._connect_timeout, read))

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


class ConnectRetries(httpx.BaseTransport):
    """Connects again, at once, up to ``retries`` times, when a connection could not be made
    for a reason that may pass (a connect timeout, a reset during the handshake): nothing
    was sent, so this is safe for any call, writes included. A refused connection or an
    unknown host is not tried again (httpx's own ``retries`` would: it cannot tell them
    apart)."""

    def __init__(self, inner: httpx.BaseTransport, retries: int = CONNECT_RETRIES) -> None:
        self._inner = inner
        self._retries = retries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retries = self._retries
        while True:
            try:
                return self._inner.handle_request(request)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if retries <= 0 or no_server(exc) is not None:
                    raise
                retries -= 1

    def close(self) -> None:
        self._inner.close()


# getaddrinfo's answers for a name that does not exist (EAI_NODATA: Linux's "no address
# for this name"); EAI_AGAIN, a resolver that did not answer, may pass and is not one.
_UNKNOWN_NAME = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


def no_server(exc: BaseException) -> str | None:
    """What ``exc`` says when no server answers at the address ("connection refused",
    "unknown host"); None for any other failure."""
    os_error = _os_error(exc)
    if isinstance(os_error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(os_error, socket.gaierror) and os_error.errno in _UNKNOWN_NAME:
        return "unknown host"
    return None


def public_url(url: str) -> str:
    """``url`` without a user name or password written into it, as messages show it."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def describe_fault(fault_text: str) -> str:
    """The one-line reason of an Odoo server error, without its traceback."""
    lines = [line.strip() for line in fault_text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else "unknown server error"
    for marker in ("odoo.exceptions.", "psycopg2.errors.", "werkzeug.exceptions."):
        if marker in last:
            last = last.split(marker, 1)[1]
    return last[:500]


class _HttpStatus(Exception):
    """An HTTP answer that is a transient server fault (502/503/504)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = reason


def _not_sent(exc: BaseException) -> bool:
    """Whether the failure proves the request never left: no connection was made."""
    return isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _failure(url: str, what: str, exc: BaseException, repeatable: bool) -> OdooUnreachable:
    """The fault as the error the retry policy and the applier act on."""
    unreachable = _unreachable(url, exc)
    if repeatable or _not_sent(exc):
        return unreachable
    return OdooOutcomeUnknown(
        f"{unreachable.message}, and {what} had been sent: Odoo may have carried it out"
    )


def _os_error(exc: BaseException) -> OSError | None:
    """The operating system's error beneath httpx's (refused, reset, unknown host)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current
        current = current.__cause__ or current.__context__
    return None


def _unreachable(url: str, exc: BaseException) -> OdooUnreachable:
    shown = public_url(url)
    nobody = no_server(exc)
    if nobody is not None:
        return OdooNoServer(f"cannot reach Odoo at {shown}: {nobody}")
    os_error = _os_error(exc)
    if isinstance(exc, _HttpStatus):
        detail = f"HTTP {exc.status} {exc.reason}"
    elif isinstance(exc, httpx.ConnectTimeout):
        detail = "no connection before the timeout"
    elif isinstance(exc, httpx.TimeoutException):
        detail = "no answer before the timeout"
    elif os_error is not None:
        detail = str(os_error.strerror).lower()
    elif isinstance(exc, httpx.RemoteProtocolError):
        detail = "the connection was closed without an answer"
    else:
        detail = type(exc).__name__
    return OdooUnreachable(f"cannot reach Odoo at {shown}: {detail}")


def _reason(response: httpx.Response) -> str:
    return response.reason_phrase or "error"


def _is_json(response: httpx.Response) -> bool:
    kind = str(response.headers.get("content-type", ""))
    return kind.split(";")[0].strip() == "application/json"


class _Calls(ABC):
    """`Transport.call` and `Transport.call_once` over a transport's one ``_execute``,
    and the server's version, asked over plain HTTP (XML-RPC's ``common.version``
    is deprecated in Odoo 19 and goes with XML-RPC in 20)."""

    url: str
    _http: HttpSession
    _timeout: float
    _retry: RetryPolicy

    @abstractmethod
    def _execute(
        self, model: str, method: str, ids: list[Any] | None, kwargs: dict[str, Any], retry: bool
    ) -> Any:
        """Send ``model.method`` once, or with the retry policy when ``retry``."""

    def call(self, model: str, method: str, ids: list[Any] | None, **kwargs: Any) -> Any:
        return self._execute(model, method, ids, kwargs, retry=True)

    def call_once(self, model: str, method: str, ids: list[Any] | None, **kwargs: Any) -> Any:
        return self._execute(model, method, ids, kwargs, retry=False)

    def version(self) -> dict[str, Any]:
        """``server_version`` and ``server_version_info`` (empty when the server will not say).

        ``POST /web/webclient/version_info`` answers on every Odoo from 8 to 19
        without a login; ``GET /web/version`` (19+) is asked when it does not.
        """

        def attempt() -> dict[str, Any]:
            try:
                response = self._http.post(
                    self.url + "/web/webclient/version_info",
                    json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}}).encode(),
                    {"Content-Type": "application/json"},
                    self._timeout,
                )
                if response.status_code in TRANSIENT_HTTP:
                    raise _HttpStatus(response.status_code, _reason(response))
                answer = _json_or_none(response) if response.status_code == 200 else None
                result = answer.get("result") if isinstance(answer, dict) else None
                if isinstance(result, dict):
                    return result
                response = self._http.get(self.url + "/web/version", self._timeout)
                if response.status_code in TRANSIENT_HTTP:
                    raise _HttpStatus(response.status_code, _reason(response))
                answer = _json_or_none(response) if response.status_code == 200 else None
                if isinstance(answer, dict) and "version_info" in answer:
                    return {
                        "server_version": answer.get("version", "unknown"),
                        "server_version_info": answer["version_info"],
                    }
                return {}
            except (httpx.TransportError, _HttpStatus) as exc:
                raise _failure(self.url, "version", exc, repeatable=True) from None

        return self._retry.run("version", attempt)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class XmlRpcTransport(_Calls):
    """``/xmlrpc/2/common`` and ``/xmlrpc/2/object`` with a password or API key."""

    protocol = "xmlrpc"

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        secret: str,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        http: HttpSession | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self._secret = secret
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._http = http or HttpSession()
        self.uid = 0

    def _send(
        self,
        service: str,
        method: str,
        params: tuple[Any, ...],
        what: str,
        repeatable: bool = True,
        retry: bool = True,
    ) -> Any:
        body, path, kind = self._request(service, method, params)

        def attempt() -> Any:
            try:
                response = self._http.post(
                    f"{self.url}{path}", body, {"Content-Type": kind}, self._timeout
                )
            except httpx.TransportError as exc:
                raise _failure(self.url, what, exc, repeatable) from None
            if response.status_code in TRANSIENT_HTTP:
                raise _failure(
                    self.url, what, _HttpStatus(response.status_code, _reason(response)), repeatable
                )
            return self._answer(response, what)

        return self._retry.run(what, attempt, retry and repeatable)

    def _request(
        self, service: str, method: str, params: tuple[Any, ...]
    ) -> tuple[bytes, str, str]:
        """The body of a call, the path it is posted to and its content type."""
        # allow_none: Odoo's own marshaller sends None as <nil/>, and odlm may send it too.
        body = xmlrpc.client.dumps(params, method, allow_none=True).encode()
        return body, f"/xmlrpc/2/{service}", "text/xml"

    def _answer(self, response: httpx.Response, what: str) -> Any:
        """The result of a call Odoo answered (not with a transient fault)."""
        if response.status_code != 200:
            raise OdooRefused(
                f"Odoo at {self.url} answered HTTP {response.status_code} "
                f"{_reason(response)} to {what}"
            )
        try:
            result, _ = xmlrpc.client.loads(response.content)
        except xmlrpc.client.Fault as fault:
            raise OdooRefused(f"Odoo refused {what}: {describe_fault(fault.faultString)}") from None
        except xmlrpc.client.ResponseError:
            raise OdooRefused(
                f"Odoo at {self.url} answered {what} with something that is not XML-RPC"
            ) from None
        return result[0] if result else None

    def authenticate(self) -> int:
        uid: Any = self._send(
            "common",
            "authenticate",
            (self.database, self.username, self._secret, {}),
            "authentication",
        )
        if not uid:
            raise OdooRefused(
                f"Odoo at {self.url} rejected the login {self.username!r} on database "
                f"{self.database!r} (wrong user name or password/API key)"
            )
        self.uid = int(uid)
        return self.uid

    def _execute(
        self, model: str, method: str, ids: list[Any] | None, kwargs: dict[str, Any], retry: bool
    ) -> Any:
        args: list[Any] = [] if ids is None else [ids]
        params = (self.database, self.uid, self._secret, model, method, args, kwargs)
        return self._send(
            "object",
            "execute_kw",
            params,
            f"{model}.{method}",
            repeatable=method in REPEATABLE,
            retry=retry,
        )


class JsonRpcTransport(XmlRpcTransport):
    """``/jsonrpc``: XML-RPC's services and methods (``common.authenticate``,
    ``object.execute_kw``) in a JSON-RPC 2.0 envelope, with a password or API key."""

    protocol = "jsonrpc"

    def _request(
        self, service: str, method: str, params: tuple[Any, ...]
    ) -> tuple[bytes, str, str]:
        envelope = {"service": service, "method": method, "args": params}
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": envelope, "id": 1},
            default=_json_value,
        ).encode()
        return body, "/jsonrpc", "application/json"

    def _answer(self, response: httpx.Response, what: str) -> Any:
        answer = _json_or_none(response) if response.status_code == 200 else None
        if not isinstance(answer, dict) or not ("result" in answer or "error" in answer):
            status = response.status_code
            raise OdooRefused(
                f"Odoo at {self.url} answered {what} with "
                + (f"HTTP {status} {_reason(response)}" if status != 200 else "something")
                + " that is not JSON-RPC"
            )
        if "error" in answer:
            raise OdooRefused(f"Odoo refused {what}: {_json_rpc_error(answer['error'])}")
        return answer["result"]


def _json_value(value: object) -> str:
    """A date or datetime, which JSON has no type for, as the text Odoo's fields read."""
    if isinstance(value, date | datetime):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    raise TypeError(f"cannot send a {type(value).__name__} to Odoo")


def _json_rpc_error(error: Any) -> str:
    """The one-line reason of a JSON-RPC error, as `describe_fault` gives XML-RPC's."""
    data = error.get("data") if isinstance(error, dict) else None
    if not isinstance(data, dict):
        return describe_fault(str(error.get("message") if isinstance(error, dict) else error))
    name, message = str(data.get("name") or ""), str(data.get("message") or "")
    return describe_fault(f"{name}: {message}" if name else message)


# The first Odoo version that serves JSON-2.
JSON2_SINCE = 19
# What a 401 means on Odoo 19, which answers a key that is wrong, revoked or past its
# expiration date alike ("Invalid apikey").
EXPIRED_KEY_HINT = (
    "the API key is wrong, revoked or expired (Odoo 19 API keys of users other than "
    "administrators expire, after at most 90 days for Sales users); make a new one in "
    "Odoo under Preferences > Account Security"
)


class Json2Transport(_Calls):
    """Odoo 19's ``POST /json/2/<model>/<method>`` with a bearer API key."""

    protocol = "json2"

    def __init__(
        self,
        url: str,
        database: str,
        username: str,
        api_key: str,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        http: HttpSession | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self._api_key = api_key
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._http = http or HttpSession()
        self.uid = 0
        self.login = ""

    def _post(
        self, path: str, body: dict[str, Any], what: str, repeatable: bool, retry: bool
    ) -> Any:
        data = json.dumps(body).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"bearer {self._api_key}",
            "X-Odoo-Database": self.database,
        }

        def attempt() -> Any:
            try:
                response = self._http.post(self.url + path, data, headers, self._timeout)
            except httpx.TransportError as exc:
                raise _failure(self.url, what, exc, repeatable) from None
            status = response.status_code
            if status in TRANSIENT_HTTP:
                raise _failure(self.url, what, _HttpStatus(status, _reason(response)), repeatable)
            if status == 200:
                try:
                    return response.json() if response.content else None
                except ValueError:
                    raise OdooRefused(
                        f"Odoo at {self.url} answered {what} with something that is not JSON"
                    ) from None
            raise OdooRefused(self._refusal(response, what))

        return self._retry.run(what, attempt, retry and repeatable)

    def _refusal(self, response: httpx.Response, what: str) -> str:
        """The sentence for an error answer; any status but 502/503/504 is final (a 500
        with a JSON body is Odoo's answer to a bad request, mostly an unknown field)."""
        status = response.status_code
        if status == 404 and not _is_json(response):
            # Odoo 19 answers an unknown X-Odoo-Database with its HTML "No database is
            # selected" page (every other JSON-2 error is JSON), and a server before 19
            # every /json/2 path with its HTML 404 page: the version tells them apart.
            return self._not_found(what)
        payload = _json_or_none(response) if _is_json(response) else None
        message = payload.get("message") if isinstance(payload, dict) else None
        name = str(payload.get("name", "")) if isinstance(payload, dict) else ""
        if status == 401:
            said = f" ({message})" if message else ""
            return f"Odoo at {self.url} refused the API key{said}: {EXPIRED_KEY_HINT}"
        if message:
            return f"Odoo refused {what}: " + f"{name.rsplit('.', 1)[-1]}: {message}".strip(": ")
        return f"Odoo at {self.url} answered HTTP {status} {_reason(response)} to {what}"

    def _not_found(self, what: str) -> str:
        try:
            info = self.version()
        except OdooUnreachable:
            info = {}
        numbers = info.get("server_version_info") or []
        major = numbers[0] if numbers and isinstance(numbers[0], int) else None
        if major is not None and major < JSON2_SINCE:
            return (
                f"Odoo at {self.url} answered HTTP 404 to {what}: Odoo "
                f"{info.get('server_version', major)} has no JSON-2 API (Odoo {JSON2_SINCE} "
                "and later); use odoo_connection.protocol jsonrpc, xmlrpc or auto"
            )
        return f"database {self.database!r} does not exist on the Odoo server at {self.url}"

    def authenticate(self) -> int:
        """The key's user, which must be the configured one: JSON-2 has no login, and a
        valid key of another user would otherwise run as that user."""
        context = self.call("res.users", "context_get", None)
        uid = context.get("uid") if isinstance(context, dict) else None
        if not uid:
            raise OdooRefused(f"Odoo at {self.url} did not say which user the API key belongs to")
        found = self.call("res.users", "read", [uid], fields=["login"])
        login = str(found[0].get("login") or "") if found else ""
        if login != self.username:
            raise OdooRefused(
                f"the API key belongs to the Odoo user {login or '?'!r} (uid {uid}), not to the "
                f"configured user {self.username!r}: use that user's key, or set "
                "odoo_connection.username to the key's user"
            )
        self.uid, self.login = int(uid), login
        return self.uid

    def _execute(
        self, model: str, method: str, ids: list[Any] | None, kwargs: dict[str, Any], retry: bool
    ) -> Any:
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        what = f"{model}.{method}"
        return self._post(f"/json/2/{model}/{method}", body, what, method in REPEATABLE, retry)
