"""``source_type: odoo_team`` against a real Odoo (when ODLM_TEST_ODOO_* name one): a sales
team's members with Odoo's own assignment settings, read and honoured in a real run.

Each member holds 20 of the test's leads, created with them today: Odoo counts them in its
30-day capacity. The test makes its own users, team, memberships, partner, tag and leads (names carrying this
run's token) on a CRM that may be full of other data, and removes them afterwards. The domains
are ones odlm could not evaluate itself (a path through the partner to its country, a tag's
name, the probability): the CRM evaluates them, and the CRM's state after the run is checked
against the server's own counts.
"""

from __future__ import annotations

import os
import random
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.fields import configured_mapping
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.odoo.connect import resolve_fields
from odoo_lead_manager.pipeline.strategies.engine import OUTSIDE_DOMAINS
from odoo_lead_manager.snapshot.options import RunOptions
from tests.crm.test_odoo_live import (
    CUSTOM_FIELDS,
    ENV,
    Server,
    ensure_custom_fields,
    live_connection,
    live_store,
    user_groups,
)
from tests.e2e.test_live_parity import API_KEY, ODOO

MISSING = [name for name in ENV if not os.environ.get(name)]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs an Odoo (set {', '.join(MISSING)})")

CONFIG = """\
version: "1.0"
{odoo}campaign: {{name: {campaign}}}
salesperson_selection:
  source_type: odoo_team
  source_config: {{team: "{team}"}}
lead_finding:
  date_range: {{older_than_days: 0, younger_than_days: 30}}
  status_filters:
    active_salespeople: {{statuses: ["Utr"]}}
distribution:
  strategy: {strategy}
  owner_fields: [user_id, open_user_id, closer_id]
{extra}tracking: {{enabled: {tracking}}}
"""
TEAM_DOMAIN = "[('priority', 'in', ['0', '1', '2'])]"


def test_an_odoo_team_run_on_a_real_odoo(tmp_path: Path) -> None:
    token = uuid.uuid4().hex[:8]
    connection = live_connection()
    transport = connection.transport
    server = Server(transport)
    rng = random.Random(token)
    try:
        ensure_custom_fields(transport, server)
        salesperson = user_groups(transport, salesperson=True)
        names = ("Ann", "Ben", "Cat", "Dan")
        users = {
            name: server.create_users(
                [{"name": f"{name} {token}", "login": f"{name.lower()}.{token}", **salesperson}]
            )[0]
            for name in names
        }
        tag = server.create("crm.tag", [{"name": f"odlm tag {token}"}])[0]
        belgium = transport.call("res.country", "search", None, domain=[("code", "=", "BE")])[0]
        partners = server.create(
            "res.partner",
            [
                {"name": f"Belgian {token}", "country_id": belgium},
                {"name": f"Elsewhere {token}", "country_id": False},
            ],
        )
        team_name = f"odlm team {token}"
        team = server.create("crm.team", [{"name": team_name, "assignment_domain": TEAM_DOMAIN}])[0]
        domains = {
            "Ann": "[('partner_id.country_id.code', '=', 'BE')]",
            "Ben": f"['|', ('tag_ids.name', '=', 'odlm tag {token}'), ('probability', '>', 50)]",
        }
        server.create(
            "crm.team.member",
            [
                {
                    "crm_team_id": team,
                    "user_id": users[name],
                    "assignment_max": 9 if name == "Dan" else 40,
                    "assignment_optout": name == "Cat",
                    "assignment_domain": domains.get(name, False),
                }
                for name in names
            ],
        )
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        # Leads the members hold (status Utr, so the run finds them), of every kind.
        lead_ids = server.create(
            "crm.lead",
            [
                {
                    "name": f"lead {n} {token}",
                    "type": "lead",
                    # Who holds a lead is open_user_id by default (the R script's field).
                    **dict.fromkeys(
                        ("user_id", "x_open_user_id", "x_closer_id"), users[names[n % 4]]
                    ),
                    "x_status": "Utr",
                    "x_source_date": yesterday,
                    "priority": str(rng.choice("0123")),
                    "partner_id": rng.choice([*partners, False]),
                    "tag_ids": [(6, 0, [tag] if rng.random() < 0.3 else [])],
                    "probability": rng.choice([10, 30, 60, 90]),
                }
                for n in range(80)
            ],
            {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True},
        )
        odoo = ODOO + (API_KEY if os.environ.get("ODLM_TEST_ODOO_API_KEY") else "")
        config = tmp_path / "config.yaml"
        config.write_text(
            CONFIG.format(
                odoo=odoo,
                campaign=f"live {token}",
                team=team_name,
                strategy="round_robin",
                extra="",
                tracking="false",
            )
        )
        fields, problems = resolve_fields(
            transport, configured_mapping({k: v[0] for k, v in CUSTOM_FIELDS.items()})
        )
        assert problems == []
        store = live_store(connection, fields)
        before = {x.id: x.user_id for x in store.read_leads(lead_ids)}

        outcome = run_distribution(
            load_config(config), dry_run=False, options=RunOptions(seed=3), force=True
        )
        assert outcome.applied is not None and outcome.applied.complete
        plan = outcome.plan
        after = {x.id: x.user_id for x in store.read_leads(lead_ids)}
        moved = {i: after[i] for i in lead_ids if after[i] != before[i]}
        by_user = {p.user_id: p for p in plan.salespeople}

        # Odoo's settings: the members, their capacity over 30 days (each holds 20 leads
        # created with them today: Dan, capacity 9, is full), the paused member away.
        assert set(by_user) == set(users.values())
        assert all(p.target_leads is None for p in plan.salespeople)
        assert plan.capacity[users["Dan"]].maximum == 9
        assert (plan.capacity[users["Ann"]].maximum, plan.capacity[users["Ann"]].used) == (40, 20)
        assert "assignment_optout" in plan.away[users["Cat"]]
        assert users["Cat"] not in moved.values() and users["Dan"] not in moved.values()

        def server_ids(domain: str, among: list[int]) -> set[int]:
            terms = [("id", "in", among), *eval(domain)]
            return set(transport.call("crm.lead", "search", None, domain=terms))

        found = sorted(
            {a.lead_id for a in plan.assignments}
            | {i for ids in plan.unassigned.values() for i in ids}
        )
        assert set(found) == set(lead_ids), plan.excluded  # every test lead is distributable
        # What each member received is what the server says their domain and the team's
        # accept; the counts odlm shows are the server's.
        team_accepts = server_ids(TEAM_DOMAIN, found)
        accepted = {
            users[name]: team_accepts & server_ids(domains[name], found) if name in domains
            else team_accepts
            for name in ("Ann", "Ben", "Dan")
        }  # fmt: skip
        for uid, ids in accepted.items():
            got = {i for i, owner in moved.items() if owner == uid}
            assert (got and got <= ids) if uid != users["Dan"] else not got
            assert plan.domains[uid] == (
                f"assignment domain (Odoo) accepts {len(ids):,} of the "
                f"{len(found):,} distributable leads"
            )
        # A lead no member but its holder may take (among them every "very high" one, outside
        # the team's domain) is left where it was, and the plan says why.
        left = set(plan.unassigned[OUTSIDE_DOMAINS])
        assert set(found) - team_accepts <= left
        for i in left:
            assert after[i] == before[i]
            assert not any(i in ids for uid, ids in accepted.items() if uid != before[i])
        assert Counter(moved.values()) == Counter(a.user_id for a in plan.assignments)
        store.close()
    finally:
        server.cleanup()
