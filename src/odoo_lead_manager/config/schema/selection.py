"""``salesperson_selection`` (spec §2.2-§2.4, §5.1)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from odoo_lead_manager.config.schema.base import NonNegativeInt, Section

SourceType = Literal["campaign_table", "file", "list", "database", "team"]


class CampaignTableSource(Section):
    """The campaign table: a CSV file or a database table (§5.2)."""

    file_path: str | None = None
    table_name: str | None = None
    campaign_column: str = "campaign_name"
    salesperson_column: str = "salesperson_name"
    active_column: str | None = "active"


class DatabaseQuery(Section):
    """Salespeople read from a table of the CRM database (§2.3)."""

    table: str = "res_users"
    where_clause: str | None = None
    fields: list[str] = Field(default_factory=lambda: ["name", "id"])


class SourceConfig(Section):
    """Where the salespeople come from; which key is used depends on ``source_type``."""

    campaign_table: CampaignTableSource | None = None
    file_path: str | None = None
    salespeople_list: list[str] = Field(default_factory=list)
    database_query: DatabaseQuery | None = None
    category: str | None = None
    campaign: str | None = None
    team: str | None = None


class CampaignFiltering(Section):
    """Keep the salespeople of one campaign (§2.2)."""

    enabled: bool = True
    target_campaign: str | None = None
    include_inactive_salespeople: bool = False
    exclude_specific_users: list[str] = Field(default_factory=list)


class SalespersonFilters(Section):
    """Criteria on the selected salespeople (§2.4)."""

    active_only: bool = True
    has_permissions: bool = True
    min_experience_level: NonNegativeInt | None = None
    max_workload_percentage: float | None = Field(default=None, gt=0)
    team_filter: str | None = None


class SalespersonSelection(Section):
    """How the eligible salespeople of the campaign are chosen.

    Which ``source_config`` key a source type needs is checked when the
    salespeople are selected, not here: the spec's §2.4 shows one
    ``source_config`` holding the keys of several source types at once.
    """

    source_type: SourceType = "campaign_table"
    source_config: SourceConfig = Field(default_factory=SourceConfig)
    campaign_filtering: CampaignFiltering = Field(default_factory=CampaignFiltering)
    filters: SalespersonFilters = Field(default_factory=SalespersonFilters)
