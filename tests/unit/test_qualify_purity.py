"""The qualification core stays pure: no Flask, no SQLAlchemy, no models, no session.

Checked on the source with `ast` rather than `sys.modules`, because importing any
`app.*` module runs `app/__init__.py` (the Flask factory) first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "app" / "qualify"
FORBIDDEN = ("flask", "sqlalchemy", "app.models", "app.db", "app.extensions", "app.web")


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _package(path).rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def _package(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def source_of(module: str) -> Path | None:
    """The file of an `app.*` module (a package's __init__), None for anything else."""
    if not module.startswith("app."):
        return None
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reachable_sources(start: Path) -> set[Path]:
    """The app files a core module imports, directly or through other app modules."""
    seen: set[Path] = set()
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in imported_modules(path):
            parts = module.split(".")
            # importing app.a.b also runs app/a/__init__.py (app/__init__.py is the factory)
            for depth in range(2, len(parts) + 1):
                found = source_of(".".join(parts[:depth]))
                if found is not None:
                    todo.append(found)
    return seen


def is_forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN)


CORE_FILES = sorted(CORE.glob("*.py"))


def test_the_core_has_modules_to_check():
    assert {path.name for path in CORE_FILES} >= {
        "__init__.py", "model.py", "scoring.py", "stages.py", "routing.py", "assignment.py"}


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda path: path.name)
def test_a_core_module_imports_no_framework_directly(path):
    assert not [module for module in imported_modules(path) if is_forbidden(module)]


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda path: path.name)
def test_a_core_module_imports_no_framework_through_other_app_modules(path):
    offenders = {
        str(source.relative_to(ROOT)): sorted(filter(is_forbidden, imported_modules(source)))
        for source in reachable_sources(path)
    }

    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from flask import current_app\nimport sqlalchemy.orm\n")

    assert {"flask", "sqlalchemy.orm"} <= set(filter(is_forbidden, imported_modules(sample)))
