"""The names a configuration and the command line both offer, kept free of the schema's
libraries so that `odlm --help` lists them without loading pydantic."""

from typing import Literal

TEMPLATES = ("basic", "advanced", "minimal", "legacy")
ReportFormat = Literal["csv", "json", "html"]
