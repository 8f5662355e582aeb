"""Tests mirror the rooms and share builders through ``tests.factories`` only.

A helper one test module imports from another drags that module's tests (and fixtures) along, and hides where
shared test data comes from; so every shared builder, fixture and assertion lives in ``tests/factories/``, and no
test module, conftest or factory imports from a test room (``tests.api``, ``tests.admin``, ``tests.unit``, …).
The benchmarks (``tests/perf``) are a program of their own and may import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ALLOWED = ("tests.factories", "tests.conftest")


def _imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "tests":
                found.extend(f"tests.{alias.name}" for alias in node.names)
            else:
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_no_test_module_imports_another_test_module() -> None:
    offending = []
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(TESTS)
        if relative.parts[0] == "perf":
            continue
        for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            if module.startswith("tests.") and not module.startswith(ALLOWED):
                offending.append(f"tests/{relative}: {module}")
    assert not offending, "shared test helpers belong in tests/factories/:\n" + "\n".join(offending)


def test_helpers_outside_the_factories_are_test_modules_or_conftests() -> None:
    """A helper module left in a test room (neither ``test_*.py`` nor a conftest) should move to the factories."""
    strays = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if path.relative_to(TESTS).parts[0] not in ("factories", "perf")
        and path.parent != TESTS
        and path.name != "__init__.py"
        and path.name != "conftest.py"
        and not path.name.startswith("test_")
    ]
    assert not strays, strays
