"""The contract every CRM store honours: the embedded local store and Odoo.

Stages never hold a store; the planner and the applier call it in bulk. Field
names in domains and in written values are the logical crm.lead names of
`odoo_lead_manager.domain.model.Lead` (``status``, ``source_date``, ``user_id``,
``open_user_id``, ``closer_id``, ``team_id``, ``source_id``, ``campaign_id``,
``tag_ids``, ``partner_id``, ``email_from``, ``phone``, ``priority``,
``activity_date_deadline``, ``stage_id``, ``type``, ``active``,
``write_date``, ``create_date``, ``date_open``, ``name``, ``id``); a store
maps them to its own columns or fields. As in Odoo, ``date_open`` (the
"Assignment Date") is set when a lead is created with a ``user_id``; a write
of a ``user_id`` dates every lead it writes when it changes any one's
salesperson, and a write clearing ``user_id`` clears it.

Domains use Odoo's notation: a list of ``(field, operator, value)`` terms and
the prefix operators ``'&'``, ``'|'``, ``'!'``, terms being and-ed by default.
Operators: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not in``,
``=like``, ``like``, ``=ilike``, ``ilike``. ``False`` as a value means unset,
as in Odoo. For the many2one fields ``source_id``, ``campaign_id`` and
``stage_id`` the value is the record's name; for ``tag_ids``, ``in`` and
``not in`` compare against the tag names (any tag in / no tag in).
Dates are ``datetime.date`` or ``'YYYY-MM-DD'`` strings.
Archived records (``active = False``) are only seen when the domain names
``active`` itself, as with Odoo's ``active_test``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from odoo_lead_manager.domain.model import (
    SKIPPABLE,
    WRITABLE_FIELDS,
    Domain,
    Lead,
    LeadState,
    Team,
    TeamMember,
    User,
)
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment
from odoo_lead_manager.errors import CrmError

# Values to write on leads, by logical field name; ``None`` clears a field.
LeadValues = Mapping[str, Any]
# Lead ids per `CrmStore.match_leads` call: the id list stays a small request body.
MATCH_CHUNK = 5000


def check_readable(fields: Collection[str]) -> None:
    """Refuse fields `CrmStore.read_values` does not read (only writable ones are)."""
    unknown = sorted(set(fields) - WRITABLE_FIELDS.keys())
    if unknown:
        raise CrmError(f"cannot read lead field(s) by value: {', '.join(unknown)}")


def check_lead_values(values: LeadValues) -> None:
    """Refuse unwritable fields and values of the wrong type, before anything is written."""
    unknown = sorted(set(values) - WRITABLE_FIELDS.keys())
    if unknown:
        raise CrmError(f"cannot write lead field(s): {', '.join(unknown)}")
    for field, value in values.items():
        expected = WRITABLE_FIELDS[field]
        if value is not None and (not isinstance(value, expected) or isinstance(value, bool)):
            raise CrmError(f"lead field {field}: {value!r} is not a {expected.__name__}")


@dataclass(frozen=True)
class Lease:
    """A claim on a name (a campaign's run lock) kept in the CRM, so that every host
    writing to the CRM sees it, whatever run journal each one keeps.

    A store keeps at most one lease per ``key``: taking a held key fails, and
    leases are only ever created and removed, never changed, so a lease's
    ``record_id`` (given by the store) names exactly that claim.
    ``expires_at`` (naive UTC) is when a holder that died stops counting;
    ``machine`` names the kernel and process namespace ``pid`` lives in, so
    that a process on the same machine can tell a dead holder at once.
    """

    key: str
    host: str
    pid: int
    machine: str
    token: str
    expires_at: datetime
    record_id: int | None = None

    def value(self) -> str:
        """The lease as the text a store keeps under its key."""
        return json.dumps(
            {
                "host": self.host,
                "pid": self.pid,
                "machine": self.machine,
                "token": self.token,
                "expires_at": self.expires_at.isoformat(timespec="seconds"),
            },
            sort_keys=True,
        )

    @classmethod
    def from_value(cls, key: str, text: str, record_id: int) -> Lease:
        """The lease kept as ``text``; anything else under the key is a `CrmError` naming it."""
        try:
            data = json.loads(text)
            return cls(
                key=key,
                host=str(data["host"]),
                pid=int(data["pid"]),
                machine=str(data["machine"]),
                token=str(data["token"]),
                expires_at=datetime.fromisoformat(str(data["expires_at"])),
                record_id=record_id,
            )
        except (ValueError, TypeError, KeyError):
            raise CrmError(
                f"the CRM holds {key!r}, which is not an odlm lease; remove it "
                "(in Odoo: Settings, Technical, System Parameters)"
            ) from None


class CrmStore(Protocol):
    """Bulk access to users, teams and leads of one CRM database."""

    def find_users(self, names: Collection[str]) -> list[User]:
        """Every user, archived ones included, whose name or login equals one of ``names``.

        One call for the whole collection; the result may hold several users
        for one name (the caller decides what ambiguity means).
        """

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        """The users with these ids, archived ones included; unknown ids are left out."""

    def search_users(self, domain: Domain) -> list[User]:
        """The users matching ``domain``, ordered by id.

        User fields: ``id``, ``name``, ``login``, ``active``, ``share`` (a
        portal user), ``team_id`` (the main sales team's id) and ``team``
        (its name). Archived users are only seen when the domain names
        ``active``, as for leads.
        """

    def find_teams(self, names: Collection[str]) -> list[Team]:
        """Every sales team, archived ones included, whose name equals one of ``names``.

        ``member_ids`` are the team's active members, sorted (Odoo hides archived users).
        """

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        """The active memberships of these sales teams with their assignment settings,
        ordered by team and user; each carries its team's own assignment domain.

        Two calls whatever the number of members. Raises ``CrmError`` when the
        CRM keeps no such settings.
        """

    def lead_assignment(self) -> LeadAssignment:
        """What the CRM's own lead assignment is set to (Odoo's Rule-Based Assignment),
        with every active sales team's capacity. Two calls on Odoo."""

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        """Of the leads ``ids`` (archived included), those matching ``domain``, sorted.

        ``domain`` is in the CRM's own crm.lead field names, as Odoo keeps a
        sales team's or member's ``assignment_domain``, and is evaluated by the
        CRM itself; one call per `MATCH_CHUNK` ids. Raises ``CrmError`` when
        the CRM refuses the domain.
        """

    def search_leads(
        self, domain: Domain, page_size: int = 5000, unread: Collection[str] = ()
    ) -> Iterator[Lead]:
        """The leads matching ``domain``, ordered by id, fetched ``page_size`` at a time.

        ``unread`` (of `SKIPPABLE`): fields the caller does not look at, left at the
        `Lead` default instead of read; anything else raises ``ValueError``.
        """

    def read_leads(self, ids: Collection[int]) -> list[Lead]:
        """The leads with these ids, archived ones included, in id order."""

    def read_values(self, ids: Collection[int], fields: Collection[str]) -> dict[int, LeadState]:
        """The given writable ``fields`` and the ``write_date`` of the leads with these ids.

        Archived leads included; ids the CRM does not have are left out. Each
        field's value is the one `read_leads` gives the `Lead` attribute of the
        same name; ``write_date`` is its `write_stamp`. What applying a plan
        re-checks and reads back: one narrow read instead of whole leads.

        Tried once: a transient failure raises `CrmUnavailable` at once, since
        the applier, which calls this, retries with the configured delay.
        """

    def lead_ids(self, domain: Domain) -> list[int]:
        """The ids of the leads matching ``domain``, sorted; one call, no field read.

        What the fetch step asks before each rule it leaves to the CRM, so
        that the leads each rule removed there are on record by id.
        """

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> dict[tuple[Any, ...], int]:
        """Counts of matching leads grouped by the given fields (like Odoo's read_group).

        Keys are tuples of the group-by values in order; many2one fields give
        their id (``user_id``, ``team_id``) or their name (``source_id``,
        ``campaign_id``, ``stage_id``); unset values are ``None``.
        """

    def count_model(
        self, model: str, domain: Domain, group_by: Sequence[str]
    ) -> dict[tuple[Any, ...], int]:
        """Grouped counts on another model (the sales filter's ``crm.opp``).

        Field names and the domain are the model's own, passed as they are;
        a many2one key is the record's id, unset values are ``None``. Raises
        ``CrmError`` when the model cannot be read.
        """

    def utm_source_names(self) -> list[str]:
        """The names of every utm source (web source) the CRM knows, sorted."""

    def write_leads(self, ids: Sequence[int], values: LeadValues) -> None:
        """Write the same ``values`` on every lead of ``ids`` in one operation.

        Also sets ``write_date`` to now. Raises ``CrmError`` for unknown
        fields or ids, writing nothing then. Never sent twice by the store: a
        failure that leaves it unknown whether the write was done raises
        `CrmOutcomeUnknown` (or `CrmUnavailable`), and the caller reads the
        leads again before writing those that do not hold ``values`` yet.
        """

    def take_lease(self, lease: Lease) -> Lease:
        """Keep ``lease`` unless its key is held; the lease holding the key afterwards.

        That is ``lease`` with its ``record_id`` when it was taken, else the
        lease found (expired or not: the caller decides; nothing is replaced
        here). Atomic: of two stores taking one key at once, one gets it.
        One call when the key is free.
        """

    def drop_lease(self, lease: Lease) -> None:
        """Remove exactly this lease (by its ``record_id``); nothing when it is gone already.

        One call.
        """

    def close(self) -> None:
        """Release connections and files."""


def check_skippable(unread: Collection[str]) -> None:
    """Refuse, naming it, a field `CrmStore.search_leads` cannot leave unread."""
    for name in unread:
        if name not in SKIPPABLE:
            raise ValueError(f"search_leads cannot leave {name!r} unread: {sorted(SKIPPABLE)} only")
