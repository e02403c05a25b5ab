"""The Odoo part of docs/getting-started.md, command by command as written, on the stand-in
Odoo of each version: generate the legacy configuration, check, dry run with --plan-out,
apply, list the runs, preview the undo, undo, distribute again — the CRM checked after each
write, every history view opened."""

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

PAGE = Path(__file__).resolve().parents[2] / "docs" / "getting-started.md"


@pytest.fixture
def demo_dir(todays_demo_dir: Path) -> Path:
    """The stand-in Odoo holds a demo dated today: the page's commands run as of today."""
    return todays_demo_dir


def page_commands() -> list[str]:
    """The odlm commands of the page's steps against Odoo, from writing the configuration to
    the undo and the run after it (scheduling and watching are the getting-started test's)."""
    text = PAGE.read_text(encoding="utf-8")
    section = text[text.index("## 4. Write your configuration") : text.index("## 11. ")]
    blocks = re.findall(r"^```bash\n(.*?)^```", section, re.S | re.M)
    return [
        line.strip().removeprefix("odlm ")
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("odlm ")
    ]


def owners(fake: FakeOdoo) -> dict[int, Any]:
    def uid(value: Any) -> Any:
        return value[0] if isinstance(value, list | tuple) else value

    return {i: (uid(r.get("user_id")), r.get("status")) for i, r in fake.models["crm.lead"].items()}


def test_the_first_run_against_odoo_as_written(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo_config, fake = odoo_demo
    commands = page_commands()
    assert [c.split()[0] for c in commands] == [
        "dailydist", "check", "dailydist", "apply", "runs", "undo", "undo", "dailydist",
    ]  # fmt: skip
    work = tmp_path / "first"
    work.mkdir()
    monkeypatch.chdir(work)
    # "Say where Odoo is", for the stand-in (the page's values are placeholders).
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
    # What the page says to do: the campaign table from the demo's, and (the stand-in not
    # being on 8069) the port from ODOO_PORT instead of the file.
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

    preview = odlm(commands[5].replace("RUN_ID", run_id[:8]))  # undo --dry-run
    assert "--dry-run" in commands[5] and owners(fake) == after
    assert f"Leads an undo would give back their previous values: {len(changed):,}" in preview
    undo = odlm(commands[6].replace("RUN_ID", run_id[:8]))
    assert f"Leads given back their previous values: {len(changed):,}" in undo
    assert owners(fake) == before
    # The undone run no longer counts as the day's: the same plan is distributed again.
    again = odlm(commands[7])
    assert re.search(r"Leads distributed: [1-9]", again)
    assert owners(fake) == after
