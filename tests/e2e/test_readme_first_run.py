"""The README's first command, run as written: its real run is the run its dry run showed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.state.tracking import open_journal

README = Path(__file__).resolve().parents[2] / "README.md"
ODLM = Path(sys.executable).with_name("odlm")
INSTALL = "python3 -m venv .venv && .venv/bin/pip install -q -e . && "


def first_command() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)\n```", text, re.S)
    assert block and block.group(1).startswith(INSTALL)
    return block.group(1).removeprefix(INSTALL)


def preview(output: str) -> str:
    """The distribution preview table of one run's output."""
    start = output.index("Distribution preview")
    return output[start : output.index("Strategy details", start)]


def test_the_readme_first_run_shows_the_same_assignments_twice(tmp_path: Path) -> None:
    command = first_command().replace(".venv/bin/odlm", str(ODLM))
    run = subprocess.run(
        ["bash", "-e", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    dry, real = re.split(r"^(?=DRY RUN - |Daily lead distribution)", run.stdout, flags=re.M)[-2:]
    assert dry.startswith("DRY RUN") and "This was a DRY RUN" in dry
    assert preview(dry) == preview(real)
    dry_id, real_id = (re.search(r"Run ([0-9a-f]{32})", out) for out in (dry, real))
    assert dry_id and real_id
    assert f"every lead decided as the dry run {dry_id.group(1)}" in real
    assert re.search(r"Leads distributed: [1-9]", real)
    # Lead by lead, from what each run kept, and in the CRM afterwards.
    loaded = load_config(tmp_path / "demo" / "config.yaml")
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        shown = journal.recorded(dry_id.group(1))
        applied = journal.plan(real_id.group(1))
    finally:
        journal.close()
    assert shown is not None and shown.plan.fates() == applied.fates()
    with LocalStore.open(tmp_path / "demo" / "crm.sqlite") as store:
        owners = {lead.id: lead.user_id for lead in store.read_leads(list(shown.plan.fates()))}
    assert all(owners[a.lead_id] == a.user_id for a in shown.plan.assignments)
