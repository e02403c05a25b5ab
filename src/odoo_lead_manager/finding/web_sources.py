"""The web sources a run distributes from (spec §3.2): reading the list and checking it.

Names come from a text file, a database table or the configuration. With
``validate_sources`` each configured name is looked up among the CRM's utm
sources (one call per run); names the CRM does not know are reported, and
either dropped from the list (``exclude_invalid: true``) or refused.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from odoo_lead_manager.config import LoadedConfig
from odoo_lead_manager.config.schema.finding import WebSources
from odoo_lead_manager.errors import ConfigError, DataFileError, UserInputError
from odoo_lead_manager.finding.matching import TextMatcher
from odoo_lead_manager.limits import MAX_DATA_FILE_BYTES, read_bounded
from odoo_lead_manager.selection.rows import parse_bool
from odoo_lead_manager.sqldb import check_identifier, database_engine, read_table

KEY = "lead_finding.web_sources"


@dataclass(frozen=True)
class WebSourceList:
    """The matcher built from the configured names, and the names the CRM did not know."""

    matcher: TextMatcher
    unknown: tuple[str, ...] = ()


def read_source_names(loaded: LoadedConfig, cfg: WebSources) -> list[str]:
    """The names of the configured ``source_type``, blank entries dropped."""
    source = cfg.source_config
    if cfg.source_type == "config":
        return [name for name in source.sources if name.strip()]
    if cfg.source_type == "file":
        if not source.file_path:
            raise ConfigError(f"{loaded.path}: {KEY}.source_config.file_path is required")
        path = loaded.resolve_path(source.file_path)
        text = read_bounded(
            path, "web source file", MAX_DATA_FILE_BYTES, DataFileError, "utf-8-sig"
        )
        lines = text.splitlines()
        return [
            line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
        ]
    if not source.table_name:
        raise ConfigError(f"{loaded.path}: {KEY}.source_config.table_name is required")
    where = f"{KEY}.source_config"
    check_identifier(source.table_name, f"{where}.table_name", qualified=True)
    check_identifier(source.name_column, f"{where}.name_column")
    check_identifier(source.active_column, f"{where}.active_column")
    records, _ = read_table(
        database_engine(loaded),
        source.table_name,
        [source.name_column],
        [source.active_column],
        "web source table",
    )
    names = []
    for number, record in enumerate(records, start=1):
        name = str(record[source.name_column] or "").strip()
        active = record.get(source.active_column)
        if active is not None and not isinstance(active, bool | int):
            active = parse_bool(str(active), f"table {source.table_name}, row {number}")
        if name and (cfg.include_inactive or active is None or active):
            names.append(name)
    return names


def web_source_list(
    where: str,
    cfg: WebSources,
    names: Sequence[str],
    crm_sources: Collection[str] | None,
) -> WebSourceList:
    """The matcher for the configured sources, ``names`` as `read_source_names` gave them.

    ``crm_sources`` are the CRM's utm source names, given when validating; ``where``
    names the configuration in messages.
    """
    unknown: list[str] = []
    if crm_sources is not None:
        known = TextMatcher(crm_sources, case_sensitive=cfg.case_sensitive)
        unknown = [name for name in names if not known.matches(name)]
        if unknown and not cfg.exclude_invalid:
            raise UserInputError(
                f"{where}: {KEY}: not utm sources in the CRM: {', '.join(unknown)} "
                f"(fix them, or set exclude_invalid: true to skip them)"
            )
        names = [name for name in names if name not in unknown]
    mode = (
        "partial" if cfg.match_mode == "exact" and cfg.include_partial_matches else cfg.match_mode
    )
    matcher = TextMatcher(
        names,
        mode,
        case_sensitive=cfg.case_sensitive,
        wildcards=cfg.match_patterns,
        regexes=cfg.regex_patterns,
        key=KEY,
    )
    if not matcher:
        raise UserInputError(
            f"{where}: {KEY}: no web source to match (the list is empty"
            + (", every name was unknown to the CRM)" if unknown else ")")
        )
    return WebSourceList(matcher, tuple(unknown))
