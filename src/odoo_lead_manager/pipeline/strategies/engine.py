"""Which lead goes to whom, once a strategy has decided how many each gets.

Every strategy ends here. Leads are taken in a seeded random order (leads
that only seniors may take first, then leads with skills or places to
match); each goes to the salesperson who, among those its priority allows
and who still have part of their quota, prefers it most — by priority
handling (juniors first for low-priority leads), then skill, region and
timezone match (§4.3) — and then has the most quota left, then comes
first in turn. A salesperson with an assignment domain (Odoo's own, see
`pipeline.selection.odoo_team`) only ever takes the leads it accepts; one with Odoo
19's preferred domain is chosen first, among those allowed, for the leads it
prefers (a preference, as in Odoo, never a restriction). A lead never
goes to its current owner while another salesperson could take it: when
only its owner has quota left, it is exchanged with a lead already given
out; when even that fails it goes to someone within their cap. Everything
is chosen from heaps, so the work per lead grows with the number of levels,
match groups and distinct domains, not salespeople.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from odoo_lead_manager.domain.model import Assignment, Lead, Salesperson
from odoo_lead_manager.pipeline.strategies.people import Levels
from odoo_lead_manager.pipeline.strategies.shares import Shares

OWN_LEADS_ONLY = "only its current owner could take it"
# Everyone else with room had held the lead before (``distribution.never_back_to_last``).
EARLIER_HOLDERS_ONLY = "only its earlier holders could take it (never_back_to_last)"
OVER_LIMIT = "over the per-run limit (max_leads_per_run)"
NO_SALESPEOPLE = "no eligible salespeople"
NOBODY_AVAILABLE = "every eligible salesperson is away (salesperson_selection.availability)"
OUTSIDE_DOMAINS = "no salesperson's assignment domain (Odoo crm.team.member) accepts it"

# Odoo's priority keys: 0 Low, 1 Medium, 2 High, 3 Very High.
PRIORITY_CLASS = {0: "low", 1: "medium", 2: "high", 3: "high"}

_POLICY_WORDS = {
    "senior_only": "only the most senior level",
    "junior_first": "junior salespeople first",
    "all_levels": "every level",
}


@dataclass(frozen=True)
class Matching:
    """The §4.3 rules applied while choosing a lead's taker (priority, skill, place)."""

    high: str = "all_levels"
    medium: str = "all_levels"
    low: str = "all_levels"
    skills: tuple[str, ...] = ()
    skill_weights: tuple[float, ...] = ()
    region: bool = False
    timezone: bool = False

    def policy(self, priority: int) -> tuple[str, str]:
        """The priority class of a lead of this Odoo priority, and the policy for it."""
        kind = PRIORITY_CLASS.get(priority, "low")
        return kind, {"high": self.high, "medium": self.medium, "low": self.low}[kind]

    @property
    def compares(self) -> bool:
        """Whether any skill or place is compared (else every lead suits everyone alike)."""
        return bool(self.skills) or self.region or self.timezone

    def weight(self, skill: str) -> float:
        index = self.skills.index(skill)
        return self.skill_weights[index] if self.skill_weights else 1.0


_Signature = tuple[frozenset[str], str | None, str | None]
_NO_SKILLS: frozenset[str] = frozenset()
_UNMATCHED: _Signature = (_NO_SKILLS, None, None)
_Score = tuple[float, int, int]
# A heap of salespeople alike for a lead: (level rank, matching signature, domain group).
_Bucket = tuple[int, _Signature, int]
# A group's leads: those its assignment domain accepts and those it prefers (None: any, none).
_Domains = tuple[frozenset[int] | None, frozenset[int] | None]
_NO_SCORE: _Score = (0.0, 0, 0)


def _fold(value: str | None) -> str | None:
    return value.strip().casefold() if value and value.strip() else None


def assign(
    leads: Sequence[Lead],
    people: Sequence[Salesperson],
    shares: Shares,
    matching: Matching,
    levels: Levels,
    strategy: str,
    rng: random.Random,
    full_reason: str,
    owner_field: str = "user_id",
    accepts: Mapping[int, frozenset[int]] | None = None,
    prefers: Mapping[int, frozenset[int]] | None = None,
    earlier: Mapping[int, frozenset[int]] | None = None,
) -> tuple[list[Assignment], dict[str, list[int]]]:
    """Assign ``leads`` within ``shares``; ``people`` are in turn order.

    Returns the assignments and the leads left, by reason; ``full_reason``
    is the reason for leads beyond the quotas. ``owner_field`` is the lead
    field that says who holds a lead: a lead never goes back to its holder,
    and each assignment's ``previous_user_id`` is that holder. ``accepts``
    holds, for the salespeople with an assignment domain, the ids of the
    leads it accepts; the others take any lead. ``prefers`` holds, for those
    with a preferred domain, the leads it prefers. ``earlier`` holds, per lead,
    its earlier holders, whom it never goes back to either.
    """
    if not people:
        return [], ({NO_SALESPEOPLE: sorted(lead.id for lead in leads)} if leads else {})
    engine = _Engine(
        people,
        shares,
        matching,
        levels,
        strategy,
        owner_field,
        accepts or {},
        prefers or {},
        earlier or {},
    )
    return engine.run(leads, rng, full_reason)


def _first_allowed(
    heap: list[tuple[int, int, int]], barred: frozenset[int]
) -> tuple[int, int, int] | None:
    """The heap's first entry (quota left, turn, user id) whose user is not ``barred``:
    among its few smallest, since few are barred."""
    if heap[0][2] not in barred:
        return heap[0]
    return next((e for e in heapq.nsmallest(len(barred) + 1, heap) if e[2] not in barred), None)


class _Engine:
    def __init__(
        self,
        people: Sequence[Salesperson],
        shares: Shares,
        matching: Matching,
        levels: Levels,
        strategy: str,
        owner_field: str,
        accepts: Mapping[int, frozenset[int]],
        prefers: Mapping[int, frozenset[int]],
        earlier: Mapping[int, frozenset[int]],
    ) -> None:
        self.owner_field = owner_field
        self.earlier = earlier
        # Salespeople with the same domains (accepted, preferred) share a group; group 0
        # takes every lead and prefers none.
        self.domains: list[_Domains] = [(None, None)]
        self.group: dict[int, int] = {}
        for p in people:
            both = (accepts.get(p.user_id), prefers.get(p.user_id))
            if both not in self.domains:
                self.domains.append(both)
            self.group[p.user_id] = self.domains.index(both)
        self.holders: dict[int, int | None] = {}
        self.shares = shares
        self.matching = matching
        self.strategy = strategy
        self.wanted_skills = frozenset(matching.skills)
        self.compares = matching.compares
        self.policies = {priority: matching.policy(priority) for priority in PRIORITY_CLASS}
        self.level_count = len(levels.order)
        self.turn = {p.user_id: i for i, p in enumerate(people)}
        self.rank = {p.user_id: levels.rank(p.level) for p in people}
        self.signature = {p.user_id: self._person_signature(p) for p in people}
        self.remaining = {p.user_id: shares.quota.get(p.user_id, 0) for p in people}
        self.given = {p.user_id: 0 for p in people}
        self.leads_by_id: dict[int, Lead] = {}
        self.limit = shares.total
        # One heap of (-quota left, turn, user id) per (rank, signature, domain group).
        self.buckets: dict[_Bucket, list[tuple[int, int, int]]] = {}
        for p in people:
            if self.remaining[p.user_id] > 0:
                key = (self.rank[p.user_id], self.signature[p.user_id], self.group[p.user_id])
                self.buckets.setdefault(key, []).append(
                    (-self.remaining[p.user_id], self.turn[p.user_id], p.user_id)
                )
        for heap in self.buckets.values():
            heapq.heapify(heap)

    def _accepts(self, group: int, lead_id: int) -> bool:
        domain = self.domains[group][0]
        return domain is None or lead_id in domain

    def _prefers(self, group: int, lead_id: int) -> bool:
        domain = self.domains[group][1]
        return domain is not None and lead_id in domain

    def _takers(self, lead_id: int) -> int:
        """How many salespeople's domains accept the lead (the fewer, the sooner it is placed)."""
        return sum(self._accepts(self.group[uid], lead_id) for uid in self.turn)

    def _policy(self, lead: Lead) -> tuple[str, str]:
        return self.policies.get(lead.priority) or self.matching.policy(lead.priority)

    def _person_signature(self, person: Salesperson) -> _Signature:
        return self._signature(person.skills, person.region, person.timezone)

    def _lead_signature(self, lead: Lead) -> _Signature:
        if not self.compares:
            return _UNMATCHED
        signature = self._signature(lead.skills, lead.region, lead.timezone)
        return _UNMATCHED if signature == _UNMATCHED else signature

    def _signature(
        self, skills: tuple[str, ...], region: str | None, timezone: str | None
    ) -> _Signature:
        """What the matching rules compare; the same empty value for all when they are off."""
        matching = self.matching
        return (
            frozenset(s.casefold() for s in skills) & self.wanted_skills
            if skills and self.wanted_skills
            else _NO_SKILLS,
            _fold(region) if matching.region else None,
            _fold(timezone) if matching.timezone else None,
        )

    def _score(self, lead_sig: _Signature, person_sig: _Signature) -> _Score:
        if lead_sig is _UNMATCHED:
            return _NO_SCORE
        skills = sum(self.matching.weight(s) for s in lead_sig[0] & person_sig[0])
        region = int(lead_sig[1] is not None and lead_sig[1] == person_sig[1])
        zone = int(lead_sig[2] is not None and lead_sig[2] == person_sig[2])
        return skills, region, zone

    def _preference(self, policy: str, rank: int) -> int | None:
        """Lower is preferred; None: the policy does not allow this rank."""
        if policy == "senior_only":
            return 0 if rank == 0 and self.level_count > 0 else None
        if policy == "junior_first":
            return self.level_count if rank >= self.level_count else self.level_count - 1 - rank
        return 0

    def run(
        self, leads: Sequence[Lead], rng: random.Random, full_reason: str
    ) -> tuple[list[Assignment], dict[str, list[int]]]:
        pool = sorted(leads, key=lambda lead: lead.id)
        self.leads_by_id = {lead.id: lead for lead in pool}
        self.holders = {lead.id: getattr(lead, self.owner_field) for lead in pool}
        rng.shuffle(pool)
        signatures = {lead.id: self._lead_signature(lead) for lead in pool}
        restricted = len(self.domains) > 1
        takers = {lead.id: self._takers(lead.id) if restricted else 0 for lead in pool}
        groups = range(1, len(self.domains))
        preferred = {lead.id for lead in pool if any(self._prefers(g, lead.id) for g in groups)}
        # The most constrained leads first, so that generic ones do not use up their takers;
        # leads someone prefers before the others, as Odoo's first pass takes them.
        pool.sort(
            key=lambda lead: (
                self._policy(lead)[1] != "senior_only",
                takers[lead.id],
                lead.id not in preferred,
                signatures[lead.id] == _UNMATCHED,
            )
        )
        assignments: list[Assignment] = []
        deferred: list[Lead] = []
        for position, lead in enumerate(pool):
            if len(assignments) >= self.limit:
                deferred.extend(pool[position:])
                break
            choice = self._take(lead, signatures[lead.id])
            if choice is None:
                deferred.append(lead)
                continue
            assignments.append(self._assignment(lead, choice, signatures[lead.id], ""))
        unassigned: dict[str, list[int]] = {}
        for lead in deferred:
            reason = self._place_late(lead, signatures[lead.id], assignments, full_reason)
            if reason is not None:
                unassigned.setdefault(reason, []).append(lead.id)
        return assignments, {reason: sorted(ids) for reason, ids in unassigned.items()}

    def _take(self, lead: Lead, lead_sig: _Signature) -> int | None:
        """The best taker with quota left who is neither the holder nor an earlier holder;
        None when there is none."""
        policy = self._policy(lead)[1]
        best: tuple[tuple[int, int, float, int, int, int, int], _Bucket] | None = None
        for key, heap in self.buckets.items():
            if not heap or not self._accepts(key[2], lead.id):
                continue
            preference = self._preference(policy, key[0])
            if preference is None:
                continue
            entry = _first_allowed(heap, self._barred(lead.id))
            if entry is None:
                continue
            score = self._score(lead_sig, key[1])
            prefers = 0 if self._prefers(key[2], lead.id) else 1
            rank_key = (preference, prefers, -score[0], -score[1], -score[2], entry[0], entry[1])
            if best is None or rank_key < best[0]:
                best = (rank_key, key)
        if best is None:
            return None
        heap = self.buckets[best[1]]
        barred = self._barred(lead.id)
        set_aside = []
        while heap[0][2] in barred:
            set_aside.append(heapq.heappop(heap))
        _, turn, user_id = heapq.heappop(heap)
        for entry in set_aside:
            heapq.heappush(heap, entry)
        self.remaining[user_id] -= 1
        self.given[user_id] += 1
        if self.remaining[user_id] > 0:
            heapq.heappush(heap, (-self.remaining[user_id], turn, user_id))
        return user_id

    def _assignment(self, lead: Lead, user_id: int, lead_sig: _Signature, note: str) -> Assignment:
        parts = [f"{self.strategy}: {self.shares.basis.get(user_id, '')}"]
        kind, policy = self._policy(lead)
        if policy != "all_levels":
            parts.append(f"{kind} priority, {_POLICY_WORDS[policy]}")
        person_sig = self.signature[user_id]
        matched = []
        if lead_sig[0] & person_sig[0]:
            matched.append("skill " + ", ".join(sorted(lead_sig[0] & person_sig[0])))
        if lead_sig[1] is not None and lead_sig[1] == person_sig[1]:
            matched.append(f"region {lead.region}")
        if lead_sig[2] is not None and lead_sig[2] == person_sig[2]:
            matched.append(f"timezone {lead.timezone}")
        accepted, preferred = self.domains[self.group[user_id]]
        if accepted is not None:
            matched.append("assignment domain")
        if preferred is not None and lead.id in preferred:
            matched.append("preferred domain")
        if matched:
            parts.append("matched " + ", ".join(matched))
        if note:
            parts.append(note)
        return Assignment(lead.id, user_id, self.holders[lead.id], "; ".join(parts))

    def _barred(self, lead_id: int) -> frozenset[int]:
        """Whom the lead never goes to: its holder and its earlier holders."""
        holder = self.holders[lead_id]
        earlier = self.earlier.get(lead_id, frozenset())
        return earlier | {holder} if holder is not None else earlier

    def _allowed(self, lead: Lead, user_id: int) -> bool:
        policy = self._policy(lead)[1]
        return self._accepts(self.group[user_id], lead.id) and (
            self._preference(policy, self.rank[user_id]) is not None
        )

    def _place_late(
        self,
        lead: Lead,
        lead_sig: _Signature,
        assignments: list[Assignment],
        full_reason: str,
    ) -> str | None:
        """Place a lead the first pass could not; the reason it stays, or None once placed.

        Only the owner, or salespeople its priority rules out, have quota
        left here. An exchange keeps every share as planned; failing that,
        the lead goes beyond someone's share but within their cap, and the
        run's total stays as planned.
        """
        if len(assignments) >= self.limit:
            return full_reason
        owner = self.holders[lead.id]
        owner_left = owner is not None and self.remaining.get(owner, 0) > 0
        if (
            owner is not None
            and owner_left
            and self._allowed(lead, owner)
            and self._exchange(lead, lead_sig, assignments)
        ):
            return None
        kind, policy = self._policy(lead)
        barred = self._barred(lead.id)
        room = [uid for uid in self.turn if uid not in barred and self._has_room(lead, uid)]
        if room:
            user_id = min(
                room,
                key=lambda uid: (
                    self._preference(policy, self.rank[uid]),
                    tuple(-x for x in self._score(lead_sig, self.signature[uid])),
                    self.given[uid] - self.shares.quota.get(uid, 0),
                    self.turn[uid],
                ),
            )
            self._use_quota(owner, user_id)
            assignments.append(
                self._assignment(
                    lead, user_id, lead_sig, "beyond its share: no one else could take it"
                )
            )
            return None
        others = [self.group[uid] for uid in self.turn if uid != owner]
        if others and not any(self._accepts(group, lead.id) for group in others):
            return OUTSIDE_DOMAINS
        if owner_left:
            return OWN_LEADS_ONLY
        if any(self._has_room(lead, uid) for uid in barred - {owner} if uid in self.turn):
            return EARLIER_HOLDERS_ONLY
        if policy != "all_levels":
            return f"{kind} priority: {_POLICY_WORDS[policy]} may take it, and none had room"
        return full_reason

    def _has_room(self, lead: Lead, user_id: int) -> bool:
        cap = self.shares.cap.get(user_id)
        return self._allowed(lead, user_id) and (cap is None or self.given[user_id] < cap)

    def _use_quota(self, owner: int | None, user_id: int) -> None:
        """Count a lead placed beyond a share against quota nobody else could use."""
        self.given[user_id] += 1
        if self.remaining[user_id] > 0:
            donor = user_id
        elif owner is not None and self.remaining.get(owner, 0) > 0:
            donor = owner
        else:
            donor = max(self.remaining, key=lambda uid: (self.remaining[uid], -self.turn[uid]))
        self.remaining[donor] -= 1

    def _exchange(self, lead: Lead, lead_sig: _Signature, assignments: list[Assignment]) -> bool:
        """Give the owner a lead already handed out, and this lead to that lead's taker."""
        owner = self.holders[lead.id]
        if owner is None:
            return False
        for index in range(len(assignments) - 1, -1, -1):
            other = assignments[index]
            taker = other.user_id
            if (
                taker in self._barred(lead.id)
                or owner in self._barred(other.lead_id)
                or not self._allowed(lead, taker)
                or not self._allowed_id(other.lead_id, owner)
            ):
                continue
            assignments[index] = Assignment(
                other.lead_id,
                owner,
                other.previous_user_id,
                f"{self.strategy}: {self.shares.basis.get(owner, '')}; exchanged so that "
                f"lead {lead.id} does not go back to its owner",
            )
            self.remaining[owner] -= 1
            self.given[owner] += 1
            assignments.append(self._assignment(lead, taker, lead_sig, ""))
            return True
        return False

    def _allowed_id(self, lead_id: int, user_id: int) -> bool:
        return self._allowed(self.leads_by_id[lead_id], user_id)
