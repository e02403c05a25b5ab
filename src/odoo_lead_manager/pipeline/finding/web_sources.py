"""The web sources a run distributes from (spec §3.2): reading the list and checking it.

Names come from a text file, a database table or the configuration. With
``validate_sources`` each configured name is looked up among the CRM's utm
sources (one call per run); names the CRM does not know are reported, and
either dropped from the list (``exclude_invalid: true``) or refused.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from odoo_lead_manager.config.schema.finding import WebSources
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.pipeline.finding.matching import TextMatcher

KEY = "lead_finding.web_sources"


@dataclass(frozen=True)
class WebSourceList:
    """The matcher built from the configured names, and the names the CRM did not know."""

    matcher: TextMatcher
    unknown: tuple[str, ...] = ()


def configured_source_names(cfg: WebSources) -> list[str]:
    """The names ``source_type: config`` lists, blank entries dropped."""
    return [name for name in cfg.source_config.sources if name.strip()]


def web_source_list(
    where: str,
    cfg: WebSources,
    names: Sequence[str],
    crm_sources: Collection[str] | None,
) -> WebSourceList:
    """The matcher for the configured sources, ``names`` as `read_source_names` gave them.

    ``crm_sources`` are the CRM's utm source names, given when validating; ``where``
    names the configuration in messages.
    """
    unknown: list[str] = []
    if crm_sources is not None:
        known = TextMatcher(crm_sources, case_sensitive=cfg.case_sensitive)
        unknown = [name for name in names if not known.matches(name)]
        if unknown and not cfg.exclude_invalid:
            raise UserInputError(
                f"{where}: {KEY}: not utm sources in the CRM: {', '.join(unknown)} "
                f"(fix them, or set exclude_invalid: true to skip them)"
            )
        names = [name for name in names if name not in unknown]
    mode = (
        "partial" if cfg.match_mode == "exact" and cfg.include_partial_matches else cfg.match_mode
    )
    matcher = TextMatcher(
        names,
        mode,
        case_sensitive=cfg.case_sensitive,
        wildcards=cfg.match_patterns,
        regexes=cfg.regex_patterns,
        key=KEY,
    )
    if not matcher:
        raise UserInputError(
            f"{where}: {KEY}: no web source to match (the list is empty"
            + (", every name was unknown to the CRM)" if unknown else ")")
        )
    return WebSourceList(matcher, tuple(unknown))
