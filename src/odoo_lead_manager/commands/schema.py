"""`odlm schema`: the configuration's JSON Schema, or its Markdown reference."""

from __future__ import annotations

import argparse
import json
import sys

from odoo_lead_manager.commands.session import EXIT_OK
from odoo_lead_manager.config.editor import config_json_schema
from odoo_lead_manager.config.reference import configuration_reference
from odoo_lead_manager.errors import UserInputError


def run(args: argparse.Namespace) -> int:
    """`odlm schema`: the JSON Schema for editor completion, or the Markdown reference."""
    if args.format == "markdown":
        text = configuration_reference()
    else:
        text = json.dumps(config_json_schema(), indent=2) + "\n"
    if args.output:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserInputError(
                f"cannot write the schema to {args.output}: {exc.strerror or exc}"
            ) from None
    else:
        sys.stdout.write(text)
    return EXIT_OK
