"""The configuration's digest, which every plan carries: what changes it and what does not."""

from __future__ import annotations

from typing import Any

import yaml

from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.demo.config import DEMO_CONFIG

# The demo's configuration, which every key below is changed from.
BASE: dict[str, Any] = yaml.safe_load(DEMO_CONFIG)


def digest(**distribution: Any) -> str:
    changed = {**BASE, "distribution": {**BASE["distribution"], **distribution}}
    return config_fingerprint(DistributionConfig.model_validate(changed))


def test_a_key_added_later_counts_only_when_it_differs_from_its_default() -> None:
    # Plans saved before never_back_to_last existed carry the digest of a configuration
    # without it: at its default it is left out, so they still apply.
    assert digest(never_back_to_last=2) == digest()
    assert digest(never_back_to_last=1) != digest()


def test_what_decides_counts_and_what_describes_does_not() -> None:
    assert digest(strategy="proportional") != digest()
    described = DistributionConfig.model_validate({**BASE, "description": "another text"})
    assert config_fingerprint(described) == digest()
