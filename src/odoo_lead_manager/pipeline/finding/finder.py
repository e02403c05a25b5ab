"""The finder: fetches the leads, runs the filters and counts what each removed.

Order of evaluation, which decides where an excluded lead is counted (the
first filter that rejects it):

1. the date window (with dropback, the window or any dropback age), which
   defines the leads examined;
2. the filters with an exact Odoo domain, in pipeline order: the server
   applies them and counts, per filter, the leads it removed among those
   the earlier ones kept (one ``search_count`` each);
3. the other shared filters (sales filter, protections) on the client;
4. with dropback: the split; candidates go through the dropback criteria,
   the rest through the distribution filters (client side; the
   distribution filters' domains are pushed only without dropback, since
   they must not apply to the dropback pool).

Every predicate also runs on the fetched leads, so a store that returns a
lead a filter rejects still has it excluded and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from odoo_lead_manager.domain.fetched import Fetched, Rejection
from odoo_lead_manager.domain.model import SKIPPABLE, Domain, Lead
from odoo_lead_manager.domain.reasons import NO_DROPBACK_USER
from odoo_lead_manager.pipeline.finding.filters import LeadFilter

log = logging.getLogger(__name__)

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
class Split:
    """Where the dropback pool leaves the distribution pool.

    ``route`` returns the key of a lead's dropback target, or None when its
    campaign has no user.
    """

    is_candidate: Callable[[Lead], bool]
    criteria: Sequence[LeadFilter]
    route: Callable[[Lead], object | None]
    # With dropback the fetch covers old leads too; the window is checked again here.
    window: LeadFilter | None = None


@dataclass(frozen=True)
class Pipeline:
    """The filters of one run, in the order of spec §3.6 "Integration Points"."""

    window: LeadFilter
    shared: Sequence[LeadFilter] = ()
    distribution: Sequence[LeadFilter] = ()
    split: Split | None = None

    def pushed(self) -> list[LeadFilter]:
        """The filters the server applies after the window."""
        candidates = [*self.shared, *(self.distribution if self.split is None else ())]
        return [f for f in candidates if f.domain is not None]

    def unread(self) -> list[str]:
        """The fields of `SKIPPABLE` no filter of the run reads: not worth fetching."""
        filters = [self.window, *self.shared, *self.distribution]
        if self.split is not None:
            filters += [*self.split.criteria, *([self.split.window] if self.split.window else [])]
        read = {name for f in filters for name in f.reads}
        return sorted(SKIPPABLE - read)

    def names(self) -> list[str]:
        """Every filter name, in report order."""
        names = [f.name for f in (self.window, *self.shared, *self.distribution)]
        if self.split is not None:
            names += [f.name for f in self.split.criteria] + [NO_DROPBACK_USER]
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class FindResult:
    """The leads to distribute, the leads that drop back, and the exclusions.

    ``examined`` counts the leads in the date window (and, with dropback, of
    dropback age). Each excluded lead is counted once, under the first
    filter that rejected it (see the module docstring for the order);
    ``details`` counts them again by the filter's detail, where it has one.
    ``rejected`` lists the excluded leads themselves, when asked for.
    """

    leads: list[Lead]
    examined: int
    excluded: dict[str, int] = field(default_factory=dict)
    dropback: list[Lead] = field(default_factory=list)
    details: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)


_NO_USER = LeadFilter(NO_DROPBACK_USER, lambda lead: False)


def _first_failing(lead: Lead, filters: Iterable[LeadFilter]) -> LeadFilter | None:
    for lead_filter in filters:
        if not lead_filter.keep(lead):
            return lead_filter
    return None


def _order(pipeline: Pipeline, server_first: bool) -> tuple[list[LeadFilter], list[LeadFilter]]:
    """The filters every lead meets first, and those only leads to distribute meet after
    the split, in evaluation order (see the module docstring)."""
    shared = [pipeline.window, *pipeline.shared]
    if server_first:
        pushed = pipeline.pushed()
        shared = [pipeline.window, *pushed, *(f for f in pipeline.shared if f not in pushed)]
    split = pipeline.split
    window = [split.window] if split is not None and split.window is not None else []
    # A distribution filter the server applied has been met among the shared ones already.
    return shared, [f for f in (*window, *pipeline.distribution) if f not in shared]


def decide(
    lead: Lead, pipeline: Pipeline, server_first: bool = False
) -> tuple[list[tuple[LeadFilter, bool]], bool]:
    """Each rule the lead meets, in order, with whether it passed; and whether the lead
    drops back. The last rule listed failed, unless every one passed.

    `run_pipeline` decides every lead with this, so what `odlm explain` shows
    for a lead is what the report counts.
    """
    shared, late = _order(pipeline, server_first)
    met: list[tuple[LeadFilter, bool]] = []
    for lead_filter in shared:
        kept = lead_filter.keep(lead)
        met.append((lead_filter, kept))
        if not kept:
            return met, False
    split = pipeline.split
    if split is not None and split.is_candidate(lead):
        for lead_filter in split.criteria:
            kept = lead_filter.keep(lead)
            met.append((lead_filter, kept))
            if not kept:
                return met, True
        routed = split.route(lead) is not None
        met.append((_NO_USER, routed))
        return met, True
    for lead_filter in late:
        kept = lead_filter.keep(lead)
        met.append((lead_filter, kept))
        if not kept:
            break
    return met, False


def run_pipeline(
    leads: Iterable[Lead],
    pipeline: Pipeline,
    already: int = 0,
    server_first: bool = False,
    keep_rejected: bool | Callable[[str], bool] = False,
) -> FindResult:
    """Filter leads; ``already`` were examined and excluded on the server.

    With ``server_first`` the filters the server applied come first, as
    `find_in_store` counts them; otherwise the pipeline order holds.
    ``keep_rejected`` lists the excluded leads in the result: all of them,
    or those of the filters (by name) it says yes to.
    """
    excluded = dict.fromkeys(pipeline.names(), 0)
    details: dict[str, dict[str, int]] = {}
    rejected: list[Rejection] = []
    kept: list[Lead] = []
    dropback: list[Lead] = []
    examined = already
    shared, late = _order(pipeline, server_first)
    split = pipeline.split
    for lead in leads:
        examined += 1
        # The order of `decide`, without recording each step (this loop sees every lead).
        failed = _first_failing(lead, shared)
        if failed is None and split is not None and split.is_candidate(lead):
            failed = _first_failing(lead, split.criteria)
            if failed is None and split.route(lead) is None:
                failed = _NO_USER
            if failed is None:
                dropback.append(lead)
                continue
        elif failed is None:
            failed = _first_failing(lead, late)
        if failed is None:
            kept.append(lead)
            continue
        name = failed.name
        excluded[name] = excluded.get(name, 0) + 1
        detail = failed.detail(lead) if failed.detail is not None else None
        if detail is not None:
            counts = details.setdefault(name, {})
            counts[detail] = counts.get(detail, 0) + 1
        if keep_rejected is True or (callable(keep_rejected) and keep_rejected(name)):
            why = failed.why(lead) if failed.why is not None else ""
            rejected.append(Rejection(lead, name, detail, why))
    return FindResult(kept, examined, excluded, dropback, details, rejected)


def find_leads(leads: Iterable[Lead], filters: Sequence[LeadFilter]) -> FindResult:
    """Keep the leads every filter keeps (the first is the window); count the others."""
    if not filters:
        raise ValueError("find_leads needs at least the date window filter")
    return run_pipeline(leads, Pipeline(window=filters[0], distribution=filters[1:]))


def found_in(
    fetched: Fetched, pipeline: Pipeline, keep_rejected: bool | Callable[[str], bool] = False
) -> FindResult:
    """The pipeline over the fetched leads, with the server's removals counted in."""
    result = run_pipeline(fetched.leads, pipeline, server_first=True, keep_rejected=keep_rejected)
    for name, number in fetched.removed:
        result.excluded[name] = result.excluded.get(name, 0) + number
    return replace(result, examined=result.examined + sum(n for _, n in fetched.removed))
