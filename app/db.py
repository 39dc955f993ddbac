"""Engine and sessions: one engine per app, one session per request.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and
transactions that will write can start with `BEGIN IMMEDIATE` (see
`write_session`) so that concurrent writers queue instead of failing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app import metrics
from app.sqlite_gate import WriterGate, gate_for

_IMMEDIATE = "leadform_begin_immediate"
_CHECKED_IN = "leadform_checked_in_at"
# SQLite database files (as their URLs name them) and their writer queues (app.sqlite_gate).
_GATES: dict[str, WriterGate] = {}
# A pooled connection idle longer than this is pinged before use; a busy one is not.
PING_IDLE_SECONDS = 10.0
RECYCLE_SECONDS = 1800


# PostgreSQL's "deadlock detected" and "could not serialize access": the transaction lost
# a race and was rolled back whole, so running it again is safe.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def lost_a_race(error: BaseException) -> bool:
    """Whether a database error means "try the whole transaction again"."""
    return (isinstance(error, exc.DBAPIError)
            and getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES)


def make_engine(url: str, *, busy_timeout_ms: int = 15_000, echo: bool = False,
                ping_idle_seconds: float = PING_IDLE_SECONDS) -> Engine:
    """Create an engine with the project's per-dialect connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20,
                               pool_recycle=RECYCLE_SECONDS)
        _ping_when_idle(engine, ping_idle_seconds)
        return engine
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20,
                           connect_args={"timeout": busy_timeout_ms / 1000})
    _configure_sqlite(engine, busy_timeout_ms)
    if parsed.database and parsed.database != ":memory:" and "mode=memory" not in url:
        gate = _GATES[parsed.database] = gate_for(parsed.database, busy_timeout_ms / 1000)
        gate.observe = metrics.observe_sqlite_writer
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling, but only for connections that sat in the pool.

    `pool_pre_ping` costs a round trip on every checkout. A server restart, a
    failover or a firewall dropping idle sockets hits connections that waited in
    the pool, so only those are pinged; a dead one is replaced (the pool retries
    the checkout) and the request never sees it. A connection that breaks while
    in use still fails that request, as it would with pre-ping, and SQLAlchemy
    then invalidates the pool's other connections. `pool_recycle` bounds their age.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get(_CHECKED_IN)
        if checked_in is None or time.monotonic() - checked_in < idle_seconds:
            return  # new, or back in the pool a moment ago
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:
            # The pool discards this connection and checks out another.
            raise exc.DisconnectionError(f"stale pooled connection: {error}") from error


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"],
        busy_timeout_ms=int(app.config["SQLITE_BUSY_TIMEOUT_MS"]),
        echo=bool(app.config["SQLALCHEMY_ECHO"]),
    )
    app.extensions["leadform.engine"] = engine
    app.extensions["leadform.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["leadform.engine"]  # type: ignore[no-any-return]


def session() -> Session:
    """The request's session; created on first use, closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["leadform.sessionmaker"]()
    return g.db_session  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


@contextmanager
def write_session(bind: Engine | None = None) -> Iterator[Session]:
    """A session whose transaction takes the write lock up front on SQLite.

    Commits on success and rolls back on error. On PostgreSQL it is an
    ordinary transaction.
    """
    target = bind if bind is not None else engine()
    if target.dialect.name != "sqlite":
        with Session(target, expire_on_commit=False) as db_session, db_session.begin():
            yield db_session
        return
    with sqlite_writer(target), Session(target.execution_options(**{_IMMEDIATE: True}),
                                        expire_on_commit=False) as db_session, db_session.begin():
        yield db_session


def sqlite_writer(target: Engine) -> AbstractContextManager[None]:
    """Wait for this process's and every other process's turn to write (SQLite files only).

    write_session uses it; a writer that begins its own transaction (a one-statement
    counter) should too, or the writers it overtakes wait in SQLite's busy handler.
    """
    gate = _GATES.get(target.url.database or "") if target.dialect.name == "sqlite" else None
    return gate.held() if gate is not None else nullcontext()
