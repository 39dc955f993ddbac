"""The fast path: deliveries leave right after the commit that wrote them.

Session events note the ids of new `Delivery` rows; after a successful commit
inside a web request they go to a per-process background thread that claims
and sends them (the same claim a worker makes, so nobody sends twice at once).
The prospect's request only pays for putting ids on a queue. If the process
dies first, the rows are still in the outbox and the worker delivers them.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.alerts.channels import Job
from app.alerts.outbox import ENDPOINTS_CACHE
from app.alerts.settings import AlertSettings
from app.alerts.worker import Deliverer
from app.models import Delivery

log = logging.getLogger("leadform.alerts")
_PENDING = "leadform.new_deliveries"
_EXTENSION = "leadform.dispatcher"


@event.listens_for(Session, "after_flush")
def _note_new_deliveries(session: Session, _context: object) -> None:
    new = [obj.id for obj in session.new if isinstance(obj, Delivery)]
    if new:
        session.info.setdefault(_PENDING, []).extend(new)


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    session.info.pop(ENDPOINTS_CACHE, None)  # endpoints may change before the next one
    ids = session.info.pop(_PENDING, None)
    if ids and has_request_context() and current_app.config.get("ALERTS_FAST_PATH", True):
        dispatcher_for(current_app._get_current_object()).submit(ids)  # type: ignore[attr-defined]


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(ENDPOINTS_CACHE, None)
    session.info.pop(_PENDING, None)


class Dispatcher:
    """One per process: a queue of delivery ids and a few threads sending them."""

    def __init__(self, app: Flask, threads: int = 4) -> None:
        from app.db import engine

        with app.app_context():
            self.deliverer = Deliverer(engine(), AlertSettings.from_config(app.config),
                                       name=f"web:{os.getpid()}")
        self.pid = os.getpid()
        self.queue: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="leadform-fast")
        self.thread = threading.Thread(target=self._run, name="leadform-dispatch", daemon=True)
        self.thread.start()

    def submit(self, ids: list[int]) -> None:
        self.queue.put(list(ids))

    def close(self, timeout: float = 30.0) -> None:
        """Finish what was handed over, then stop (tests, and a clean shutdown)."""
        self.queue.put([])
        self.thread.join(timeout)
        self.pool.shutdown(wait=True)

    def _run(self) -> None:
        while True:
            ids = self.queue.get()
            if not ids:
                return
            try:
                jobs = self.deliverer.claim(len(ids), ids=ids)
            except Exception:  # noqa: BLE001 - the worker will deliver them
                log.exception("fast path could not claim deliveries")
                continue
            for job in jobs:
                self.pool.submit(self._deliver, job)

    def _deliver(self, job: Job) -> None:
        try:
            self.deliverer.deliver(job)
        except Exception:  # noqa: BLE001 - the lease runs out and the worker retries
            log.exception("fast path delivery failed")


_lock = threading.Lock()


def dispatcher_for(app: Flask) -> Dispatcher:
    """The process's dispatcher, created on first use (after a fork, a new one)."""
    with _lock:
        current = app.extensions.get(_EXTENSION)
        if current is None or current.pid != os.getpid():
            current = Dispatcher(app)
            app.extensions[_EXTENSION] = current
        return current


def shutdown_dispatcher(app: Flask) -> None:
    """Stop this process's dispatcher after it has sent what it holds."""
    with _lock:
        current = app.extensions.pop(_EXTENSION, None)
    if current is not None and current.pid == os.getpid():
        current.close()
