"""On a real Odoo, a legacy run written in the spec's keys moves exactly the leads R selects,
and ``odlm undo`` gives every one of them back.

Runs when ``ODLM_TEST_ODOO_URL``, ``_DB``, ``_USER`` and ``_PASSWORD`` name
a server (Odoo 17 or 19; with ``ODLM_TEST_ODOO_API_KEY`` odlm speaks JSON-2
to 19) and Rscript with dplyr is installed. It creates its own users
(names carrying this run's token, beside the spec's four excluded users),
leads and activities on a CRM that may be full of other data, writes the
campaign table, exports its leads as the CRM holds them for the R function,
compares, applies (journalled), checks the CRM, undoes the run, checks every
lead is back, and removes everything it created.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.explain import explain_lead
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.fields import configured_mapping
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.odoo.connect import resolve_fields
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tracking import open_journal
from tests.crm.test_odoo_live import (
    CUSTOM_FIELDS,
    ENV,
    Server,
    ensure_custom_fields,
    live_connection,
    live_store,
    user_groups,
)
from tests.pipeline.finding.test_r_parity import (
    CONFIG,
    EXCLUDED,
    WHY_NOT,
    messy,
    r_selects,
    write_r_leads,
    write_rows,
)

MISSING = [name for name in ENV if not os.environ.get(name)]
pytestmark = pytest.mark.skipif(
    bool(MISSING) or WHY_NOT is not None,
    reason=f"needs an Odoo (set {', '.join(MISSING)})" if MISSING else (WHY_NOT or ""),
)

MAPPING = "\n".join(f"    {k}: {v[0]}" for k, v in CUSTOM_FIELDS.items())
ODOO = f"""crm:
  backend: odoo
  field_mapping:
{MAPPING}
odoo_connection:
  host: ${{ODLM_TEST_ODOO_URL}}
  database: ${{ODLM_TEST_ODOO_DB}}
  username: ${{ODLM_TEST_ODOO_USER}}
  password: ${{ODLM_TEST_ODOO_PASSWORD}}
"""
# With an API key, odlm speaks JSON-2 to Odoo 19 and later, as the live store tests do.
API_KEY = "  api_key: ${ODLM_TEST_ODOO_API_KEY}\n"
OWNERSHIP = ("user_id", "open_user_id", "closer_id", "status", "team_id")


def test_a_legacy_run_on_odoo_moves_exactly_what_r_selects_and_undo_restores_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = date.today()
    token = uuid.uuid4().hex[:8]
    connection = live_connection()
    transport = connection.transport
    server = Server(transport)
    case = messy(8, today, count=2000)
    try:
        model = ensure_custom_fields(transport, server)
        # The spec's excluded users keep their names (the R function lists them);
        # everyone else is this run's own.
        names = {u.id: (u.name if u.name in EXCLUDED else f"{u.name} {token}") for u in case.users}
        salesperson = user_groups(transport, salesperson=True)
        ids: dict[int, int] = {}
        for user in case.users:
            values: dict[str, Any] = {
                "name": names[user.id],
                "login": f"{user.login}.{token}",
                **salesperson,
            }
            ids[user.id] = server.create_users([values])[0]
        for user in case.users:
            if not user.active:
                transport.call("res.users", "write", [ids[user.id]], vals={"active": False})
        server_id = {**ids, 0: False}
        lead_ids = server.create(
            "crm.lead",
            [
                {
                    "name": f"{lead.name} {token}", "type": "lead", "user_id": server_id[lead.user_id or 0],
                    "x_open_user_id": server_id[lead.open_user_id or 0],
                    "x_closer_id": server_id[lead.closer_id or 0],
                    "x_status": lead.status if lead.status is not None else False,
                    "x_source_date": lead.source_date.isoformat() if lead.source_date else False,
                }
                for lead in case.leads
            ],
            {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True},
        )  # fmt: skip
        by_seed = dict(zip((lead.id for lead in case.leads), lead_ids, strict=True))
        server.create("mail.activity", [
            {"res_model_id": model, "res_id": by_seed[lead.id], "summary": token,
             "date_deadline": lead.activity_date_deadline.isoformat(), "user_id": transport.uid}
            for lead in case.leads if lead.activity_date_deadline
        ])  # fmt: skip
        rows = [
            (names[_seed_id(case, name)], campaign, active) for name, campaign, active in case.rows
        ]
        write_rows(tmp_path / "campaigns.csv", rows)
        odoo = ODOO + (API_KEY if os.environ.get("ODLM_TEST_ODOO_API_KEY") else "")
        config = CONFIG.replace("crm: {backend: local, local_path: crm.sqlite}\n", odoo)
        # Journalled, so that `odlm undo` can give the leads back.
        config = config.replace("tracking: {enabled: false}", "tracking: {enabled: true}")
        assert "tracking: {enabled: true}" in config
        (tmp_path / "config.yaml").write_text(config)

        # The leads as the CRM holds them now, for R.
        fields, problems = resolve_fields(
            transport, configured_mapping({k: v[0] for k, v in CUSTOM_FIELDS.items()})
        )
        assert problems == []
        store = live_store(connection, fields)
        crm_leads = store.read_leads(lead_ids)
        by_server = {v: names[k] for k, v in ids.items()}
        write_r_leads(tmp_path / "leads.csv", crm_leads, by_server)
        expected = r_selects(tmp_path, today)

        loaded = load_config(tmp_path / "config.yaml")
        dry = run_distribution(loaded, dry_run=True, options=RunOptions(seed=8)).plan
        found = {a.lead_id for a in dry.assignments} | {
            i for ids_ in dry.unassigned.values() for i in ids_
        }
        assert found == expected and len(expected) > 20
        ledger = tmp_path / "ledger.csv"
        run_distribution(loaded, True, RunOptions(seed=8, export_excluded=ledger))
        real = run_distribution(loaded, dry_run=False, options=RunOptions(seed=8), force=True)
        assert real.applied is not None and real.applied.complete
        assert real.plan.assignments == dry.assignments
        _explained_as_the_ledger_says(loaded, real.plan.run_id, ledger, set(lead_ids))
        after = {x.id: x for x in store.read_leads(lead_ids)}
        holder = {x.id: x.open_user_id for x in crm_leads}
        for a in dry.assignments:
            lead = after[a.lead_id]
            assert (lead.user_id, lead.open_user_id, lead.closer_id) == (a.user_id,) * 3
            assert lead.status == "New" and a.user_id != holder[a.lead_id]
        held = store.search_leads(
            [("open_user_id", "in", sorted(ids.values())), ("type", "=", "lead")]
        )
        counts = Counter(x.open_user_id for x in held)
        projection = dry.projection()
        for person in dry.salespeople:
            assert counts[person.user_id] == projection.total(person.user_id)

        # `odlm undo` gives every lead the run moved back what it held before.
        moved = {x.id for x in crm_leads if _owned(x) != _owned(after[x.id])}
        assert moved == {a.lead_id for a in dry.assignments}
        capsys.readouterr()
        assert main(["undo", real.plan.run_id, "--config", str(tmp_path / "config.yaml")]) == 0
        out = capsys.readouterr().out
        assert f"Leads given back their previous values: {len(moved):,}" in out, out
        restored = {x.id: x for x in store.read_leads(lead_ids)}
        assert {i: _owned(x) for i, x in restored.items()} == {x.id: _owned(x) for x in crm_leads}
        store.close()
    finally:
        server.cleanup()


def _explained_as_the_ledger_says(
    loaded: LoadedConfig, run_id: str, ledger: Path, ours: set[int]
) -> None:
    """`odlm explain --run` names, for this test's leads, the rule the ledger gives, whether
    the CRM applied it (the lead never downloaded) or the finder; some of each code."""
    with ledger.open(encoding="utf-8") as handle:
        codes = {
            int(row["lead_id"]): row["reason_code"]
            for row in csv.DictReader(handle)
            if int(row["lead_id"]) in ours
        }
    journal, _ = open_journal(tracking_settings(loaded))
    snapshot = journal.recorded(run_id).snapshot  # type: ignore[union-attr]
    journal.close()
    on_server = {i for _, ids in snapshot.fetched.removed_ids for i in ids} & ours
    assert on_server, "the CRM applied no rule to this test's leads"
    sample: dict[str, list[int]] = {}
    for lead_id, code in sorted(codes.items()):
        sample.setdefault(code, [])
        if len(sample[code]) < 5:
            sample[code].append(lead_id)
    for code, leads in sample.items():
        for lead_id in leads:
            found = explain_lead(loaded, lead_id, run_id)
            assert found.code == code, (lead_id, found.outcome)
            assert found.fetched == (lead_id not in on_server)
    for lead_id in sorted(on_server)[:10]:
        assert explain_lead(loaded, lead_id, run_id).code == codes[lead_id]
    assert explain_lead(loaded, 2_147_000_000, run_id).code == "no_such_lead"


def _owned(lead: Lead) -> tuple[Any, ...]:
    return tuple(getattr(lead, f) for f in OWNERSHIP)


def _seed_id(case: Any, name: str) -> int:
    return int(next(u.id for u in case.users if u.name == name))
