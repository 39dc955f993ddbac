"""Crash durability (issue 10): kill -9 the web workers and the alert worker under load.

The app runs as deployed, gunicorn (2 gthread workers x 4 threads, so each kill
lands on several requests in flight; `make run` serves 1 thread per worker) plus
`flask worker`, with the fast path on (web processes send alerts right after
commit, so a web kill also lands mid-delivery). Scripted visitors complete the demo
form with unique emails while a chaos thread SIGKILLs a random gunicorn worker and
then the alert worker, in rounds spread over the run. Then every acknowledged
submission must be stored whole, every outbox row delivered, and the webhook
receiver must hold exactly the outbox's events (duplicates allowed, each id with
one body). The numbers are printed and kept in the pytest tmp dir.

`make test` runs it small (LEADFORM_RELIABILITY_SUBMISSIONS=30, 3 kill rounds per
database); `make test-reliability` runs it large.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import standardwebhooks
from sqlalchemy import Engine, select

from app import create_app
from app.alerts.endpoints import EndpointInput, create_endpoint
from app.alerts.net import parse_allow_list
from app.db import make_engine, write_session
from app.models import Workspace
from tests.alerts.sink import Sink, running_sink
from tests.reliability.checker import Arrival, Observation, check
from tests.reliability.processes import AlertWorker, Chaos, Gunicorn, app_env, running_app, tail
from tests.reliability.snapshot import (
    outbox_rows,
    pending_deliveries,
    pending_details,
    stored_submissions,
)
from tests.reliability.visitor import GaveUp, Unexpected, Visitor

pytestmark = pytest.mark.reliability

SUBMISSIONS = int(os.environ.get("LEADFORM_RELIABILITY_SUBMISSIONS", "30"))
KILL_ROUNDS = int(os.environ.get("LEADFORM_RELIABILITY_KILL_ROUNDS", "3"))
CLIENTS = int(os.environ.get("LEADFORM_RELIABILITY_CLIENTS", "4"))
DRAIN_SECONDS = 120.0  # the outbox must be empty within this after the chaos stops
LOCAL = parse_allow_list(["127.0.0.1"])


def prepare(database_url: str, secret: str, receiver_url: str) -> str:
    """The demo, and a webhook endpoint (every event) pointing at the receiver.

    Returns the endpoint's signing secret.
    """
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret,
                      "ALERTS_ALLOWED_NETWORKS": ["127.0.0.1"]})
    try:
        loaded = app.test_cli_runner().invoke(args=["demo", "load"])
        assert loaded.exit_code == 0, loaded.output
        with app.app_context(), write_session() as session:
            workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
            endpoint = create_endpoint(session, workspace,
                                       EndpointInput("webhook", "Chaos receiver", receiver_url),
                                       LOCAL)
            return endpoint.secret or ""
    finally:
        app.extensions["leadform.engine"].dispose()


@dataclass
class Traffic:
    """What the visitors did and saw, shared by their threads."""

    emails: list[str]
    acknowledged: set[str] = field(default_factory=set)
    anomalies: list[str] = field(default_factory=list)
    gave_up: int = 0
    retries: int = 0
    final_resends: int = 0
    finished: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self) -> int:
        with self.lock:
            return self.finished


def drive(base: str, traffic: Traffic, clients: int) -> None:
    """`clients` visitors at once until every email has had its try."""
    queue = iter(traffic.emails)
    errors: list[BaseException] = []

    def visitor() -> None:
        browser = Visitor(base)
        try:
            while True:
                with traffic.lock:
                    email = next(queue, None)
                if email is None:
                    return
                try:
                    browser.complete_demo(email)
                    outcome = "acknowledged"
                except GaveUp:
                    outcome = "gave up"
                except Unexpected as error:
                    outcome = str(error)
                with traffic.lock:
                    traffic.finished += 1
                    if outcome == "acknowledged":
                        traffic.acknowledged.add(email)
                    elif outcome == "gave up":
                        traffic.gave_up += 1
                    else:
                        traffic.anomalies.append(outcome)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)
        finally:
            with traffic.lock:
                traffic.retries += browser.retries
                traffic.final_resends += browser.final_resends
            browser.close()

    threads = [threading.Thread(target=visitor, name=f"visitor-{n}") for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def wait_until_drained(engine: Engine, timeout: float) -> bool:
    """Poll the outbox until nothing is pending (bounded); False if time ran out."""
    deadline = time.monotonic() + timeout
    while pending_deliveries(engine):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def chaos_run(database_url: str, logs: Path) -> tuple[Observation, list[str]]:
    """One full run against `database_url`; returns what was observed and extra problems."""
    secret = secrets.token_urlsafe(32)
    env = app_env(database_url, secret)
    engine = make_engine(database_url)
    extra: list[str] = []
    traffic = Traffic([f"chaos.{uuid.uuid4().hex[:16]}@example.com" for _ in range(SUBMISSIONS)])
    server: Gunicorn
    worker: AlertWorker
    try:
        # A short pause at the receiver keeps deliveries in flight when a kill lands.
        with running_sink(Sink(delay=0.01)) as sink:
            signing_secret = prepare(database_url, secret, sink.url)
            with running_app(env, logs) as (server, worker):
                chaos = Chaos(server, worker, KILL_ROUNDS, SUBMISSIONS, traffic.done,
                              seed=int.from_bytes(os.urandom(4), "big"))
                chaos.start()
                try:
                    drive(server.base, traffic, CLIENTS)
                finally:
                    chaos.finish()
                worker.start()  # one worker survives the chaos (a new one if it was killed)
                server.close()  # no more web traffic; its unfinished claims come back
                if not wait_until_drained(engine, DRAIN_SECONDS):
                    extra.append(f"the outbox was not drained within {DRAIN_SECONDS:.0f} s: "
                                 + "; ".join(pending_details(engine)))
            if pending_deliveries(engine):
                # Written in the last moment (the worker's SLA check): one more pass.
                AlertWorker(env, logs / "worker-once.log").run_once()
            received = list(sink.received)
            try:
                sink.verified(signing_secret)
            except standardwebhooks.WebhookVerificationError as error:
                extra.append(f"a webhook failed signature verification: {error}")
            cut_off = sink.aborted
        emails = traffic.emails
        observation = Observation(
            attempted=emails, acknowledged=set(traffic.acknowledged),
            stored=stored_submissions(engine, emails), outbox=outbox_rows(engine),
            arrivals=[Arrival(request.headers.get("webhook-id", ""), request.body)
                      for request in received],
            web_kills=server.kills, worker_kills=worker.kills, client_retries=traffic.retries,
            final_resends=traffic.final_resends,
            cut_off=cut_off, anomalies=list(traffic.anomalies), gave_up=traffic.gave_up)
        return observation, extra
    finally:
        engine.dispose()


def test_acknowledged_submissions_and_their_alerts_survive_kill_9(
        fresh_database_url, tmp_path, keep_report):
    label = "SQLite (WAL)" if fresh_database_url.startswith("sqlite") else "PostgreSQL"
    started = time.monotonic()
    observation, extra = chaos_run(fresh_database_url, tmp_path)
    verdict = check(observation)
    verdict.problems += extra
    report = (f"crash durability, {label}: {SUBMISSIONS} submissions by {CLIENTS} visitors, "
              f"{KILL_ROUNDS} kill rounds, {time.monotonic() - started:.1f} s\n"
              + verdict.report())
    (tmp_path / "reliability-report.txt").write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
    keep_report(report)
    logs = "\n".join(f"--- {name} ---\n{tail(tmp_path / name)}"
                     for name in ("gunicorn.log", "worker.log"))
    assert verdict.ok, report + "\n" + logs
    if KILL_ROUNDS:
        assert observation.web_kills >= 1 and observation.worker_kills >= 1, (
            "the chaos never killed anything:\n" + report)
    assert len(observation.acknowledged) >= SUBMISSIONS / 2, (
        "too few submissions got through for the run to prove anything:\n" + report)
