"""What the funnel counts, written as it happens: views of a form, steps got past.

Both are single statements on hot paths (the public form page, each submit):
a view is an upsert of one counter row per version and UTC day; a step is an
insert that a second pass over the same step leaves alone (the unique
constraint decides, so concurrent requests cannot double count).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.analytics.rollups import count_passed_step
from app.models import FormView, ResponseStep


def _view_upsert(insert: Any) -> Any:
    statement = insert(FormView).values(
        workspace_id=bindparam("workspace_id"), form_id=bindparam("form_id"),
        version_id=bindparam("version_id"), day=bindparam("day"), views=1)
    return statement.on_conflict_do_update(
        index_elements=[FormView.version_id, FormView.day],
        set_={"views": FormView.views + 1})


def _step_insert(insert: Any) -> Any:
    statement = insert(ResponseStep).values(
        workspace_id=bindparam("workspace_id"), response_id=bindparam("response_id"),
        form_id=bindparam("form_id"), version_id=bindparam("version_id"),
        step_id=bindparam("step_id"), at=bindparam("at"))
    return statement.on_conflict_do_nothing(
        index_elements=[ResponseStep.response_id, ResponseStep.step_id]
    ).returning(ResponseStep.id)  # a row back only when it was new (rowcount is -1 on psycopg)


# Built once per dialect: these run on every form view and every submit.
_VIEW = {"postgresql": _view_upsert(postgresql.insert), "sqlite": _view_upsert(sqlite.insert)}
_STEP = {"postgresql": _step_insert(postgresql.insert), "sqlite": _step_insert(sqlite.insert)}


def count_view(connection: Connection | Session, *, workspace_id: int, form_id: int,
               version_id: int, day: date) -> None:
    """One more view of `version_id` on the UTC `day`: one INSERT … ON CONFLICT DO UPDATE."""
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else (
        connection.dialect.name)
    connection.execute(_VIEW[dialect], {"workspace_id": workspace_id, "form_id": form_id,
                                        "version_id": version_id, "day": day})


def record_step(session: Session, *, workspace_id: int, response_id: int, form_id: int,
                version_id: int, step_id: str, at: datetime, started_at: datetime) -> None:
    """The response got past `step_id` (kept once: going back and on again is one pass).

    A new row also counts in the day's rollup (`started_at`: when the response started).
    """
    dialect = session.get_bind().dialect.name
    inserted = session.connection().execute(_STEP[dialect], {
        "workspace_id": workspace_id, "response_id": response_id, "form_id": form_id,
        "version_id": version_id, "step_id": step_id[:63], "at": at})
    if inserted.first() is not None:
        count_passed_step(session, workspace_id=workspace_id, form_id=form_id,
                          version_id=version_id, step_id=step_id[:63], started_at=started_at)
