"""No setting is accepted and ignored: each one is read by odlm's code or registered.

Runs after every other test (``tests/conftest.py`` orders it last) and
looks at what the whole suite made odlm read (``tests/settings_reads.py``):
a setting of the schema that no run read and that the registry
(`odoo_lead_manager.config.registry`) neither refuses, warns about,
calls descriptive nor reads when loading, is a setting a user can write
and odlm silently ignores — or one no test exercises. Either way it fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from odoo_lead_manager.config.registry import registered
from tests import settings_reads

TESTS = Path(__file__).parent


def _whole_suite(request: pytest.FixtureRequest) -> bool:
    """Whether this session collected every test module with nothing deselected."""
    option = request.config.option
    if option.keyword or option.markexpr or getattr(option, "deselect", None):
        return False
    files = {Path(str(item.path)) for item in request.session.items}
    return {path for path in TESTS.rglob("test_*.py")} <= files


def _matches(pattern: str, path: str) -> bool:
    regex = re.escape(pattern).replace(r"\*", r"[^.]+").replace(r"\[\]", r"\[\d*\]")
    return re.fullmatch(regex, path) is not None


def _read(path: str, owner: str, field: str) -> bool:
    reads = settings_reads.READS
    if f"?{owner}.{field}" in reads:
        return True  # read on a section built without a file (its path unknown)
    # The setting itself, or (for a section) anything in it.
    concrete = re.escape(path).replace(r"\*", r"[^.]+") + r"([.\[].*)?"
    return any(re.fullmatch(concrete, read) for read in reads)


def test_every_setting_is_read_or_registered(request: pytest.FixtureRequest) -> None:
    if not _whole_suite(request):
        pytest.skip("needs the whole suite: it checks what every other test made odlm read")
    entries = registered()
    fields = list(settings_reads.schema_fields())
    paths = [path for path, _, _ in fields]
    # A section is what its settings are: each of them is checked.
    leaves = [
        (path, owner, field)
        for path, owner, field in fields
        if not any(other.startswith((f"{path}.", f"{path}[].")) for other in paths)
    ]
    unexplained = [
        path
        for path, owner, field in leaves
        if not _read(path, owner, field) and not any(_matches(key, path) for key in entries)
    ]
    assert unexplained == [], (
        "settings neither read by odlm during the tests nor registered as refused, warned, "
        "descriptive or read when loading (odoo_lead_manager.config.registry): "
        + ", ".join(unexplained)
    )


def test_registered_keys_are_settings_of_the_schema() -> None:
    paths = [path for path, _, _ in settings_reads.schema_fields()]
    unknown = [key for key in registered() if not any(_matches(key, path) for path in paths)]
    assert unknown == []
