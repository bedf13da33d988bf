"""A test that checks nothing cannot fail: list every test function that has no ``assert``, no
``pytest.raises`` (or ``pytest.fail``) and no Playwright ``expect(...)``, and exit 1 if any.

Run by ``make lint`` (and so by ``make test``): ``python -m tests.check_asserts [paths]``.
A test may leave the checking to a helper of its own module, or to a fixture of a conftest: the
helper counts when it checks something itself (an assert, pytest.raises or pytest.fail, expect),
followed through helpers that call such helpers.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CHECKING_PYTEST_CALLS = {"raises", "fail", "warns"}


def _called_names(node: ast.AST) -> set[str]:
    """Names of the plain functions ``node`` calls (``f(...)``; a method such as ``page.check()``
    is not a helper of ours)."""
    return {
        child.func.id
        for child in ast.walk(node)
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Name)
    }


def _checks_directly(node: ast.AST) -> bool:
    for child in ast.walk(node):
        if isinstance(child, ast.Assert):
            return True
        if isinstance(child, ast.Call):
            func = child.func
            if isinstance(func, ast.Name) and func.id == "expect":
                return True
            if (
                isinstance(func, ast.Attribute)
                and func.attr in CHECKING_PYTEST_CALLS
                and isinstance(func.value, ast.Name)
                and func.value.id == "pytest"
            ):
                return True
    return False


def _functions(tree: ast.AST) -> dict[str, ast.AST]:
    """Every function defined in a module, also inside fixtures (the helper a fixture returns),
    by name."""
    return {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _checking_names(functions: dict[str, ast.AST]) -> set[str]:
    """Names of functions that check something, directly or through another checking function."""
    checking = {name for name, node in functions.items() if _checks_directly(node)}
    calls = {name: _called_names(node) for name, node in functions.items()}
    # A fixture that returns a checking helper counts as checking when a test calls it by the
    # fixture's name: follow "return helper" too.
    returns = {
        name: {
            child.value.id
            for child in ast.walk(node)
            if isinstance(child, ast.Return) and isinstance(child.value, ast.Name)
        }
        for name, node in functions.items()
    }
    changed = True
    while changed:
        changed = False
        for name in functions:
            if name in checking:
                continue
            if calls[name] & checking or returns[name] & checking:
                checking.add(name)
                changed = True
    return checking


@cache
def _parsed(path: Path) -> ast.Module:
    """A file's syntax tree, parsed once however many test modules share it (conftest files)."""
    return ast.parse(path.read_text(), filename=str(path))


def _conftests_for(path: Path) -> list[Path]:
    found = []
    folder = path.parent
    while True:
        conftest = folder / "conftest.py"
        if conftest.exists():
            found.append(conftest)
        if folder == TESTS or folder == folder.parent:
            return found
        folder = folder.parent


def unchecked_tests(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        tree = _parsed(path)
        functions = _functions(tree)
        for conftest in _conftests_for(path):
            for name, node in _functions(_parsed(conftest)).items():
                functions.setdefault(name, node)
        # Helpers from other test modules, imported by name, count too.
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
                module = TESTS.parent / (node.module.replace(".", "/") + ".py")
                if module.exists():
                    imported = _functions(_parsed(module))
                    for alias in node.names:
                        if alias.name in imported:
                            functions.setdefault(alias.asname or alias.name, imported[alias.name])
        checking = _checking_names(functions)
        for node in tree.body:
            targets = [node]
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                targets = node.body
            for func in targets:
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if not func.name.startswith("test"):
                    continue
                if _checks_directly(func) or _called_names(func) & checking:
                    continue
                root = TESTS.parent
                shown = path.relative_to(root) if path.is_relative_to(root) else path
                problems.append(f"{shown}:{func.lineno}: {func.name}")
    return problems


def main(argv: list[str]) -> int:
    roots = [Path(a) for a in argv] or [TESTS]
    paths = sorted(
        p for root in roots for p in ([root] if root.is_file() else root.rglob("test_*.py"))
    )
    problems = unchecked_tests(paths)
    for problem in problems:
        print(f"{problem} checks nothing (no assert, pytest.raises or expect)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
