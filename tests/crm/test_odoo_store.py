"""The Odoo store passes the CrmStore contract: over the in-memory fake of Odoo 17
and of Odoo 19, in memory and over real HTTP (XML-RPC on both, JSON-2 on 19);
over a real Odoo when ODLM_TEST_ODOO_* is set (test_odoo_live.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from odoo_lead_manager.config.fields import FieldMap, configured_mapping
from odoo_lead_manager.crm.odoo.dialect import ODOO_17, ODOO_19, dialect_for
from odoo_lead_manager.crm.odoo.store import OdooStore, WriteOptions
from odoo_lead_manager.crm.odoo.transport import (
    Json2Transport,
    JsonRpcTransport,
    OdooRefused,
    RetryPolicy,
    Transport,
    XmlRpcTransport,
)
from odoo_lead_manager.errors import CrmError
from tests.crm.contract import ALL, SEED_LEADS, SEED_TEAMS, SEED_USERS, CrmStoreContract, a_lease
from tests.crm.fake_odoo import LEAD_FIELDS, FakeOdoo
from tests.crm.xmlrpc_fake_server import odoo_fault, serve


def fake_store(fake: FakeOdoo, options: WriteOptions | None = None) -> OdooStore:
    fields, problems = FieldMap.resolve(configured_mapping({}), LEAD_FIELDS)
    assert problems == []
    fake.authenticate()
    return OdooStore(fake, fields, options, dialect_for(fake.version_major))


# (Odoo version, how the store reaches the fake): JSON-2 exists from 19 on only.
SETUPS = [
    (17, "memory"),
    (19, "memory"),
    (17, "xmlrpc"),
    (19, "xmlrpc"),
    (17, "jsonrpc"),
    (19, "jsonrpc"),
    (19, "json2"),
]


class TestOdooStoreOverFakeContract(CrmStoreContract):
    @pytest.fixture(params=SETUPS, ids=[f"odoo{v}-{how}" for v, how in SETUPS])
    def store(self, request: pytest.FixtureRequest) -> Iterator[OdooStore]:
        version, how = request.param
        fake = FakeOdoo(version=version)
        fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
        self.fake = fake
        if how == "memory":
            yield fake_store(fake)
        else:
            with serve(fake, password="s3cret-pw") as (url, _):
                yield served_store(url, how, version)
        # Nothing a run sends is deprecated on its version (19's read_group).
        assert fake.deprecated == {}

    @pytest.fixture
    def assignment_switch(self, store: OdooStore) -> Callable[[bool, bool], None]:
        return self.fake.set_lead_assignment


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


@pytest.mark.parametrize("version", [17, 19])
def test_read_backs_skip_display_names_unless_a_field_is_compared_by_name(version: int) -> None:
    fake = FakeOdoo(version=version)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    store = fake_store(fake)
    states = store.read_values([1, 2], ["user_id", "team_id", "status"])
    assert fake.loads[-1] == ("crm.lead", "")  # ids alone: no related record's name is read
    leads = {lead.id: lead for lead in store.read_leads([1, 2])}
    assert states[1]["user_id"] == leads[1].user_id and states[2]["team_id"] == leads[2].team_id
    fields, problems = FieldMap.resolve(configured_mapping({"status": "stage_id"}), LEAD_FIELDS)
    assert problems == []
    by_stage = OdooStore(fake, fields, None, dialect_for(version))
    staged = by_stage.read_values([1, 2], ["user_id", "status"])
    assert fake.loads[-1] == ("crm.lead", "_classic_read")  # the stage's name is the status
    assert staged[1]["status"] == by_stage.read_leads([1])[0].status
    assert staged[1]["user_id"] == leads[1].user_id


def test_lead_pages_come_with_bare_ids_and_each_name_is_read_once() -> None:
    fake = FakeOdoo()
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    store = fake_store(fake)
    leads = list(store.search_leads(ALL, page_size=2))
    assert [lead.id for lead in leads] == [lead.id for lead in SEED_LEADS]
    pages = fake.calls[("crm.lead", "search_read")]
    assert pages == 5 and {load for model, load in fake.loads if model == "crm.lead"} == {""}
    for model in ("crm.stage", "utm.source", "utm.campaign"):
        assert 1 <= fake.calls[(model, "search_read")] <= pages
    expected = {lead.id: lead for lead in SEED_LEADS}
    for lead in leads:
        seeded = expected[lead.id]
        assert (lead.stage, lead.source, lead.campaign) == (
            seeded.stage,
            seeded.source,
            seeded.campaign,
        )
    # Names already read cost nothing the next time.
    before = sum(fake.calls.values())
    assert list(store.search_leads(ALL)) == leads
    assert sum(fake.calls.values()) == before + 1


def test_names_a_user_may_not_read_come_from_odoo_as_before() -> None:
    # Odoo reads a lead's display names as superuser: a user who may read leads but
    # not sources still gets their names, from a read with Odoo's own names.
    fake = FakeOdoo()
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    expected = list(fake_store(fake).search_leads(ALL))
    with serve(fake, password="s3cret-pw") as (url, state):
        state.fault_on[("utm.source", "search_read")] = odoo_fault(
            "odoo.exceptions.AccessError", "You are not allowed to access 'UTM Source' records."
        )
        store = served_store(url, "jsonrpc", 17)
        fake.loads.clear()
        assert list(store.search_leads(ALL, page_size=3)) == expected
        # The first page once with bare ids, then every page with Odoo's names.
        loads = [load for model, load in fake.loads if model == "crm.lead"]
        assert loads == ["", "_classic_read", "_classic_read", "_classic_read"]


def served_store(url: str, protocol: str, version: int) -> OdooStore:
    """An Odoo store over a real transport of ``protocol``, to the fake served at ``url``."""
    retry = RetryPolicy(sleep=lambda _s: None)
    transport: Transport
    if protocol == "json2":
        transport = Json2Transport(url, "crm", "admin", "k3y-secret", timeout=5, retry=retry)
    else:
        kind = JsonRpcTransport if protocol == "jsonrpc" else XmlRpcTransport
        transport = kind(url, "crm", "admin", "s3cret-pw", timeout=5, retry=retry)
    transport.authenticate()
    fields, problems = FieldMap.resolve(configured_mapping({}), LEAD_FIELDS)
    assert problems == []
    return OdooStore(transport, fields, dialect=dialect_for(version))


def over_xmlrpc(url: str) -> OdooStore:
    """An Odoo 17 store over the real XML-RPC transport, to the fake served at ``url``."""
    return served_store(url, "xmlrpc", 17)


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


# Each version's dialect, and the fake refusing the other's (issue 23).


@pytest.mark.parametrize("version", [17, 19])
def test_sales_rights_come_from_the_implied_groups(version: int) -> None:
    fake = FakeOdoo(version=version)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    (alice,) = fake_store(fake).users_by_id([1])
    assert alice.may_own_leads
    # On 19 the explicit groups hold only "Sales / Administrator", as a real
    # administrator's do: reading them would take the sales rights away.
    record = fake.models["res.users"][1]
    if version == 19:
        assert record["group_ids"] == [51] and 50 in record["all_group_ids"]
    else:
        assert 50 in record["groups_id"]


@pytest.mark.parametrize(
    ("version", "dialect", "refusal"),
    [
        (19, ODOO_17, "ValueError: Invalid field 'groups_id' on 'res.users'"),
        (17, ODOO_19, "ValueError: Invalid field 'all_group_ids' on model 'res.users'"),
    ],
)
def test_the_other_versions_user_fields_are_refused(
    version: int, dialect: object, refusal: str
) -> None:
    fake = FakeOdoo(version=version)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    store = fake_store(fake)
    store.dialect = dialect  # type: ignore[assignment]
    with pytest.raises(OdooRefused, match=refusal):
        store.users_by_id([1])


def test_odoo_19_counts_with_formatted_read_group_and_17_with_read_group() -> None:
    counts = {}
    for version in (17, 19):
        fake = FakeOdoo(version=version)
        fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
        store = fake_store(fake)
        counts[version] = store.count_leads([], ["user_id", "status"])
        method = "formatted_read_group" if version == 19 else "read_group"
        assert fake.calls[("crm.lead", method)] == 1 and fake.deprecated == {}
    assert counts[17] == counts[19]
    old = FakeOdoo(version=17)
    with pytest.raises(OdooRefused, match="The method 'formatted_read_group' does not exist"):
        old.call("crm.lead", "formatted_read_group", None, domain=[], groupby=["user_id"])
    new = FakeOdoo(version=19)
    new.call("crm.lead", "read_group", None, domain=[], fields=["user_id"], groupby=["user_id"])
    assert new.deprecated == {("crm.lead", "read_group"): 1}  # answered, and counted


@pytest.mark.parametrize(
    ("method", "body", "message"),
    [
        (
            "search_read",
            {"ids": [1], "domain": []},
            "cannot call crm.lead.search_read with ids",
        ),
        ("create", {"ids": [{"name": "x"}]}, "cannot call crm.lead.create with ids"),
        ("create", {"vals": [{"name": "x"}]}, "missing a required argument: 'vals_list'"),
        ("search_count", {"args": [[]]}, "missing a required argument: 'domain'"),
        ("search_count", {"domain": [], "args": []}, "got an unexpected keyword argument 'args'"),
        ("write", {"ids": [1], "values": {}}, "missing a required argument: 'vals'"),
    ],
)
def test_json2_applies_its_argument_rules(
    method: str, body: dict[str, object], message: str
) -> None:
    fake = FakeOdoo(version=19)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    with serve(fake, api_key="k3y-secret") as (url, _):
        transport = Json2Transport(url, "crm", "admin", "k3y-secret", timeout=5)
        ids = body.pop("ids", None)
        with pytest.raises(OdooRefused, match=f"UnprocessableEntity: {message}"):
            transport.call("crm.lead", method, ids, **body)  # type: ignore[arg-type]
    assert fake.calls[("crm.lead", method)] == 0  # refused before the method ran


def test_json2_takes_named_arguments_and_ids_on_record_methods() -> None:
    fake = FakeOdoo(version=19)
    fake.load(SEED_TEAMS, SEED_USERS, SEED_LEADS)
    with serve(fake, api_key="k3y-secret") as (url, _):
        transport = Json2Transport(url, "crm", "admin", "k3y-secret", timeout=5)
        assert transport.call("crm.lead", "write", [1], vals={"status": "Utr"}) is True
        assert transport.call("crm.lead", "search_count", [], domain=[("status", "=", "Utr")]) == 2
        created = transport.call(
            "ir.config_parameter", "create", None, vals_list=[{"key": "k", "value": "v"}]
        )
        assert created == [1]


def test_odoo_17_has_no_json2() -> None:
    fake = FakeOdoo(version=17)
    with serve(fake, api_key="k3y-secret") as (url, _):
        transport = Json2Transport(url, "crm", "admin", "k3y-secret", timeout=5)
        # 17 answers /json/2 with its HTML 404 page (the transport words it).
        with pytest.raises(CrmError):
            transport.call("crm.lead", "search_count", None, domain=[])
    assert fake.calls[("crm.lead", "search_count")] == 0
