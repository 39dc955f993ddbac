"""A fresh database per chaos run (SQLite in WAL, or a new PostgreSQL database), and the
reports of every run repeated at the end of pytest's output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import migrated_database

REPORTS = pytest.StashKey[list[str]]()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own: processes killed here leave nothing behind
    for other tests. Skipped (or failed, with LEADFORM_REQUIRE_POSTGRES=1) like
    tests/conftest.py's `database_url` when there is no PostgreSQL server."""
    with migrated_database(request.param, tmp_path, prefix="leadform_chaos") as url:
        yield url


@pytest.fixture
def keep_report(request: pytest.FixtureRequest):
    """Collect a run's report for the terminal summary (shown without -s too)."""
    reports = request.config.stash.setdefault(REPORTS, [])
    return reports.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reports = terminalreporter.config.stash.get(REPORTS, [])
    if reports:
        terminalreporter.section("crash durability")
        for report in reports:
            terminalreporter.write_line(report)
