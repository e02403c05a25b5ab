"""Reading the web sources a run distributes from: a text file or a database table.

The names a configuration lists itself are the planner's own
(`pipeline.finding.web_sources`); these are read once, when the snapshot is
taken, and kept in it.
"""

from __future__ import annotations

from odoo_lead_manager.config.schema.finding import WebSources
from odoo_lead_manager.errors import ConfigError, DataFileError
from odoo_lead_manager.ops.limits import MAX_DATA_FILE_BYTES, read_bounded
from odoo_lead_manager.pipeline.finding.web_sources import KEY, configured_source_names
from odoo_lead_manager.pipeline.selection.rows import parse_bool
from odoo_lead_manager.snapshot.settings import ReadSettings
from odoo_lead_manager.state.engines import check_identifier, database_engine, read_table


def read_source_names(reads: ReadSettings, cfg: WebSources) -> list[str]:
    """The names of the configured ``source_type``, blank entries dropped."""
    source = cfg.source_config
    if cfg.source_type == "config":
        return configured_source_names(cfg)
    if cfg.source_type == "file":
        if not source.file_path:
            raise ConfigError(f"{reads.source.path}: {KEY}.source_config.file_path is required")
        path = reads.source.resolve_path(source.file_path)
        text = read_bounded(
            path, "web source file", MAX_DATA_FILE_BYTES, DataFileError, "utf-8-sig"
        )
        lines = text.splitlines()
        return [
            line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
        ]
    if not source.table_name:
        raise ConfigError(f"{reads.source.path}: {KEY}.source_config.table_name is required")
    where = f"{KEY}.source_config"
    check_identifier(source.table_name, f"{where}.table_name", qualified=True)
    check_identifier(source.name_column, f"{where}.name_column")
    check_identifier(source.active_column, f"{where}.active_column")
    records, _ = read_table(
        database_engine(reads.database, reads.source),
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
