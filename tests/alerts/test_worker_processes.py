"""Reliability with real processes and sockets: workers killed with SIGKILL lose nothing."""

from __future__ import annotations

import multiprocessing
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import create_app
from app.alerts.endpoints import EndpointInput, create_endpoint
from app.alerts.outbox import emit
from app.db import write_session
from app.forms.versions import ensure_workspace
from app.models import Delivery, utcnow
from tests.alerts import worker_child
from tests.alerts.conftest import LOCAL
from tests.alerts.sink import Sink, running_sink

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("LEADFORM_KILL_LOOPS", "100"))
EVENTS = 12 * KILLS
# The worker children run as in production, where a short key is refused.
SECRET_KEY = secrets.token_urlsafe(32)


def seed(database_url: str, url: str, events: int) -> tuple[str, set[str]]:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY})
    try:
        with app.app_context(), write_session() as session:
            workspace = ensure_workspace(session, "acme", "Acme")
            endpoint = create_endpoint(session, workspace,
                                       EndpointInput("webhook", "Sink", url), LOCAL)
            now = utcnow()
            ids = {emit(session, workspace.id, "lead.qualified",
                        {"lead": {"id": number, "stage": "sql"}}, now)
                   for number in range(events)}
            return endpoint.secret or "", ids
    finally:
        app.extensions["leadform.engine"].dispose()


def worker_config(database_url: str) -> dict[str, object]:
    return {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
            "ALERTS_ALLOWED_NETWORKS": ["127.0.0.1"], "ALERTS_LEASE_SECONDS": 1.0,
            "ALERTS_POLL_SECONDS": 0.05, "ALERTS_WORKER_THREADS": 4}


def in_flight(db_engine, pid: int | None = None) -> int:
    """Rows a worker (any, or the one with `pid`) claimed and has not finished."""
    query = select(func.count()).select_from(Delivery).where(
        Delivery.status == "pending", Delivery.lease_until.is_not(None))
    if pid is not None:
        query = query.where(Delivery.claimed_by.like(f"%:{pid}:%"))
    with Session(db_engine) as session:
        return session.scalar(query) or 0


def wait_until_delivering(db_engine, pid: int, timeout: float = 20) -> None:
    """Until the worker holds a claim: it is in the middle of sending."""
    deadline = time.monotonic() + timeout
    while not in_flight(db_engine, pid):
        assert time.monotonic() < deadline, "the worker never started delivering"
        time.sleep(0.005)


def test_kill_9_in_the_middle_of_deliveries_100_times_loses_nothing(database_url, db_engine):
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([worker_child.__name__])
    config = worker_config(database_url)
    caught_mid_delivery = 0
    with running_sink(Sink(delay=0.02)) as sink:
        secret, sent = seed(database_url, sink.url, EVENTS)
        for _ in range(KILLS):
            worker = context.Process(target=worker_child.main, args=(config,))
            worker.start()
            wait_until_delivering(db_engine, worker.pid)
            time.sleep(random.uniform(0, 0.03))  # noqa: S311
            os.kill(worker.pid, signal.SIGKILL)  # ...and it dies without a word
            worker.join()
            assert worker.exitcode == -signal.SIGKILL
            caught_mid_delivery += in_flight(db_engine, worker.pid) > 0
            worker.close()

        survivor = context.Process(target=worker_child.main, args=(config,))
        survivor.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if {request.headers["webhook-id"] for request in sink.wait_for(0)} >= sent:
                break
            time.sleep(0.2)
        survivor.terminate()
        survivor.join(30)
        survivor.close()

    received = sink.received
    assert {request.headers["webhook-id"] for request in received} == sent
    bodies = sink.verified(secret)  # every attempt, duplicates included, is signed
    assert all(body["id"] == request.headers["webhook-id"]
               for body, request in zip(bodies, received, strict=True))
    assert caught_mid_delivery >= KILLS * 0.8, "most kills should land mid-delivery"
    print(f"\n{KILLS} kills, {caught_mid_delivery} mid-delivery; {len(sent)} events, "
          f"{len(received)} requests ({len(received) - len(sent)} duplicates)")


def test_the_worker_command_survives_kill_9_and_only_one_runs_on_sqlite(
        database_url, db_engine, tmp_path):
    """The real `flask --app wsgi worker` command, as `make run` starts it."""
    env = {**os.environ, "DATABASE_URL": database_url,
           "LEADFORM_ALERTS_ALLOWED_NETWORKS": "127.0.0.1", "LEADFORM_ALERTS_LEASE_SECONDS": "1",
           "LEADFORM_ALERTS_POLL_SECONDS": "0.05"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    with running_sink(Sink(delay=0.05)) as sink:
        secret, sent = seed(database_url, sink.url, 60)
        first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        try:
            sink.wait_for(1, timeout=30)
            if database_url.startswith("sqlite"):
                second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True,
                                        text=True, timeout=60, check=False)
                assert second.returncode == 1
                assert "another worker is already delivering" in second.stderr
            first.send_signal(signal.SIGKILL)
        finally:
            first.wait(10)
            first.stdout.close()
            first.stderr.close()
        time.sleep(1.2)  # the dead worker's lease runs out
        finish = subprocess.run([*command, "--once"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120, check=False)
        assert finish.returncode == 0, finish.stderr
    assert {request.headers["webhook-id"] for request in sink.received} == sent
    sink.verified(secret)


@pytest.fixture(autouse=True)
def _no_stray_children():
    yield
    for child in multiprocessing.active_children():
        child.kill()
        child.join()
