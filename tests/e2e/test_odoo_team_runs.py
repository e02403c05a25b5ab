"""``source_type: odoo_team`` in real runs: a sales team's members with Odoo's own assignment
settings (capacity over 30 days as Odoo counts it, "Skip auto assignment" as away, the team's and
each member's assignment domain as the leads they may take) — checked in the CRM after the run, on the local
store and on the stand-in Odoo of 17 and 19."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import Lead, Team
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.pipeline.selection.odoo_team import parse_domain
from odoo_lead_manager.pipeline.strategies.engine import OUTSIDE_DOMAINS
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_caps_runs import Owners, configure, fake_owners, local_owners, moved, real_run
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the stand-in Odoo fixture)

VOICE = 1
ALICE, BOB, CAROL, DAVE = 10, 11, 12, 13
# The team takes no "very high" lead; Alice takes private customers' leads, Bob those with
# an e-mail or a phone missing (Odoo's prefix OR); Carol paused; Dave's capacity is 7.
TEAM_DOMAIN = "[('priority', 'in', ['0', '1', '2'])]"
DOMAINS = {
    ALICE: "[('name', 'ilike', 'private')]",
    BOB: "['|', ('email_from', '=', False), ('phone', '=', False)]",
}
PAUSED = {CAROL}
CAPACITY = {DAVE: 7}
SOURCE = {"source_type": "odoo_team", "source_config": {"team": "Voice"}}


def in_team_domain(lead: Lead) -> bool:
    return lead.priority in (0, 1, 2)


# The same conditions in plain Python, to check the CRM's answers against.
ACCEPTS: dict[int, Callable[[Lead], bool]] = {
    ALICE: lambda lead: "private" in lead.name.casefold(),
    BOB: lambda lead: not lead.email or not lead.phone,
}


def local_leads(demo_dir: Path) -> dict[int, Lead]:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        return {lead.id: lead for lead in store.search_leads([("active", "in", [True, False])])}


# Every lead was last given its salesperson long before the run: Odoo's 30 days hold none.
LONG_AGO = "2020-01-01 00:00:00"


def set_up_local(demo_dir: Path) -> None:
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        with store._db:
            store._db.execute(
                "UPDATE crm_lead SET date_open = ? WHERE date_open IS NOT NULL", (LONG_AGO,)
            )
        store.set_team_domain(VOICE, TEAM_DOMAIN)
        for member in store.team_members([VOICE]):
            uid = member.user_id
            store.set_assignment(
                VOICE,
                uid,
                assignment_max=CAPACITY.get(uid, 30),
                assignment_optout=uid in PAUSED,
                assignment_domain=DOMAINS.get(uid),
            )


def set_up_fake(fake: FakeOdoo) -> None:
    for record in fake.models["crm.lead"].values():
        record["date_open"] = LONG_AGO if record.get("date_open") else False
    team = fake.models["crm.team"][VOICE]
    team["assignment_domain"] = TEAM_DOMAIN
    fake.models["crm.team.member"] = {
        number: {
            "id": number,
            "crm_team_id": [VOICE, "Voice"],
            "user_id": [uid, fake.models["res.users"][uid]["name"]],
            "assignment_max": CAPACITY.get(uid, 30),
            "assignment_optout": uid in PAUSED,
            "assignment_domain": DOMAINS.get(uid, False),
            "active": True,
        }
        for number, uid in enumerate(team["member_ids"], start=1)
    }


@dataclass
class Crm:
    owners: Callable[[], Owners]
    leads: Callable[[], Mapping[int, Lead]]
    # The CRM's own count of the leads among ``ids`` a domain matches (independent of odlm).
    count: Callable[[str, list[int]], int]


def local_crm(demo_dir: Path) -> Crm:
    def count(domain: str, ids: list[int]) -> int:
        with LocalStore.open(demo_dir / "crm.sqlite") as store:
            terms = [("id", "in", ids), *parse_domain(domain, "test")]
            return store.count_leads([("active", "in", [True, False]), *terms], ())[()]

    return Crm(local_owners(demo_dir), lambda: local_leads(demo_dir), count)


def fake_crm(fake: FakeOdoo, demo_dir: Path) -> Crm:
    def count(domain: str, ids: list[int]) -> int:
        terms = [("id", "in", ids), *parse_domain(domain, "test")]
        return len(fake._search("crm.lead", terms, {"active_test": False}))

    # The stand-in was loaded from the demo store: the leads' fields are the same.
    return Crm(fake_owners(fake), lambda: local_leads(demo_dir), count)


def distributable(plan: Plan) -> list[int]:
    placed = [a.lead_id for a in plan.assignments]
    return sorted({*placed, *(i for ids in plan.unassigned.values() for i in ids)})


def check_odoo_team_run(config: Path, crm: Crm) -> None:
    configure(config, {}, salesperson_selection=SOURCE)
    leads = crm.leads()
    before = crm.owners()
    plan = real_run(config, TODAY)
    got = moved(before, crm.owners())
    after = crm.owners()
    by_name = {p.user_id: p for p in plan.salespeople}
    # Odoo's members are the salespeople (less the excluded and archived users); their
    # capacity is Odoo's, over 30 days, and no target on the leads they hold.
    assert {ALICE, BOB, CAROL, DAVE} <= by_name.keys()
    assert by_name[DAVE].target_leads is None
    assert (plan.capacity[DAVE].maximum, plan.capacity[ALICE].maximum) == (7, 30)
    assert got[DAVE] <= 7 and plan.capacity_after[DAVE] == got[DAVE]
    # Paused: away, nothing received.
    assert got[CAROL] == 0
    assert "assignment_optout" in plan.away[CAROL]
    # Every lead in the CRM now with Alice or Bob is one their domain and the team's accept.
    for uid, accepts in ACCEPTS.items():
        received = [lid for lid, owner in after.items() if owner == uid and before[lid] != uid]
        assert received and len(received) == got[uid]
        assert all(accepts(leads[lid]) and in_team_domain(leads[lid]) for lid in received)
    # No member's domain takes a "very high" lead: they stay where they were, said why.
    found = distributable(plan)
    outside = sorted(lid for lid in found if not in_team_domain(leads[lid]))
    assert outside and plan.unassigned[OUTSIDE_DOMAINS] == outside
    assert all(after[lid] == before[lid] for lid in outside)
    # The figure shown is the CRM's own count over the distributable leads.
    for uid in ACCEPTS:
        matched = crm.count(f"{TEAM_DOMAIN[:-1]}, {DOMAINS[uid][1:]}", found)
        assert matched == sum(
            1 for lid in found if ACCEPTS[uid](leads[lid]) and in_team_domain(leads[lid])
        )
        assert plan.domains[uid] == (
            f"assignment domain (Odoo) accepts {matched:,} of the {len(found):,} "
            "distributable leads"
        )
    assert sum(got.values()) == len(plan.assignments)


def test_an_odoo_team_run_on_the_local_store(demo_dir: Path) -> None:
    set_up_local(demo_dir)
    check_odoo_team_run(demo_dir / "config.yaml", local_crm(demo_dir))


def test_an_odoo_team_run_on_the_stand_in_odoo(
    demo_dir: Path,
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
) -> None:
    config, fake = odoo_demo
    set_up_fake(fake)
    check_odoo_team_run(config, fake_crm(fake, demo_dir))


def test_an_odoo_team_run_replays_from_its_snapshot(demo_dir: Path) -> None:
    set_up_local(demo_dir)
    config = demo_dir / "config.yaml"
    configure(config, {}, salesperson_selection=SOURCE)
    plan = real_run(config, TODAY)
    # The CRM has changed since (Alice's domain now takes nothing): the replay uses the answers
    # the run recorded.
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        store.set_assignment(VOICE, ALICE, assignment_domain="[('id', '=', 0)]")
    assert main(["replay", plan.run_id, "--config", str(config)]) == 0


@pytest.mark.parametrize(
    ("domain", "words"),
    [
        ("[('name', 'ilike'", "is not a domain"),
        ("{'name': 1}", "is not a domain (a list of terms)"),
        ("[('name', 'ilike')]", "is not a domain term"),
        ("['|', ('name', '=', 'x')]", "ends before its operators' terms"),
        ("[('name', '=', 'x'), '|', ('phone', '=', False)]", "ends before its operators' terms"),
        ("__import__('os').system('true')", "is not a domain"),
    ],
)
def test_a_malformed_assignment_domain_is_exit_2_naming_the_member(
    demo_dir: Path, capsys: pytest.CaptureFixture[str], domain: str, words: str
) -> None:
    set_up_local(demo_dir)
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        store.set_assignment(VOICE, BOB, assignment_domain=domain)
    config = demo_dir / "config.yaml"
    configure(config, {}, salesperson_selection=SOURCE)
    before = (demo_dir / "crm.sqlite").read_bytes()
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 2
    err = capsys.readouterr().err
    assert "sales team 'Voice', member 'Bob Johnson': assignment_domain" in err and words in err
    assert (demo_dir / "crm.sqlite").read_bytes() == before


def test_a_team_that_is_not_there_or_named_twice_is_exit_2(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {}, salesperson_selection={**SOURCE, "source_config": {"team": "Nowhere"}})
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 2
    assert "source_config.team: no CRM sales team is named 'Nowhere'" in capsys.readouterr().err
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        store.add_teams([Team(99, "Voice")])
    configure(config, {}, salesperson_selection=SOURCE)
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--run-again"]) == 2
    assert "2 active CRM sales teams are named 'Voice'" in capsys.readouterr().err


def test_odoo_team_needs_the_team_key(demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo_dir / "config.yaml"
    configure(config, {}, salesperson_selection={"source_type": "odoo_team", "source_config": {}})
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "salesperson_selection.source_config.team is required for source_type odoo_team" in err


def test_a_server_without_team_settings_is_exit_2_naming_the_key(
    odoo_demo: tuple[Path, FakeOdoo],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, fake = odoo_demo
    fake.models.pop("crm.team.member", None)
    configure(config, {}, salesperson_selection=SOURCE)
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "salesperson_selection.source_config.team: the CRM keeps no sales-team" in err


def test_a_dry_run_reports_each_domain_and_the_leads_it_leaves(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_up_local(demo_dir)
    config = demo_dir / "config.yaml"
    configure(config, {}, salesperson_selection=SOURCE)
    plan = run_distribution(
        load_config(config), dry_run=True, options=RunOptions(today=TODAY, seed=5)
    ).plan
    # The team's domain holds for every member there; Carol's assignment is paused.
    assert set(plan.domains) == {p.user_id for p in plan.salespeople} - {CAROL}
    assert main(["dailydist", "--config", str(config), "--today", str(TODAY), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"Alice Smith: {plan.domains[ALICE]}" in out
    assert "assignment domain (Odoo crm.team.member)" in out
