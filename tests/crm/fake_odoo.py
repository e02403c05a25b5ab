"""An in-memory stand-in for an Odoo 17 or 19 server, at the transport level.

It answers the calls `OdooStore` makes with Odoo's value shapes and Odoo's
domain semantics as recorded in ODOO_NOTES.md (``False`` for empty,
many2one as ``[id, name]``, ``!=``/``not in`` matching unset values,
``active_test``), and counts every call, so that tests can check both the
translation layer and the number of round trips without a server.

``FakeOdoo(version=17)`` and ``FakeOdoo(version=19)`` speak each version's
dialect as the real servers do (shared/odoo19/README.md §5): a field or
method of the other version is refused with that server's words, e.g.
19's "Invalid field 'groups_id' on 'res.users'" and 17's "The method
'formatted_read_group' does not exist". 19 still answers the deprecated
``read_group`` but counts each call in ``deprecated``. `json2_refusal`
holds JSON-2's argument rules, for the HTTP stand-in's JSON-2 endpoint.
"""

from __future__ import annotations

import inspect
import operator
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from odoo_lead_manager.crm.odoo.transport import OdooRefused
from odoo_lead_manager.domain.model import Lead, Team, User

M2O = {
    "user_id": "res.users",
    "open_user_id": "res.users",
    "closer_id": "res.users",
    "team_id": "crm.team",
    "source_id": "utm.source",
    "campaign_id": "utm.campaign",
    "stage_id": "crm.stage",
    "partner_id": "res.partner",
}
LEAD_FIELDS: dict[str, dict[str, Any]] = {
    "id": {"type": "integer"},
    "name": {"type": "char"},
    "type": {"type": "selection"},
    "active": {"type": "boolean"},
    "status": {"type": "char"},
    "source_date": {"type": "date"},
    "create_date": {"type": "datetime"},
    "write_date": {"type": "datetime"},
    "email_from": {"type": "char"},
    "phone": {"type": "char"},
    "priority": {"type": "selection"},
    "activity_date_deadline": {"type": "date"},
    "date_open": {"type": "datetime"},
    "tag_ids": {"type": "many2many", "relation": "crm.tag"},
    **{name: {"type": "many2one", "relation": model} for name, model in M2O.items()},
}


# The id of sales_team.group_sale_salesman on this fake server, and of "Sales /
# Administrator", which implies it: users who may own leads hold the latter
# explicitly, as Odoo's own administrator does, so only a test of the implied
# groups (17's groups_id, 19's all_group_ids) finds their sales rights.
SALES_GROUP = 50
SALES_MANAGER = 51
# The fields of the other models, by version where they differ (crm.lead's are
# `FakeOdoo.lead_fields`).
MODEL_FIELDS: dict[str, frozenset[str]] = {
    "res.users": frozenset({"id", "name", "login", "active", "sale_team_id", "share"}),
    "crm.team": frozenset(
        {
            "id",
            "name",
            "active",
            "member_ids",
            "assignment_domain",
            # Computed by Odoo from its settings and the members (see `FakeOdoo._team`).
            "assignment_enabled",
            "assignment_auto_enabled",
            "assignment_optout",
            "assignment_max",
        }
    ),
    "ir.cron": frozenset(
        {"id", "name", "model_id", "code", "active", "interval_number", "interval_type", "nextcall"}
    ),
    "crm.tag": frozenset({"id", "name"}),
    "utm.source": frozenset({"id", "name"}),
    "utm.campaign": frozenset({"id", "name", "active"}),
    "res.partner": frozenset({"id", "name", "active"}),
    "crm.stage": frozenset({"id", "name"}),
    "ir.model.data": frozenset({"id", "module", "name", "res_id"}),
    "ir.config_parameter": frozenset({"id", "key", "value"}),
    # Installed by a test that needs them (`install_availability`); ir.model lists them.
    "ir.model": frozenset({"id", "model", "name"}),
    "crm.team.member": frozenset(
        {
            "id",
            "user_id",
            "crm_team_id",
            "assignment_optout",
            "assignment_max",
            "assignment_domain",
            "active",
        }
    ),
    "hr.leave": frozenset(
        {
            "id",
            "user_id",
            "state",
            "date_from",
            "date_to",
            "request_unit_half",
            "request_date_from_period",
            "active",
        }
    ),
    "resource.calendar.leaves": frozenset(
        {"id", "resource_id", "date_from", "date_to", "holiday_id"}
    ),
    "resource.resource": frozenset({"id", "name", "user_id", "active"}),
}
VERSION_FIELDS: dict[int, dict[str, frozenset[str]]] = {
    17: {"res.users": frozenset({"groups_id"}), "crm.stage": frozenset({"team_id"})},
    19: {
        "res.users": frozenset({"group_ids", "all_group_ids"}),
        "crm.stage": frozenset({"team_ids"}),
        "crm.team.member": frozenset({"assignment_domain_preferred"}),
    },
}
# Methods each version lacks: 17 has no formatted_read_group.
MISSING_METHODS: dict[int, frozenset[str]] = {
    17: frozenset({"formatted_read_group"}),
    19: frozenset(),
}


def _signature(*names: str, more: bool = False) -> inspect.Signature:
    """A method's named parameters: ``"name"`` required, ``"name?"`` with a default;
    ``more`` for a trailing ``**kwargs``."""
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [
        inspect.Parameter(
            n.rstrip("?"), keyword, default=None if n.endswith("?") else inspect.Parameter.empty
        )
        for n in names
    ]
    if more:
        parameters.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(parameters)


# Odoo 19's signatures of the methods the fake serves (``self`` left out), as
# JSON-2 binds the named arguments to them; ``MODEL_METHODS`` are the
# ``@api.model`` ones, which JSON-2 refuses to call with ``ids``.
SIGNATURES = {
    "search_read": _signature("domain?", "fields?", "offset?", "limit?", "order?", more=True),
    "search_count": _signature("domain", "limit?"),
    "read_group": _signature(
        "domain", "fields", "groupby", "offset?", "limit?", "orderby?", "lazy?"
    ),
    "formatted_read_group": _signature(
        "domain", "groupby?", "aggregates?", "having?", "offset?", "limit?", "order?"
    ),
    "fields_get": _signature("allfields?", "attributes?"),
    "context_get": _signature(),
    "search": _signature("domain", "offset?", "limit?", "order?"),
    "create": _signature("vals_list"),
    "write": _signature("vals"),
    "unlink": _signature(),
}
MODEL_METHODS = frozenset(SIGNATURES) - {"write", "unlink"}


def json2_refusal(model: str, method: str, body: Any) -> tuple[int, str, str] | None:
    """(status, exception name, message) when Odoo 19's JSON-2 refuses the body, else None.

    As ``rpc/controllers/json2.py`` decides: a JSON object of named arguments,
    ``ids`` and ``context`` reserved, no ``ids`` for a model method, and the
    rest bound to the method's signature (no positional ``args``, ``vals_list``
    for create). Texts as the real server words them.
    """
    if not isinstance(body, dict):
        return 400, "werkzeug.exceptions.BadRequest", "could not parse the body as json"
    kwargs = {k: v for k, v in body.items() if k not in ("ids", "context")}
    if body.get("ids") and method in MODEL_METHODS:
        return (
            422,
            "werkzeug.exceptions.UnprocessableEntity",
            (f"cannot call {model}.{method} with ids"),
        )
    signature = SIGNATURES.get(method)
    if signature is None:
        return None
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        return 422, "werkzeug.exceptions.UnprocessableEntity", str(exc.args[0])
    return None


# Models whose records have no ``active`` field, so no ``active_test`` applies.
NO_ACTIVE = (
    "crm.tag",
    "crm.stage",
    "utm.source",
    "ir.model.data",
    "ir.config_parameter",
    "ir.model",
    "resource.calendar.leaves",
)


class UniqueViolation(OdooRefused):
    """A create refused by a unique SQL constraint, as PostgreSQL words it to Odoo."""

    def __init__(self, model: str, constraint: str, key: str) -> None:
        self.detail = (
            f'duplicate key value violates unique constraint "{constraint}" '
            f"DETAIL: Key (key)=({key}) already exists."
        )
        super().__init__(f"Odoo refused {model}.create: UniqueViolation: {self.detail}")


def _iso(value: date | None) -> str | bool:
    if value is None:
        return False
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


class FakeOdoo:
    """One database, one logged-in user, a call counter."""

    protocol = "fake"

    def __init__(self, version: int = 17) -> None:
        if version not in VERSION_FIELDS:
            raise ValueError(f"the fake speaks Odoo {sorted(VERSION_FIELDS)}, not {version}")
        self.uid = 0
        self.version_major = version
        self.calls: Counter[tuple[str, str]] = Counter()
        # Calls of methods this version deprecates (19's read_group), by (model, method).
        self.deprecated: Counter[tuple[str, str]] = Counter()
        # How often each record was written, by (model, id): "never twice" is checked here.
        self.writes: Counter[tuple[str, int]] = Counter()
        self.contexts: list[dict[str, Any]] = []
        # The fields each search_read asked for, by model.
        self.fields_read: list[tuple[str, frozenset[str]]] = []
        # And how each loaded its relations (``load``), by model.
        self.loads: list[tuple[str, str]] = []
        self.models: dict[str, dict[int, dict[str, Any]]] = {
            m: {} for m in ("res.users", "crm.team", "crm.tag", "crm.lead", "res.partner",
                            "utm.source", "utm.campaign", "crm.stage")
        }  # fmt: skip
        self.models["ir.model.data"] = {
            1: {
                "id": 1,
                "module": "sales_team",
                "name": "group_sale_salesman",
                "res_id": SALES_GROUP,
            }
        }
        # System parameters: ``key`` is unique, as Odoo's SQL constraint key_uniq makes it.
        self.models["ir.config_parameter"] = {}
        self.parameter_ids = 0
        # Odoo's "CRM: Lead Assignment" scheduled action, inactive as crm installs it;
        # ``cron_readable`` False answers as Odoo does a user without Settings rights.
        self.models["ir.cron"] = {
            1: {"id": 1, "name": "CRM: Lead Assignment", "model_id": [1, "crm.team"],
                "code": "model._cron_assign_leads()", "active": False, "interval_number": 1,
                "interval_type": "days", "nextcall": "2026-12-08 06:00:00"},
        }  # fmt: skip
        self.cron_readable = True
        self.lead_fields = dict(LEAD_FIELDS)

    # loading ---------------------------------------------------------------

    def _named(self, model: str, name: str | None) -> list[Any] | bool:
        if not name:
            return False
        for record in self.models[model].values():
            if record["name"] == name:
                return [record["id"], name]
        new_id = len(self.models[model]) + 1
        self.models[model][new_id] = {"id": new_id, "name": name, "active": True}
        return [new_id, name]

    def _tag_id(self, name: str) -> int:
        named = self._named("crm.tag", name)
        assert isinstance(named, list)
        return int(named[0])

    def _ref(self, model: str, record_id: int | None) -> list[Any] | bool:
        if record_id is None:
            return False
        record = self.models[model].setdefault(
            record_id, {"id": record_id, "name": f"{model} {record_id}", "active": True}
        )
        return [record_id, record["name"]]

    def load(self, teams: Iterable[Team], users: Iterable[User], leads: Iterable[Lead]) -> None:
        users = list(users)
        for team in teams:
            self.models["crm.team"][team.id] = {
                "id": team.id,
                "name": team.name,
                "active": team.active,
                # A user's main team is its membership, as Odoo computes sale_team_id.
                "member_ids": sorted(
                    {*team.member_ids, *(u.id for u in users if u.team_id == team.id and u.active)}
                ),
            }
        for user in users:
            self.models["res.users"][user.id] = {
                "id": user.id,
                "name": user.name,
                "login": user.login,
                "active": user.active,
                "sale_team_id": self._ref("crm.team", user.team_id),
                "share": not user.may_own_leads,
                **self._user_groups([SALES_MANAGER] if user.may_own_leads else []),
            }
        # Each user's membership of its main team, as Odoo keeps one (with Odoo's default
        # capacity); archiving a user (a write of active) leaves it active, as on Odoo.
        members = self.models.setdefault("crm.team.member", {})
        for user in users:
            if user.team_id is not None:
                number = len(members) + 1
                members[number] = {
                    "id": number,
                    "crm_team_id": self._ref("crm.team", user.team_id),
                    "user_id": [user.id, user.name],
                    "assignment_max": 30,
                    "assignment_optout": False,
                    "assignment_domain": False,
                    "active": True,
                }
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        for x in leads:
            self.models["crm.lead"][x.id] = {
                "id": x.id, "name": x.name, "type": x.type, "active": x.active,
                "status": x.status if x.status is not None else False,
                "stage_id": self._named("crm.stage", x.stage),
                "source_date": _iso(x.source_date),
                "create_date": _iso(x.create_date) or now,
                "write_date": _iso(x.write_date) or now,
                "user_id": self._ref("res.users", x.user_id),
                "open_user_id": self._ref("res.users", x.open_user_id),
                "closer_id": self._ref("res.users", x.closer_id),
                "team_id": self._ref("crm.team", x.team_id),
                "source_id": self._named("utm.source", x.source),
                "campaign_id": self._named("utm.campaign", x.campaign),
                "tag_ids": sorted({self._tag_id(t) for t in x.tags}),
                "partner_id": self._ref("res.partner", x.partner_id),
                "email_from": x.email or False, "phone": x.phone or False,
                "priority": str(x.priority),
                "activity_date_deadline": _iso(x.activity_date_deadline),
                # As Odoo dates a lead created with a salesperson: at its creation.
                "date_open": _iso(x.date_open)
                or ((_iso(x.create_date) or now) if x.user_id is not None else False),
            }  # fmt: skip

    def _user_groups(self, explicit: list[int]) -> dict[str, list[int]]:
        """A user's group fields in this version's names; implied groups as Odoo adds them."""
        implied = sorted({1, *explicit, *([SALES_GROUP] if SALES_MANAGER in explicit else [])})
        if self.version_major >= 19:
            return {"group_ids": sorted(explicit), "all_group_ids": implied}
        # 17 writes the implied groups into groups_id itself (seen on a real server).
        return {"groups_id": implied}

    def fields_of(self, model: str) -> frozenset[str]:
        """The fields ``model`` has on this version."""
        if model == "crm.lead":
            return frozenset(self.lead_fields)
        extra = VERSION_FIELDS[self.version_major].get(model, frozenset())
        # Every model has display_name (computed: here, the record's name).
        return MODEL_FIELDS.get(model, frozenset({"id", "name"})) | extra | {"display_name"}

    def _fields_get(self, model: str, allfields: list[str] | None) -> dict[str, dict[str, Any]]:
        """Definitions of ``allfields`` (all when None); as Odoo, unknown names are left out."""
        if model == "crm.lead":
            known = self.lead_fields
        else:
            known = {name: _definition(name) for name in self.fields_of(model)}
        return {n: v for n, v in known.items() if allfields is None or n in allfields}

    def _invalid_field(self, model: str, name: str) -> OdooRefused:
        # 19 dropped 17's "model" from the message (both seen on real servers).
        where = f"{model!r}" if self.version_major >= 19 else f"model {model!r}"
        return OdooRefused(f"Odoo refused {model}: ValueError: Invalid field {name!r} on {where}")

    def _check_fields(self, model: str, names: Iterable[str]) -> None:
        known = self.fields_of(model)
        for name in names:
            if name not in known:
                raise self._invalid_field(model, name)

    # the transport interface -------------------------------------------------

    def version(self) -> dict[str, Any]:
        self.calls[("common", "version")] += 1
        return {
            "server_version": f"{self.version_major}.0",
            "server_version_info": [self.version_major, 0, 0, "final", 0, ""],
        }

    def authenticate(self) -> int:
        self.calls[("common", "authenticate")] += 1
        self.uid = 2
        return self.uid

    def call_once(self, model: str, method: str, ids: list[int] | None, **kw: Any) -> Any:
        # In memory nothing is lost on the way: one attempt is all there is.
        return self.call(model, method, ids, **kw)

    def call(self, model: str, method: str, ids: list[int] | None, **kw: Any) -> Any:
        self.calls[(model, method)] += 1
        context = kw.get("context") or {}
        self.contexts.append(context)
        if method in MISSING_METHODS[self.version_major]:
            raise OdooRefused(
                f"Odoo refused {model}.{method}: AttributeError: The method {method!r} does "
                f"not exist on the model {model!r}"
            )
        if method == "context_get":
            self.uid = 2
            return {"uid": 2, "lang": "en_US", "tz": False}
        if method == "fields_get":
            return self._fields_get(model, kw.get("allfields"))
        if method == "search_read":
            return self._search_read(model, kw, context)
        if method == "search_count":
            return len(self._search(model, kw.get("domain", []), context))
        if method == "search":
            return self._search_ids(model, kw, context)
        if method == "read_group":
            if self.version_major >= 19:
                # Still answered, with a DeprecationWarning in the server's log per call.
                self.deprecated[(model, method)] += 1
            return self._read_group(model, kw, context)
        if method == "formatted_read_group":
            return self._formatted_read_group(model, kw, context)
        if method == "write":
            return self._write(model, ids or [], kw["vals"])
        if method == "create" and model == "ir.config_parameter":
            return self._create_parameters(kw.get("vals_list", ids))
        if method == "unlink" and model == "ir.config_parameter":
            missing = [i for i in ids or [] if i not in self.models[model]]
            if missing:
                # As Odoo 17 answers a record deleted already (seen on a real server).
                raise OdooRefused(
                    f"Odoo refused {model}.unlink: MissingError: Record does not exist or has "
                    f"been deleted. (Record: {model}({missing[0]},), User: 2)"
                )
            for record_id in ids or []:
                self.models[model].pop(record_id)
            return True
        raise OdooRefused(f"Odoo refused {model}.{method}: method not found")

    # searching -------------------------------------------------------------

    def _search(
        self, model: str, domain: list[Any], context: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if model == "ir.model":
            # Odoo's list of its models: here, those the fake holds.
            self.models["ir.model"] = {
                i: {"id": i, "model": name, "name": name}
                for i, name in enumerate(sorted(m for m in self.models if m != "ir.model"), 1)
            }
        if model not in self.models:
            raise OdooRefused(f"Odoo refused {model}.search_read: KeyError: {model!r}")
        terms = list(domain)
        names = {t[0] for t in terms if isinstance(t, tuple | list)}
        if context.get("active_test", True) and "active" not in names and model not in NO_ACTIVE:
            terms = [("active", "=", True), *terms]
        return [r for _, r in sorted(self.models[model].items()) if self._matches(model, r, terms)]

    def set_lead_assignment(
        self, rule_based: bool, scheduled: bool, number: int = 1, unit: str = "days"
    ) -> None:
        """Set Odoo's own assignment as its Settings do: the parameter exists only while
        Rule-Based Assignment is ticked; the scheduled action is active with "Repeatedly"
        (or when someone activated it by hand, ``rule_based`` False)."""
        table = self.models["ir.config_parameter"]
        for key in [k for k, r in table.items() if r["key"] == "crm.lead.auto.assignment"]:
            table.pop(key)
        if rule_based:
            self._create_parameters([{"key": "crm.lead.auto.assignment", "value": "True"}])
        cron = self.models["ir.cron"][1]
        cron.update(active=scheduled, interval_number=number, interval_type=unit)

    def _team(self, record: dict[str, Any]) -> dict[str, Any]:
        """A sales team with the fields Odoo computes (as superuser, for any reader)."""
        enabled = any(
            r["key"] == "crm.lead.auto.assignment"
            for r in self.models["ir.config_parameter"].values()
        )
        members = self.models.get("crm.team.member", {}).values()
        return {
            "assignment_optout": False,
            **record,
            "assignment_enabled": enabled,
            "assignment_auto_enabled": enabled and bool(self.models["ir.cron"][1]["active"]),
            "assignment_max": sum(
                int(m.get("assignment_max") or 0)
                for m in members
                if _id(m.get("crm_team_id")) == record["id"] and m.get("active", True)
            ),
        }

    def _search_ids(self, model: str, kw: dict[str, Any], context: dict[str, Any]) -> list[int]:
        """``search``: the ids alone, in the order asked (``id`` or ``id desc``)."""
        order = (kw.get("order") or "id").strip()
        if order not in ("id", "id asc", "id desc"):
            raise OdooRefused(f"Odoo refused {model}.search: the fake orders by id only")
        ids = sorted(int(r["id"]) for r in self._search(model, kw.get("domain", []), context))
        if order == "id desc":
            ids.reverse()
        offset = kw.get("offset") or 0
        limit = kw.get("limit")
        return ids[offset : offset + limit if limit else None]

    def _search_read(
        self, model: str, kw: dict[str, Any], context: dict[str, Any]
    ) -> list[dict[str, Any]]:
        fields = kw.get("fields") or []
        self.fields_read.append((model, frozenset(fields)))
        self.loads.append((model, kw.get("load", "_classic_read")))
        # Odoo checks the names whether or not any record matches (seen on 17 and 19).
        self._check_fields(model, fields)
        if model == "ir.cron" and not self.cron_readable:
            raise OdooRefused(
                "Odoo refused ir.cron.search_read: AccessError: You are not allowed to access "
                "'Scheduled Actions' (ir.cron) records."
            )
        records = self._search(model, kw.get("domain", []), context)
        if model == "crm.team":
            records = [self._team(r) for r in records]
        if kw.get("limit"):
            records = records[: kw["limit"]]
        rows = [{f: r.get(f, False) for f in {"id", *fields}} for r in records]
        if "display_name" in fields and model != "crm.lead":
            for row, record in zip(rows, records, strict=True):
                row["display_name"] = record.get("name", False)
        if kw.get("load", "_classic_read") != "_classic_read":
            # As Odoo reads without loading: a many2one as its bare id, no display name.
            kinds = self._fields_get(model, None)
            for row in rows:
                row.update(
                    (f, v[0])
                    for f, v in row.items()
                    if v and kinds.get(f, {}).get("type") == "many2one"
                )
        return rows

    def _groups(
        self, model: str, domain: list[Any], groupby: list[str], context: dict[str, Any]
    ) -> list[tuple[dict[str, Any], int]]:
        """Each group's values (as ``read`` gives them) and its count."""
        self._check_fields(model, groupby)
        groups: Counter[tuple[Any, ...]] = Counter()
        firsts: dict[tuple[Any, ...], dict[str, Any]] = {}
        for record in self._search(model, domain, context):
            values = [record.get(g, False) for g in groupby]
            key = tuple(tuple(v) if isinstance(v, list) else v for v in values)
            groups[key] += 1
            firsts.setdefault(key, dict(zip(groupby, values, strict=True)))
        return [(firsts[key], count) for key, count in groups.items()]

    def _read_group(
        self, model: str, kw: dict[str, Any], context: dict[str, Any]
    ) -> list[dict[str, Any]]:
        groupby = list(kw["groupby"])
        if kw.get("lazy", True) and len(groupby) > 1:
            # A lazy read_group groups by the first field only; odlm must ask lazy=False.
            raise OdooRefused("fake: a lazy read_group over several fields is not emulated")
        return [
            {**values, "__count": count, "__domain": []}
            for values, count in self._groups(model, kw.get("domain", []), groupby, context)
        ]

    def _formatted_read_group(
        self, model: str, kw: dict[str, Any], context: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Odoo 19's shape: the group's values, ``__extra_domain`` and one key per aggregate
        spec (only ``__count`` is emulated)."""
        aggregates = list(kw.get("aggregates") or [])
        if aggregates != ["__count"]:
            raise OdooRefused(f"fake: only the __count aggregate is emulated, not {aggregates}")
        rows = []
        for values, count in self._groups(
            model, kw.get("domain", []), list(kw.get("groupby") or []), context
        ):
            extra: list[Any] = [
                [name, "=", value[0] if isinstance(value, list) else value]
                for name, value in values.items()
            ]
            if len(extra) > 1:
                extra = ["&"] * (len(extra) - 1) + extra
            rows.append({**values, "__extra_domain": extra, "__count": count})
        return rows

    def _matches(self, model: str, record: dict[str, Any], terms: list[Any]) -> bool:
        def expression(position: int) -> tuple[bool, int]:
            term = terms[position]
            if term == "!":
                value, end = expression(position + 1)
                return not value, end
            if term in ("&", "|"):
                left, middle = expression(position + 1)
                right, end = expression(middle)
                return (left and right) if term == "&" else (left or right), end
            return self._term(model, record, *term), position + 1

        position, result = 0, True
        while position < len(terms):
            value, position = expression(position)
            result = result and value
        return result

    def _term(
        self, model: str, record: dict[str, Any], path: str, operator: str, value: Any
    ) -> bool:
        field, _, sub = path.partition(".")
        if field not in self.fields_of(model) or (field not in record and field != "id"):
            # Each version's words for a domain naming a field the model lacks.
            word = "condition" if self.version_major >= 19 else "leaf"
            raise OdooRefused(
                f"Odoo refused {model}.search_read: ValueError: Invalid field "
                f"{model}.{field} in {word} {(path, operator, value)!r}"
            )
        raw = record.get(field, False)
        if field == "tag_ids":
            names = [self.models["crm.tag"][t]["name"] for t in raw]
            if operator == "in":
                return any(n in value for n in names)
            raise OdooRefused("fake: only 'in' on tag_ids.name is emulated")
        if isinstance(raw, list):
            # A scheduled action's model_id holds the model's technical name as its name here.
            raw = raw[1] if sub in ("name", "model") else raw[0]
        if sub and sub not in ("name", "model"):
            raise OdooRefused(f"fake: path {path!r} is not emulated")
        return _compare(raw, operator, value)

    # writing ---------------------------------------------------------------

    def _create_parameters(self, vals_list: Any) -> list[int]:
        """Create system parameters, all or none; a key held already is refused whole, with
        the words PostgreSQL gives Odoo for the violated constraint."""
        table = self.models["ir.config_parameter"]
        values = [vals_list] if isinstance(vals_list, dict) else list(vals_list or [])
        keys = [str(v["key"]) for v in values]
        held = {r["key"] for r in table.values()}
        for key in keys:
            if key in held or keys.count(key) > 1:
                raise UniqueViolation("ir.config_parameter", "ir_config_parameter_key_uniq", key)
        created = []
        for vals in values:
            # Ids are never reused, as with PostgreSQL's sequences.
            self.parameter_ids += 1
            table[self.parameter_ids] = {"id": self.parameter_ids, "key": vals["key"],
                                         "value": vals["value"]}  # fmt: skip
            created.append(self.parameter_ids)
        return created

    def _write(self, model: str, ids: list[int], vals: dict[str, Any]) -> bool:
        table = self.models[model]
        missing = [i for i in ids if i not in table]
        if missing:
            raise OdooRefused(
                f"Odoo refused {model}.write: MissingError: Record does not exist or has been deleted. (Records: {missing})"
            )
        for name in vals:
            if name not in self.lead_fields:
                raise OdooRefused(
                    f"Odoo refused {model}.write: ValueError: Invalid field {name!r} on model {model!r}"
                )
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        if model == "crm.lead" and "user_id" in vals:
            # As crm.lead.write: a write that changes any lead's salesperson dates every
            # lead it writes; one that removes the salesperson clears the date.
            user = vals["user_id"]
            if not user or any(_id(table[i]["user_id"]) != user for i in ids):
                vals = {**vals, "date_open": now if user else False}
        for record_id in ids:
            record = table[record_id]
            for name, value in vals.items():
                relation = M2O.get(name)
                record[name] = self._ref(relation, value or None) if relation else value
            record["write_date"] = now
            self.writes[(model, record_id)] += 1
        return True


def _id(value: Any) -> int | None:
    """A many2one value's id, as a record holds it ([id, name], a bare id or False)."""
    if isinstance(value, list):
        return int(value[0])
    return int(value) if value else None


def _definition(name: str) -> dict[str, Any]:
    """The type of a field of a model other than crm.lead, told by Odoo's naming habits
    (``_ids`` a many2many, ``_id`` a many2one; 17's ``groups_id`` is a many2many)."""
    if name.endswith("_ids") or name == "groups_id":
        return {"type": "many2many"}
    if name.endswith("_id") and name != "res_id":
        return {"type": "many2one"}
    if name in ("id", "res_id"):
        return {"type": "integer"}
    if name in ("active", "share"):
        return {"type": "boolean"}
    return {"type": "char"}


_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _compare(raw: Any, operator: str, value: Any) -> bool:
    if operator == "=":
        return bool(raw == value) if value is not False else raw is False
    if operator == "!=":
        return raw is not False if value is False else (raw is False or raw != value)
    if operator == "in":
        return raw in value
    if operator == "not in":
        return raw not in value
    if operator in ("like", "ilike", "=like", "=ilike"):
        if raw is False:
            return False
        pattern = str(value) if operator.startswith("=") else f"%{value}%"
        regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
        flags = re.IGNORECASE if "ilike" in operator else 0
        return re.fullmatch(regex, str(raw), flags | re.DOTALL) is not None
    if operator in _ORDER:
        return raw is not False and bool(_ORDER[operator](raw, value))
    raise OdooRefused(f"Odoo refused search: ValueError: Invalid operator {operator!r}")
