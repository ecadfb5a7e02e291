"""The layering the project promises, read from every import statement with ``ast``.

Imports at module level, inside functions and under ``TYPE_CHECKING`` all count: an import hidden in a
function is still a dependency, and a cycle through one is still a cycle.
"""

from __future__ import annotations

import ast
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
