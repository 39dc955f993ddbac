"""Deleting what has outlived its retention period, in small batches.

Each batch is its own short transaction: select at most `batch_size` ids after the
last batch's (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so a row someone is writing is
left for the next run), then delete those ids. No DELETE ever covers a whole table, so the job
never holds locks for long, and a run stopped halfway has done useful work.

What is never deleted: completed responses, leads, contacts, pending or dead
(undelivered) deliveries and their events, and any row that a row we keep points
at (every foreign key in `Base.metadata` is checked, so a new table is covered).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, delete, exists, func, select
from sqlalchemy.orm import Session

from app.db import write_session
from app.models import (
    AuditEntry,
    Base,
    Delivery,
    OutboxEvent,
    Response,
    ResponseStep,
    Signal,
    Workspace,
)
from app.retention.policy import Period, effective_periods

BATCH_SIZE = 500
NO_WORKSPACE = "(no workspace)"


@dataclass
class RetentionReport:
    dry_run: bool
    # (workspace slug, table name) -> rows deleted (or that would be, in a dry run)
    deleted: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, workspace: str, table: str, count: int) -> None:
        if count:
            key = (workspace, table)
            self.deleted[key] = self.deleted.get(key, 0) + count

    def total(self) -> int:
        return sum(self.deleted.values())

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        return [f"{workspace}: {verb} {count} {table} row(s)"
                for (workspace, table), count in sorted(self.deleted.items())]


def run_retention(engine: Engine, defaults: Mapping[str, int | None], now: datetime, *,
                  dry_run: bool = False, batch_size: int = BATCH_SIZE,
                  workspace_slug: str | None = None) -> RetentionReport:
    """Apply every workspace's retention periods once; returns what went, per table."""
    report = RetentionReport(dry_run)
    with Session(engine) as session:
        query = select(Workspace.id, Workspace.slug, Workspace.settings).order_by(Workspace.id)
        if workspace_slug is not None:
            query = query.where(Workspace.slug == workspace_slug)
        workspaces = session.execute(query).all()
    for workspace_id, slug, settings in workspaces:
        periods = effective_periods(defaults, settings)
        for kind, period in periods.items():
            cutoff = period.cutoff(now)
            if cutoff is None:
                continue
            for table, count in PURGES[kind](engine, workspace_id, cutoff, dry_run,
                                             batch_size).items():
                report.add(slug, table, count)
    if workspace_slug is None:
        # Entries of no workspace (a failed sign-in for an unknown email) follow the default.
        cutoff = Period(defaults.get("audit_log"), overridden=False).cutoff(now)
        if cutoff is not None:
            for table, count in _audit_log(engine, None, cutoff, dry_run, batch_size).items():
                report.add(NO_WORKSPACE, table, count)
    return report


# --- what each kind of data is ----------------------------------------------------------


def _partial_responses(engine: Engine, workspace_id: int, cutoff: datetime, dry_run: bool,
                       batch_size: int) -> dict[str, int]:
    """Unfinished responses idle since before the cut-off, with the steps they got past."""
    candidates = (select(Response.id)
                  .where(Response.workspace_id == workspace_id,
                         Response.state != "completed", Response.updated_at < cutoff,
                         *unreferenced(Response, owned={ResponseStep.__tablename__}))
                  .order_by(Response.id))
    return _in_batches(engine, candidates, [(ResponseStep, ResponseStep.response_id),
                                            (Response, Response.id)], dry_run, batch_size)


def _delivery_logs(engine: Engine, workspace_id: int, cutoff: datetime, dry_run: bool,
                   batch_size: int) -> dict[str, int]:
    """Delivered deliveries, then events none of whose deliveries is left (or that had none)."""
    deliveries = (select(Delivery.id)
                  .where(Delivery.workspace_id == workspace_id, Delivery.status == "delivered",
                         Delivery.delivered_at < cutoff, *unreferenced(Delivery))
                  .order_by(Delivery.id))
    counts = _in_batches(engine, deliveries, [(Delivery, Delivery.id)], dry_run, batch_size)
    # In a dry run the deliveries are still there: count the events that would be left empty.
    undelivered = (Delivery.status != "delivered") | (Delivery.delivered_at >= cutoff) \
        if dry_run else Delivery.id.is_not(None)
    events = (select(OutboxEvent.id)
              .where(OutboxEvent.workspace_id == workspace_id, OutboxEvent.created_at < cutoff,
                     ~exists().where(Delivery.event_id == OutboxEvent.id, undelivered),
                     *unreferenced(OutboxEvent, owned={Delivery.__tablename__}))
              .order_by(OutboxEvent.id))
    counts.update(_in_batches(engine, events, [(OutboxEvent, OutboxEvent.id)], dry_run,
                              batch_size))
    return counts


def _signals(engine: Engine, workspace_id: int, cutoff: datetime, dry_run: bool,
             batch_size: int) -> dict[str, int]:
    candidates = (select(Signal.id)
                  .where(Signal.workspace_id == workspace_id, Signal.occurred_at < cutoff,
                         *unreferenced(Signal))
                  .order_by(Signal.id))
    return _in_batches(engine, candidates, [(Signal, Signal.id)], dry_run, batch_size)


def _audit_log(engine: Engine, workspace_id: int | None, cutoff: datetime, dry_run: bool,
               batch_size: int) -> dict[str, int]:
    """Audit entries recorded before the cut-off (the purge itself records none, like the rest)."""
    in_workspace = AuditEntry.workspace_id.is_(None) if workspace_id is None \
        else AuditEntry.workspace_id == workspace_id
    candidates = (select(AuditEntry.id)
                  .where(in_workspace, AuditEntry.created_at < cutoff, *unreferenced(AuditEntry))
                  .order_by(AuditEntry.id))
    return _in_batches(engine, candidates, [(AuditEntry, AuditEntry.id)], dry_run, batch_size)


PURGES = {"partial_responses": _partial_responses, "delivery_logs": _delivery_logs,
          "signals": _signals, "audit_log": _audit_log}


# --- the machinery -----------------------------------------------------------------------


def unreferenced(model: Any, owned: Iterable[str] = ()) -> list[Any]:
    """Conditions: no row of another table points at this one (tables in `owned` go with it)."""
    target = model.__table__
    conditions = []
    for table in Base.metadata.sorted_tables:
        if table.name in set(owned):
            continue
        for key in table.foreign_keys:
            if key.column.table is target:
                conditions.append(~exists().where(key.parent == key.column))
    return conditions


def _in_batches(engine: Engine, candidates: Select[Any], deletes: list[tuple[Any, Any]],
                dry_run: bool, batch_size: int) -> dict[str, int]:
    """Delete the candidates' rows from each (model, id column), `batch_size` ids at a time.

    The candidates select ids of the last model; earlier ones are rows that belong to them.
    """
    counts: dict[str, int] = {}
    if dry_run:
        with Session(engine) as session:
            ids = candidates.subquery()
            for model, column in deletes:
                counts[model.__tablename__] = session.scalar(
                    select(func.count()).select_from(model)
                    .where(column.in_(select(ids.c[0])))) or 0
        return counts
    # Keyset paging: each batch starts after the last id seen, so no batch walks again
    # over the index entries of rows the earlier batches deleted (still there until vacuum).
    key = candidates.selected_columns[0]
    last = 0
    while True:
        with write_session(engine) as session:
            ids = list(session.scalars(
                candidates.where(key > last).limit(batch_size)
                .with_for_update(skip_locked=True)))
            last = max(ids, default=last)
            for model, column in deletes:
                if not ids:
                    break
                deleted = session.execute(
                    delete(model).where(column.in_(ids))
                    .execution_options(synchronize_session=False)).rowcount or 0
                name = model.__tablename__
                counts[name] = counts.get(name, 0) + int(deleted)
        if len(ids) < batch_size:
            return counts
