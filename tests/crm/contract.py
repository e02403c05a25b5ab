"""The `CrmStore` contract, as tests any store must pass.

A store's test module subclasses `CrmStoreContract` and provides the
``store`` fixture: a store holding exactly `SEED_USERS`, `SEED_TEAMS` and
`SEED_LEADS` (with the ids mapped as the store needs; the contract only
compares through the store's own answers). The local store passes it in
``test_local_store.py``; the Odoo store will pass the same class.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from odoo_lead_manager.apply.undo import undo_run
from odoo_lead_manager.apply.writer import ApplySettings, apply_plan
from odoo_lead_manager.crm.store import CrmStore, Lease
from odoo_lead_manager.domain.model import WRITABLE_FIELDS, Capacity, Lead, Team, User, write_stamp
from odoo_lead_manager.errors import CrmError
from odoo_lead_manager.pipeline.finding.dates import DateWindow, date_range_filter
from odoo_lead_manager.pipeline.finding.filters import (
    LeadFilter,
    activity_deadline_filter,
    excluded_owners_filter,
    owner_status_filter,
    status_filter,
)
from odoo_lead_manager.pipeline.finding.matching import TextMatcher
from odoo_lead_manager.pipeline.finding.rules import (
    archived_owner_filter,
    assigned_filter,
    campaign_filter,
    dnc_status_filter,
    dnc_tag_filter,
    exclude_tags_filter,
    include_tags_filter,
    priority_filter,
    required_fields_filter,
    web_source_filter,
)
from odoo_lead_manager.pipeline.selection.odoo_team import capacities
from odoo_lead_manager.state.journal import Journal
from tests.apply.faults import Fault, FaultyStore, Killed
from tests.apply.plans import hand_plan

SEED_TEAMS = (Team(1, "Voice"), Team(2, "Apple"), Team(3, "Old Team", active=False))
SEED_USERS = (
    User(1, "Alice Smith", "alice", team_id=1),
    User(2, "Bob Johnson", "bob", team_id=1),
    User(3, "Carol Gone", "carol", active=False, team_id=2),
    User(4, "Twin Name", "twin.a"),
    User(5, "Twin Name", "twin.b"),
    User(6, "Pat Portal", "pat.portal", may_own_leads=False),
)
SEED_LEADS = (
    Lead(1, "L1", status="New", source_date=date(2024, 5, 1), user_id=1, team_id=1,
         source="Website", campaign="Voice", tags=("VIP",), partner_id=10,
         email="a@example.com", phone="1", priority=1,
         activity_date_deadline=date(2024, 5, 20)),
    Lead(2, "L2", status="Utr", source_date=date(2024, 5, 2), user_id=1, team_id=1,
         source="Facebook Ads", campaign="Apple", tags=("DNC", "Web"), priority=0),
    Lead(3, "L3", status="Call Back", source_date=date(2024, 5, 3), user_id=2,
         source="Website", priority=3),
    Lead(4, "L4", status=None, source_date=date(2024, 5, 4), user_id=None),
    Lead(5, "L5", status="Full Pitch Follow Up ", source_date=date(2024, 5, 5), user_id=3,
         campaign="Voice", partner_id=10, priority=2),
    Lead(6, "O6", type="opportunity", status="Won", stage="Won", source_date=date(2024, 4, 1),
         user_id=2, partner_id=10),
    Lead(7, "L7 archived", active=False, status="New", source_date=date(2024, 5, 6), user_id=1),
    Lead(8, "L8", status="call_back", source_date=None, user_id=2, tags=("Web",)),
)  # fmt: skip

ALL = [("active", "in", [True, False])]


def a_lease(key: str, token: str = "mine", host: str = "host-a") -> Lease:
    """A lease as `tracking.locks` takes one (the store keeps it, it does not judge it)."""
    return Lease(key, host, os.getpid(), "machine-a", token, datetime(2024, 6, 14, 11, 30))


def lease_key() -> str:
    """A key of its own per test, so that a real Odoo's parameters never collide."""
    return f"odlm.lock.contract-{uuid.uuid4().hex[:12]}"


def _exact(*values: str) -> TextMatcher:
    return TextMatcher(values, case_sensitive=True)


# Every rule that sends a domain to the server; its domain must select exactly
# the leads its predicate keeps, on every store.
EXACT_RULES: tuple[LeadFilter, ...] = (
    date_range_filter(DateWindow.from_dates(date(2024, 5, 2), date(2024, 5, 4))),
    status_filter(_exact("Utr", "Full Pitch Follow Up ")),
    owner_status_filter([1], _exact("Utr"), [3], _exact("Full Pitch Follow Up ")),
    excluded_owners_filter([1]),
    activity_deadline_filter(date(2024, 5, 22), 4, exclude_missing=False),
    activity_deadline_filter(date(2024, 5, 30), 5, exclude_missing=True),
    web_source_filter(_exact("Website")),
    campaign_filter([_exact("Voice"), _exact("Apple")]),
    dnc_status_filter(_exact("Utr", "New")),
    dnc_tag_filter(_exact("DNC")),
    exclude_tags_filter(_exact("VIP", "DNC")),
    include_tags_filter(_exact("Web")),
    required_fields_filter(["partner_id", "campaign_id"]),
    priority_filter(2, 3),
    assigned_filter("user_id"),
    archived_owner_filter([3], "user_id"),
)


class CrmStoreContract:
    """Behaviour every `CrmStore` implementation shares.

    Subclasses named ``Test...`` provide the ``store`` fixture.
    """

    @staticmethod
    def ids(store: CrmStore, domain: list[Any], page_size: int = 5000) -> list[int]:
        return [lead.id for lead in store.search_leads(domain, page_size=page_size)]

    # users and teams

    def test_find_users_by_name_and_login_including_archived(self, store: CrmStore) -> None:
        found = store.find_users(["Alice Smith", "bob", "Carol Gone", "Nobody"])
        assert [(u.id, u.name, u.active) for u in found] == [
            (1, "Alice Smith", True),
            (2, "Bob Johnson", True),
            (3, "Carol Gone", False),
        ]
        assert [u.login for u in store.find_users(["Twin Name"])] == ["twin.a", "twin.b"]
        assert store.find_users([]) == []

    def test_users_by_id(self, store: CrmStore) -> None:
        assert [u.name for u in store.users_by_id([3, 1, 99])] == ["Alice Smith", "Carol Gone"]
        assert store.users_by_id([1])[0].team_id == 1

    def test_find_teams(self, store: CrmStore) -> None:
        teams = store.find_teams(["Voice", "Old Team", "Missing"])
        assert [(t.name, t.active) for t in teams] == [("Voice", True), ("Old Team", False)]

    def test_team_members_are_its_active_users(self, store: CrmStore) -> None:
        members = {t.name: t.member_ids for t in store.find_teams(["Voice", "Apple", "Old Team"])}
        # Carol, archived, stays a member of Apple in the CRM but is not listed.
        assert members == {"Voice": (1, 2), "Apple": (), "Old Team": ()}

    def test_who_may_own_leads(self, store: CrmStore) -> None:
        users = store.users_by_id([1, 3, 6])
        assert [(u.id, u.may_own_leads) for u in users] == [(1, True), (3, True), (6, False)]
        assert store.find_users(["pat.portal"])[0].may_own_leads is False

    @pytest.mark.parametrize(
        ("domain", "expected"),
        [
            ([("team_id", "=", 1)], [1, 2]),
            ([("team", "=", "Voice")], [1, 2]),
            ([("team", "!=", "Voice")], [4, 5, 6]),
            ([("team_id", "=", False)], [4, 5, 6]),
            ([("login", "=like", "twin.%")], [4, 5]),
            ([("name", "in", ["Alice Smith", "Carol Gone"])], [1]),
            ([("active", "=", False)], [3]),
            ([("active", "in", [True, False]), ("team", "=", "Apple")], [3]),
            (["|", ("id", "=", 1), ("login", "=", "bob")], [1, 2]),
            ([("share", "=", True)], [6]),
        ],
    )
    def test_search_users(self, store: CrmStore, domain: list[Any], expected: list[int]) -> None:
        assert [u.id for u in store.search_users(domain)] == expected

    @pytest.mark.parametrize(
        "domain", [[("password", "=", "x")], [("name", "~", "x")], ["|", ("id", "=", 1)]]
    )
    def test_bad_user_domains_are_errors(self, store: CrmStore, domain: list[Any]) -> None:
        with pytest.raises(CrmError):
            store.search_users(domain)

    # searching

    def test_leads_are_returned_whole(self, store: CrmStore) -> None:
        first = next(iter(store.search_leads([("id", "=", 1)])))
        # Dates and the stage of a lead are the server's to set (Odoo puts
        # every new record in its first stage).
        expected = replace(
            SEED_LEADS[0],
            create_date=first.create_date,
            write_date=first.write_date,
            stage=first.stage,
            date_open=first.date_open,
        )
        assert first == expected
        assert first.create_date is not None and first.write_date is not None
        assert store.read_leads([6])[0].stage == "Won"
        second = store.read_leads([2])[0]
        assert second.tags == ("DNC", "Web")
        assert second.source == "Facebook Ads" and second.campaign == "Apple"

    def test_archived_leads_only_when_active_is_named(self, store: CrmStore) -> None:
        assert 7 not in self.ids(store, [])
        assert self.ids(store, [("active", "=", False)]) == [7]
        assert self.ids(store, ALL) == [1, 2, 3, 4, 5, 6, 7, 8]

    @pytest.mark.parametrize(
        ("domain", "expected"),
        [
            ([("status", "=", "New")], [1]),
            ([("status", "!=", "New")], [2, 3, 4, 5, 6, 8]),  # NULL status included, as in Odoo
            ([("status", "=", False)], [4]),
            ([("status", "!=", False)], [1, 2, 3, 5, 6, 8]),
            ([("status", "in", ["Utr", "Call Back"])], [2, 3]),
            ([("status", "in", ["Utr", False])], [2, 4]),
            ([("status", "not in", ["Utr", "Call Back"])], [1, 4, 5, 6, 8]),
            ([("status", "not in", ["Utr", False])], [1, 3, 5, 6, 8]),
            ([("status", "in", [])], []),
            ([("status", "=like", "Call%")], [3]),
            ([("status", "like", "all")], [3, 8]),
            ([("status", "like", "ALL")], []),
            ([("status", "ilike", "call")], [3, 8]),
            ([("status", "=ilike", "call_back")], [3, 8]),  # `_` is a wildcard, as in SQL
            ([("status", "=ilike", "call back")], [3]),
            ([("status", "=", "Full Pitch Follow Up ")], [5]),
            ([("status", "=", "Full Pitch Follow Up")], []),
            ([("user_id", "=", 1)], [1, 2]),
            ([("user_id", "=", False)], [4]),
            ([("user_id", "in", [2, 3])], [3, 5, 6, 8]),
            ([("user_id", "not in", [1])], [3, 4, 5, 6, 8]),
            ([("source_date", ">=", date(2024, 5, 3))], [3, 4, 5]),
            ([("source_date", "<", "2024-05-02")], [1, 6]),
            ([("source_date", "=", False)], [8]),
            ([("priority", ">=", 2)], [3, 5]),
            ([("priority", "=", "3")], [3]),
            ([("type", "=", "opportunity")], [6]),
            ([("source_id", "=", "Website")], [1, 3]),
            ([("source_id", "in", ["Website", "Facebook Ads"])], [1, 2, 3]),
            ([("source_id", "=", False)], [4, 5, 6, 8]),
            ([("campaign_id", "=", "Voice")], [1, 5]),
            ([("stage_id", "=", "Won")], [6]),
            ([("tag_ids", "in", ["Web"])], [2, 8]),
            ([("tag_ids", "not in", ["DNC", "VIP"])], [3, 4, 5, 6, 8]),
            ([("partner_id", "=", 10), ("type", "=", "lead")], [1, 5]),
            ([("email_from", "!=", False)], [1]),
            ([("activity_date_deadline", "<", date(2024, 6, 1))], [1]),
            (["|", ("user_id", "=", 1), ("user_id", "=", 3)], [1, 2, 5]),
            (["!", ("user_id", "=", 1)], [3, 4, 5, 6, 8]),
            (["&", ("user_id", "=", 1), ("status", "=", "Utr")], [2]),
            (
                ["|", "&", ("user_id", "=", 1), ("status", "=", "New"), ("status", "=", "Utr")],
                [1, 2],
            ),
            ([("write_date", "<", datetime(2100, 1, 1))], [1, 2, 3, 4, 5, 6, 8]),
        ],
    )
    def test_domain_semantics(
        self, store: CrmStore, domain: list[Any], expected: list[int]
    ) -> None:
        assert self.ids(store, domain) == expected

    def test_lead_ids_are_the_ids_a_search_gives_in_order(self, store: CrmStore) -> None:
        for domain in (ALL, [("type", "=", "lead")], [*ALL, ("user_id", "=", False)]):
            assert store.lead_ids(domain) == self.ids(store, domain)
        assert store.lead_ids([("id", "in", [])]) == []

    @pytest.mark.parametrize("rule", EXACT_RULES, ids=lambda r: r.name)
    def test_rule_domains_select_what_their_predicates_keep(
        self, store: CrmStore, rule: LeadFilter
    ) -> None:
        assert rule.domain is not None
        leads = list(store.search_leads(ALL))
        kept = [lead.id for lead in leads if rule.keep(lead)]
        assert 0 < len(kept) < len(leads)  # the rule decides something here
        assert self.ids(store, [*ALL, *rule.domain]) == kept
        # The finder records a rule's removals as the ids before it less the ids after.
        removed = [lead.id for lead in leads if not rule.keep(lead)]
        before = store.lead_ids(ALL)
        assert before == [lead.id for lead in leads]
        after = store.lead_ids([*ALL, *rule.domain])
        assert sorted(set(before) - set(after)) == sorted(removed)
        assert store.count_leads(ALL, [])[()] == len(before)

    def test_a_skippable_field_left_unread_holds_the_default_and_nothing_else_changes(
        self, store: CrmStore
    ) -> None:
        full = list(store.search_leads(ALL))
        assert any(lead.activity_date_deadline is not None for lead in full)
        narrow = list(store.search_leads(ALL, page_size=2, unread=["activity_date_deadline"]))
        assert narrow == [replace(lead, activity_date_deadline=None) for lead in full]
        # Filtering on the field still works: only reading it is skipped.
        deadline = [("activity_date_deadline", "<", date(2024, 6, 1))]
        unread = store.search_leads([*ALL, *deadline], unread=["activity_date_deadline"])
        assert [lead.id for lead in unread] == self.ids(store, [*ALL, *deadline])
        with pytest.raises(ValueError, match="cannot leave 'status' unread"):
            list(store.search_leads(ALL, unread=["status"]))

    def test_utm_source_names(self, store: CrmStore) -> None:
        names = store.utm_source_names()
        assert {"Website", "Facebook Ads"} <= set(names)
        assert names == sorted(names)

    def test_other_models_that_do_not_exist_are_crm_errors(self, store: CrmStore) -> None:
        with pytest.raises(CrmError):
            store.count_model("x_no_such.model", [], ["partner_id"])

    def test_paging_returns_everything_in_id_order(self, store: CrmStore) -> None:
        assert self.ids(store, ALL, page_size=2) == [1, 2, 3, 4, 5, 6, 7, 8]
        assert self.ids(store, ALL, page_size=3) == self.ids(store, ALL, page_size=8)

    @pytest.mark.parametrize(
        "domain",
        [
            [("no_such_field", "=", 1)],
            [("status", "~", "x")],
            ["|", ("status", "=", "New")],
            [("status", "<", False)],
        ],
    )
    def test_bad_domains_are_errors(self, store: CrmStore, domain: list[Any]) -> None:
        with pytest.raises(CrmError):
            self.ids(store, domain)

    def test_values_are_data_not_sql(self, store: CrmStore) -> None:
        assert self.ids(store, [("status", "=", "New' OR '1'='1")]) == []
        assert self.ids(store, [("status", "in", ["x); DROP TABLE crm_lead; --"])]) == []
        assert len(self.ids(store, ALL)) == 8

    def test_read_leads(self, store: CrmStore) -> None:
        assert [lead.id for lead in store.read_leads([7, 3, 99])] == [3, 7]

    def test_read_values_are_what_read_leads_gives(self, store: CrmStore) -> None:
        fields = sorted(WRITABLE_FIELDS)
        leads = store.read_leads([1, 2, 3, 4, 5, 6, 7, 8])
        expected = {
            lead.id: {
                **{name: getattr(lead, name) for name in fields},
                "write_date": write_stamp(lead.write_date),
            }
            for lead in leads
        }
        assert store.read_values([8, 7, 6, 5, 4, 3, 2, 1, 99], fields) == expected
        assert store.read_values([3], ["status"]) == {
            3: {"status": "Call Back", "write_date": expected[3]["write_date"]}
        }
        assert store.read_values([], fields) == {}

    def test_read_values_follow_a_write(self, store: CrmStore) -> None:
        store.write_leads([1, 7], {"user_id": 2, "status": "Utr", "closer_id": None})
        leads = {lead.id: lead for lead in store.read_leads([1, 7])}
        found = store.read_values([1, 7], ["user_id", "status", "closer_id"])
        assert found == {
            i: {
                "user_id": 2,
                "status": "Utr",
                "closer_id": None,
                "write_date": write_stamp(leads[i].write_date),
            }
            for i in (1, 7)
        }
        assert all(state["write_date"] is not None for state in found.values())

    @pytest.mark.parametrize("fields", [["name"], ["tag_ids"], ["status", "no_such_field"]])
    def test_read_values_only_reads_writable_fields(
        self, store: CrmStore, fields: list[str]
    ) -> None:
        with pytest.raises(CrmError, match="cannot read lead field"):
            store.read_values([1], fields)

    # counting

    def test_count_by_owner_and_status(self, store: CrmStore) -> None:
        counts = store.count_leads([("type", "=", "lead")], ["user_id", "status"])
        assert counts == {
            (1, "New"): 1,
            (1, "Utr"): 1,
            (2, "Call Back"): 1,
            (None, None): 1,
            (3, "Full Pitch Follow Up "): 1,
            (2, "call_back"): 1,
        }

    def test_count_by_named_many2one_and_in_total(self, store: CrmStore) -> None:
        assert store.count_leads([], ["source_id"]) == {
            ("Website",): 2,
            ("Facebook Ads",): 1,
            (None,): 4,
        }
        assert store.count_leads(ALL, []) == {(): 8}

    # writing

    def test_the_assignment_date_follows_the_salesperson_as_odoo_dates_it(
        self, store: CrmStore
    ) -> None:
        # Created with a salesperson: dated; without: not.
        dated = store.read_leads([1])[0].date_open
        assert dated is not None
        assert store.read_leads([4])[0].date_open is None
        store.write_leads([4], {"status": "Utr"})
        assert store.read_leads([4])[0].date_open is None
        # The same salesperson again: the date stays.
        store.write_leads([1], {"user_id": 1})
        assert store.read_leads([1])[0].date_open == dated
        # Another salesperson for any lead of a write: every lead of it is dated now.
        store.write_leads([1, 4], {"user_id": 1})
        again = [x.date_open for x in store.read_leads([1, 4])]
        assert again[0] is not None and again[0] >= dated and again[0] == again[1]
        # No salesperson: no date.
        store.write_leads([4], {"user_id": None})
        assert store.read_leads([4])[0].date_open is None

    def test_the_30_day_capacity_counts_what_odoo_counts(self, store: CrmStore) -> None:
        members = store.team_members([1])
        assert {(m.user_id, m.assignment_max, m.preferred_domain) for m in members} == {
            (1, 30, None),
            (2, 30, None),
        }
        since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30)
        # Alice's leads of Voice were dated when created with her (leads 1 and 2; lead 7 has
        # no team); Bob's have no team.
        assert capacities(store, members, {1, 2}, since) == {
            1: Capacity(30, 2, since),
            2: Capacity(30, 0, since),
        }
        later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
        assert capacities(store, members, {1}, later) == {1: Capacity(30, 0, later)}

    def test_odoo_assignment_is_read_as_set(
        self, store: CrmStore, assignment_switch: Callable[[bool, bool], None]
    ) -> None:
        for rule_based, scheduled in [(False, False), (True, False), (True, True), (False, True)]:
            assignment_switch(rule_based, scheduled)
            found = store.lead_assignment()
            assert (found.rule_based, found.scheduled, found.automatic) == (
                rule_based,
                scheduled,
                scheduled,
            )
        teams = {t.name: t for t in found.teams}
        assert "Old Team" not in teams
        # Odoo's default capacity, 30, for each membership: Alice and Bob in Voice, and
        # Carol in Apple (archived, but Odoo counts and assigns to her all the same).
        assert (teams["Voice"].capacity, teams["Apple"].capacity) == (60, 30), teams
        assert not teams["Voice"].skipped

    def test_write_sets_values_and_write_date(self, store: CrmStore) -> None:
        before = store.read_leads([1, 2, 3])
        store.write_leads([1, 3], {"user_id": 2, "open_user_id": 2, "status": "New", "team_id": 2})
        after = {lead.id: lead for lead in store.read_leads([1, 2, 3])}
        for lead_id in (1, 3):
            lead = after[lead_id]
            assert (lead.user_id, lead.open_user_id, lead.status, lead.team_id) == (2, 2, "New", 2)
            old = before[lead_id - 1].write_date
            assert lead.write_date is not None and (old is None or lead.write_date >= old)
        assert after[2] == before[1]

    def test_write_none_clears(self, store: CrmStore) -> None:
        store.write_leads([1], {"closer_id": 1})
        store.write_leads([1], {"closer_id": None, "status": None})
        lead = store.read_leads([1])[0]
        assert (lead.closer_id, lead.status) == (None, None)

    def test_write_reaches_archived_leads(self, store: CrmStore) -> None:
        store.write_leads([7], {"status": "Utr"})
        assert store.read_leads([7])[0].status == "Utr"

    @pytest.mark.parametrize(
        ("ids", "values"),
        [
            ([1, 2], {"no_such_field": 1}),
            ([1, 2], {"name": "renamed"}),
            ([1, 999], {"status": "Utr"}),
            ([1, 2], {"user_id": "Alice Smith"}),
            ([1, 2], {"user_id": True}),
        ],
    )
    def test_bad_writes_change_nothing(
        self, store: CrmStore, ids: list[int], values: dict[str, Any]
    ) -> None:
        before = store.search_leads(ALL)
        snapshot = list(before)
        with pytest.raises(CrmError):
            store.write_leads(ids, values)
        assert list(store.search_leads(ALL)) == snapshot

    # applying a plan safely, and taking it back (issue 7)

    @staticmethod
    def journal(tmp_path: Path) -> Journal:
        return Journal(create_engine(f"sqlite:///{tmp_path / 'journal.sqlite'}"))

    def test_apply_and_undo_round_trip(self, store: CrmStore, tmp_path: Path) -> None:
        fields = ("user_id", "open_user_id", "closer_id", "status", "team_id")
        before = {lead.id: lead for lead in store.read_leads([1, 2, 3, 8])}
        plan = hand_plan(
            store,
            [
                ([1, 3], {"user_id": 2, "open_user_id": 2, "status": "New", "team_id": 2}),
                ([2, 8], {"user_id": 1, "status": "Utr"}),  # lead 2 holds these already
            ],
        )
        journal = self.journal(tmp_path)
        applied = apply_plan(plan, store, journal, ApplySettings(batch_size=1))
        assert (applied.written, applied.already, applied.skipped, applied.failed) == (3, 1, {}, {})
        after = {lead.id: lead for lead in store.read_leads([1, 3, 8])}
        assert [(after[i].user_id, after[i].status) for i in (1, 3, 8)] == [
            (2, "New"), (2, "New"), (1, "Utr"),
        ]  # fmt: skip
        store.write_leads([3], {"status": "Call Back"})  # a salesperson works lead 3

        undone = undo_run(plan.run_id, store, journal, ApplySettings(batch_size=10))
        assert undone.restored == 2 and list(undone.left_alone) == [3]
        assert "status is now 'Call Back'" in undone.left_alone[3]
        restored = {lead.id: lead for lead in store.read_leads([1, 2, 3, 8])}
        for lead_id in (1, 2, 8):
            assert [getattr(restored[lead_id], f) for f in fields] == [
                getattr(before[lead_id], f) for f in fields
            ]
        assert (restored[3].user_id, restored[3].status) == (2, "Call Back")
        assert journal.run(plan.run_id).status == "undone"  # type: ignore[union-attr]

    def test_a_lead_changed_since_planning_is_left_alone(
        self, store: CrmStore, tmp_path: Path
    ) -> None:
        plan = hand_plan(store, [([1, 3], {"user_id": 2, "status": "New"})])
        store.write_leads([3], {"user_id": 1})  # reassigned by hand after planning
        result = apply_plan(plan, store, self.journal(tmp_path), ApplySettings())
        assert result.written == 1
        # Users as the plan knows them: by name and id, else by id.
        assert result.skipped == {
            3: f"left alone: user_id is now {plan.user_label(1)}, not {plan.user_label(2)} as planned"
        }
        assert store.read_leads([3])[0].user_id == 1

    # leases

    def test_a_lease_is_kept_once_per_key(self, store: CrmStore) -> None:
        key, other = lease_key(), lease_key()
        mine = store.take_lease(a_lease(key))
        try:
            assert mine.record_id is not None
            assert mine == replace(a_lease(key), record_id=mine.record_id)
            # Someone else asking for the key gets the holder back, as it was kept.
            assert store.take_lease(a_lease(key, "theirs", "host-b")) == mine
            theirs = store.take_lease(a_lease(other, "theirs"))
            assert theirs.token == "theirs" and theirs.record_id != mine.record_id
            store.drop_lease(theirs)
        finally:
            store.drop_lease(mine)

    def test_a_dropped_lease_frees_its_key_and_only_its_own(self, store: CrmStore) -> None:
        key = lease_key()
        first = store.take_lease(a_lease(key, "first"))
        store.drop_lease(first)
        second = store.take_lease(a_lease(key, "second"))
        try:
            assert second.token == "second" and second.record_id != first.record_id
            # Dropping the first again (a holder whose lease was taken over) is no
            # error and leaves the second in place.
            store.drop_lease(first)
            assert store.take_lease(a_lease(key, "third")) == second
        finally:
            store.drop_lease(second)

    def test_a_run_killed_after_a_write_resumes_without_writing_twice(
        self, store: CrmStore, tmp_path: Path
    ) -> None:
        plan = hand_plan(store, [([1, 3], {"user_id": 2, "status": "New"}), ([8], {"user_id": 1})])
        journal = self.journal(tmp_path)
        dying = FaultyStore(store, [Fault("write_leads", 1, "after", Killed())])
        with pytest.raises(Killed):
            apply_plan(plan, dying, journal, ApplySettings(batch_size=10))
        assert journal.run(plan.run_id).status == "applying"  # type: ignore[union-attr]
        again = FaultyStore(store)
        result = apply_plan(plan, again, journal, ApplySettings(batch_size=10))
        assert result.resumed and result.written == 3
        assert sorted(dying.written + again.written) == [1, 3, 8]  # each lead written once
        leads = store.read_leads([1, 3, 8])
        assert [(lead.user_id, lead.status) for lead in leads] == [
            (2, "New"), (2, "New"), (1, "call_back"),
        ]  # fmt: skip
