"""`odlm` imports a verb's modules only when that verb runs, after its configuration is
validated: what `--help`, `--version` and a bad configuration load stands for how fast
they answer (timed in benchmarks/startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from odoo_lead_manager.cli.parser import VERBS, build_parser

PROBE = """
import json, sys
from odoo_lead_manager.cli.main import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
HEAVY = ("sqlalchemy", "alembic", "httpx", "rich", "jinja2", "yaml", "pydantic")


def loaded_by(*args: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    """The exit status of ``odlm ARGS`` in a new process, and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd, check=False
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["status"], set(report["modules"])


def roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("dailydist", "--help")])
def test_help_and_version_load_no_heavy_library_and_no_verb(args: tuple[str, ...]) -> None:
    status, modules = loaded_by(*args)
    assert status == 0
    assert roots(modules).isdisjoint(HEAVY)
    assert not any(m.startswith("odoo_lead_manager.commands") for m in modules)


def test_a_bad_configuration_is_refused_before_the_verb_is_loaded(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '1.0'\ncampaign: {target_campaignn: Voice}\n", encoding="utf-8")
    status, modules = loaded_by("dailydist", "--config", str(bad))
    assert status == 2
    # The schema (pydantic, PyYAML) is needed to say what is wrong; nothing else is.
    assert roots(modules).isdisjoint({"sqlalchemy", "alembic", "httpx", "jinja2"})
    assert "odoo_lead_manager.commands.dailydist" not in modules
    assert not any(m.startswith(("odoo_lead_manager.pipeline", "odoo_lead_manager.state"))
                   for m in modules)  # fmt: skip


def test_every_verb_has_its_module_and_its_arguments() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    assert set(commands.choices) == set(VERBS)  # type: ignore[arg-type]
    package = Path(__file__).resolve().parents[2] / "src" / "odoo_lead_manager" / "commands"
    for verb in VERBS:
        text = (package / f"{verb}.py").read_text(encoding="utf-8")
        assert "\ndef run(args: argparse.Namespace) -> int:" in text, verb
