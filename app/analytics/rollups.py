"""Keeping the daily rollups (app/models/rollup.py) in step with responses and leads.

Every flush that adds, changes or deletes a response or a lead takes the row's old
contribution from its rollup rows and adds the new one, with one
INSERT … ON CONFLICT DO UPDATE per key, in the flush's own transaction, just before it
commits: the counts commit or roll back with the change. Steps got past are counted where they are
recorded (app/analytics/recording.py), and bulk updates that bypass the ORM say
what they changed through `apply_deltas`. `rebuild` recounts from the raw rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.analytics.speed import BUCKETS
from app.analytics.sql import seconds_between, utc_day, whole_floor
from app.models import Lead, Response, ResponseStep
from app.models.rollup import LeadDay, LeadScoreDay, ResponseDay, StepDay

Key = tuple[Any, ...]
Deltas = dict[type, dict[Key, dict[str, int]]]
ROLLUPS = (ResponseDay, StepDay, LeadDay, LeadScoreDay)
DIMENSIONS = ("source", "campaign")


def _key_columns(model: type) -> list[str]:
    """The primary key, then workspace_id when it is not part of it: a key tuple's order."""
    table = model.__table__  # type: ignore[attr-defined]
    names = [column.name for column in table.primary_key.columns]
    return names if "workspace_id" in names else [*names, "workspace_id"]


def _measure_columns(model: type) -> list[str]:
    keys = set(_key_columns(model))
    return [column.name for column in model.__table__.columns  # type: ignore[attr-defined]
            if column.name not in keys and column.name != "workspace_id"]


def _upsert(model: type, dialect: str) -> Any:
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_of(model)
    return statement.on_conflict_do_update(
        index_elements=[column.name for column in model.__table__.primary_key.columns],  # type: ignore[attr-defined]
        set_={name: getattr(model, name) + getattr(statement.excluded, name)
              for name in _measure_columns(model)})


# Built once per dialect: they run in every flush that touches a response or a lead.
_UPSERTS = {dialect: {model: _upsert(model, dialect) for model in ROLLUPS}
            for dialect in ("postgresql", "sqlite")}


def day_of(moment: datetime) -> date:
    return moment.date()  # stored times are UTC (invariant 7)


def wait_bucket(lead: Mapping[str, Any]) -> str | None:
    """The wait column a lead counts in, or None when it was never handed to sales."""
    if lead["sla_started_at"] is None and lead["mql_at"] is None and (
            lead["first_touch_at"] is None):
        return None
    if lead["first_touch_at"] is None:
        return "wait_untouched"
    wait = (lead["first_touch_at"] - (lead["sla_started_at"] or lead["created_at"])
            ).total_seconds()
    for bucket in BUCKETS:
        if bucket.upper_seconds is None or wait < bucket.upper_seconds:
            return f"wait_{bucket.key}"
    raise AssertionError("the last bucket has no upper bound")


def response_rows(response: Mapping[str, Any]) -> Iterable[tuple[type, Key, dict[str, int]]]:
    yield (ResponseDay, (response["form_id"], day_of(response["started_at"]),
                         response["version_id"], response["state"],
                         response["current_step"] or "", response["workspace_id"]),
           {"responses": 1})


def lead_rows(lead: Mapping[str, Any]) -> Iterable[tuple[type, Key, dict[str, int]]]:
    day = day_of(lead["created_at"])
    form_id, version_id = lead["origin_form_id"] or 0, lead["origin_version_id"] or 0
    won = int(lead["outcome"] == "won")
    milestones = {"leads": 1, "mql": int(lead["mql_at"] is not None),
                  "sql": int(lead["sql_at"] is not None),
                  "booked": int(lead["booked_at"] is not None),
                  "accepted": int(lead["accepted_at"] is not None), "won": won}
    for dimension in DIMENSIONS:
        yield (LeadDay, (lead["workspace_id"], day, dimension, lead[dimension] or "",
                         form_id, version_id), milestones)
    scored = {"leads": 1, "accepted": milestones["accepted"], "won": won}
    bucket = wait_bucket(lead)
    if bucket is not None:
        scored[bucket] = 1
    yield (LeadScoreDay, (lead["workspace_id"], day, form_id, math.floor(lead["total"] or 0)),
           scored)


RESPONSE_FIELDS = ("workspace_id", "form_id", "version_id", "started_at", "state",
                   "current_step")
LEAD_FIELDS = ("workspace_id", "created_at", "origin_form_id", "origin_version_id", "source",
               "campaign", "total", "mql_at", "sql_at", "booked_at", "accepted_at", "outcome",
               "first_touch_at", "sla_started_at")
_TRACKED = {Response: (RESPONSE_FIELDS, response_rows), Lead: (LEAD_FIELDS, lead_rows)}


def add(deltas: Deltas, rows: Iterable[tuple[type, Key, dict[str, int]]], sign: int) -> None:
    for model, key, measures in rows:
        counters = deltas[model].setdefault(key, defaultdict(int))
        for name, count in measures.items():
            counters[name] += sign * count


def _values(instance: Any, fields: tuple[str, ...], *, old: bool) -> dict[str, Any]:
    """The fields as the flush wrote them, or (`old`) as they were before (active_history
    on these columns makes the ORM load an old value before it is replaced)."""
    state = inspect(instance)
    values = {}
    for name in fields:
        history = state.attrs[name].history
        if old and history.deleted:
            values[name] = history.deleted[0]
        elif old and history.added:
            values[name] = None  # had no value before
        else:
            values[name] = getattr(instance, name)
    return values


def flush_deltas(session: Session) -> Deltas:
    """What this flush changes in the rollups: -old +new for every response and lead."""
    deltas: Deltas = defaultdict(dict)
    for instance in session.new:
        tracked = _TRACKED.get(type(instance))
        if tracked:
            add(deltas, tracked[1](_values(instance, tracked[0], old=False)), +1)
    for instance in session.dirty:
        tracked = _TRACKED.get(type(instance))
        if tracked and session.is_modified(instance, include_collections=False):
            before = _values(instance, tracked[0], old=True)
            after = _values(instance, tracked[0], old=False)
            if before != after:
                add(deltas, tracked[1](before), -1)
                add(deltas, tracked[1](after), +1)
    for instance in session.deleted:
        tracked = _TRACKED.get(type(instance))
        if tracked:
            add(deltas, tracked[1](_values(instance, tracked[0], old=True)), -1)
    steps = [(instance, +1) for instance in session.new if isinstance(instance, ResponseStep)]
    steps += [(instance, -1) for instance in session.deleted
              if isinstance(instance, ResponseStep)]
    if steps:  # rows added through the ORM (record_step counts its own)
        started = dict(session.connection().execute(
            select(Response.id, Response.started_at)
            .where(Response.id.in_({step.response_id for step, _ in steps}))).all())
        for step, sign in steps:
            if step.response_id in started:
                add(deltas, [(StepDay, (step.form_id, day_of(started[step.response_id]),
                                        step.version_id, step.step_id, step.workspace_id),
                              {"passed": 1})], sign)
    return deltas


def apply_deltas(connection: Connection | Session, deltas: Deltas) -> None:
    """One upsert per changed rollup row (rows whose changes cancel out are skipped).

    Given a session, the changes wait for its commit (see _apply_before_commit). The
    tables go in ROLLUPS order and the rows of each in key order: every transaction
    takes the rollups' row locks in one order, or two on PostgreSQL could deadlock.
    """
    if isinstance(connection, Session):
        _defer(connection, deltas)
        return
    statements = _UPSERTS[connection.dialect.name]
    for model in ROLLUPS:
        changes = deltas.get(model)
        if not changes:
            continue
        keys, measures = _key_columns(model), _measure_columns(model)
        parameters = []
        for key in sorted(changes, key=_lock_order):
            counters = changes[key]
            if not any(counters.values()):
                continue
            row = dict(zip(keys, key, strict=True))
            row.update({name: counters.get(name, 0) for name in measures})
            parameters.append(row)
        if parameters:
            connection.execute(statements[model], parameters)


def _lock_order(key: Key) -> tuple[str, ...]:
    """A total order on rollup keys (dates, numbers, text; never mixed within a column)."""
    return tuple(f"{value:020d}" if isinstance(value, int) else str(value) for value in key)


_PENDING = "leadform.rollup_deltas"


def _defer(session: Session, deltas: Deltas) -> None:
    """Keep a session's rollup changes for its commit.

    A day's rollup rows are the hottest rows there are: every response moving on
    updates the same few. Upserted mid-transaction, their locks (PostgreSQL) would be
    held through the rest of it, the whole final submit, and every other submit would
    queue behind them; upserted just before COMMIT they are held for a moment. Inside
    a savepoint they are applied at once, so rolling it back takes them back too.
    """
    if session.in_nested_transaction():
        apply_deltas(session.connection(), deltas)
        return
    pending: Deltas = session.info.setdefault(_PENDING, defaultdict(dict))
    for model, changes in deltas.items():
        for key, counters in changes.items():
            total = pending[model].setdefault(key, defaultdict(int))
            for name, count in counters.items():
                total[name] += count


@event.listens_for(Session, "after_flush")
def _roll_up_flush(session: Session, _context: object) -> None:
    deltas = flush_deltas(session)
    if deltas:
        _defer(session, deltas)


@event.listens_for(Session, "before_commit")
def _apply_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its changes were applied already
    apply_pending(session)


def apply_pending(session: Session) -> None:
    """Send the session's rollup changes now; for a statement of the same transaction that
    reads or prunes the rollups (and for COMMIT, whose own flush would come too late)."""
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if pending:
        apply_deltas(session.connection(), pending)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # committed (applied above) or rolled back: gone
        session.info.pop(_PENDING, None)


def count_passed_step(connection: Connection | Session, *, workspace_id: int, form_id: int,
                      version_id: int, step_id: str, started_at: datetime) -> None:
    """One more response started on that day got past `step_id`."""
    apply_deltas(connection, {StepDay: {(form_id, day_of(started_at), version_id, step_id,
                                         workspace_id): {"passed": 1}}})


def _rebuild_statements(workspace_ids: list[int] | None) -> list[Any]:
    """INSERT … SELECT per rollup: the counts, grouped, straight from the raw rows."""
    def scoped(column: Any) -> list[Any]:
        return [] if workspace_ids is None else [column.in_(workspace_ids)]

    started_day = utc_day(Response.started_at)
    screen = func.coalesce(Response.current_step, "")
    responses = select(Response.form_id, started_day, Response.version_id, Response.state,
                       screen, Response.workspace_id, func.count()).where(
        *scoped(Response.workspace_id)).group_by(
        Response.form_id, started_day, Response.version_id, Response.state, screen,
        Response.workspace_id)
    steps = select(ResponseStep.form_id, started_day, ResponseStep.version_id,
                   ResponseStep.step_id, ResponseStep.workspace_id, func.count()).join(
        Response, Response.id == ResponseStep.response_id).where(
        *scoped(ResponseStep.workspace_id)).group_by(
        ResponseStep.form_id, started_day, ResponseStep.version_id, ResponseStep.step_id,
        ResponseStep.workspace_id)
    created_day = utc_day(Lead.created_at)
    form_id = func.coalesce(Lead.origin_form_id, 0)
    version_id = func.coalesce(Lead.origin_version_id, 0)
    won = func.sum(case((Lead.outcome == "won", 1), else_=0))
    statements: list[Any] = [
        insert(ResponseDay).from_select(
            ["form_id", "day", "version_id", "state", "screen", "workspace_id", "responses"],
            responses),
        insert(StepDay).from_select(
            ["form_id", "day", "version_id", "step_id", "workspace_id", "passed"], steps)]
    for dimension in DIMENSIONS:
        value = func.coalesce(getattr(Lead, dimension), "")
        statements.append(insert(LeadDay).from_select(
            ["workspace_id", "day", "dimension", "value", "form_id", "version_id", "leads",
             "mql", "sql", "booked", "accepted", "won"],
            select(Lead.workspace_id, created_day, literal(dimension), value, form_id,
                   version_id, func.count(), func.count(Lead.mql_at), func.count(Lead.sql_at),
                   func.count(Lead.booked_at), func.count(Lead.accepted_at), won)
            .where(*scoped(Lead.workspace_id))
            .group_by(Lead.workspace_id, created_day, value, form_id, version_id)))
    score = whole_floor(Lead.total)
    handed = (Lead.sla_started_at.is_not(None) | Lead.mql_at.is_not(None)
              | Lead.first_touch_at.is_not(None))
    wait = seconds_between(Lead.first_touch_at,
                           func.coalesce(Lead.sla_started_at, Lead.created_at))
    waits = []
    lower = None
    for bucket in BUCKETS:
        bounds = [handed] + ([wait >= lower] if lower is not None else [])
        if bucket.upper_seconds is not None:
            bounds.append(wait < bucket.upper_seconds)
        waits.append(func.sum(case((and_(*bounds), 1), else_=0)))
        lower = bucket.upper_seconds
    waits.append(func.sum(case((and_(handed, Lead.first_touch_at.is_(None)), 1), else_=0)))
    statements.append(insert(LeadScoreDay).from_select(
        ["workspace_id", "day", "form_id", "score", "leads", "accepted", "won",
         *(f"wait_{bucket.key}" for bucket in BUCKETS), "wait_untouched"],
        select(Lead.workspace_id, created_day, form_id, score, func.count(),
               func.count(Lead.accepted_at), won, *waits)
        .where(*scoped(Lead.workspace_id))
        .group_by(Lead.workspace_id, created_day, form_id, score)))
    return statements


def rebuild(session: Session, workspace_ids: list[int] | None = None) -> None:
    """Recount every rollup (of these workspaces, or all) from the raw rows.

    On PostgreSQL the rollups are locked against writers first: a change committed
    before is recounted, one still open adds its delta after this commits. (SQLite's
    write lock serialises the same way.)
    """
    session.flush()
    session.info.pop(_PENDING, None)  # recounted below, from the rows they came from
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE " + ", ".join(
            model.__tablename__ for model in ROLLUPS) + " IN SHARE ROW EXCLUSIVE MODE"))
    for model in ROLLUPS:
        session.execute(delete(model).where(
            *([] if workspace_ids is None else [model.workspace_id.in_(workspace_ids)])))
    for statement in _rebuild_statements(workspace_ids):
        session.execute(statement)


def prune_empty_lead_days(session: Session, workspace_id: int) -> int:
    """Drop rollup rows that count nobody any more.

    A lead day is keyed by the lead's source or campaign value, which can be personal
    (a UTM holding an email): once an erased person's lead is taken off, the row that
    counted only them must go too, not linger with zeros.
    """
    apply_pending(session)
    empty = [getattr(LeadDay, name) == 0 for name in _measure_columns(LeadDay)]
    return int(session.execute(
        delete(LeadDay).where(LeadDay.workspace_id == workspace_id, *empty)
        .execution_options(synchronize_session=False)
    ).rowcount or 0)  # type: ignore[attr-defined]
