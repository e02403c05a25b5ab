from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from odoo_lead_manager.config import LoadedConfig, load_config
from odoo_lead_manager.crm.local_store import LocalStore
from odoo_lead_manager.demo import create_demo
from odoo_lead_manager.demo_config import write_demo_config

TODAY = date(2024, 6, 14)

Configure = Callable[[str], LoadedConfig]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    directory = tmp_path / "demo"
    create_demo(directory, today=TODAY)
    write_demo_config(directory)
    return directory


@pytest.fixture
def store(demo: Path) -> LocalStore:
    return LocalStore.open(demo / "crm.sqlite")


@pytest.fixture
def configure(demo: Path) -> Configure:
    """The demo configuration with its salesperson_selection block replaced."""

    def make(selection: str, extra: str = "") -> LoadedConfig:
        config = demo / "config.yaml"
        text = config.read_text()
        text = re.sub(
            r"^salesperson_selection:\n(?:[ \n].*\n)*", selection.strip("\n") + "\n\n", text,
            count=1, flags=re.MULTILINE,
        )  # fmt: skip
        config.write_text(text + extra)
        return load_config(config)

    return make
