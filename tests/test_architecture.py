"""The layering the project promises, read from every import statement with ``ast``.

Imports at module level, inside functions and under ``TYPE_CHECKING`` all count: an import hidden in a
function is still a dependency, and a cycle through one is still a cycle. The same reading checks that
every SQL statement lives in ``storage/``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")

# Which project layers each layer may import (its own always allowed). A module's layer is the longest
# prefix of its dotted name found here.
LAYERS: dict[str, set[str]] = {
    "bot.domain": {"bot.config"},
    "bot.texts": {"bot.domain"},
    "storage": {"bot.domain"},
    "bot.services": {"bot.domain", "bot.texts", "storage", "bot.config"},
    "handlers": {"bot.domain", "bot.texts", "bot.services", "bot.delivery", "bot.config"},
    "bot.delivery": {"bot.domain", "bot.texts", "bot.services", "storage", "bot.config", "handlers"},
    "bot.cli": {"bot.domain", "bot.texts", "bot.services", "storage", "bot.config", "bot.delivery",
                "bot.fakebot", "bot.logsetup", "handlers"},
    "bot.fakebot": set(),
    "bot.config": set(),
    "bot.logsetup": {"bot.config"},
    "bot": {"bot.cli"},  # bot/__init__.py and bot/__main__.py
}
# Only the application's one wiring function may reach back into the handlers.
HANDLER_IMPORTERS_IN_DELIVERY = {"bot.delivery.app"}
NO_TELEGRAM = ("bot.domain", "bot.texts", "bot.services", "storage")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    return {module_name(path, root): path for package in PACKAGES for path in (root / package).rglob("*.py")}


def imported_modules(source: str, name: str, is_package: bool, known: Iterable[str]) -> set[str]:
    """Every module an import statement anywhere in ``source`` names (a `from X import Y` names X.Y
    when that is a module, else X)."""
    known = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".strip(".")
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = project_modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imports = imported_modules(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", modules)
        graph[name] = {target for target in imports if target in modules and target != name}
        graph[name] |= {target for target in imports if target.split(".")[0] == "telegram"}
    return graph


def layer_of(name: str) -> str:
    best = ""
    for layer in LAYERS:
        if (name == layer or name.startswith(layer + ".")) and len(layer) > len(best):
            best = layer
    return best


def violations(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for source, targets in sorted(graph.items()):
        layer = layer_of(source)
        if not layer:
            problems.append(f"{source}: belongs to no layer")
            continue
        for target in sorted(targets):
            if target.split(".")[0] == "telegram":
                if layer in NO_TELEGRAM:
                    problems.append(f"{source} imports {target}")
                continue
            target_layer = layer_of(target)
            if target_layer == layer:
                continue
            if target_layer not in LAYERS[layer]:
                problems.append(f"{source} ({layer}) imports {target} ({target_layer})")
            elif target_layer == "handlers" and layer == "bot.delivery" and source not in HANDLER_IMPORTERS_IN_DELIVERY:
                problems.append(f"{source} imports {target}: only the application's wiring may")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph(ROOT)) == []


def test_every_import_follows_the_layer_rule() -> None:
    assert violations(import_graph(ROOT)) == []


def test_at_most_six_plain_modules_directly_in_bot() -> None:
    plain = sorted(p.name for p in (ROOT / "bot").glob("*.py"))
    assert len(plain) <= 6, plain


def test_the_checker_sees_a_cycle_hidden_in_a_function(tmp_path: Path) -> None:
    """The rule is only as good as its reader: a planted cycle through a function-level import and a
    ``TYPE_CHECKING`` import must be found."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "bot" / "domain").mkdir()
    (tmp_path / "bot" / "domain" / "__init__.py").write_text("")
    (tmp_path / "bot" / "domain" / "a.py").write_text(textwrap.dedent("""
        def f():
            from bot.domain import b
            return b
    """))
    (tmp_path / "bot" / "domain" / "b.py").write_text(textwrap.dedent("""
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from bot.domain.a import f
    """))
    graph = import_graph(tmp_path)
    assert cycles(graph) == [["bot.domain.a", "bot.domain.b"]]


def test_the_checker_sees_a_layer_breach(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "storage" / "db.py").write_text("")
    (tmp_path / "handlers" / "staff.py").write_text("def f():\n    from storage.db import x\n")
    (tmp_path / "bot" / "domain").mkdir()
    (tmp_path / "bot" / "domain" / "__init__.py").write_text("import telegram\n")
    assert violations(import_graph(tmp_path)) == [
        "bot.domain imports telegram",
        "handlers.staff (handlers) imports storage.db (storage)",
    ]


@pytest.mark.parametrize("layer", ["bot.domain", "bot.texts", "bot.services", "storage"])
def test_layers_without_telegram_load_without_it(layer: str) -> None:
    """Belt and braces at run time: importing the layer's modules pulls in no telegram module."""
    names = sorted(name for name in project_modules(ROOT) if layer_of(name) == layer)
    probe = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- every SQL statement lives in storage/ --------------------------------------------------------

# A string that starts (after whitespace, any case) like an SQL statement: the keyword and the words that
# make it one, so prose such as "Update the card" or "With both, ..." is not taken for SQL.
SQL_STATEMENT = re.compile(
    r"""^(?:
        SELECT\s+(?:\S.*?\s+FROM\s|[\d*]|\w+\s*\()
      | (?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\s
      | UPDATE\s+\w+\s+SET\s
      | DELETE\s+FROM\s
      | (?:CREATE|DROP)\s+(?:UNIQUE\s+|TEMP\w*\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\s
      | ALTER\s+TABLE\s
      | PRAGMA\s+\w+
      | BEGIN(?:\s+(?:DEFERRED|IMMEDIATE|EXCLUSIVE)\b|\s*(?:TRANSACTION\s*)?;?$)
      | (?:COMMIT|ROLLBACK|VACUUM)\s*;?$
      | WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\s*\(
    )""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
# Methods of sqlite3/aiosqlite connections and cursors and of storage.db.Database that run SQL.
SQL_CALLS = frozenset({
    "execute", "executemany", "executescript", "execute_fetchall", "execute_insert",
    "fetchall", "fetchone", "fetchmany", "fetchval", "write_together",
})
# Modules outside storage/ allowed to hold SQL for now, each with its reason. Keep it short; empty it.
SQL_EXEMPT: dict[str, str] = {}


def _string_of(node: ast.AST) -> str | None:
    """A string constant's text; an f-string's text with each replacement field read as ``x``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "x" for part in node.values)
    return None


def sql_in(source: str) -> list[str]:
    """Each SQL statement written and each statement-running call made in ``source``, by line."""
    tree = ast.parse(source)
    skipped: set[int] = set()  # docstrings, and the pieces of an f-string (read as a whole)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr):
                skipped.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        text = None if id(node) in skipped else _string_of(node)
        if text is not None and SQL_STATEMENT.match(text.strip()):
            found.append((node.lineno, f"statement {' '.join(text.split())[:60]!r}"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
            found.append((node.lineno, f"call .{node.func.attr}()"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def sql_outside_storage(root: Path, exempt: Iterable[str] = ()) -> list[str]:
    exempt = set(exempt)
    problems = []
    for name, path in sorted(project_modules(root).items()):
        if layer_of(name) == "storage" or name in exempt:
            continue
        problems += [f"{name} {finding}" for finding in sql_in(path.read_text(encoding="utf-8"))]
    return problems


def test_every_sql_statement_lives_in_storage() -> None:
    assert sql_outside_storage(ROOT, SQL_EXEMPT) == []


def test_sql_exemptions_name_real_modules() -> None:
    assert set(SQL_EXEMPT) <= set(project_modules(ROOT))


def test_the_sql_checker_sees_a_planted_statement(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "storage" / "things.py").write_text('async def f(db):\n    return await db.fetchall("SELECT 1")\n')
    (tmp_path / "bot" / "services").mkdir()
    (tmp_path / "bot" / "services" / "__init__.py").write_text("")
    (tmp_path / "bot" / "services" / "things.py").write_text(textwrap.dedent('''
        """Select a package, update the card; with both, delete nothing (prose, not SQL)."""
        LABEL = "Update status"
        COUNT = (
            "  select count(*)"
            " from tickets"
        )
        async def f(conn, table, sql):
            await conn.execute(sql)
            return f"""
                DELETE FROM {table} WHERE id = ?"""
    '''))
    (tmp_path / "bot" / "services" / "exempt.py").write_text("SQL = 'SELECT * FROM packages'\n")
    (tmp_path / "handlers" / "staff.py").write_text("async def f(desk):\n    return await desk.db.fetchval(Q)\n")
    assert sql_outside_storage(tmp_path, exempt={"bot.services.exempt"}) == [
        "bot.services.things line 5: statement 'select count(*) from tickets'",
        "bot.services.things line 9: call .execute()",
        "bot.services.things line 10: statement 'DELETE FROM x WHERE id = ?'",
        "handlers.staff line 2: call .fetchval()",
    ]
