"""The Odoo store passes the CrmStore contract: over the in-memory fake always,
over a real Odoo when ODLM_TEST_ODOO_* is set."""

from __future__ import annotations

import pytest

from odoo_lead_manager.crm.odoo.fields import FieldMap, configured_mapping
from odoo_lead_manager.crm.odoo.store import OdooStore, WriteOptions
from odoo_lead_manager.crm.odoo.transport import OdooRefused, RetryPolicy, XmlRpcTransport
from odoo_lead_manager.errors import CrmError

from .contract import SEED_LEADS, SEED_TEAMS, SEED_USERS, CrmStoreContract, a_lease
from .fake_odoo import LEAD_FIELDS, FakeOdoo
from .xmlrpc_fake_server import odoo_fault, serve


def fake_store(fake: FakeOdoo, options: WriteOptions | None = None) -> OdooStore:
    fields, problems = FieldMap.resolve(configured_mapping({}), LEAD_FIELDS)
    assert problems == []
    fake.authenticate()
    return OdooStore(fake, fields, options)


class TestOdooStoreOverFakeContract(CrmStoreContract):
    @pytest.fixture
    def store(self) -> OdooStore:
        fake = FakeOdoo()
        fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
        return fake_store(fake)


def test_write_context_follows_the_options() -> None:
    fake = FakeOdoo()
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    fake_store(fake).write_leads([1], {"status": "Utr"})
    assert fake.contexts[-1] == {"mail_auto_subscribe_no_notify": True}
    fast = fake_store(fake, WriteOptions(mail_tracking=False, notify_salespeople=True))
    fast.write_leads([1], {"status": "New"})
    assert fake.contexts[-1] == {"tracking_disable": True}


def test_tag_names_are_read_once_per_run() -> None:
    fake = FakeOdoo()
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    store = fake_store(fake)
    list(store.search_leads([]))
    list(store.search_leads([]))
    assert fake.calls[("crm.tag", "search_read")] == 1
    assert fake.calls[("crm.lead", "search_read")] == 2


def over_xmlrpc(url: str) -> OdooStore:
    """An Odoo store over the real XML-RPC transport, to the fake served at ``url``."""
    transport = XmlRpcTransport(
        url, "crm", "admin", "s3cret-pw", timeout=5, retry=RetryPolicy(sleep=lambda _s: None)
    )
    transport.authenticate()
    fields, problems = FieldMap.resolve(configured_mapping({}), LEAD_FIELDS)
    assert problems == []
    return OdooStore(transport, fields)


def test_a_lease_costs_one_call_to_take_one_to_give_back_and_one_more_when_held() -> None:
    fake = FakeOdoo()
    store = fake_store(fake)
    mine = store.take_lease(a_lease("odlm.lock.voice"))
    assert fake.calls[("ir.config_parameter", "create")] == 1
    assert sum(n for (model, _), n in fake.calls.items() if model == "ir.config_parameter") == 1
    held = store.take_lease(a_lease("odlm.lock.voice", "theirs"))
    assert held == mine
    assert fake.calls[("ir.config_parameter", "search_read")] == 1
    store.drop_lease(mine)
    assert fake.calls[("ir.config_parameter", "unlink")] == 1
    assert fake.models["ir.config_parameter"] == {}


def test_a_held_key_is_refused_over_xmlrpc_as_odoo_refuses_it() -> None:
    fake = FakeOdoo()
    with serve(fake, password="s3cret-pw") as (url, _):
        first, second = over_xmlrpc(url), over_xmlrpc(url)
        mine = first.take_lease(a_lease("odlm.lock.voice"))
        # Odoo answers the second create with PostgreSQL's UniqueViolation; the store
        # reads the key and gives the holder back.
        assert second.take_lease(a_lease("odlm.lock.voice", "theirs")) == mine
        (record,) = fake.models["ir.config_parameter"].values()
        assert record["key"] == "odlm.lock.voice" and '"token": "mine"' in record["value"]
        first.drop_lease(mine)
        assert second.take_lease(a_lease("odlm.lock.voice", "theirs")).token == "theirs"


def test_a_create_whose_answer_was_lost_finds_its_own_lease() -> None:
    fake = FakeOdoo()
    with serve(fake, password="s3cret-pw") as (url, state):
        state.drop_answer[("ir.config_parameter", "create")] = {1}
        lease = over_xmlrpc(url).take_lease(a_lease("odlm.lock.voice"))
    # Created once, its answer lost: the key holds this very lease, not sent twice.
    assert lease.token == "mine" and lease.record_id is not None
    assert fake.calls[("ir.config_parameter", "create")] == 1
    assert len(fake.models["ir.config_parameter"]) == 1


def test_a_foreign_parameter_under_the_key_is_named() -> None:
    fake = FakeOdoo()
    fake.models["ir.config_parameter"][7] = {"id": 7, "key": "odlm.lock.voice", "value": "x"}
    with pytest.raises(CrmError, match=r"the CRM holds 'odlm\.lock\.voice', which is not an odlm"):
        fake_store(fake).take_lease(a_lease("odlm.lock.voice"))


def test_a_user_without_access_to_system_parameters_gets_the_refusal() -> None:
    fake = FakeOdoo()
    denied = odoo_fault(
        "odoo.exceptions.AccessError",
        "You are not allowed to access 'System Parameter' (ir.config_parameter) records.",
    )
    with serve(fake, password="s3cret-pw") as (url, state):
        state.fault_on[("ir.config_parameter", "create")] = denied
        state.fault_on[("ir.config_parameter", "search_read")] = denied
        with pytest.raises(OdooRefused, match=r"AccessError: You are not allowed"):
            over_xmlrpc(url).take_lease(a_lease("odlm.lock.voice"))
