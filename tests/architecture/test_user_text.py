"""What odlm says stands alone: no section numbers of a requirements document the user
does not have, in any text the program can print, write or show in an editor."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from odoo_lead_manager.config.editor import config_json_schema
from odoo_lead_manager.config.reference import configuration_reference

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "odoo_lead_manager"


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that are docstrings: for the code's readers only."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def section_signs(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = docstrings(tree)
    return [
        f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and "§" in node.value
        and id(node) not in skipped
    ]


def test_no_string_the_program_can_print_cites_a_section() -> None:
    found = [line for path in sorted(PACKAGE.rglob("*.py")) for line in section_signs(path)]
    assert found == []


def test_the_schema_and_the_reference_cite_no_section() -> None:
    # The schema's class and field docstrings become descriptions: they are shown.
    assert "§" not in json.dumps(config_json_schema(), ensure_ascii=False)
    assert "§" not in configuration_reference()


def test_the_check_tells_a_docstring_from_a_message() -> None:
    tree = ast.parse('"""Docstring §1."""\nMESSAGE = "see §2"\n')
    strings = [n for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert [s.value for s in strings if id(s) not in docstrings(tree)] == ["see §2"]
