"""The demo CRM is deterministic and holds every case the pipeline must handle."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import create_demo
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.errors import CrmError
from odoo_lead_manager.snapshot.source_files import read_campaign_csv

TODAY = date(2024, 6, 14)
ALL = [("active", "in", [True, False])]


def leads_of(crm: Path) -> list[Lead]:
    with LocalStore.open(crm) as store:
        return list(store.search_leads(ALL))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    create_demo(directory, today=TODAY)
    return directory


def test_same_seed_same_data_other_seed_other_data(demo: Path, tmp_path: Path) -> None:
    again = create_demo(tmp_path / "again", today=TODAY)
    other = create_demo(tmp_path / "other", today=TODAY, seed=7)
    first = leads_of(demo / "crm.sqlite")

    assert leads_of(again.crm_path) == first
    assert leads_of(other.crm_path) != first
    assert (tmp_path / "again/salesperson_campaigns.csv").read_text() == (
        demo / "salesperson_campaigns.csv"
    ).read_text()


def test_counts_and_dates(demo: Path) -> None:
    leads = leads_of(demo / "crm.sqlite")
    kinds = Counter(lead.type for lead in leads)
    assert kinds["lead"] > 3000 and 200 < kinds["opportunity"] < 600
    dates = [lead.source_date for lead in leads if lead.source_date]
    assert min(dates) >= TODAY - timedelta(days=200) and max(dates) <= TODAY
    assert any(not lead.active for lead in leads)


def test_messy_statuses_tags_deadlines_and_partners(demo: Path) -> None:
    leads = leads_of(demo / "crm.sqlite")
    statuses = Counter(lead.status for lead in leads)
    for spelling in ("Call Back", "call_back", "Call back", "Full Pitch Follow Up ", "Do Not Call"):
        assert statuses[spelling] > 10, spelling
    assert statuses[None] > 0
    assert all("DNC" in lead.tags for lead in leads if lead.status == "Do Not Call")
    tagged = sum(1 for lead in leads if lead.tags)
    assert 0.1 < tagged / len(leads) < 0.3
    with_deadline = sum(1 for lead in leads if lead.activity_date_deadline)
    assert 0.3 < with_deadline / len(leads) < 0.5
    bought = {lead.partner_id for lead in leads if lead.type == "opportunity"}
    assert 100 <= len(bought) <= 150
    assert sum(1 for x in leads if x.type == "lead" and x.partner_id in bought) > 100
    assert any(lead.email is None for lead in leads) and any(lead.phone is None for lead in leads)


def test_campaign_table_resolves_to_crm_users(demo: Path) -> None:
    rows = read_campaign_csv(demo / "salesperson_campaigns.csv")
    assert {row.campaign_name for row in rows} == {"Voice", "Apple"}
    assert any(not row.active for row in rows if row.campaign_name == "Voice")
    with LocalStore.open(demo / "crm.sqlite") as store:
        for row in rows:
            matches = store.find_users([row.salesperson_name])
            assert len(matches) == 1, row.salesperson_name
        archived = [u for u in store.find_users([r.salesperson_name for r in rows]) if not u.active]
        assert [u.name for u in archived] == ["Frank Miller"]
        assert len(store.find_users(["Pat Adler", "Kevin Levonas"])) == 2


def test_legacy_rule_finds_work(demo: Path) -> None:
    """Enough leads match the R rule over the last 30 days for a meaningful demo."""
    rows = read_campaign_csv(demo / "salesperson_campaigns.csv")
    with LocalStore.open(demo / "crm.sqlite") as store:
        users = {u.name: u for u in store.find_users([r.salesperson_name for r in rows])}
    excluded = {"Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"}
    voice = [r for r in rows if r.campaign_name == "Voice" and r.salesperson_name not in excluded]
    active = {
        users[r.salesperson_name].id for r in voice if r.active and users[r.salesperson_name].active
    }
    start = TODAY - timedelta(days=30)
    candidates = [
        lead
        for lead in leads_of(demo / "crm.sqlite")
        if lead.type == "lead"
        and lead.source_date
        and start <= lead.source_date < TODAY
        and lead.user_id in active
        and lead.status in ("Utr", "Call Back")
    ]
    assert len(candidates) > 100


def test_supporting_files(demo: Path) -> None:
    people = (demo / "salespeople.txt").read_text().splitlines()
    assert people[0].startswith("#") and "Alice Smith|10|senior|400" in people
    sources = (demo / "web_sources.txt").read_text().splitlines()
    assert "Website" in sources


def test_refuses_to_overwrite_without_flag(demo: Path) -> None:
    with pytest.raises(CrmError, match="refusing to overwrite"):
        create_demo(demo, today=TODAY)
