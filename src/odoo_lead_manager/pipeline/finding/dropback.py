"""The dropback (spec §3.6): stale leads go back to their campaign's manager.

A lead drops back when it is older than an age threshold (calendar or
business days, optionally with conditions such as ``priority >= 3``). Its
campaign is read from its web source (exact names, then regular
expressions, then the simple source lists), and the campaign's assignment
rule says who receives it and which status, priority and team it gets.

How dropback relates to the date window: the window picks the leads to
distribute; dropback candidates are the leads *older than the threshold*,
whether or not the window reaches that far, so with the legacy 30-day
window and a 30-day threshold every lead is in exactly one of the two
pools. Leads of the dropback pool skip the distribution filters but pass
the sales filter and the protections (excluded users, activity deadline,
Do-Not-Call), then the dropback's own criteria.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from odoo_lead_manager.domain.model import Domain, Lead, lead_day
from odoo_lead_manager.errors import ConfigError
from odoo_lead_manager.pipeline.finding.dates import business_days_before
from odoo_lead_manager.pipeline.finding.filters import LeadFilter, Predicate, any_of
from odoo_lead_manager.pipeline.finding.matching import TextMatcher
from odoo_lead_manager.pipeline.finding.rules import spec_priority

KEY = "lead_finding.dropback_filter"
DATE_FIELDS = ("source_date", "create_date", "write_date")
# Lead attributes holding a web source, by the field names the spec uses.
SOURCE_ATTRIBUTES = {"source_id": "source", "campaign_id": "campaign", "name": "name"}
DEFAULT_CAMPAIGN = "default"

_CONDITION = re.compile(r"^\s*(\w+)\s*(==|=|!=|>=|<=|>|<|contains)\s*(.+?)\s*$")
_COMPARE: Mapping[str, Callable[[object, object], bool]] = {
    "=": lambda a, b: a == b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
}
_TEXT_FIELDS = {"status": "status", "stage_id": "stage", "stage": "stage", "type": "type",
                "source_id": "source", "campaign_id": "campaign"}  # fmt: skip


def campaign_key(name: str) -> str:
    """How campaign names compare: no case, no blanks, no ``_sources`` suffix.

    So the mapping key ``voice_sources`` names the campaign ``Voice``.
    """
    key = name.strip().casefold()
    for suffix in ("_sources", " sources"):
        key = key.removesuffix(suffix)
    return key


def parse_condition(text: str, where: str) -> Predicate:
    """One age-threshold condition.

    For example ``priority >= 3``, ``status == 'Utr'``, ``tag_ids contains 'vip'``.
    Priorities are on the spec's 1-5 scale; text compares without case.
    """
    found = _CONDITION.match(text)
    if found is None:
        raise ConfigError(f"{where}: cannot read condition {text!r} (FIELD OP VALUE)")
    field, op, raw = found.groups()
    value = raw.strip("'\"")
    if op == "contains":
        if field not in ("tag_ids", "tags"):
            raise ConfigError(f"{where}: {text!r}: 'contains' applies to tag_ids only")
        wanted = TextMatcher([value])
        return lambda lead: wanted.matches_any(lead.tags)
    compare = _COMPARE[op]
    if field == "priority":
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{where}: {text!r}: priority compares with a number") from None
        return lambda lead: compare(spec_priority(lead.priority), number)
    if field in _TEXT_FIELDS and op in ("=", "==", "!="):
        attribute, folded = _TEXT_FIELDS[field], value.strip().casefold()
        return lambda lead: compare((getattr(lead, attribute) or "").strip().casefold(), folded)
    known = ", ".join(["priority", "tag_ids", *sorted(_TEXT_FIELDS)])
    raise ConfigError(f"{where}: {text!r}: cannot compare {field!r} with {op} (fields: {known})")


@dataclass(frozen=True)
class AgeRule:
    """Leads dated before ``cutoff`` by ``field`` (and meeting the conditions) drop back."""

    field: str
    cutoff: date
    conditions: tuple[Predicate, ...] = ()

    def applies(self, lead: Lead) -> bool:
        day = lead_day(lead, self.field)
        return day is not None and day < self.cutoff and all(c(lead) for c in self.conditions)

    def domain(self) -> Domain:
        return [(self.field, "!=", False), (self.field, "<", self.cutoff.isoformat())]


def age_rule(
    name: str,
    field: str,
    days: int,
    business_days: bool,
    conditions: Sequence[str],
    today: date,
    holidays: Collection[date],
) -> AgeRule:
    """An `AgeRule` from one configured threshold."""
    where = f"{KEY}.{name}"
    if field not in DATE_FIELDS:
        raise ConfigError(
            f"{where}.field_name: {field!r} is not a lead date ({', '.join(DATE_FIELDS)})"
        )
    if business_days:
        cutoff = business_days_before(today, days, holidays)
    else:
        cutoff = date.fromordinal(today.toordinal() - days)
    return AgeRule(
        field, cutoff, tuple(parse_condition(c, f"{where}.conditions") for c in conditions)
    )


@dataclass(frozen=True)
class CampaignPatterns:
    """Web source names that belong to one campaign."""

    campaign: str
    exact: TextMatcher
    patterns: TextMatcher


@dataclass(frozen=True)
class CampaignResolver:
    """The campaign of a lead, from its web source fields."""

    fields: tuple[str, ...]
    by_pattern: tuple[CampaignPatterns, ...]
    by_source: Mapping[str, str]
    default: str | None

    def campaign(self, lead: Lead) -> str | None:
        """The first campaign any source field matches; else the default campaign."""
        for attribute in self.fields:
            value = getattr(lead, attribute)
            if not value:
                continue
            for entry in self.by_pattern:
                if entry.exact.matches(value):
                    return entry.campaign
            for entry in self.by_pattern:
                if entry.patterns.matches(value):
                    return entry.campaign
            found = self.by_source.get(str(value).strip().casefold())
            if found is not None:
                return found
        return self.default


def source_attribute(field: str, where: str) -> str:
    """The Lead attribute behind a web source field name."""
    if field not in SOURCE_ATTRIBUTES:
        raise ConfigError(
            f"{where}: {field!r} is not a lead field odlm reads "
            f"(one of {', '.join(SOURCE_ATTRIBUTES)}; map a custom field with crm.field_mapping)"
        )
    return SOURCE_ATTRIBUTES[field]


@dataclass(frozen=True)
class DropbackTarget:
    """Who receives a campaign's dropped-back leads, and the values written on them."""

    campaign: str
    user_id: int
    user_name: str
    values: Mapping[str, object]
    # ``preserve_team_assignment``: each lead keeps its own team (none set by the rule).
    keep_team: bool = False


@dataclass(frozen=True)
class Dropback:
    """Everything the finder needs to split off and route the dropback pool."""

    ages: tuple[AgeRule, ...]
    resolver: CampaignResolver
    targets: Mapping[str, DropbackTarget]
    criteria: tuple[LeadFilter, ...]
    assign: bool = True
    # Leads per write (``performance.batch_size``).
    batch_size: int | None = None

    def is_candidate(self, lead: Lead) -> bool:
        """Older than a threshold (whose conditions hold)."""
        return any(rule.applies(lead) for rule in self.ages)

    def age_domain(self) -> Domain:
        """A domain selecting every lead some threshold could catch (conditions aside)."""
        return any_of([rule.domain() for rule in self.ages])

    def target(self, lead: Lead) -> DropbackTarget | None:
        """The campaign rule for this lead, or None when its campaign has none."""
        campaign = self.resolver.campaign(lead)
        if campaign is None:
            return None
        return self.targets.get(campaign_key(campaign)) or self.targets.get(
            campaign_key(self.resolver.default or DEFAULT_CAMPAIGN)
        )
