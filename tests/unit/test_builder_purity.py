"""The editor's pure modules import no Flask, SQLAlchemy or models (see test_qualify_purity)."""

from __future__ import annotations

import pytest

from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

PURE = ["scoring_rules.py", "route_rules.py", "simulator.py"]


@pytest.mark.parametrize("name", PURE)
def test_an_editor_module_reaches_no_framework(name):
    offenders = {
        str(source.relative_to(ROOT)): sorted(filter(is_forbidden, imported_modules(source)))
        for source in reachable_sources(ROOT / "app" / "builder" / name)
    }

    assert {name: found for name, found in offenders.items() if found} == {}
