"""`FakeOdoo` served over real HTTP (XML-RPC, JSON-RPC, JSON-2), with faults on demand.

It exercises the real transports: HTTP, marshalling, faults with
Odoo-style tracebacks, transient 503s and the retry policy, and answers lost
after the call was carried out (``drop_answer``: the connection is closed
instead, as by a proxy that times out while Odoo commits).
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import xmlrpc.client
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

from odoo_lead_manager.crm.odoo.transport import OdooRefused
from tests.crm.fake_odoo import FakeOdoo, UniqueViolation, json2_refusal


def odoo_fault(kind: str, message: str) -> xmlrpc.client.Fault:
    """A fault as Odoo sends it: a traceback whose last line names the exception."""
    return xmlrpc.client.Fault(
        1, f'Traceback (most recent call last):\n  File "odoo/http.py"\n{kind}: {message}\n'
    )


@dataclass
class ServerState:
    fake: FakeOdoo
    database: str = "crm"
    login: str = "admin"
    password: str = "s3cret-pw"
    fail_next: int = 0
    requests: int = 0
    fault_on: dict[tuple[str, str], xmlrpc.client.Fault] = field(default_factory=dict)
    api_key: str = "k3y-secret"
    delay_next: int = 0
    delay_seconds: float = 0.0
    # Calls of (model, method), numbered from 1 as the fake counts them, that are
    # carried out and then "answered" by closing the connection; after each, the
    # next ``fail_after_drop`` requests get 503 (the server going down right after).
    drop_answer: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    fail_after_drop: int = 0
    # More JSON-2 keys, each of another user: key -> (uid, login). ``api_key`` is
    # ``login``'s, uid 2, as XML-RPC's authenticate answers.
    other_keys: dict[str, tuple[int, str]] = field(default_factory=dict)

    def key_user(self, authorization: str | None) -> tuple[int, str] | None:
        """The user a ``bearer`` header's key belongs to (None: no such key)."""
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        if key == self.api_key:
            return 2, self.login
        return self.other_keys.get(key)


class _Api:
    def __init__(self, state: ServerState) -> None:
        self.state = state

    def version(self) -> dict[str, Any]:
        return self.state.fake.version()

    def authenticate(self, db: str, login: str, password: str, _env: dict[str, Any]) -> Any:
        self._database(db)
        self.state.fake.calls[("common", "authenticate")] += 1
        return 2 if (login, password) == (self.state.login, self.state.password) else False

    def execute_kw(
        self, db: str, uid: int, password: str, model: str, method: str, args: list[Any],
        kwargs: dict[str, Any],
    ) -> Any:  # fmt: skip
        self._database(db)
        if uid != 2 or password != self.state.password:
            raise odoo_fault("odoo.exceptions.AccessDenied", "Access Denied")
        if (model, method) in self.state.fault_on:
            raise self.state.fault_on[(model, method)]
        if method == "create" and not args:
            # Odoo's call_kw takes create's records from the first positional argument
            # (seen on a real Odoo 17: a create given only vals_list=... fails so).
            raise odoo_fault("IndexError", "tuple index out of range")
        try:
            return self.state.fake.call(model, method, args[0] if args else None, **kwargs)
        except UniqueViolation as exc:
            # Odoo passes PostgreSQL's refusal on as the psycopg2 error it caught.
            raise odoo_fault("psycopg2.errors.UniqueViolation", exc.detail) from None
        except OdooRefused as exc:
            raise odoo_fault("odoo.exceptions.UserError", exc.message) from None

    def _database(self, db: str) -> None:
        if db != self.state.database:
            raise odoo_fault(
                "psycopg2.OperationalError",
                f'connection to server failed: FATAL:  database "{db}" does not exist',
            )


@contextmanager
def serve(fake: FakeOdoo, **state: Any) -> Iterator[tuple[str, ServerState]]:
    """Run the server on a free local port; yield its URL and its state."""
    shared = ServerState(fake, **state)

    class Handler(SimpleXMLRPCRequestHandler):
        rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")

        def do_POST(self) -> None:
            shared.requests += 1
            if shared.fail_next > 0:
                shared.fail_next -= 1
                self.send_error(503, "Service Unavailable")
                return
            if shared.delay_next > 0:
                shared.delay_next -= 1
                time.sleep(shared.delay_seconds)
            target = self._target()
            dropping = shared.fake.calls[target] + 1 in shared.drop_answer.get(target, ())
            if dropping:
                # The call runs in full; its answer goes here and never leaves.
                self.wfile = io.BytesIO()
            if self.path.startswith("/json/2/"):
                self._json2()
            elif self.path == "/jsonrpc":
                self._jsonrpc()
            elif self.path == "/web/webclient/version_info":
                self._version_info()
            else:
                super().do_POST()
            if dropping:
                shared.fail_next = shared.fail_after_drop
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        def _target(self) -> tuple[str, str]:
            """The (model, method) this request calls (an XML-RPC body is read only when a
            drop is pending, and kept for the handler to read again)."""
            if self.path.startswith("/json/2/"):
                _, _, _, model, method = self.path.split("/", 4)
                return model, method
            if not shared.drop_answer:
                return "", ""
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.rfile = io.BytesIO(body)
            if self.path == "/jsonrpc":
                call = json.loads(body)["params"]
                name, params = call["method"], tuple(call["args"])
            else:
                params, name = xmlrpc.client.loads(body)
            if name == "execute_kw":
                return str(params[3]), str(params[4])
            return "common", str(name)

        def do_GET(self) -> None:
            """``GET /web/version``: Odoo 19's version route (Odoo 17 has none: 404 HTML)."""
            shared.requests += 1
            if self.path == "/web/version" and shared.fake.version_major >= 19:
                info = shared.fake.version()
                self._json_reply(200, {"version_info": info["server_version_info"],
                                       "version": info["server_version"]})  # fmt: skip
                return
            self._html_reply(404, "<title>404 Not Found</title>")

        def _version_info(self) -> None:
            """``/web/webclient/version_info``, a JSON-RPC route of every Odoo since 8,
            answered as 17 and 19 answer it (no login, no database)."""
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            info = shared.fake.version()
            major = info["server_version_info"][0]
            result = {**info, "server_serie": f"{major}.0", "protocol_version": 1}
            self._json_reply(200, {"jsonrpc": "2.0", "id": None, "result": result})

        def _json2(self) -> None:
            """Odoo 19's JSON-2 endpoint: bearer key, database header, named arguments.

            A fake of Odoo 17 has none: its answer is 17's 404 page, in HTML."""
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
            if shared.fake.version_major < 19:
                self._html_reply(404, "<title>404 Not Found</title>")
                return
            user = shared.key_user(self.headers.get("Authorization"))
            if user is None:
                self._json_reply(401, {"name": "werkzeug.exceptions.Unauthorized",
                                       "message": "Invalid apikey"})  # fmt: skip
                return
            if self.headers.get("X-Odoo-Database") != shared.database:
                # As Odoo 19 answers an unknown database: its HTML page, not JSON.
                self._html_reply(
                    404, "<p>No database is selected and the requested URL was not found</p>"
                )
                return
            _, _, _, model, method = self.path.split("/", 4)
            refusal = json2_refusal(model, method, body)
            if refusal is not None:
                # JSON-2's argument rules, before the method runs (nothing is counted).
                status, name, message = refusal
                self._json_reply(status, {"name": name, "message": message})
                return
            ids = body.pop("ids", None)
            # Who the key's user is: the server knows, FakeOdoo's records do not (its
            # uid 2 is a salesperson, logged in as "admin" over XML-RPC).
            if (model, method) == ("res.users", "context_get"):
                shared.fake.calls[(model, method)] += 1
                self._json_reply(200, {"uid": user[0], "lang": "en_US", "tz": False})
                return
            if (model, method) == ("res.users", "read") and ids == [user[0]]:
                shared.fake.calls[(model, method)] += 1
                self._json_reply(200, [{"id": user[0], "login": user[1]}])
                return
            try:
                result = shared.fake.call(model, method, ids, **body)
            except OdooRefused as exc:
                self._json_reply(422, {"name": "odoo.exceptions.UserError", "message": exc.message})
                return
            self._json_reply(200, result)

        def _jsonrpc(self) -> None:
            """``/jsonrpc``: XML-RPC's services in a JSON-RPC envelope, on 17 and 19 alike;
            a refusal is HTTP 200 with an ``error`` naming the exception, as Odoo answers."""
            call = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            params = call["params"]
            service, method, args = params["service"], params["method"], params["args"]
            api = _Api(shared)
            try:
                if (service, method) == ("common", "version"):
                    result = api.version()
                elif (service, method) == ("common", "authenticate"):
                    result = api.authenticate(*args)
                elif (service, method) == ("object", "execute_kw"):
                    result = api.execute_kw(*args)
                else:
                    raise odoo_fault("KeyError", repr(method))
            except xmlrpc.client.Fault as fault:
                last = fault.faultString.strip().splitlines()[-1]
                name, _, message = last.partition(": ")
                error = {"name": name, "debug": fault.faultString, "message": message}
                self._json_reply(
                    200,
                    {"jsonrpc": "2.0", "id": call.get("id"),
                     "error": {"code": 200, "message": "Odoo Server Error", "data": error}},
                )  # fmt: skip
                return
            self._json_reply(200, {"jsonrpc": "2.0", "id": call.get("id"), "result": result})

        def _html_reply(self, status: int, page: str) -> None:
            data = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _json_reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            if status == 401:
                self.send_header("WWW-Authenticate", "Bearer")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    class Server(ThreadingMixIn, SimpleXMLRPCServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), requestHandler=Handler, allow_none=True, logRequests=False)
    server.register_instance(_Api(shared))
    # A short poll: shutdown() waits for it, once per test (the store contract serves
    # the fake for each of its tests, over XML-RPC and JSON-2).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", shared
    finally:
        server.shutdown()
        server.server_close()
