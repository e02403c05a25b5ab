"""The questions planning asks the CRM, and their recorded answers.

Stages ask through `Lookups` (a narrow part of `crm.store.CrmStore`): the
fetch step answers them from the CRM and keeps each answer (`Recorder`); the
planner answers them from a snapshot (`Replayed`), so that planning reads no
store. A replay asking what the recorded run never asked (another
configuration naming another user, say) stops with `SnapshotGap` naming the
question instead of guessing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from odoo_lead_manager.domain.model import Domain, Team, TeamMember, User
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment
from odoo_lead_manager.errors import CrmError, CrmUnavailable, UserInputError

# Grouped counts keyed as `CrmStore.count_leads` keys them.
Counts = dict[tuple[Any, ...], int]


class SnapshotGap(UserInputError):
    """Replaying asked the snapshot something the recorded run never asked the CRM."""


class Lookups(Protocol):
    """The questions planning asks the CRM besides the leads (a subset of `CrmStore`)."""

    def find_users(self, names: Collection[str]) -> list[User]: ...

    def users_by_id(self, ids: Collection[int]) -> list[User]: ...

    def search_users(self, domain: Domain) -> list[User]: ...

    def find_teams(self, names: Collection[str]) -> list[Team]: ...

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]: ...

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]: ...

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> Counts: ...

    def count_model(self, model: str, domain: Domain, group_by: Sequence[str]) -> Counts: ...

    def utm_source_names(self) -> list[str]: ...

    def lead_assignment(self) -> LeadAssignment | None: ...


def question(*parts: Any) -> str:
    """A question as canonical text: the key its answer is kept under."""
    return json.dumps(parts, default=str, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Answers:
    """Every answer the CRM gave planning, keyed by its question."""

    users: dict[int, User] = field(default_factory=dict)
    # Name or login asked -> the ids of the users carrying it (none: nobody).
    users_named: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Ids asked for that the CRM does not have.
    unknown_ids: tuple[int, ...] = ()
    teams: dict[int, Team] = field(default_factory=dict)
    teams_named: dict[str, tuple[int, ...]] = field(default_factory=dict)
    searches: dict[str, tuple[int, ...]] = field(default_factory=dict)
    counts: dict[str, list[tuple[list[Any], int]]] = field(default_factory=dict)
    # The CRM's utm source names, when asked for.
    utm_sources: tuple[str, ...] | None = None
    # Counts the CRM refused (a model it cannot read), with its message: replayed as refused.
    refused: dict[str, str] = field(default_factory=dict)
    # Sales-team memberships asked for, by the question naming the teams.
    members: dict[str, tuple[TeamMember, ...]] = field(default_factory=dict)
    # The leads a CRM-side domain matched, by the question naming domain and leads.
    matches: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # What the CRM's own lead assignment was set to (None: a snapshot from before odlm
    # asked, replayed as unknown).
    assignment: LeadAssignment | None = None


class Recorder:
    """`Lookups` answered by the CRM store, each answer kept for the snapshot."""

    def __init__(self, store: Lookups) -> None:
        self.store = store
        self.users: dict[int, User] = {}
        self.users_named: dict[str, tuple[int, ...]] = {}
        self.unknown_ids: set[int] = set()
        self.teams: dict[int, Team] = {}
        self.teams_named: dict[str, tuple[int, ...]] = {}
        self.searches: dict[str, tuple[int, ...]] = {}
        self.counts: dict[str, list[tuple[list[Any], int]]] = {}
        self.utm_sources: tuple[str, ...] | None = None
        self.refused: dict[str, str] = {}
        self.members: dict[str, tuple[TeamMember, ...]] = {}
        self.matches: dict[str, tuple[int, ...]] = {}
        self.assignment: LeadAssignment | None = None

    def find_users(self, names: Collection[str]) -> list[User]:
        users = self.store.find_users(names)
        self._keep_users(users)
        for name in names:
            self.users_named[name] = tuple(sorted(u.id for u in users if name in (u.name, u.login)))
        return users

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        users = self.store.users_by_id(ids)
        self._keep_users(users)
        self.unknown_ids.update(set(ids) - {u.id for u in users})
        return users

    def search_users(self, domain: Domain) -> list[User]:
        users = self.store.search_users(domain)
        self._keep_users(users)
        self.searches[question(domain)] = tuple(u.id for u in users)
        return users

    def find_teams(self, names: Collection[str]) -> list[Team]:
        teams = self.store.find_teams(names)
        self.teams.update((t.id, t) for t in teams)
        for name in names:
            self.teams_named[name] = tuple(sorted(t.id for t in teams if t.name == name))
        return teams

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        members = self.store.team_members(team_ids)
        self.members[_teams_question(team_ids)] = tuple(members)
        return members

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        found = self.store.match_leads(domain, ids)
        self.matches[_match_question(domain, ids)] = tuple(found)
        return found

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> Counts:
        counts = self.store.count_leads(domain, group_by)
        self.counts[question("crm.lead", domain, group_by)] = _rows(counts)
        return counts

    def count_model(self, model: str, domain: Domain, group_by: Sequence[str]) -> Counts:
        asked = question(model, domain, group_by)
        try:
            counts = self.store.count_model(model, domain, group_by)
        except CrmUnavailable:
            raise
        except CrmError as error:
            self.refused[asked] = error.message
            raise
        self.counts[asked] = _rows(counts)
        return counts

    def utm_source_names(self) -> list[str]:
        names = self.store.utm_source_names()
        self.utm_sources = tuple(names)
        return names

    def lead_assignment(self) -> LeadAssignment | None:
        self.assignment = self.store.lead_assignment()
        return self.assignment

    def _keep_users(self, users: Iterable[User]) -> None:
        for user in users:
            self.users[user.id] = user
            self.unknown_ids.discard(user.id)

    def answers(self) -> Answers:
        """What the CRM answered, each table in key order: the same questions give the same
        snapshot bytes (and digest) whatever order they were asked in, or the hash seed."""
        return Answers(
            dict(sorted(self.users.items())),
            dict(sorted(self.users_named.items())),
            tuple(sorted(self.unknown_ids - self.users.keys())),
            dict(sorted(self.teams.items())),
            dict(sorted(self.teams_named.items())),
            dict(sorted(self.searches.items())),
            dict(sorted(self.counts.items())),
            self.utm_sources,
            dict(sorted(self.refused.items())),
            dict(sorted(self.members.items())),
            dict(sorted(self.matches.items())),
            self.assignment,
        )


def _teams_question(team_ids: Collection[int]) -> str:
    return question("crm.team.member", sorted(set(team_ids)))


def _match_question(domain: Domain, ids: Collection[int]) -> str:
    # The leads asked about are the fetched ones, thousands of ids: named by their digest.
    digest = hashlib.sha256(",".join(map(str, sorted(set(ids)))).encode()).hexdigest()
    return question("crm.lead", domain, digest)


def _rows(counts: Mapping[tuple[Any, ...], int]) -> list[tuple[list[Any], int]]:
    return [(list(key), count) for key, count in counts.items()]


class Replayed:
    """`Lookups` answered from a snapshot's `Answers`; an unrecorded question is a `SnapshotGap`."""

    def __init__(self, answers: Answers, taken: str = "the recorded run") -> None:
        self.answers = answers
        self.taken = taken

    def _gap(self, what: str) -> SnapshotGap:
        return SnapshotGap(
            f"{self.taken} did not ask the CRM for {what}: this configuration needs more "
            "than the snapshot holds (take a new one: run a dry run with it)"
        )

    def find_users(self, names: Collection[str]) -> list[User]:
        missing = sorted(set(names) - self.answers.users_named.keys())
        if missing:
            raise self._gap(f"the users named {', '.join(missing)}")
        ids = {uid for name in names for uid in self.answers.users_named[name]}
        return [self.answers.users[uid] for uid in sorted(ids)]

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        unknown = set(self.answers.unknown_ids)
        missing = sorted(set(ids) - self.answers.users.keys() - unknown)
        if missing:
            raise self._gap(f"the users with ids {', '.join(map(str, missing))}")
        return [self.answers.users[uid] for uid in sorted(set(ids) - unknown)]

    def search_users(self, domain: Domain) -> list[User]:
        found = self.answers.searches.get(question(domain))
        if found is None:
            raise self._gap(f"the users matching {question(domain)}")
        return [self.answers.users[uid] for uid in found]

    def find_teams(self, names: Collection[str]) -> list[Team]:
        missing = sorted(set(names) - self.answers.teams_named.keys())
        if missing:
            raise self._gap(f"the sales teams named {', '.join(missing)}")
        ids = {tid for name in names for tid in self.answers.teams_named[name]}
        return [self.answers.teams[tid] for tid in sorted(ids)]

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        found = self.answers.members.get(_teams_question(team_ids))
        if found is None:
            listed = ", ".join(map(str, sorted(set(team_ids))))
            raise self._gap(f"the members of the sales teams {listed}")
        return list(found)

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        found = self.answers.matches.get(_match_question(domain, ids))
        if found is None:
            raise self._gap(f"the leads matching {question(domain)}")
        return list(found)

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> Counts:
        return self._counts("crm.lead", domain, group_by)

    def count_model(self, model: str, domain: Domain, group_by: Sequence[str]) -> Counts:
        return self._counts(model, domain, group_by)

    def _counts(self, model: str, domain: Domain, group_by: Sequence[str]) -> Counts:
        asked = question(model, domain, group_by)
        if asked in self.answers.refused:
            raise CrmError(self.answers.refused[asked])
        rows = self.answers.counts.get(asked)
        if rows is None:
            grouped = f" by {', '.join(group_by)}" if group_by else ""
            raise self._gap(f"the {model} records{grouped} matching {question(domain)}")
        return {tuple(key): count for key, count in rows}

    def utm_source_names(self) -> list[str]:
        if self.answers.utm_sources is None:
            raise self._gap("its utm sources")
        return list(self.answers.utm_sources)

    def lead_assignment(self) -> LeadAssignment | None:
        return self.answers.assignment
