"""What a submission costs the database: statement counts with generous bounds, and the
in-memory cache of published definitions (keyed by immutable version id and content hash).

The bounds guard against regressions such as one INSERT per contact property or a
flush per history row; before they were tightened, the final submit took 46 statements
(SQLite) and a middle step 5.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.forms.definitions import DefinitionCache, definitions
from app.forms.versions import content_hash, ensure_workspace, publish, save_draft
from app.models import ContactProperty, Lead, LeadEvent, Response
from app.responses.published import find_published
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, post_screen, token_of


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Statements the app's engine runs inside the block (SQLite's explicit BEGIN aside)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    engine = app.extensions["leadform.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_final_submit_runs_a_bounded_number_of_statements(demo, client, db_engine):
    for step in ("you", "company", "needs"):
        post_screen(client, DEMO_URL, STEP_ANSWERS[step])
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))

    with counted(demo) as statements:
        reply = post_screen(client, DEMO_URL, STEP_ANSWERS["details"], token=token)

    assert reply.status_code == 303
    # 25 for the submit itself, plus the lead alert's context (rep, team, pages viewed)
    # and the workspace's alert endpoints, read once for its three events; plus one upsert
    # per analytics rollup (response state, step got past, lead per dimension and score).
    assert len(statements) <= 34, "\n".join(statements)
    assert sum(s.startswith("INSERT INTO analytics_") for s in statements) == 4
    assert sum("INSERT INTO contact_property" in s for s in statements) == 1
    with Session(db_engine) as session:  # and everything it must write was written
        response = session.scalars(select(Response)).one()
        lead = session.scalars(select(Lead)).one()
        assert response.state == "completed" and response.contact_id == lead.contact_id
        assert response.meta["destination"]["rep"]
        assert lead.owner_id is not None and lead.stage == "sql"
        kinds = sorted(session.scalars(select(LeadEvent.kind)))
        assert kinds == ["route", "stage"]
        current = session.scalars(select(ContactProperty.name)
                                  .where(ContactProperty.is_current)).all()
        assert {"email", "first_name", "company"} <= set(current)


def test_a_middle_step_runs_a_bounded_number_of_statements(demo, client):
    post_screen(client, DEMO_URL, STEP_ANSWERS["you"])
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))

    with counted(demo) as statements:
        reply = post_screen(client, DEMO_URL, STEP_ANSWERS["company"], token=token)
    with counted(demo) as shown:
        client.get(reply.headers["Location"])

    assert reply.status_code == 303
    # The step, the response, and the two rollups they move (screen counts, steps got past).
    assert len(statements) <= 6, "\n".join(statements)
    assert len(shown) <= 3, "\n".join(shown)


def test_find_published_is_one_query_without_the_draft(demo):
    with demo.app_context(), Session(demo.extensions["leadform.engine"]) as session:
        find_published(session, "demo", "talk-to-sales")  # the definition is cached now
        session.expunge_all()
        with counted(demo) as statements:
            published = find_published(session, "demo", "talk-to-sales")

        assert len(statements) == 1
        assert "draft" in inspect(published.form).unloaded
        assert published.version.definition["title"]


def test_a_new_version_is_served_at_once_and_the_old_stays_cached(
        app, session: Session, portable_definition):
    workspace = ensure_workspace(session, "acme", "Acme")
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    first = publish(session, form).version
    session.commit()
    assert find_published(session, "acme", "talk").version.definition["title"] == (
        portable_definition["title"])

    changed = copy.deepcopy(portable_definition)
    changed["title"] = "Talk to us, version two"
    save_draft(session, workspace, "talk", changed)
    second = publish(session, form).version
    session.commit()
    session.expunge_all()

    published = find_published(session, "acme", "talk")
    assert published.version.id == second.id != first.id
    assert published.version.definition["title"] == "Talk to us, version two"


def test_the_cache_asks_the_database_once_per_version(app, session: Session,
                                                      portable_definition):
    workspace = ensure_workspace(session, "acme", "Acme")
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    version = publish(session, form).version
    session.commit()
    cache = DefinitionCache()

    one = cache.get(session, version.id, version.content_hash)
    two = cache.get(session, version.id, version.content_hash)

    assert one == portable_definition and two is one
    assert cache.loads == 1


def test_an_id_that_returns_with_other_content_is_not_served_stale(
        app, session: Session, portable_definition):
    """A database emptied and refilled under a running process reuses ids: the hash differs."""
    workspace = ensure_workspace(session, "acme", "Acme")
    form, _ = save_draft(session, workspace, "talk", portable_definition)
    version = publish(session, form).version
    session.commit()
    cache = DefinitionCache()
    stale = {"title": "an older database's version with the same id"}
    cache._items[(version.id, content_hash(stale))] = stale

    assert cache.get(session, version.id, version.content_hash) == portable_definition


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    definitions.clear()
    yield
    definitions.clear()


def test_an_anonymous_page_view_runs_three_statements(demo, client):
    """The workspace, the browser, the signal: a browser without a contact has no lead to
    rescore, so the beacon does not look for one (most page views are anonymous)."""
    with counted(demo) as statements:
        reply = client.post("/t/demo", data='{"p": "/pricing", "t": "Pricing"}',
                            content_type="text/plain")

    assert reply.status_code == 204
    assert len(statements) == 3, "\n".join(statements)
    assert statements[-1].startswith("INSERT INTO signal")


ROLLUP_ORDER = ["analytics_response_day", "analytics_step_day", "analytics_lead_day",
                "analytics_lead_score_day"]


def _rollups_in_order(statements: list[str]) -> list[str]:
    tables = [table for statement in statements for table in ROLLUP_ORDER
              if statement.startswith(f"INSERT INTO {table} ")]
    return tables


def test_every_submit_takes_the_rollup_locks_in_one_order(demo, client):
    """A middle step and the final submit upsert the rollups table by table in one order,
    or two transactions on PostgreSQL wait for each other's rows (a deadlock, a 500)."""
    post_screen(client, DEMO_URL, STEP_ANSWERS["you"])
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    with counted(demo) as middle:
        post_screen(client, DEMO_URL, STEP_ANSWERS["company"], token=token)
    post_screen(client, DEMO_URL, STEP_ANSWERS["needs"])
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    with counted(demo) as final:
        post_screen(client, DEMO_URL, STEP_ANSWERS["details"], token=token)

    assert _rollups_in_order(middle) == ["analytics_response_day", "analytics_step_day"]
    tables = _rollups_in_order(final)
    assert tables == sorted(tables, key=ROLLUP_ORDER.index) and len(tables) == 4
    # ... and last, just before COMMIT: the day's rollup rows are every submit's hot rows,
    # whose locks would otherwise be held through the rest of the final submit.
    for statements in (middle, final):
        first = next(index for index, statement in enumerate(statements)
                     if statement.startswith("INSERT INTO analytics_"))
        assert all(statement.startswith("INSERT INTO analytics_")
                   for statement in statements[first:]), "\n".join(statements[first:])


def test_rollup_rows_are_upserted_in_key_order_whatever_the_order_of_changes():
    from datetime import date

    from app.analytics.rollups import apply_deltas
    from app.models import ResponseDay

    class Recorder:
        class dialect:  # noqa: N801 - what apply_deltas reads of a connection
            name = "postgresql"

        def __init__(self) -> None:
            self.rows: list[list[dict]] = []

        def execute(self, _statement, parameters) -> None:
            self.rows.append(parameters)

    day = date(2026, 12, 3)
    forwards, backwards = Recorder(), Recorder()
    moved = {(1, day, 7, "in_progress", "step:needs", 1): {"responses": +1},
             (1, day, 7, "in_progress", "step:company", 1): {"responses": -1},
             (1, day, 7, "completed", "", 1): {"responses": 0}}  # cancels out: skipped
    apply_deltas(forwards, {ResponseDay: moved})  # type: ignore[arg-type]
    apply_deltas(backwards, {ResponseDay: dict(reversed(moved.items()))})  # type: ignore[arg-type]

    assert forwards.rows == backwards.rows
    assert [row["screen"] for row in forwards.rows[0]] == ["step:company", "step:needs"]
