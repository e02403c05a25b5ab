"""The planner over literal snapshots: no store, no file, no clock."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_lead_manager.config import LoadedConfig, load_config
from odoo_lead_manager.finding.finder import Fetched
from odoo_lead_manager.lookups import Recorder, SnapshotGap
from odoo_lead_manager.model import Domain, Lead, Team, TeamMember, User
from odoo_lead_manager.odoo_assignment import LeadAssignment
from odoo_lead_manager.planning import plan_snapshot, prepare
from odoo_lead_manager.selection.sources import read_candidates
from odoo_lead_manager.snapshot import Snapshot

SRC = Path(__file__).resolve().parents[2] / "src" / "odoo_lead_manager"
TODAY = date(2026, 11, 30)
USERS = (
    User(1, "Alice Smith", "alice"),
    User(2, "Bob Johnson", "bob"),
    User(3, "Carol Williams", "carol"),
)
CONFIG = """
version: "1.0"
crm: {backend: local, local_path: crm.sqlite}
campaign: {name: Voice}
salesperson_selection:
  source_type: list
  source_config:
    salespeople_list: [{people}]
lead_finding:
  date_range: {older_than_days: 0, younger_than_days: 30}
distribution:
  strategy: {strategy}
tracking: {enabled: false}
"""


class LiteralCrm:
    """Answers planning's questions from literal users and leads (no store behind it)."""

    def __init__(self, users: Sequence[User], leads: Sequence[Lead]) -> None:
        self.users = list(users)
        self.leads = list(leads)

    def find_users(self, names: Collection[str]) -> list[User]:
        return [u for u in self.users if u.name in names or u.login in names]

    def users_by_id(self, ids: Collection[int]) -> list[User]:
        return [u for u in self.users if u.id in ids]

    def search_users(self, domain: Domain) -> list[User]:
        return []

    def find_teams(self, names: Collection[str]) -> list[Team]:
        return []

    def count_leads(self, domain: Domain, group_by: Sequence[str]) -> dict[tuple[Any, ...], int]:
        terms = [t for t in domain if isinstance(t, tuple)]
        owner, owners = next((f, v) for f, op, v in terms if op == "in" and f != "type")
        since = [v for f, op, v in terms if op == ">="]
        counts: Counter[tuple[Any, ...]] = Counter()
        for lead in self.leads:
            if getattr(lead, owner) not in owners or lead.type != "lead":
                continue
            if since and (lead.source_date is None or lead.source_date.isoformat() < since[0]):
                continue
            values = {owner: getattr(lead, owner), "status": lead.status, "source_id": lead.source}
            counts[tuple(values[g] for g in group_by)] += 1
        return dict(counts)

    def count_model(self, model: str, domain: Domain, group_by: Sequence[str]) -> dict[Any, int]:
        raise AssertionError("not asked")

    def team_members(self, team_ids: Collection[int]) -> list[TeamMember]:
        raise AssertionError("not asked")

    def match_leads(self, domain: Domain, ids: Collection[int]) -> list[int]:
        raise AssertionError("not asked")

    def utm_source_names(self) -> list[str]:
        return []

    def lead_assignment(self) -> LeadAssignment:
        return LeadAssignment(version=None, rule_based=False, scheduled=False)


def configure(
    tmp_path: Path, people: str = '"Alice Smith", "Bob Johnson"', strategy: str = "round_robin"
) -> LoadedConfig:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.replace("{people}", people).replace("{strategy}", strategy))
    return load_config(path)


def literal_snapshot(loaded: LoadedConfig, leads: Sequence[Lead]) -> Snapshot:
    """A snapshot of literal leads, recorded the way the fetch step records one."""
    crm = LiteralCrm(USERS, leads)
    recorder = Recorder(crm)
    candidates = read_candidates(loaded, recorder, "Voice")
    prepared = prepare(loaded, recorder, candidates, TODAY)
    fetched = tuple(lead for lead in leads if prepared.setup.pipeline.window.keep(lead))
    holders = {lead.user_id for lead in fetched if lead.user_id is not None} - {1, 2}
    if holders:
        recorder.users_by_id(holders)
    return Snapshot(
        snapshot_id="literal",
        today=TODAY,
        taken_at=datetime(2026, 11, 30, 6, 0),
        campaign="Voice",
        candidates=candidates,
        answers=recorder.answers(),
        fetched=Fetched(fetched, "[]"),
    )


def lead(lead_id: int, owner: int | None, days_ago: int, status: str = "New") -> Lead:
    return Lead(
        lead_id,
        f"Lead {lead_id}",
        user_id=owner,
        open_user_id=owner,
        status=status,
        source_date=TODAY - timedelta(days=days_ago),
    )


def test_a_plan_from_literal_values_alone(tmp_path: Path) -> None:
    loaded = configure(tmp_path)
    leads = [lead(1, 1, 3), lead(2, 2, 5), lead(3, 3, 10), lead(4, None, 2), lead(5, 1, 45)]
    plan = plan_snapshot(loaded, literal_snapshot(loaded, leads), seed=7).plan
    given = {a.lead_id: a.user_id for a in plan.assignments}
    assert set(given) == {1, 2, 3, 4}  # lead 5 is outside the 30-day window (not fetched)
    assert given[1] != 1 and given[2] != 2  # never back to its holder
    assert set(given.values()) <= {1, 2}
    assert plan.run_id == "literal" and plan.today == TODAY
    assert plan.created_at == datetime(2026, 11, 30, 6, 0)
    assert plan.user_name(3) == "Carol Williams"  # holder's name, from the snapshot


def test_same_snapshot_same_seed_same_plan_and_a_kept_copy_too(tmp_path: Path) -> None:
    loaded = configure(tmp_path)
    snapshot = literal_snapshot(loaded, [lead(i, (i % 3) or None, i % 20) for i in range(1, 40)])
    first = plan_snapshot(loaded, snapshot, seed=11).plan
    again = plan_snapshot(loaded, Snapshot.from_bytes(snapshot.to_bytes()), seed=11).plan
    assert first.to_json() == again.to_json()
    assert first.snapshot_digest == again.snapshot_digest == snapshot.digest()


def test_editing_the_snapshot_changes_the_plan_and_nothing_else(tmp_path: Path) -> None:
    loaded = configure(tmp_path)
    snapshot = literal_snapshot(loaded, [lead(1, 1, 3), lead(2, 1, 4)])
    assert {a.user_id for a in plan_snapshot(loaded, snapshot, 1).plan.assignments} == {2}
    moved = replace(snapshot, fetched=Fetched((lead(1, 2, 3), lead(2, 2, 4)), "[]"))
    assert {a.user_id for a in plan_snapshot(loaded, moved, 1).plan.assignments} == {1}


def test_a_configuration_asking_more_than_the_snapshot_is_a_gap_naming_it(
    tmp_path: Path,
) -> None:
    snapshot = literal_snapshot(configure(tmp_path), [lead(1, 1, 3)])
    other = configure(
        tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path,
        people='"Alice Smith", "Carol Williams"',
    )
    with pytest.raises(SnapshotGap, match="users named Carol Williams") as caught:
        plan_snapshot(other, snapshot, 1)
    assert caught.value.exit_status == 2


def test_a_replay_under_a_rule_reading_what_the_snapshot_left_unread_says_so(
    tmp_path: Path,
) -> None:
    loaded = configure(tmp_path)
    taken = literal_snapshot(loaded, [lead(1, 1, 3), lead(2, 2, 4)])
    # Its run had no activity-deadline rule, so the deadlines were not read (issue 27).
    snapshot = replace(taken, fetched=replace(taken.fetched, unread=("activity_date_deadline",)))
    kept = Snapshot.from_bytes(snapshot.to_bytes())
    assert kept.fetched.unread == ("activity_date_deadline",)
    assert not any("did not read" in w for w in plan_snapshot(loaded, kept, 1).plan.warnings)
    path = tmp_path / "config.yaml"
    path.write_text(
        path.read_text().replace(
            "  date_range:", "  activity_deadline: {exclude_within_days: 4}\n  date_range:"
        )
    )
    replayed = plan_snapshot(load_config(path), kept, 1).plan
    assert (
        "the snapshot did not read activity_date_deadline (no rule of its run looked at it), "
        "so every lead counts as having none"
    ) in replayed.warnings


# Stages receive plain values: only the fetch step and the stores import the CRM.
PURE = (
    "planning.py",
    "selection",
    "finding",
    "workload.py",
    "strategies",
    "snapshot.py",
    "lookups.py",
    "explaining.py",
    "replaying.py",
    "comparing.py",
)


def test_no_stage_imports_the_crm_store_nor_calls_the_clock() -> None:
    files = [
        p
        for name in PURE
        for p in ([SRC / name] if name.endswith(".py") else sorted((SRC / name).rglob("*.py")))
    ]
    assert len(files) > 20
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "odoo_lead_manager.crm"
            ):
                assert path.name in ("planning.py", "finder.py"), f"{path} imports the CRM"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("today", "now")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("date", "datetime")
            ):
                raise AssertionError(f"{path}:{node.lineno} reads the clock")


def test_the_crm_imports_left_are_types_and_the_fetch_entry() -> None:
    """planning.py names CrmStore only for `plan_run`'s signature (fetch, then plan);
    finder.py holds the fetch step's paging (`fetch_leads`), which the planner never calls."""
    planning = (SRC / "planning.py").read_text()
    assert "if TYPE_CHECKING:\n    from odoo_lead_manager.crm.store import CrmStore" in planning
    assert "store." not in planning.split("def plan_snapshot")[1].split("def keeps_rejected")[0]


statuses = st.sampled_from(["New", "Utr", "Call Back", None])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from([None, 1, 2, 3]), st.integers(0, 40), statuses),
        min_size=1,
        max_size=40,
    ),
    seed=st.integers(0, 2**32),
    strategy=st.sampled_from(["round_robin", "proportional", "capacity_based"]),
)
def test_replay_of_a_generated_snapshot_is_the_recorded_plan(
    tmp_path: Path, rows: list[tuple[int | None, int, str | None]], seed: int, strategy: str
) -> None:
    loaded = configure(tmp_path, strategy=strategy)
    leads = [
        replace(lead(i, owner, age), status=status)
        for i, (owner, age, status) in enumerate(rows, start=1)
    ]
    snapshot = literal_snapshot(loaded, leads)
    try:
        recorded = plan_snapshot(loaded, snapshot, seed).plan
    except Exception as exc:  # a configured stop (no leads) must replay the same way
        with pytest.raises(type(exc)):
            plan_snapshot(loaded, Snapshot.from_bytes(snapshot.to_bytes()), seed)
        return
    replayed = plan_snapshot(loaded, Snapshot.from_bytes(snapshot.to_bytes()), seed).plan
    assert replayed.to_json() == recorded.to_json()


def test_stages_receive_their_own_section_not_the_whole_configuration() -> None:
    import inspect

    from odoo_lead_manager import workload
    from odoo_lead_manager.finding import configured
    from odoo_lead_manager.selection import sources
    from odoo_lead_manager.strategies import distribute

    stages = (
        sources.select_candidates,
        configured.build_finding,
        configured.build_dropback,
        workload.count_workloads,
        workload.compute_workloads,
        distribute,
    )
    for stage in stages:
        for parameter in inspect.signature(stage).parameters.values():
            assert "LoadedConfig" not in str(parameter.annotation), (stage, parameter)
