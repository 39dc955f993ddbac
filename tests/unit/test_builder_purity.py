"""The builder's pure modules (templates, change summaries, issue locations) need no app."""

from __future__ import annotations

import pytest

from tests.unit.test_qualify_purity import FORBIDDEN, ROOT, imported_modules

PURE = ["catalog.py", "changes.py", "locations.py"]


@pytest.mark.parametrize("name", PURE)
def test_pure_builder_modules_import_no_flask_database_or_models(name: str) -> None:
    imported = imported_modules(ROOT / "app" / "builder" / name)

    assert not {module for module in imported
                if any(module == bad or module.startswith(bad + ".") for bad in FORBIDDEN)}
