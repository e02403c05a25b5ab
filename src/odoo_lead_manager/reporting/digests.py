"""Telling each salesperson what a run did to their leads (``reporting.digests``): one
message per salesperson per real run, never one per lead.

A digest lists the leads the run wrote to that salesperson and the leads it
moved from them to a colleague — name, source, date and, for the leads they
hold, when the Odoo server's address is known, a link to the lead in the
right database — as an e-mail (plain text and HTML, through
``reporting.email``'s SMTP server, to the CRM user's login when it is an
address), a JSON post to an incoming webhook (Slack- or Teams-style:
``{"text": ...}`` plus the leads) and/or an ``.eml`` file. `odlm undo` sends
a correction of the same kind to everyone it touches: the leads given back
to their previous holders, and the leads that are theirs again. Only leads
actually written (or, for an undo, actually restored) are listed.

A webhook is tried at most ``webhook_attempts`` times; a digest that cannot
be delivered is a warning, and the run stands. Salespeople in ``opt_out``
get nothing. The webhook's address is never printed (it usually holds a
token): messages name its host only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from email.utils import formatdate, make_msgid
from html import escape
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from odoo_lead_manager.config.schema.operations import Digests
from odoo_lead_manager.domain.model import Assignment, LeadFacts
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import RUN_DIGEST, UNDO_DIGEST
from odoo_lead_manager.reporting.email import EmailNotSent, SmtpSettings, send_message

# The channels a digest goes through, as the journal records them.
EMAIL, WEBHOOK, FILE = "email", "webhook", "file"
# How long a line of an .eml file may be (RFC 5322's limit): the subject and each lead
# stay on one readable line, as a mail tool shows them.
FILE_LINE_LENGTH = 998
# The first Odoo whose web client opens a record at /odoo/<model>/<id>.
PATH_URLS_SINCE = 18


@dataclass(frozen=True)
class OdooLinks:
    """Where lead links point: the web client at ``base``, in ``database``.

    The database travels as ``?db=``, which the web client's routes read
    (`ensure_db`) before anything else, so that an Odoo serving several
    databases opens the lead in this one instead of its database selector.
    Odoo 18 and later open a record at ``/odoo/crm.lead/<id>``; Odoo 17 (and
    a server whose version is not known: every version up to 19 still
    accepts it) at ``/web#id=<id>&model=crm.lead&view_type=form``.
    """

    base: str
    database: str | None = None
    version: int | None = None

    def lead(self, lead_id: int) -> str:
        base = self.base.rstrip("/")
        db = f"?db={quote(self.database, safe='')}" if self.database else ""
        if self.version is not None and self.version >= PATH_URLS_SINCE:
            return f"{base}/odoo/crm.lead/{lead_id}{db}"
        return f"{base}/web{db}#id={lead_id}&model=crm.lead&view_type=form"


@dataclass(frozen=True)
class DigestLead:
    lead_id: int
    name: str
    source: str
    day: str
    link: str | None
    # Who holds the lead now, when that is someone else (a lead moved to a colleague,
    # or given back by an undo).
    holder: str = ""


@dataclass(frozen=True)
class Digest:
    """What one run did to one salesperson's leads.

    ``kind`` ``run``: ``leads`` are the leads the run wrote to them, ``moved``
    those it moved from them to colleagues. ``kind`` ``undo`` (`odlm undo`'s
    correction): ``leads`` are the leads they had received and that went back
    to their previous holders, ``moved`` their own leads that are theirs again.
    """

    user_id: int
    name: str
    address: str | None
    campaign: str
    day: str
    run_id: str
    leads: tuple[DigestLead, ...]
    moved: tuple[DigestLead, ...] = ()
    kind: str = RUN_DIGEST

    @property
    def subject(self) -> str:
        if self.kind == UNDO_DIGEST:
            return f"{'; '.join(self._undo_parts())} ({self.campaign})"
        got = _leads(len(self.leads), "new lead") if self.leads else "no new leads"
        moved = len(self.moved) or "none"
        return f"{got} for you, {moved} moved to colleagues ({self.campaign}, {self.day})"

    @property
    def sentence(self) -> str:
        """The subject as the message's first sentence."""
        return f"{self.subject[:1].upper()}{self.subject[1:]}."

    def _undo_parts(self) -> list[str]:
        parts = []
        if self.leads:
            one = len(self.leads) == 1
            parts.append(
                f"{_leads(len(self.leads), 'lead')} you received on {self.day} "
                + ("was given back to its previous holder" if one else "were given back to "
                   "their previous holders")
            )  # fmt: skip
        if self.moved:
            one = len(self.moved) == 1
            when = "that day" if parts else f"on {self.day}"
            parts.append(
                f"{_leads(len(self.moved), 'lead')} moved from you {when} "
                f"{'is' if one else 'are'} yours again"
            )
        return parts

    def _sections(self) -> list[tuple[str, tuple[DigestLead, ...], str]]:
        """Each list of the message: its heading, its leads, and how their holder is said."""
        if self.kind == UNDO_DIGEST:
            return [
                ("Given back to their previous holders", self.leads, "back with"),
                ("Yours again", self.moved, ""),
            ]
        return [("New for you", self.leads, ""), ("Moved to colleagues", self.moved, "now with")]

    def text(self) -> str:
        lines = [f"Hello {self.name},", "", f"{self.sentence}"]
        for heading, leads, holder in self._sections():
            if not leads:
                continue
            lines += ["", f"{heading}:", ""]
            for lead in leads:
                held = f", {holder} {lead.holder}" if holder and lead.holder else ""
                where = f" - {lead.link}" if lead.link else ""
                lines.append(
                    f"- {lead.name} (source {lead.source or '-'}, {lead.day or 'no date'})"
                    f"{held}{where}"
                )
        what = "the undo of odlm run" if self.kind == UNDO_DIGEST else "odlm run"
        lines += ["", f"{what} {self.run_id}"]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        tables = []
        for heading, leads, holder in self._sections():
            if not leads:
                continue
            rows = "\n".join(
                f"<tr><td>{_linked(lead)}</td><td>{escape(lead.source or '-')}</td>"
                f"<td>{escape(lead.day or '-')}</td>"
                + (f"<td>{escape(lead.holder)}</td>" if holder else "")
                + "</tr>"
                for lead in leads
            )
            extra = f"<th>{escape(holder.capitalize())}</th>" if holder else ""
            tables.append(
                f"<h3>{escape(heading)}</h3>\n<table><thead><tr><th>Lead</th><th>Source</th>"
                f"<th>Date</th>{extra}</tr></thead><tbody>\n{rows}\n</tbody></table>\n"
            )
        what = "the undo of odlm run" if self.kind == UNDO_DIGEST else "odlm run"
        return (
            f"<p>Hello {escape(self.name)},</p>\n<p>{escape(self.sentence)}</p>\n"
            f"{''.join(tables)}<p>{what} {escape(self.run_id)}</p>\n"
        )

    def message(self, sender: str, line_length: int = 78) -> EmailMessage:
        """The digest as an e-mail: plain text with an HTML alternative; header and text
        lines longer than ``line_length`` are folded or encoded."""
        message = EmailMessage(policy=default.clone(max_line_length=line_length))
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
            "kind": self.kind,
            "salesperson": self.name,
            "campaign": self.campaign,
            "date": self.day,
            "run_id": self.run_id,
            "leads": [vars(lead).copy() for lead in self.leads],
            "moved": [vars(lead).copy() for lead in self.moved],
        }

    @property
    def filename(self) -> str:
        """``<date>-<campaign>-<user id>.eml`` (``-undo`` before the suffix for a correction)."""
        campaign = "".join(c if c.isalnum() else "-" for c in self.campaign) or "campaign"
        undo = "-undo" if self.kind == UNDO_DIGEST else ""
        return f"{self.day}-{campaign}-{self.user_id}{undo}.eml"


def _leads(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _linked(lead: DigestLead) -> str:
    name = escape(lead.name)
    return f'<a href="{escape(lead.link)}">{name}</a>' if lead.link else name


def address_of(login: str, domain: str | None) -> str | None:
    """The login when it is an e-mail address, else ``login@domain`` (None without one)."""
    if "@" in login:
        return login
    return f"{login}@{domain}" if login and domain else None


def build_digests(
    plan: Plan, placed: Iterable[int], settings: Digests, links: OdooLinks | None
) -> list[Digest]:
    """One digest per salesperson of the plan who received a lead the run wrote or lost
    one it wrote to a colleague, but those opted out."""
    return _build(plan, set(placed), settings, links, RUN_DIGEST)


def build_corrections(
    plan: Plan, restored: Iterable[int], settings: Digests, links: OdooLinks | None
) -> list[Digest]:
    """`odlm undo`'s correction: one per salesperson of the plan who had received a lead
    now restored, or gets one back, but those opted out."""
    return _build(plan, set(restored), settings, links, UNDO_DIGEST)


def _build(
    plan: Plan, changed: set[int], settings: Digests, links: OdooLinks | None, kind: str
) -> list[Digest]:
    opted_out = {name.casefold() for name in settings.opt_out}
    people = {p.user_id: p for p in plan.salespeople if p.name.casefold() not in opted_out}
    received: dict[int, list[DigestLead]] = {}
    moved: dict[int, list[DigestLead]] = {}
    undo = kind == UNDO_DIGEST
    for assignment in plan.handed_out:
        if assignment.lead_id not in changed:
            continue
        previous = assignment.previous_user_id
        if assignment.user_id in people:
            # A lead they hold now has a link; one given back by an undo does not.
            holder = plan.user_name(previous) if undo and previous is not None else ""
            lead = _lead(plan, assignment, None if undo else links, holder)
            received.setdefault(assignment.user_id, []).append(lead)
        if previous is not None and previous in people and previous != assignment.user_id:
            holder = "" if undo else plan.user_name(assignment.user_id)
            lead = _lead(plan, assignment, links if undo else None, holder)
            moved.setdefault(previous, []).append(lead)
    digests = []
    for user_id in sorted(received.keys() | moved.keys(), key=lambda uid: people[uid].name):
        person = people[user_id]
        digests.append(
            Digest(
                user_id,
                person.name,
                address_of(person.login, settings.login_domain),
                plan.campaign or "",
                plan.today.isoformat(),
                plan.run_id,
                _sorted(received.get(user_id, [])),
                _sorted(moved.get(user_id, [])),
                kind,
            )
        )
    return digests


def _lead(plan: Plan, assignment: Assignment, links: OdooLinks | None, holder: str) -> DigestLead:
    facts = plan.lead_facts.get(assignment.lead_id, LeadFacts())
    return DigestLead(
        assignment.lead_id,
        facts.name,
        facts.source or "",
        facts.day.isoformat() if facts.day else "",
        links.lead(assignment.lead_id) if links is not None else None,
        holder,
    )


def _sorted(leads: list[DigestLead]) -> tuple[DigestLead, ...]:
    return tuple(sorted(leads, key=lambda lead: lead.lead_id))


@dataclass(frozen=True)
class Sent:
    """One digest through one channel: delivered (``problem`` None), or not and why."""

    digest: Digest
    channel: str
    problem: str | None = None

    @property
    def note(self) -> str:
        what = "correction" if self.digest.kind == UNDO_DIGEST else "digest"
        return f"{what} for {self.digest.name} {self.problem}"


@dataclass(frozen=True)
class Channels:
    """Where digests go: the SMTP server, the webhook, the ``.eml`` folder (each optional)."""

    smtp: SmtpSettings | None = None
    webhook_url: str | None = None
    webhook_attempts: int = 3
    webhook_timeout: float = 10.0
    directory: Path | None = None
    sender: str = "odlm@localhost"


def deliver(
    digests: Sequence[Digest],
    channels: Channels,
    done: Iterable[tuple[str, int, str]] = (),
    sleep: Callable[[float], None] | None = None,
) -> list[Sent]:
    """Send each digest through each channel, but where ``done`` holds its (kind, user id,
    channel): delivered before."""
    skip = set(done)

    def todo(channel: str) -> list[Digest]:
        return [d for d in digests if (d.kind, d.user_id, channel) not in skip]

    sent: list[Sent] = []
    if channels.smtp is not None:
        sent += email_digests(todo(EMAIL), channels.smtp)
    if channels.webhook_url and todo(WEBHOOK):
        sent += post_digests(
            todo(WEBHOOK),
            channels.webhook_url,
            channels.webhook_attempts,
            channels.webhook_timeout,
            sleep,
        )
    if channels.directory is not None:
        sent += write_digests(todo(FILE), channels.directory, channels.sender)
    return sent


def email_digests(digests: Iterable[Digest], smtp: SmtpSettings) -> list[Sent]:
    """Send each digest with an address."""
    sent = []
    for digest in digests:
        if digest.address is None:
            problem = (
                "not e-mailed: the CRM user's login is no e-mail address (set "
                "reporting.digests.login_domain)"
            )
            sent.append(Sent(digest, EMAIL, problem))
            continue
        message = digest.message(smtp.sender)
        try:
            send_message(message, SmtpSettings(**{**vars(smtp), "recipients": (digest.address,)}))
        except EmailNotSent as exc:
            sent.append(Sent(digest, EMAIL, f"not e-mailed: {exc.message}"))
        else:
            sent.append(Sent(digest, EMAIL))
    return sent


def post_digests(
    digests: Iterable[Digest],
    url: str,
    attempts: int,
    timeout: float,
    sleep: Callable[[float], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[Sent]:
    """Post each digest to the webhook, retrying a refused or failed post with a growing
    pause (at most ``attempts`` tries each)."""
    pause = sleep or time.sleep
    host = urlsplit(url).hostname or "the webhook"
    sent = []
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
            note = f"not delivered to the webhook at {host}: {problem}" if problem else None
            sent.append(Sent(digest, WEBHOOK, note))
    return sent


def write_digests(digests: Iterable[Digest], directory: Path, sender: str) -> list[Sent]:
    """Each digest as an ``.eml`` file in ``directory`` (for a mail tool, an archive, or a
    look before sending), named by `Digest.filename`."""
    digests = list(digests)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [Sent(d, FILE, f"not written to {directory}: {exc.strerror}") for d in digests]
    sent = []
    for digest in digests:
        path = directory / digest.filename
        try:
            path.write_bytes(bytes(digest.message(sender, FILE_LINE_LENGTH)))
        except OSError as exc:
            sent.append(Sent(digest, FILE, f"not written to {path}: {exc.strerror}"))
        else:
            sent.append(Sent(digest, FILE))
    return sent
