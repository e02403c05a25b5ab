"""Configuration: the typed schema, loading with `${VAR}` substitution, templates."""

from odoo_lead_manager.config.loading import LoadedConfig, load_config, parse_config
from odoo_lead_manager.config.schema import DistributionConfig
from odoo_lead_manager.config.templates import TEMPLATES, generate_config, template_data


def config_json_schema() -> dict[str, object]:
    """The JSON Schema of the configuration file, for editor completion and validation."""
    schema = DistributionConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "odlm daily distribution configuration"
    return schema


__all__ = [
    "TEMPLATES",
    "DistributionConfig",
    "LoadedConfig",
    "config_json_schema",
    "generate_config",
    "load_config",
    "parse_config",
    "template_data",
]
