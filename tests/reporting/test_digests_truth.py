# ruff: noqa: F811  (the fixtures imported from the other digest tests are parameters here)
"""Digests that match what happened: each salesperson a run touched is told what it gave them
and what it moved from them (those who only lose leads too), `odlm undo` sends a correction
to exactly those it touches, lead links open the configured Odoo database, and a digest that
did not arrive shows in `odlm status` and is sent again, once, by `odlm digests resend`.

Everything is checked where a salesperson or an operator would see it: the CRM, the ``.eml``
files, the posts the webhook received, the e-mails the SMTP server took, the command's
output and exit status."""

from __future__ import annotations

import email
import itertools
import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.runs import DigestDelivery
from odoo_lead_manager.errors import CrmUnavailable
from odoo_lead_manager.reporting.digests import OdooLinks
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.schema import upgrade
from odoo_lead_manager.state.tracking import Journal
from tests.apply.faults import Fault, FaultyStore
from tests.conftest import TODAY
from tests.crm.fake_odoo import FakeOdoo
from tests.e2e.test_odoo_run import odoo_demo  # noqa: F401  (the fake Odoo 17 and 19)
from tests.reporting.test_digests import (
    TOKEN,
    Hook,
    digests_block,
    lost_in_crm,
    owners,
    received_in_crm,
    webhook,  # noqa: F401  (the webhook sink fixture)
)
from tests.reporting.test_email import PASSWORD, Server, smtp_server  # noqa: F401  (the SMTP server fixture)
from tests.reporting.test_email import configure as with_smtp
from tests.state.conftest import KINDS, connection_block, fresh_database
from tests.state.helpers import tiny_plan

BOB = "Bob Johnson"
# The demo campaign's salespeople (Eve Davis is inactive in the campaign table and Frank
# Miller archived in the CRM: their leads are handed out, and they are not told).
SALESPEOPLE = ("Alice Smith", "Bob Johnson", "Carol Williams", "Dave Brown")


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused post is tried again after a pause: not in these tests."""
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)


def with_digests(folder: Path, **values: object) -> Path:
    config = folder / "config.yaml"
    config.write_text(config.read_text() + "reporting:\n" + digests_block(**values))
    return config


def away_all_day(directory: Path, name: str) -> None:
    """``name`` is away today: the run hands out their leads and gives them none."""
    (directory / "absences.csv").write_text(
        f"salesperson_name,from,to,part\n{name},{date.today()},{date.today()},\n"
    )
    config = directory / "config.yaml"
    config.write_text(
        config.read_text().replace(
            "salesperson_selection:\n",
            "salesperson_selection:\n  availability: {absences_file: absences.csv}\n",
            1,
        )
    )


def users(directory: Path) -> dict[str, int]:
    with LocalStore.open(directory / "crm.sqlite") as store:
        return {u.name: u.id for u in store.users_by_id(range(1, 40))}


def eml(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def listed(text: str, heading: str) -> list[str]:
    """The lead lines under ``heading`` in a digest's text."""
    found = re.search(rf"^{heading}:\n\n((?:- .*\n)+)", text, re.M)
    return found.group(1).splitlines() if found else []


def lead_names(directory: Path) -> dict[int, str]:
    with LocalStore.open(directory / "crm.sqlite") as store:
        return {lead.id: lead.name for lead in store.search_leads([("active", "in", [True])])}


def run_id_of(output: str) -> str:
    found = re.search(r"odlm undo ([0-9a-f]{32})", output)
    assert found, output
    return found.group(1)


# What a run tells


def test_a_salesperson_who_only_loses_leads_is_told_what_moved_to_whom(
    todays_demo_dir: Path,
    webhook: Hook,
) -> None:
    away_all_day(todays_demo_dir, BOB)
    config = with_digests(
        todays_demo_dir, directory="digests", webhook_url=webhook.url, opt_out=["dave BROWN"]
    )
    people = users(todays_demo_dir)
    before = owners(todays_demo_dir)
    assert main(["dailydist", "--config", str(config)]) == 0
    after = owners(todays_demo_dir)
    got, lost = received_in_crm(before, after), lost_in_crm(before, after)
    bob = people[BOB]
    assert bob not in got and lost[bob], "away, Bob only loses leads"
    # One message, saying both counts and listing each lead with who holds it now.
    (path,) = (todays_demo_dir / "digests").glob(f"*-{bob}.eml")
    message = eml(path)
    today = date.today().isoformat()
    assert message["Subject"] == (
        f"odlm: no new leads for you, {len(lost[bob])} moved to colleagues (Voice, {today})"
    )
    text = text_of(message)
    assert listed(text, "New for you") == []
    moved = listed(text, "Moved to colleagues")
    assert len(moved) == len(lost[bob])
    names, by_id = lead_names(todays_demo_dir), {uid: name for name, uid in people.items()}
    for lead in lost[bob]:
        line = f"- {names[lead]} ("
        holder = f", now with {by_id[after[lead] or 0]}"
        assert any(m.startswith(line) and m.endswith(holder) for m in moved), (lead, holder)
    # The webhook: one post per salesperson the run touched, but the one opted out.
    posts = {post["salesperson"]: post for post in webhook.posts}
    assert len(webhook.posts) == len(posts)
    touched = {name for name in SALESPEOPLE if people[name] in got.keys() | lost.keys()}
    assert set(posts) == touched - {"Dave Brown"} and BOB in posts
    for name, post in posts.items():
        assert post["kind"] == "run"
        assert {lead["lead_id"] for lead in post["leads"]} == got.get(people[name], set())
        assert {lead["lead_id"] for lead in post["moved"]} == lost.get(people[name], set())
    files = {int(p.stem.rsplit("-", 1)[1]) for p in (todays_demo_dir / "digests").glob("*.eml")}
    assert files == {people[name] for name in posts}


def test_only_leads_the_run_wrote_are_counted(
    todays_demo_dir: Path,
    webhook: Hook,
) -> None:
    # A saved plan, then a lead of it changed in the CRM: `odlm apply` leaves that one alone,
    # and neither its new holder nor its old one is told about it.
    config = with_digests(todays_demo_dir, webhook_url=webhook.url)
    plan_file = todays_demo_dir / "plan.json"
    command = ["dailydist", "--config", str(config), "--dry-run", "--plan-out", str(plan_file)]
    assert main(command) == 0
    plan = json.loads(plan_file.read_text())
    changed = plan["assignments"][0]
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        store.write_leads([changed["lead_id"]], {"status": "Won"})
    before = owners(todays_demo_dir)
    assert main(["apply", str(plan_file), "--config", str(config)]) == 0
    after = owners(todays_demo_dir)
    assert after[changed["lead_id"]] == before[changed["lead_id"]]
    told = {lead["lead_id"] for post in webhook.posts for lead in post["leads"]}
    taken = {lead["lead_id"] for post in webhook.posts for lead in post["moved"]}
    assert changed["lead_id"] not in told | taken
    got, lost = received_in_crm(before, after), lost_in_crm(before, after)
    people = users(todays_demo_dir)
    assert told == {lead for name in SALESPEOPLE for lead in got.get(people[name], set())}
    assert taken == {lead for name in SALESPEOPLE for lead in lost.get(people[name], set())}


# What an undo tells


def test_undo_corrects_exactly_the_salespeople_whose_leads_it_gave_back(
    todays_demo_dir: Path,
    webhook: Hook,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = with_digests(todays_demo_dir, directory="digests", webhook_url=webhook.url)
    assert main(["dailydist", "--config", str(config)]) == 0
    run_id = run_id_of(capsys.readouterr().out)
    run_posts = len(webhook.posts)
    after_run = owners(todays_demo_dir)
    people = users(todays_demo_dir)
    # Every lead Carol received is changed by hand since: undo leaves them alone, so she
    # loses nothing back; only what she had lost comes back to her.
    carol = people["Carol Williams"]
    hers = [lead for lead, owner in after_run.items() if owner == carol]
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        store.write_leads(hers, {"status": "Won"})
    assert main(["undo", run_id[:8], "--config", str(config)]) == 0
    out = capsys.readouterr().out
    after_undo = owners(todays_demo_dir)
    restored = {lead for lead in after_run if after_undo[lead] != after_run[lead]}
    assert restored and not restored & set(hers)
    given_back = {uid: {x for x in restored if after_run[x] == uid} for uid in people.values()}
    back_again = {uid: {x for x in restored if after_undo[x] == uid} for uid in people.values()}
    touched = {name for name in SALESPEOPLE if given_back[people[name]] or back_again[people[name]]}
    corrections = webhook.posts[run_posts:]
    assert {post["salesperson"] for post in corrections} == touched
    assert len(corrections) == len(touched)  # one each
    day = date.today().isoformat()
    for post in corrections:
        uid = people[post["salesperson"]]
        assert post["kind"] == "undo" and post["run_id"] == run_id
        assert {lead["lead_id"] for lead in post["leads"]} == given_back[uid]
        assert {lead["lead_id"] for lead in post["moved"]} == back_again[uid]
        message = eml(todays_demo_dir / "digests" / f"{day}-Voice-{uid}-undo.eml")
        n, m = len(given_back[uid]), len(back_again[uid])
        parts = []
        if n:
            parts.append(
                f"{n} lead{'s' * (n != 1)} you received on {day} "
                + ("was given back to its previous holder" if n == 1 else
                   "were given back to their previous holders")
            )  # fmt: skip
        if m:
            when = "that day" if n else f"on {day}"
            verb = "is" if m == 1 else "are"
            parts.append(f"{m} lead{'s' * (m != 1)} moved from you {when} {verb} yours again")
        assert message["Subject"] == f"odlm: {'; '.join(parts)} (Voice)"
        text = text_of(message)
        assert len(listed(text, "Given back to their previous holders")) == n
        assert len(listed(text, "Yours again")) == m
    assert not given_back[carol] and back_again[carol]
    assert f"Corrections: {len(touched)} salespeople told what undo gave back" in out
    # Undoing again changes nothing and tells nobody again.
    assert main(["undo", run_id, "--config", str(config)]) == 0
    assert len(webhook.posts) == run_posts + len(corrections)


# Links


@pytest.mark.parametrize("odoo_demo", [17, 19], indirect=True, ids=["odoo17", "odoo19"])
def test_lead_links_open_the_configured_database_in_each_odoo_version(
    odoo_demo: tuple[Path, FakeOdoo],
) -> None:
    config, fake = odoo_demo
    config.write_text(config.read_text() + "reporting:\n" + digests_block(directory="digests"))
    command = ["dailydist", "--config", str(config), "--today", TODAY.isoformat(), "--run-again"]
    assert main(command) == 0
    files = sorted((config.parent / "digests").glob("*.eml"))
    assert files
    url = re.escape(re.sub(r"/+$", "", os.environ["ODOO_URL"]))
    form = (
        rf"{url}/odoo/crm\.lead/(\d+)\?db=crm"
        if fake.version_major >= 18
        else rf"{url}/web\?db=crm#id=(\d+)&model=crm\.lead&view_type=form"
    )
    leads = fake.models["crm.lead"]
    written = {lead for model, lead in fake.writes if model == "crm.lead"}
    for path in files:
        uid = int(path.stem.rsplit("-", 1)[1])
        text = text_of(eml(path))
        new = listed(text, "New for you")
        found = [re.fullmatch(form, line.rsplit(" - ", 1)[1]) for line in new]
        assert new and all(found), new[:3]
        # Each link opens one of the leads the run wrote to this salesperson.
        holds = {i for i in written if _id(leads[i]["user_id"]) == uid}
        assert {int(m.group(1)) for m in found if m} == holds
        # Leads that went to colleagues are not theirs to open any more: no link.
        assert all(" - http" not in line for line in listed(text, "Moved to colleagues"))


def _id(value: object) -> object:
    """A many2one as Odoo reads it ([id, name]) or as written (id)."""
    return value[0] if isinstance(value, list | tuple) and value else value


def test_the_database_in_a_link_is_url_encoded() -> None:
    links = OdooLinks("https://crm.example.com/", "sales db/é&x", 19)
    assert links.lead(7) == "https://crm.example.com/odoo/crm.lead/7?db=sales%20db%2F%C3%A9%26x"
    older = OdooLinks("https://crm.example.com", "prod", 17)
    assert older.lead(7) == "https://crm.example.com/web?db=prod#id=7&model=crm.lead&view_type=form"
    # The version not known: the form every version up to 19 opens.
    assert OdooLinks("https://crm.example.com", "prod").lead(7) == older.lead(7)
    assert (
        OdooLinks("https://crm.example.com")
        .lead(7)
        .endswith("/web#id=7&model=crm.lead&view_type=form")
    )


# Undelivered digests: `odlm status`, `odlm digests resend`


def status_of(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, dict]:
    code = main(["status", "--config", str(config)])
    text = capsys.readouterr().out
    assert main(["status", "--config", str(config), "--format", "json"]) == code
    return code, text, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("database", KINDS)
def test_a_failing_webhook_shows_in_status_and_resend_delivers_it_once(
    todays_demo_dir: Path, webhook: Hook, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path, database: str,
) -> None:  # fmt: skip
    tracking = fresh_database(database, tmp_path)
    url = next(tracking)
    try:
        config = todays_demo_dir / "config.yaml"
        config.write_text(config.read_text() + connection_block(url))
        monkeypatch.setenv("DIGEST_HOOK", webhook.url)
        with_digests(todays_demo_dir, webhook_url="${DIGEST_HOOK}", webhook_attempts=2)
        webhook.status = 503
        assert main(["dailydist", "--config", str(config)]) == 0  # the run stands
        run = capsys.readouterr()
        run_id = run_id_of(run.out)
        refused = list(webhook.posts)
        people = {post["salesperson"] for post in refused}
        assert len(refused) == 2 * len(people) == 2 * len(SALESPEOPLE)
        assert f"Digests: 0 salespeople told what the run gave and took; {len(people)} not" in (
            run.out
        )
        # `odlm status`: which run, how many, why; not the webhook's token.
        code, text, data = status_of(config, capsys)
        assert code == 0  # the distribution itself is done
        line = next(line for line in text.splitlines() if "NOT DELIVERED" in line)
        assert f"digests of run {run_id} of {date.today()} NOT DELIVERED to 4 salespeople" in line
        assert "not delivered to the webhook at 127.0.0.1: HTTP 503" in line
        assert f"odlm digests resend {run_id} --config {config}" in line
        (undelivered,) = data["campaigns"][0]["undelivered_digests"]
        assert undelivered["run_id"] == run_id and sorted(undelivered["salespeople"]) == sorted(
            people
        )
        assert undelivered["reasons"] == ["not delivered to the webhook at 127.0.0.1: HTTP 503"]
        # The sink works again: `odlm digests resend` (a prefix of the id will do) sends
        # each salesperson's digest once, as the run built it.
        webhook.status = 200
        assert main(["digests", "resend", run_id[:6], "--config", str(config)]) == 0
        resent = capsys.readouterr()
        delivered = webhook.posts[len(refused) :]
        assert sorted(p["salesperson"] for p in delivered) == sorted(people)
        first = {p["salesperson"]: p for p in refused}
        for post in delivered:
            assert post == first[post["salesperson"]]  # the same digest, from the kept plan
        assert "Digests: 4 salespeople told" in resent.out
        code, text, data = status_of(config, capsys)
        assert "NOT DELIVERED" not in text and data["campaigns"][0]["undelivered_digests"] == []
        # Sent again: nothing is, each was delivered.
        assert main(["digests", "resend", run_id, "--config", str(config)]) == 0
        again = capsys.readouterr()
        assert len(webhook.posts) == len(refused) + len(delivered)
        assert "Messages to 4 salespeople were delivered before: not sent again" in again.out
        for output in (run.out, run.err, resent.out, resent.err, again.out, text):
            assert TOKEN not in output
    finally:
        next(tracking, None)


def test_resend_sends_only_the_channel_that_failed(
    todays_demo_dir: Path,
    webhook: Hook,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The webhook takes every digest; the .eml folder cannot be created (a file is there).
    blocker = todays_demo_dir / "digests"
    blocker.write_text("not a folder")
    config = with_digests(todays_demo_dir, webhook_url=webhook.url, directory="digests")
    assert main(["dailydist", "--config", str(config)]) == 0
    run_id = run_id_of(capsys.readouterr().out)
    posted = len(webhook.posts)
    assert posted == len(SALESPEOPLE)
    _, text, _ = status_of(config, capsys)
    assert "NOT DELIVERED to 4 salespeople" in text and f"not written to {blocker}" in text
    blocker.unlink()
    assert main(["digests", "resend", run_id, "--config", str(config)]) == 0
    capsys.readouterr()
    assert len(webhook.posts) == posted  # delivered before: not posted twice
    assert len(list(blocker.glob("*.eml"))) == len(SALESPEOPLE)
    _, text, _ = status_of(config, capsys)
    assert "NOT DELIVERED" not in text


def test_refused_e_mails_show_in_status_without_the_password_and_are_sent_again(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    wrong = "wr0ng-Passw0rd"
    monkeypatch.setenv("SMTP_PASSWORD", wrong)
    extra = f"    ssl_ca: {smtp_server.ca}\n" + digests_block(
        email=True, login_domain="example.com"
    )
    config = with_smtp(todays_demo_dir, smtp_server, extra)
    assert main(["dailydist", "--config", str(config)]) == 0
    run = capsys.readouterr()
    run_id = run_id_of(run.out)
    assert smtp_server.inbox.messages == []
    _, text, data = status_of(config, capsys)
    assert f"digests of run {run_id} of {date.today()} NOT DELIVERED to 4 salespeople" in text
    assert "not e-mailed" in text
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    assert main(["digests", "resend", run_id, "--config", str(config)]) == 0
    resent = capsys.readouterr()
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == sorted(
        f"{name.lower().replace(' ', '.')}@example.com" for name in SALESPEOPLE
    )
    for output in (run.out, run.err, text, json.dumps(data), resent.out, resent.err):
        assert wrong not in output and PASSWORD not in output


def test_undelivered_corrections_show_in_status_and_are_sent_again(
    todays_demo_dir: Path,
    webhook: Hook,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = with_digests(todays_demo_dir, webhook_url=webhook.url, webhook_attempts=1)
    assert main(["dailydist", "--config", str(config)]) == 0
    run_id = run_id_of(capsys.readouterr().out)
    webhook.status = 500
    assert main(["undo", run_id, "--config", str(config)]) == 0
    capsys.readouterr()
    refused = [p for p in webhook.posts if p["kind"] == "undo"]
    _, text, data = status_of(config, capsys)
    assert f"corrections of the undo of run {run_id}" in text and "HTTP 500" in text
    # The run's own digests were delivered, and the run is undone: only the corrections
    # are outstanding.
    assert [u["kind"] for u in data["campaigns"][0]["undelivered_digests"]] == ["undo"]
    webhook.status = 200
    assert main(["digests", "resend", run_id, "--config", str(config)]) == 0
    out = capsys.readouterr().out
    resent = webhook.posts[-len(refused) :]
    assert [p["kind"] for p in resent] == ["undo"] * len(refused)
    assert sorted(p["salesperson"] for p in resent) == sorted(p["salesperson"] for p in refused)
    assert f"The corrections of the undo of run {run_id}" in out


# Run ids: every verb takes an unambiguous start of one; anything else is exit 2


def test_each_verb_takes_a_run_id_prefix_and_refuses_an_unknown_or_ambiguous_one(
    todays_demo_dir: Path, webhook: Hook, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    ids = (uuid.UUID(f"abcd{n:x}".ljust(32, "0")) for n in itertools.count(1))
    monkeypatch.setattr(uuid, "uuid4", lambda: next(ids))
    config = str(with_digests(todays_demo_dir, webhook_url=webhook.url))
    assert main(["dailydist", "--config", config]) == 0
    first = run_id_of(capsys.readouterr().out)
    assert main(["dailydist", "--config", config, "--run-again", "--seed", "5"]) == 0
    found = re.search(r"^Run ([0-9a-f]{32}) ", capsys.readouterr().out, re.M)
    assert found
    second = found.group(1)
    assert first.startswith("abcd1") and second.startswith("abcd") and second[4] != "1"
    lead = webhook.posts[0]["leads"][0]["lead_id"]
    for verb in (
        ["digests", "resend", "abcd1"],
        ["replay", "abcd1"],
        ["explain", str(lead), "--run", "abcd1"],
    ):
        assert main([*verb, "--config", config]) in (0, 1), verb  # found: 1 is "differs"
        assert "error" not in capsys.readouterr().err
    for verb in (
        ["digests", "resend", "abcd"],
        ["undo", "abcd"],
        ["replay", "abcd"],
        ["explain", str(lead), "--run", "abcd"],
    ):
        assert main([*verb, "--config", config]) == 2, verb
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is ambiguous" in err[0] and first in err[0] and second in err[0]
    for verb in (["digests", "resend", "ffff"], ["undo", "ffff"], ["replay", "ffff"]):
        assert main([*verb, "--config", config]) == 2, verb
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "ffff" in err[0], err


def test_resend_refuses_what_it_cannot_send(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(todays_demo_dir / "config.yaml")
    assert main(["dailydist", "--config", config]) == 0
    run_id = run_id_of(capsys.readouterr().out)
    # No digests configured: nothing to send with.
    assert main(["digests", "resend", run_id, "--config", config]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "reporting.digests sends nothing" in err[0]
    # A dry run is no run: it told nobody.
    with_digests(todays_demo_dir, directory="digests")
    assert main(["dailydist", "--config", config, "--dry-run", "--run-again"]) == 0
    found = re.search(r"Run ([0-9a-f]{32})", capsys.readouterr().out)
    assert found
    assert main(["digests", "resend", found.group(1), "--config", config]) == 2
    assert "no run" in capsys.readouterr().err
    assert not (todays_demo_dir / "digests").exists()


# The delivery records, on each tracking database


@pytest.fixture(params=KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    yield from fresh_database(request.param, tmp_path)


def test_a_version_5_database_gains_the_delivery_records(database_url: URL) -> None:
    engine = create_engine(database_url)
    upgrade(engine, "0005")
    assert "odlm_digest" not in inspect(engine).get_table_names()
    journal = Journal(engine)  # migrates to the newest version
    assert "odlm_digest" in inspect(engine).get_table_names()
    plan = tiny_plan()
    journal.begin(plan, False, [])
    journal.finish(plan.run_id, "completed", None, None)
    failed = DigestDelivery(plan.run_id, "run", 1, "webhook", "Alice", False, "HTTP 503", 19)
    other = DigestDelivery(plan.run_id, "run", 2, "webhook", "Bob", True, None, 19)
    journal.record_digests([failed, other])
    (undelivered,) = journal.undelivered_digests("Voice", plan.today)
    assert (undelivered.run_id, undelivered.salespeople, undelivered.reasons) == (
        plan.run_id,
        ("Alice",),
        ("HTTP 503",),
    )
    # Sent again and delivered: the same row now says so.
    journal.record_digests([DigestDelivery(plan.run_id, "run", 1, "webhook", "Alice", True)])
    assert journal.undelivered_digests("Voice", plan.today) == []
    assert all(d.delivered for d in journal.digest_deliveries(plan.run_id))
    assert len(journal.digest_deliveries(plan.run_id)) == 2
    journal.close()


def test_a_run_that_stopped_tells_each_salesperson_once_when_it_is_finished(
    todays_demo_dir: Path, webhook: Hook, capsys: pytest.CaptureFixture[str]
) -> None:
    config = with_digests(todays_demo_dir, webhook_url=webhook.url)
    config.write_text(config.read_text() + "error_handling:\n  retry_delay_seconds: 0\n")
    yesterday = date.today() - timedelta(days=1)
    plan_file = todays_demo_dir / "plan.json"
    options = RunOptions(today=yesterday, plan_out=plan_file)
    plan = run_distribution(load_config(config), True, options).plan
    refused = {plan.assignments[0].lead_id}
    down = CrmUnavailable("cannot reach Odoo: connection refused")
    with LocalStore.open(todays_demo_dir / "crm.sqlite") as store:
        # Yesterday's run: the CRM refuses a lead, then cannot be reached, and the run stops.
        faults = [Fault("read_values", n, "before", down) for n in range(3, 60)]
        stopped = run_distribution(
            load_config(config),
            False,
            RunOptions(today=yesterday, seed=plan.seed),
            store=FaultyStore(store, faults, refuse=refused),
            force=True,
        )
    assert stopped.applied is not None and not stopped.applied.complete
    assert webhook.posts == []  # nobody is told about a run half done
    run_id = stopped.plan.run_id
    # Today's command finishes it first (and tells about it), then runs today's.
    assert main(["dailydist", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert f"Run {run_id} of {yesterday} did not finish" in out
    theirs = [p for p in webhook.posts if p["run_id"] == run_id]
    assert theirs and len(theirs) == len({p["salesperson"] for p in theirs})  # one each
    told = {lead["lead_id"] for p in theirs for lead in p["leads"]}
    planned = {a.lead_id for a in stopped.plan.assignments}
    assert told == planned - refused  # the refused lead was never written: not listed
    # Sending again has nothing left to send for that run.
    posts = len(webhook.posts)
    assert main(["digests", "resend", run_id, "--config", str(config)]) == 0
    assert len(webhook.posts) == posts
