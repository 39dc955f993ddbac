"""PostgreSQL connections: a pooled connection that died while idle is replaced unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from app.db import make_engine


def test_a_connection_killed_while_idle_in_the_pool_is_replaced(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL connections only")
    engine = make_engine(database_url, ping_idle_seconds=0)
    killer = make_engine(database_url)
    try:
        with engine.connect() as connection:
            first_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as connection:  # as a server restart would
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
            connection.commit()

        with engine.connect() as connection:
            second_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()

        assert second_pid != first_pid
    finally:
        engine.dispose()
        killer.dispose()


def test_a_recently_used_connection_is_not_pinged_and_the_pool_recovers(
        database_url: str) -> None:
    """No round trip per checkout: a connection back in the pool a moment ago is trusted.

    If it died in that moment the request using it fails once (as with pre-ping, a
    connection can break while in use) and the pool is renewed for the next one.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL connections only")
    engine = make_engine(database_url)  # pings only after 10 idle seconds
    killer = make_engine(database_url)
    try:
        with engine.connect() as connection:
            first_pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
            connection.commit()

        with pytest.raises(exc.OperationalError), engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != first_pid
    finally:
        engine.dispose()
        killer.dispose()
