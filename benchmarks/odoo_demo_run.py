"""A full distribution of the demo CRM on a real Odoo: load, dry run, real run, clean up.

Run by hand (never in CI) against a throwaway database:

    ODLM_TEST_ODOO_URL=http://127.0.0.1:8069 ODLM_TEST_ODOO_DB=odlm \\
    ODLM_TEST_ODOO_USER=admin ODLM_TEST_ODOO_PASSWORD=admin \\
    .venv/bin/python benchmarks/odoo_demo_run.py [--no-mail-tracking]

It creates the custom lead fields it needs (x_status, x_source_date,
x_open_user_id, x_closer_id) when missing, the demo's users, teams, partners
and about 4000 leads, times a dry run and a real run through `odlm`'s own
code, counts the RPC calls, and removes everything it created.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import crm_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.crm.odoo.connect import OdooSettings, connect
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import PEOPLE, TEAMS, create_demo
from odoo_lead_manager.snapshot.options import RunOptions

FIELDS = {
    "x_status": ("char", None),
    "x_source_date": ("date", None),
    "x_open_user_id": ("many2one", "res.users"),
    "x_closer_id": ("many2one", "res.users"),
}
MAPPING = "  field_mapping: {status: x_status, source_date: x_source_date, open_user_id: x_open_user_id, closer_id: x_closer_id}\n"


class Counting:
    """Counts the calls a transport makes, by model and method."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, Counter[tuple[str, str]]()
        self.protocol, self.uid = inner.protocol, inner.uid

    def authenticate(self) -> int:
        return int(self.inner.authenticate())

    def call(self, model: str, method: str, ids: Any, **kw: Any) -> Any:
        self.calls[(model, method)] += 1
        return self.inner.call(model, method, ids, **kw)

    def call_once(self, model: str, method: str, ids: Any, **kw: Any) -> Any:
        self.calls[(model, method)] += 1
        return self.inner.call_once(model, method, ids, **kw)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-mail-tracking", action="store_true")
    args = parser.parse_args()
    settings = OdooSettings(
        url=os.environ["ODLM_TEST_ODOO_URL"], database=os.environ["ODLM_TEST_ODOO_DB"],
        username=os.environ["ODLM_TEST_ODOO_USER"], secret=os.environ["ODLM_TEST_ODOO_PASSWORD"],
    )  # fmt: skip
    rpc = connect(settings).transport
    created: list[tuple[str, list[int]]] = []

    def create(model: str, values: list[dict[str, Any]]) -> list[int]:
        ids = list(rpc.call(model, "create", values, context={"tracking_disable": True}))  # type: ignore[arg-type]
        created.append((model, ids))
        return ids

    def named(model: str, names: set[str]) -> dict[str, int]:
        found = {
            r["name"]: r["id"]
            for r in rpc.call(
                model, "search_read", None, domain=[("name", "in", sorted(names))], fields=["name"]
            )
        }
        new = sorted(names - found.keys())
        found.update(
            zip(new, create(model, [{"name": n} for n in new]) if new else [], strict=True)
        )
        return found

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        create_demo(directory, today=date.today())
        with LocalStore.open(directory / "crm.sqlite") as store:
            leads = list(store.search_leads([("active", "in", [True, False])]))
        try:
            started = time.perf_counter()
            existing = rpc.call("crm.lead", "fields_get", None, attributes=["type"])
            model_id = rpc.call("ir.model", "search", None, domain=[("model", "=", "crm.lead")])[0]
            missing = [n for n in FIELDS if n not in existing]
            if missing:
                create("ir.model.fields", [{"name": n, "model_id": model_id, "ttype": FIELDS[n][0], "field_description": n,
                                            **({"relation": FIELDS[n][1]} if FIELDS[n][1] else {})} for n in missing])  # fmt: skip
            teams = named("crm.team", {t.name for t in TEAMS})
            users: dict[int, int] = {}
            for person in PEOPLE:
                found = rpc.call(
                    "res.users",
                    "search",
                    None,
                    domain=["|", ("login", "=", person.login), ("name", "=", person.name)],
                    context={"active_test": False},
                )
                users[person.id] = (
                    found[0]
                    if found
                    else create("res.users", [{"name": person.name, "login": person.login}])[0]
                )
            for person in PEOPLE:
                if not person.user_active:
                    rpc.call("res.users", "write", [users[person.id]], vals={"active": False})
            partners = dict(zip(sorted({x.partner_id for x in leads if x.partner_id}),
                                create("res.partner", [{"name": f"Demo partner {p}"} for p in sorted({x.partner_id for x in leads if x.partner_id})]), strict=True))  # fmt: skip
            sources = named("utm.source", {x.source for x in leads if x.source})
            campaigns = named("utm.campaign", {x.campaign for x in leads if x.campaign})
            tags = named("crm.tag", {t for x in leads for t in x.tags})
            team_ids = {t.id: teams[t.name] for t in TEAMS}
            values = [{
                "name": x.name, "type": x.type, "active": x.active, "x_status": x.status or False,
                "x_source_date": x.source_date.isoformat() if x.source_date else False,
                "user_id": users.get(x.user_id, False) if x.user_id else False,
                "x_open_user_id": users[x.open_user_id] if x.open_user_id else False,
                "x_closer_id": users[x.closer_id] if x.closer_id else False,
                "team_id": team_ids.get(x.team_id, False) if x.team_id else False,
                "partner_id": partners[x.partner_id] if x.partner_id else False,
                "source_id": sources[x.source] if x.source else False,
                "campaign_id": campaigns[x.campaign] if x.campaign else False,
                "tag_ids": [(6, 0, [tags[t] for t in x.tags])], "priority": str(x.priority),
                "email_from": x.email or False, "phone": x.phone or False,
            } for x in leads]  # fmt: skip
            lead_ids: list[int] = []
            for start in range(0, len(values), 500):
                lead_ids += create("crm.lead", values[start : start + 500])
            real = dict(zip((x.id for x in leads), lead_ids, strict=True))
            activities = [{"res_model_id": model_id, "res_id": real[x.id], "summary": "demo",
                           "date_deadline": x.activity_date_deadline.isoformat(), "user_id": rpc.uid}
                          for x in leads if x.activity_date_deadline and x.active]  # fmt: skip
            create("mail.activity", activities)
            print(
                f"loaded {len(leads)} records and {len(activities)} activities in {time.perf_counter() - started:.1f} s"
            )

            config = directory / "config.yaml"
            text = (
                config.read_text() if config.exists() else write_demo_config(directory).read_text()
            )
            crm = "crm:\n  backend: odoo\n  page_size: 1000\n" + MAPPING
            if args.no_mail_tracking:
                crm += "  mail_tracking: false\n"
            text = text.replace("crm:\n  backend: local\n  local_path: crm.sqlite\n", crm)
            text += f"odoo_connection:\n  host: {settings.url}\n  database: {settings.database}\n  username: {settings.username}\n  password: ${{ODLM_TEST_ODOO_PASSWORD}}\n"
            config.write_text(text)
            loaded = load_config(config)
            import odoo_lead_manager.crm.odoo.connect as connecting

            counters: list[Counting] = []

            def counting_factory(s: OdooSettings, protocol: str) -> Any:
                counters.append(Counting(connecting.default_transport(s, protocol)))
                return counters[-1]

            store = connecting.open_odoo_store(crm_settings(loaded), counting_factory)
            for dry in (True, False):
                began = time.perf_counter()
                outcome = run_distribution(
                    loaded, dry_run=dry, options=RunOptions(seed=1), store=store
                )
                seconds = time.perf_counter() - began
                calls = sum(sum(c.calls.values()) for c in counters)
                print(f"{'dry run' if dry else 'real run'}: {outcome.plan.examined} leads examined, "
                      f"{len(outcome.plan.assignments)} assigned, {seconds:.2f} s, {calls} RPC calls so far")  # fmt: skip
        finally:
            for model, ids in reversed(created):
                rpc.call(model, "unlink", ids)
            print("cleaned up")


if __name__ == "__main__":
    main()
