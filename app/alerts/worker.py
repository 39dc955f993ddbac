"""Claiming due deliveries, sending them and recording what happened.

Claims are leases: a row is taken by setting `lease_until`, in a short
transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so workers never wait on
each other; SQLite: `BEGIN IMMEDIATE`, one writer at a time). Sending happens
outside any transaction. A worker killed mid-send leaves a lease that runs out,
and the row is claimed again: delivery is at least once, and every attempt
carries the same event id.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import metrics
from app.alerts.channels import Job, Outcome, send
from app.alerts.retry import MAX_ATTEMPTS, next_delay
from app.alerts.settings import AlertSettings
from app.db import write_session
from app.models import AlertEndpoint, Delivery, OutboxEvent, utcnow

log = logging.getLogger("leadform.alerts")
Clock = Callable[[], datetime]


class Deliverer:
    """Claims, sends and records deliveries for one process (a worker or the fast path)."""

    def __init__(self, engine: Engine, settings: AlertSettings, *, name: str | None = None,
                 clock: Clock = utcnow, rng: random.Random | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.name = (name or f"{os.uname().nodename}:{os.getpid()}")[:60]
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrets

    # --- claiming ---------------------------------------------------------------------

    def claim(self, limit: int = 10, ids: Iterable[int] | None = None) -> list[Job]:
        """Lease up to `limit` due rows (or just `ids`, if still due and free)."""
        now = self.clock()
        token = f"{self.name}:{uuid.uuid4().hex[:8]}"
        with write_session(self.engine) as session:
            query = (
                select(Delivery.id)
                .outerjoin(AlertEndpoint, Delivery.endpoint_id == AlertEndpoint.id)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                       or_(Delivery.lease_until.is_(None), Delivery.lease_until <= now),
                       or_(Delivery.endpoint_id.is_(None), AlertEndpoint.enabled.is_(True)))
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=Delivery)
            )
            if ids is not None:
                query = query.where(Delivery.id.in_(list(ids)))
            claimed = list(session.scalars(query))
            if not claimed:
                return []
            lease = now + timedelta(seconds=self.settings.lease_seconds)
            session.execute(update(Delivery).where(Delivery.id.in_(claimed))
                            .values(lease_until=lease, claimed_by=token))
            return self._jobs(session, claimed, now)

    def _jobs(self, session: Session, ids: list[int], now: datetime) -> list[Job]:
        rows = session.execute(
            select(Delivery, OutboxEvent, AlertEndpoint)
            .join(OutboxEvent, Delivery.event_id == OutboxEvent.id)
            .outerjoin(AlertEndpoint, Delivery.endpoint_id == AlertEndpoint.id)
            .where(Delivery.id.in_(ids)).order_by(Delivery.next_attempt_at, Delivery.id)
        ).all()
        return [
            Job(delivery_id=delivery.id, channel=delivery.channel, attempts=delivery.attempts,
                event=event.payload, endpoint_id=delivery.endpoint_id,
                url=endpoint.url if endpoint else None,
                secrets=secrets_in_force(endpoint, now) if endpoint else (),
                recipient=delivery.recipient, template=delivery.template)
            for delivery, event, endpoint in rows
        ]

    # --- sending and recording -------------------------------------------------------------

    def deliver(self, job: Job) -> Outcome:
        outcome = send(job, self.settings, self.clock())
        self.record(job, outcome)
        return outcome

    def record(self, job: Job, outcome: Outcome) -> None:
        now = self.clock()
        attempts = job.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_attempt_at": now,
                                  "last_status": outcome.status, "lease_until": None,
                                  "claimed_by": None}
        if outcome.ok:
            values.update(status="delivered", delivered_at=now, last_error=None)
        else:
            delay = None
            if not outcome.permanent and attempts < MAX_ATTEMPTS:
                delay = (outcome.retry_after if outcome.retry_after is not None
                         else next_delay(attempts, self.rng))
            if delay is None:
                values.update(status="dead", last_error=outcome.error)
            else:
                values.update(next_attempt_at=now + delay, last_error=outcome.error)
        with write_session(self.engine) as session:
            # Only a pending row changes: a late, stale attempt never undoes a success.
            session.execute(update(Delivery).where(Delivery.id == job.delivery_id,
                                                   Delivery.status == "pending")
                            .values(**values))
            if outcome.disable_endpoint and job.endpoint_id is not None:
                session.execute(
                    update(AlertEndpoint).where(AlertEndpoint.id == job.endpoint_id)
                    .values(enabled=False,
                            disabled_reason=f"Disabled on {now:%Y-%m-%d %H:%M} UTC: the "
                                            "receiver answered 410 Gone.")
                )
        metrics.record_delivery(job.channel, ok=outcome.ok,
                                event_created_at=job.event.get("created_at"), now=now)
        log.info("delivery %s %s event %s attempt %s: %s", job.delivery_id, job.channel,
                 job.event.get("type"), attempts,
                 "delivered" if outcome.ok else values.get("status", "retry scheduled"))

    def run_once(self, limit: int = 50) -> int:
        """Deliver everything due now, one batch; returns how many were attempted."""
        jobs = self.claim(limit)
        for job in jobs:
            self.deliver(job)
        return len(jobs)

    def drain(self, max_rounds: int = 1000) -> int:
        """Deliver until nothing is due (tests and `worker --once`)."""
        total = 0
        for _ in range(max_rounds):
            count = self.run_once()
            if not count:
                break
            total += count
        return total


def secrets_in_force(endpoint: AlertEndpoint, now: datetime) -> tuple[str, ...]:
    """The current secret, plus the previous one while a rotation is in its grace period."""
    secrets = [endpoint.secret] if endpoint.secret else []
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        secrets.append(endpoint.previous_secret)
    return tuple(secrets)


# --- the long-running worker ------------------------------------------------------------


class WorkerAlreadyRunning(RuntimeError):
    pass


@contextmanager
def single_sqlite_worker(database_url: str) -> Iterator[None]:
    """SQLite has one writer: allow one worker per database file (the lock dies with it)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    path = Path(url.database).with_suffix(".worker.lock")
    handle: IO[str] = path.open("w")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise WorkerAlreadyRunning(
                f"another worker is already delivering for {url.database}; SQLite allows one"
            ) from error
        yield
    finally:
        handle.close()


def run_worker(deliverer: Deliverer, stop: threading.Event, *, threads: int = 4,
               poll_seconds: float = 1.0,
               periodic: Iterable[tuple[float, Callable[[], Any]]] = ()) -> None:
    """Claim and deliver until `stop` is set; `threads` deliveries run at once.

    `periodic` jobs (every so many seconds, e.g. refreshing calendar feeds) run on
    their own thread, so a slow one never holds up deliveries.
    """

    def every(seconds: float, job: Callable[[], Any]) -> None:
        while not stop.is_set():
            try:
                job()
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("periodic job failed")
            stop.wait(seconds)

    def loop() -> None:
        while not stop.is_set():
            try:
                jobs = deliverer.claim(1)
            except Exception:  # noqa: BLE001 - a database hiccup: wait and try again
                log.exception("claiming deliveries failed")
                stop.wait(poll_seconds)
                continue
            if not jobs:
                stop.wait(poll_seconds)
                continue
            for job in jobs:
                try:
                    deliverer.deliver(job)
                except Exception:  # noqa: BLE001 - the lease runs out; another try later
                    log.exception("recording delivery %s failed", job.delivery_id)

    jobs = list(periodic)
    with ThreadPoolExecutor(max_workers=threads + len(jobs),
                            thread_name_prefix="leadform-worker") as pool:
        for _ in range(threads):
            pool.submit(loop)
        for seconds, job in jobs:
            pool.submit(every, seconds, job)
