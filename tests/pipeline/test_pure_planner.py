"""The planner over literal snapshots: no store, no file, no clock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_lead_manager.commands.resolve import plan_settings, read_settings
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.config.schema.distribution import Distribution
from odoo_lead_manager.config.schema.finding import LeadFinding
from odoo_lead_manager.config.schema.selection import SalespersonSelection
from odoo_lead_manager.domain.fetched import Fetched
from odoo_lead_manager.domain.lookups import Recorder, SnapshotGap
from odoo_lead_manager.domain.model import Domain, Lead, Team, TeamMember, User
from odoo_lead_manager.domain.odoo_assignment import LeadAssignment
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.pipeline.preparing import prepare
from odoo_lead_manager.pipeline.selection.candidates import crm_candidates
from odoo_lead_manager.pipeline.settings import Owners, PlanSettings, Policy
from odoo_lead_manager.snapshot.selection import read_candidates

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
    candidates = read_candidates(
        loaded.config.salesperson_selection, read_settings(loaded), recorder, "Voice"
    )
    prepared = prepare(plan_settings(loaded), recorder, candidates, TODAY)
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
    plan = plan_snapshot(plan_settings(loaded), literal_snapshot(loaded, leads), seed=7).plan
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
    first = plan_snapshot(plan_settings(loaded), snapshot, seed=11).plan
    again = plan_snapshot(
        plan_settings(loaded), Snapshot.from_bytes(snapshot.to_bytes()), seed=11
    ).plan
    assert first.to_json() == again.to_json()
    assert first.snapshot_digest == again.snapshot_digest == snapshot.digest()


def test_editing_the_snapshot_changes_the_plan_and_nothing_else(tmp_path: Path) -> None:
    loaded = configure(tmp_path)
    snapshot = literal_snapshot(loaded, [lead(1, 1, 3), lead(2, 1, 4)])
    assert {
        a.user_id for a in plan_snapshot(plan_settings(loaded), snapshot, 1).plan.assignments
    } == {2}
    moved = replace(snapshot, fetched=Fetched((lead(1, 2, 3), lead(2, 2, 4)), "[]"))
    assert {a.user_id for a in plan_snapshot(plan_settings(loaded), moved, 1).plan.assignments} == {
        1
    }


def test_a_configuration_asking_more_than_the_snapshot_is_a_gap_naming_it(
    tmp_path: Path,
) -> None:
    snapshot = literal_snapshot(configure(tmp_path), [lead(1, 1, 3)])
    other = configure(
        tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path,
        people='"Alice Smith", "Carol Williams"',
    )
    with pytest.raises(SnapshotGap, match="users named Carol Williams") as caught:
        plan_snapshot(plan_settings(other), snapshot, 1)
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
    assert not any(
        "did not read" in w for w in plan_snapshot(plan_settings(loaded), kept, 1).plan.warnings
    )
    path = tmp_path / "config.yaml"
    path.write_text(
        path.read_text().replace(
            "  date_range:", "  activity_deadline: {exclude_within_days: 4}\n  date_range:"
        )
    )
    replayed = plan_snapshot(plan_settings(load_config(path)), kept, 1).plan
    assert (
        "the snapshot did not read activity_date_deadline (no rule of its run looked at it), "
        "so every lead counts as having none"
    ) in replayed.warnings


def literal_settings(strategy: str = "round_robin") -> PlanSettings:
    """The planner's settings written out, no configuration file: each stage's section
    built from its own schema class, the owners and the policy spelled out."""
    selection = SalespersonSelection.model_validate(
        {
            "source_type": "list",
            "source_config": {"salespeople_list": ["Alice Smith", "Bob Johnson"]},
        }
    )
    finding = LeadFinding.model_validate(
        {"date_range": {"older_than_days": 0, "younger_than_days": 30}}
    )
    counting = selection.workload.model_copy(update={"owner_field": "open_user_id"})
    return PlanSettings(
        where="literal settings",
        name="literal",
        digest="0" * 64,
        campaign="Voice",
        owners=Owners(
            holder="open_user_id", written=("user_id", "open_user_id"), counting=counting
        ),
        selection=selection,
        finding=finding,
        distribution=Distribution.model_validate({"strategy": strategy}),
        policy=Policy(),
    )


def test_a_plan_from_literal_settings_and_a_literal_snapshot_alone() -> None:
    """No YAML, no file, no store: the planner takes its settings as values."""
    settings = literal_settings()
    leads = [lead(i, 3, 2) for i in range(1, 7)]
    crm = LiteralCrm(USERS, leads)
    recorder = Recorder(crm)
    candidates = crm_candidates(settings.selection, settings.where, recorder, "Voice")
    prepared = prepare(settings, recorder, candidates, TODAY)
    recorder.users_by_id({3})
    snapshot = Snapshot(
        snapshot_id="literal",
        today=TODAY,
        taken_at=datetime(2026, 11, 30, 6, 0),
        campaign="Voice",
        candidates=candidates,
        answers=recorder.answers(),
        fetched=Fetched(tuple(x for x in leads if prepared.setup.pipeline.window.keep(x)), "[]"),
    )
    plan = plan_snapshot(settings, snapshot, seed=5).plan
    assert Counter(a.user_id for a in plan.assignments) == {1: 3, 2: 3}
    assert plan.configuration == "literal" and plan.config_digest == "0" * 64
    assert plan.writes[0].values.keys() >= {"user_id", "open_user_id"}
    # The same settings resolved from a file plan the same leads alike.
    assert plan.fates() == plan_snapshot(settings, snapshot, seed=5).plan.fates()


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
        recorded = plan_snapshot(plan_settings(loaded), snapshot, seed).plan
    except Exception as exc:  # a configured stop (no leads) must replay the same way
        with pytest.raises(type(exc)):
            plan_snapshot(plan_settings(loaded), Snapshot.from_bytes(snapshot.to_bytes()), seed)
        return
    replayed = plan_snapshot(
        plan_settings(loaded), Snapshot.from_bytes(snapshot.to_bytes()), seed
    ).plan
    assert replayed.to_json() == recorded.to_json()
