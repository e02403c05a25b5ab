"""The CrmStore contract against a real Odoo, when ODLM_TEST_ODOO_* names one.

The tests create their own users, team, partner, tags, sources, leads and
activities over RPC, and the custom lead fields (``x_status`` ...) when the
server lacks them, map the logical fields to them, and remove all of it
afterwards. Record ids on a server are not the contract's seed ids, so the
store under test is wrapped in `SeedIds`, which translates ids both ways
and keeps every search to the test's own leads.

The set-up speaks the server's dialect: JSON-2's named arguments (create's
``vals_list``) or XML-RPC's positional ones, ``group_ids`` (Odoo 19) or
``groups_id`` (up to 18) for a user's groups, and the Sales group given to
every salesperson explicitly (Odoo 19 gives a user created over RPC none).
With ODLM_TEST_ODOO_API_KEY set, Odoo 19 and later are tested over JSON-2
(`test_the_protocol_is_json2_on_odoo_19_given_an_api_key` checks it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from odoo_lead_manager.config.fields import FieldMap, configured_mapping
from odoo_lead_manager.crm.odoo.connect import (
    Connection,
    OdooSettings,
    connect,
    resolve_fields,
    server_dialect,
)
from odoo_lead_manager.crm.odoo.store import OdooStore
from odoo_lead_manager.crm.odoo.transport import OdooRefused, Transport
from odoo_lead_manager.crm.store import LeadValues, Lease
from odoo_lead_manager.domain.model import Domain, Lead, LeadState, Team, TeamMember, User
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment
from odoo_lead_manager.pipeline.finding.filters import LeadFilter, activity_deadline_filter
from odoo_lead_manager.pipeline.finding.finder import Pipeline
from odoo_lead_manager.snapshot.leads import find_in_store
from tests.crm.contract import SEED_LEADS, SEED_TEAMS, SEED_USERS, CrmStoreContract
from tests.crm.live_assignment import OdooAssignmentSwitch

ENV = ("ODLM_TEST_ODOO_URL", "ODLM_TEST_ODOO_DB", "ODLM_TEST_ODOO_USER", "ODLM_TEST_ODOO_PASSWORD")
API_KEY = "ODLM_TEST_ODOO_API_KEY"  # optional: with it, Odoo 19+ is spoken to over JSON-2
PROTOCOL = "ODLM_TEST_ODOO_PROTOCOL"  # optional: jsonrpc, xmlrpc or json2 instead of auto
MISSING = [name for name in ENV if not os.environ.get(name)]

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"no Odoo to test against: set {', '.join(MISSING)}"
)

CUSTOM_FIELDS = {
    "status": ("x_status", "char", None),
    "source_date": ("x_source_date", "date", None),
    "open_user_id": ("x_open_user_id", "many2one", "res.users"),
    "closer_id": ("x_closer_id", "many2one", "res.users"),
}
PREFIX = "odlm-test"
USER_FIELDS = ("user_id", "open_user_id", "closer_id")
# A CRM full of real data may already have users and teams named like the seed
# ("Alice Smith", "Voice"): the test's own get this run's token, and the
# wrapper below speaks the seed's names to the contract.
TOKEN = f"~{PREFIX}-{uuid.uuid4().hex[:8]}"


def unique_name(name: str) -> str:
    return f"{name} {TOKEN}"


def unique_login(login: str) -> str:
    return f"{login}{TOKEN}"


def seed_name(name: str) -> str:
    return name.removesuffix(f" {TOKEN}")


def seed_login(login: str) -> str:
    return login.removesuffix(TOKEN)


SEED_NAMES = {u.name for u in SEED_USERS} | {t.name for t in SEED_TEAMS}
SEED_LOGINS = {u.login for u in SEED_USERS}


def to_server(field: str, value: Any) -> Any:
    """A user or team name or login of the seed as it is on the server (patterns as they are)."""
    if isinstance(value, list | tuple):
        return [to_server(field, v) for v in value]
    if field in ("name", "team") and value in SEED_NAMES:
        return unique_name(value)
    if field == "login" and value in SEED_LOGINS:
        return unique_login(value)
    return value


class SeedIds:
    """A store whose ids are the contract's seed ids, restricted to the seeded leads."""

    def __init__(self, store: OdooStore, ids: Mapping[str, Mapping[int, int]]) -> None:
        self.store = store
        self.forward = ids
        self.back = {kind: {v: k for k, v in table.items()} for kind, table in ids.items()}

    def _fwd(self, kind: str, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [self._fwd(kind, v) for v in value]
        if isinstance(value, bool) or not isinstance(value, int):
            return value  # unset, or a wrong value the store must refuse itself
        # An id the seed does not know stands for a record that does not exist.
        return self.forward[kind].get(value, 10**9 + value)

    def _bk(self, kind: str, value: int | None) -> int | None:
        return None if value is None else self.back[kind].get(value, value)

    def _kind(self, field: str) -> str | None:
        if field == "id":
            return "lead"
        if field in USER_FIELDS:
            return "user"
        return {"team_id": "team", "partner_id": "partner"}.get(field)

    def _domain(self, domain: Domain) -> Domain:
        mapped: Domain = [("id", "in", sorted(self.forward["lead"].values()))]
        for term in domain:
            if isinstance(term, tuple):
                field, operator, value = term
                kind = self._kind(field)
                mapped.append((field, operator, self._fwd(kind, value) if kind else value))
            else:
                mapped.append(term)
        return mapped

    def _lead(self, lead: Lead) -> Lead:
        return replace(
            lead,
            id=self._bk("lead", lead.id) or 0,
            user_id=self._bk("user", lead.user_id),
            open_user_id=self._bk("user", lead.open_user_id),
            closer_id=self._bk("user", lead.closer_id),
            team_id=self._bk("team", lead.team_id),
            partner_id=self._bk("partner", lead.partner_id),
        )

    def _user(self, user: User) -> User:
        return replace(
            user,
            id=self._bk("user", user.id) or 0,
            name=seed_name(user.name),
            login=seed_login(user.login),
            team_id=self._bk("team", user.team_id),
        )

    def find_users(self, names: Collection[str]) -> list[User]:
        asked = {to_server("name", n) for n in names} | {to_server("login", n) for n in names}
        found = self.store.find_users(sorted(asked))
        mine = [self._user(u) for u in found if u.id in self.back["user"]]
        wanted = set(names)
        return sorted((u for u in mine if {u.name, u.login} & wanted), key=lambda u: u.id)

    def count_model(
        self, model: str, domain: Domain, group_by: Sequence[str]
    ) -> dict[tuple[Any, ...], int]:
        return self.store.count_model(model, domain, group_by)

    def utm_source_names(self) -> list[str]:
        return self.store.utm_source_names()

    def lead_assignment(self) -> LeadAssignment:
        found = self.store.lead_assignment()
        teams = tuple(
            replace(t, id=self._bk("team", t.id) or 0, name=seed_name(t.name))
            for t in found.teams
            if t.id in self.back["team"]
        )
        return replace(found, teams=teams)

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        found = self.store.users_by_id(self._fwd("user", list(ids)))
        return sorted((self._user(u) for u in found), key=lambda u: u.id)

    def search_users(self, domain: Domain) -> list[User]:
        mapped: Domain = [("id", "in", sorted(self.forward["user"].values()))]
        for term in domain:
            if isinstance(term, tuple):
                field, operator, value = term
                kind = {"id": "user", "team_id": "team"}.get(field)
                if kind:
                    value = self._fwd(kind, value)
                elif operator in ("=", "!=", "in", "not in"):
                    value = to_server(field, value)
                mapped.append((field, operator, value))
            else:
                mapped.append(term)
        found = self.store.search_users(mapped)
        return sorted((self._user(u) for u in found), key=lambda u: u.id)

    def find_teams(self, names: Collection[str]) -> list[Team]:
        teams = [
            replace(
                t,
                id=self._bk("team", t.id) or 0,
                name=seed_name(t.name),
                member_ids=tuple(sorted(self._bk("user", m) or 0 for m in t.member_ids)),
            )
            for t in self.store.find_teams([to_server("team", n) for n in names])
            if t.id in self.back["team"]
        ]
        return sorted(teams, key=lambda t: t.id)

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        found = self.store.team_members(self._fwd("team", list(team_ids)))
        return [
            replace(
                m,
                team_id=self._bk("team", m.team_id) or 0,
                user_id=self._bk("user", m.user_id) or 0,
            )
            for m in found
        ]

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        found = self.store.match_leads(domain, self._fwd("lead", list(ids)))
        return sorted(self._bk("lead", i) or 0 for i in found)

    def search_leads(
        self, domain: Domain, page_size: int = 5000, unread: Collection[str] = ()
    ) -> Iterator[Lead]:
        found = self.store.search_leads(self._domain(domain), page_size, unread)
        return (self._lead(x) for x in found)

    def read_leads(self, ids: Collection[int]) -> list[Lead]:
        return [self._lead(x) for x in self.store.read_leads(self._fwd("lead", list(ids)))]

    def read_values(self, ids: Collection[int], fields: Collection[str]) -> dict[int, LeadState]:
        found = self.store.read_values(self._fwd("lead", list(ids)), fields)
        return {
            self._bk("lead", lead_id) or 0: {
                f: self._bk(kind, v) if (kind := self._kind(f)) else v for f, v in state.items()
            }
            for lead_id, state in found.items()
        }

    def lead_ids(self, domain: Domain) -> list[int]:
        found = self.store.lead_ids(self._domain(domain))
        return sorted(self._bk("lead", i) or 0 for i in found)

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> dict[tuple[Any, ...], int]:
        counts = self.store.count_leads(self._domain(domain), group_by)
        result: dict[tuple[Any, ...], int] = {}
        for key, count in counts.items():
            kinds = [self._kind(f) for f in group_by]
            result[tuple(self._bk(k, v) if k else v for k, v in zip(kinds, key, strict=True))] = (
                count
            )
        return result

    def write_leads(self, ids: Sequence[int], values: LeadValues) -> None:
        mapped = {f: self._fwd(k, v) if (k := self._kind(f)) else v for f, v in values.items()}
        self.store.write_leads(self._fwd("lead", list(ids)), mapped)

    def take_lease(self, lease: Lease) -> Lease:
        return self.store.take_lease(lease)  # leases hold no record ids of the seed

    def drop_lease(self, lease: Lease) -> None:
        self.store.drop_lease(lease)

    def close(self) -> None:
        self.store.close()


class Server:
    """Setup and cleanup over RPC, remembering everything it created."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        self.created: list[tuple[str, list[int]]] = []
        # Records found or made by name (tags, sources, stages): another live run on
        # the same database may use them too, so their removal is best effort.
        self.shared: set[tuple[str, int]] = set()

    def create(
        self, model: str, values: list[dict[str, Any]], context: dict[str, Any] | None = None
    ) -> list[int]:
        """Create records (one call) and remember them for `cleanup`."""
        if self.t.protocol == "json2":
            # JSON-2 takes named arguments only, and `ids` is the recordset:
            # create's list of values is its argument `vals_list`.
            ids = self.t.call(model, "create", None, vals_list=values, context=context or {})
        else:
            # XML-RPC's positional slot (the transport's ids) carries create's values.
            ids = self.t.call(model, "create", values, context=context or {})
        ids = ids if isinstance(ids, list) else [ids]
        self.created.append((model, ids))
        return ids

    def create_users(self, values: list[dict[str, Any]]) -> list[int]:
        """Users, one by one: each is registered for cleanup (with its partner) as it exists."""
        return [self.create("res.users", [one])[0] for one in values]

    def named(self, model: str, name: str) -> int:
        """The record of this name: the server's own if it has one (left alone), else made."""
        for attempt in range(2):
            found = self.t.call(model, "search", None, domain=[("name", "=", name)], limit=1)
            if found:
                return int(found[0])
            try:
                made = self.create(model, [{"name": name}])[0]
            except OdooRefused:
                if attempt:  # not a concurrent run that made it first ("name already exists")
                    raise
                continue
            self.shared.add((model, made))
            return made
        raise AssertionError("unreachable")

    def cleanup(self) -> None:
        """Remove what was created, newest first; a user's own partner goes with it.

        Every group is tried even when one fails; the first failure is raised at the end.
        """
        failure: Exception | None = None
        for model, ids in reversed(self.created):
            try:
                self._remove(model, ids)
            except Exception as exc:  # remove the rest, report the first
                if not all((model, i) in self.shared for i in ids):
                    failure = failure or exc
        self.created.clear()
        self.shared.clear()
        if failure is not None:
            raise failure

    def _existing(self, model: str, ids: list[int]) -> list[int]:
        found = self.t.call(model, "search", None, domain=[("id", "in", ids)],
                            context={"active_test": False})  # fmt: skip
        return [int(i) for i in found]

    def _remove(self, model: str, ids: list[int]) -> None:
        existing = self._existing(model, ids)
        if not existing:
            return
        partners: list[int] = []
        if model == "res.users":
            rows = self.t.call(model, "read", existing, fields=["partner_id"],
                               context={"active_test": False})  # fmt: skip
            partners = sorted({row["partner_id"][0] for row in rows if row.get("partner_id")})
        self.t.call(model, "unlink", existing)
        if partners and (left := self._existing("res.partner", partners)):
            self.t.call("res.partner", "unlink", left)


def xmlid(transport: Transport, module: str, name: str) -> int:
    """The database id of the record ``module.name``."""
    found = transport.call(
        "ir.model.data", "search_read", None,
        domain=[("module", "=", module), ("name", "=", name)], fields=["res_id"],
    )  # fmt: skip
    assert found, f"no {module}.{name} on this server"
    return int(found[0]["res_id"])


def group_field(transport: Transport) -> str:
    """res.users' field of the groups given to a user: ``groups_id`` up to 18, ``group_ids`` on 19."""
    found = transport.call(
        "res.users", "fields_get", None, allfields=["groups_id", "group_ids"], attributes=["type"]
    )
    return "group_ids" if "group_ids" in found else "groups_id"


def user_groups(transport: Transport, salesperson: bool) -> dict[str, Any]:
    """The create values that make a user a salesperson, or a portal user who may own no leads.

    Odoo 17 gives a user created over RPC the default internal groups (Sales
    among them); Odoo 19 gives one created without groups no Sales group, so
    a salesperson gets it explicitly on every version.
    """
    field = group_field(transport)
    if salesperson:
        return {field: [(4, xmlid(transport, "sales_team", "group_sale_salesman"))]}
    return {field: [(6, 0, [xmlid(transport, "base", "group_portal")])]}


def live_settings() -> OdooSettings:
    """The Odoo the ODLM_TEST_ODOO_* variables name: JSON-2 on Odoo 19 and later when
    ODLM_TEST_ODOO_API_KEY is set, JSON-RPC otherwise (``protocol: auto``), or the
    protocol ODLM_TEST_ODOO_PROTOCOL names (``xmlrpc``: the suite over XML-RPC)."""
    return OdooSettings(
        protocol=os.environ.get(PROTOCOL) or "auto",
        url=os.environ["ODLM_TEST_ODOO_URL"],
        database=os.environ["ODLM_TEST_ODOO_DB"],
        username=os.environ["ODLM_TEST_ODOO_USER"],
        secret=os.environ["ODLM_TEST_ODOO_PASSWORD"],
        api_key=os.environ.get(API_KEY) or None,
    )


def live_connection() -> Connection:
    """A connection to the Odoo the ODLM_TEST_ODOO_* variables name."""
    return connect(live_settings())


def live_store(connection: Connection, fields: FieldMap) -> OdooStore:
    """The store of a run on this server: its version's field and method names."""
    return OdooStore(connection.transport, fields, dialect=server_dialect(connection))


def ensure_custom_fields(transport: Transport, server: Server) -> int:
    """The custom lead fields the tests map to (created, and removed later, when missing);
    returns crm.lead's ir.model id."""
    existing = transport.call("crm.lead", "fields_get", None, attributes=["type"])
    model_id = int(
        transport.call("ir.model", "search", None, domain=[("model", "=", "crm.lead")])[0]
    )
    missing = [spec for spec in CUSTOM_FIELDS.values() if spec[0] not in existing]
    if missing:
        server.create("ir.model.fields", [
            {"name": name, "model_id": model_id, "ttype": kind, "field_description": name,
             **({"relation": relation} if relation else {})}
            for name, kind, relation in missing
        ])  # fmt: skip
    return model_id


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Connection, dict[str, dict[int, int]], dict[str, str | None]]]:
    connection = live_connection()
    transport = connection.transport
    server = Server(transport)
    try:
        ensure_custom_fields(transport, server)
        ids: dict[str, dict[int, int]] = {"team": {}, "user": {}, "partner": {}}
        for team in SEED_TEAMS:
            ids["team"][team.id] = server.create("crm.team", [{"name": unique_name(team.name)}])[0]
        salesperson, portal = user_groups(transport, True), user_groups(transport, False)
        for user in SEED_USERS:
            values: dict[str, Any] = {
                "name": unique_name(user.name),
                "login": unique_login(user.login),
                **(salesperson if user.may_own_leads else portal),
            }
            ids["user"][user.id] = server.create_users([values])[0]
        ids["partner"][10] = server.create("res.partner", [{"name": f"{PREFIX} partner"}])[0]
        for team in SEED_TEAMS:
            if not team.active:
                transport.call("crm.team", "write", [ids["team"][team.id]], vals={"active": False})
        for user in SEED_USERS:
            if user.team_id:
                server.create("crm.team.member", [{"crm_team_id": ids["team"][user.team_id],
                                                   "user_id": ids["user"][user.id]}])  # fmt: skip
            if not user.active:
                transport.call("res.users", "write", [ids["user"][user.id]], vals={"active": False})
        mapping = configured_mapping({k: v[0] for k, v in CUSTOM_FIELDS.items()})
        yield connection, ids, mapping
    finally:
        server.cleanup()


class TestOdooStoreLiveContract(CrmStoreContract):
    @pytest.fixture
    def store(self, live: Any) -> Iterator[SeedIds]:
        connection, ids, mapping = live
        transport = connection.transport
        leads = Server(transport)
        fields, problems = resolve_fields(transport, mapping)
        assert problems == []
        lead_ids: dict[int, int] = {}
        try:
            for lead in SEED_LEADS:
                user = ids["user"]
                values = {
                    "name": lead.name, "type": lead.type, "active": lead.active,
                    "x_status": lead.status or False,
                    "x_source_date": lead.source_date.isoformat() if lead.source_date else False,
                    "user_id": user[lead.user_id] if lead.user_id else False,
                    "team_id": ids["team"][lead.team_id] if lead.team_id else False,
                    "partner_id": ids["partner"][lead.partner_id] if lead.partner_id else False,
                    "email_from": lead.email or False, "phone": lead.phone or False,
                    "priority": str(lead.priority),
                    "source_id": leads.named("utm.source", lead.source) if lead.source else False,
                    "campaign_id": leads.named("utm.campaign", lead.campaign) if lead.campaign else False,
                    "tag_ids": [(6, 0, [leads.named("crm.tag", t) for t in lead.tags])],
                }  # fmt: skip
                if lead.stage:
                    values["stage_id"] = leads.named("crm.stage", lead.stage)
                context = {"tracking_disable": True, "mail_create_nolog": True}
                lead_ids[lead.id] = leads.create("crm.lead", [values], context)[0]
                if lead.activity_date_deadline:
                    model_id = transport.call(
                        "ir.model", "search", None, domain=[("model", "=", "crm.lead")]
                    )[0]
                    leads.create("mail.activity", [{
                        "res_model_id": model_id, "res_id": lead_ids[lead.id],
                        "date_deadline": lead.activity_date_deadline.isoformat(),
                        "summary": PREFIX, "user_id": transport.uid,
                    }])  # fmt: skip
            yield SeedIds(live_store(connection, fields), {**ids, "lead": lead_ids})
        finally:
            leads.cleanup()

    @pytest.fixture
    def assignment_switch(self, live: Any) -> Iterator[Callable[[bool, bool], None]]:
        switch = OdooAssignmentSwitch(live[0].transport)
        try:
            yield switch
        finally:
            switch.restore()


def test_the_activity_deadline_count_is_exact_on_the_server(live: Any) -> None:
    """Leads with no activity, one on either side of the limit, or both: counted exactly.

    Odoo turns a negated search on the computed ``activity_date_deadline``
    into ``>=``, which would count the lead with activities on both sides
    as protected (and the one with none as not): the finder counts by
    difference instead.
    """
    connection, _, mapping = live
    transport = connection.transport
    fields, problems = resolve_fields(transport, mapping)
    assert problems == []
    server = Server(transport)
    today = date.today()
    before, after = (
        (today - timedelta(days=10)).isoformat(),
        (today + timedelta(days=5)).isoformat(),
    )
    cases = {"none": [], "old": [before], "future": [after], "both": [before, after]}
    try:
        model_id = transport.call("ir.model", "search", None, domain=[("model", "=", "crm.lead")])[
            0
        ]
        ids = {}
        for name, deadlines in cases.items():
            values = {"name": f"{PREFIX}-deadline-{name}-{uuid.uuid4().hex[:8]}", "user_id": False}
            ids[name] = server.create("crm.lead", [values], {"tracking_disable": True})[0]
            for deadline in deadlines:
                server.create("mail.activity", [{
                    "res_model_id": model_id, "res_id": ids[name], "date_deadline": deadline,
                    "summary": PREFIX, "user_id": transport.uid,
                }])  # fmt: skip
        store = live_store(connection, fields)
        mine: Domain = [("id", "in", sorted(ids.values()))]
        window = LeadFilter("Only this test's leads", lambda lead: True, mine)
        rule = activity_deadline_filter(today, 4, exclude_missing=False)
        result = find_in_store(store, [], Pipeline(window, [rule]), page_size=10)
        assert sorted(x.id for x in result.leads) == sorted([ids["none"], ids["old"], ids["both"]])
        assert result.excluded[rule.name] == 1 and result.examined == 4
    finally:
        server.cleanup()


def test_the_protocol_is_json2_on_odoo_19_given_an_api_key() -> None:
    """The suite tests the protocol it means to: JSON-2 on 19+ with a key, JSON-RPC
    otherwise, unless ODLM_TEST_ODOO_PROTOCOL names one."""
    connection = live_connection()
    newer = connection.version_major is not None and connection.version_major >= 19
    expected = os.environ.get(PROTOCOL) or (
        "json2" if newer and os.environ.get(API_KEY) else "jsonrpc"
    )
    assert connection.transport.protocol == expected, connection.server_version
