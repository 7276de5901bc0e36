"""lib/ is the bottom layer (ARCHITECTURE.md): it imports no app of Sinergi."""

from __future__ import annotations

import ast
from pathlib import Path

LIB = Path(__file__).resolve().parents[1]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_lib_imports_no_app() -> None:
    reaching_up = {
        f"{path.relative_to(LIB)}: {name}"
        for path in LIB.rglob("*.py")
        if "tests" not in path.relative_to(LIB).parts
        for name in imported(path)
        if name.startswith("sinergi.") and not name.startswith("sinergi.lib")
    }
    assert reaching_up == set()
