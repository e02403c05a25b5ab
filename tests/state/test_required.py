"""A tracking database that is down stops a run, unless tracking.local_fallback accepts §7.1
(tracking off); tracking.required makes a history that cannot be written a stop."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.errors import RunStopped
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.database import TrackingUnavailable
from odoo_lead_manager.state.history import History
from tests.conftest import TODAY
from tests.state.helpers import tracked_config

DOWN = "database_connection: {type: postgresql, host: 127.0.0.1, port: 1, database: x}\n"


def test_a_dry_run_with_its_database_down_stops_unless_the_fallback_is_accepted(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = todays_demo_dir / "config.yaml"
    base = config.read_text()
    config.write_text(base + DOWN)
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:1" in err and "set tracking.local_fallback: true" in err
    fallback = base.replace(
        "tracking:\n  enabled: true", "tracking:\n  enabled: true\n  local_fallback: true"
    )
    config.write_text(fallback + DOWN)
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    assert "tracking is off for this run" in capsys.readouterr().out
    # The history required and going on without it: one of them has to go.
    config.write_text(
        fallback.replace("  local_fallback: true", "  local_fallback: true\n  required: true")
        + DOWN
    )
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "tracking" in err and "contradict each other" in err


def failing_record(*_args: object) -> None:
    raise TrackingUnavailable("tracking database: database postgresql://db/x: gone")


@pytest.mark.parametrize("required", [False, True])
def test_history_lost_after_writing(
    demo_dir: Path, database_url: URL, monkeypatch: pytest.MonkeyPatch, required: bool
) -> None:
    extra = "tracking:\n  required: true\n" if required else ""
    config = demo_dir / "config.yaml"
    config.write_text(
        config.read_text().replace("tracking:\n  enabled: true\n  retention_days: 365\n", "")
    )
    loaded = tracked_config(demo_dir, database_url, extra)
    assert loaded.config.tracking.required is required
    monkeypatch.setattr(History, "record", failing_record)
    options = RunOptions(today=TODAY, seed=2)
    if required:
        with pytest.raises(
            RunStopped, match=r"wrote its leads but its history could not be recorded"
        ) as caught:
            run_distribution(loaded, dry_run=False, options=options)
        assert caught.value.exit_status == 1
    else:
        outcome = run_distribution(loaded, dry_run=False, options=options)
        assert outcome.exit_status == 0
        assert any("this run is not in the history" in note for note in outcome.notes)
    # Either way the leads were written and the journal knows it: no second distribution.
    again = run_distribution(load_config(loaded.path), dry_run=False, options=options)
    assert again.applied is None and "distributed on 2024-06-14 already" in again.notes[-1]
