"""Odoo-shaped datasets for the benchmarks: N leads, 50 salespeople, every filter in play.

    .venv/bin/python benchmarks/dataset.py DIR --leads 100000

writes DIR/crm.sqlite (a local store), DIR/salesperson_campaigns.csv (50
active salespeople of campaign Voice, 5 inactive ones, each with a level
and a target) and DIR/config.yaml, a configuration with every lead filter
enabled: the 30-day window, statuses for active and inactive salespeople,
activity-deadline protection, excluded users, web sources, lead campaigns,
Do-Not-Call by status and tag, excluded tags, required fields, priority,
closed and inactive-user exclusions, the sales filter (about a tenth of
the partners already have an opportunity) and the dropback of stale leads.
The mix of statuses, sources, tags and deadlines is the demo's (messy
spellings included); 40% of the leads are dated within 30 days, the rest up
to 200 days back, and most of those stale ones already sit with the two
dropback managers (the steady state of a daily run; see STALE_WITH_MANAGERS).
The same seed and size give the same data. Leads are
written in chunks, so a million fit in little memory.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.crm import LEAD_CAMPAIGNS, STATUSES, _source, _tags, _weighted
from odoo_lead_manager.domain.model import Lead, Team, User

SALESPEOPLE, INACTIVE = 50, 5
EXCLUDED = (2, 3, 4)  # users whose leads are never touched
MANAGERS = (5, 6)  # dropback receivers
# Share of leads older than the 30-day window that sit with a manager already:
# the steady state of a daily dropback, not the first day's backlog.
STALE_WITH_MANAGERS = 0.8
FIRST_SALESPERSON = 100
CHUNK = 50_000
LEVELS = (("senior", 400), ("mid_level", 350), ("junior", 300))

CONFIG = """\
version: "1.0"
name: "Benchmark: every filter enabled"
crm: {{backend: local, local_path: crm.sqlite, page_size: 5000}}
campaign: {{name: Voice, target_campaign: Voice}}
salesperson_selection:
  source_type: campaign_table
  source_config: {{campaign_table: {{file_path: salesperson_campaigns.csv}}}}
  campaign_filtering: {{enabled: true, target_campaign: Voice, include_inactive_salespeople: false}}
  filters: {{active_only: true}}
lead_finding:
  date_range: {{older_than_days: 0, younger_than_days: 30}}
  status_filters:
    active_salespeople: {{statuses: ["Utr", "Call Back", "New"]}}
    inactive_salespeople: {{statuses: ["Utr", "Call Back", "Full Pitch Follow Up", "New"]}}
  activity_deadline: {{exclude_within_days: 4}}
  excluded_users: ["Excluded 2", "Excluded 3", "Excluded 4"]
  web_sources:
    source_type: config
    source_config: {{sources: ["Website", "Facebook Ads", "Google Ads", "Landing Page", "Referral"]}}
    match_mode: exact
  campaigns: {{types: ["Voice", "Apple", "Spring Promo"]}}
  additional_filters:
    exclude_dnc: true
    exclude_tags: {{values: ["DNC"]}}
    required_fields: [email_from]
    priority_range: {{min: 0, max: 3}}
    assignment_filters: {{exclude_inactive_users: true}}
  sales_filter: {{enabled: true}}
  dropback_filter:
    enabled: true
    age_threshold: {{days: 30, field_name: source_date}}
    web_source_campaign_mapping:
      voice_sources: ["Website", "Facebook Ads"]
      apple_sources: ["Google Ads"]
      default_campaign: "default"
    assignment_rules:
      Voice: {{user: "Manager 5", status: "New"}}
      Apple: {{user: "Manager 6", status: "New"}}
      default: {{user: "Manager 5", status: "New"}}
distribution:
  strategy: round_robin
  owner_fields: [user_id, open_user_id, closer_id]
  status_reset: "New"
  team_assignment: Voice
tracking: {{enabled: false}}
execution: {{batch_size: 1000, seed: 7, state_dir: .odlm-state}}
"""


def generate(directory: Path, leads: int, today: date, seed: int = 7) -> Path:
    """Write the dataset into ``directory``; the configuration's path."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    people = list(range(FIRST_SALESPERSON, FIRST_SALESPERSON + SALESPEOPLE + INACTIVE))
    partners = max(leads // 3, 10)
    with LocalStore.create(directory / "crm.sqlite", overwrite=True) as store:
        store.add_teams([Team(1, "Voice"), Team(2, "Apple")])
        store.add_users(
            [User(1, "Administrator", "admin")]
            + [User(i, f"Excluded {i}", f"excluded{i}", team_id=1) for i in EXCLUDED]
            + [User(i, f"Manager {i}", f"manager{i}", team_id=1) for i in MANAGERS]
            + [User(i, f"Seller {i}", f"seller{i}", team_id=1) for i in people]
        )
        store.add_partners((i, f"Company {i}") for i in range(1, partners + 1))
        chunk: list[Lead] = []
        for lead in _leads(rng, leads, today, people, partners):
            chunk.append(lead)
            if len(chunk) == CHUNK:
                store.add_leads(chunk)
                chunk = []
        store.add_leads(chunk)
    with (directory / "salesperson_campaigns.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["salesperson_name", "campaign_name", "active", "level", "target_leads"])
        for index, user in enumerate(people):
            level, target = LEVELS[index % len(LEVELS)]
            scaled = max(target * leads // 100_000, 10)
            active = index < SALESPEOPLE
            writer.writerow(
                [f"Seller {user}", "Voice", "true" if active else "false", level, scaled]
            )
    config = directory / "config.yaml"
    config.write_text(CONFIG.format())
    return config


def _leads(
    rng: random.Random, count: int, today: date, people: list[int], partners: int
) -> Iterator[Lead]:
    owners = [*people, *EXCLUDED, *MANAGERS]
    opportunity_partners = max(partners // 10, 1)
    for lead_id in range(1, count + 1):
        opportunity = rng.random() < 0.08
        age = rng.randint(0, 30) if rng.random() < 0.4 else rng.randint(0, 200)
        day = today - timedelta(days=age)
        created = datetime.combine(day, time(rng.randint(7, 19), rng.randint(0, 59)))
        owner = rng.choice(owners) if rng.random() < 0.85 else None
        if age > 30 and owner is not None and rng.random() < STALE_WITH_MANAGERS:
            # Earlier days' dropback already handed most stale leads to the managers.
            owner = MANAGERS[lead_id % len(MANAGERS)]
        status = _weighted(rng, STATUSES)
        partner = (
            rng.randint(1, opportunity_partners)
            if opportunity
            else (rng.randint(1, partners) if rng.random() < 0.8 else None)
        )
        yield Lead(
            id=lead_id,
            name=f"Lead {lead_id}",
            type="opportunity" if opportunity else "lead",
            active=rng.random() >= 0.02,
            status=status,
            stage="Won" if opportunity else "New",
            source_date=day,
            create_date=created,
            write_date=created,
            user_id=owner,
            open_user_id=owner,
            closer_id=owner if rng.random() < 0.5 else None,
            team_id=1 if owner else None,
            source=_source(rng),
            campaign=_weighted(rng, LEAD_CAMPAIGNS),
            tags=_tags(rng, status),
            partner_id=partner,
            email=f"lead{lead_id}@example.com" if rng.random() < 0.9 else None,
            phone=f"+44 20 7{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            priority=_weighted(rng, ((0, 50), (1, 30), (2, 15), (3, 5))),
            activity_date_deadline=today + timedelta(days=rng.randint(-20, 10))
            if rng.random() < 0.4
            else None,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2024, 6, 14))
    args = parser.parse_args()
    print(generate(args.directory, args.leads, args.today))


if __name__ == "__main__":
    main()
