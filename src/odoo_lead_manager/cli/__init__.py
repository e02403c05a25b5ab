"""The `odlm` command line: arguments in, one verb's command run, its exit status out.

`odoo_lead_manager.cli:main` stays the entry point older installs name.
"""

from odoo_lead_manager.cli.main import main

__all__ = ["main"]
