"""The planner's stages and the domain values do no I/O and keep no hidden state: no clock,
no randomness but the seeded `random.Random` a strategy is given, no file, no process
environment. Read from the source (the AST), so a new module is checked the day it lands."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "odoo_lead_manager"
PURE = ("pipeline", "domain")

# Calls that read the clock, draw unseeded randomness or touch files and the environment.
CLOCK = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today")}
CLOCK_FUNCTIONS = {"time", "monotonic", "perf_counter", "time_ns", "localtime", "gmtime"}
FILE_METHODS = {
    "read_text", "write_text", "read_bytes", "write_bytes", "open", "exists", "is_file",
    "is_dir", "iterdir", "glob", "rglob", "mkdir", "unlink", "rmdir", "touch", "stat",
    "rename", "replace_file", "resolve", "expanduser",
}  # fmt: skip
BANNED_NAMES = {"open", "input", "print", "exec", "eval", "compile", "__import__"}
BANNED_MODULES = {
    "os", "sys", "io", "shutil", "pathlib", "tempfile", "glob", "time", "secrets", "uuid",
    "socket", "subprocess", "sqlite3", "csv", "logging.handlers", "urllib.request",
}  # fmt: skip


def modules() -> list[Path]:
    return sorted(p for part in PURE for p in (PACKAGE / part).rglob("*.py"))


def problems(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    where = path.relative_to(PACKAGE)
    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in BANNED_MODULES:
                    yield f"{line} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if (node.module or "") in BANNED_MODULES:
                yield f"{line} imports from {node.module}"
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in BANNED_NAMES:
                yield f"{line} calls {func.id}()"
            if isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else None
                if (owner, func.attr) in CLOCK:
                    yield f"{line} reads the clock ({owner}.{func.attr})"
                if owner == "time" and func.attr in CLOCK_FUNCTIONS:
                    yield f"{line} reads the clock (time.{func.attr})"
                if owner == "random" and not (func.attr == "Random" and node.args):
                    yield f"{line} draws unseeded randomness (random.{func.attr})"
                if func.attr in FILE_METHODS and owner not in ("self", "cls", "str", "re"):
                    yield f"{line} may touch a file (.{func.attr}())"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_or_value_does_no_io(path: Path) -> None:
    assert list(problems(path)) == []


def test_the_check_sees_every_kind_of_violation(tmp_path: Path) -> None:
    """The checker itself: each kind of call it forbids, written once, is reported."""
    bad = tmp_path / "pipeline" / "bad.py"
    bad.parent.mkdir()
    bad.write_text(
        "import os\nfrom datetime import date, datetime\nimport random\nimport time\n"
        "def f(p):\n    date.today(); datetime.now(); random.random(); random.Random()\n"
        "    time.monotonic(); open('x'); p.read_text(); print('x')\n"
        "    random.Random(7)\n",
        encoding="utf-8",
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        found = list(problems(bad))
    finally:
        PACKAGE = saved
    kinds = " ".join(found)
    for expected in ("imports os", "date.today", "datetime.now", "random.random",
                     "random.Random", "time.monotonic", "open()", ".read_text()", "print()",
                     "imports time"):  # fmt: skip
        assert expected in kinds, (expected, found)
    assert len(found) == 10, found


def test_there_are_stages_to_check() -> None:
    assert len(modules()) > 40
