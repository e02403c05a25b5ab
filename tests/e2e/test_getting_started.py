"""docs/getting-started.md, followed as written: every ```bash block, in order, in one
directory, with the venv's odlm first on PATH (as the page's install block leaves the
shell). The demo part runs on the local store, with no Odoo in the environment; from the
block that loads voice.env on, the commands run against the stand-in Odoo holding a demo
dated today, its connection in the environment as voice.env puts it there. The ```text
blocks (placeholders, system commands) are not run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import PEOPLE, TEAMS
from tests.crm.fake_odoo import FakeOdoo
from tests.crm.xmlrpc_fake_server import serve

PAGE = Path(__file__).resolve().parents[2] / "docs" / "getting-started.md"
BIN = Path(sys.executable).parent
INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -e . && . .venv/bin/activate"
PASSWORD = "pw"


def fenced_blocks() -> list[tuple[str, str]]:
    """Each fenced block of the page in order: its language and its text."""
    return re.findall(r"^```(\w*)\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.S | re.M)


def loads_the_connection(block: str) -> bool:
    return "set -a; . ./voice.env" in block


@pytest.fixture
def stand_in(todays_demo_dir: Path) -> Iterator[tuple[FakeOdoo, str]]:
    """A stand-in Odoo 17 holding the demo CRM dated today, and its address."""
    fake = FakeOdoo(version=17)
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        users = store.find_users([p.name for p in PEOPLE])
        leads = list(store.search_leads([("active", "in", [True, False])]))
    fake.load(TEAMS, users, leads)
    with serve(fake, password=PASSWORD) as (url, _):
        yield fake, url


def owners(fake: FakeOdoo) -> dict[int, Any]:
    def uid(value: Any) -> Any:
        return value[0] if isinstance(value, list | tuple) else value

    return {i: uid(r.get("user_id")) for i, r in fake.models["crm.lead"].items()}


def test_the_getting_started_page_runs_as_written(
    stand_in: tuple[FakeOdoo, str], tmp_path: Path
) -> None:
    fake, url = stand_in
    host = re.match(r"(https?://[^:/]+):(\d+)", url)
    assert host is not None
    work = tmp_path / "work"
    work.mkdir()
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(tmp_path),  # the completion script goes under ~/.local
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # What the page's voice.env holds, for the stand-in (the page's are placeholders).
    connection = {
        "ODOO_HOST": host.group(1),
        "ODOO_PORT": host.group(2),
        "ODOO_DB": "crm",
        "ODOO_USERNAME": "admin",
        "ODOO_PASSWORD": PASSWORD,
    }
    blocks = fenced_blocks()
    assert [text for _, text in blocks if loads_the_connection(text)]
    runnable = [text for language, text in blocks if language == "bash"]
    # The install is what made this test's own venv: its odlm is the one on PATH.
    assert runnable[0] == INSTALL + "\n" and (BIN / "odlm").is_file()
    before = owners(fake)
    said = ""
    for language, block in blocks:
        if loads_the_connection(block):
            env |= connection
        if language != "bash" or block == runnable[0]:
            continue
        # RUN_ID stands for the run the page just made, whose id its output names.
        made = re.findall(r"odlm undo ([0-9a-f]{32})", said)
        script = block.replace("RUN_ID", made[-1][:8]) if made else block
        # `env -i` (cron's empty environment) would also drop this interpreter setting, and
        # Python would write its bytecode into the source tree: it alone is passed on.
        script = script.replace("env -i ", "env -i PYTHONDONTWRITEBYTECODE=1 ")
        run = subprocess.run(
            ["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, (block, run.stdout[-2000:], run.stderr[-2000:])
        said += run.stdout
        if "--generate-config" in block:
            # The page's edit for a server not on 8069: no port in the file, ODOO_PORT set.
            config = work / "voice.yaml"
            text = config.read_text(encoding="utf-8")
            assert "\n  port: 8069\n" in text
            config.write_text(text.replace("\n  port: 8069\n", "\n"), encoding="utf-8")

    # The demo: its real run recorded, its leads written.
    listing = subprocess.run(
        [BIN / "odlm", "runs", "--config", "demo/config.yaml"], cwd=work, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    completed = r"Voice\s+\S+\s+completed\s+planned [1-9][\d,]*\s+written [1-9]"
    assert re.search(completed, listing.stdout)
    assert (work / "site" / "index.html").is_file()
    assert (tmp_path / ".local/share/bash-completion/completions/odlm").stat().st_size > 0

    # Odoo: the applied run undone, then the day's run done again and recorded.
    listing = subprocess.run(
        [BIN / "odlm", "runs", "--config", "voice.yaml"], cwd=work, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    runs = re.findall(r"^  ([0-9a-f]{32})\s+Voice\s+\S+\s+(\w+)", listing.stdout, re.M)
    assert [status for _, status in runs[:2]] == ["completed", "undone"]
    last_run = re.findall(r"odlm undo ([0-9a-f]{32})", said)[-1]
    assert last_run == runs[0][0]
    distributed = re.findall(r"Leads distributed: ([\d,]+)", said)
    assert int(distributed[-1].replace(",", "")) > 0
    changed = {i for i, owner in owners(fake).items() if owner != before[i]}
    assert len(changed) == int(distributed[-1].replace(",", ""))
    assert re.search(rf"^Voice \(voice\.yaml\): OK: distributed \(run {last_run}", said, re.M)
