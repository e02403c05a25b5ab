"""The configuration that runs the demo CRM like today's R pipeline, on the local store."""

from __future__ import annotations

from pathlib import Path

DEMO_CONFIG = """\
# yaml-language-server: $schema=odlm-config.schema.json
# odlm demo configuration: the Voice campaign on the embedded demo CRM.
# It works like the legacy R pipeline: leads from the last 30 days held by the
# campaign's salespeople (Utr/Call Back for active ones, more statuses for
# inactive ones), leads with an activity deadline in the last 4 days or later
# left alone, then round robin among the active salespeople. Unlike R, it also
# leaves closed (won or lost) leads alone; the legacy template
# (odlm dailydist --generate-config --template legacy) follows R lead for lead.
version: "1.0"
name: "Daily Lead Distribution - Voice (demo)"
description: "Demo of the Voice campaign on the embedded local CRM store"

crm:
  backend: local
  local_path: crm.sqlite

campaign:
  name: Voice
  target_campaign: Voice

salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table:
      file_path: salesperson_campaigns.csv
  campaign_filtering:
    enabled: true
    target_campaign: Voice
    include_inactive_salespeople: false
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
  filters:
    active_only: true

lead_finding:
  date_range:
    older_than_days: 0
    younger_than_days: 30
  status_filters:
    active_salespeople:
      statuses: ["Utr", "Call Back"]
    inactive_salespeople:
      statuses: ["Utr", "Call Back", "Full Pitch Follow Up", "Full Pitch Follow Up ", "New"]
  activity_deadline:
    exclude_within_days: 4
    exclude_missing_deadline: false
  excluded_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]

distribution:
  strategy: round_robin
  round_robin_override:
    distribution_order: random
  owner_fields: [user_id, open_user_id, closer_id]
  status_reset: "New"
  team_assignment: Voice

# Run history in <state_dir>/tracking.sqlite, kept retention_days; see `odlm retention`.
tracking:
  enabled: true
  retention_days: 365

execution:
  batch_size: 200
  log_level: INFO
"""


def write_demo_config(directory: Path, overwrite: bool = False) -> Path:
    """Write ``config.yaml`` for the demo files in ``directory``; return its path."""
    path = directory / "config.yaml"
    if path.exists() and not overwrite:
        raise FileExistsError(path)
    path.write_text(DEMO_CONFIG, encoding="utf-8")
    return path
