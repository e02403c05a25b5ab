"""`--force` meant three things; each is now named, and the old word is refused with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_lead_manager.cli.main import main


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["dailydist", "--config", "c.yaml", "--force"], ("--run-again", "--overwrite")),
        (["apply", "plan.json", "--config", "c.yaml", "--force"],
         ("--run-again", "--accept-stale-plan")),
        (["demo", "--force"], ("--overwrite",)),
    ],
)  # fmt: skip
def test_the_old_force_is_refused_naming_what_replaced_it(
    argv: list[str],
    named: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--force is no longer an option" in err
    assert all(name in err for name in named)
    # Refused while parsing: nothing was read or written.
    assert list(tmp_path.iterdir()) == []


def test_the_new_options_are_on_the_help_pages_and_force_is_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for verb, options in [
        ("dailydist", ("--run-again", "--overwrite")),
        ("apply", ("--run-again", "--accept-stale-plan")),
        ("demo", ("--overwrite",)),
    ]:
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        page = capsys.readouterr().out
        assert all(option in page for option in options)
        assert "--force " not in page and "--force\n" not in page
