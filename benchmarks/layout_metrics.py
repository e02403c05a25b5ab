"""The package's shape in figures, for the folder-tree change's before and after: modules at
the root, modules over 400 lines, functions over 100 lines, modules outside ``config/`` and
the command layer naming ``LoadedConfig``, file and CRM reads in the planner's stage modules,
imports inside functions, and import cycles between modules (module-level imports only).

    python benchmarks/layout_metrics.py
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "odoo_lead_manager"
# Where naming the whole configuration is the job (the command layer, as it stands).
ALLOWED = ("config/", "cli.py", "cli/", "commands/", "runner.py")
# The planner's stage modules: pipeline/ and domain/ in the folder tree, the stage packages
# and planning's modules before it.
STAGES_NOW = ("pipeline/", "domain/")
STAGES_BEFORE = (
    "selection/", "finding/", "strategies/", "planning.py", "workload.py", "plan.py",
    "model.py", "snapshot.py", "lookups.py", "explaining.py", "replaying.py", "comparing.py",
)  # fmt: skip
# Calls that read a file, a database or the CRM, and the CRM store's module.
READS = {
    "read_bounded", "read_text", "read_bytes", "open", "csv_records", "read_table",
    "database_engine", "create_engine", "read_campaign_csv", "read_legacy_file",
    "read_absences_csv", "load_rotation", "read_source_names", "read_candidates",
    "fetch_leads", "find_in_store",
}  # fmt: skip


def stage_reads(tree: ast.AST) -> int:
    """Calls that read files, tables or the CRM, and imports of the CRM store, in a module."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            count += name in READS
        elif isinstance(node, ast.ImportFrom) and (node.module or "").endswith("crm.store"):
            count += 1
    return count


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(PACKAGE).as_posix(), path


def name_of(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    parts = parts[:-1] if parts[-1] == "__init__" else parts
    return ".".join(["odoo_lead_manager", *parts])


def imports_inside_functions(tree: ast.AST) -> int:
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            count += sum(isinstance(inner, ast.Import | ast.ImportFrom) for inner in ast.walk(node))
    return count


def module_imports(tree: ast.Module, own: str) -> set[str]:
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` imports do not run
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.startswith("odoo_lead_manager") and m != own}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for other in graph.get(node, ()):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def main() -> None:
    root = long_modules = long_functions = inside = reads = 0
    layered = (PACKAGE / "pipeline").is_dir()
    stages = STAGES_NOW if layered else STAGES_BEFORE
    naming: list[str] = []
    graph: dict[str, set[str]] = {}
    total = root_lines = 0
    for relative, path in modules():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        total += lines
        tree = ast.parse(text)
        if "/" not in relative:
            root += 1
            root_lines += lines
        long_modules += lines > 400
        long_functions += sum(
            (node.end_lineno or node.lineno) - node.lineno + 1 > 100
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        )
        inside += imports_inside_functions(tree)
        if relative.startswith(stages):
            reads += stage_reads(tree)
        if "LoadedConfig" in text and not relative.startswith(ALLOWED):
            naming.append(relative)
        graph[name_of(relative)] = module_imports(tree, name_of(relative))
    print(f"modules at the package root: {root} ({root_lines:,} of {total:,} lines)")
    print(f"modules over 400 lines: {long_modules}")
    print(f"functions over 100 lines: {long_functions}")
    print(f"modules outside config/ and the commands naming LoadedConfig: {len(naming)}")
    print(f"file, table and CRM reads in the planner's stage modules: {reads}")
    print(f"imports inside functions: {inside}")
    found = cycles(graph)
    print(f"import cycles: {len(found)}" + "".join(f"\n  {' <-> '.join(c)}" for c in found))


if __name__ == "__main__":
    main()
