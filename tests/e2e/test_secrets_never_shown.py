"""No secret from the environment appears in anything odlm prints or leaves behind.

Every secret-bearing variable is set to a marker; commands that succeed and
commands that fail (a secret in a typed key, servers that cannot be reached,
an e-mail that cannot be sent) run as a user would run them; then their
output and every file under the test's folder (reports, plans, logs, the
journal and history databases, the audit log) are searched for the markers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

MARKERS = {
    "ODOO_PASSWORD": "Mk-odoo-password-5e1f",
    "ODOO_API_KEY": "Mk-odoo-api-key-92ab",
    "TRACKING_DB_PASSWORD": "Mk-tracking-password-0c7d",
    "SMTP_PASSWORD": "Mk-smtp-password-44e0",
    "MY_SERVICE_TOKEN": "Mk-service-token-b3a9",
    # A URL's password, written %-encoded as URLs must.
    "TRACKING_DB_URL": "postgresql://odlm:Mk-url%2Fpassword-7d21@127.0.0.1:1/tracking",
}
SECRETS = [*(v for k, v in MARKERS.items() if k != "TRACKING_DB_URL"), "Mk-url"]

CONNECTIONS = """
odoo_connection:
  host: 127.0.0.1
  port: 1
  database: crm
  username: admin
  password: ${ODOO_PASSWORD}
  api_key: ${ODOO_API_KEY}
  timeout_seconds: 2
  max_retries: 0
reporting:
  email_notification: true
  email:
    smtp_host: 127.0.0.1
    smtp_port: 1
    username: odlm
    password: ${SMTP_PASSWORD}
    sender: odlm@example.com
    recipients: [ops@example.com]
    timeout_seconds: 2
"""


def odlm(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **MARKERS, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", "odoo_lead_manager", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def with_text(config: Path, name: str, text: str) -> Path:
    path = config.with_name(name)
    path.write_text(config.read_text() + text)
    return path


def replaced(config: Path, name: str, old: str, new: str) -> Path:
    path = config.with_name(name)
    text = config.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def leaks(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [secret for secret in SECRETS if secret.encode() in data]


def test_no_marker_in_any_output_or_file(todays_demo_dir: Path, tmp_path: Path) -> None:
    demo = todays_demo_dir
    config = with_text(demo / "config.yaml", "secret.yaml", CONNECTIONS)
    plan, reports = tmp_path / "plan.json", tmp_path / "reports"
    report = ["--report-location", str(reports)]
    report += [arg for kind in ("csv", "json", "html") for arg in ("--report-format", kind)]
    typed = "error_handling:\n  retry_delay_seconds: ${MY_SERVICE_TOKEN}\n"
    failing = [
        # A secret in typed keys: the validation error names the variable.
        ["dailydist", "--config", str(replaced(config, "port.yaml", "  port: 1\n",
                                                "  port: ${ODOO_PASSWORD}\n"))],
        ["dailydist", "--config", str(replaced(config, "timeout.yaml", "timeout_seconds: 2\n  max",
                                                "timeout_seconds: ${ODOO_API_KEY}\n  max"))],
        ["dailydist", "--config", str(with_text(config, "delay.yaml", typed))],
        ["dailydist", "--config", str(replaced(demo / "config.yaml", "strategy.yaml",
                                                "strategy: round_robin",
                                                "strategy: ${TRACKING_DB_PASSWORD}"))],
        # A tracking database (its URL from TRACKING_DB_URL) that cannot be reached.
        ["dailydist", "--config", str(with_text(config, "tracking.yaml",
                                                "database_connection:\n  type: postgresql\n"))],
        ["runs", "--config", str(with_text(config, "tracking2.yaml",
                                           "database_connection:\n  type: postgresql\n"))],
        # The same database named by its parts, the password from the environment.
        ["dailydist", "--config", str(with_text(config, "parts.yaml",
         "database_connection:\n  type: postgresql\n  host: 127.0.0.1\n  port: 1\n"
         "  database: tracking\n  username: odlm\n  password: ${TRACKING_DB_PASSWORD}\n"))],
        # An Odoo that cannot be reached.
        ["check", "--config", str(config)],
        ["dailydist", "--dry-run", "--config", str(replaced(config, "odoo.yaml",
                                                            "backend: local", "backend: odoo"))],
    ]  # fmt: skip
    succeeding = [
        ["dailydist", "--config", str(config), "--dry-run", "--plan-out", str(plan),
         "--log-level", "DEBUG", *report],
        ["dailydist", "--config", str(config), "--log-level", "DEBUG", *report],
        ["apply", str(plan), "--config", str(config), "--run-again"],
        ["runs", "--config", str(config)],
        ["report", "daily", "--config", str(config), "--format", "json"],
        ["retention", "--config", str(config)],
    ]  # fmt: skip
    seen: list[tuple[list[str], int, list[str]]] = []
    for args in failing + succeeding:
        done = odlm(args, demo)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        seen.append((args, done.returncode, leaks(done.stdout + done.stderr)))
    statuses = [status for _, status, _ in seen]
    assert statuses[:4] == [2, 2, 2, 2], seen
    assert all(status in (0, 1, 2) for status in statuses), seen
    assert statuses[len(failing)] == 0 and statuses[len(failing) + 1] in (0, 1), seen
    assert [(args, found) for args, _, found in seen if found] == []
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files) and plan.exists()
    assert json.loads(plan.read_text())["run_id"]
    assert [str(p) for p in files if leaks(p.read_bytes())] == []


def test_a_validation_error_names_the_variable_not_its_value(
    demo_dir: Path,
) -> None:
    config = replaced(
        demo_dir / "config.yaml",
        "bad.yaml",
        "  batch_size: 200",
        "  batch_size: ${TRACKING_DB_PASSWORD}",
    )
    done = odlm(["dailydist", "--dry-run", "--config", str(config)], demo_dir)
    assert done.returncode == 2
    assert "execution.batch_size" in done.stderr and "${TRACKING_DB_PASSWORD}" in done.stderr
    assert leaks(done.stderr + done.stdout) == []
