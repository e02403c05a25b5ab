"""A digest of what a configuration decides, carried by every plan it makes.

`odlm apply` compares a plan's digest with its own configuration's, so that
a plan made under one configuration is not written under another (other
owner fields, another status, another campaign's salespeople) by mistake.
"""

from __future__ import annotations

import hashlib
from typing import Any

from odoo_lead_manager.config.schema import DistributionConfig

# What describes a configuration or a run's outputs, not what it writes: the
# command line adds report options to ``reporting``, so a plan saved by
# `dailydist --generate-report` still applies under the same file, and a
# corrected description does not make a plan stale.
_NOT_DECIDING = {
    "description",
    "tags",
    "author",
    "created_date",
    "last_modified",
    "reporting",
    "monitoring",
}


# Keys added after plans were first saved, by section: left out of the digest while at
# their default, so that a configuration that does not set them keeps the digest it had
# (and the plans saved under it still apply); set to anything else, they count.
_ADDED_LATER: dict[str, tuple[str, ...]] = {
    "distribution": ("never_back_to_last", "fairness_window_days")
}


def config_fingerprint(config: DistributionConfig) -> str:
    """The SHA-256 of the deciding sections of ``config``, as 64 hex digits.

    Secrets are dumped masked by pydantic, so the digest neither depends on
    nor reveals a password or key.
    """
    exclude: dict[str, Any] = dict.fromkeys(_NOT_DECIDING, True)
    for section_name, keys in _ADDED_LATER.items():
        section = getattr(config, section_name)
        fields = type(section).model_fields
        at_default = {key for key in keys if getattr(section, key) == fields[key].default}
        if at_default:
            exclude[section_name] = dict.fromkeys(at_default, True)
    text = config.model_dump_json(exclude=exclude, round_trip=False)
    return hashlib.sha256(text.encode()).hexdigest()
