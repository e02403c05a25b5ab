"""The content rules of spec §3.2 to §3.4: sources, campaigns, Do-Not-Call, tags,
required fields, priority, assignment and closed leads.

Each returns a `LeadFilter`; a domain is attached only where Odoo can
express the rule exactly (see `finding.filters`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from odoo_lead_manager.domain.model import Domain, Lead
from odoo_lead_manager.pipeline.finding.filters import (
    LeadFilter,
    any_of,
    in_domain,
    not_held_by,
    shown,
    who,
)
from odoo_lead_manager.pipeline.finding.matching import TextMatcher

# Lead attributes behind the field names ``required_fields`` accepts.
REQUIRED_ATTRIBUTES = {
    "name": "name",
    "email": "email",
    "email_from": "email",
    "phone": "phone",
    "partner_id": "partner_id",
    "source_id": "source",
    "campaign_id": "campaign",
}
# Fields whose value is a record, so ``!= False`` in Odoo is exactly "present".
_RECORD_FIELDS = frozenset({"partner_id", "source_id", "campaign_id"})

# Odoo stores priority as '0'-'3' (no star to three stars); the configuration
# uses the spec's 1-5 scale, on which Odoo's '0' is 1 and '3' is 4.
ODOO_PRIORITIES = (0, 1, 2, 3)


def spec_priority(odoo_priority: int) -> int:
    """Odoo's 0-3 priority on the spec's 1-5 scale."""
    return odoo_priority + 1


def odoo_priority(spec_value: int) -> int:
    """The Odoo priority to write for a 1-5 value (5 and above write Odoo's highest, 3)."""
    return min(max(spec_value - 1, 0), ODOO_PRIORITIES[-1])


def web_source_filter(matcher: TextMatcher) -> LeadFilter:
    """§3.2: the lead's web source (utm source) is one of the configured ones."""
    return LeadFilter(
        "Web source not matched",
        lambda lead: matcher.matches(lead.source),
        in_domain("source_id", matcher),
        why=lambda lead: f"web source {lead.source!r} {matcher.describe()}",
    )


def campaign_filter(matchers: Sequence[TextMatcher]) -> LeadFilter:
    """§3.3: the lead's campaign matches one of the campaign matchers."""

    def keep(lead: Lead) -> bool:
        return any(m.matches(lead.campaign) for m in matchers)

    domains = [in_domain("campaign_id", m) for m in matchers]
    exact = [d for d in domains if d is not None]
    domain = any_of(exact) if matchers and len(exact) == len(domains) else None
    return LeadFilter(
        "Lead campaign not matched",
        keep,
        domain,
        why=lambda lead: (
            f"campaign {lead.campaign!r} " + " and ".join(m.describe() for m in matchers)
        ),
    )


def dnc_status_filter(matcher: TextMatcher) -> LeadFilter:
    """§3.4: leads whose status says Do-Not-Call are never distributed."""
    domain: Domain | None = None
    if matcher.is_plain_exact:
        domain = ["|", ("status", "=", False), ("status", "not in", list(matcher.values))]
    return LeadFilter(
        "DNC (Do Not Call) status",
        lambda lead: not matcher.matches(lead.status),
        domain,
        why=lambda lead: f"{shown('status', lead.status)} is a Do-Not-Call status",
    )


def _no_tag_domain(matcher: TextMatcher) -> Domain | None:
    return [("tag_ids", "not in", list(matcher.values))] if matcher.is_plain_exact else None


def dnc_tag_filter(matcher: TextMatcher) -> LeadFilter:
    """§3.4: leads carrying a Do-Not-Call tag are never distributed."""
    return LeadFilter(
        "DNC (Do Not Call) tag",
        lambda lead: not matcher.matches_any(lead.tags),
        _no_tag_domain(matcher),
        why=lambda lead: f"tags: {', '.join(lead.tags) or '(none)'}",
    )


def exclude_tags_filter(matcher: TextMatcher) -> LeadFilter:
    """§3.4 ``exclude_tags``: no tag of the lead may match."""
    return LeadFilter(
        "Has an excluded tag",
        lambda lead: not matcher.matches_any(lead.tags),
        _no_tag_domain(matcher),
        why=lambda lead: f"tags: {', '.join(lead.tags) or '(none)'}",
    )


def include_tags_filter(matcher: TextMatcher) -> LeadFilter:
    """§3.4 ``include_tags``: at least one tag of the lead must match."""
    return LeadFilter(
        "Lacks an included tag",
        lambda lead: matcher.matches_any(lead.tags),
        in_domain("tag_ids", matcher),
        why=lambda lead: f"tags: {', '.join(lead.tags) or '(none)'}",
    )


def _present(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def required_fields_filter(fields: Iterable[str]) -> LeadFilter:
    """§3.4 ``required_fields``: each named field has a value (blank text counts as missing).

    Odoo's ``!= False`` accepts ``''``, so only record fields get a domain.
    """
    names = list(dict.fromkeys(fields))
    attributes = [REQUIRED_ATTRIBUTES[name] for name in names]

    def keep(lead: Lead) -> bool:
        return all(_present(getattr(lead, attribute)) for attribute in attributes)

    domain: Domain | None = None
    if names and all(name in _RECORD_FIELDS for name in names):
        domain = [(name, "!=", False) for name in names]

    def why(lead: Lead) -> str:
        missing = [
            n for n, a in zip(names, attributes, strict=True) if not _present(getattr(lead, a))
        ]
        return f"required field(s) without a value: {', '.join(missing)}"

    return LeadFilter("Missing required fields", keep, domain, why=why)


def priority_filter(minimum: int | None, maximum: int | None) -> LeadFilter:
    """§3.4 priority range, inclusive, on the spec's 1-5 scale (see `spec_priority`)."""
    low = minimum if minimum is not None else 0
    high = maximum if maximum is not None else 10**6
    allowed = [p for p in ODOO_PRIORITIES if low <= spec_priority(p) <= high]

    def keep(lead: Lead) -> bool:
        return low <= spec_priority(lead.priority) <= high

    domain: Domain = [("priority", "in", allowed)] if allowed else [("id", "=", 0)]

    def why(lead: Lead) -> str:
        return f"priority {spec_priority(lead.priority)} (1-5 scale) is outside {low}..{high}"

    return LeadFilter("Priority out of range", keep, domain, why=why)


def assigned_filter(owner_field: str, names: Mapping[int, str] | None = None) -> LeadFilter:
    """``exclude_assigned``: only leads nobody holds."""
    return LeadFilter(
        "Already assigned",
        lambda lead: getattr(lead, owner_field) is None,
        [(owner_field, "=", False)],
        why=lambda lead: (
            f"{owner_field} is {who(getattr(lead, owner_field), names)} (exclude_assigned)"
        ),
    )


def archived_owner_filter(
    archived_ids: Collection[int], owner_field: str, names: Mapping[int, str] | None = None
) -> LeadFilter:
    """``exclude_inactive_users``: leave alone leads held by archived CRM users."""
    return not_held_by("Held by an archived user", archived_ids, owner_field, names)


def closed_filter(closed_names: Iterable[str]) -> LeadFilter:
    """``exclude_closed``: leads that are lost (archived) or whose status or stage says closed.

    Names compare without case and surrounding blanks (``Won``, ``lost ``).
    """
    closed = TextMatcher(closed_names, strip_whitespace=True)

    def keep(lead: Lead) -> bool:
        return lead.active and not closed.matches(lead.status) and not closed.matches(lead.stage)

    def why(lead: Lead) -> str:
        if not lead.active:
            return "the lead is archived (lost)"
        return f"{shown('status', lead.status)} or {shown('stage', lead.stage)} is a closed one"

    return LeadFilter("Closed (won or lost)", keep, why=why)
