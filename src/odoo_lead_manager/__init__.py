"""odlm: configuration-driven daily lead distribution for Odoo CRM."""

# The one version source: pyproject.toml reads it from here (setuptools' dynamic version),
# and `odlm --version` prints it without asking the installed metadata.
__version__ = "0.1.0"
