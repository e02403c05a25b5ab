"""``ODLM_CONFIG`` names the configuration when ``--config`` is left out; given, the
option wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import create_demo
from tests.conftest import TODAY


@pytest.fixture
def demo_config(tmp_path: Path) -> Path:
    create_demo(tmp_path / "demo", today=TODAY)
    return write_demo_config(tmp_path / "demo")


def test_the_variable_stands_for_config_in_every_verb_that_takes_one(
    demo_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ODLM_CONFIG", str(demo_config))
    assert main(["dailydist", "--dry-run", "--today", TODAY.isoformat()]) == 0
    assert "DRY RUN - daily lead distribution  campaign: Voice" in capsys.readouterr().out
    assert main(["runs"]) == 0
    assert "Kept snapshots" in capsys.readouterr().out
    assert main(["status", "--format", "json", "--today", TODAY.isoformat()]) == 3
    assert str(demo_config) in capsys.readouterr().out


def test_without_the_variable_config_is_required(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ODLM_CONFIG", raising=False)
    with pytest.raises(SystemExit) as ended:
        main(["runs"])
    assert ended.value.code == 2
    assert "--config" in capsys.readouterr().err
    assert main(["dailydist", "--dry-run"]) == 2
    assert "ODLM_CONFIG" in capsys.readouterr().err


def test_the_option_wins_over_the_variable(
    demo_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODLM_CONFIG", str(tmp_path / "missing.yaml"))
    assert main(["runs", "--config", str(demo_config)]) == 0
    assert main(["runs"]) == 2
