"""`odlm status`: did today's distribution run, and how did it end."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date, timedelta

from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.running import done_this_period, opened_tracking
from odoo_lead_manager.commands.session import load
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.reporting.status import CampaignStatus, campaign_status, overall
from odoo_lead_manager.state import audit

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """`odlm status`: per campaign, the last run and whether today's happened; its exit
    status is for monitoring (0 distributed today, 1 failed or unfinished, 3 not run yet)."""
    statuses = [read_status(load(path), args.today or date.today()) for path in args.config]
    if args.format == "json":
        data = {"exit_status": overall(statuses), "campaigns": [s.to_dict() for s in statuses]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for status in statuses:
            print("\n".join(status.lines()))
    return overall(statuses)


# `odlm status` lists the undelivered digests of the runs of this many days back.
DIGEST_DAYS = 7


def read_status(loaded: LoadedConfig, today: date) -> CampaignStatus:
    """What the run journal, the kept snapshots and the audit trail say about ``today``."""
    campaign = loaded.config.target_campaign or ""
    with opened_tracking(loaded) as tracking:
        journal = tracking.journal
        last = journal.latest(campaign)
        done = done_this_period(loaded, journal, campaign, today)
        unfinished = [journal.counted(r) for r in journal.unfinished(campaign)]
        dry = [r for r in journal.recorded_runs(campaign, since=today) if r.dry_run]
        undelivered = journal.undelivered_digests(campaign, today - timedelta(days=DIGEST_DAYS))
    return campaign_status(
        str(loaded.path),
        campaign,
        today,
        loaded.config.campaign.active,
        last,
        done,
        unfinished,
        dry[-1].taken_at if dry else None,
        audit.entries_of(audit.audit_path(tracking_settings(loaded)), today),
        undelivered,
    )
