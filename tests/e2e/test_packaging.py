"""What the installed package says about itself: version, licence, optional drivers."""

from __future__ import annotations

from importlib import metadata

import pytest

from odoo_lead_manager.cli.main import main


def test_version_comes_from_the_installed_package_metadata(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"odlm {metadata.version('odoo-lead-manager')}\n"


def test_licence_classifiers_and_driver_extras_are_in_the_metadata() -> None:
    info = metadata.metadata("odoo-lead-manager")
    assert info["License-Expression"] == "MIT"
    classifiers = info.get_all("Classifier") or []
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert "Typing :: Typed" in classifiers
    extras = info.get_all("Provides-Extra") or []
    assert {"postgresql", "mysql"} <= set(extras)
    required = metadata.requires("odoo-lead-manager") or []
    # The drivers are installed only with their extra: SQLite needs none.
    plain = [r for r in required if "extra ==" not in r]
    assert not any(r.lower().startswith(("psycopg", "pymysql")) for r in plain)
