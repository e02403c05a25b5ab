# PYTHON_ARGCOMPLETE_OK (argcomplete's mark: `odlm` answers shell completion itself)
"""`odlm`: the arguments parsed, then the one verb asked for imported and run.

Each verb lives in its own module under `odoo_lead_manager.commands` and is
imported only when it runs, after its configuration files are validated: so
`odlm --help`, `odlm --version`, a mistyped option and a bad configuration are
answered before the CRM transports, the tracking database's libraries and the
planner are loaded.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

import argcomplete

from odoo_lead_manager.cli.parser import VERBS, build_parser, config_from_environment

COMMANDS = "odoo_lead_manager.commands"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `odlm`; returns the exit status."""
    parser = build_parser()
    # Called back by the completion script (`odlm completion`): answers and exits; else a no-op.
    argcomplete.autocomplete(parser)
    args = config_from_environment(parser.parse_args(argv))
    try:
        status = run_verb(args.command, args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (`odlm replay RUN | head`): it has what it wanted. What
        # is still buffered goes nowhere, so that leaving says nothing on stderr either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return status


def run_verb(verb: str, args: argparse.Namespace) -> int:
    """The registry: the modules of ``verb`` are imported here, and only here, when it runs."""
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    session = importlib.import_module(f"{COMMANDS}.session")

    def verb_run() -> Callable[[argparse.Namespace], int]:
        run: Callable[[argparse.Namespace], int] = importlib.import_module(f"{COMMANDS}.{verb}").run
        return run

    status: int = session.run_command(args, verb_run)
    return status
