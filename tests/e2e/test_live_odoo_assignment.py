"""Odoo's own lead assignment and Odoo's capacity, against a real Odoo (17 or 19, when
ODLM_TEST_ODOO_* name one).

- With Rule-Based Assignment on and Running "Repeatedly", ``odlm check`` names it and a real
  run exits 2 with nothing written; with it off, or with ``crm.odoo_auto_assignment:
  accept``, the run proceeds; what was read is in the snapshot and replays offline. The
  settings are put back as they were found.
- With ``source_type: odoo_team``, after a real run under each strategy no member's 30-day
  count exceeds ``assignment_max``, checked with Odoo's own ``search_count`` and its
  ``lead_month_count``, and the preview's figures are the CRM's.

Each test makes its own users, team, memberships and leads (names carrying its token) on a
CRM that may be full of other data, and removes them afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.replay import replay_run
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.odoo.transport import Transport
from odoo_lead_manager.snapshot.options import RunOptions
from tests.crm.live_assignment import OdooAssignmentSwitch
from tests.crm.test_odoo_live import ENV, Server, ensure_custom_fields, live_connection, user_groups
from tests.e2e.test_live_odoo_team import CONFIG
from tests.e2e.test_live_parity import API_KEY, ODOO

MISSING = [name for name in ENV if not os.environ.get(name)]
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs an Odoo (set {', '.join(MISSING)})")

# Each member holds LEADS leads created with them now (Odoo counts them in its 30 days),
# and has this capacity: room for 15, 10 and 2; Dan is full and Eve has no capacity.
LEADS = 30
CAPACITY = {"Ann": 45, "Ben": 40, "Cat": 32, "Dan": 30, "Eve": 0}
# Each strategy's settings; members are named "<name> <token>" ({t}). Level targets on the
# leads held (1,000) are far above Odoo's capacity: Odoo's room is what level_based fills.
STRATEGIES = {
    "round_robin": "",
    "proportional": "  proportional: {{weights: {{Ann {t}: 3}}}}\n",
    "capacity_based": "",
    "level_based": (
        "  level_based:\n    levels:\n"
        "      senior: {{target_leads: 1000, priority: 1, salespeople: [Ann {t}, Ben {t}]}}\n"
        "      junior: {{target_leads: 1000, priority: 2, salespeople: [Cat {t}, Dan {t}, Eve {t}]}}\n"
    ),
}


@dataclass
class Campaign:
    token: str
    transport: Transport
    team: int
    users: dict[str, int]
    leads: list[int]
    config: Path

    def write(self, strategy: str) -> Path:
        odoo = ODOO + (API_KEY if os.environ.get("ODLM_TEST_ODOO_API_KEY") else "")
        text = CONFIG.format(
            odoo=odoo,
            campaign=f"live {self.token}",
            team=f"odlm capacity {self.token}",
            strategy=strategy,
            extra=STRATEGIES[strategy].format(t=self.token),
            tracking="true",
        )
        self.config.write_text(text)
        return self.config

    def thirty_days(self, uid: int) -> int:
        """Odoo's own count: the member's leads of the team dated in the last 30 days."""
        since = datetime.now(UTC) - timedelta(days=30)
        return int(
            self.transport.call(
                "crm.lead",
                "search_count",
                None,
                domain=[
                    ("user_id", "=", uid),
                    ("team_id", "=", self.team),
                    ("date_open", ">=", since.strftime("%Y-%m-%d %H:%M:%S")),
                ],
                context={"active_test": False},
            )
        )

    def month_counts(self) -> dict[int, int]:
        """Odoo's ``lead_month_count`` of each membership, as its member form shows it."""
        rows = self.transport.call(
            "crm.team.member",
            "search_read",
            None,
            domain=[("crm_team_id", "=", self.team)],
            fields=["user_id", "lead_month_count"],
        )
        return {int(r["user_id"][0]): int(r["lead_month_count"]) for r in rows}

    def owners(self) -> dict[int, int | None]:
        rows = self.transport.call(
            "crm.lead", "search_read", None, domain=[("id", "in", self.leads)], fields=["user_id"]
        )
        return {int(r["id"]): (r["user_id"][0] if r["user_id"] else None) for r in rows}


@pytest.fixture
def campaign(tmp_path: Path) -> Iterator[Campaign]:
    token = uuid.uuid4().hex[:8]
    connection = live_connection()
    transport = connection.transport
    server = Server(transport)
    try:
        ensure_custom_fields(transport, server)
        salesperson = user_groups(transport, salesperson=True)
        users = {
            name: server.create_users(
                [{"name": f"{name} {token}", "login": f"{name.lower()}.{token}", **salesperson}]
            )[0]
            for name in CAPACITY
        }
        team = server.create("crm.team", [{"name": f"odlm capacity {token}"}])[0]
        server.create(
            "crm.team.member",
            [
                {"crm_team_id": team, "user_id": users[name], "assignment_max": cap}
                for name, cap in CAPACITY.items()
            ],
        )
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        holders = [n for n in CAPACITY if n != "Eve"]
        leads = server.create(
            "crm.lead",
            [
                {
                    "name": f"lead {n} {token}",
                    "type": "lead",
                    **dict.fromkeys(("user_id", "x_open_user_id", "x_closer_id"), users[owner]),
                    "team_id": team,
                    "x_status": "Utr",
                    "x_source_date": yesterday,
                }
                for owner in holders
                for n in range(LEADS)
            ],
            {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True},
        )
        yield Campaign(token, transport, team, users, leads, tmp_path / "config.yaml")
    finally:
        server.cleanup()


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_odoo_capacity_holds_on_a_real_odoo(campaign: Campaign, strategy: str) -> None:
    config = campaign.write(strategy)
    users = campaign.users
    before = {uid: campaign.thirty_days(uid) for uid in users.values()}
    assert before == {uid: 0 if name == "Eve" else LEADS for name, uid in users.items()}
    owners = campaign.owners()
    outcome = run_distribution(
        load_config(config), dry_run=False, options=RunOptions(seed=5), force=True
    )
    assert outcome.applied is not None and outcome.applied.complete
    plan = outcome.plan
    after = campaign.owners()
    got = {uid: sum(1 for i, o in after.items() if o == uid and owners[i] != uid) for uid in before}
    months = campaign.month_counts()
    for name, uid in users.items():
        counted = campaign.thirty_days(uid)
        # Never past Odoo's capacity, by Odoo's own counts; the preview's figures are the CRM's.
        assert counted == months[uid] == plan.capacity_after[uid] <= CAPACITY[name]
        assert (plan.capacity[uid].maximum, plan.capacity[uid].used) == (
            CAPACITY[name],
            before[uid],
        )
        assert before[uid] + got[uid] <= CAPACITY[name]
        assert plan.received.get(uid, 0) == got[uid]
    assert got[users["Dan"]] == got[users["Eve"]] == 0
    assert sum(got.values()) > 0
    assert any(f"Eve {campaign.token} (user {users['Eve']}) has" in w for w in plan.warnings)


def test_odoos_automatic_assignment_is_refused_on_a_real_odoo(
    campaign: Campaign, capsys: pytest.CaptureFixture[str]
) -> None:
    switch = OdooAssignmentSwitch(campaign.transport)
    config = str(campaign.write("round_robin"))
    run = ["dailydist", "--config", config, "--run-again"]
    owners = campaign.owners()
    try:
        switch(True, True)
        assert main(["check", "--config", config]) == 2
        out = " ".join(capsys.readouterr().out.split())
        assert 'Rule-Based Assignment is on, with Running "Repeatedly" every 1 day' in out
        assert "Settings > CRM > Rule-Based Assignment" in out
        assert main(run) == 2
        err = capsys.readouterr().err
        assert "Odoo assigns leads on its own" in err and "crm.odoo_auto_assignment" in err
        assert campaign.owners() == owners
        # A dry run says the same, and keeps what it read for replays.
        dry = run_distribution(load_config(config), dry_run=True, options=RunOptions(seed=2))
        assert dry.plan.refused is not None and "Repeatedly" in dry.plan.refused
        # Manually: Odoo assigns only on a click; the run writes.
        switch(True, False)
        assert main(["check", "--config", config]) == 0
        assert 'Running "Manually"' in " ".join(capsys.readouterr().out.split())
        replayed = replay_run(load_config(config), dry.plan.run_id, None)
        assert replayed.identical and replayed.plan.refused == dry.plan.refused
        assert main(run) == 0
        assert campaign.owners() != owners
        # Accepted knowingly: the run goes on while Odoo assigns on its own.
        switch(True, True)
        accepting = campaign.write("round_robin")
        accepting.write_text(
            accepting.read_text().replace("crm:\n", "crm:\n  odoo_auto_assignment: accept\n", 1)
        )
        capsys.readouterr()
        assert main([*run, "--max-leads", "5"]) == 0
        assert "Running anyway (crm.odoo_auto_assignment: accept)" in " ".join(
            capsys.readouterr().out.split()
        )
    finally:
        switch.restore()
    assert (switch._parameter() is not None, switch._cron()["active"]) == switch.before


def test_a_preferred_domain_is_preferred_on_a_real_odoo_19(campaign: Campaign) -> None:
    transport = campaign.transport
    fields = transport.call(
        "crm.team.member", "fields_get", None, allfields=["assignment_domain_preferred"]
    )
    if "assignment_domain_preferred" not in fields:
        pytest.skip("this Odoo has no assignment_domain_preferred (Odoo 19 added it)")
    members = transport.call(
        "crm.team.member",
        "search",
        None,
        domain=[("crm_team_id", "=", campaign.team), ("user_id", "=", campaign.users["Ann"])],
    )
    transport.call(
        "crm.team.member",
        "write",
        members,
        vals={"assignment_domain_preferred": "[('priority', '=', '3')]"},
    )
    # Six "very high" leads, held by Dan (full): Ann, with room for 15, prefers them.
    dan = [i for i, owner in campaign.owners().items() if owner == campaign.users["Dan"]]
    transport.call("crm.lead", "write", dan[:6], vals={"priority": "3"})
    config = campaign.write("round_robin")
    owners = campaign.owners()
    plan = run_distribution(
        load_config(config), dry_run=False, options=RunOptions(seed=9), force=True
    ).plan
    after = campaign.owners()
    ann = campaign.users["Ann"]
    assert all(after[i] == ann for i in dan[:6]), {i: after[i] for i in dan[:6]}
    assert "preferred domain (Odoo's Lead Priority Filter) prefers 6" in plan.domains[ann]
    assert sum(1 for i in after if after[i] == ann and owners[i] != ann) <= 15
