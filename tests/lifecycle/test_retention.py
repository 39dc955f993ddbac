"""Retention: old partial data goes in batches; what is kept, or referenced, stays."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.audit import record
from app.cli.retention import retention_job
from app.db import write_session
from app.forms.versions import ensure_workspace
from app.models import (
    AuditEntry,
    Contact,
    ContactProperty,
    Delivery,
    Form,
    FormVersion,
    Lead,
    OutboxEvent,
    Response,
    ResponseStep,
    Signal,
    Workspace,
    utcnow,
)
from app.retention.purge import NO_WORKSPACE, run_retention

DEFAULTS = {"partial_responses": 90, "delivery_logs": 90, "signals": 365}
OLD = timedelta(days=400)
RECENT = timedelta(days=10)


@pytest.fixture
def acme(app, publish_form, portable_definition) -> int:
    publish_form(portable_definition)
    with app.app_context(), write_session() as session:
        return ensure_workspace(session, "acme").id


def add_response(session: Session, workspace_id: int, state: str, age: timedelta) -> int:
    form = session.scalars(select(Form).where(Form.workspace_id == workspace_id)).first()
    version = session.scalars(select(FormVersion).where(FormVersion.form_id == form.id)).first()
    at = utcnow() - age
    response = Response(workspace_id=workspace_id, form_id=form.id, version_id=version.id,
                        state=state, answers={"email": "x@y.example"}, started_at=at,
                        updated_at=at, completed_at=at if state == "completed" else None)
    session.add(response)
    session.flush()
    session.add(ResponseStep(workspace_id=workspace_id, response_id=response.id,
                             form_id=form.id, version_id=version.id, step_id="you", at=at))
    session.flush()
    return response.id


def add_event(session: Session, workspace_id: int, age: timedelta, *statuses: str) -> int:
    at = utcnow() - age
    event = OutboxEvent(workspace_id=workspace_id, event_id=f"evt_{uuid.uuid4().hex}",
                        kind="lead.qualified", payload={}, created_at=at)
    session.add(event)
    session.flush()
    for status in statuses:
        session.add(Delivery(workspace_id=workspace_id, event_id=event.id, channel="webhook",
                             status=status, created_at=at, next_attempt_at=at,
                             delivered_at=at if status == "delivered" else None))
    session.flush()
    return event.id


def add_signal(session: Session, workspace_id: int, age: timedelta) -> int:
    signal = Signal(workspace_id=workspace_id, visitor_token="v", path="/pricing",
                    occurred_at=utcnow() - age)
    session.add(signal)
    session.flush()
    return signal.id


def ids(db_engine, model) -> set[int]:
    with Session(db_engine) as session:
        return set(session.scalars(select(model.id)))


def run(db_engine, **options):
    return run_retention(db_engine, options.pop("defaults", DEFAULTS), utcnow(), **options)


def test_old_partial_responses_go_with_their_steps_and_the_rest_stays(app, acme, db_engine):
    with write_session(db_engine) as session:
        old_partial = add_response(session, acme, "in_progress", OLD)
        old_abandoned = add_response(session, acme, "abandoned", OLD)
        recent_partial = add_response(session, acme, "abandoned", RECENT)
        old_completed = add_response(session, acme, "completed", OLD)

    report = run(db_engine)

    assert ids(db_engine, Response) == {recent_partial, old_completed}
    with Session(db_engine) as session:
        steps = set(session.scalars(select(ResponseStep.response_id)))
    assert steps == {recent_partial, old_completed}
    assert report.deleted == {("acme", "response"): 2, ("acme", "response_step"): 2}
    assert old_partial not in steps and old_abandoned not in steps


def test_a_partial_response_that_a_kept_row_points_at_stays(app, acme, db_engine):
    with write_session(db_engine) as session:
        by_lead = add_response(session, acme, "abandoned", OLD)
        by_property = add_response(session, acme, "abandoned", OLD)
        contact = Contact(workspace_id=acme, email="kept@acme.example")
        session.add(contact)
        session.flush()
        session.add(Lead(workspace_id=acme, contact_id=contact.id, last_response_id=by_lead))
        session.add(ContactProperty(workspace_id=acme, contact_id=contact.id, name="role",
                                    value="cto", source="form", response_id=by_property))

    run(db_engine)

    assert ids(db_engine, Response) == {by_lead, by_property}


def test_only_delivered_alerts_go_and_an_event_goes_when_none_of_its_deliveries_is_left(
        app, acme, db_engine):
    with write_session(db_engine) as session:
        delivered = add_event(session, acme, OLD, "delivered", "delivered")
        without_deliveries = add_event(session, acme, OLD)
        half_pending = add_event(session, acme, OLD, "delivered", "pending")
        dead = add_event(session, acme, OLD, "dead")
        recent = add_event(session, acme, RECENT, "delivered")

    report = run(db_engine)

    assert ids(db_engine, OutboxEvent) == {half_pending, dead, recent}
    with Session(db_engine) as session:
        left = session.execute(select(Delivery.event_id, Delivery.status)
                               .order_by(Delivery.event_id, Delivery.status)).all()
    assert left == [(half_pending, "pending"), (dead, "dead"), (recent, "delivered")]
    assert report.deleted == {("acme", "delivery"): 3, ("acme", "outbox_event"): 2}
    assert delivered not in ids(db_engine, OutboxEvent)
    assert without_deliveries not in ids(db_engine, OutboxEvent)


def test_old_signals_go(app, acme, db_engine):
    with write_session(db_engine) as session:
        add_signal(session, acme, OLD)
        recent = add_signal(session, acme, RECENT)

    run(db_engine)

    assert ids(db_engine, Signal) == {recent}


def test_a_workspace_override_wins_over_the_default_and_zero_keeps_forever(app, acme,
                                                                          db_engine):
    with write_session(db_engine) as session:
        ten_days_old = add_signal(session, acme, RECENT)
        add_signal(session, acme, timedelta(days=20))
        old_partial = add_response(session, acme, "abandoned", OLD)
        session.execute(update(Workspace).where(Workspace.id == acme).values(
            settings={"retention": {"signals": 15, "partial_responses": 0}}))

    run(db_engine)

    assert ids(db_engine, Signal) == {ten_days_old}
    assert ids(db_engine, Response) == {old_partial}


def test_a_default_of_zero_keeps_everything(app, acme, db_engine):
    with write_session(db_engine) as session:
        add_signal(session, acme, OLD)

    report = run(db_engine, defaults={"partial_responses": None, "delivery_logs": None,
                                      "signals": None})

    assert report.total() == 0 and len(ids(db_engine, Signal)) == 1


def test_deletion_is_batched_and_still_takes_everything_due(app, acme, db_engine):
    with write_session(db_engine) as session:
        for _ in range(5):
            add_signal(session, acme, OLD)

    report = run(db_engine, batch_size=2)

    assert report.deleted == {("acme", "signal"): 5}
    assert ids(db_engine, Signal) == set()


def test_a_dry_run_counts_and_deletes_nothing(app, acme, db_engine):
    with write_session(db_engine) as session:
        add_signal(session, acme, OLD)
        add_response(session, acme, "abandoned", OLD)
        add_event(session, acme, OLD, "delivered")

    report = run(db_engine, dry_run=True)

    assert report.deleted == {("acme", "signal"): 1, ("acme", "response"): 1,
                              ("acme", "response_step"): 1, ("acme", "delivery"): 1,
                              ("acme", "outbox_event"): 1}
    assert len(ids(db_engine, Signal)) == 1 and len(ids(db_engine, OutboxEvent)) == 1


def test_the_cli_prints_what_it_deletes_per_table(app, acme, cli, db_engine):
    with write_session(db_engine) as session:
        add_signal(session, acme, OLD)
        add_signal(session, acme, OLD)

    dry = cli.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "acme: would delete 2 signal row(s)" in dry.output
    assert len(ids(db_engine, Signal)) == 2

    done = cli.invoke(args=["retention", "run"])
    assert done.exit_code == 0, done.output
    assert "acme: deleted 2 signal row(s)" in done.output
    assert "Deleted 2 row(s) in all." in done.output
    assert ids(db_engine, Signal) == set()


def test_the_worker_job_applies_the_config_periods(app, acme, db_engine):
    app.config["RETENTION_SIGNAL_DAYS"] = 5
    with write_session(db_engine) as session:
        add_signal(session, acme, RECENT)

    retention_job(app)()

    with Session(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(Signal)) == 0


def test_the_worker_runs_the_retention_job_every_retention_run_minutes(app, monkeypatch):
    import app.cli.alerts as worker_cli

    seen: list[float] = []
    monkeypatch.setattr(worker_cli, "run_worker", lambda *_args, periodic, **_kw: seen.extend(
        seconds for seconds, job in periodic
        if getattr(job, "__qualname__", "").startswith("retention_job")))
    app.config["RETENTION_RUN_MINUTES"] = 30
    monkeypatch.setattr(worker_cli.signal, "signal", lambda *_args: None)

    with app.app_context():
        worker_cli.serve(say=lambda _text: None)

    assert seen == [1800.0]


def test_purged_partial_responses_still_count_in_the_funnel(app, acme, db_engine):
    """The daily rollups keep the counts: a purge takes the rows, not the history."""
    from app.analytics.funnel_queries import form_totals
    from app.analytics.ranges import DateRange

    with write_session(db_engine) as session:
        add_response(session, acme, "abandoned", OLD)
        add_response(session, acme, "in_progress", OLD)
        add_response(session, acme, "completed", OLD)
    today = utcnow().date()
    period = DateRange(today - OLD - timedelta(days=1), today, "custom")

    def totals():
        with Session(db_engine) as session:
            return [(row.started, row.completed) for row in form_totals(session, acme, period)]

    before = totals()
    run(db_engine)

    assert before == [(3, 1)]
    assert totals() == before


PLANTED = "planted"


def add_audit_entry(session: Session, workspace_id: int | None, age: timedelta) -> int:
    entry = record(session, workspace_id, "form.publish", target_type=PLANTED,
                   summary="Published", now=utcnow() - age)
    session.flush()
    return entry.id


def audit_ids(db_engine) -> set[int]:
    """The entries a test planted (publishing the fixture's form recorded one too)."""
    with Session(db_engine) as session:
        return set(session.scalars(select(AuditEntry.id)
                                   .where(AuditEntry.target_type == PLANTED)))


def test_old_audit_entries_go_only_in_their_own_workspace(app, acme, db_engine):
    with write_session(db_engine) as session:
        other = ensure_workspace(session, "other").id
        session.execute(update(Workspace).where(Workspace.id == other).values(
            settings={"retention": {"audit_log": 0}}))
        old = add_audit_entry(session, acme, timedelta(days=800))
        recent = add_audit_entry(session, acme, timedelta(days=700))
        other_old = add_audit_entry(session, other, timedelta(days=800))

    report = run(db_engine, defaults={**DEFAULTS, "audit_log": 730})

    assert audit_ids(db_engine) == {recent, other_old}
    assert old not in audit_ids(db_engine)
    assert report.deleted == {("acme", "audit_log"): 1}


def test_a_workspace_can_keep_audit_entries_for_a_shorter_time(app, acme, db_engine):
    with write_session(db_engine) as session:
        add_audit_entry(session, acme, timedelta(days=40))
        recent = add_audit_entry(session, acme, RECENT)
        session.execute(update(Workspace).where(Workspace.id == acme).values(
            settings={"retention": {"audit_log": 30}}))

    run(db_engine, defaults={**DEFAULTS, "audit_log": 730})

    assert audit_ids(db_engine) == {recent}


def test_audit_entries_of_no_workspace_follow_the_default(app, acme, db_engine):
    with write_session(db_engine) as session:
        add_audit_entry(session, None, timedelta(days=800))
        recent = add_audit_entry(session, None, RECENT)

    report = run(db_engine, defaults={**DEFAULTS, "audit_log": 730})

    assert audit_ids(db_engine) == {recent}
    assert report.deleted == {(NO_WORKSPACE, "audit_log"): 1}


def test_a_dry_run_counts_old_audit_entries_and_deletes_none(app, acme, db_engine):
    with write_session(db_engine) as session:
        kept = {add_audit_entry(session, acme, timedelta(days=800)),
                add_audit_entry(session, acme, timedelta(days=900))}

    report = run(db_engine, defaults={**DEFAULTS, "audit_log": 730}, dry_run=True)

    assert report.deleted == {("acme", "audit_log"): 2}
    assert audit_ids(db_engine) == kept


def test_the_purge_records_no_audit_entry_of_its_own(app, acme, db_engine):
    with write_session(db_engine) as session:
        add_signal(session, acme, OLD)
        add_audit_entry(session, acme, timedelta(days=800))

    report = run(db_engine, defaults={**DEFAULTS, "audit_log": 730})

    assert report.total() == 2
    assert audit_ids(db_engine) == set()


def test_the_cli_uses_the_configured_audit_log_period(app, acme, cli, db_engine):
    app.config["RETENTION_AUDIT_LOG_DAYS"] = 5
    with write_session(db_engine) as session:
        add_audit_entry(session, acme, RECENT)

    done = cli.invoke(args=["retention", "run"])

    assert done.exit_code == 0, done.output
    assert "acme: deleted 1 audit_log row(s)" in done.output
    assert audit_ids(db_engine) == set()
