from odoo_lead_manager.workload import compute_workloads, workload_domain

from .leads import person


def test_workloads_from_grouped_counts() -> None:
    counts = {(1, "New"): 3, (1, "Utr"): 2, (1, None): 1, (2, "Won"): 4, (9, "New"): 7}
    workloads = compute_workloads([person(1, target_leads=12), person(2), person(3)], counts)
    assert workloads[1].total == 6
    assert workloads[1].by_status == {"": 1, "New": 3, "Utr": 2}
    assert workloads[1].utilisation == 50.0
    assert workloads[1].deficit == 6
    assert workloads[2].total == 4 and workloads[2].utilisation is None
    assert workloads[3].total == 0
    assert 9 not in workloads


def test_workload_domain_counts_active_leads_of_the_salespeople() -> None:
    assert workload_domain([3, 1, 3]) == [
        ("type", "=", "lead"),
        ("active", "=", True),
        ("user_id", "in", [1, 3]),
    ]
