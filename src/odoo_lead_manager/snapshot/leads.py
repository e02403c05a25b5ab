"""Reading the leads from the CRM, page by page, with what each filter the server applied
removed."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence

from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.domain.model import Domain, Lead
from odoo_lead_manager.pipeline.finding.finder import FindResult, Pipeline, found_in

log = logging.getLogger(__name__)


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
