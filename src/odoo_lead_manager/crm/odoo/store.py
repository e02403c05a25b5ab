"""`CrmStore` over an Odoo server, in bulk.

Calls per run are bounded by the number of pages and write groups, never by
the number of leads: leads come from one ``search_read`` per page (with the
tag names of the page in at most one more call), counts from one
grouped call (``read_group``, or ``formatted_read_group`` from Odoo 19 on:
see `Dialect`), users and teams from one ``search_read`` per request, and
writes as one ``write`` per set of leads receiving the same values.

The calls of applying a plan (`read_values`, `write_leads`) go to Odoo in a
single attempt: the applier retries them itself, re-reading first, with the
configured delay. The transport's backoff beneath it multiplied the waits:
with the defaults a dead server took 16 attempts and 43 s of waits to give
up on, where the applier alone takes 4 attempts and 15 s.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from odoo_lead_manager.config.fields import FieldMap
from odoo_lead_manager.crm.odoo.dialect import ODOO_17, TEAM_FIELDS, Dialect
from odoo_lead_manager.crm.odoo.transport import OdooOutcomeUnknown, OdooRefused, Transport
from odoo_lead_manager.crm.odoo.values import (
    LeadReader,
    empty,
    many2one_id,
    odoo_domain,
    read_value,
    state_reader,
)
from odoo_lead_manager.crm.store import (
    MATCH_CHUNK,
    LeadValues,
    Lease,
    check_lead_values,
    check_readable,
    check_skippable,
)
from odoo_lead_manager.domain.model import Domain, Lead, LeadState, Team, TeamMember, User
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment, TeamCapacity
from odoo_lead_manager.domain.user_query import QueryError, check_user_domain
from odoo_lead_manager.errors import CrmError, CrmUnavailable

ARCHIVED_TOO = {"active_test": False}
# What a sales team says of Odoo's own assignment (the same names in Odoo 17 to 19):
# "Lead Assign" (the Rule-Based Assignment setting), "Auto Assignment" (and its
# scheduled action active), the team's "Skip auto assignment" and its capacity.
TEAM_ASSIGNMENT_FIELDS = (
    "id",
    "name",
    "assignment_enabled",
    "assignment_auto_enabled",
    "assignment_optout",
    "assignment_max",
)
# The scheduled actions that run Odoo's lead assignment: found by what they call, so
# that a copy of "CRM: Lead Assignment" counts too.
ASSIGNMENT_CRONS = [("model_id.model", "=", "crm.team"), ("code", "ilike", "_cron_assign_leads")]
CRON_FIELDS = ["active", "interval_number", "interval_type"]
# Leases are system parameters: their ``key`` is unique in every Odoo version
# (a SQL constraint), and an administrator can see and remove one by hand.
LEASE_MODEL = "ir.config_parameter"
# The group Odoo requires of a lead's salesperson ("Sales / User: Own Documents Only",
# implied by every higher sales group).
SALES_GROUP = ("sales_team", "group_sale_salesman")
# Logical user fields (see `CrmStore.search_users`) and their res.users names.
USER_DOMAIN_FIELDS = {
    "id": "id",
    "name": "name",
    "login": "login",
    "active": "active",
    "share": "share",
    "team_id": "sale_team_id",
    "team": "sale_team_id.name",
}


@dataclass(frozen=True)
class ReadCheck:
    """One kind of read a run makes, tried on the server; ``problem`` is None when it worked."""

    model: str
    method: str
    fields: str
    problem: str | None


@dataclass(frozen=True)
class WriteOptions:
    """Context of lead writes.

    ``mail_tracking`` keeps Odoo's tracking (the chatter records each change,
    at a large cost per lead); ``notify_salespeople`` lets Odoo e-mail each
    new owner once per lead, which Odoo's own assignment also turns off.
    """

    mail_tracking: bool = True
    notify_salespeople: bool = False

    def context(self) -> dict[str, Any]:
        context: dict[str, Any] = {}
        if not self.mail_tracking:
            context["tracking_disable"] = True
        if not self.notify_salespeople:
            context["mail_auto_subscribe_no_notify"] = True
        return context


class OdooStore:
    """The CRM of one Odoo database, through one authenticated transport.

    ``dialect`` names the fields and methods of the server's version; the
    default is Odoo 17's, which every version up to 18 understands.
    """

    def __init__(
        self,
        transport: Transport,
        fields: FieldMap,
        write_options: WriteOptions | None = None,
        dialect: Dialect = ODOO_17,
    ) -> None:
        self.transport = transport
        self.fields = fields
        self._reader = LeadReader(fields)
        self.write_options = write_options or WriteOptions()
        self.dialect = dialect
        self._tag_names: dict[int, str] = {}
        # Display names of the records leads name (stages, sources, campaigns), by model.
        self._names: dict[str, dict[int, str]] = {}
        # Set when a related model's names could not all be read: leads are then read
        # with Odoo's own display names again.
        self._names_refused = False
        self._users_by_name: dict[str, list[User]] = {}
        self._ids_by_name: dict[tuple[str, str], int] = {}
        self._sales_group: int | None = None
        self._sales_group_known = False

    def _call(self, model: str, method: str, ids: list[int] | None = None, **kw: Any) -> Any:
        return self.transport.call(model, method, ids, **kw)

    def _call_once(self, model: str, method: str, ids: list[int] | None = None, **kw: Any) -> Any:
        """One attempt, for the calls whose retries the applier owns (see the docstring)."""
        return self.transport.call_once(model, method, ids, **kw)

    # users and teams

    def find_users(self, names: Collection[str]) -> list[User]:
        """Users by name or login; names asked before in this run cost no call."""
        wanted = set(names)
        missing = sorted(wanted - self._users_by_name.keys())
        if missing:
            found = self._users(["|", ("name", "in", missing), ("login", "in", missing)])
            for name in missing:
                self._users_by_name[name] = [u for u in found if name in (u.name, u.login)]
        users = {u.id: u for name in wanted for u in self._users_by_name[name]}
        return [users[i] for i in sorted(users)]

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        wanted = sorted(set(ids))
        return self._users([("id", "in", wanted)]) if wanted else []

    def search_users(self, domain: Domain) -> list[User]:
        """Users matching a domain over the logical user fields, in one ``search_read``."""
        try:
            checked = check_user_domain(list(domain))
        except QueryError as error:
            raise CrmError(f"domain: {error}") from None
        translated: list[Any] = []
        for term in checked:
            if isinstance(term, str):
                translated.append(term)
                continue
            field, operator, value = term
            name = USER_DOMAIN_FIELDS[field]
            if field == "team" and operator in ("!=", "not in") and not empty(value):
                # A path term would drop users without a team; Odoo's `!=` keeps them.
                positive = "=" if operator == "!=" else "in"
                translated.extend(["!", (name, positive, value)])
            else:
                translated.append((name, operator, value))
        return self._users(translated, context=self._context(domain))

    def _users(self, domain: list[Any], context: dict[str, Any] = ARCHIVED_TOO) -> list[User]:
        records = self._call(
            "res.users",
            "search_read",
            domain=domain,
            fields=self.dialect.user_fields,
            order="id",
            context=context,
        )
        group = self._sales_group_id() if records else None
        groups = self.dialect.user_groups
        return [
            User(
                id=r["id"],
                name=r["name"],
                login=r.get("login") or "",
                active=bool(r.get("active", True)),
                team_id=many2one_id(r.get("sale_team_id", False)),
                may_own_leads=not r.get("share", False)
                and (group is None or group in (r.get(groups) or [])),
            )
            for r in records
        ]

    def _sales_group_id(self) -> int | None:
        """The sales group's id, looked up once; None when the CRM cannot tell."""
        if not self._sales_group_known:
            module, name = SALES_GROUP
            try:
                found = self._call(
                    "ir.model.data",
                    "search_read",
                    domain=[("module", "=", module), ("name", "=", name)],
                    fields=["res_id"],
                    limit=1,
                )
            except OdooRefused:
                # Without access to the group's reference only `share` can tell.
                found = []
            self._sales_group = int(found[0]["res_id"]) if found else None
            self._sales_group_known = True
        return self._sales_group

    def find_teams(self, names: Collection[str]) -> list[Team]:
        wanted = sorted(set(names))
        if not wanted:
            return []
        records = self._call(
            "crm.team",
            "search_read",
            domain=[("name", "in", wanted)],
            fields=list(TEAM_FIELDS),
            order="id",
            context=ARCHIVED_TOO,
        )
        return [
            Team(
                id=r["id"],
                name=r["name"],
                active=bool(r["active"]),
                member_ids=tuple(sorted(r.get("member_ids") or [])),
            )
            for r in records
        ]

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        wanted = sorted(set(team_ids))
        if not wanted:
            return []
        records = self._call(
            "crm.team.member",
            "search_read",
            domain=[("crm_team_id", "in", wanted)],
            fields=list(self.dialect.member_fields),
        )
        teams = self._call(
            "crm.team",
            "search_read",
            domain=[("id", "in", wanted)],
            fields=["assignment_domain"],
            context=ARCHIVED_TOO,
        )
        team_domains = {int(t["id"]): _text(t.get("assignment_domain")) for t in teams}
        members = [
            TeamMember(
                team_id=team_id,
                user_id=user_id,
                assignment_max=int(r.get("assignment_max") or 0),
                assignment_optout=bool(r.get("assignment_optout")),
                assignment_domain=_text(r.get("assignment_domain")),
                team_domain=team_domains.get(team_id),
                preferred_domain=_text(r.get("assignment_domain_preferred")),
            )
            for r in records
            if (team_id := many2one_id(r.get("crm_team_id"))) is not None
            and (user_id := many2one_id(r.get("user_id"))) is not None
        ]
        return sorted(members, key=lambda m: (m.team_id, m.user_id))

    def lead_assignment(self) -> LeadAssignment:
        """Odoo's own assignment: one read of the active sales teams (their flags are
        computed by Odoo as superuser, so any sales user reads them) and one of the
        scheduled actions that run it, which only administrators may read."""
        teams = self._call(
            "crm.team", "search_read", domain=[], fields=list(TEAM_ASSIGNMENT_FIELDS), order="id"
        )
        unreadable = None if teams else "no active sales team to read the setting from"
        scheduled = any(t.get("assignment_auto_enabled") for t in teams)
        crons: list[dict[str, Any]] = []
        try:
            crons = self._call(
                "ir.cron",
                "search_read",
                domain=ASSIGNMENT_CRONS,
                fields=CRON_FIELDS,
                order="id",
                context=ARCHIVED_TOO,
            )
        except CrmUnavailable:
            raise
        except CrmError:
            # Reading scheduled actions needs Settings rights; the teams said whether it runs.
            unreadable = (
                "odlm's user may not read scheduled actions, so whether it runs is what "
                "the sales teams say"
            )
        else:
            scheduled = any(c.get("active") for c in crons)
        running = [c for c in crons if c.get("active")] or crons
        first = running[0] if running else {}
        return LeadAssignment(
            version=self.dialect.major or self.dialect.version,
            rule_based=any(t.get("assignment_enabled") for t in teams),
            scheduled=scheduled,
            interval_number=int(first["interval_number"]) if first.get("interval_number") else None,
            interval_type=str(first["interval_type"]) if first.get("interval_type") else None,
            unreadable=unreadable,
            teams=tuple(
                TeamCapacity(
                    id=int(t["id"]),
                    name=str(t["name"]),
                    capacity=int(t.get("assignment_max") or 0),
                    skipped=bool(t.get("assignment_optout")),
                )
                for t in teams
            ),
        )

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        wanted = sorted(set(ids))
        found: list[int] = []
        for start in range(0, len(wanted), MATCH_CHUNK):
            chunk = wanted[start : start + MATCH_CHUNK]
            records = self._call(
                "crm.lead",
                "search_read",
                domain=[("id", "in", chunk), *domain],
                fields=["id"],
                context=ARCHIVED_TOO,
            )
            found.extend(int(r["id"]) for r in records)
        return sorted(found)

    # leads

    def search_leads(
        self, domain: Domain, page_size: int = 5000, unread: Collection[str] = ()
    ) -> Iterator[Lead]:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        check_skippable(unread)
        skipped = {f.odoo for n in unread if (f := self.fields.get(n)) is not None}
        names = [name for name in self.fields.odoo_names() if name not in skipped]
        base = odoo_domain(domain, self.fields)
        context = self._context(domain)
        last_id = 0
        while True:
            # Keyset paging: leads written between pages are neither skipped nor repeated.
            page = {
                "domain": [("id", ">", last_id), *base],
                "fields": names,
                "order": "id",
                "limit": page_size,
                "context": context,
            }
            records = self._page(page)
            yield from self._leads(records)
            if len(records) < page_size:
                return
            last_id = records[-1]["id"]

    def read_leads(self, ids: Collection[int]) -> list[Lead]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        records = self._call(
            "crm.lead",
            "search_read",
            domain=[("id", "in", wanted)],
            fields=self.fields.odoo_names(),
            order="id",
            context=ARCHIVED_TOO,
        )
        return self._leads(records)

    def read_values(self, ids: Collection[int], fields: Collection[str]) -> dict[int, LeadState]:
        check_readable(fields)
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        names = list(dict.fromkeys(fields))
        mapped = [f for n in ("write_date", *names) if (f := self.fields.get(n)) is not None]
        # Many2one fields as bare ids (``load=''``): Odoo then skips reading every
        # related record's display name, 40% of a read-back's time here (issue 27).
        # A field compared by name (a status mapped to stage_id) needs the names.
        bare: dict[str, Any] = {} if any(f.by_name for f in mapped) else {"load": ""}
        records = self._call_once(
            "crm.lead",
            "search_read",
            domain=[("id", "in", wanted)],
            fields=[f.odoo for f in mapped],
            context=ARCHIVED_TOO,
            **bare,
        )
        state = state_reader(self.fields, names)
        return {int(r["id"]): state(r) for r in records}

    def _page(self, page: dict[str, Any]) -> list[dict[str, Any]]:
        """One page of leads. Many2one fields come as bare ids (``load=''``): Odoo then
        reads no related record's display name per lead, a third of a page's time on
        Odoo 17 (issue 27); the names of stages, sources and campaigns are read once per
        record instead and put back as Odoo gives them (``[id, name]``)."""
        if self._names_refused:
            return self._call("crm.lead", "search_read", **page)  # type: ignore[no-any-return]
        records: list[dict[str, Any]] = self._call("crm.lead", "search_read", load="", **page)
        try:
            for field in self.fields.named():
                self._name(records, field.odoo, field.relation or "")
        except (CrmError, KeyError):
            # A model the user may not read (Odoo reads display names as superuser).
            self._names_refused = True
            return self._call("crm.lead", "search_read", **page)  # type: ignore[no-any-return]
        return records

    def _name(self, records: list[dict[str, Any]], name: str, model: str) -> None:
        """Give ``name``'s bare ids in ``records`` their display names, read once each."""
        known = self._names.setdefault(model, {})
        needed = {r[name] for r in records if r.get(name)} - known.keys()
        if needed:
            found = self._call(
                model,
                "search_read",
                domain=[("id", "in", sorted(needed))],
                fields=["display_name"],
                context=ARCHIVED_TOO,
            )
            known.update((int(x["id"]), str(x["display_name"])) for x in found)
        for record in records:
            if record.get(name):
                record[name] = [record[name], known[record[name]]]

    def _leads(self, records: list[dict[str, Any]]) -> list[Lead]:
        tags = self.fields.get("tag_ids")
        if tags is not None:
            needed = {t for r in records for t in (r.get(tags.odoo) or [])} - self._tag_names.keys()
            if needed:
                found = self._call(
                    tags.relation or "crm.tag",
                    "search_read",
                    domain=[("id", "in", sorted(needed))],
                    fields=["id", "name"],
                    context=ARCHIVED_TOO,
                )
                self._tag_names.update((t["id"], t["name"]) for t in found)
        read = self._reader.lead
        return [read(r, self._tag_names) for r in records]

    def lead_ids(self, domain: Domain) -> list[int]:
        translated = odoo_domain(domain, self.fields)
        found = self._call(
            "crm.lead", "search", domain=translated, order="id", context=self._context(domain)
        )
        return sorted(int(lead_id) for lead_id in found)

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> dict[tuple[Any, ...], int]:
        translated = odoo_domain(domain, self.fields)
        context = self._context(domain)
        if not group_by:
            total = self._call("crm.lead", "search_count", domain=translated, context=context)
            return {(): int(total)}
        fields = []
        for logical in group_by:
            field = self.fields.get(logical)
            if field is None:
                raise CrmError(f"cannot group leads by {logical!r}: it is not mapped")
            fields.append(field)
        rows = self._grouped("crm.lead", translated, [f.odoo for f in fields], context)
        counts: dict[tuple[Any, ...], int] = {}
        for row in rows:
            key = tuple(read_value(f, row[f.odoo]) for f in fields)
            counts[key] = counts.get(key, 0) + int(row["__count"])
        return counts

    def _grouped(
        self, model: str, domain: list[Any], groupby: list[str], context: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Rows of counts per group, each holding the group's values and ``__count``.

        Both methods give a group's values as ``read`` gives them (a many2one
        as ``[id, name]``, ``False`` for none) and the count as ``__count``
        (``lazy=False`` makes read_group count every groupby at once, as
        formatted_read_group always does), so the callers read either alike.
        """
        if self.dialect.formatted_grouping:
            rows: list[dict[str, Any]] = self._call(
                model,
                "formatted_read_group",
                domain=domain,
                groupby=groupby,
                aggregates=["__count"],
                context=context,
            )
            return rows
        grouped: list[dict[str, Any]] = self._call(
            model,
            "read_group",
            domain=domain,
            fields=groupby,
            groupby=groupby,
            lazy=False,
            context=context,
        )
        return grouped

    def count_model(
        self, model: str, domain: Domain, group_by: Sequence[str]
    ) -> dict[tuple[Any, ...], int]:
        fields = list(group_by)
        rows = self._grouped(model, list(domain), fields, self._context(domain))
        counts: dict[tuple[Any, ...], int] = {}
        for row in rows:
            key = tuple(_raw_key(row.get(name, False)) for name in fields)
            counts[key] = counts.get(key, 0) + int(row["__count"])
        return counts

    def utm_source_names(self) -> list[str]:
        field = self.fields.get("source_id")
        model = field.relation if field is not None and field.relation else "utm.source"
        records = self._call(model, "search_read", domain=[], fields=["name"], order="name")
        return sorted(str(r["name"]) for r in records if r.get("name"))

    def write_leads(self, ids: Sequence[int], values: LeadValues) -> None:
        check_lead_values(values)
        wanted = sorted(set(ids))
        if not wanted:
            return
        vals: dict[str, Any] = {}
        for logical, value in values.items():
            field = self.fields.get(logical)
            if field is None:
                raise CrmError(
                    f"cannot write {logical}: it is not mapped to a crm.lead field "
                    f"(see crm.field_mapping)"
                )
            vals[field.odoo] = self._odoo_value(field.odoo, field.type, field.relation, value)
        self._call_once(
            "crm.lead", "write", wanted, vals=vals, context=self.write_options.context()
        )

    def _odoo_value(self, name: str, kind: str, relation: str | None, value: Any) -> Any:
        if value is None:
            return False
        if kind == "many2one" and isinstance(value, str):
            return self._id_by_name(relation or "", value, name)
        if kind == "selection" and isinstance(value, int):
            return str(value)
        return value

    def _id_by_name(self, model: str, name: str, field: str) -> int:
        key = (model, name)
        if key not in self._ids_by_name:
            found = self._call(
                model, "search_read", domain=[("name", "=", name)], fields=["id"], limit=2
            )
            if len(found) != 1:
                what = "no" if not found else "more than one"
                raise CrmError(f"cannot write {field}: {what} {model} record is named {name!r}")
            self._ids_by_name[key] = int(found[0]["id"])
        return self._ids_by_name[key]

    # checking

    def verify_reads(self) -> list[ReadCheck]:
        """Every kind of read a run makes, sent once over a domain that matches nothing.

        Odoo checks the field names of ``search_read`` and the groupby and
        method of a grouped count whether or not records match (seen on 17
        and 19), so each read fails here as it would fail in a run (a field
        of another version, a grouping method the server lacks, a model the
        user may not read) without reading any record. Left out: the sales
        group's lookup, which a run goes on without (see `_sales_group_id`),
        and the lease, which only a create can try (a check writes nothing).
        """
        nothing = [("id", "=", 0)]
        reads: list[tuple[str, str, dict[str, Any]]] = [
            ("crm.lead", "search_read", {"fields": self.fields.odoo_names()}),
            ("res.users", "search_read", {"fields": self.dialect.user_fields}),
            ("crm.team", "search_read", {"fields": list(TEAM_FIELDS)}),
        ]
        owner = self.fields.get("user_id")
        if owner is not None:
            grouping: dict[str, Any] = {"groupby": [owner.odoo]}
            if self.dialect.formatted_grouping:
                grouping["aggregates"] = ["__count"]
            else:
                grouping.update(fields=[owner.odoo], lazy=False)
            reads.append(("crm.lead", self.dialect.grouping, grouping))
        tags = self.fields.get("tag_ids")
        if tags is not None:
            reads.append((tags.relation or "crm.tag", "search_read", {"fields": ["id", "name"]}))
        source = self.fields.get("source_id")
        if source is not None and source.relation:
            # The source names a run checks its configured sources against.
            reads.append((source.relation, "search_read", {"fields": ["name"]}))
        checks = []
        for model, method, kw in reads:
            named = ", ".join(kw.get("fields") or kw.get("groupby") or [])
            try:
                self._call(model, method, domain=nothing, **kw)
            except OdooRefused as exc:
                checks.append(ReadCheck(model, method, named, exc.message))
            else:
                checks.append(ReadCheck(model, method, named, None))
        return checks

    # leases

    def take_lease(self, lease: Lease) -> Lease:
        """Create the system parameter ``lease.key``; Odoo's unique key refuses a second one.

        A refused create does not say why in the same words in every Odoo
        version (a ``UniqueViolation``, a ``ValidationError`` "Key must be
        unique", an access error), and a create whose answer was lost may or
        may not have happened; either way the key is read to tell: found, it
        is the holder (this very lease, when the lost create went through);
        not found, the create is tried once more, then the failure stands.
        """
        failure: CrmError | None = None
        for _ in range(2):
            try:
                created = self._create(LEASE_MODEL, {"key": lease.key, "value": lease.value()})
            except (OdooRefused, OdooOutcomeUnknown) as exc:
                failure = exc
            else:
                record_id = created[0] if isinstance(created, list) else created
                return replace(lease, record_id=int(record_id))
            found = self._call(
                LEASE_MODEL,
                "search_read",
                domain=[("key", "=", lease.key)],
                fields=["key", "value"],
                limit=1,
            )
            if found:
                return Lease.from_value(lease.key, str(found[0]["value"]), int(found[0]["id"]))
        assert failure is not None
        raise failure

    def _create(self, model: str, values: dict[str, Any]) -> Any:
        """``model.create`` of one record, its argument as each protocol wants it.

        JSON-2 takes named arguments only (``vals_list``); XML-RPC's
        ``execute_kw`` hands create its records positionally, and Odoo 17
        fails with "IndexError: tuple index out of range" on ``vals_list``
        alone (seen on a real server).
        """
        if self.transport.protocol == "json2":
            return self._call(model, "create", vals_list=[values])
        return self.transport.call(model, "create", [values])

    def drop_lease(self, lease: Lease) -> None:
        """Unlink the lease's record; one gone already is what was asked for.

        Odoo refuses to unlink a record deleted already (MissingError, seen on
        a real Odoo 17), so a refusal is followed by one count: a record still
        there means the refusal stands.
        """
        if lease.record_id is None:
            return
        try:
            self._call(LEASE_MODEL, "unlink", [lease.record_id])
        except OdooRefused:
            still = self._call(LEASE_MODEL, "search_count", domain=[("id", "=", lease.record_id)])
            if still:
                raise

    def close(self) -> None:
        closer = getattr(self.transport, "close", None)
        if callable(closer):
            closer()

    @staticmethod
    def _context(domain: Domain) -> dict[str, Any]:
        mentions = any(isinstance(t, tuple | list) and t[0] == "active" for t in domain)
        return dict(ARCHIVED_TOO) if mentions else {}


def _raw_key(value: Any) -> Any:
    """A read_group key as the contract gives it: a many2one's id, None for unset."""
    if value is False or value is None:
        return None
    if isinstance(value, list | tuple) and value:
        return value[0]
    return value


def _text(value: Any) -> str | None:
    """A char field's value; None for Odoo's empty ``False`` and for blank text."""
    if empty(value):
        return None
    return str(value).strip() or None
