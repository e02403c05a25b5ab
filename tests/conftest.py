from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from tests import settings_reads

# Hypothesis keeps no example database in the work tree (tests write only under
# temporary directories); each run draws its examples afresh from the seeds it prints.
settings.register_profile("odlm", database=None)
settings.load_profile("odlm")
# Its other files (``.hypothesis/`` in the current directory by default) go to a
# temporary directory, removed when the run ends.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="odlm-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)

# Before any test: which settings odlm reads is recorded for the whole suite.
settings_reads.install()

# Checks made on what the whole suite did, run after every other test.
LAST = "tests/test_settings_registry.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.startswith(LAST))


TODAY = date(2024, 6, 14)


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """A fresh demo CRM, campaign table and config, dated TODAY."""
    directory = tmp_path / "demo"
    create_demo(directory, today=TODAY)
    write_demo_config(directory)
    return directory


@pytest.fixture
def todays_demo_dir(tmp_path: Path) -> Path:
    """A fresh demo dated today, for runs through the command line (which use today)."""
    directory = tmp_path / "demo"
    create_demo(directory, today=date.today())
    write_demo_config(directory)
    return directory
