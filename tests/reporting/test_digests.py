"""Each salesperson's digest (``reporting.digests``): one per salesperson per real run, by
e-mail through a real SMTP server (aiosmtpd) and to a webhook on a local HTTP server, listing
exactly the leads the CRM now holds for them."""

from __future__ import annotations

import email
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.crm.local.store import LocalStore
from tests.reporting.test_email import PASSWORD, Server, smtp_server  # noqa: F401  (the SMTP server fixture)
from tests.reporting.test_email import configure as with_smtp

TOKEN = "T0KEN-s3cret-path"


@dataclass
class Hook:
    url: str
    status: int = 200
    posts: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def webhook() -> Iterator[Hook]:
    """An incoming-webhook stand-in on 127.0.0.1: records each JSON post, answers ``status``."""
    hook = Hook("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.posts.append({"path": self.path, **json.loads(body)})
            self.send_response(hook.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """No access log on the test's output."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/{TOKEN}"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def owners(directory: Path) -> dict[int, int | None]:
    with LocalStore.open(directory / "crm.sqlite") as store:
        return {lead.id: lead.user_id for lead in store.search_leads([("active", "in", [True])])}


def received_in_crm(
    before: dict[int, int | None], after: dict[int, int | None]
) -> dict[int, set[int]]:
    got: dict[int, set[int]] = {}
    for lead, owner in after.items():
        if owner is not None and before.get(lead) != owner:
            got.setdefault(owner, set()).add(lead)
    return got


def lost_in_crm(before: dict[int, int | None], after: dict[int, int | None]) -> dict[int, set[int]]:
    """The leads each user held before and another holds now."""
    lost: dict[int, set[int]] = {}
    for lead, owner in before.items():
        if owner is not None and after.get(lead) not in (owner, None):
            lost.setdefault(owner, set()).add(lead)
    return lost


def subject_of(message: EmailMessage) -> str:
    """The subject as a mail client shows it (a long one is folded on the wire)."""
    return " ".join(str(message["Subject"]).split())


def names(directory: Path) -> dict[int, str]:
    with LocalStore.open(directory / "crm.sqlite") as store:
        return {u.id: u.login for u in store.users_by_id(range(1, 40))}


def digests_block(**values: Any) -> str:
    lines = "".join(f"    {key}: {json.dumps(value)}\n" for key, value in values.items())
    return "  digests:\n" + lines


def test_each_salesperson_gets_one_email_listing_what_the_crm_now_holds(
    todays_demo_dir: Path, smtp_server: Server, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    extra = f"    ssl_ca: {smtp_server.ca}\n" + digests_block(
        email=True, login_domain="example.com", odoo_url="https://odoo.example.com",
        opt_out=["dave brown"],
    )  # fmt: skip
    config = with_smtp(todays_demo_dir, smtp_server, extra)
    before = owners(todays_demo_dir)
    assert main(["dailydist", "--config", str(config)]) == 0
    got = received_in_crm(before, owners(todays_demo_dir))
    lost = lost_in_crm(before, owners(todays_demo_dir))
    logins = names(todays_demo_dir)
    out = capsys.readouterr().out
    dave = next(uid for uid, login in logins.items() if login == "dave.brown")
    assert got.get(dave), "the opted-out salesperson received leads, and gets no digest"
    expected = {f"{logins[uid]}@example.com": leads for uid, leads in got.items() if uid != dave}
    messages = {m["To"]: m for m in smtp_server.inbox.messages}
    assert len(smtp_server.inbox.messages) == len(expected)  # one each, never one per lead
    assert set(messages) == set(expected)
    for address, leads in expected.items():
        message = messages[address]
        uid = next(uid for uid, login in logins.items() if f"{login}@example.com" == address)
        moved = len(lost.get(uid, ())) or "none"
        assert subject_of(message).startswith(
            f"odlm: {len(leads)} new leads for you, {moved} moved to colleagues (Voice, "
        )
        text = message.get_body(("plain",)).get_content()
        links = {
            int(part.split("#id=")[1].split("&")[0]) for part in text.split() if "#id=" in part
        }
        assert links == leads
        assert "https://odoo.example.com/web#id=" in text
        html = message.get_body(("html",)).get_content()
        # A heading row and a row per lead, in the table of new leads and that of moved ones.
        assert html.count("<tr>") == len(leads) + 1 + (len(lost[uid]) + 1 if uid in lost else 0)
    assert f"Digests: {len(expected)} salespeople told" in out
    assert PASSWORD not in out


def test_the_webhook_gets_one_post_per_salesperson(
    todays_demo_dir: Path, webhook: Hook, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    monkeypatch.setenv("DIGEST_HOOK", webhook.url)
    config = todays_demo_dir / "config.yaml"
    config.write_text(
        config.read_text() + "reporting:\n" + digests_block(webhook_url="${DIGEST_HOOK}")
    )
    before = owners(todays_demo_dir)
    assert main(["dailydist", "--config", str(config)]) == 0
    got = received_in_crm(before, owners(todays_demo_dir))
    assert len(webhook.posts) == len(got)
    for post in webhook.posts:
        assert post["path"] == f"/hooks/{TOKEN}" and post["campaign"] == "Voice"
        leads = {lead["lead_id"] for lead in post["leads"]}
        assert [uid for uid, held in got.items() if held == leads]  # exactly what one holds now
        assert post["text"].startswith(f"Hello {post['salesperson']},")
        assert all(lead["link"] is None for lead in post["leads"])  # the local store has no URL
    assert TOKEN not in capsys.readouterr().out


def test_a_failing_webhook_is_tried_a_bounded_number_of_times_and_the_run_stands(
    todays_demo_dir: Path, webhook: Hook, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    pauses: list[float] = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    monkeypatch.setenv("DIGEST_HOOK", webhook.url)
    webhook.status = 503
    config = todays_demo_dir / "config.yaml"
    config.write_text(
        config.read_text()
        + "reporting:\n"
        + digests_block(webhook_url="${DIGEST_HOOK}", webhook_attempts=3)
    )
    before = owners(todays_demo_dir)
    assert main(["dailydist", "--config", str(config)]) == 0
    got = received_in_crm(before, owners(todays_demo_dir))
    assert got  # written: the run stands
    assert len(webhook.posts) == 3 * len(got)
    assert pauses == [2.0, 4.0] * len(got)
    captured = capsys.readouterr()
    assert captured.out.count("not delivered to the webhook at 127.0.0.1: HTTP 503") == len(got)
    assert TOKEN not in captured.out + captured.err
    # A refusal (4xx) is not retried: the same post would be refused again.
    webhook.posts.clear()
    webhook.status = 404
    assert main(["dailydist", "--config", str(config), "--run-again"]) == 0
    assert len(webhook.posts) == len({p["salesperson"] for p in webhook.posts})


def test_a_dry_run_tells_nobody(
    todays_demo_dir: Path, webhook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_HOOK", webhook.url)
    config = todays_demo_dir / "config.yaml"
    config.write_text(
        config.read_text() + "reporting:\n" + digests_block(webhook_url="${DIGEST_HOOK}")
    )
    assert main(["dailydist", "--config", str(config), "--dry-run"]) == 0
    assert webhook.posts == []


def test_email_digests_without_an_smtp_server_are_refused_before_the_run(
    todays_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = todays_demo_dir / "config.yaml"
    config.write_text(config.read_text() + "reporting:\n" + digests_block(email=True))
    before = (todays_demo_dir / "crm.sqlite").read_bytes()
    assert main(["dailydist", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "reporting.digests.email needs reporting.email.smtp_host, reporting.email.sender" in err
    assert (todays_demo_dir / "crm.sqlite").read_bytes() == before


def test_digests_kept_as_files_match_the_crm(todays_demo_dir: Path) -> None:
    config = todays_demo_dir / "config.yaml"
    config.write_text(config.read_text() + "reporting:\n" + digests_block(directory="digests"))
    before = owners(todays_demo_dir)
    assert main(["dailydist", "--config", str(config)]) == 0
    got = received_in_crm(before, owners(todays_demo_dir))
    lost = lost_in_crm(before, owners(todays_demo_dir))
    files = sorted((todays_demo_dir / "digests").glob("*.eml"))
    assert len(files) == len(got)
    for path in files:
        uid = int(path.stem.rsplit("-", 1)[1])
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        assert isinstance(message, EmailMessage)
        moved = len(lost.get(uid, ())) or "none"
        assert subject_of(message) == (
            f"odlm: {len(got[uid])} new leads for you, {moved} moved to colleagues "
            f"({path.stem[11:16]}, {path.stem[:10]})"
        )
        body = message.get_body(("plain",))
        assert body is not None
        assert body.get_content().count("\n- ") == len(got[uid]) + len(lost.get(uid, ()))
