from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.running import build_plan
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.tracking import Journal, open_journal
from tests.conftest import TODAY


@pytest.fixture
def loaded(demo_dir: Path) -> LoadedConfig:
    return load_config(demo_dir / "config.yaml")


@pytest.fixture
def store(demo_dir: Path) -> Iterator[LocalStore]:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        yield store


@pytest.fixture
def journal(loaded: LoadedConfig) -> Iterator[Journal]:
    journal, _ = open_journal(tracking_settings(loaded))
    yield journal
    journal.close()


@pytest.fixture
def plan(loaded: LoadedConfig, store: LocalStore) -> Plan:
    return build_plan(loaded, store, RunOptions(today=TODAY, seed=3))
