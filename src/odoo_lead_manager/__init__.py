"""odlm: configuration-driven daily lead distribution for Odoo CRM."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One version source: pyproject.toml, through the installed package's metadata.
    __version__ = version("odoo-lead-manager")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
