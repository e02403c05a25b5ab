"""`python -m odoo_lead_manager` is `odlm`."""

import sys

from odoo_lead_manager.cli.main import main

sys.exit(main())
