"""Calls per second of odlm's Odoo transports, against a real server.

Times ``N`` identical ``crm.lead.search_count`` calls (a cheap read, so the
figure is the round trip: connection, marshalling, Odoo's request handling)
for each protocol, twice: "before", the standard library's way odlm talked to
Odoo until issue 23 (``urllib.request.urlopen`` per JSON-2 call, a new TCP
connection each time; ``xmlrpc.client.ServerProxy``), and "after", odlm's
transports over one pooled httpx client. Only reads: nothing is written.

    python benchmarks/transport.py --url http://127.0.0.1:8070 --db odlm19 \\
        --user admin --password admin --api-key-file /work/odoo19/keys.json [-n 200]

``--api-key-file`` is a JSON object whose ``admin`` (or ``--key-name``) entry is
the key, or give the key in ODOO_API_KEY; without a key JSON-2 is skipped
(Odoo 17 has none). The password may be in ODOO_PASSWORD.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import urllib.request
import xmlrpc.client
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from odoo_lead_manager.crm.odoo.transport import (
    HttpSession,
    Json2Transport,
    XmlRpcTransport,
)

DOMAIN: list[Any] = [["id", "<", 0]]


def stdlib_xmlrpc(url: str, db: str, user: str, password: str) -> Callable[[], Any]:
    common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
    uid = common.authenticate(db, user, password, {})
    proxy = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)
    return lambda: proxy.execute_kw(db, uid, password, "crm.lead", "search_count", [DOMAIN], {})


def stdlib_json2(url: str, db: str, key: str) -> Callable[[], Any]:
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"bearer {key}",
        "X-Odoo-Database": db,
    }
    data = json.dumps({"domain": DOMAIN}).encode()

    def call() -> Any:
        request = urllib.request.Request(
            f"{url}/json/2/crm.lead/search_count", data=data, method="POST", headers=headers
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    return call


def rates(calls: list[Callable[[], Any]], total: int, rounds: int) -> list[list[float]]:
    """Calls per second of each of ``calls``, in ``rounds`` interleaved rounds of
    ``total // rounds`` calls: a server shared with other work drifts, and
    interleaving spreads the drift over every variant alike."""
    for call in calls:
        call()  # the first call pays for the login and the first connection
    each = max(1, total // rounds)
    found: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for index, call in enumerate(calls):
            began = time.perf_counter()
            for _ in range(each):
                call()
            found[index].append(each / (time.perf_counter() - began))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default=os.environ.get("ODOO_PASSWORD"))
    parser.add_argument("--api-key-file", type=Path)
    parser.add_argument("--key-name", default="admin")
    parser.add_argument("-n", "--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    key = os.environ.get("ODOO_API_KEY")
    if args.api_key_file:
        key = json.loads(args.api_key_file.read_text())[args.key_name]
    url = args.url.rstrip("/")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.calls} x crm.lead.search_count, {url}"
    )

    session = HttpSession()
    runs: list[tuple[str, str, Callable[[], Any]]] = []
    if args.password:
        after = XmlRpcTransport(url, args.db, args.user, args.password, http=session)
        runs.append(
            (
                "xmlrpc",
                "before: xmlrpc.client",
                stdlib_xmlrpc(url, args.db, args.user, args.password),
            )
        )
        runs.append(
            (
                "xmlrpc",
                "after: httpx pool",
                lambda: after.call("crm.lead", "search_count", None, domain=DOMAIN),
            )
        )
        after.authenticate()
    if key:
        json2 = Json2Transport(url, args.db, args.user, key, http=session)
        runs.append(("json2", "before: urllib per call", stdlib_json2(url, args.db, key)))
        runs.append(
            (
                "json2",
                "after: httpx pool",
                lambda: json2.call("crm.lead", "search_count", None, domain=DOMAIN),
            )
        )
        json2.authenticate()
    found = rates([call for _, _, call in runs], args.calls, args.rounds)
    for (protocol, how, _), per_round in zip(runs, found, strict=True):
        print(
            f"{protocol:<7} {how:<24} {statistics.median(per_round):7.1f} calls/s "
            f"(median of {len(per_round)} rounds, {min(per_round):.1f}-{max(per_round):.1f})"
        )
    session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
