"""Every setting the schema accepts that odlm does not carry out, and what setting it does.

The schema covers the whole spec so that a configuration written for it
loads; a setting odlm does not carry out is never accepted and ignored:

- refused: it would change which leads move, or what odlm promises about
  them; a run that sets it stops with exit status 2 naming the key, before
  anything is read or written;
- warned: it would change only how a run goes about its work or what it
  reports; a run that sets it goes on and says, naming the key, that it
  has no effect;
- descriptive: text for the people who read the file (the configuration's
  name, author, notes); nothing reads it, by design;
- read when loading: the schema itself carries it out (``exact_match``
  becomes ``match_mode``; ``database_query.table`` admits only the users).

A setting counts as set when the file gives it a value other than its
default (defaults are what odlm does). ``tests/test_settings_registry.py``
checks that every setting of the schema is read by odlm's code or is here.
Keys are dotted paths; ``*`` stands for any entry of a mapping, ``[]`` for
any item of a list.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.errors import ConfigError

log = logging.getLogger(__name__)

REFUSED: Mapping[str, str] = {
    "salesperson_selection.source_config.category": "category-based selection is not built",
    "security.encrypt_sensitive_data": (
        "odlm cannot encrypt the plans, journal and reports it writes; protect them with "
        "file and database permissions, and mask_personal_data for reports"
    ),
}

_ONE_READ = "the opportunities are read once per run as grouped counts; this changes nothing"
_TYPE_FROM_CRM = "the field's type is read from the CRM; this changes nothing"
WARNED: Mapping[str, str] = {
    "tracking.async_tracking": "recording is one transaction at the end of the run",
    "lead_finding.sales_filter.performance.batch_size": _ONE_READ,
    "lead_finding.sales_filter.performance.use_database_join": _ONE_READ,
    "lead_finding.sales_filter.performance.cache_opportunities": _ONE_READ,
    "lead_finding.sales_filter.performance.cache_duration_minutes": _ONE_READ,
    "lead_finding.dropback_filter.performance.async_assignment": (
        "dropback leads are written with the run's other batches, in turn"
    ),
    "lead_finding.dropback_filter.performance.timeout_seconds": (
        "a write's time limit is odoo_connection.timeout_seconds"
    ),
    "lead_finding.dropback_filter.assignment_config.web_source_field_type": _TYPE_FROM_CRM,
    "lead_finding.dropback_filter.web_source_matching.primary_field_type": _TYPE_FROM_CRM,
    "lead_finding.dropback_filter.web_source_matching.fallback_fields[].type": _TYPE_FROM_CRM,
    "salesperson_selection.source_config.database_query.fields": (
        "odlm reads the user fields it needs (id, name, login, active, sales team)"
    ),
}

DESCRIPTIVE: Mapping[str, str] = {
    "description": "a note for readers of the file",
    "tags": "labels for readers of the file",
    "author": "who wrote the file",
    "created_date": "when the file was written",
    "last_modified": "when the file was last changed",
    "campaign.description": "a note on the campaign",
    "lead_finding.date_range_strategies.*.description": "a note on the date window",
    "lead_finding.dropback_filter.age_threshold.description": "a note on the threshold",
    "lead_finding.dropback_filter.age_thresholds.*.description": "a note on the threshold",
}

_MODE = "read when loading: exact_match: true means match_mode exact, false partial"
AT_LOAD: Mapping[str, str] = {
    "version": "read when loading: only version 1.0, this odlm's configuration format, is accepted",
    "lead_finding.web_sources.exact_match": _MODE,
    "lead_finding.campaigns.exact_match": _MODE,
    "lead_finding.campaigns.campaign_settings.*.exact_match": _MODE,
    "lead_finding.additional_filters.status.exact_match": _MODE,
    "lead_finding.additional_filters.status_matching.exact_match": _MODE,
    "lead_finding.additional_filters.exclude_tags.exact_match": _MODE,
    "lead_finding.additional_filters.include_tags.exact_match": _MODE,
    "salesperson_selection.source_config.database_query.table": (
        "read when loading: only res_users (the CRM's users) is accepted"
    ),
}


def _values(node: Any, parts: list[str], path: str) -> Iterator[tuple[str, Any, bool]]:
    """(path, value, given in the file with a value other than the default) at a pattern."""
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    listed = head.endswith("[]")
    name = head.removesuffix("[]")
    if name == "*":
        if isinstance(node, Mapping):
            for key, value in node.items():
                yield from _step(value, rest, f"{path}.{key}", True)
        return
    if not isinstance(node, BaseModel) or name not in type(node).model_fields:
        return
    value = getattr(node, name)
    field = type(node).model_fields[name]
    given = name in node.model_fields_set and value != field.get_default(call_default_factory=True)
    here = f"{path}.{name}" if path else name
    if listed:
        for index, item in enumerate(value or ()):
            yield from _step(item, rest, f"{here}[{index}]", given)
        return
    yield from _step(value, rest, here, given)


def _step(value: Any, rest: list[str], path: str, given: bool) -> Iterator[tuple[str, Any, bool]]:
    if rest:
        yield from _values(value, rest, path)
    else:
        yield path, value, given


def set_keys(config: DistributionConfig, keys: Mapping[str, str]) -> list[tuple[str, str]]:
    """The keys of ``keys`` this configuration sets, as (dotted path found, reason)."""
    found = []
    for pattern, reason in keys.items():
        for path, _, given in _values(config, pattern.split("."), ""):
            if given:
                found.append((path, reason))
    return found


def refuse_unsupported(loaded: LoadedConfig) -> None:
    """Stop, naming each key, when the configuration sets a refused setting."""
    refused = set_keys(loaded.config, REFUSED)
    if refused:
        listed = "; ".join(f"{key} ({reason})" for key, reason in refused)
        raise ConfigError(
            f"{loaded.path}: not available in this version, and ignoring it would break what "
            f"it asks for: {listed}. Remove or disable it; nothing was read or changed."
        )


def check_settings(loaded: LoadedConfig) -> tuple[str, ...]:
    """Stop on a refused setting; return (and log) a warning for each warned one that is set."""
    refuse_unsupported(loaded)
    warnings = setting_notices(loaded.config)
    announce(str(loaded.path), warnings)
    return warnings


def setting_notices(config: DistributionConfig) -> tuple[str, ...]:
    """A sentence for each warned setting that is set: it has no effect, and why."""
    return tuple(f"{key} has no effect: {reason}" for key, reason in set_keys(config, WARNED))


def announce(where: str, notices: Sequence[str]) -> None:
    """Log the notices about the settings of the configuration at ``where``, once a command."""
    for notice in notices:
        log.warning("%s: %s", where, notice)


def registered() -> dict[str, str]:
    """Every registered key and its kind, for the registry's test and the README."""
    kinds = (("refused", REFUSED), ("warned", WARNED), ("descriptive", DESCRIPTIVE))
    entries = {key: kind for kind, keys in kinds for key in keys}
    entries.update(dict.fromkeys(AT_LOAD, "read when loading"))
    return entries
