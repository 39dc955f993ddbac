"""A fresh database per chaos run (SQLite in WAL, or a new PostgreSQL database), and the
reports of every run repeated at the end of pytest's output."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.migrate import upgrade
from tests.conftest import _admin_engine, postgres_server_url, postgres_unavailable_reason

REPORTS = pytest.StashKey[list[str]]()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own: processes killed here leave nothing behind
    for other tests. Skipped (or failed, with LEADFORM_REQUIRE_POSTGRES=1) like
    tests/conftest.py's `database_url` when there is no PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'leadform.db'}"
        upgrade(url)
        yield url
        return
    reason = postgres_unavailable_reason()
    if reason:
        if os.environ.get("LEADFORM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"LEADFORM_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"SKIPPED PostgreSQL pass: {reason}")
    name = f"leadform_chaos_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_server_url()).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


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
