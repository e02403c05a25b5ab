"""Telling each salesperson what they got (``reporting.digests``): one message per
salesperson per real run, never one per lead.

A digest lists the leads the run wrote to that salesperson — name, source,
date and, when the Odoo server's address is known, a link to the lead — as
an e-mail (plain text and HTML, through ``reporting.email``'s SMTP server,
to the CRM user's login when it is an address) and/or a JSON post to an
incoming webhook (Slack- or Teams-style: ``{"text": ...}`` plus the leads).
A webhook is tried at most ``webhook_attempts`` times; a digest that cannot
be delivered is a warning, and the run stands. Salespeople in ``opt_out``
get nothing. The webhook's address is never printed (it usually holds a
token): messages name its host only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from odoo_lead_manager.config.schema.operations import Digests
from odoo_lead_manager.model import LeadFacts
from odoo_lead_manager.plan import Plan
from odoo_lead_manager.reporting.email import EmailNotSent, SmtpSettings, send_message


@dataclass(frozen=True)
class DigestLead:
    lead_id: int
    name: str
    source: str
    day: str
    link: str | None


@dataclass(frozen=True)
class Digest:
    """What one salesperson received in one run."""

    user_id: int
    name: str
    address: str | None
    campaign: str
    day: str
    run_id: str
    leads: tuple[DigestLead, ...]

    @property
    def subject(self) -> str:
        count = len(self.leads)
        return f"{count} new lead{'s' if count != 1 else ''} for you ({self.campaign}, {self.day})"

    def text(self) -> str:
        lines = [f"Hello {self.name},", "", f"{self.subject}:", ""]
        for lead in self.leads:
            where = f" - {lead.link}" if lead.link else ""
            lines.append(
                f"- {lead.name} (source {lead.source or '-'}, {lead.day or 'no date'}){where}"
            )
        lines += ["", f"odlm run {self.run_id}"]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        rows = "".join(
            f"<tr><td>{_linked(lead)}</td><td>{escape(lead.source or '-')}</td>"
            f"<td>{escape(lead.day or '-')}</td></tr>"
            for lead in self.leads
        )
        return (
            f"<p>Hello {escape(self.name)},</p><p>{escape(self.subject)}:</p>"
            "<table><tr><th>Lead</th><th>Source</th><th>Date</th></tr>"
            f"{rows}</table><p>odlm run {escape(self.run_id)}</p>"
        )

    def message(self, sender: str) -> EmailMessage:
        """The digest as an e-mail: plain text with an HTML alternative."""
        message = EmailMessage()
        message["Subject"] = f"odlm: {self.subject}"
        message["From"] = sender
        if self.address:
            message["To"] = self.address
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="odlm")
        message.set_content(self.text())
        message.add_alternative(self.html(), subtype="html")
        return message

    def payload(self) -> dict[str, object]:
        return {
            "text": self.text(),
            "salesperson": self.name,
            "campaign": self.campaign,
            "date": self.day,
            "run_id": self.run_id,
            "leads": [vars(lead).copy() for lead in self.leads],
        }


def _linked(lead: DigestLead) -> str:
    name = escape(lead.name)
    return f'<a href="{escape(lead.link)}">{name}</a>' if lead.link else name


def lead_link(base: str | None, lead_id: int) -> str | None:
    """The address of a lead's form in Odoo's web client."""
    if not base:
        return None
    return f"{base.rstrip('/')}/web#id={lead_id}&model=crm.lead&view_type=form"


def address_of(login: str, domain: str | None) -> str | None:
    """The login when it is an e-mail address, else ``login@domain`` (None without one)."""
    if "@" in login:
        return login
    return f"{login}@{domain}" if login and domain else None


def build_digests(
    plan: Plan, placed: Iterable[int], settings: Digests, base_url: str | None
) -> list[Digest]:
    """One digest per salesperson who received a lead the run wrote, but those opted out."""
    written = set(placed)
    opted_out = {name.casefold() for name in settings.opt_out}
    people = {p.user_id: p for p in plan.salespeople}
    leads: dict[int, list[DigestLead]] = {}
    for assignment in plan.assignments:
        if assignment.lead_id not in written or assignment.user_id not in people:
            continue
        facts = plan.lead_facts.get(assignment.lead_id, LeadFacts())
        leads.setdefault(assignment.user_id, []).append(
            DigestLead(
                assignment.lead_id,
                facts.name,
                facts.source or "",
                facts.day.isoformat() if facts.day else "",
                lead_link(base_url, assignment.lead_id),
            )
        )
    digests = []
    for user_id, received in sorted(leads.items(), key=lambda item: people[item[0]].name):
        person = people[user_id]
        if person.name.casefold() in opted_out:
            continue
        digests.append(
            Digest(
                user_id,
                person.name,
                address_of(person.login, settings.login_domain),
                plan.campaign or "",
                plan.today.isoformat(),
                plan.run_id,
                tuple(sorted(received, key=lambda lead: lead.lead_id)),
            )
        )
    return digests


def email_digests(digests: Iterable[Digest], smtp: SmtpSettings) -> list[str]:
    """Send each digest with an address; what could not be sent, as notes."""
    notes = []
    for digest in digests:
        if digest.address is None:
            notes.append(
                f"digest for {digest.name} not e-mailed: the CRM user's login is no e-mail "
                "address (set reporting.digests.login_domain)"
            )
            continue
        message = digest.message(smtp.sender)
        try:
            send_message(message, SmtpSettings(**{**vars(smtp), "recipients": (digest.address,)}))
        except EmailNotSent as exc:
            notes.append(f"digest for {digest.name}: {exc.message}")
    return notes


def post_digests(
    digests: Iterable[Digest],
    url: str,
    attempts: int,
    timeout: float,
    sleep: Callable[[float], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[str]:
    """Post each digest to the webhook, retrying a refused or failed post with a growing
    pause (at most ``attempts`` tries each); what could not be delivered, as notes."""
    pause = sleep or time.sleep
    host = urlsplit(url).hostname or "the webhook"
    notes = []
    with httpx.Client(timeout=timeout, transport=transport) as client:
        for digest in digests:
            problem = ""
            for attempt in range(attempts):
                if attempt:
                    pause(min(2.0**attempt, 30.0))
                try:
                    answer = client.post(url, json=digest.payload())
                except httpx.HTTPError as exc:
                    problem = type(exc).__name__
                    continue
                if answer.is_success:
                    problem = ""
                    break
                problem = f"HTTP {answer.status_code}"
                if answer.status_code < 500 and answer.status_code != 429:
                    break  # refused for good: the same post would be refused again
            if problem:
                notes.append(
                    f"digest for {digest.name} not delivered to the webhook at {host}: {problem}"
                )
    return notes


def write_digests(digests: Iterable[Digest], directory: Path, sender: str) -> list[Path]:
    """Each digest as an ``.eml`` file in ``directory`` (for a mail tool, an archive, or a
    look before sending): ``<date>-<campaign>-<user id>.eml``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for digest in digests:
        campaign = "".join(c if c.isalnum() else "-" for c in digest.campaign) or "campaign"
        path = directory / f"{digest.day}-{campaign}-{digest.user_id}.eml"
        path.write_bytes(bytes(digest.message(sender)))
        written.append(path)
    return written
