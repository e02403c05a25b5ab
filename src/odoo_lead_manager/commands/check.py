"""`odlm check`: a configuration checked offline first (itself, the files it names, the
salesperson source's rows, and its names on the embedded CRM store), then, when it names
one and ``--offline`` is not given, its Odoo server reached and the field mapping checked.

Exit status 0 when all is fine; 2 for a problem in the configuration, its files or its
names, and for a server that cannot be reached or does not fit (as every command answers
bad input and an unreachable server).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from odoo_lead_manager.commands.check_offline import (
    Findings,
    offline_findings,
    server_configured,
)
from odoo_lead_manager.commands.resolve import crm_settings, named_teams
from odoo_lead_manager.commands.session import EXIT_OK, load
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.crm.odoo.check import CheckReport, check_odoo
from odoo_lead_manager.crm.odoo.transport import public_url
from odoo_lead_manager.domain import odoo_assignment as odoo
from odoo_lead_manager.ops.text import plural

EXIT_PROBLEM = 2


def run(args: argparse.Namespace) -> int:
    """`odlm check`: everything a run reads without a server, then the server; exit 2 on a
    problem."""
    loaded = load(args.config)
    findings = offline_findings(loaded, date.today())
    print(f"Without a server ({loaded.path}):")
    for finding in findings:
        print(finding.line())
    problems = len(findings.problems)
    if not server_configured(loaded):
        return _offline_verdict(problems, "no Odoo server is configured (crm.backend: local)")
    if args.offline:
        return _offline_verdict(problems, "the Odoo server was not contacted (--offline)")
    if any(f.what == "Odoo connection" for f in findings.problems):
        return _offline_verdict(problems, "the Odoo server was not contacted")
    status = _check_server(loaded, findings)
    if status == EXIT_OK and problems:
        return _offline_verdict(problems, "the Odoo server fits")
    return status


def _offline_verdict(problems: int, server: str) -> int:
    """The last line: all fine, or how many problems (listed above), and the server's part."""
    if problems:
        print(
            f"error: {plural(problems, 'problem')} in the configuration, the files or the names it "
            f"gives (listed above); {server}",
            file=sys.stderr,
        )
        return EXIT_PROBLEM
    print(f"All checks passed; {server}.")
    return EXIT_OK


def _check_server(loaded: LoadedConfig, findings: Findings) -> int:
    """What `odlm check` always did: server, protocol, user, every mapped field, every read
    of a run, and Odoo's own lead assignment."""
    report = check_odoo(crm_settings(loaded), named_teams(loaded))
    print(f"Odoo server: {public_url(report.url)} (version {report.server_version})")
    print(f"Protocol: {report.protocol}")
    print(f"Database: {report.database}  user: {report.username} (uid {report.uid})")
    print("Lead fields:")
    for field in report.fields:
        print(f"  ok       {field.logical:<24} crm.lead.{field.odoo} ({field.type})")
    for problem in report.problems:
        print(f"  PROBLEM  {problem.logical:<24} {problem.problem}")
    if report.problems:
        print(f"error: {plural(len(report.problems), 'mapped field')} not fitting", file=sys.stderr)
        return 2
    print("Reads of a run:")
    for read in report.reads:
        status = "ok     " if read.problem is None else "PROBLEM"
        print(f"  {status}  {read.model}.{read.method} ({read.fields})")
        if read.problem is not None:
            print(f"           {read.problem}")
    if report.failed_reads:
        failing = plural(len(report.failed_reads), "read")
        print(f"error: {failing} of a run failing", file=sys.stderr)
        return 2
    if report.assignment is not None:
        _print_odoo_assignment(report)
    if report.refused:
        print("error: a real run is refused while Odoo assigns leads on its own", file=sys.stderr)
        return 2
    if findings.problems:
        print("All mapped fields fit this server.")
    else:
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
