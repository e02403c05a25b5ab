"""On a terminal the report is not interleaved with log lines; the log file has them all."""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path

import pytest

from odoo_lead_manager.commands.session import configure_logging
from tests.cli.terminal import on_a_terminal

INFO_LINE = re.compile(r"^\S+ \S+ INFO ", re.M)


def with_log_file(directory: Path) -> Path:
    config = directory / "config.yaml"
    text = config.read_text()
    assert "execution:\n" in text
    config.write_text(text.replace("execution:\n", "execution:\n  log_file: odlm.log\n", 1))
    return directory / "odlm.log"


def test_a_dry_run_on_a_terminal_shows_the_report_and_no_info_lines(
    todays_demo_dir: Path,
) -> None:
    log_file = with_log_file(todays_demo_dir)
    config = str(todays_demo_dir / "config.yaml")
    status, screen = on_a_terminal(["dailydist", "--config", config, "--dry-run"])
    assert status == 0, screen
    assert "Distribution preview" in screen and "This was a DRY RUN" in screen
    assert not INFO_LINE.search(screen), screen
    # Everything at the configured level is still in the log file.
    logged = log_file.read_text()
    assert INFO_LINE.search(logged) and "leads fetched" in logged


def test_log_level_asked_for_shows_them_on_the_terminal(todays_demo_dir: Path) -> None:
    config = str(todays_demo_dir / "config.yaml")
    argv = ["dailydist", "--config", config, "--dry-run", "--log-level", "INFO"]
    status, screen = on_a_terminal(argv)
    assert status == 0, screen
    assert INFO_LINE.search(screen) and "leads fetched" in screen


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("asked", "shown"), [(False, ["WARNING"]), (True, ["INFO", "WARNING"])])
def test_on_a_terminal_warnings_still_show(
    asked: bool, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    configure_logging("INFO", asked=asked)
    try:
        log = logging.getLogger("odoo_lead_manager.test")
        log.info("an info line")
        log.warning("a warning line")
    finally:
        configure_logging("WARNING")
    levels = re.findall(r" (INFO|WARNING) ", terminal.getvalue())
    assert levels == shown
