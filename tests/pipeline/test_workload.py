from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.config.schema.selection import WorkloadCounting
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead, User, Workload
from odoo_lead_manager.domain.projection import project
from odoo_lead_manager.pipeline.workload import (
    WorkloadCounts,
    compute_workloads,
    count_workloads,
    lead_move,
    workload_domain,
)
from tests.pipeline.leads import lead, person


def test_workloads_from_grouped_counts() -> None:
    counts = WorkloadCounts(
        by_status={(1, "New"): 3, (1, "Utr"): 2, (1, None): 1, (2, "Won"): 4, (9, "New"): 7},
        by_source={(1, "Web"): 5, (1, None): 1, (2, "Web"): 4},
        recent={(1,): 2},
        this_month={(1,): 1, (2,): 4},
    )
    workloads = compute_workloads([person(1, target_leads=12), person(2), person(3)], counts)
    assert workloads[1].total == 6
    assert workloads[1].by_status == {"": 1, "New": 3, "Utr": 2}
    assert workloads[1].by_source == {"": 1, "Web": 5}
    assert (workloads[1].recent, workloads[1].this_month) == (2, 1)
    assert workloads[1].utilisation == 50.0
    assert workloads[1].deficit == 6
    assert workloads[2].total == 4 and workloads[2].utilisation is None
    assert workloads[3].total == 0 and workloads[3].by_source == {}
    assert 9 not in workloads


def test_workload_domain_counts_active_leads_of_the_salespeople() -> None:
    assert workload_domain([3, 1, 3]) == [
        ("type", "in", ["lead"]),
        ("active", "=", True),
        ("user_id", "in", [1, 3]),
    ]


def test_which_leads_count_is_configurable() -> None:
    counting = WorkloadCounting(
        lead_types=["lead", "opportunity"],
        include_archived=True,
        owner_field="open_user_id",
        statuses=["New", "Utr"],
        exclude_statuses=["Utr"],
    )
    assert workload_domain([2], counting) == [
        ("type", "in", ["lead", "opportunity"]),
        ("active", "in", [True, False]),
        ("open_user_id", "in", [2]),
        ("status", "in", ["New", "Utr"]),
        ("status", "not in", ["Utr"]),
    ]


class CountingStore(LocalStore):
    """A local store that counts the grouped counts asked of it."""

    calls = 0

    def count_leads(self, domain, group_by):  # type: ignore[no-untyped-def]
        type(self).calls += 1
        return super().count_leads(domain, group_by)


def test_workload_is_measured_with_four_grouped_counts(tmp_path: Path) -> None:
    today = date(2024, 6, 20)
    store = CountingStore.create(tmp_path / "crm.sqlite")
    store.add_users([User(i, f"User {i}") for i in range(1, 41)])
    leads = [
        Lead(n, status=["New", "Utr", None][n % 3], user_id=1 + n % 40,
             source=["Web", None][n % 2],
             source_date=None if n % 13 == 0 else today - timedelta(days=n % 60),
             type="opportunity" if n % 10 == 0 else "lead", active=n % 7 != 0)
        for n in range(1, 801)
    ]  # fmt: skip
    store.add_leads(leads)
    people = [person(i) for i in range(1, 41)]
    CountingStore.calls = 0
    workloads = compute_workloads(people, count_workloads(store, people, today))
    assert CountingStore.calls == 4
    for p in people:
        mine = [x for x in leads if x.user_id == p.user_id and x.type == "lead" and x.active]
        w = workloads[p.user_id]
        assert w.total == len(mine)
        assert w.by_status == {
            s: sum(1 for x in mine if (x.status or "") == s) for s in {x.status or "" for x in mine}
        }
        assert w.by_source == {
            s: sum(1 for x in mine if (x.source or "") == s) for s in {x.source or "" for x in mine}
        }
        assert w.recent == sum(
            1 for x in mine if x.source_date and x.source_date >= date(2024, 5, 21)
        )
        assert w.this_month == sum(
            1 for x in mine if x.source_date and x.source_date >= date(2024, 6, 1)
        )
    store.close()


def test_a_lead_handed_out_leaves_its_holders_count_and_joins_the_new_owners() -> None:
    counting = WorkloadCounting(owner_field="open_user_id")
    held = lead(1, status="Utr", user_id=7, open_user_id=8)
    values = {"user_id": 9, "open_user_id": 9, "status": "New"}
    assert lead_move(held, values, counting) == (8, 9, "New")
    # A field the run does not write keeps the lead in its holder's count.
    assert lead_move(held, {"user_id": 9}, counting) == (None, None, "Utr")
    # Statuses the workload does not count: it joins nobody's count, or leaves nobody's.
    not_new = WorkloadCounting(owner_field="open_user_id", exclude_statuses=["New"])
    assert lead_move(held, values, not_new) == (8, None, "New")
    new = lead(2, status="New", open_user_id=8)
    assert lead_move(new, {"open_user_id": 9, "status": "Utr"}, not_new) == (None, 9, "Utr")
    # Archived leads and other types count only where the workload counts them.
    assert lead_move(replace(held, type="opportunity"), values, counting) == (None, None, "New")
    archived = WorkloadCounting(owner_field="open_user_id", include_archived=True)
    assert lead_move(replace(held, active=False), values, archived) == (8, 9, "New")


def test_after_is_current_less_taken_plus_gained() -> None:
    workloads = {1: Workload(1, 3, {"Utr": 2, "New": 1}), 2: Workload(2, 1, {"Utr": 1})}
    moves = [
        (1, "Utr", 2, "New"),
        (1, "Utr", 3, "New"),
        (9, "Utr", 1, "New"),
        (None, None, 2, "New"),
    ]
    projection = project(workloads, moves)
    assert projection.by_status == {1: {"New": 2}, 2: {"New": 2, "Utr": 1}}
    assert projection.taken == {1: 2, 9: 1} and projection.gained == {2: 2, 3: 1, 1: 1}
    for uid, workload in workloads.items():
        expected = workload.total - projection.taken.get(uid, 0) + projection.gained.get(uid, 0)
        assert projection.total(uid) == expected


def test_unresolved_holder_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not resolved"):
        workload_domain([1], WorkloadCounting())
