"""A configuration written only in the spec's keys selects exactly the leads R selects.

The R function ``m_leadsActivesalesguys`` (``m_leads_active_salesguys.R``,
the spec's code unchanged) runs with Rscript on the same generated data as
odlm: a campaign table with lower-case and blank-padded campaign names,
repeated rows and excluded users, and leads whose ``user_id`` and
``open_user_id`` disagree, with statuses differing by case and blanks and
dates and deadlines on every boundary. Without Rscript (and R's dplyr) the
test is skipped with the reason; ``test_legacy_parity.py`` holds a port of
the function that always runs.
"""

from __future__ import annotations

import csv
import random
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead, Team, User
from odoo_lead_manager.snapshot.options import RunOptions

SCRIPT = Path(__file__).with_name("m_leads_active_salesguys.R")
TODAY = date(2024, 6, 14)
EXCLUDED = ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]


def _r_available() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed (Debian: r-base-core r-cran-dplyr)"
    probe = subprocess.run(
        ["Rscript", "-e", "library(dplyr)"], capture_output=True, text=True, check=False
    )
    return None if probe.returncode == 0 else "R's dplyr is not installed (r-cran-dplyr)"


WHY_NOT = _r_available()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")

# The spec's §3.1 and §17 keys only, besides where the local CRM is.
CONFIG = """\
version: "1.0"
crm: {backend: local, local_path: crm.sqlite}
campaign: {name: Voice}
salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table:
      file_path: campaigns.csv
      campaign_column: category_campaign
      salesperson_column: salesperson_name
      active_column: active
  campaign_filtering:
    enabled: true
    target_campaign: Voice
    include_inactive_salespeople: false
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
lead_finding:
  date_range: {older_than_days: 0, younger_than_days: 30}
  status_filters:
    active_salespeople: {statuses: ["Utr", "Call Back"], date_range_days: 30}
    inactive_salespeople:
      statuses: ["Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"]
      date_range_days: 30
    exclude_closed_leads: true
    exclude_assigned_leads: false
  activity_deadline: {exclude_within_days: 4, exclude_missing_deadline: false}
  excluded_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
distribution:
  strategy: round_robin
tracking: {enabled: false}
"""

STATUSES = ["Utr", "utr", "UTR", "Call Back", " Call Back", "Call Back ", "call back",
            "Full Pitch Follow Up", "Full Pitch Follow Up ", "New", "new", "Won", "Lost",
            "dnc", "", None]  # fmt: skip


@dataclass(frozen=True)
class Case:
    users: list[User]
    rows: list[tuple[str, str, str]]
    leads: list[Lead]


def messy(seed: int, today: date = TODAY, count: int = 6000) -> Case:
    """Users, campaign table rows and leads full of the R function's ambiguous cases."""
    rng = random.Random(seed)
    names = [f"Seller {chr(65 + i)} {seed}" for i in range(12)]
    users = [User(i + 1, name, f"seller{i}") for i, name in enumerate(EXCLUDED)]
    users += [
        User(10 + i, name, f"s{i}.{seed}", active=rng.random() > 0.15, team_id=1)
        for i, name in enumerate(names)
    ]
    users += [User(40, f"Outsider {seed}", "outsider")]
    rows: list[tuple[str, str, str]] = []
    for name in names:
        campaign = rng.choices(["Voice", "voice", " Voice", "Voice ", "Apple"], [6, 1, 1, 1, 1])[0]
        rows.append((name, campaign, rng.choice(["True", "True", "False"])))
        if rng.random() < 0.2:  # the same row again: harmless
            rows.append(rows[-1])
        if rng.random() < 0.15:  # also in another campaign
            rows.append((name, "Apple", rng.choice(["True", "False"])))
    rows += [(name, "Voice", "True") for name in EXCLUDED[:3]]
    rng.shuffle(rows)
    ids = [u.id for u in users]
    days = [today, today - timedelta(days=1), today - timedelta(days=29),
            today - timedelta(days=30), today - timedelta(days=31), today + timedelta(days=1), None]  # fmt: skip
    deadlines = [None, None, today - timedelta(days=3), today - timedelta(days=4),
                 today - timedelta(days=5), today, today + timedelta(days=6)]  # fmt: skip
    leads = []
    for lead_id in range(1, count + 1):
        holder = rng.choice([*ids, None])
        owner = holder if rng.random() < 0.89 else rng.choice([*ids, None])
        day = rng.choice(days) if rng.random() < 0.4 else today - timedelta(days=rng.randint(0, 45))
        leads.append(
            Lead(
                lead_id,
                f"Lead {lead_id}",
                status=rng.choice(STATUSES),
                source_date=day,
                open_user_id=holder,
                user_id=owner,
                closer_id=rng.choice([owner, None]),
                activity_date_deadline=rng.choice(deadlines),
            )
        )
    return Case(users, rows, leads)


def write_inputs(case: Case, directory: Path) -> None:
    with LocalStore.create(directory / "crm.sqlite") as store:
        store.add_teams([Team(1, "Voice")])
        store.add_users(case.users)
        store.add_leads(case.leads)
    write_rows(directory / "campaigns.csv", case.rows)
    write_r_leads(directory / "leads.csv", case.leads, {u.id: u.name for u in case.users})
    (directory / "config.yaml").write_text(CONFIG)


def write_rows(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """The campaign table, as the R pipeline and odlm both read it."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["salesperson_name", "category_campaign", "active"])
        writer.writerows(rows)


def write_r_leads(path: Path, leads: list[Lead], names: dict[int, str]) -> None:
    """The leads as the R pipeline reads them: owners by name, empty cells for nothing."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "open_user_id", "status", "source_date", "activity_date_deadline"])
        for lead in leads:
            writer.writerow([
                lead.id,
                names.get(lead.open_user_id or 0, ""),
                lead.status or "",
                lead.source_date.isoformat() if lead.source_date else "",
                lead.activity_date_deadline.isoformat() if lead.activity_date_deadline else "",
            ])  # fmt: skip


def r_selects(directory: Path, today: date = TODAY) -> set[int]:
    out = directory / "r-selected.txt"
    done = subprocess.run(
        ["Rscript", str(SCRIPT), str(directory / "campaigns.csv"), str(directory / "leads.csv"),
         today.isoformat(), "Voice", str(out)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {int(line) for line in out.read_text().split()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_odlm_selects_exactly_what_r_selects_and_never_hands_a_lead_back(
    tmp_path: Path, seed: int
) -> None:
    case = messy(seed)
    write_inputs(case, tmp_path)
    expected = r_selects(tmp_path)
    loaded = load_config(tmp_path / "config.yaml")
    plan = run_distribution(loaded, dry_run=True, options=RunOptions(today=TODAY, seed=seed)).plan
    found = {a.lead_id for a in plan.assignments} | {
        lead_id for ids in plan.unassigned.values() for lead_id in ids
    }
    assert found == expected
    assert len(expected) > 50
    # The campaign rows R leaves out (case or blanks) are named in a warning each.
    near = sum(
        1
        for _, campaign, _ in case.rows
        if campaign != "Voice" and campaign.strip().casefold() == "voice"
    )
    assert sum("is not 'Voice' (case or blanks differ)" in w for w in plan.warnings) == near
    voice = Counter(row for row in case.rows if row[1] == "Voice")
    repeated = sum(count - 1 for count in voice.values())
    assert sum("the rows agree, so the second is ignored" in w for w in plan.warnings) == repeated

    # Round robin never hands a lead back to whoever holds it in open_user_id.
    holder = {lead.id: lead.open_user_id for lead in case.leads}
    assert all(a.user_id != holder[a.lead_id] for a in plan.assignments)

    # Applied, the CRM ends as the preview said (spec §17.2 defaults).
    real = run_distribution(loaded, dry_run=False, options=RunOptions(today=TODAY, seed=seed))
    assert real.plan.assignments == plan.assignments
    with LocalStore.open(tmp_path / "crm.sqlite") as store:
        after = {x.id: x for x in store.search_leads([("active", "in", [True, False])])}
        counts = Counter(x.open_user_id for x in after.values() if x.active and x.type == "lead")
    for a in plan.assignments:
        lead = after[a.lead_id]
        assert (lead.user_id, lead.open_user_id, lead.closer_id) == (a.user_id,) * 3
        assert lead.status == "New" and lead.team_id == 1
    projection = plan.projection()
    for person in plan.salespeople:
        assert counts[person.user_id] == projection.total(person.user_id)
