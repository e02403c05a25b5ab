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

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from odoo_lead_manager.crm.store import SKIPPABLE, CrmStore
from odoo_lead_manager.finding.filters import LeadFilter
from odoo_lead_manager.model import Domain, Lead

log = logging.getLogger(__name__)

# Only leads (not opportunities) that are not archived are distributed by default.
BASE_DOMAIN: Domain = [("type", "=", "lead"), ("active", "=", True)]
NO_DROPBACK_USER = "Dropback: no user for its campaign"


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


@dataclass(frozen=True, slots=True)
class Rejection:
    """One examined lead a filter excluded, and why (the filter, and its detail if any)."""

    lead: Lead
    filter: str
    detail: str | None = None
    # What the rule saw, in a sentence (`LeadFilter.why`), for the ledger.
    why: str = ""


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


@dataclass(frozen=True)
class Fetched:
    """The leads the fetch step paged, and what the server filtered out before them.

    ``domain`` is the fetch domain as text; ``removed`` pairs each filter the
    server applied with how many leads it removed there, in order. Nothing
    pushed (``removed`` empty): every lead of the window was fetched, so each
    excluded one can be listed (the excluded-leads ledger, `odlm explain`).
    ``unread``: the fields left unread because no rule of the run reads them
    (`Pipeline.unread`); the leads hold the `Lead` default there.
    ``removed_ids``: for each filter the server applied, the ids of the leads it
    removed there, so that `odlm explain` names the rule for any of them
    afterwards (empty in snapshots taken before they were kept).
    """

    leads: tuple[Lead, ...]
    domain: str = ""
    removed: tuple[tuple[str, int], ...] = ()
    pushed: bool = False
    unread: tuple[str, ...] = ()
    removed_ids: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def removed_by(self, lead_id: int) -> str | None:
        """The filter the server applied that removed ``lead_id``, if one did."""
        return next((name for name, ids in self.removed_ids if lead_id in ids), None)


def fetch_leads(
    store: CrmStore,
    base: Domain,
    pipeline: Pipeline,
    page_size: int,
    on_fetched: Callable[[int], None] | None = None,
    push: bool = True,
    unread: Sequence[str] | None = None,
) -> Fetched:
    """Page the leads with every exact domain pushed to the server, recording each one's removals.

    What a filter removed is the leads before it less the leads after it (ids
    only, one ``search`` per filter): asking for the negation instead would
    trust the server to negate exactly, and Odoo 17 does not for computed
    fields (``['!', ('activity_date_deadline', '<', d)]`` becomes ``>= d``,
    which misses leads with no activity and leads with activities on both
    sides). The last "after" is the leads fetched, so the calls are as many
    as the filters pushed.
    ``on_fetched`` hears how many leads have been fetched, page by page.
    Without ``push`` only the window is the server's: every lead of it is fetched.
    ``unread``: the fields left unread (default: those no filter reads, `Pipeline.unread`).
    """
    domain = [*base, *(pipeline.window.domain or [])]
    pushed = pipeline.pushed() if push else []
    before: list[frozenset[int]] = []
    for lead_filter in pushed:
        before.append(frozenset(store.lead_ids(domain)))
        domain.extend(lead_filter.domain or [])
    log.debug("fetching leads with domain %s", domain)
    unread = pipeline.unread() if unread is None else list(unread)
    found = store.search_leads(domain, page_size=page_size, unread=unread)
    counted = _Counted(found, page_size, on_fetched)
    leads = tuple(counted)
    after = [*before[1:], frozenset(lead.id for lead in leads)] if pushed else []
    removed: dict[str, set[int]] = {}
    for lead_filter, ids, left in zip(pushed, before, after, strict=True):
        # A lead the CRM changed between two questions is counted where it left.
        removed.setdefault(lead_filter.name, set()).update(ids - left)
    text = json.dumps(domain, default=str, separators=(",", ":"))
    return Fetched(
        leads,
        text,
        tuple((name, len(ids)) for name, ids in removed.items()),
        push,
        tuple(unread),
        tuple((name, tuple(sorted(ids))) for name, ids in removed.items()),
    )


def found_in(
    fetched: Fetched, pipeline: Pipeline, keep_rejected: bool | Callable[[str], bool] = False
) -> FindResult:
    """The pipeline over the fetched leads, with the server's removals counted in."""
    result = run_pipeline(fetched.leads, pipeline, server_first=True, keep_rejected=keep_rejected)
    for name, number in fetched.removed:
        result.excluded[name] = result.excluded.get(name, 0) + number
    return replace(result, examined=result.examined + sum(n for _, n in fetched.removed))


def find_in_store(
    store: CrmStore,
    base: Domain,
    pipeline: Pipeline,
    page_size: int,
    on_fetched: Callable[[int], None] | None = None,
    keep_rejected: bool | Callable[[str], bool] = False,
) -> FindResult:
    """`fetch_leads` then `found_in`. With ``keep_rejected`` true (the excluded-leads
    ledger) nothing is pushed, so that each excluded lead is listed; the filters run
    in the same order, so every count is the same."""
    fetched = fetch_leads(store, base, pipeline, page_size, on_fetched, keep_rejected is not True)
    return found_in(fetched, pipeline, keep_rejected)


class _Counted:
    """The fetched leads, counted as they stream by (and reported page by page)."""

    def __init__(
        self, leads: Iterable[Lead], every: int, report: Callable[[int], None] | None
    ) -> None:
        self.leads = leads
        self.every = every
        self.report = report
        self.count = 0

    def __iter__(self) -> Iterator[Lead]:
        for lead in self.leads:
            yield lead
            self.count += 1
            if self.report is not None and self.count % self.every == 0:
                self.report(self.count)
        if self.report is not None:
            self.report(self.count)
