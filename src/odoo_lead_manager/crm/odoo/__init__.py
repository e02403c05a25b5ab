"""The Odoo implementation of the CRM store: transports, field mapping, values."""
