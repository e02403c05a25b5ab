"""`odlm completion SHELL`: the script that makes a shell complete odlm's verbs and options.

The script calls `odlm` back with argcomplete's variables set, and `cli.main` answers
from the same parser that reads the command line: completion cannot drift from it.
"""

from __future__ import annotations

import argparse
import sys

import argcomplete

from odoo_lead_manager.commands.session import EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Print the completion script of ``args.shell`` for the command `odlm`."""
    sys.stdout.write(argcomplete.shellcode(["odlm"], shell=args.shell))
    return EXIT_OK
