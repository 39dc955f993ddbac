"""Outbox rows per destination, and the worker's delivery rules, against a real receiver."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.alerts.endpoints import dead_deliveries, replay
from app.alerts.outbox import emit
from app.alerts.retry import MAX_ATTEMPTS
from app.alerts.worker import Deliverer
from app.db import write_session
from app.models import AlertEndpoint, OutboxEvent
from tests.alerts.conftest import deliveries
from tests.alerts.sink import Sink, running_sink


def test_one_row_per_subscribed_destination_in_the_causes_transaction(
        app, db_engine, workspace_id, add_endpoint, clock):
    everything = add_endpoint("http://127.0.0.1:9/all")
    qualified_only = add_endpoint("http://127.0.0.1:9/sql", events=("lead.qualified",))
    add_endpoint("http://127.0.0.1:9/bookings", events=("booking.created",))
    paused = add_endpoint("http://127.0.0.1:9/paused")
    with Session(db_engine) as session:
        session.execute(update(AlertEndpoint).where(AlertEndpoint.id == paused.id)
                        .values(enabled=False))
        session.commit()

    with app.app_context(), write_session() as session:
        emit(session, workspace_id, "lead.qualified", {"lead": {"id": 1}}, clock())
        emit(session, workspace_id, "response.completed", {"lead": {"id": 1}}, clock())
    with pytest.raises(RuntimeError), app.app_context(), write_session() as session:
        emit(session, workspace_id, "lead.qualified", {"lead": {"id": 2}}, clock())
        raise RuntimeError("the cause fails: its events vanish with it")

    rows = deliveries(db_engine)
    assert sorted((row.endpoint_id, row.status) for row in rows) == sorted([
        (everything.id, "pending"), (qualified_only.id, "pending"), (everything.id, "pending")])
    with Session(db_engine) as session:
        assert session.scalar(select(OutboxEvent.kind).where(OutboxEvent.id == rows[0].event_id))


def test_a_delivery_is_signed_and_carries_the_event_id(
        db_engine, sink, add_endpoint, emit_event, deliverer):
    endpoint = add_endpoint(sink.url)
    event_id = emit_event("lead.qualified", {"lead": {"id": 7, "stage": "sql"},
                                             "response": {"hidden": {"utm_source": "ads"}}})

    assert deliverer.drain() == 1

    (request,) = sink.received
    assert request.headers["webhook-id"] == event_id
    body = sink.verified(endpoint.secret)[0]
    assert body["id"] == event_id and body["type"] == "lead.qualified"
    assert body["data"]["response"]["hidden"] == {"utm_source": "ads"}
    (row,) = deliveries(db_engine)
    assert (row.status, row.attempts, row.last_status) == ("delivered", 1, 200)


def test_a_500_is_retried_on_schedule_with_the_same_id_and_a_fresh_timestamp(
        db_engine, add_endpoint, emit_event, deliverer, clock):
    answers = iter([(500, {}, b"boom"), (200, {}, b"ok")])
    with running_sink(Sink(answer=lambda _request: next(answers))) as sink:
        endpoint = add_endpoint(sink.url)
        emit_event()
        deliverer.drain()
        (row,) = deliveries(db_engine)
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500: boom")
        assert 4.5 <= (row.next_attempt_at - clock()).total_seconds() <= 5.5
        assert deliverer.drain() == 0  # not due yet

        clock.advance(seconds=6)
        deliverer.drain()

    first, second = sink.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    sink.verified(endpoint.secret)
    (row,) = deliveries(db_engine)
    assert (row.status, row.attempts) == ("delivered", 2)


def test_a_redirect_is_a_failure_and_is_not_followed(db_engine, add_endpoint, emit_event,
                                                     deliverer):
    with running_sink(Sink(answer=lambda request: (
            (302, {"Location": "/elsewhere"}, b"") if request.path == "/hooks"
            else (200, {}, b"")))) as sink:
        add_endpoint(sink.url)
        emit_event()
        deliverer.drain()
    assert [request.path for request in sink.received] == ["/hooks"]
    (row,) = deliveries(db_engine)
    assert (row.status, row.last_status) == ("pending", 302)


def test_410_disables_the_endpoint_and_its_other_rows_wait(db_engine, add_endpoint, emit_event,
                                                          deliverer):
    with running_sink(Sink(answer=lambda _request: (410, {}, b"gone"))) as sink:
        endpoint = add_endpoint(sink.url)
        emit_event()
        emit_event()
        deliverer.run_once(limit=1)
        assert deliverer.drain() == 0
        emit_event()  # a disabled endpoint gets no new rows
    assert len(sink.received) == 1
    with Session(db_engine) as session:
        stored = session.get(AlertEndpoint, endpoint.id)
        assert not stored.enabled and "410" in stored.disabled_reason
    assert [row.status for row in deliveries(db_engine)] == ["dead", "pending"]


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_come_back_when_retry_after_says(status, db_engine, add_endpoint,
                                                      emit_event, deliverer, clock):
    with running_sink(Sink(answer=lambda _r: (status, {"Retry-After": "120"}, b""))) as sink:
        add_endpoint(sink.url)
        emit_event()
        deliverer.drain()
    (row,) = deliveries(db_engine)
    assert (row.next_attempt_at - clock()).total_seconds() == 120


def test_a_receiver_down_for_a_day_gets_everything_when_back(
        db_engine, add_endpoint, emit_event, deliverer, clock):
    with running_sink() as probe:
        port = probe.port  # a port that nobody listens on once the probe stops
    endpoint = add_endpoint(f"http://127.0.0.1:{port}/hooks")
    sent = [emit_event() for _ in range(5)]
    for _hour in range(6):  # down: every attempt fails, the schedule stretches out
        deliverer.drain()
        clock.advance(hours=1)
    rows = deliveries(db_engine)
    assert all(row.status == "pending" and row.attempts >= 4 for row in rows)
    assert "refused" in rows[0].last_error.lower()

    with running_sink(port=port) as sink:
        clock.advance(hours=6)
        deliverer.drain()
    assert sorted(request.headers["webhook-id"] for request in sink.received) == sorted(sent)
    sink.verified(endpoint.secret)
    assert {row.status for row in deliveries(db_engine)} == {"delivered"}


def test_after_the_last_attempt_a_delivery_is_dead_and_can_be_replayed(
        app, db_engine, add_endpoint, emit_event, deliverer, clock, workspace_id):
    failing = {"on": True}
    with running_sink(Sink(answer=lambda _r: (500, {}, b"") if failing["on"]
                           else (200, {}, b""))) as sink:
        endpoint = add_endpoint(sink.url)
        event_id = emit_event()
        for _ in range(MAX_ATTEMPTS):
            deliverer.drain()
            clock.advance(hours=27)  # the longest wait, 24 h, plus its jitter
        (row,) = deliveries(db_engine)
        assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
        with Session(db_engine) as session:
            assert [d.id for d, _ in dead_deliveries(session, workspace_id, endpoint.id)] == [
                row.id]

        failing["on"] = False
        with app.app_context(), write_session() as session:
            assert replay(session, workspace_id, clock(), endpoint_id=endpoint.id) == 1
        deliverer.drain()
    assert len(sink.received) == MAX_ATTEMPTS + 1
    assert {request.headers["webhook-id"] for request in sink.received} == {event_id}
    (row,) = deliveries(db_engine)
    assert row.status == "delivered"


def test_a_claim_is_a_lease_that_runs_out(db_engine, settings, sink, add_endpoint, emit_event,
                                          clock):
    add_endpoint(sink.url)
    emit_event()
    first = Deliverer(db_engine, settings, name="first", clock=clock)
    second = Deliverer(db_engine, settings, name="second", clock=clock)
    assert len(first.claim()) == 1  # ...and then `first` is killed before sending
    assert second.claim() == []
    clock.advance(seconds=settings.lease_seconds + 1)
    (job,) = second.claim()
    second.deliver(job)
    assert len(sink.received) == 1


def test_concurrent_workers_never_claim_the_same_row(db_engine, settings, add_endpoint,
                                                     emit_event, clock):
    add_endpoint("http://127.0.0.1:9/unused")
    for _ in range(40):
        emit_event()
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        deliverer = Deliverer(db_engine, settings, clock=clock)
        barrier.wait()
        mine = []
        while jobs := deliverer.claim(3):
            mine += [job.delivery_id for job in jobs]
        claimed.append(mine)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [delivery_id for mine in claimed for delivery_id in mine]
    assert len(every) == 40 and len(set(every)) == 40


def test_a_stale_attempt_never_undoes_a_success(db_engine, settings, sink, add_endpoint,
                                                emit_event, clock):
    add_endpoint(sink.url)
    emit_event()
    slow = Deliverer(db_engine, settings, name="slow", clock=clock)
    (stale_job,) = slow.claim()
    clock.advance(seconds=settings.lease_seconds + 1)
    fast = Deliverer(db_engine, settings, name="fast", clock=clock)
    fast.deliver(fast.claim()[0])
    from app.alerts.channels import Outcome

    slow.record(stale_job, Outcome(False, status=500, error="HTTP 500"))
    (row,) = deliveries(db_engine)
    assert row.status == "delivered"


def test_big_payloads_are_trimmed_but_never_dropped(app, db_engine, workspace_id, clock):
    answers = [{"field": f"f{i}", "label": "Q", "value": "x" * 5000} for i in range(40)]
    with app.app_context(), write_session() as session:
        emit(session, workspace_id, "response.completed",
             {"lead": {"id": 3, "stage": "mql"}, "response": {"id": 9, "answers": answers}},
             clock())
    with Session(db_engine) as session:
        (event,) = session.scalars(select(OutboxEvent))
    import json

    assert len(json.dumps(event.payload)) <= app.config["ALERTS_MAX_PAYLOAD_BYTES"] + 200
    assert event.payload["data"]["truncated"] is True
    assert event.payload["data"]["lead"]["id"] == 3


def test_the_worker_runs_periodic_jobs_beside_deliveries(db_engine, settings, clock):
    """The worker also refreshes reps' calendar feeds on a schedule, on its own thread."""
    from app.alerts.worker import run_worker

    stop = threading.Event()
    runs: list[float] = []

    def job() -> None:
        runs.append(1)
        if len(runs) >= 3:
            stop.set()

    deliverer = Deliverer(db_engine, settings, clock=clock)
    worker = threading.Thread(target=run_worker, args=(deliverer, stop),
                              kwargs={"threads": 1, "poll_seconds": 0.01,
                                      "periodic": [(0.01, job)]})
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and len(runs) >= 3
