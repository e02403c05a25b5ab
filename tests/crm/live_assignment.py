"""Odoo's own lead assignment switched on and off on a real server, and put back after.

The live tests turn Settings > CRM > Rule-Based Assignment and its scheduled
action ("CRM: Lead Assignment") on and off as an administrator does, over
RPC: the system parameter ``crm.lead.auto.assignment`` (present while the
setting is ticked) and the action's ``active`` flag. `restore` puts back what
the server had before, so a live run leaves a CRM's settings as it found them.
"""

from __future__ import annotations

from typing import Any

from odoo_lead_manager.crm.odoo.transport import Transport

PARAMETER = "crm.lead.auto.assignment"
ARCHIVED_TOO = {"active_test": False}


class OdooAssignmentSwitch:
    """Sets Odoo's own assignment on one server (as its administrator) and restores it."""

    def __init__(self, transport: Transport) -> None:
        self.t = transport
        found = transport.call(
            "ir.model.data",
            "search_read",
            None,
            domain=[("module", "=", "crm"), ("name", "=", "ir_cron_crm_lead_assign")],
            fields=["res_id"],
        )
        self.cron = int(found[0]["res_id"])
        self.before = (self._parameter() is not None, self._cron()["active"])
        self.interval = (self._cron()["interval_number"], self._cron()["interval_type"])

    def _parameter(self) -> Any:
        found = self.t.call(
            "ir.config_parameter",
            "search_read",
            None,
            domain=[("key", "=", PARAMETER)],
            fields=["value"],
        )
        return found[0]["value"] if found else None

    def _cron(self) -> dict[str, Any]:
        return dict(
            self.t.call(
                "ir.cron",
                "search_read",
                None,
                domain=[("id", "=", self.cron)],
                fields=["active", "interval_number", "interval_type"],
                context=ARCHIVED_TOO,
            )[0]
        )

    def __call__(self, rule_based: bool, scheduled: bool) -> None:
        """Tick or untick Rule-Based Assignment; activate its scheduled action or not."""
        # As the Settings page stores it: the parameter exists only while ticked.
        self.t.call(
            "ir.config_parameter",
            "set_param",
            None,
            key=PARAMETER,
            value="True" if rule_based else False,
        )
        self.t.call("ir.cron", "write", [self.cron], vals={"active": scheduled})

    def restore(self) -> None:
        self(*self.before)
        number, unit = self.interval
        self.t.call(
            "ir.cron", "write", [self.cron], vals={"interval_number": number, "interval_type": unit}
        )
