"""The Odoo store passes the CrmStore contract: over the in-memory fake always,
over a real Odoo when ODLM_TEST_ODOO_* is set."""

from __future__ import annotations

import pytest

from odoo_lead_manager.crm.odoo.fields import FieldMap, configured_mapping
from odoo_lead_manager.crm.odoo.store import OdooStore, WriteOptions

from .contract import SEED_LEADS, SEED_TEAMS, SEED_USERS, CrmStoreContract
from .fake_odoo import LEAD_FIELDS, FakeOdoo


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
