"""The sales filter (spec §3.5): leave alone leads whose partner already has an opportunity.

The opportunities are read once per run, as grouped counts (one Odoo
``read_group`` per matched field), never per lead. The default source is
``crm.lead`` records of type ``opportunity``; any other model name (the
spec's ``crm.opp``) is read as that model. When the opportunities cannot be
read, the run goes on without the filter and the plan carries a warning.

Secondary matches compare e-mail addresses without case or surrounding
blanks, and phone numbers by their digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from odoo_lead_manager.config.defaults import sales_reporting
from odoo_lead_manager.config.schema.sales_dropback import SalesFilter
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Domain, Lead
from odoo_lead_manager.errors import ConfigError, CrmError
from odoo_lead_manager.pipeline.finding.filters import LeadFilter

KEY = "lead_finding.sales_filter"
LEAD_MODEL = "crm.lead"
# Lead fields a match may use, and the Lead attribute holding each.
LEAD_FIELDS = {"partner_id": "partner_id", "email_from": "email", "phone": "phone"}
# On crm.lead the opportunity side is a logical field too: the dates every store knows.
# (The spec's default ``date_open`` is not one of them; naming it is a config error.)
OPPORTUNITY_DATE_FIELDS = frozenset({"create_date", "write_date", "source_date"})


@dataclass(frozen=True)
class Match:
    """One way a lead matches an opportunity: lead field against opportunity field."""

    name: str
    lead_field: str
    opportunity_field: str
    require_both_non_null: bool = True


@dataclass(frozen=True)
class OpportunityQuery:
    """Which opportunities count as a sale, and how leads are matched to them."""

    model: str
    matches: tuple[Match, ...]
    include_stages: tuple[str, ...]
    exclude_stages: tuple[str, ...]
    active_only: bool
    date_field: str | None
    newer_than_days: int | None

    def domain(self, today: date) -> Domain:
        """The opportunities' domain; on another model stage names go through ``stage_id.name``."""
        native = self.model == LEAD_MODEL
        stage = "stage_id" if native else "stage_id.name"
        domain: Domain = [("type", "=", "opportunity")] if native else []
        if not self.active_only:
            domain.append(("active", "in", [True, False]))
        if self.include_stages:
            domain.append((stage, "in", list(self.include_stages)))
        if self.exclude_stages:
            domain.append((stage, "not in", list(self.exclude_stages)))
        if self.date_field and self.newer_than_days:
            since = today - timedelta(days=self.newer_than_days)
            domain.append((self.date_field, ">=", since.isoformat()))
        return domain


def opportunity_query(cfg: SalesFilter) -> OpportunityQuery:
    """Read both shapes of §3.5; the detailed keys win where both are given."""
    primary = cfg.primary_match
    model = (primary.opportunity_table if primary else cfg.opportunity_table).strip()
    matches = [
        Match(
            "partner",
            primary.lead_field if primary else cfg.lead_partner_field,
            primary.opportunity_field if primary else cfg.opportunity_partner_field,
            primary.require_both_non_null if primary else True,
        )
    ]
    matches += [
        Match(name, m.lead_field, m.opportunity_field)
        for name, m in cfg.secondary_matches.items()
        if m.enabled
    ]
    for match in matches:
        if match.lead_field not in LEAD_FIELDS:
            raise ConfigError(
                f"{KEY}: lead field {match.lead_field!r} cannot be matched "
                f"(one of {', '.join(LEAD_FIELDS)})"
            )
        if model == LEAD_MODEL and match.opportunity_field not in LEAD_FIELDS:
            raise ConfigError(
                f"{KEY}: opportunity field {match.opportunity_field!r} cannot be matched "
                f"on crm.lead (one of {', '.join(LEAD_FIELDS)})"
            )
    criteria = cfg.opportunity_criteria
    if criteria is not None:
        include, exclude, active_only = (
            criteria.include_stages,
            criteria.exclude_stages,
            criteria.active_only,
        )
        dated = criteria.date_filter
        date_field = dated.field_name if dated.enabled else None
        days = dated.newer_than_days if dated.enabled else None
    else:
        include, exclude, active_only = (
            cfg.include_opportunity_stages,
            cfg.exclude_opportunity_stages,
            True,
        )
        dated_range = cfg.opportunity_date_range
        date_field = dated_range.field_name if dated_range.enabled else None
        days = dated_range.days_back if dated_range.enabled else None
    if model == LEAD_MODEL and date_field is not None and date_field not in OPPORTUNITY_DATE_FIELDS:
        raise ConfigError(
            f"{KEY}: opportunity date field {date_field!r} is not one of "
            f"{', '.join(sorted(OPPORTUNITY_DATE_FIELDS))}"
        )
    return OpportunityQuery(
        model, tuple(matches), tuple(include), tuple(exclude), active_only, date_field, days
    )


def normalise(field: str, value: Any) -> Any:
    """The comparable form of a matched value: e-mails folded, phones as digits."""
    if value is None or value is False:
        return None
    if field in ("email_from", "email"):
        return str(value).strip().casefold() or None
    if field == "phone":
        return re.sub(r"\D", "", str(value)) or None
    return value


NAME = "Sales filter (has opportunities)"


@dataclass(frozen=True)
class OpportunityKeys:
    """The matched values the opportunities hold, per match, with their stages."""

    values: Mapping[str, Mapping[Any, frozenset[str]]]

    def matching(self, lead: Lead, matches: tuple[Match, ...]) -> tuple[str, frozenset[str]] | None:
        """The first match finding an opportunity with the lead's value, and their stages."""
        for match in matches:
            value = normalise(match.lead_field, getattr(lead, LEAD_FIELDS[match.lead_field]))
            if value is None and match.require_both_non_null:
                continue
            stages = self.values[match.name].get(value)
            if stages is not None:
                return match.name, stages
        return None


def read_opportunity_keys(
    crm: Lookups, query: OpportunityQuery, today: date, by_stage: bool = False
) -> OpportunityKeys:
    """One grouped count per match field (by stage too when asked); raises `CrmError`
    when the model cannot be read."""
    domain = query.domain(today)
    values: dict[str, dict[Any, frozenset[str]]] = {}
    for match in query.matches:
        group = [match.opportunity_field, *(["stage_id"] if by_stage else [])]
        if query.model == LEAD_MODEL:
            counts = crm.count_leads(domain, group)
        else:
            counts = crm.count_model(query.model, domain, group)
        found: dict[Any, set[str]] = {}
        for key in counts:
            stages = found.setdefault(normalise(match.opportunity_field, key[0]), set())
            if by_stage:
                stages.add("(no stage)" if key[1] is None else str(key[1]))
        values[match.name] = {value: frozenset(stages) for value, stages in found.items()}
    return OpportunityKeys(values)


def sales_filter(
    keys: OpportunityKeys, matches: tuple[Match, ...], by_stage: bool = False
) -> LeadFilter:
    """The filter: a lead matching an opportunity is not distributed.

    ``by_stage``: each exclusion is also counted by how it matched and the
    stages of the opportunities it matched ("partner, stage Won").
    """

    def detail(lead: Lead) -> str:
        found = keys.matching(lead, matches)
        if found is None:
            return "(no match)"
        how, stages = found
        named = ", ".join(sorted(stages)) or "(no stage)"
        return f"{how}, stage{'s' if len(stages) > 1 else ''} {named}"

    return LeadFilter(
        NAME,
        lambda lead: keys.matching(lead, matches) is None,
        detail=detail if by_stage else None,
    )


def load_sales_filter(
    crm: Lookups, cfg: SalesFilter, today: date
) -> tuple[LeadFilter | None, str | None]:
    """The filter, or None and the warning to report when the opportunities cannot be read."""
    query = opportunity_query(cfg)
    by_stage = sales_reporting(cfg).count_excluded_by_stage
    try:
        keys = read_opportunity_keys(crm, query, today, by_stage)
    except CrmError as error:
        return None, (
            f"SALES FILTER SKIPPED: opportunities could not be read from {query.model} "
            f"({error}); leads whose partner already has an opportunity may be distributed"
        )
    return sales_filter(keys, query.matches, by_stage), None
