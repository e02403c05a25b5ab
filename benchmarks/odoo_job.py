"""One fixed job on a real Odoo, odlm against the writers it must keep up with (issue 27).

Run by hand (never in CI) against a throwaway database:

    ODLM_TEST_ODOO_URL=http://127.0.0.1:8069 ODLM_TEST_ODOO_DB=odlm17 \\
    ODLM_TEST_ODOO_USER=admin ODLM_TEST_ODOO_PASSWORD=admin \\
    [ODLM_BENCH_ODOO_SHELL='/path/venv/bin/python /path/odoo-bin shell -c odoo.conf -d odlm17'] \\
    .venv/bin/python benchmarks/odoo_job.py [--leads 20000] [--rounds 3] [--batch-size N]
                                           [--protocol auto|jsonrpc|xmlrpc]
                                           [--ways orm rpc reader safe-reader odlm ...]

It seeds ``--leads`` leads (custom fields x_status, x_source_date, x_open_user_id and
x_closer_id created when missing) held by 10 salespeople of one campaign, 9,065 of them
in the four statuses the campaign distributes, and times, alternating, ``--rounds`` times:

- ``orm``: the same assignments written by Odoo's ORM in its own process, one write per
  group, tracking off (with ``ODLM_BENCH_ODOO_SHELL``: the command of an ``odoo-bin shell``
  on that database; the time is taken inside it, without the shell's start) — the limit;
- ``rpc``: one XML-RPC ``write`` per group, tracking off;
- ``reader``: the least a client that decides on the leads must do, with none of odlm's
  safety: log in (JSON-RPC), read the job's candidate leads once (status and window
  filtered on the server; only id, owner and last change, bare ids), then one ``write``
  per group, tracking off; no re-check, read-back, journal or plan;
- ``safe-reader``: ``reader`` with the re-checks and read-backs odlm's safety asks for, as
  odlm makes them: the first group's leads read before its write, then after each write
  one narrow read of its leads (the read-back) and the next group's (their re-check),
  each lead compared (still no journal or plan);
- ``odlm``: a whole odlm real run, ``crm.mail_tracking: false``: reads, plan, re-checks,
  writes, read-backs, the journal (over ``--protocol``, by default ``auto``: JSON-RPC on
  Odoo 17; the reference writers always use XML-RPC);
- ``rpc+chatter``: the grouped writer keeping chatter tracking, per-lead e-mails off (the
  context odlm sends with ``mail_tracking: true``);
- ``odlm+chatter``: the odlm run with ``crm.mail_tracking: true``.

After each, the leads are given back their owners and statuses (grouped writes, tracking
off) and lose the followers a tracked write gave them, so every writer makes the very
same assignments (odlm's round robin starts afresh each run; checked) from the same state.
It prints each round and the medians with the ratios, then removes what it made.
``--ways`` runs only the ways named (each round in the order above).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.odoo.connect import OdooSettings, connect
from odoo_lead_manager.snapshot.options import RunOptions

FIELDS = {
    "x_status": ("char", None),
    "x_source_date": ("date", None),
    "x_open_user_id": ("many2one", "res.users"),
    "x_closer_id": ("many2one", "res.users"),
}
ODOO_NAMES = {"user_id": "user_id", "open_user_id": "x_open_user_id",
              "closer_id": "x_closer_id", "team_id": "team_id", "status": "x_status"}  # fmt: skip
JOB = ("Utr", "Call Back", "Full Pitch Follow Up", "New")
OTHER = ("Won", "Lost", "Dnc", "Call Later")
SELLERS = 10
JOB_LEADS = 9065
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}
CHATTER = {"mail_auto_subscribe_no_notify": True}

CONFIG = """\
version: "1.0"
crm:
  backend: odoo
  mail_tracking: {tracking}
  field_mapping: {{status: x_status, source_date: x_source_date, open_user_id: x_open_user_id, closer_id: x_closer_id}}
odoo_connection:
  host: ${{ODLM_TEST_ODOO_URL}}
  database: ${{ODLM_TEST_ODOO_DB}}
  username: ${{ODLM_TEST_ODOO_USER}}
  password: ${{ODLM_TEST_ODOO_PASSWORD}}
  protocol: {protocol}
campaign: {{name: {campaign}}}
salesperson_selection:
  source_type: campaign_table
  source_config: {{campaign_table: {{file_path: campaigns.csv}}}}
lead_finding:
  date_range: {{older_than_days: 0, younger_than_days: 30}}
  status_filters:
    active_salespeople: {{statuses: {statuses}}}
distribution:
  strategy: round_robin
  owner_fields: [user_id, open_user_id, closer_id]
  status_reset: New
  team_assignment: "{team}"
tracking: {{enabled: false}}
execution:
  state_dir: {state}
{batch}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--protocol", default="auto", help="odlm's odoo_connection.protocol")
    parser.add_argument("--ways", nargs="+", default=None, help="only these ways")
    args = parser.parse_args()
    # Each odlm run says how long its stages took (planning, writing, history).
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    logging.getLogger("odoo_lead_manager.commands.finishing").setLevel(logging.INFO)
    settings = OdooSettings(
        url=os.environ["ODLM_TEST_ODOO_URL"], database=os.environ["ODLM_TEST_ODOO_DB"],
        username=os.environ["ODLM_TEST_ODOO_USER"], secret=os.environ["ODLM_TEST_ODOO_PASSWORD"],
        protocol="xmlrpc",  # the reference writers are the issue's: over XML-RPC
    )  # fmt: skip
    rpc = connect(settings).transport
    shell = os.environ.get("ODLM_BENCH_ODOO_SHELL")
    token = uuid.uuid4().hex[:6]
    created: list[tuple[str, list[int]]] = []

    def create(model: str, values: list[dict[str, Any]]) -> list[int]:
        ids = list(rpc.call(model, "create", values, context=QUIET))  # type: ignore[arg-type]
        created.append((model, ids))
        return ids

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        try:
            existing = rpc.call("crm.lead", "fields_get", None, attributes=["type"])
            model_id = rpc.call("ir.model", "search", None, domain=[("model", "=", "crm.lead")])[0]
            missing = [n for n in FIELDS if n not in existing]
            if missing:
                create("ir.model.fields", [{"name": n, "model_id": model_id, "ttype": FIELDS[n][0], "field_description": n,
                                            **({"relation": FIELDS[n][1]} if FIELDS[n][1] else {})} for n in missing])  # fmt: skip
            team_name = f"Bench {token}"
            team = create("crm.team", [{"name": team_name}])[0]
            names = [f"Seller {k} {token}" for k in range(SELLERS)]
            sellers = [
                create("res.users", [{"name": n, "login": f"seller{k}.{token}"}])[0]
                for k, n in enumerate(names)
            ]
            (directory / "campaigns.csv").write_text(
                "salesperson_name,campaign_name,active\n"
                + "".join(f"{n},Bench {token},true\n" for n in names)
            )
            started = time.perf_counter()
            today = date.today()
            values = []
            for i in range(args.leads):
                owner = sellers[i % SELLERS]
                status = JOB[i % len(JOB)] if i < JOB_LEADS else OTHER[i % len(OTHER)]
                values.append({
                    "name": f"Lead {i} {token}", "type": "lead", "user_id": owner,
                    "x_open_user_id": owner, "x_closer_id": owner, "team_id": team,
                    "x_status": status, "x_source_date": str(today - timedelta(days=i % 28)),
                })  # fmt: skip
            lead_ids: list[int] = []
            for start in range(0, len(values), 2000):
                lead_ids += create("crm.lead", values[start : start + 2000])
            print(f"seeded {len(lead_ids)} leads in {time.perf_counter() - started:.1f} s")
            original = {
                lead_id: (v["user_id"], v["x_status"])
                for lead_id, v in zip(lead_ids, values, strict=True)
            }

            def config(tracking: bool, state: str = "state") -> Path:
                path = directory / f"config-{tracking}.yaml"
                batch = f"  batch_size: {args.batch_size}\n" if args.batch_size is not None else ""
                path.write_text(CONFIG.format(
                    tracking=str(tracking).lower(), campaign=f"Bench {token}",
                    statuses=json.dumps(list(JOB)), team=team_name,
                    state=directory / state, batch=batch, protocol=args.protocol,
                ))  # fmt: skip
                return path

            def restore() -> None:
                # The followers a tracked write subscribed go too: each writer starts from
                # the same state, the new owners not yet following (subscribing them is
                # most of a tracked write's cost the first time).
                followers = rpc.call("mail.followers", "search", None, domain=[
                    ("res_model", "=", "crm.lead"), ("res_id", "in", lead_ids)])  # fmt: skip
                for start in range(0, len(followers), 5000):
                    rpc.call("mail.followers", "unlink", followers[start : start + 5000])
                groups: dict[tuple[int, str], list[int]] = defaultdict(list)
                for lead_id, key in original.items():
                    groups[key].append(lead_id)
                for (owner, status), ids in groups.items():
                    rpc.call("crm.lead", "write", ids, context=QUIET,  # type: ignore[arg-type]
                             vals={"user_id": owner, "x_open_user_id": owner,
                                   "x_closer_id": owner, "x_status": status, "team_id": team})  # fmt: skip

            plan = run_distribution(
                load_config(config(False)), dry_run=True, options=RunOptions(seed=1)
            ).plan
            print(f"found: excluded {dict(plan.excluded)}, left {dict(plan.unassigned)}"[:400])
            job_size = len(plan.assignments)
            groups = [
                (list(g.lead_ids), {ODOO_NAMES[k]: v for k, v in g.values.items()})
                for g in plan.writes
            ]
            print(f"the job: {len(plan.assignments)} leads in {len(groups)} groups")

            def odlm(tracking: bool) -> float:
                # A new state directory each time: round robin starts where the dry run
                # started, so the run makes the very assignments the other writers make.
                fresh = config(tracking, f"state-{uuid.uuid4().hex[:8]}")
                began = time.perf_counter()
                outcome = run_distribution(
                    load_config(fresh), dry_run=False, options=RunOptions(seed=1), force=True
                )
                seconds = time.perf_counter() - began
                assert outcome.applied is not None and outcome.applied.complete
                assert outcome.applied.written == job_size, outcome.applied.written
                assert outcome.plan.assignments == plan.assignments
                return seconds

            def grouped(context: dict[str, Any]) -> float:
                began = time.perf_counter()
                for ids, vals in groups:
                    rpc.call("crm.lead", "write", ids, vals=vals, context=context)  # type: ignore[arg-type]
                return time.perf_counter() - began

            def reader(safe: bool) -> float:
                began = time.perf_counter()
                client = connect(replace(settings, protocol="jsonrpc")).transport
                window = str(today - timedelta(days=30))
                found = client.call("crm.lead", "search_read", None, domain=[
                    ("x_status", "in", list(JOB)), ("x_source_date", ">=", window),
                    ("user_id", "in", sellers)], fields=["user_id", "write_date"], load="")  # fmt: skip
                seen = {r["id"]: (r["user_id"], r["write_date"]) for r in found}
                fields = [*groups[0][1], "write_date"]

                def narrow(ids: list[int]) -> dict[int, dict[str, Any]]:
                    rows = client.call("crm.lead", "read", ids, fields=fields, load="")
                    return {row["id"]: row for row in rows}

                ahead = narrow(groups[0][0]) if safe else {}
                for number, (ids, vals) in enumerate(groups):
                    if safe:
                        assert all((ahead[i]["user_id"], ahead[i]["write_date"]) == seen[i]
                                   for i in ids)  # fmt: skip
                    client.call("crm.lead", "write", ids, vals=vals, context=QUIET)
                    if safe:
                        following = groups[number + 1][0] if number + 1 < len(groups) else []
                        ahead = narrow([*ids, *following])
                        assert all(vals.items() <= ahead[i].items() for i in ids)
                seconds = time.perf_counter() - began
                assert seen.keys() >= {a.lead_id for a in plan.assignments}, len(found)
                return seconds

            def orm() -> float:
                assert shell is not None
                job = directory / "groups.json"
                job.write_text(json.dumps(groups))
                script = (
                    "import json, time\n"
                    f"groups = json.load(open({str(job)!r}))\n"
                    "began = time.perf_counter()\n"
                    "for ids, vals in groups:\n"
                    "    env['crm.lead'].browse(ids).with_context(tracking_disable=True).write(vals)\n"
                    "env.cr.commit()\n"
                    "print('ORM_SECONDS', time.perf_counter() - began)\n"
                )
                out = subprocess.run(shlex.split(shell), input=script, capture_output=True,
                                     text=True, check=True).stdout  # fmt: skip
                return float(next(line.split()[1] for line in out.splitlines()
                                  if line.startswith("ORM_SECONDS")))  # fmt: skip

            ways = {
                **({"orm": orm} if shell else {}),
                "rpc": lambda: grouped(QUIET),
                "reader": lambda: reader(False),
                "safe-reader": lambda: reader(True),
                "odlm": lambda: odlm(False),
                "rpc+chatter": lambda: grouped(CHATTER),
                "odlm+chatter": lambda: odlm(True),
            }
            if args.ways:
                ways = {name: way for name, way in ways.items() if name in args.ways}
            times: dict[str, list[float]] = {name: [] for name in ways}
            for number in range(args.rounds):
                for name, way in ways.items():
                    times[name].append(way())
                    restore()
                print(
                    f"round {number + 1}: "
                    + ", ".join(f"{n} {t[-1]:.1f} s" for n, t in times.items())
                )
            median = {name: statistics.median(t) for name, t in times.items()}
            print("medians: " + ", ".join(f"{n} {s:.2f} s" for n, s in median.items()))
            for way, base in (("odlm", "orm"), ("reader", "orm"), ("safe-reader", "orm"),
                              ("odlm", "rpc"),
                              ("odlm+chatter", "rpc+chatter")):  # fmt: skip
                if way in median and base in median:
                    print(f"{way} / {base}: {median[way] / median[base]:.2f}")
            calls = Counter(model for model, _ in created)
            print(f"made: {dict(calls)}")
        finally:
            for model, ids in reversed(created):
                if model == "crm.lead":
                    for start in range(0, len(ids), 5000):
                        rpc.call(model, "unlink", ids[start : start + 5000])
                else:
                    rpc.call(model, "unlink", ids)
            print("cleaned up")


if __name__ == "__main__":
    main()
