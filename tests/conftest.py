"""Shared fixtures. Every database test runs twice: on SQLite and on PostgreSQL.

The PostgreSQL pass creates its own database on the server named by
LEADFORM_TEST_POSTGRES_URL (or a PostgreSQL DATABASE_URL, or the local default)
and drops it afterwards. With no server it is skipped with a clear reason,
unless LEADFORM_REQUIRE_POSTGRES=1, which turns that into a failure.
Schemas are built with the Alembic migrations, never `create_all`.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import create_app
from app.alerts.dispatch import shutdown_dispatcher
from app.db import make_engine
from app.migrate import upgrade
from app.models import Base

ROOT = Path(__file__).resolve().parent.parent
DEMO_DEFINITION = ROOT / "demo" / "talk-to-sales.json"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# The processes tests start (gunicorn, `flask worker`, `flask` commands) run in production
# mode, which refuses to start without a real key: one random key for the whole run (on a
# clean clone there is no instance/secret_key). tests/deploy removes it where it must.
os.environ.setdefault("LEADFORM_SECRET_KEY", secrets.token_urlsafe(32))

# Hypothesis profiles for the fuzz and property tests that do not fix their own example
# count: `ci` (the default) keeps the suite quick, `deep` (LEADFORM_FUZZ=deep) looks
# much harder; LEADFORM_FUZZ_EXAMPLES=N sets the count outright.
settings.register_profile("ci", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
_FUZZ_PROFILE = os.environ.get("LEADFORM_FUZZ", "ci")
if os.environ.get("LEADFORM_FUZZ_EXAMPLES"):
    settings.register_profile("custom", settings.get_profile(_FUZZ_PROFILE),
                              max_examples=int(os.environ["LEADFORM_FUZZ_EXAMPLES"]))
    _FUZZ_PROFILE = "custom"
settings.load_profile(_FUZZ_PROFILE)


def postgres_server_url() -> str:
    explicit = os.environ.get("LEADFORM_TEST_POSTGRES_URL")
    if explicit:
        return explicit
    env_url = os.environ.get("DATABASE_URL", "")
    if env_url.startswith("postgresql"):
        return env_url
    return DEFAULT_POSTGRES


def postgres_unavailable_reason() -> str | None:
    """None when a PostgreSQL server answers, else why not."""
    url = make_url(postgres_server_url()).set(database="postgres")
    probe = make_engine(url.render_as_string(hide_password=False))
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means: no PostgreSQL pass
        return f"no PostgreSQL server at {url.render_as_string()}: {type(error).__name__}"
    finally:
        probe.dispose()
    return None


def _admin_engine() -> Engine:
    url = make_url(postgres_server_url()).set(database="postgres")
    return make_engine(url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )


@contextmanager
def migrated_database(kind: str, directory: Path, prefix: str = "leadform_test") -> Iterator[str]:
    """A new database at the migrations' head: a SQLite file in `directory`, or a
    PostgreSQL database of its own, dropped afterwards. Without a PostgreSQL server the
    test is skipped, or fails with LEADFORM_REQUIRE_POSTGRES=1."""
    if kind == "sqlite":
        url = f"sqlite:///{directory / 'leadform.db'}"
        upgrade(url)
        yield url
        return
    reason = postgres_unavailable_reason()
    if reason:
        if os.environ.get("LEADFORM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"LEADFORM_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(f"SKIPPED PostgreSQL pass: {reason}")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    with migrated_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def _session_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def empty_all_tables(engine: Engine) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            conn.exec_driver_sql(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
        else:
            for name in tables:
                conn.exec_driver_sql(f'DELETE FROM "{name}"')


@pytest.fixture
def db_engine(_session_engine: Engine) -> Iterator[Engine]:
    """The test database's engine; every table is emptied after the test."""
    yield _session_engine
    empty_all_tables(_session_engine)


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    with Session(db_engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def app(database_url: str, db_engine: Engine) -> Iterator[Flask]:
    flask_app = create_app(
        # Test clients answer faster than people; the bot timer has its own test.
        {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
         "MIN_FILL_SECONDS": 0, "SUBMIT_RATE_LIMIT": "100000 per minute"}
    )
    yield flask_app
    shutdown_dispatcher(flask_app)
    flask_app.extensions["leadform.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cli(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def demo_definition() -> dict[str, Any]:
    return json.loads(DEMO_DEFINITION.read_text(encoding="utf-8"))


@pytest.fixture
def portable_definition(demo_definition: dict[str, Any]) -> dict[str, Any]:
    """The demo form without routing, publishable in a workspace that has no sales team."""
    definition = dict(demo_definition)
    definition.pop("route")
    definition["endings"] = [
        {"id": "sales", "type": "message", "title": "Thanks, {{answers.first_name}}!"}
        if ending["id"] == "sales" else ending for ending in definition["endings"]
    ]
    return definition


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any, str], Path]:
    """Write a JSON document (or raw text) to a temporary file and return its path."""

    def write(document: Any, name: str = "form.json") -> Path:
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else json.dumps(document),
                        encoding="utf-8")
        return path

    return write


@pytest.fixture
def demo(app: Flask, cli: FlaskCliRunner) -> Flask:
    """The demo workspace and its published talk-to-sales form."""
    result = cli.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def publish_form(app: Flask) -> Callable[..., str]:
    """Publish a definition as workspace `acme`'s form `slug`; returns its public URL."""
    from app.db import write_session
    from app.forms.versions import ensure_workspace, publish, save_draft

    def publish_definition(definition: dict[str, Any], slug: str = "test-form") -> str:
        with app.app_context(), write_session() as db_session:
            workspace = ensure_workspace(db_session, "acme", "Acme")
            form, _ = save_draft(db_session, workspace, slug, definition)
            publish(db_session, form)
        return f"/f/acme/{slug}"

    return publish_definition
