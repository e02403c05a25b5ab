"""The lead-finding pipeline a configuration asks for (spec §3).

Reads ``lead_finding`` and asks the CRM, in bulk and once per run, what the
rules need (excluded and archived users, utm sources, opportunities,
dropback users and teams); the result is plain filters for the finder.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from odoo_lead_manager.config.schema.base import MatchOptions, ValueMatch
from odoo_lead_manager.config.schema.finding import (
    AdditionalFilters,
    DateRange,
    LeadFinding,
    SalespeopleStatuses,
)
from odoo_lead_manager.config.schema.sales_dropback import AssignmentRule, DropbackFilter
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.domain.model import Lead, User
from odoo_lead_manager.errors import ConfigError, UserInputError
from odoo_lead_manager.pipeline.finding.dates import (
    BUILTIN_STRATEGIES,
    DateWindow,
    date_range_filter,
    off_days_filter,
)
from odoo_lead_manager.pipeline.finding.dropback import (
    DEFAULT_CAMPAIGN,
    AgeRule,
    CampaignPatterns,
    CampaignResolver,
    Dropback,
    DropbackTarget,
    age_rule,
    campaign_key,
    source_attribute,
)
from odoo_lead_manager.pipeline.finding.filters import (
    LeadFilter,
    activity_deadline_filter,
    any_of,
    excluded_owners_filter,
    moved_elsewhere_filter,
    owner_status_filter,
    status_filter,
)
from odoo_lead_manager.pipeline.finding.finder import Pipeline, Split
from odoo_lead_manager.pipeline.finding.matching import MatchMode, TextMatcher
from odoo_lead_manager.pipeline.finding.rules import (
    archived_owner_filter,
    assigned_filter,
    campaign_filter,
    closed_filter,
    dnc_status_filter,
    dnc_tag_filter,
    exclude_tags_filter,
    include_tags_filter,
    odoo_priority,
    priority_filter,
    required_fields_filter,
    web_source_filter,
)
from odoo_lead_manager.pipeline.finding.sales import load_sales_filter
from odoo_lead_manager.pipeline.finding.web_sources import web_source_list
from odoo_lead_manager.pipeline.settings import FindingSettings

# §3.4's Do-Not-Call statuses, used when DNC exclusion is on without a list.
DEFAULT_DNC_STATUSES = ("dnc", "do_not_call", "dont_call", "no_call", "blocked", "opt_out")
KEY = "lead_finding"


def mode_of(options: MatchOptions) -> MatchMode:
    """The match mode, widened to partial by ``include_partial_matches`` on exact."""
    if options.match_mode == "exact" and options.include_partial_matches:
        return "partial"
    return options.match_mode


def value_matcher(match: ValueMatch, key: str, options: MatchOptions | None = None) -> TextMatcher:
    """A matcher for a `ValueMatch`; ``options`` apply when the values were a plain list."""
    given = match if options is None or match.model_fields_set - {"values"} else options
    return TextMatcher(
        match.values,
        mode_of(given),
        case_sensitive=given.case_sensitive,
        strip_whitespace=match.strip_whitespace,
        key=key,
    )


def date_window(
    cfg: DateRange, finding: LeadFinding, today: date, override: tuple[date, date] | None
) -> DateWindow:
    """The window: CLI override, custom dates, named strategy, then the day counts."""
    if override is not None:
        return DateWindow.from_dates(*override)
    if cfg.custom_start_date is not None or cfg.custom_end_date is not None:
        return DateWindow.from_dates(cfg.custom_start_date, cfg.custom_end_date)
    if cfg.strategy is not None:
        chosen = finding.date_range_strategies.get(cfg.strategy)
        if chosen is not None:
            return DateWindow.from_days(today, chosen.older_than_days, chosen.younger_than_days)
        return DateWindow.from_days(today, *BUILTIN_STRATEGIES[cfg.strategy])
    return DateWindow.from_days(today, cfg.older_than_days, cfg.younger_than_days)


@dataclass(frozen=True)
class FindingSetup:
    """The pipeline, the window it uses, the dropback rules and what to warn about."""

    pipeline: Pipeline
    window: DateWindow
    dropback: Dropback | None = None
    warnings: tuple[str, ...] = ()
    # Configured web sources the CRM does not know, skipped (``exclude_invalid: true``).
    skipped_sources: int = 0


def _users_named(where: str, crm: Lookups, names: Sequence[str], key: str) -> dict[str, list[User]]:
    """Name or login -> the users carrying it, one CRM call; unknown names are one error."""
    if not names:
        return {}
    found: dict[str, list[User]] = {}
    for user in crm.find_users(names):
        for name in dict.fromkeys((user.name, user.login)):
            if name in names:
                found.setdefault(name, []).append(user)
    unknown = [name for name in names if name not in found]
    if unknown:
        raise UserInputError(f"{where}: {key}: not CRM users: {', '.join(unknown)}")
    return found


def _resolve_users(where: str, crm: Lookups, names: Sequence[str], key: str) -> dict[str, User]:
    """Name or login -> the one user it names; an ambiguous name is an error too."""
    found = _users_named(where, crm, names, key)
    ambiguous = sorted(name for name, users in found.items() if len(users) > 1)
    if ambiguous:
        raise UserInputError(
            f"{where}: {key}: more than one CRM user is named {', '.join(ambiguous)} "
            "(use the login)"
        )
    return {name: users[0] for name, users in found.items()}


def build_finding(
    settings: FindingSettings,
    crm: Lookups,
    today: date,
    active_owners: Sequence[int],
    inactive_owners: Sequence[int],
    override: tuple[date, date] | None = None,
    write_owner_fields: Sequence[str] = ("user_id",),
    web_sources: Sequence[str] = (),
    moved_elsewhere: Collection[int] = (),
    user_names: Mapping[int, str] | None = None,
) -> FindingSetup:
    """Every filter of ``lead_finding``, in the order of §3.6 "Integration Points".

    ``active_owners`` and ``inactive_owners`` are the campaign members by the
    table's active flag, for the legacy per-owner status rule; ``web_sources``
    the names the configured web-source list gave (`read_source_names`);
    ``user_names`` the users known by name, so that the rules' sentences name
    the holders they saw.
    """
    finding, owner, where = settings.finding, settings.owner, settings.where
    window = date_window(finding.date_range, finding, today, override)
    window_filter = date_range_filter(window, finding.date_range.date_field)
    warnings: list[str] = []

    # Leads another campaign moved today are not moved again (several campaigns a morning).
    shared: list[LeadFilter] = [moved_elsewhere_filter(moved_elsewhere)] if moved_elsewhere else []
    sales = finding.sales_filter
    if sales is not None and sales.enabled:
        sales_rule, warning = load_sales_filter(crm, sales, today)
        if sales_rule is not None:
            shared.append(sales_rule)
        if warning is not None:
            warnings.append(warning)
    if finding.excluded_users:
        named = _users_named(where, crm, finding.excluded_users, f"{KEY}.excluded_users")
        excluded = [u for us in named.values() for u in us]
        names = {**(user_names or {}), **{u.id: u.name for u in excluded}}
        shared.append(excluded_owners_filter((u.id for u in excluded), owner, names))
    deadline = finding.activity_deadline
    if deadline.exclude_within_days is not None or deadline.exclude_missing_deadline:
        shared.append(
            activity_deadline_filter(
                today, deadline.exclude_within_days, deadline.exclude_missing_deadline
            )
        )
    shared.extend(_dnc_filters(finding.additional_filters))

    distribution, unknown_sources = _distribution_filters(
        settings, crm, web_sources, active_owners, inactive_owners, today, user_names or {}
    )
    if unknown_sources:
        warnings.append(
            f"{KEY}.web_sources: not utm sources in the CRM, skipped: {', '.join(unknown_sources)}"
        )

    dropback_cfg = finding.dropback_filter
    if dropback_cfg is None or not dropback_cfg.enabled:
        return FindingSetup(
            Pipeline(window_filter, shared, distribution),
            window,
            warnings=tuple(warnings),
            skipped_sources=len(unknown_sources),
        )
    dropback = build_dropback(settings, crm, dropback_cfg, today, write_owner_fields)
    both = any_of([window_filter.domain or [], dropback.age_domain()])

    def in_window_or_aged(lead: Lead) -> bool:
        return window_filter.keep(lead) or dropback.is_candidate(lead)

    split = Split(dropback.is_candidate, dropback.criteria, dropback.target, window_filter)
    return FindingSetup(
        Pipeline(
            LeadFilter(window_filter.name, in_window_or_aged, both), shared, distribution, split
        ),
        window,
        dropback,
        tuple(warnings),
        len(unknown_sources),
    )


def _dnc_filters(extra: AdditionalFilters) -> list[LeadFilter]:
    """Do-Not-Call by status and by tag: the detailed ``dnc_filtering`` wins over the flat keys."""
    key = f"{KEY}.additional_filters"
    section = extra.dnc_filtering
    if section is not None:
        if not section.enabled:
            return []
        mode: MatchMode = section.match_mode
        if mode == "exact" and section.include_partial_matches:
            mode = "partial"
        statuses = section.statuses or list(DEFAULT_DNC_STATUSES)
        filters = [
            dnc_status_filter(
                TextMatcher(
                    statuses,
                    mode,
                    case_sensitive=section.case_sensitive,
                    regexes=section.regex_patterns,
                    key=f"{key}.dnc_filtering",
                )
            )
        ]
        if section.exclude_dnc_tags and section.dnc_tags:
            filters.append(
                dnc_tag_filter(
                    TextMatcher(
                        section.dnc_tags,
                        mode,
                        case_sensitive=section.case_sensitive,
                        key=f"{key}.dnc_filtering.dnc_tags",
                    )
                )
            )
        return filters
    if not extra.exclude_dnc:
        return []
    return [
        dnc_status_filter(
            TextMatcher(
                extra.dnc_statuses or list(DEFAULT_DNC_STATUSES),
                extra.dnc_match_mode,
                case_sensitive=extra.dnc_case_sensitive,
                key=f"{key}.dnc_statuses",
            )
        )
    ]


def _distribution_filters(
    settings: FindingSettings,
    crm: Lookups,
    web_sources: Sequence[str],
    active_owners: Sequence[int],
    inactive_owners: Sequence[int],
    today: date,
    names: Mapping[int, str],
) -> tuple[list[LeadFilter], tuple[str, ...]]:
    """The filters only leads to distribute pass, and the web sources the CRM did not know."""
    finding, owner = settings.finding, settings.owner
    date_cfg = finding.date_range
    filters: list[LeadFilter] = []
    if date_cfg.exclude_weekends or (date_cfg.exclude_holidays and date_cfg.holidays):
        holidays = date_cfg.holidays if date_cfg.exclude_holidays else []
        filters.append(off_days_filter(date_cfg.date_field, date_cfg.exclude_weekends, holidays))
    legacy = finding.status_filters
    if legacy is not None and (legacy.active_salespeople or legacy.inactive_salespeople):
        active = legacy.active_salespeople.statuses if legacy.active_salespeople else []
        dormant = legacy.inactive_salespeople.statuses if legacy.inactive_salespeople else []
        # The R pipeline compares statuses with %in%: exact and case-sensitive.
        filters.append(
            owner_status_filter(
                active_owners,
                TextMatcher(active, "exact", case_sensitive=True),
                inactive_owners,
                TextMatcher(dormant, "exact", case_sensitive=True),
                owner,
                (
                    _since(legacy.active_salespeople, today),
                    _since(legacy.inactive_salespeople, today),
                ),
                date_cfg.date_field,
                names,
            )
        )
    extra = finding.additional_filters
    if extra.status is not None and extra.status.values:
        filters.append(
            status_filter(
                value_matcher(
                    extra.status, f"{KEY}.additional_filters.status", extra.status_matching
                )
            )
        )
    unknown: tuple[str, ...] = ()
    sources = finding.web_sources
    if sources is not None:
        crm_names = crm.utm_source_names() if sources.validate_sources else None
        listed = web_source_list(settings.where, sources, web_sources, crm_names)
        unknown = listed.unknown
        filters.append(web_source_filter(listed.matcher))
    if finding.campaigns is not None:
        filters.append(campaign_filter(_campaign_matchers(finding)))
    for match, rule, name in (
        (extra.include_tags, include_tags_filter, "include_tags"),
        (extra.exclude_tags, exclude_tags_filter, "exclude_tags"),
    ):
        if match is not None and match.values:
            filters.append(rule(value_matcher(match, f"{KEY}.additional_filters.{name}")))
    if extra.required_fields:
        filters.append(required_fields_filter(extra.required_fields))
    low, high = extra.min_priority, extra.max_priority
    if extra.priority_range is not None:
        low = extra.priority_range.min if extra.priority_range.min is not None else low
        high = extra.priority_range.max if extra.priority_range.max is not None else high
    if low is not None or high is not None:
        filters.append(priority_filter(low, high))
    assignment = extra.assignment_filters
    if (
        extra.exclude_assigned
        or (assignment and assignment.exclude_assigned)
        or (legacy is not None and legacy.exclude_assigned_leads)
    ):
        filters.append(assigned_filter(owner, names))
    if (
        extra.exclude_closed
        or (assignment and assignment.exclude_closed)
        or (legacy is not None and legacy.exclude_closed_leads)
    ):
        filters.append(closed_filter(extra.closed_statuses))
    if assignment is not None and assignment.exclude_inactive_users:
        archived = crm.search_users([("active", "=", False)])
        known = {**names, **{u.id: u.name for u in archived}}
        filters.append(archived_owner_filter([u.id for u in archived], owner, known))
    return filters, unknown


def _since(group: SalespeopleStatuses | None, today: date) -> date | None:
    """The first day a group's leads may be dated (``date_range_days`` days ago), if bounded."""
    if group is None or group.date_range_days is None:
        return None
    return today - timedelta(days=group.date_range_days)


def _campaign_matchers(finding: LeadFinding) -> list[TextMatcher]:
    """One matcher per campaign with its own settings, one for the rest and the patterns."""
    cfg = finding.campaigns
    assert cfg is not None
    key = f"{KEY}.campaigns"
    matchers = []
    plain = []
    for name in cfg.types:
        own = cfg.campaign_settings.get(name)
        if own is None:
            plain.append(name)
            continue
        matchers.append(
            TextMatcher(
                [name],
                mode_of(own),
                case_sensitive=own.case_sensitive,
                key=f"{key}.campaign_settings.{name}",
            )
        )
    unknown = sorted(set(cfg.campaign_settings) - set(cfg.types))
    if unknown:
        raise ConfigError(
            f"{key}.campaign_settings: {', '.join(unknown)} not listed in {key}.types"
        )
    if plain or cfg.match_patterns or cfg.regex_patterns:
        matchers.append(
            TextMatcher(
                plain,
                mode_of(cfg),
                case_sensitive=cfg.case_sensitive,
                wildcards=cfg.match_patterns,
                regexes=cfg.regex_patterns,
                key=key,
            )
        )
    if not matchers:
        raise ConfigError(f"{key}: no campaign to match (set types or patterns)")
    return matchers


def build_dropback(
    settings: FindingSettings,
    crm: Lookups,
    cfg: DropbackFilter,
    today: date,
    write_owner_fields: Sequence[str],
) -> Dropback:
    """The dropback rules, with users and teams resolved in one CRM call each."""
    key = f"{KEY}.dropback_filter"
    owner, where = settings.owner, settings.where
    holidays = settings.finding.date_range.holidays
    thresholds = cfg.age_thresholds or {"age_threshold": cfg.age_threshold}
    ages: list[AgeRule] = [
        age_rule(
            name if name == "age_threshold" else f"age_thresholds.{name}",
            t.field_name,
            t.days,
            t.use_business_days,
            t.conditions,
            today,
            holidays,
        )
        for name, t in thresholds.items()
    ]
    resolver = _campaign_resolver(cfg, key)
    # campaign key -> (user name, rule); detailed rules win over the simple map.
    wanted: dict[str, tuple[str, str, AssignmentRule | None]] = {
        campaign_key(c): (c, user, None) for c, user in cfg.campaign_assignments.items()
    }
    wanted.update({campaign_key(c): (c, r.user, r) for c, r in cfg.assignment_rules.items()})
    if not wanted:
        raise ConfigError(
            f"{key}: no campaign_assignments or assignment_rules: nobody to drop back to"
        )
    names = sorted({user for _, user, _ in wanted.values()})
    holders = (
        cfg.additional_criteria.exclude_existing_assignments.dropback_users
        if cfg.additional_criteria
        else []
    )
    users = _resolve_users(where, crm, [*names, *holders], f"{key} users")
    team_names = sorted({r.team for _, _, r in wanted.values() if r is not None and r.team})
    teams = {t.name: t.id for t in crm.find_teams(team_names)} if team_names else {}
    missing_teams = [t for t in team_names if t not in teams]
    if missing_teams:
        raise UserInputError(
            f"{where}: {key}.assignment_rules: sales team(s) not found: {', '.join(missing_teams)}"
        )
    assignment = cfg.assignment_config
    targets: dict[str, DropbackTarget] = {}
    for campaign_id, (campaign, user_name, rule) in wanted.items():
        user = users[user_name]
        values: dict[str, object] = {f: user.id for f in write_owner_fields}
        status = (rule.status if rule else None) or (
            assignment.dropback_status if assignment.update_status else None
        )
        if status:
            values["status"] = status
        priority = rule.priority if rule else None
        if priority is not None:
            values["priority"] = odoo_priority(priority)
        rule_id = rule.user_id if rule else None
        if rule_id is not None and rule_id != user.id:
            raise UserInputError(
                f"{where}: {key}.assignment_rules.{campaign}: user_id {rule_id} "
                f"is not {user_name!r} (id {user.id})"
            )
        team = rule.team if rule else None
        if team:
            values["team_id"] = teams[team]
        # A rule's own team wins; otherwise the lead keeps its team when asked to (Odoo
        # would move it to the new owner's team).
        keep = assignment.preserve_team_assignment and not team
        targets[campaign_id] = DropbackTarget(campaign, user.id, user.name, values, keep)
    criteria = _dropback_criteria(cfg, owner, users, holders or names, targets)
    return Dropback(
        tuple(ages),
        resolver,
        targets,
        tuple(criteria),
        assignment.assign_immediately,
        # Given, the dropback's own batches; left out, the run's execution.batch_size.
        cfg.performance.batch_size if "batch_size" in cfg.performance.model_fields_set else None,
    )


def dropback_user_ids(settings: FindingSettings, crm: Lookups) -> set[int]:
    """The ids of the users dropback hands leads to (``campaign_assignments`` and
    ``assignment_rules``), as `build_dropback` resolves them; none without dropback."""
    cfg = settings.finding.dropback_filter
    if cfg is None or not cfg.enabled:
        return set()
    names = sorted(
        {*cfg.campaign_assignments.values(), *(r.user for r in cfg.assignment_rules.values())}
    )
    key = "lead_finding.dropback_filter users"
    return {user.id for user in _resolve_users(settings.where, crm, names, key).values()}


def _campaign_resolver(cfg: DropbackFilter, key: str) -> CampaignResolver:
    by_source: dict[str, str] = {}
    default: str | None = DEFAULT_CAMPAIGN
    for campaign, sources in cfg.web_source_campaign_mapping.items():
        if campaign == "default_campaign":
            if not isinstance(sources, str):
                raise ConfigError(
                    f"{key}.web_source_campaign_mapping.default_campaign: one campaign name"
                )
            default = sources
            continue
        if isinstance(sources, str):
            sources = [sources]
        for source in sources:
            by_source.setdefault(source.strip().casefold(), campaign)
    matching = cfg.web_source_matching
    fields: tuple[str, ...]
    if matching is None:
        fields = (
            source_attribute(
                cfg.assignment_config.web_source_field, f"{key}.assignment_config.web_source_field"
            ),
        )
        return CampaignResolver(fields, (), by_source, default)
    where = f"{key}.web_source_matching"
    fields = (
        source_attribute(matching.primary_field, f"{where}.primary_field"),
        *(source_attribute(f.field, f"{where}.fallback_fields") for f in matching.fallback_fields),
    )
    patterns = tuple(
        CampaignPatterns(
            campaign,
            TextMatcher(
                p.exact_matches, strip_whitespace=True, key=f"{where}.campaign_patterns.{campaign}"
            ),
            TextMatcher((), regexes=p.pattern_matches, key=f"{where}.campaign_patterns.{campaign}"),
        )
        for campaign, p in matching.campaign_patterns.items()
    )
    return CampaignResolver(tuple(dict.fromkeys(fields)), patterns, by_source, default)


def _dropback_criteria(
    cfg: DropbackFilter,
    owner: str,
    users: dict[str, User],
    holders: Sequence[str],
    targets: dict[str, DropbackTarget],
) -> list[LeadFilter]:
    criteria: list[LeadFilter] = []
    extra = cfg.additional_criteria
    if extra is not None:
        lead = extra.lead_criteria
        if lead.min_priority is not None or lead.max_priority is not None:
            rule = priority_filter(lead.min_priority, lead.max_priority)
            criteria.append(LeadFilter(f"Dropback: {rule.name.lower()}", rule.keep))
        if lead.required_fields:
            rule = required_fields_filter(lead.required_fields)
            criteria.append(LeadFilter(f"Dropback: {rule.name.lower()}", rule.keep))
        if lead.exclude_statuses:
            statuses = TextMatcher(lead.exclude_statuses, strip_whitespace=True)
            criteria.append(
                LeadFilter("Dropback: excluded status", lambda x: not statuses.matches(x.status))
            )
        if lead.exclude_tags:
            tags = TextMatcher(lead.exclude_tags)
            criteria.append(
                LeadFilter("Dropback: excluded tag", lambda x: not tags.matches_any(x.tags))
            )
    existing = extra.exclude_existing_assignments if extra is not None else None
    if existing is None or existing.enabled:
        held = frozenset(users[name].id for name in holders) | {t.user_id for t in targets.values()}
        criteria.append(
            LeadFilter(
                "Dropback: already held by a dropback user",
                lambda x: getattr(x, owner) not in held,
            )
        )
    if not cfg.assignment_config.override_existing_assignments:
        criteria.append(
            LeadFilter("Dropback: already assigned", lambda x: getattr(x, owner) is None)
        )
    return criteria
