"""The README's "A first run against Odoo", command by command as written, on the stand-in
Odoo of each version: generate the legacy configuration, check, dry run with --plan-out,
apply, list the runs, undo — the CRM checked after each write, every history view opened."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def demo_dir(todays_demo_dir: Path) -> Path:
    """The stand-in Odoo holds a demo dated today: the README's commands run as of today."""
    return todays_demo_dir


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A first run against Odoo") : text.index("\n## ", text.index(
        "## A first run against Odoo") + 5)]  # fmt: skip
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [
        line.strip().removeprefix(".venv/bin/odlm ")
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith(".venv/bin/odlm ")
    ]


def owners(fake: FakeOdoo) -> dict[int, Any]:
    def uid(value: Any) -> Any:
        return value[0] if isinstance(value, list | tuple) else value

    return {i: (uid(r.get("user_id")), r.get("status")) for i, r in fake.models["crm.lead"].items()}


def test_the_readme_first_run_against_odoo_as_written(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo_config, fake = odoo_demo
    commands = readme_commands()
    assert [c.split()[0] for c in commands] == [
        "dailydist", "check", "dailydist", "apply", "runs", "undo",
    ]  # fmt: skip
    work = tmp_path / "first"
    work.mkdir()
    monkeypatch.chdir(work)
    # Step 2, "say where Odoo is", for the stand-in (the README's values are placeholders).
    url = re.match(r"(https?://[^:/]+):(\d+)", __import__("os").environ["ODOO_URL"])
    assert url is not None
    monkeypatch.setenv("ODOO_HOST", url.group(1))
    monkeypatch.setenv("ODOO_PORT", url.group(2))
    monkeypatch.setenv("ODOO_DB", "crm")
    monkeypatch.setenv("ODOO_USERNAME", "admin")
    monkeypatch.setenv("ODOO_PASSWORD", "pw")

    def odlm(command: str) -> str:
        status = main(shlex.split(command))
        captured = capsys.readouterr()
        assert status == 0, (command, captured.err)
        return captured.out

    odlm(commands[0])  # generate the configuration
    config = work / "voice.yaml"
    assert config.is_file() and (work / "odlm-config.schema.json").is_file()
    # What the README says to edit: the campaign table it reads, and (the stand-in not being
    # on 8069) the port from ODOO_PORT instead of the file.
    (work / "config").mkdir()
    shutil.copy(demo_config.parent / "salesperson_campaigns.csv", work / "config")
    config.write_text(re.sub(r"\n  port: 8069", "", config.read_text(encoding="utf-8")))

    assert "All mapped fields fit" in odlm(commands[1])  # check
    before = owners(fake)
    preview = odlm(commands[2])  # dry run, plan kept
    assert "This was a DRY RUN" in preview and owners(fake) == before
    plan = json.loads((work / "plan.json").read_text())
    assert len(plan["assignments"]) > 100
    odlm(commands[3])  # apply
    after = owners(fake)
    for assignment in plan["assignments"]:
        assert after[assignment["lead_id"]] == (assignment["user_id"], "New")
    changed = {i for i in after if after[i] != before[i]}
    assert changed == {a["lead_id"] for a in plan["assignments"]}

    listing = odlm(commands[4])  # runs
    run_id = plan["run_id"]
    assert re.search(rf"{run_id}\s+Voice\s+\S+\s+completed", listing)
    assert re.search(rf"{run_id}\s+Voice\s+\S+\s+run\s", listing)
    for view in (
        f"status --config {config}",
        f"report daily --config {config} --format json",
        f"report site site --config {config}",
        f"explain {plan['assignments'][0]['lead_id']} --config {config} --run {run_id[:8]}",
        f"replay {run_id[:8]} --config {config}",
    ):
        odlm(view)
    assert (work / "site" / "index.html").is_file()

    undo = odlm(commands[5].replace("RUN_ID", run_id))
    assert f"Leads given back their previous values: {len(changed):,}" in undo
    assert owners(fake) == before
