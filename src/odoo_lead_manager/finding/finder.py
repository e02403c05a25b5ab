"""The finder: runs the filters over fetched leads and counts what each removed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from odoo_lead_manager.finding.filters import LeadFilter
from odoo_lead_manager.model import Domain, Lead

# Only leads (not opportunities) that are not archived are distributed by default.
BASE_DOMAIN: Domain = [("type", "=", "lead"), ("active", "=", True)]


def base_domain(lead_types: Sequence[str]) -> Domain:
    """Active records of the distributed crm.lead types (``crm.lead_types``)."""
    if list(lead_types) == ["lead"]:
        return list(BASE_DOMAIN)
    return [("type", "in", list(lead_types)), ("active", "=", True)]


def server_domain(filters: Sequence[LeadFilter], base: Domain = BASE_DOMAIN) -> Domain:
    """The domain to fetch with: the base and every filter's fragment, and-ed."""
    domain: Domain = list(base)
    for lead_filter in filters:
        if lead_filter.domain is not None:
            domain.extend(lead_filter.domain)
    return domain


@dataclass(frozen=True)
class FindResult:
    """The leads that passed every filter, and how many each filter removed.

    ``examined`` counts the leads the store returned. Each excluded lead is
    counted once, under the first filter (in configured order) that rejected it.
    """

    leads: list[Lead]
    examined: int
    excluded: dict[str, int] = field(default_factory=dict)


def find_leads(leads: Iterable[Lead], filters: Sequence[LeadFilter]) -> FindResult:
    """Keep the leads every filter keeps; count exclusions under the first failing filter."""
    kept: list[Lead] = []
    excluded = {f.name: 0 for f in filters}
    examined = 0
    for lead in leads:
        examined += 1
        for lead_filter in filters:
            if not lead_filter.keep(lead):
                excluded[lead_filter.name] += 1
                break
        else:
            kept.append(lead)
    return FindResult(kept, examined, excluded)
