"""The embedded CRM store: one SQLite file shaped like Odoo's CRM tables.

It lets a fresh clone run a real distribution with no server, and it is the
reference implementation of the `CrmStore` contract that the Odoo store
must also pass. Tables and columns follow Odoo's names (``crm_lead``,
``res_users``, ``crm_tag_rel`` ...), with the custom lead fields the target
installation has (``status``, ``source_date``, ``open_user_id``,
``closer_id``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from odoo_lead_manager.crm.local.domain import (
    LEAD_COLUMNS,
    LEADS,
    NAMED_MANY2ONE,
    USERS,
    Sql,
    SqlModel,
    compile_domain,
    mentions_active,
)
from odoo_lead_manager.crm.store import (
    LeadValues,
    Lease,
    check_lead_values,
    check_readable,
    check_skippable,
)
from odoo_lead_manager.domain.model import (
    Domain,
    Lead,
    LeadState,
    Team,
    TeamMember,
    User,
    split_values,
    write_stamp,
)
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment, TeamCapacity
from odoo_lead_manager.errors import CrmError, CrmUnavailable

SCHEMA_VERSION = 5

# Leases (`CrmStore.take_lease`) are kept in a companion database beside the
# store, `lease_path`: whoever opens the store opens it too, and a run that
# takes a lease and is then refused leaves the store's own file byte for byte
# as it was. One row per key; AUTOINCREMENT never reuses an id, so a row id
# names one lease for good, as an Odoo record id does.
_LEASES = (
    "CREATE TABLE IF NOT EXISTS odlm_lease (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "key TEXT NOT NULL UNIQUE, value TEXT NOT NULL)"
)

# Where the store keeps Odoo's own assignment settings (`LocalStore.set_lead_assignment`):
# the Rule-Based Assignment parameter under Odoo's key, and its scheduled action.
_ASSIGNMENT_KEYS = ("crm.lead.auto.assignment", "crm.ir_cron_crm_lead_assign")

# What turns a store of an earlier version into the next one, by the version it upgrades.
_MIGRATIONS = {
    2: (
        "ALTER TABLE crm_lead ADD COLUMN skill TEXT",
        "ALTER TABLE crm_lead ADD COLUMN region TEXT",
        "ALTER TABLE crm_lead ADD COLUMN timezone TEXT",
    ),
    3: (
        "ALTER TABLE crm_team ADD COLUMN assignment_domain TEXT",
        "ALTER TABLE crm_team_member ADD COLUMN assignment_max INTEGER NOT NULL DEFAULT 30",
        "ALTER TABLE crm_team_member ADD COLUMN assignment_optout INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE crm_team_member ADD COLUMN assignment_domain TEXT",
    ),
    4: (
        "ALTER TABLE crm_lead ADD COLUMN date_open TEXT",
        # Odoo dates an assignment when a lead gets its salesperson; a lead created with
        # one got it then.
        "UPDATE crm_lead SET date_open = create_date WHERE user_id IS NOT NULL",
        "ALTER TABLE crm_team ADD COLUMN assignment_optout INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE crm_team_member ADD COLUMN assignment_domain_preferred TEXT",
    ),
}

_SCHEMA = """
CREATE TABLE odlm_store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE crm_team (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
    assignment_domain TEXT, assignment_optout INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE res_users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, login TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1, sale_team_id INTEGER REFERENCES crm_team(id),
    share INTEGER NOT NULL DEFAULT 0, salesman INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE crm_team_member (
    crm_team_id INTEGER NOT NULL REFERENCES crm_team(id),
    user_id INTEGER NOT NULL REFERENCES res_users(id),
    assignment_max INTEGER NOT NULL DEFAULT 30,
    assignment_optout INTEGER NOT NULL DEFAULT 0,
    assignment_domain TEXT,
    assignment_domain_preferred TEXT,
    PRIMARY KEY (crm_team_id, user_id)
);
CREATE TABLE res_partner (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE utm_source (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE utm_campaign (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE crm_stage (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE crm_tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE crm_lead (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'lead' CHECK (type IN ('lead', 'opportunity')),
    active INTEGER NOT NULL DEFAULT 1,
    status TEXT,
    stage_id INTEGER REFERENCES crm_stage(id),
    source_date TEXT,
    create_date TEXT,
    write_date TEXT,
    user_id INTEGER REFERENCES res_users(id),
    open_user_id INTEGER REFERENCES res_users(id),
    closer_id INTEGER REFERENCES res_users(id),
    team_id INTEGER REFERENCES crm_team(id),
    source_id INTEGER REFERENCES utm_source(id),
    campaign_id INTEGER REFERENCES utm_campaign(id),
    partner_id INTEGER REFERENCES res_partner(id),
    email_from TEXT,
    phone TEXT,
    priority TEXT NOT NULL DEFAULT '0' CHECK (priority IN ('0', '1', '2', '3')),
    activity_date_deadline TEXT,
    skill TEXT,
    region TEXT,
    timezone TEXT,
    date_open TEXT
);
CREATE TABLE crm_tag_rel (
    lead_id INTEGER NOT NULL REFERENCES crm_lead(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES crm_tag(id),
    PRIMARY KEY (lead_id, tag_id)
);
CREATE INDEX crm_lead_user ON crm_lead(user_id);
CREATE INDEX crm_lead_source_date ON crm_lead(source_date);
CREATE INDEX crm_lead_type_active ON crm_lead(type, active);
CREATE INDEX crm_lead_partner ON crm_lead(partner_id);
"""

_SELECT_LEADS = """
SELECT crm_lead.id, crm_lead.name, crm_lead.type, crm_lead.active, crm_lead.status,
       crm_stage.name, crm_lead.source_date, crm_lead.create_date, crm_lead.write_date,
       crm_lead.user_id, crm_lead.open_user_id, crm_lead.closer_id, crm_lead.team_id,
       utm_source.name, utm_campaign.name,
       (SELECT group_concat(name, char(31)) FROM (
            SELECT crm_tag.name FROM crm_tag_rel JOIN crm_tag ON crm_tag.id = crm_tag_rel.tag_id
            WHERE crm_tag_rel.lead_id = crm_lead.id ORDER BY crm_tag.name)),
       crm_lead.partner_id, crm_lead.email_from, crm_lead.phone, crm_lead.priority,
       crm_lead.activity_date_deadline, crm_lead.skill, crm_lead.region, crm_lead.timezone,
       crm_lead.date_open
FROM crm_lead
LEFT JOIN crm_stage ON crm_stage.id = crm_lead.stage_id
LEFT JOIN utm_source ON utm_source.id = crm_lead.source_id
LEFT JOIN utm_campaign ON utm_campaign.id = crm_lead.campaign_id
"""

# Odoo lets internal users of the sales group own leads; portal users are "share" users.
_SELECT_USERS = (
    "SELECT id, name, login, active, sale_team_id, share = 0 AND salesman = 1 FROM res_users"
)

# Many2one fields whose group-by key is the name of the record, not its id.
_NAME_KEYED = {
    field: f"(SELECT name FROM {table} WHERE {table}.id = crm_lead.{column})"
    for field, (column, table) in NAMED_MANY2ONE.items()
}

# SQLite binds at most 32766 variables; id lists are sent in chunks below that.
_CHUNK = 30000

# Pages the log may grow to before SQLite copies it back into the file (and
# syncs it): about 40 MB rather than SQLite's 1,000 pages (4 MB), which a
# batch of scattered leads fills by itself: not one checkpoint per batch.
_CHECKPOINT_PAGES = 10_000
# Page cache per connection (KiB): a store of 100,000 leads fits, so that the
# re-checks and read-backs of a run's scattered leads do not go to the file.
_CACHE_KIB = 65_536

# Lead columns that refer to another table. A write gives every lead the same
# values, so each reference is checked once per write, not by SQLite per row.
_REFERENCES = {
    "user_id": "res_users",
    "open_user_id": "res_users",
    "closer_id": "res_users",
    "team_id": "crm_team",
}


class LocalStore:
    """A `CrmStore` over a SQLite file."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> LocalStore:
        """Open an existing store; a missing or foreign file is a `CrmError` naming it."""
        path = Path(path)
        if not path.is_file():
            raise CrmError(f"CRM store not found: {path}")
        connection = sqlite3.connect(path)
        try:
            row = connection.execute(
                "SELECT value FROM odlm_store WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.DatabaseError:
            connection.close()
            raise CrmError(f"{path} is not an odlm local CRM store") from None
        version = int(row[0]) if row is not None else None
        if version is None or not (min(_MIGRATIONS) <= version <= SCHEMA_VERSION):
            connection.close()
            raise CrmError(f"{path}: unsupported local CRM store version {row and row[0]}")
        if version < SCHEMA_VERSION:
            # Only an old store is written on opening: a current one is only read, so
            # opening it never waits for (or fails on) another process's write lock.
            with connection:
                for step in range(version, SCHEMA_VERSION):
                    for statement in _MIGRATIONS[step]:
                        connection.execute(statement)
                connection.execute(
                    "UPDATE odlm_store SET value = ? WHERE key = 'schema_version'",
                    (str(SCHEMA_VERSION),),
                )
        return cls._ready(connection, path)

    @classmethod
    def create(cls, path: str | Path, overwrite: bool = False) -> LocalStore:
        """Create an empty store; an existing file is replaced only with ``overwrite``."""
        path = Path(path)
        if path.exists():
            if not overwrite:
                raise CrmError(f"{path} exists; refusing to overwrite it")
            path.unlink()
        # A new store has no leases: those of a replaced one named runs on a CRM now gone.
        leases_of(path).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path)
        with connection:
            connection.executescript(_SCHEMA)
            connection.execute(
                "INSERT INTO odlm_store (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        return cls._ready(connection, path)

    @classmethod
    def _ready(cls, connection: sqlite3.Connection, path: Path) -> LocalStore:
        connection.execute("PRAGMA foreign_keys = ON")
        # A write-ahead log lets a report read the store while a run writes it,
        # and costs one sync per committed batch. FULL makes each commit
        # durable before the run journal records the batch done, as a CRM's
        # database would: a power cut never leaves the journal ahead of the store.
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
        connection.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        return cls(connection, path)

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # Loading data (demo and tests) ---------------------------------------

    def add_teams(self, teams: Iterable[Team]) -> None:
        """Insert teams; their members are recorded by `add_users` or `add_team_members`."""
        with self._db:
            self._db.executemany(
                "INSERT INTO crm_team (id, name, active) VALUES (?, ?, ?)",
                [(t.id, t.name, int(t.active)) for t in teams],
            )

    def add_users(self, users: Iterable[User]) -> None:
        """Insert users; each is a member of its sales team, as Odoo's ``sale_team_id`` is."""
        batch = list(users)
        with self._db:
            self._db.executemany(
                "INSERT INTO res_users (id, name, login, active, sale_team_id, share, salesman) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        u.id,
                        u.name,
                        u.login or f"user{u.id}",
                        int(u.active),
                        u.team_id,
                        0 if u.may_own_leads else 1,
                        int(u.may_own_leads),
                    )
                    for u in batch
                ],
            )
        self.add_team_members((u.team_id, u.id) for u in batch if u.team_id is not None)

    def add_team_members(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Record ``(team id, user id)`` memberships (a user may be in several teams)."""
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO crm_team_member (crm_team_id, user_id) VALUES (?, ?)",
                list(pairs),
            )

    def set_assignment(
        self,
        team_id: int,
        user_id: int,
        *,
        assignment_max: int = 30,
        assignment_optout: bool = False,
        assignment_domain: str | None = None,
        preferred_domain: str | None = None,
    ) -> None:
        """Set a membership's assignment settings (Odoo's defaults: 30 a month, no domain;
        ``preferred_domain`` is Odoo 19's "Lead Priority Filter")."""
        with self._db:
            self._db.execute(
                "INSERT INTO crm_team_member (crm_team_id, user_id, assignment_max, "
                "assignment_optout, assignment_domain, assignment_domain_preferred) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (crm_team_id, user_id) DO UPDATE SET "
                "assignment_max = excluded.assignment_max, "
                "assignment_optout = excluded.assignment_optout, "
                "assignment_domain = excluded.assignment_domain, "
                "assignment_domain_preferred = excluded.assignment_domain_preferred",
                (
                    team_id,
                    user_id,
                    assignment_max,
                    int(assignment_optout),
                    assignment_domain,
                    preferred_domain,
                ),
            )

    def set_team_domain(self, team_id: int, assignment_domain: str | None) -> None:
        """Set a sales team's own assignment domain (what its members' domains narrow)."""
        with self._db:
            self._db.execute(
                "UPDATE crm_team SET assignment_domain = ? WHERE id = ?",
                (assignment_domain, team_id),
            )

    def set_team_skipped(self, team_id: int, skipped: bool = True) -> None:
        """Set a sales team's own "Skip auto assignment"."""
        with self._db:
            self._db.execute(
                "UPDATE crm_team SET assignment_optout = ? WHERE id = ?", (int(skipped), team_id)
            )

    def set_lead_assignment(
        self,
        rule_based: bool,
        scheduled: bool,
        interval_number: int = 1,
        interval_type: str = "days",
    ) -> None:
        """Keep Odoo's own assignment settings as an Odoo database does: the Rule-Based
        Assignment setting and its scheduled action (active: Running "Repeatedly")."""
        schedule = {"active": scheduled, "number": interval_number, "type": interval_type}
        with self._db:
            self._db.execute("DELETE FROM odlm_store WHERE key IN (?, ?)", _ASSIGNMENT_KEYS)
            rows = [(_ASSIGNMENT_KEYS[1], json.dumps(schedule))]
            if rule_based:
                # As Odoo keeps it: the parameter exists only while the setting is ticked.
                rows.append((_ASSIGNMENT_KEYS[0], "True"))
            self._db.executemany("INSERT INTO odlm_store (key, value) VALUES (?, ?)", rows)

    def add_partners(self, partners: Iterable[tuple[int, str]]) -> None:
        with self._db:
            self._db.executemany("INSERT INTO res_partner (id, name) VALUES (?, ?)", partners)

    def add_leads(self, leads: Iterable[Lead]) -> None:
        """Insert leads, creating the sources, campaigns, stages, tags and partners they name."""
        batch = list(leads)
        # As in Odoo, every record has creation and write dates.
        now = _now()
        with self._db:
            sources = self._name_ids("utm_source", {x.source for x in batch if x.source})
            campaigns = self._name_ids("utm_campaign", {x.campaign for x in batch if x.campaign})
            stages = self._name_ids("crm_stage", {x.stage for x in batch if x.stage})
            tags = self._name_ids("crm_tag", {t for x in batch for t in x.tags})
            partners = {x.partner_id for x in batch if x.partner_id is not None}
            known = {r[0] for r in self._db.execute("SELECT id FROM res_partner")}
            self._db.executemany(
                "INSERT INTO res_partner (id, name) VALUES (?, ?)",
                [(p, f"Partner {p}") for p in sorted(partners - known)],
            )
            self._db.executemany(
                "INSERT INTO crm_lead (id, name, type, active, status, stage_id, source_date, "
                "create_date, write_date, user_id, open_user_id, closer_id, team_id, source_id, "
                "campaign_id, partner_id, email_from, phone, priority, activity_date_deadline, "
                "skill, region, timezone, date_open) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        x.id,
                        x.name,
                        x.type,
                        int(x.active),
                        x.status,
                        stages.get(x.stage) if x.stage else None,
                        _iso(x.source_date),
                        _iso(x.create_date) or now,
                        _iso(x.write_date) or now,
                        x.user_id,
                        x.open_user_id,
                        x.closer_id,
                        x.team_id,
                        sources.get(x.source) if x.source else None,
                        campaigns.get(x.campaign) if x.campaign else None,
                        x.partner_id,
                        x.email,
                        x.phone,
                        str(x.priority),
                        _iso(x.activity_date_deadline),
                        ", ".join(x.skills) or None,
                        x.region,
                        x.timezone,
                        # As Odoo dates a lead created with a salesperson: at its creation.
                        _iso(x.date_open)
                        or ((_iso(x.create_date) or now) if x.user_id is not None else None),
                    )
                    for x in batch
                ],
            )
            self._db.executemany(
                "INSERT INTO crm_tag_rel (lead_id, tag_id) VALUES (?, ?)",
                [(x.id, tags[t]) for x in batch for t in set(x.tags)],
            )

    def _name_ids(self, table: str, names: set[str]) -> dict[str, int]:
        self._db.executemany(
            f"INSERT OR IGNORE INTO {table} (name) VALUES (?)", [(n,) for n in sorted(names)]
        )
        return {name: id_ for id_, name in self._db.execute(f"SELECT id, name FROM {table}")}

    # The CrmStore contract ----------------------------------------------

    def find_users(self, names: Collection[str]) -> list[User]:
        wanted = sorted(set(names))
        users: dict[int, User] = {}
        for chunk in _chunks(wanted, _CHUNK // 2):
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"{_SELECT_USERS} WHERE name IN ({marks}) OR login IN ({marks}) ORDER BY id",
                (*chunk, *chunk),
            )
            users.update((row[0], _user(row)) for row in rows)
        return [users[k] for k in sorted(users)]

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        found: list[User] = []
        for chunk in _chunks(sorted(set(ids)), _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(f"{_SELECT_USERS} WHERE id IN ({marks}) ORDER BY id", chunk)
            found.extend(_user(row) for row in rows)
        return found

    def search_users(self, domain: Domain) -> list[User]:
        where = self._where(domain, USERS)
        rows = self._db.execute(f"{_SELECT_USERS} WHERE {where.text} ORDER BY id", where.params)
        return [_user(row) for row in rows]

    def find_teams(self, names: Collection[str]) -> list[Team]:
        wanted = sorted(set(names))
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = self._db.execute(
            "SELECT id, name, active, (SELECT group_concat(user_id) FROM (SELECT user_id "
            "FROM crm_team_member JOIN res_users ON res_users.id = crm_team_member.user_id "
            "WHERE crm_team_id = crm_team.id AND res_users.active = 1 ORDER BY user_id)) "
            f"FROM crm_team WHERE name IN ({marks}) ORDER BY id",
            wanted,
        )
        return [
            Team(
                id=r[0],
                name=r[1],
                active=bool(r[2]),
                member_ids=tuple(int(i) for i in r[3].split(",")) if r[3] else (),
            )
            for r in rows
        ]

    def search_leads(
        self, domain: Domain, page_size: int = 5000, unread: Collection[str] = ()
    ) -> Iterator[Lead]:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        check_skippable(unread)
        # Left unread as Odoo's store leaves them, so a run decides alike on both.
        select = _SELECT_LEADS
        for name in unread:
            select = select.replace(f"crm_lead.{name},", "NULL,")
        where = self._where(domain)
        last_id = 0
        while True:
            # Keyset paging: each page starts after the last id seen, so writes
            # between pages neither skip nor repeat leads.
            rows = self._db.execute(
                f"{select} WHERE crm_lead.id > ? AND ({where.text}) ORDER BY crm_lead.id LIMIT ?",
                (last_id, *where.params, page_size),
            ).fetchall()
            yield from (_lead(row) for row in rows)
            if len(rows) < page_size:
                return
            last_id = rows[-1][0]

    def read_leads(self, ids: Collection[int]) -> list[Lead]:
        leads: list[Lead] = []
        for chunk in _chunks(sorted(set(ids)), _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"{_SELECT_LEADS} WHERE crm_lead.id IN ({marks}) ORDER BY crm_lead.id", chunk
            )
            leads.extend(_lead(row) for row in rows)
        return leads

    def read_values(self, ids: Collection[int], fields: Collection[str]) -> dict[int, LeadState]:
        check_readable(fields)
        names = list(dict.fromkeys(fields))
        columns = ", ".join(LEAD_COLUMNS[name][0] for name in ("write_date", *names))
        priority = "priority" in names
        result: dict[int, LeadState] = {}
        for chunk in _chunks(sorted(set(ids)), _CHUNK):
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT id, {columns} FROM crm_lead WHERE id IN ({marks})", chunk
            )
            for row in rows:
                state = dict(zip(names, row[2:], strict=True))
                state["write_date"] = _stamp(row[1])
                if priority:
                    state["priority"] = int(state["priority"])
                result[row[0]] = state
        return result

    def lead_ids(self, domain: Domain) -> list[int]:
        where = self._where(domain)
        rows = self._db.execute(
            f"SELECT id FROM crm_lead WHERE {where.text} ORDER BY id", where.params
        )
        return [int(row[0]) for row in rows]

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> dict[tuple[Any, ...], int]:
        keys = [self._group_key(field) for field in group_by]
        where = self._where(domain)
        select = ", ".join([*keys, "COUNT(*)"])
        group = f" GROUP BY {', '.join(keys)}" if keys else ""
        rows = self._db.execute(
            f"SELECT {select} FROM crm_lead WHERE {where.text}{group}", where.params
        )
        counts: dict[tuple[Any, ...], int] = {}
        for row in rows:
            key = tuple(
                _group_value(field, value) for field, value in zip(group_by, row, strict=False)
            )
            counts[key] = row[-1]
        return counts

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        wanted = sorted(set(team_ids))
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        # Odoo hides the memberships of archived users, as find_teams does here.
        rows = self._db.execute(
            "SELECT m.crm_team_id, m.user_id, m.assignment_max, m.assignment_optout, "
            "m.assignment_domain, t.assignment_domain, m.assignment_domain_preferred "
            "FROM crm_team_member m "
            "JOIN crm_team t ON t.id = m.crm_team_id "
            "JOIN res_users u ON u.id = m.user_id AND u.active = 1 "
            f"WHERE m.crm_team_id IN ({marks}) ORDER BY m.crm_team_id, m.user_id",
            wanted,
        )
        return [
            TeamMember(
                team_id=r[0],
                user_id=r[1],
                assignment_max=r[2],
                assignment_optout=bool(r[3]),
                assignment_domain=(r[4] or "").strip() or None,
                team_domain=(r[5] or "").strip() or None,
                preferred_domain=(r[6] or "").strip() or None,
            )
            for r in rows
        ]

    def lead_assignment(self) -> LeadAssignment:
        """The assignment settings kept by `set_lead_assignment` (none: switched off), and
        each active team's capacity: its members' ``assignment_max``, as Odoo sums it."""
        kept = dict(
            self._db.execute(
                "SELECT key, value FROM odlm_store WHERE key IN (?, ?)", _ASSIGNMENT_KEYS
            ).fetchall()
        )
        schedule = json.loads(kept.get(_ASSIGNMENT_KEYS[1], "{}"))
        # Odoo sums every membership, an archived user's too (its assignment does not look
        # at the user's own flag: archived users still receive leads).
        teams = self._db.execute(
            "SELECT t.id, t.name, t.assignment_optout, (SELECT COALESCE(SUM(m.assignment_max), 0) "
            "FROM crm_team_member m WHERE m.crm_team_id = t.id) "
            "FROM crm_team t WHERE t.active = 1 ORDER BY t.id"
        ).fetchall()
        return LeadAssignment(
            version=None,
            rule_based=_ASSIGNMENT_KEYS[0] in kept,
            scheduled=bool(schedule.get("active")),
            interval_number=schedule.get("number"),
            interval_type=schedule.get("type"),
            teams=tuple(TeamCapacity(r[0], r[1], int(r[3]), bool(r[2])) for r in teams),
        )

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        wanted = sorted(set(ids))
        compiled = compile_domain(domain, LEADS)
        found: list[int] = []
        for chunk in _chunks(wanted, _CHUNK - len(compiled.params)):
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT crm_lead.id FROM crm_lead WHERE crm_lead.id IN ({marks}) "
                f"AND ({compiled.text})",
                (*chunk, *compiled.params),
            )
            found.extend(row[0] for row in rows)
        return sorted(found)

    def count_model(
        self, model: str, domain: Domain, group_by: Sequence[str]
    ) -> dict[tuple[Any, ...], int]:
        # The local store is shaped like crm.lead only; other models do not exist here.
        raise CrmError(f"model {model!r} does not exist in the local CRM store {self.path}")

    def utm_source_names(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT name FROM utm_source ORDER BY name")]

    def write_leads(self, ids: Sequence[int], values: LeadValues) -> None:
        check_lead_values(values)
        wanted = sorted(set(ids))
        if not wanted:
            return
        columns = [*values, "write_date"]
        assignments = ", ".join(f"{LEAD_COLUMNS[c][0]} = ?" for c in columns)
        params = [
            str(v) if field == "priority" and v is not None else v for field, v in values.items()
        ]
        now = _now()
        params.append(now)
        if "user_id" in values and self._dates_assignment(wanted, values["user_id"]):
            # As Odoo's crm.lead.write: a write that changes any lead's salesperson dates
            # every lead it writes; one that removes the salesperson clears the date.
            assignments += ", date_open = ?"
            params.append(now if values["user_id"] is not None else None)
        # The references are checked below, once; SQLite's own check would cost
        # a lookup per row and field. The pragma only changes between transactions.
        self._db.execute("PRAGMA foreign_keys = OFF")
        try:
            with self._db:
                self._check_references(values)
                for chunk in _chunks(wanted, _CHUNK - len(params)):
                    self._update(chunk, assignments, params, values)
        finally:
            self._db.execute("PRAGMA foreign_keys = ON")

    def _dates_assignment(self, ids: Sequence[int], user_id: int | None) -> bool:
        """Whether writing ``user_id`` on ``ids`` sets their "Assignment Date" (Odoo: when
        it clears the salesperson, or changes that of any one of them)."""
        if user_id is None:
            return True
        for chunk in _chunks(ids, _CHUNK - 1):
            marks = ", ".join("?" for _ in chunk)
            changed = self._db.execute(
                f"SELECT 1 FROM crm_lead WHERE id IN ({marks}) "
                "AND (user_id IS NULL OR user_id != ?) LIMIT 1",
                (*chunk, user_id),
            ).fetchone()
            if changed is not None:
                return True
        return False

    def _check_references(self, values: LeadValues) -> None:
        for field, value in values.items():
            table = _REFERENCES.get(field)
            if table is None or value is None:
                continue
            found = self._db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (value,)).fetchone()
            if found is None:
                raise CrmError(
                    f"the store refused the values {dict(values)!r}: {field}: "
                    f"no {table} record {value}"
                )

    def _update(
        self, chunk: Sequence[int], assignments: str, params: list[Any], values: LeadValues
    ) -> None:
        """One UPDATE of ``chunk``; raising rolls back the whole write."""
        marks = ", ".join("?" for _ in chunk)
        try:
            changed = self._db.execute(
                f"UPDATE crm_lead SET {assignments} WHERE id IN ({marks})", (*params, *chunk)
            ).rowcount
        except sqlite3.IntegrityError as exc:
            raise CrmError(f"the store refused the values {dict(values)!r}: {exc}") from None
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise CrmUnavailable(f"the local CRM store {self.path} is busy") from None
        if changed != len(chunk):
            present = {
                r[0]
                for r in self._db.execute(f"SELECT id FROM crm_lead WHERE id IN ({marks})", chunk)
            }
            missing = [i for i in chunk if i not in present]
            raise CrmError(f"no such lead(s): {', '.join(map(str, missing[:10]))}")

    @property
    def lease_path(self) -> Path:
        """The companion database holding this store's leases."""
        return leases_of(self.path)

    def take_lease(self, lease: Lease) -> Lease:
        """The lease row of ``lease.key``: inserted when free (the unique key decides
        between two processes), else the one found."""
        with self._leases() as db:
            # Twice: a lease released between the refused insert and the read is free again.
            for _ in range(2):
                try:
                    with db:
                        cursor = db.execute(
                            "INSERT INTO odlm_lease (key, value) VALUES (?, ?)",
                            (lease.key, lease.value()),
                        )
                    return replace(lease, record_id=cursor.lastrowid)
                except sqlite3.IntegrityError:
                    row = db.execute(
                        "SELECT id, value FROM odlm_lease WHERE key = ?", (lease.key,)
                    ).fetchone()
                    if row is not None:
                        return Lease.from_value(lease.key, row[1], int(row[0]))
        raise CrmError(f"{self.lease_path}: the lease {lease.key} could not be kept")

    def drop_lease(self, lease: Lease) -> None:
        if lease.record_id is None:
            return
        with self._leases() as db, db:
            db.execute("DELETE FROM odlm_lease WHERE id = ?", (lease.record_id,))

    @contextmanager
    def _leases(self) -> Iterator[sqlite3.Connection]:
        """The lease database, opened for one operation (a run takes and gives back one
        lease); a busy or unusable file is a `CrmError` naming it."""
        try:
            db = sqlite3.connect(self.lease_path, timeout=5)
        except sqlite3.Error as exc:
            raise CrmError(f"cannot open {self.lease_path}: {exc}") from None
        try:
            with db:
                db.execute(_LEASES)
            yield db
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise CrmUnavailable(f"{self.lease_path} is busy") from None
            raise CrmError(f"{self.lease_path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise CrmError(f"{self.lease_path} is not an odlm lease file: {exc}") from None
        finally:
            db.close()

    # helpers -------------------------------------------------------------

    def _where(self, domain: Domain, model: SqlModel = LEADS) -> Sql:
        """The domain's SQL; archived records stay hidden unless it names ``active``."""
        compiled = compile_domain(domain, model)
        if mentions_active(domain):
            return compiled
        return Sql(f"{model.table}.active = 1 AND ({compiled.text})", compiled.params)

    @staticmethod
    def _group_key(field: str) -> str:
        if field in _NAME_KEYED:
            return _NAME_KEYED[field]
        if field not in LEAD_COLUMNS:
            raise CrmError(f"cannot group leads by {field!r}")
        return f"crm_lead.{LEAD_COLUMNS[field][0]}"


def leases_of(path: Path) -> Path:
    """The companion database beside the store at ``path`` that holds its leases."""
    return path.with_name(f"{path.name}-leases")


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _now() -> str:
    """Now in UTC, as Odoo stores datetimes: naive, to the second."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")


def _stamp(text: str | None) -> str | None:
    """A stored ``write_date`` as its `write_stamp`; the store writes them in that form
    already (to the second), which is checked rather than parsed for each lead."""
    if text is not None and len(text) == 19 and text[10] == " ":
        return text
    return write_stamp(_datetime(text))


def _user(row: Sequence[Any]) -> User:
    return User(
        id=row[0],
        name=row[1],
        login=row[2],
        active=bool(row[3]),
        team_id=row[4],
        may_own_leads=bool(row[5]),
    )


def _iso(value: date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    return value.isoformat()


def _datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _lead(row: Sequence[Any]) -> Lead:
    # Positional, in `Lead`'s field order (which _SELECT_LEADS follows; a test
    # holds the two together): a dry run builds a Lead per row of a million,
    # and keywords cost a quarter of that.
    return Lead(
        row[0],
        row[1],
        row[2],
        bool(row[3]),
        row[4],
        row[5],
        date.fromisoformat(row[6][:10]) if row[6] else None,
        datetime.fromisoformat(row[7]) if row[7] else None,
        datetime.fromisoformat(row[8]) if row[8] else None,
        row[9],
        row[10],
        row[11],
        row[12],
        row[13],
        row[14],
        tuple(row[15].split("\x1f")) if row[15] else (),
        row[16],
        row[17],
        row[18],
        int(row[19]),
        date.fromisoformat(row[20][:10]) if row[20] else None,
        split_values(row[21]) if row[21] else (),
        row[22],
        row[23],
        datetime.fromisoformat(row[24]) if row[24] else None,
    )


def _group_value(field: str, value: Any) -> Any:
    if field == "active":
        return bool(value)
    if field == "priority" and value is not None:
        return int(value)
    return value
