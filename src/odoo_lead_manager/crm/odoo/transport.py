"""Talking to an Odoo server: XML-RPC (Odoo up to 18) and JSON-2 (Odoo 19+).

Both offer the same `Transport.call`: a model, a method, the record ids it
works on (create's records for ``create``; None for a model method) and
named arguments. Transient faults
(refused or reset connections, timeouts, 502/503/504) of calls that change
nothing (`REPEATABLE`: reads, the login) are retried with exponential
backoff; authentication, access and validation errors never are.

A call that changes data (``write``, ``create``, ``unlink``, anything not
known to be a read) is sent once: Odoo may commit it and its answer be lost
on the way back (a proxy's timeout, a server restarting after a long
request), and sending it again would do it twice. When it fails after the
request may have left, `OdooOutcomeUnknown` says so; the caller decides,
after reading the records again (the applier does, and is the only retry
layer of a run's writes). Only a refused connection or an unknown host
proves nothing was sent; it is a plain `OdooUnreachable`.

The secret (password or API key) is held by the transport only and never
appears in a message: every error is rebuilt from its parts.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time
import urllib.error
import urllib.request
import xmlrpc.client
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

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


class OdooUnreachable(CrmUnavailable):
    """The server could not be reached or did not answer in time."""


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
        """``action``'s result, trying again after an `OdooUnreachable` when ``retry``."""
        attempts = self.attempts if retry else 0
        for attempt in range(1, attempts + 2):
            try:
                return action()
            except OdooUnreachable as exc:
                if attempt > attempts:
                    raise
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                logger.warning("%s failed (%s); retry %d in %.1f s", what, exc, attempt, delay)
                self.sleep(delay)
        raise AssertionError("unreachable")


def describe_fault(fault_text: str) -> str:
    """The one-line reason of an Odoo server error, without its traceback."""
    lines = [line.strip() for line in fault_text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else "unknown server error"
    for marker in ("odoo.exceptions.", "psycopg2.errors.", "werkzeug.exceptions."):
        if marker in last:
            last = last.split(marker, 1)[1]
    return last[:500]


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionRefusedError | ConnectionResetError | ConnectionAbortedError):
        return True
    if isinstance(exc, TimeoutError | socket.timeout | http.client.RemoteDisconnected):
        return True
    if isinstance(exc, xmlrpc.client.ProtocolError):
        return exc.errcode in TRANSIENT_HTTP
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in TRANSIENT_HTTP
    if isinstance(exc, urllib.error.URLError):
        return _transient(exc.reason) if isinstance(exc.reason, BaseException) else False
    return False


def _cause(exc: BaseException) -> BaseException | str:
    """What urllib wrapped; an `HTTPError` is an answer, and its own cause (its
    ``reason`` is only the status text)."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return exc.reason
    return exc


def _not_sent(exc: BaseException) -> bool:
    """Whether the failure proves the request never left: no connection was made."""
    return isinstance(_cause(exc), ConnectionRefusedError | socket.gaierror)


def _failure(url: str, what: str, exc: BaseException, repeatable: bool) -> OdooUnreachable:
    """The fault as the error the retry policy and the applier act on."""
    unreachable = _unreachable(url, exc)
    if repeatable or _not_sent(exc):
        return unreachable
    return OdooOutcomeUnknown(
        f"{unreachable.message}, and {what} had been sent: Odoo may have carried it out"
    )


def _unreachable(url: str, exc: BaseException) -> OdooUnreachable:
    reason = _cause(exc)
    if isinstance(reason, xmlrpc.client.ProtocolError):
        detail = f"HTTP {reason.errcode} {reason.errmsg}"
    elif isinstance(reason, urllib.error.HTTPError):
        detail = f"HTTP {reason.code} {reason.reason}"
    elif isinstance(reason, TimeoutError | socket.timeout):
        detail = "no answer before the timeout"
    elif isinstance(reason, http.client.RemoteDisconnected):
        detail = "the connection was closed without an answer"
    elif isinstance(reason, OSError) and reason.strerror:
        detail = reason.strerror.lower()
    else:
        detail = type(reason).__name__
    return OdooUnreachable(f"cannot reach Odoo at {url}: {detail}")


class _OneShotTransport(xmlrpc.client.SafeTransport):
    """xmlrpc's transport with a timeout and without its silent re-send.

    The standard transport sends a request a second time when a kept-alive
    connection drops, which can run a call that Odoo already executed twice.
    Retrying is the `RetryPolicy`'s decision, made per call: for reads only.
    """

    def __init__(self, timeout: float, https: bool) -> None:
        super().__init__()
        self._timeout = timeout
        self._https = https

    def make_connection(self, host: Any) -> http.client.HTTPConnection:  # type: ignore[override]
        if self._https:
            connection: http.client.HTTPConnection = super().make_connection(host)
        else:
            connection = xmlrpc.client.Transport.make_connection(self, host)
        connection.timeout = self._timeout
        return connection

    def request(self, host: Any, handler: str, request_body: Any, verbose: bool = False) -> Any:
        return self.single_request(host, handler, request_body, verbose)


class _Calls(ABC):
    """`Transport.call` and `Transport.call_once` over a transport's one ``_execute``."""

    @abstractmethod
    def _execute(
        self, model: str, method: str, ids: list[Any] | None, kwargs: dict[str, Any], retry: bool
    ) -> Any:
        """Send ``model.method`` once, or with the retry policy when ``retry``."""

    def call(self, model: str, method: str, ids: list[Any] | None, **kwargs: Any) -> Any:
        return self._execute(model, method, ids, kwargs, retry=True)

    def call_once(self, model: str, method: str, ids: list[Any] | None, **kwargs: Any) -> Any:
        return self._execute(model, method, ids, kwargs, retry=False)


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
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self._secret = secret
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._common = self._proxy("/xmlrpc/2/common")
        self._object = self._proxy("/xmlrpc/2/object")
        self.uid = 0

    def _proxy(self, path: str) -> xmlrpc.client.ServerProxy:
        transport = _OneShotTransport(self._timeout, https=self.url.startswith("https:"))
        return xmlrpc.client.ServerProxy(self.url + path, transport=transport, allow_none=True)

    def _send(
        self, what: str, action: Callable[[], T], repeatable: bool = True, retry: bool = True
    ) -> T:
        def attempt() -> T:
            try:
                return action()
            except xmlrpc.client.Fault as fault:
                raise OdooRefused(
                    f"Odoo refused {what}: {describe_fault(fault.faultString)}"
                ) from None
            except (OSError, xmlrpc.client.ProtocolError, http.client.HTTPException) as exc:
                if isinstance(exc, xmlrpc.client.ProtocolError) and not _transient(exc):
                    raise OdooRefused(
                        f"Odoo at {self.url} answered HTTP {exc.errcode} {exc.errmsg} to {what}"
                    ) from None
                raise _failure(self.url, what, exc, repeatable) from None

        return self._retry.run(what, attempt, retry and repeatable)

    def version(self) -> dict[str, Any]:
        result: Any = self._send("version", lambda: self._common.version())
        return dict(result)

    def authenticate(self) -> int:
        uid: Any = self._send(
            "authentication",
            lambda: self._common.authenticate(self.database, self.username, self._secret, {}),
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
        return self._send(
            f"{model}.{method}",
            lambda: self._object.execute_kw(
                self.database, self.uid, self._secret, model, method, args, kwargs
            ),
            repeatable=method in REPEATABLE,
            retry=retry,
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
        opener: Callable[..., Any] = urllib.request.urlopen,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.username = username
        self._api_key = api_key
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._open = opener
        self.uid = 0

    def _post(
        self, path: str, body: dict[str, Any], what: str, repeatable: bool, retry: bool
    ) -> Any:
        data = json.dumps(body).encode()

        def attempt() -> Any:
            request = urllib.request.Request(
                self.url + path,
                data=data,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"bearer {self._api_key}",
                    "X-Odoo-Database": self.database,
                    "User-Agent": "odlm",
                },
            )
            try:
                with self._open(request, timeout=self._timeout) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as exc:
                if exc.code in TRANSIENT_HTTP:
                    raise _failure(self.url, what, exc, repeatable) from None
                raise OdooRefused(f"Odoo refused {what}: {_json_error(exc)}") from None
            except (OSError, http.client.HTTPException) as exc:
                raise _failure(self.url, what, exc, repeatable) from None

        return self._retry.run(what, attempt, retry and repeatable)

    def authenticate(self) -> int:
        context = self.call("res.users", "context_get", None)
        uid = context.get("uid") if isinstance(context, dict) else None
        if not uid:
            found = self.call(
                "res.users", "search", None, domain=[("login", "=", self.username)], limit=1
            )
            uid = found[0] if found else 0
        self.uid = int(uid or 0)
        return self.uid

    def _execute(
        self, model: str, method: str, ids: list[Any] | None, kwargs: dict[str, Any], retry: bool
    ) -> Any:
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        what = f"{model}.{method}"
        return self._post(f"/json/2/{model}/{method}", body, what, method in REPEATABLE, retry)


def _json_error(exc: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        payload = {}
    message = payload.get("message") if isinstance(payload, dict) else None
    name = payload.get("name", "") if isinstance(payload, dict) else ""
    if message:
        return f"{str(name).rsplit('.', 1)[-1]}: {message}".strip(": ")
    if exc.code == 401:
        return "HTTP 401: the API key was not accepted"
    return f"HTTP {exc.code} {exc.reason}"
