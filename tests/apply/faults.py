"""A store wrapper that records every write and fails, or dies, where a test says."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from odoo_lead_manager.crm.store import CrmStore, LeadValues, Lease
from odoo_lead_manager.domain.model import Domain, Lead, LeadState, Team, TeamMember, User
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment
from odoo_lead_manager.errors import CrmError


class Killed(BaseException):
    """Stands for the process dying: no ``except Exception`` catches it, no cleanup runs."""


@dataclass(frozen=True)
class Fault:
    """At the ``call``-th call (from 1) of ``method``, ``before`` or after it ran: ``raise_``."""

    method: str
    call: int
    when: str
    raise_: BaseException | None = None  # None: SIGKILL the process

    def fire(self) -> None:
        if self.raise_ is not None:
            raise self.raise_
        os.kill(os.getpid(), signal.SIGKILL)


class FaultyStore:
    """A `CrmStore` passing every call to ``inner``; writes are logged, faults fire on cue.

    ``refuse`` lists lead ids the CRM refuses to write (a validation error):
    any write naming one of them fails whole, as in Odoo.
    """

    def __init__(
        self,
        inner: CrmStore,
        faults: Sequence[Fault] = (),
        refuse: Collection[int] = (),
        log_path: str | None = None,
    ) -> None:
        self.inner = inner
        self.faults = list(faults)
        self.refuse = set(refuse)
        self.calls: Counter[str] = Counter()
        self.written: list[int] = []
        self.log_path = log_path

    def _step(self, method: str, when: str) -> None:
        for fault in self.faults:
            if (fault.method, fault.call, fault.when) == (method, self.calls[method], when):
                fault.fire()

    def read_values(self, ids: Collection[int], fields: Collection[str]) -> dict[int, LeadState]:
        self.calls["read_values"] += 1
        self._step("read_values", "before")
        found = self.inner.read_values(ids, fields)
        self._step("read_values", "after")
        return found

    def write_leads(self, ids: Sequence[int], values: LeadValues) -> None:
        self.calls["write_leads"] += 1
        self._step("write_leads", "before")
        refused = self.refuse.intersection(ids)
        if refused:
            raise CrmError(f"ValidationError: lead {min(refused)} cannot take these values")
        self.inner.write_leads(ids, values)
        self.written.extend(ids)
        if self.log_path:
            # One line per lead written, flushed before a fault can kill the process.
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write("".join(f"{i}\n" for i in ids))
        self._step("write_leads", "after")

    # Everything else goes straight through.

    def find_users(self, names: Collection[str]) -> list[User]:
        return self.inner.find_users(names)

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        return self.inner.users_by_id(ids)

    def search_users(self, domain: Domain) -> list[User]:
        return self.inner.search_users(domain)

    def find_teams(self, names: Collection[str]) -> list[Team]:
        return self.inner.find_teams(names)

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        return self.inner.team_members(team_ids)

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        return self.inner.match_leads(domain, ids)

    def search_leads(
        self, domain: Domain, page_size: int = 5000, unread: Collection[str] = ()
    ) -> Iterator[Lead]:
        return self.inner.search_leads(domain, page_size, unread)

    def read_leads(self, ids: Collection[int]) -> list[Lead]:
        return self.inner.read_leads(ids)

    def lead_ids(self, domain: Domain) -> list[int]:
        return self.inner.lead_ids(domain)

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> dict[tuple[Any, ...], int]:
        return self.inner.count_leads(domain, group_by)

    def count_model(
        self, model: str, domain: Domain, group_by: Sequence[str]
    ) -> dict[tuple[Any, ...], int]:
        return self.inner.count_model(model, domain, group_by)

    def utm_source_names(self) -> list[str]:
        return self.inner.utm_source_names()

    def lead_assignment(self) -> LeadAssignment:
        return self.inner.lead_assignment()

    def take_lease(self, lease: Lease) -> Lease:
        return self.inner.take_lease(lease)

    def drop_lease(self, lease: Lease) -> None:
        self.inner.drop_lease(lease)

    def close(self) -> None:
        self.inner.close()
