"""The leads the fetch step read from the CRM, and what the server filtered out before them."""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.domain.model import Lead


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


@dataclass(frozen=True, slots=True)
class Rejection:
    """One examined lead a filter excluded, and why (the filter, and its detail if any)."""

    lead: Lead
    filter: str
    detail: str | None = None
    # What the rule saw, in a sentence (`LeadFilter.why`), for the ledger.
    why: str = ""
