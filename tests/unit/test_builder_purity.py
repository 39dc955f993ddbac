"""The editor's pure modules import no Flask, SQLAlchemy or models (see test_qualify_purity)."""

from __future__ import annotations

import pytest

from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

PURE = [
    "catalog.py", "changes.py", "locations.py",  # forms list and Publish tab
    "outline.py", "outline_view.py", "panels.py",  # Build tab
    "rules.py", "variables.py", "rule_form.py", "rule_edits.py", "rule_text.py",  # rules
    "logic_outline.py",  # Logic tab
    "scoring_rules.py", "route_rules.py", "simulator.py",  # Scoring and Routing
    "theme.py", "theme_input.py", "sharing.py", "settings.py",  # Design and Share
]


@pytest.mark.parametrize("name", PURE)
def test_an_editor_module_reaches_no_framework(name: str) -> None:
    offenders = {
        str(source.relative_to(ROOT)): sorted(filter(is_forbidden, imported_modules(source)))
        for source in reachable_sources(ROOT / "app" / "builder" / name)
    }

    assert {name: found for name, found in offenders.items() if found} == {}
