from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_lead_manager.config import LoadedConfig, load_config
from odoo_lead_manager.crm.local_store import LocalStore
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.planning import RunOptions, build_plan
from odoo_lead_manager.tracking import Journal, open_journal

from ..conftest import TODAY


@pytest.fixture
def loaded(demo_dir: Path) -> LoadedConfig:
    return load_config(demo_dir / "config.yaml")


@pytest.fixture
def store(demo_dir: Path) -> Iterator[LocalStore]:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        yield store


@pytest.fixture
def journal(loaded: LoadedConfig) -> Iterator[Journal]:
    journal, _ = open_journal(loaded)
    yield journal
    journal.close()


@pytest.fixture
def plan(loaded: LoadedConfig, store: LocalStore) -> Plan:
    return build_plan(loaded, store, RunOptions(today=TODAY, seed=3))
