"""The experiments' pure modules (assignment, statistics, presentation) import no framework."""

from __future__ import annotations

import pytest

from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

PURE = [ROOT / "app" / "experiments" / name
        for name in ("__init__.py", "assignment.py", "statistics.py", "presentation.py")]


@pytest.mark.parametrize("path", PURE, ids=lambda path: path.name)
def test_a_pure_experiments_module_reaches_no_framework(path):
    offenders = {
        str(source.relative_to(ROOT)): sorted(filter(is_forbidden, imported_modules(source)))
        for source in reachable_sources(path)
    }

    assert {name: found for name, found in offenders.items() if found} == {}
