from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.crm.local.store import LocalStore

Configure = Callable[[str], LoadedConfig]


@pytest.fixture
def store(demo_dir: Path) -> Iterator[LocalStore]:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        yield store


@pytest.fixture
def configure(demo_dir: Path) -> Configure:
    """The demo configuration with its salesperson_selection block replaced."""

    config = demo_dir / "config.yaml"
    original = config.read_text()

    def make(selection: str, extra: str = "") -> LoadedConfig:
        text = original
        text = re.sub(
            r"^salesperson_selection:\n(?:(?: .*)?\n)*", selection.strip("\n") + "\n\n", text,
            count=1, flags=re.MULTILINE,
        )  # fmt: skip
        config.write_text(text + extra)
        return load_config(config)

    return make
