"""`odlm check`: the configured Odoo reached, and the field mapping checked."""

from __future__ import annotations

import argparse
import sys

from odoo_lead_manager.commands.resolve import crm_settings, named_teams
from odoo_lead_manager.commands.session import EXIT_OK, load
from odoo_lead_manager.crm.odoo.check import CheckReport, check_odoo
from odoo_lead_manager.domain import odoo_assignment as odoo


def run(args: argparse.Namespace) -> int:
    """`odlm check`: server, protocol, user, and every mapped field; exit 2 on a problem."""
    loaded = load(args.config)
    report = check_odoo(crm_settings(loaded), named_teams(loaded))
    print(f"Odoo server: {report.url} (version {report.server_version})")
    print(f"Protocol: {report.protocol}")
    print(f"Database: {report.database}  user: {report.username} (uid {report.uid})")
    print("Lead fields:")
    for field in report.fields:
        print(f"  ok       {field.logical:<24} crm.lead.{field.odoo} ({field.type})")
    for problem in report.problems:
        print(f"  PROBLEM  {problem.logical:<24} {problem.problem}")
    if report.problems:
        print(f"error: {len(report.problems)} mapped field(s) do not fit", file=sys.stderr)
        return 2
    print("Reads of a run:")
    for read in report.reads:
        status = "ok     " if read.problem is None else "PROBLEM"
        print(f"  {status}  {read.model}.{read.method} ({read.fields})")
        if read.problem is not None:
            print(f"           {read.problem}")
    if report.failed_reads:
        print(f"error: {len(report.failed_reads)} read(s) of a run fail", file=sys.stderr)
        return 2
    if report.assignment is not None:
        _print_odoo_assignment(report)
    if report.refused:
        print("error: a real run is refused while Odoo assigns leads on its own", file=sys.stderr)
        return 2
    print("All mapped fields fit; this configuration can run against this server.")
    return EXIT_OK


def _print_odoo_assignment(report: CheckReport) -> None:
    """What `odlm check` says of Odoo's own lead assignment, in Odoo's words."""
    assignment = report.assignment
    assert assignment is not None
    print(f"Odoo's own lead assignment ({odoo.WHERE}):")
    print(f"  {odoo.describe(assignment)}")
    for note in odoo.team_notes(assignment, report.teams):
        print(f"  {note}")
    every = {t.id for t in assignment.teams}
    others = [t for t in assignment.teams_of(every) if t.id not in report.teams]
    if others and (assignment.rule_based or assignment.scheduled):
        names = ", ".join(f"{t.name} ({t.capacity:,})" for t in others)
        print(f"  other sales teams with members' capacity ({odoo.CAPACITY}): {names}")
    if not assignment.automatic:
        return
    if report.accepts_odoo_assignment:
        print(f"  a real run goes on anyway ({odoo.ACCEPT_KEY}: accept)")
    else:
        print(f"  PROBLEM  {odoo.refusal(assignment, report.teams)}")
