"""Prometheus metrics: what the services count, and the page /metrics serves.

Services call the small functions here (no Flask involved); a count made inside a
transaction is applied only when that transaction commits, so a rolled-back
submit is not counted. Under gunicorn, PROMETHEUS_MULTIPROC_DIR (set by
gunicorn.conf.py) makes every worker process, and an alert worker given the same
directory, write its values there, and a scrape adds them up. The outbox's queue
depth is read from the database on each scrape, so it is right whichever
process asks.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

SUBMISSIONS = Counter("leadform_submissions", "Final submits of hosted forms, by outcome "
                      "(completed, or bot: a normal-looking ending, nothing merged).",
                      ["outcome"])
STAGE_CHANGES = Counter("leadform_stage_changes", "Leads moved into a stage.", ["stage"])
ALERT_DELIVERY_FAILURES = Counter("leadform_alert_delivery_failures",
                                  "Alert delivery attempts that failed, by channel.", ["channel"])
ALERT_LATENCY = Histogram(
    "leadform_alert_latency_seconds", "From the event's creation to its delivery, by channel.",
    ["channel"],
    buckets=(0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 86400),
)
REQUEST_DURATION = Histogram(
    "leadform_request_duration_seconds", "Time to answer an HTTP request.",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# SQLite's one writer at a time (app.sqlite_gate): the rate of held seconds is the share
# of time the database is writing; near 1, writers queue and PostgreSQL is the way out.
SQLITE_WRITE_WAIT = Histogram(
    "leadform_sqlite_write_wait_seconds", "Time a SQLite writer waited for its turn.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15),
)
SQLITE_WRITE_HOLD = Histogram(
    "leadform_sqlite_write_hold_seconds", "Time a SQLite writer held the write lock.",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5),
)

_ON_COMMIT = "leadform.metrics_on_commit"
log = logging.getLogger("leadform.metrics")


def on_commit(session: Session, count: Callable[[], object]) -> None:
    """Run `count` when the session's current transaction commits (never if it rolls back)."""
    session.info.setdefault(_ON_COMMIT, []).append(count)


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for count in session.info.pop(_ON_COMMIT, ()):
        count()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


def count_submission(session: Session, *, bot: bool) -> None:
    outcome = "bot" if bot else "completed"
    on_commit(session, SUBMISSIONS.labels(outcome=outcome).inc)


def count_stage_change(session: Session, stage: str) -> None:
    on_commit(session, STAGE_CHANGES.labels(stage=stage).inc)


def record_delivery(channel: str, *, ok: bool, event_created_at: object, now: datetime) -> None:
    """After an attempt is recorded: a failure counts, a success observes its latency."""
    if not ok:
        ALERT_DELIVERY_FAILURES.labels(channel=channel).inc()
        return
    created = _parse_time(event_created_at)
    if created is not None:
        ALERT_LATENCY.labels(channel=channel).observe(max(0.0, (now - created).total_seconds()))


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    REQUEST_DURATION.labels(method=method, endpoint=endpoint, status=str(status)).observe(seconds)


def observe_sqlite_writer(wait_seconds: float, hold_seconds: float) -> None:
    SQLITE_WRITE_WAIT.observe(wait_seconds)
    SQLITE_WRITE_HOLD.observe(hold_seconds)


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class OutboxDepthCollector(Collector):
    """leadform_outbox_queue_depth: deliveries still pending, counted when scraped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        from app.models import Delivery

        try:
            with Session(self.engine) as session:
                depth = session.scalar(select(func.count()).select_from(Delivery)
                                       .where(Delivery.status == "pending"))
        except Exception:  # noqa: BLE001 - the other metrics are still worth a scrape
            log.warning("outbox queue depth: the database did not answer", exc_info=True)
            return
        yield GaugeMetricFamily("leadform_outbox_queue_depth",
                                "Alert deliveries waiting to be sent (pending rows).",
                                value=float(depth or 0))


def bearer_token_matches(authorization: str, token: str) -> bool:
    """Whether an Authorization header carries `Bearer <token>` (compared in constant time)."""
    return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition(engine: Engine) -> tuple[bytes, str]:
    """The text a scrape gets, and its content type."""
    if multiprocess_directory():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(OutboxDepthCollector(engine))
    return counted + generate_latest(queue), CONTENT_TYPE_LATEST
