"""`--generate-config` and `odlm schema` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.config.templates import TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("campaign", [None, "Apple"])
def test_generated_config_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], template: str, campaign: str | None
) -> None:
    output = tmp_path / f"{template}.yaml"
    args = ["dailydist", "--generate-config", "--template", template, "--output", str(output)]
    if campaign:
        args += ["--campaign", campaign]
    assert main(args) == 0
    assert f"Template: {template}" in capsys.readouterr().out
    text = output.read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=odlm-config.schema.json\n"
        "# Daily Lead Distribution Configuration\n"
    )
    assert f"# Template: {template}" in text
    loaded = load_config(output)
    if campaign:
        assert f"# Campaign: {campaign}" in text
        assert loaded.config.campaign.name == campaign


def test_generate_config_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "c.yaml"
    output.write_text("keep me")
    assert main(["dailydist", "--generate-config", "--output", str(output)]) == 2
    assert "use --overwrite" in capsys.readouterr().err
    assert output.read_text() == "keep me"
    assert main(["dailydist", "--generate-config", "--output", str(output), "--overwrite"]) == 0


def test_generate_config_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dailydist", "--generate-config", "--template", "minimal"]) == 0
    assert "strategy: round_robin" in capsys.readouterr().out


def test_schema_command_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "lead_finding" in schema["properties"]
    assert "salesperson_selection" in schema["properties"]


def test_schema_to_an_unwritable_place_is_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--output", str(tmp_path / "nowhere" / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the schema to ") and "Traceback" not in err
    assert main(["schema", "--output", str(tmp_path / "x.json")]) == 0
    assert "lead_finding" in json.loads((tmp_path / "x.json").read_text())["properties"]
