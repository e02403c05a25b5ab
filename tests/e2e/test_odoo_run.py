"""A whole distribution against Odoo (the fake of 17 and of 19, over real XML-RPC): results
and round trips, the same on both versions but for the name of the grouped count."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import PEOPLE, TEAMS
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.crm.xmlrpc_fake_server import serve

PAGE, BATCH = 100, 40


@pytest.fixture(params=[17, 19], ids=["odoo17", "odoo19"])
def odoo_demo(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[tuple[Path, FakeOdoo]]:
    """The demo CRM loaded into a fake Odoo of each version, and the demo config pointed at it."""
    fake = FakeOdoo(version=request.param)
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        users = store.find_users([p.name for p in PEOPLE])
        leads = list(store.search_leads([("active", "in", [True, False])]))
    fake.load(TEAMS, users, leads)
    config = demo_dir / "config.yaml"
    text = config.read_text().replace(
        "crm:\n  backend: local\n  local_path: crm.sqlite\n",
        f"crm:\n  backend: odoo\n  page_size: {PAGE}\n"
        "odoo_connection:\n  host: ${ODOO_URL}\n  database: crm\n  username: admin\n",
    )
    config.write_text(text.replace("  batch_size: 200", f"  batch_size: {BATCH}"))
    with serve(fake, password="pw") as (url, _):
        monkeypatch.setenv("ODOO_URL", url)
        monkeypatch.setenv("ODOO_PASSWORD", "pw")
        yield config, fake


def local_twin(config: Path) -> LoadedConfig:
    """The same configuration on the demo's local store (beside ``config``)."""
    local = config.with_name("local.yaml")
    local.write_text(
        config.read_text().replace(
            f"crm:\n  backend: odoo\n  page_size: {PAGE}\n",
            "crm:\n  backend: local\n  local_path: crm.sqlite\n",
        )
    )
    return load_config(local)


def test_odoo_run_matches_the_local_run(odoo_demo: tuple[Path, FakeOdoo]) -> None:
    config, fake = odoo_demo
    options = RunOptions(today=TODAY, seed=11)
    odoo_plan = run_distribution(load_config(config), dry_run=True, options=options).plan
    local_plan = run_distribution(local_twin(config), dry_run=True, options=options).plan
    assert odoo_plan.assignments == local_plan.assignments
    assert odoo_plan.excluded == local_plan.excluded
    assert odoo_plan.workloads == local_plan.workloads
    assert fake.calls[("crm.lead", "write")] == 0  # a dry run writes nothing


def test_the_activity_deadline_is_read_only_when_a_rule_looks_at_it(
    odoo_demo: tuple[Path, FakeOdoo],
) -> None:
    # Odoo computes it from each lead's activities on every read (issue 27).
    config, fake = odoo_demo
    options = RunOptions(today=TODAY, seed=11)
    with_rule = run_distribution(load_config(config), dry_run=True, options=options).plan
    lead_reads = [f for model, f in fake.fields_read if model == "crm.lead"]
    assert any("activity_date_deadline" in f for f in lead_reads)
    assert with_rule.excluded["Activity deadline protection"] > 0

    text = config.read_text()
    rule = "  activity_deadline:\n    exclude_within_days: 4\n    exclude_missing_deadline: false\n"
    assert rule in text
    config.write_text(text.replace(rule, ""))
    fake.fields_read.clear()
    without = run_distribution(load_config(config), dry_run=True, options=options).plan
    lead_reads = [f for model, f in fake.fields_read if model == "crm.lead"]
    assert lead_reads and not any("activity_date_deadline" in f for f in lead_reads)
    assert "Activity deadline protection" not in without.excluded
    # What the run decides is what the same rules decide on the local store.
    local_plan = run_distribution(local_twin(config), dry_run=True, options=options).plan
    assert without.assignments == local_plan.assignments
    assert len(without.assignments) > len(with_rule.assignments)


def test_round_trips_grow_with_pages_and_groups_not_leads(
    odoo_demo: tuple[Path, FakeOdoo],
) -> None:
    config, fake = odoo_demo
    outcome = run_distribution(
        load_config(config), dry_run=False, options=RunOptions(today=TODAY, seed=11)
    )
    plan = outcome.plan
    examined, salespeople = plan.examined, len(plan.salespeople)
    # Every rule of the legacy config has an exact domain, so the server keeps
    # back what they exclude and only the distributable leads are fetched.
    fetched = examined - sum(plan.excluded.values())
    assert fetched == plan.distributable
    pages = fetched // PAGE + 1
    writes = sum(math.ceil(len(group.lead_ids) / BATCH) for group in plan.writes)
    assert examined > 10 * PAGE and len(plan.assignments) > 5 * BATCH

    calls = dict(fake.calls)
    assert calls.pop(("common", "version")) == 1
    assert calls.pop(("common", "authenticate")) == 1
    assert calls.pop(("crm.lead", "fields_get")) == 1
    # One call resolves the campaign table; the excluded users are among its names
    # (cached), and current owners outside the campaign would take one more call,
    # but the legacy rule only takes leads from campaign members.
    assert calls.pop(("res.users", "search_read")) == 1
    # The team written on assigned leads, and Odoo's own assignment: the sales teams'
    # flags, then the scheduled action that runs it.
    assert calls.pop(("crm.team", "search_read")) == 2
    assert calls.pop(("ir.cron", "search_read")) == 1
    assert calls.pop(("ir.model.data", "search_read")) == 1  # the sales group, once per run
    # Every workload: by status, by source, last 30 days and this month; and by
    # status once more after writing, for the history's "after" counts.
    # (19's formatted_read_group: its read_group still answers, deprecated.)
    grouping = "formatted_read_group" if fake.version_major >= 19 else "read_group"
    assert calls.pop(("crm.lead", grouping)) == 5
    assert fake.deprecated == {}
    # The ids before each server-side rule (owner/status, excluded users, activity
    # deadline), so that what each removed is on record for `odlm explain`.
    assert calls.pop(("crm.lead", "search")) == 3
    # Applying reads the first batch to re-check it, then once per batch: the read-back
    # after its write and the next batch's re-check in one call.
    assert calls.pop(("crm.lead", "search_read")) == pages + writes + 1
    assert calls.pop(("crm.tag", "search_read")) <= pages + writes + 1
    # Leads come with bare ids; the names of their stages, sources and campaigns are
    # read once per record (a call per model and page at most; once, as here, when the
    # first page names them all).
    named = ("crm.stage", "utm.source", "utm.campaign")
    for model in named:
        assert 1 <= calls.pop((model, "search_read")) <= pages
    assert calls.pop(("crm.lead", "write")) == writes
    # The campaign's lease (the demo keeps no tracking database, so its run journal
    # is a local file): created before planning, removed after the last write.
    assert calls.pop(("ir.config_parameter", "create")) == 1
    assert calls.pop(("ir.config_parameter", "unlink")) == 1
    assert calls == {}
    # The bound: 16 + R + (2 + N) * (L // page + 1) + S + 3 * B calls, for R
    # server-side rules, L leads fetched, N models whose names leads hold, S
    # salespeople and B batches of written leads (a write, a read and its tag names
    # each, and the first batch's re-check with its tag names), not one call per
    # lead; 2 of the 16 are the lease.
    total = sum(fake.calls.values())
    bound = 16 + 3 + (2 + len(named)) * pages + salespeople + 3 * writes
    assert total <= bound < examined / 10

    assigned = {a.lead_id: a.user_id for a in plan.assignments}
    record = fake.models["crm.lead"][next(iter(assigned))]
    user = assigned[record["id"]]
    assert record["user_id"][0] == record["open_user_id"][0] == record["closer_id"][0] == user
    assert record["status"] == "New"
    assert record["team_id"][1] == "Voice"
