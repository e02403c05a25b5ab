"""``--generate-config``: the boilerplate files of spec §6.4.

The templates are the spec's, with one change: the campaign is customised
only in the sections a template has (the spec's code would fail on the
minimal template, which has no campaign filtering or lead campaigns).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import yaml

from odoo_lead_manager.config.choices import TEMPLATES
from odoo_lead_manager.config.editor import modeline

_EXCLUDED = ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]

_ODOO_CONNECTION = {
    "host": "${ODOO_HOST}",
    "port": 8069,
    "database": "${ODOO_DB}",
    "username": "${ODOO_USERNAME}",
    "password": "${ODOO_PASSWORD}",
}

_DATABASE_CONNECTION = {
    "host": "${TRACKING_DB_HOST}",
    "port": 3306,
    "database": "${TRACKING_DB_NAME}",
    "username": "${TRACKING_DB_USER}",
    "password": "${TRACKING_DB_PASSWORD}",
}

_HEADER_BODY = """\
#
# This configuration file controls the daily lead distribution system.
# Please review and modify the settings below before running the distribution.
#
# Key sections:
# - odoo_connection: Odoo database connection settings
# - database_connection: PostgreSQL or MySQL database for the run history, when present
#   (without it the history is kept in SQLite files under .odlm-state beside this file)
# - campaign: Campaign-specific settings
# - salesperson_selection: How to select eligible salespeople
# - lead_finding: Criteria for finding distributable leads
# - distribution: Strategy for distributing leads
# - tracking: Performance monitoring settings
# - reporting: Report generation settings
# - execution: Runtime behavior settings
#
# Environment Variables:
# ODOO_HOST, ODOO_DB, ODOO_USERNAME, ODOO_PASSWORD - Odoo connection
# TRACKING_DB_HOST, TRACKING_DB_NAME, TRACKING_DB_USER, TRACKING_DB_PASSWORD - the history
#   database, when database_connection is present
# DB_CA_CERT, DB_CLIENT_CERT, DB_CLIENT_KEY - optional TLS files for the tracking database
# Relative paths are read from the folder of this file.
#

"""


def _campaign_table_selection() -> dict[str, Any]:
    """The Voice campaign's salespeople from the campaign table, the four users excluded."""
    return {
        "source_type": "campaign_table",
        "source_config": {"campaign_table": {"file_path": "config/salesperson_campaigns.csv"}},
        "campaign_filtering": {
            "enabled": True,
            "target_campaign": "Voice",
            "include_inactive_salespeople": False,
            "exclude_specific_users": list(_EXCLUDED),
        },
    }


def _basic() -> dict[str, Any]:
    return {
        "version": "1.0",
        "name": "Daily Lead Distribution",
        "description": "Automated daily lead distribution system",
        "tags": ["lead-distribution", "automation", "sales", "odoo"],
        "author": "Sales Operations Team",
        "odoo_connection": dict(_ODOO_CONNECTION),
        "database_connection": dict(_DATABASE_CONNECTION),
        "campaign": {
            "name": "Voice",
            "description": "Voice/telephony sales campaign distribution",
            "target_campaign": "Voice",
            "distribution_frequency": "daily",
            "active": True,
        },
        "salesperson_selection": {
            **_campaign_table_selection(),
            "filters": {
                "active_only": True,
                "has_permissions": True,
                "min_experience_level": 1,
                "team_filter": "Voice",
            },
        },
        "lead_finding": {
            "date_range": {
                "older_than_days": 0,
                "younger_than_days": 30,
                "exclude_weekends": False,
                "exclude_holidays": False,
            },
            "web_sources": {
                "source_type": "file",
                "source_config": {"file_path": "config/web_sources.txt"},
                "case_sensitive": False,
                "match_mode": "exact",
            },
            "campaigns": {
                "types": ["voice_campaign_2024"],
                "case_sensitive": False,
                "match_mode": "exact",
            },
            "additional_filters": {
                "status": {
                    "values": ["New", "Utr", "Call Back"],
                    "case_sensitive": False,
                    "match_mode": "exact",
                },
                "exclude_dnc": True,
                "dnc_statuses": [
                    "dnc",
                    "do_not_call",
                    "dont_call",
                    "no_call",
                    "blocked",
                    "opt_out",
                ],
                "exclude_tags": {
                    "values": ["do_not_distribute", "test", "archived"],
                    "case_sensitive": False,
                    "match_mode": "exact",
                },
                "required_fields": ["name", "email"],
                "priority_range": {"min": 1, "max": 5},
                "assignment_filters": {
                    # The daily job moves leads between salespeople: assigned ones included.
                    "exclude_assigned": False,
                    "exclude_closed": True,
                    "exclude_inactive_users": True,
                },
            },
        },
        "distribution": {
            "strategy": "level_based",
            "level_based": {
                "levels": {
                    "senior": {"target_leads": 200, "priority": 1},
                    "mid_level": {"target_leads": 150, "priority": 2},
                    "junior": {"target_leads": 100, "priority": 3},
                },
                "fill_strategy": "highest_priority_first",
                "allow_overflow": False,
                "overflow_limit": 10,
            },
            "round_robin_override": {"enabled": False},
        },
        "tracking": {
            "enabled": True,
            "track_individual_assignments": True,
            "track_pre_post_counts": True,
            "track_distribution_summary": True,
            "retention_days": 365,
            "archive_old_data": True,
            "batch_size": 1000,
            "async_tracking": False,
        },
        "reporting": {
            "generate_report": True,
            "report_format": "csv",
            "report_location": "reports/",
            "include_analytics": True,
            "email_notification": False,
        },
        "execution": {
            "dry_run": False,
            "max_leads_per_run": 1000,
            "batch_size": 50,
            "retry_failed": True,
            "max_retries": 3,
            "log_level": "INFO",
        },
    }


def _advanced() -> dict[str, Any]:
    config = _basic()
    web_sources = config["lead_finding"]["web_sources"]
    web_sources["validate_sources"] = True
    web_sources["exclude_invalid"] = True
    web_sources["match_patterns"] = ["facebook*", "google_ads*", "website_contact"]
    config["distribution"]["advanced_rules"] = {
        "skill_matching": {
            "enabled": True,
            "required_skills": ["enterprise_sales", "technical_knowledge"],
            "skill_weights": [0.7, 0.3],
        },
        "workload_balancing": {
            "enabled": True,
            "max_daily_distribution": 20,
            "min_daily_distribution": 5,
            "consider_weekend_workload": False,
        },
        "priority_handling": {
            "high_priority_leads": "senior_only",
            "medium_priority_leads": "all_levels",
            "low_priority_leads": "junior_first",
        },
    }
    config["tracking"]["batch_size"] = 1000
    return config


def _minimal() -> dict[str, Any]:
    return {
        "version": "1.0",
        "name": "Daily Lead Distribution - Minimal",
        "description": "Minimal configuration for daily lead distribution",
        "tags": ["lead-distribution", "minimal"],
        "author": "Sales Operations Team",
        "odoo_connection": dict(_ODOO_CONNECTION),
        "database_connection": dict(_DATABASE_CONNECTION),
        "campaign": {"name": "Voice", "target_campaign": "Voice", "active": True},
        "salesperson_selection": {
            "source_type": "file",
            "source_config": {"file_path": "config/salespeople.txt"},
            "filters": {"active_only": True},
        },
        "lead_finding": {
            "date_range": {"older_than_days": 0, "younger_than_days": 30},
            "additional_filters": {
                "status": ["new", "in_progress"],
                "exclude_dnc": True,
                "dnc_statuses": ["dnc", "do_not_call"],
            },
        },
        "distribution": {"strategy": "round_robin"},
        "tracking": {
            "enabled": True,
            "track_individual_assignments": True,
            "track_pre_post_counts": True,
            "track_distribution_summary": True,
        },
        "execution": {"dry_run": False, "log_level": "INFO"},
    }


def _legacy() -> dict[str, Any]:
    """The R pipeline, lead for lead (what ``examples/legacy_utr.yaml`` runs on the demo)."""
    return {
        "version": "1.0",
        "name": "Daily Lead Distribution - Voice (legacy R job)",
        "description": "The legacy R pipeline's distribution, lead for lead",
        "odoo_connection": dict(_ODOO_CONNECTION),
        "campaign": {"name": "Voice", "target_campaign": "Voice", "active": True},
        "salesperson_selection": _campaign_table_selection(),
        "lead_finding": {
            "owner_field": "open_user_id",
            "date_range": {"older_than_days": 0, "younger_than_days": 30},
            "status_filters": {
                "active_salespeople": {"statuses": ["Utr", "Call Back"]},
                "inactive_salespeople": {
                    "statuses": [
                        "Utr",
                        "Call Back",
                        "Full Pitch Follow Up",
                        "Full Pitch Follow Up ",
                        "New",
                    ]
                },
                "exclude_closed_leads": False,
                "exclude_assigned_leads": False,
            },
            "activity_deadline": {"exclude_within_days": 4, "exclude_missing_deadline": False},
            "excluded_users": list(_EXCLUDED),
        },
        "distribution": {
            "strategy": "round_robin",
            "round_robin_override": {"distribution_order": "random"},
            "owner_fields": ["user_id", "open_user_id", "closer_id"],
            "status_reset": "New",
            "team_assignment": "Voice",
            # R kept only the current holder from a lead's taker; odlm's default also
            # keeps the one before (no A to B to A), which R did not know.
            "never_back_to_last": 1,
            # R split each run on its own; the fairness ledger evens out over weeks.
            "fairness_window_days": 0,
        },
        "tracking": {"enabled": True},
        "execution": {"dry_run": False, "log_level": "INFO"},
    }


_BUILDERS = {"basic": _basic, "advanced": _advanced, "minimal": _minimal, "legacy": _legacy}


def template_data(template: str = "basic", campaign: str | None = None) -> dict[str, Any]:
    """The template as data, customised for ``campaign`` when one is given."""
    if template not in _BUILDERS:
        raise ValueError(f"unknown template {template!r} (choose from {', '.join(TEMPLATES)})")
    config = copy.deepcopy(_BUILDERS[template]())
    if campaign:
        config["name"] = f"Daily Lead Distribution - {campaign}"
        config["description"] = f"Automated daily lead distribution system for {campaign} campaigns"
        config["campaign"]["name"] = campaign
        config["campaign"]["target_campaign"] = campaign
        filtering = config["salesperson_selection"].get("campaign_filtering")
        if filtering is not None:
            filtering["target_campaign"] = campaign
        filters = config["salesperson_selection"].get("filters", {})
        if "team_filter" in filters:
            filters["team_filter"] = campaign
        if "team_assignment" in config["distribution"]:
            config["distribution"]["team_assignment"] = campaign
        campaigns = config["lead_finding"].get("campaigns")
        if campaigns is not None:
            campaigns["types"] = [campaign]
    return config


def generate_config(
    campaign: str | None = None, template: str = "basic", now: datetime | None = None
) -> str:
    """The YAML text of a template with the §6.4 header comments.

    It starts with the line that points editors at ``odlm-config.schema.json``
    beside the file (``odlm dailydist --generate-config --output`` writes it).
    """
    data = template_data(template, campaign)
    now = now or datetime.now()
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    if "author" in data:
        # Dated the day it is generated, after its author (a fixed date would be stale).
        at = list(data).index("author") + 1
        items = list(data.items())
        data = dict([*items[:at], ("created_date", now.date().isoformat()), *items[at:]])
    # The editor line comes first: the YAML language server reads it only there.
    header = (
        modeline() + "# Daily Lead Distribution Configuration\n"
        f"# Generated on: {stamp}\n"
        f"# Template: {template}\n"
    )
    if campaign:
        header += f"# Campaign: {campaign}\n"
    body = yaml.safe_dump(data, default_flow_style=False, sort_keys=False, allow_unicode=True)
    return header + _HEADER_BODY + body
