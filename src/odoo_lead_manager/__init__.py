"""odlm: configuration-driven daily lead distribution for Odoo CRM."""

__version__ = "0.1.0"
