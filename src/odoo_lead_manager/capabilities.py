"""Settings the schema accepts but this version cannot honour yet.

The schema covers the whole spec so that a configuration written today stays
valid; the stages grow into it issue by issue. Until a setting that decides
*which leads move or to whom* is implemented, a run that sets it stops with
an error naming the key: ignoring, say, a Do-Not-Call exclusion would hand
out leads the user protected.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from odoo_lead_manager.config.schema import DistributionConfig

_DECISIVE = (
    "salesperson_selection.source_config.category",
    # Counting weekend deliveries toward Monday's bounds needs the history of issue 8.
    "distribution.advanced_rules.workload_balancing.consider_weekend_workload",
)


def _is_set(config: DistributionConfig, dotted: str) -> bool:
    """Whether the setting at ``dotted`` asks for something to happen.

    Unset, false and empty values ask for nothing; a section asks when it
    is present and, if it has an ``enabled`` flag, enabled; a value list
    (``exclude_tags``) asks when it has values.
    """
    value: Any = config
    for name in dotted.split("."):
        value = getattr(value, name, None)
        if value is None:
            return False
    if isinstance(value, BaseModel):
        if "values" in type(value).model_fields:
            return bool(value.values)  # type: ignore[attr-defined]
        return bool(getattr(value, "enabled", True))
    return value not in (False, 0, "") and value != []


def unsupported_settings(config: DistributionConfig) -> list[str]:
    """Keys that change which leads move, set here but not implemented in this version."""
    return [key for key in _DECISIVE if _is_set(config, key)]
