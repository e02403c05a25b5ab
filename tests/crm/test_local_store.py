"""The embedded SQLite store: the contract, and what only a file-based store has."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.errors import CrmError
from tests.crm.contract import SEED_LEADS, SEED_TEAMS, SEED_USERS, CrmStoreContract, a_lease


def seeded(path: Path) -> LocalStore:
    store = LocalStore.create(path)
    store.add_teams(SEED_TEAMS)
    store.add_users(SEED_USERS)
    store.add_leads(SEED_LEADS)
    return store


class TestLocalStoreContract(CrmStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[LocalStore]:
        with seeded(tmp_path / "crm.sqlite") as store:
            yield store

    @pytest.fixture
    def assignment_switch(self, store: LocalStore) -> Callable[[bool, bool], None]:
        return store.set_lead_assignment


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    with seeded(path) as store:
        store.write_leads([1], {"status": "Utr"})
    with LocalStore.open(path) as reopened:
        assert reopened.read_leads([1])[0].status == "Utr"
        assert len(list(reopened.search_leads([("active", "in", [True, False])]))) == 8


def test_a_current_store_opens_and_reads_while_another_process_holds_its_write_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    writer = sqlite3.connect(path, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    try:
        # Opening used to write the schema version: "database is locked" after 5 s.
        with LocalStore.open(path) as store:
            assert len(store.read_leads([1, 2])) == 2
    finally:
        writer.rollback()
        writer.close()


def test_open_missing_or_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(CrmError, match=r"CRM store not found: .*nowhere\.sqlite"):
        LocalStore.open(tmp_path / "nowhere.sqlite")
    text = tmp_path / "notes.txt"
    text.write_text("not a database, just words " * 100)
    with pytest.raises(CrmError, match="is not an odlm local CRM store"):
        LocalStore.open(text)


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    with pytest.raises(CrmError, match="refusing to overwrite"):
        LocalStore.create(path)
    with LocalStore.create(path, overwrite=True) as fresh:
        assert list(fresh.search_leads([])) == []


def test_large_id_lists_are_chunked(tmp_path: Path) -> None:
    with seeded(tmp_path / "crm.sqlite") as store:
        ids = [1, *range(10_000, 80_000)]
        assert [lead.id for lead in store.read_leads(ids)] == [1]
        with pytest.raises(CrmError, match="no such lead"):
            store.write_leads(ids, {"status": "Utr"})
        assert store.read_leads([1])[0].status == "New"


# The columns each store version added, by the version that added them.
ADDED = {
    3: (("crm_lead", "skill"), ("crm_lead", "region"), ("crm_lead", "timezone")),
    4: (
        ("crm_team", "assignment_domain"),
        ("crm_team_member", "assignment_max"),
        ("crm_team_member", "assignment_optout"),
        ("crm_team_member", "assignment_domain"),
    ),
    5: (
        ("crm_lead", "date_open"),
        ("crm_team", "assignment_optout"),
        ("crm_team_member", "assignment_domain_preferred"),
    ),
}


def as_version(path: Path, version: int) -> None:
    """Make the store at ``path`` look as an older odlm wrote it: without later columns."""
    import sqlite3

    with sqlite3.connect(path) as db:
        for later, columns in ADDED.items():
            if later > version:
                for table, column in columns:
                    db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.execute(f"UPDATE odlm_store SET value = '{version}' WHERE key = 'schema_version'")
    db.close()


def test_a_version_3_store_gains_the_assignment_settings(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    as_version(path, 3)
    with LocalStore.open(path) as store:
        team = store.find_teams(["Voice"])[0]
        # Odoo's defaults for a membership made before: 30 a month, not paused, no domain.
        members = store.team_members([team.id])
        assert members and all(
            (m.assignment_max, m.assignment_optout, m.assignment_domain) == (30, False, None)
            for m in members
        )
        store.set_assignment(team.id, members[0].user_id, assignment_max=7, assignment_optout=True)
        store.set_team_domain(team.id, "[('type', '=', 'lead')]")
        first = store.team_members([team.id])[0]
        assert (first.assignment_max, first.assignment_optout) == (7, True)
        assert first.team_domain == "[('type', '=', 'lead')]"


def test_a_version_4_store_dates_its_assigned_leads_and_keeps_odoo_assignment(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    as_version(path, 4)
    with LocalStore.open(path) as store:
        leads = {lead.id: lead for lead in store.read_leads(range(1, 9))}
        # Dated when created with a salesperson, as Odoo would have dated them.
        assert {i for i, lead in leads.items() if lead.date_open is not None} == {
            i for i, lead in leads.items() if lead.user_id is not None
        }
        assert leads[1].date_open == leads[1].create_date
        assert not store.lead_assignment().automatic
        store.set_lead_assignment(True, True, 2, "hours")
        found = store.lead_assignment()
        assert (found.automatic, found.interval_number, found.interval_type) == (True, 2, "hours")
        team = store.find_teams(["Voice"])[0]
        store.set_team_skipped(team.id)
        store.set_assignment(team.id, 1, preferred_domain="[('priority', '=', '3')]")
        assert store.team_members([team.id])[0].preferred_domain == "[('priority', '=', '3')]"
        assert [t.skipped for t in store.lead_assignment().teams if t.id == team.id] == [True]


def test_a_version_2_store_gains_the_matching_columns(tmp_path: Path) -> None:
    from odoo_lead_manager.domain.model import Lead

    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    as_version(path, 2)
    with LocalStore.open(path) as store:
        store.add_leads(
            [
                Lead(99, skills=("enterprise_sales", "tech")),
                Lead(98, region="EU", timezone="Europe/Paris"),
            ]
        )
        by_id = {lead.id: lead for lead in store.read_leads([98, 99])}
        assert by_id[99].skills == ("enterprise_sales", "tech")
        assert (by_id[98].region, by_id[98].timezone) == ("EU", "Europe/Paris")
        assert store.count_leads([("region", "=", "EU")], ()) == {(): 1}


def test_a_lease_leaves_the_store_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    with LocalStore.open(path) as store:
        before = path.read_bytes()
        lease = store.take_lease(a_lease("odlm.lock.voice"))
        assert lease.record_id is not None and store.lease_path == tmp_path / "crm.sqlite-leases"
        store.drop_lease(lease)
        # Taken and given back in the companion file: a run refused after taking
        # its lease has changed nothing in the store.
        assert path.read_bytes() == before
    # A store created anew (a replaced demo) starts without the old one's leases.
    with LocalStore.open(path) as store:
        store.take_lease(a_lease("odlm.lock.voice"))
    LocalStore.create(path, overwrite=True).close()
    assert not (tmp_path / "crm.sqlite-leases").exists()


def test_two_processes_opening_one_store_see_one_lease(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    seeded(path).close()
    with LocalStore.open(path) as first, LocalStore.open(path) as second:
        held = first.take_lease(a_lease("odlm.lock.voice", "first"))
        assert second.take_lease(a_lease("odlm.lock.voice", "second")) == held
        first.drop_lease(held)
        assert second.take_lease(a_lease("odlm.lock.voice", "second")).token == "second"


@pytest.mark.parametrize(
    "values",
    [{"user_id": 99}, {"open_user_id": 99}, {"closer_id": 99}, {"team_id": 99}],
)
def test_a_write_naming_a_missing_user_or_team_changes_nothing(
    tmp_path: Path, values: dict[str, int]
) -> None:
    with seeded(tmp_path / "crm.sqlite") as store:
        before = store.read_leads([1, 2])
        field = next(iter(values))
        with pytest.raises(CrmError, match=f"{field}: no .* record 99"):
            store.write_leads([1, 2], {"status": "Utr", **values})
        assert store.read_leads([1, 2]) == before


def test_references_are_still_enforced_after_a_write(tmp_path: Path) -> None:
    """Writes check references once and switch SQLite's per-row check off meanwhile;
    it is on again afterwards, whether the write went through or was refused."""
    from odoo_lead_manager.domain.model import Lead

    with seeded(tmp_path / "crm.sqlite") as store:
        store.write_leads([1], {"user_id": 2})
        with pytest.raises(CrmError):
            store.write_leads([1], {"user_id": 99})
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            store.add_leads([Lead(50, user_id=99)])
        assert store.read_leads([1])[0].user_id == 2


def test_a_reader_sees_the_store_while_a_write_is_open(tmp_path: Path) -> None:
    """The write-ahead log lets a second connection read during a write transaction."""
    path = tmp_path / "crm.sqlite"
    with seeded(path) as store, LocalStore.open(path) as reader:
        store._db.execute("BEGIN IMMEDIATE")
        store._db.execute("UPDATE crm_lead SET status = 'Utr' WHERE id = 1")
        assert reader.read_leads([1])[0].status == "New"
        store._db.commit()
        assert reader.read_leads([1])[0].status == "Utr"


def test_rows_become_leads_field_by_field(tmp_path: Path) -> None:
    """Rows are turned into leads positionally: every field must land in its place."""
    from datetime import date, datetime

    from odoo_lead_manager.domain.model import Lead

    lead = Lead(
        41, "Full", "opportunity", False, "Utr", "Won", date(2024, 5, 1),
        datetime(2024, 4, 1, 8, 0, 1), datetime(2024, 4, 2, 9, 30, 0), 1, 2, 4, 1,
        "Website", "Voice", ("DNC", "VIP"), 10, "a@example.com", "555", 3,
        date(2024, 6, 1), ("tech", "enterprise_sales"), "EU", "Europe/Paris",
        datetime(2024, 4, 3, 10, 15, 0),
    )  # fmt: skip
    with seeded(tmp_path / "crm.sqlite") as store:
        store.add_leads([lead])
        store._db.execute(
            "UPDATE crm_lead SET create_date = ?, write_date = ?, active = 0 WHERE id = 41",
            ("2024-04-01 08:00:01", "2024-04-02 09:30:00"),
        )
        assert store.read_leads([41]) == [lead]
