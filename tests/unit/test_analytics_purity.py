"""The analytics calculations stay pure: no Flask, no SQLAlchemy, no models, no session."""

from __future__ import annotations

import pytest

from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

PURE = ["__init__.py", "ranges.py", "calibration.py", "funnel.py", "speed.py", "charts.py",
        "conversion.py", "figures.py"]


@pytest.mark.parametrize("name", PURE)
def test_a_pure_analytics_module_imports_no_framework_even_indirectly(name):
    offenders = {
        str(source.relative_to(ROOT)): sorted(filter(is_forbidden, imported_modules(source)))
        for source in reachable_sources(ROOT / "app" / "analytics" / name)
    }

    assert {source: found for source, found in offenders.items() if found} == {}
