"""Retention at scale: how long the batched purge takes, and how long one batch holds locks.

Loads one workspace with --signals old signals, --responses old abandoned responses
(two steps each) and as many delivered alerts, plus as many recent rows of each that
must stay, then runs the retention job once with --batch-size. Prints rows deleted per
table, the total time, rows per second and the mean time of one batch transaction
(what a concurrent writer may wait at most for a row in it). On PostgreSQL and SQLite.

Run: .venv/bin/python bench/retention.py [--signals 200000] [--responses 50000]
     [--batch-size 500] [--only postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import machine_note, postgres_database, sqlite_database  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

CHUNK = 5000


def load(engine, signals: int, responses: int) -> None:
    from app.models import (
        Delivery,
        Form,
        FormVersion,
        OutboxEvent,
        Response,
        ResponseStep,
        Signal,
        Workspace,
        utcnow,
    )

    now = utcnow()
    old, recent = now - timedelta(days=400), now - timedelta(days=5)
    with Session(engine) as session, session.begin():
        workspace = Workspace(slug="bench", name="Bench")
        session.add(workspace)
        session.flush()
        form = Form(workspace_id=workspace.id, slug="f", name="F", draft={})
        session.add(form)
        session.flush()
        version = FormVersion(workspace_id=workspace.id, form_id=form.id, number=1,
                              definition={}, content_hash="h")
        session.add(version)
        session.flush()
        ids = (workspace.id, form.id, version.id)

    def chunks(total: int):
        for start in range(0, total, CHUNK):
            yield range(start, min(start + CHUNK, total))

    workspace_id, form_id, version_id = ids
    with engine.begin() as conn:
        for at, share in ((old, 1.0), (recent, 0.1)):
            for part in chunks(int(signals * share)):
                conn.execute(insert(Signal), [
                    {"workspace_id": workspace_id, "visitor_token": f"v{i}", "path": "/pricing",
                     "title": "Pricing", "kind": "page_view", "occurred_at": at} for i in part])
            for part in chunks(int(responses * share)):
                first = conn.execute(select(Response.id).order_by(Response.id.desc()).limit(1)
                                     ).scalar() or 0
                conn.execute(insert(Response), [
                    {"workspace_id": workspace_id, "form_id": form_id, "version_id": version_id,
                     "state": "abandoned", "answers": {}, "hidden": {}, "meta": {},
                     "started_at": at, "updated_at": at} for _ in part])
                conn.execute(insert(ResponseStep), [
                    {"workspace_id": workspace_id, "response_id": first + 1 + n,
                     "form_id": form_id, "version_id": version_id, "step_id": step, "at": at}
                    for n in range(len(part)) for step in ("you", "company")])
                events = conn.execute(select(OutboxEvent.id).order_by(OutboxEvent.id.desc())
                                      .limit(1)).scalar() or 0
                conn.execute(insert(OutboxEvent), [
                    {"workspace_id": workspace_id, "event_id": f"evt_{at:%j}_{events + n}",
                     "kind": "lead.qualified", "payload": {}, "created_at": at}
                    for n in range(len(part))])
                conn.execute(insert(Delivery), [
                    {"workspace_id": workspace_id, "event_id": events + 1 + n,
                     "channel": "webhook", "status": "delivered", "attempts": 1,
                     "created_at": at, "next_attempt_at": at, "delivered_at": at}
                    for n in range(len(part))])


def measure(url: str, backend: str, args: argparse.Namespace) -> None:
    from app.db import make_engine
    from app.migrate import upgrade
    from app.models import utcnow
    from app.retention.purge import run_retention

    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        load(engine, args.signals, args.responses)
        print(f"{backend}: loaded in {time.perf_counter() - started:.1f} s")
        defaults = {"partial_responses": 90, "delivery_logs": 90, "signals": 365}
        started = time.perf_counter()
        report = run_retention(engine, defaults, utcnow(), batch_size=args.batch_size)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    for line in report.lines():
        print(f"{backend}: {line}")
    # One batch per batch_size candidate rows of each kind (+1 empty closing batch each).
    kinds = {"signal": "signal", "response": "response", "delivery": "delivery",
             "outbox_event": "outbox_event"}
    batches = sum(math.ceil(report.deleted.get(("bench", table), 0) / args.batch_size) + 1
                  for table in kinds.values())
    total = report.total()
    print(f"{backend}: {total} rows in {seconds:.2f} s = {total / seconds:,.0f} rows/s; "
          f"{batches} batches of <= {args.batch_size}, {seconds / batches * 1000:.1f} ms each "
          "on average")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=200_000)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--only", choices=("postgresql", "sqlite"))
    args = parser.parse_args()
    print(machine_note())
    if args.only in (None, "postgresql"):
        with postgres_database() as url:
            measure(url, "postgresql", args)
    if args.only in (None, "sqlite"):
        with sqlite_database() as url:
            measure(url, "sqlite", args)


if __name__ == "__main__":
    main()
