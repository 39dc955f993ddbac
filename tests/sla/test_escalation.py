"""Escalation with a frozen clock: overdue leads alert the team lead once, maybe change hands."""

from __future__ import annotations

import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from sqlalchemy import func, select

from app.alerts.settings import AlertSettings
from app.alerts.worker import Deliverer
from app.cli.sla import sla_job
from app.models import Delivery, LeadEvent, Membership, OutboxEvent
from app.sales.escalation import run_sla_check
from tests.sla.conftest import T0

DUE = T0 + timedelta(minutes=15)


@pytest.fixture
def mail_on(demo):
    """Email is planned (SMTP configured), never sent: nothing here drains the outbox."""
    demo.config.update(SMTP_HOST="127.0.0.1", ALERTS_FAST_PATH=False)
    return demo


def check(app, db_engine, now):
    with app.app_context():
        return run_sla_check(db_engine, now)


def set_policy(world, **sla):
    world.workspace.settings = {**world.workspace.settings,
                                "sla": {"targets": {"sql": 15, "mql": 240}, **sla}}
    world.session.commit()


def history(world, lead, kind):
    return list(world.session.scalars(select(LeadEvent).where(
        LeadEvent.lead_id == lead.id, LeadEvent.kind == kind).order_by(LeadEvent.id)))


def outbox(world, kind):
    return list(world.session.scalars(
        select(OutboxEvent).where(OutboxEvent.kind == kind).order_by(OutboxEvent.id)))


def escalation_mail(world):
    return sorted(world.session.scalars(select(Delivery.recipient).where(
        Delivery.template == "sla_escalation")))


def test_an_overdue_lead_alerts_the_team_lead_once(mail_on, db_engine, world, make_lead):
    set_policy(world, reassign_overdue=False)
    lead = make_lead(stage="sql", owner="jordan")
    now = DUE + timedelta(minutes=2)

    with time_machine.travel(now, tick=False):
        sla_job(mail_on)()  # the worker's minute job
    world.refresh()

    assert lead.sla_escalated_at == now and lead.owner_id == world.people["jordan"].id
    (event,) = outbox(world, "lead.sla_overdue")
    data = event.payload["data"]
    assert data["lead"]["id"] == lead.id and data["contact"]["email"] == "prospect1@example.com"
    assert data["sla"]["due_at"] == DUE.isoformat() and data["sla"]["late_seconds"] == 120
    assert data["sla"]["stage"] == "sql" and data["sla"]["target_minutes"] == 15
    assert data["sla"]["team_lead"]["email"] == "priya@demo.leadform.dev"
    assert data["sla"]["reassigned"] is False
    (record,) = history(world, lead, "sla")
    assert record.cause == "sla" and record.details["owner_id"] == world.people["jordan"].id
    assert escalation_mail(world) == ["priya@demo.leadform.dev"]
    assert outbox(world, "lead.reassigned") == []

    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        sla_job(mail_on)()
    world.refresh()
    assert len(outbox(world, "lead.sla_overdue")) == 1 and len(history(world, lead, "sla")) == 1
    assert lead.sla_escalated_at == now


def test_an_overdue_lead_goes_to_the_fallback_rep_when_asked(mail_on, db_engine, world,
                                                              make_lead):
    set_policy(world, reassign_overdue=True)
    lead = make_lead(stage="sql", owner="jordan")

    run = check(mail_on, db_engine, DUE)
    world.refresh()

    assert (run.escalated, run.reassigned) == (1, 1)
    assert lead.owner_id == world.team.fallback_user_id == world.people["sam"].id
    (moved,) = history(world, lead, "reassigned")
    assert moved.details["from_user_id"] == world.people["jordan"].id
    assert "SLA overdue" in moved.details["why"] and "fallback rep" in moved.details["why"]
    assert lead.assignment_reason.startswith("SLA overdue")
    (event,) = outbox(world, "lead.sla_overdue")
    assert event.payload["data"]["sla"]["previous_owner"]["name"] == "Jordan Lee"
    assert event.payload["data"]["lead"]["owner"]["name"] == "Sam Rivera"
    # the team lead hears of it, and so does the rep who has the lead now
    assert escalation_mail(world) == ["priya@demo.leadform.dev", "sam@demo.leadform.dev"]
    assert len(outbox(world, "lead.reassigned")) == 1

    assert check(mail_on, db_engine, DUE + timedelta(hours=1)).escalated == 0
    assert len(outbox(world, "lead.reassigned")) == 1


def test_the_fallback_rep_keeps_their_own_overdue_lead(mail_on, db_engine, world, make_lead):
    set_policy(world, reassign_overdue=True)
    lead = make_lead(stage="sql", owner="sam")

    assert check(mail_on, db_engine, DUE).reassigned == 0
    world.refresh()
    assert lead.owner_id == world.people["sam"].id and lead.sla_escalated_at == DUE


def test_nothing_escalates_before_the_due_time(mail_on, db_engine, world, make_lead):
    lead = make_lead(stage="sql")
    assert check(mail_on, db_engine, DUE - timedelta(seconds=1)).escalated == 0
    world.refresh()
    assert lead.sla_escalated_at is None and outbox(world, "lead.sla_overdue") == []


def test_touched_archived_and_clockless_leads_are_left_alone(mail_on, db_engine, world,
                                                             make_lead):
    touched = make_lead(touched=T0 + timedelta(minutes=20))  # late, but touched
    archived = make_lead(archived_at=T0 + timedelta(minutes=1))
    clockless = make_lead(minutes=None)

    assert check(mail_on, db_engine, DUE + timedelta(days=1)).escalated == 0
    world.refresh()
    assert {touched.sla_escalated_at, archived.sla_escalated_at,
            clockless.sla_escalated_at} == {None}
    assert outbox(world, "lead.sla_overdue") == []


def test_without_a_team_lead_the_admins_hear_of_it(mail_on, db_engine, world, make_lead):
    set_policy(world, reassign_overdue=False)
    world.team.lead_user_id = None
    world.session.commit()
    make_lead(stage="sql")
    make_lead(stage="mql", minutes=240, no_team=True)

    assert check(mail_on, db_engine, T0 + timedelta(hours=5)).escalated == 2
    world.refresh()
    assert escalation_mail(world) == ["admin@demo.example", "admin@demo.example"]


def test_a_team_lead_who_left_the_workspace_is_not_written_to(mail_on, db_engine, world,
                                                              make_lead):
    priya = world.people["priya"]
    world.session.execute(Membership.__table__.delete().where(
        Membership.user_id == priya.id))
    set_policy(world, reassign_overdue=False)
    make_lead(stage="sql")

    check(mail_on, db_engine, DUE)
    world.refresh()
    assert escalation_mail(world) == ["admin@demo.example"]


def test_two_workers_escalate_each_lead_once(mail_on, db_engine, world, make_lead):
    leads = [make_lead(stage="sql", owner="jordan") for _ in range(30)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            check(mail_on, db_engine, DUE + timedelta(minutes=1))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    escalations = world.session.execute(
        select(LeadEvent.lead_id, func.count()).where(LeadEvent.kind == "sla")
        .group_by(LeadEvent.lead_id)).all()
    assert sorted(escalations) == sorted((lead.id, 1) for lead in leads)
    assert len(outbox(world, "lead.sla_overdue")) == 30


def test_the_cli_escalates_and_archives_expired_nurture(demo, cli, world, make_lead):
    lead = make_lead(stage="sql")
    nurtured = make_lead(stage="recycled", minutes=None, touched=T0, disposition="not_now",
                         nurture_until=T0 + timedelta(days=90))

    with time_machine.travel(T0 + timedelta(days=91), tick=False):
        result = cli.invoke(args=["sla", "check"])

    assert result.exit_code == 0, result.output
    assert "Escalated 1 overdue lead (1 given to a fallback rep); archived 1" in result.output
    world.refresh()
    assert lead.sla_escalated_at == T0 + timedelta(days=91)
    assert nurtured.archived_at == T0 + timedelta(days=91)
    assert history(world, nurtured, "archived")[0].details["reason"] == "nurture period over"

    with time_machine.travel(T0 + timedelta(days=92), tick=False):
        again = cli.invoke(args=["sla", "check"])
    assert "Escalated 0 overdue leads (0 given to a fallback rep); archived 0" in again.output


def test_the_team_lead_reads_who_how_late_and_a_link(demo, smtp_inbox, db_engine, world,
                                                     make_lead):
    set_policy(world, reassign_overdue=True)
    lead = make_lead(stage="sql", owner="jordan")
    check(demo, db_engine, DUE + timedelta(minutes=7))
    with demo.app_context():
        Deliverer(db_engine, AlertSettings.from_config(demo.config),
                  clock=lambda: DUE + timedelta(minutes=8)).drain()

    mails = {tuple(to): message_from_bytes(body, policy=policy.default)
             for to, body in smtp_inbox.messages}
    message = mails[("priya@demo.leadform.dev",)]
    assert ("sam@demo.leadform.dev",) in mails  # the fallback rep who has it now
    assert message["Subject"] == ("First touch overdue: prospect1@example.com "
                                  "(SQL lead, 7 min past due)")
    text = message.get_body(("plain",)).get_content()
    assert "Late by:  7 min" in text and "Owner:    Jordan Lee" in text
    assert "Now with: Sam Rivera (fallback rep)" in text
    assert "Target:   first touch within 15 min" in text
    assert f"https://leads.example/app/demo/leads/{lead.id}" in text
    html = message.get_body(("html",)).get_content()
    assert "Open the lead" in html and "Jordan Lee" in html
    assert set(world.session.scalars(select(Delivery.status).where(
        Delivery.template == "sla_escalation"))) == {"delivered"}


def test_the_worker_runs_the_check_every_minute(demo, monkeypatch, world, make_lead):
    from app.cli import alerts as alerts_cli

    captured = {}
    monkeypatch.setattr(alerts_cli, "run_worker",
                        lambda _deliverer, _stop, **options: captured.update(options))
    monkeypatch.setattr(alerts_cli.signal, "signal", lambda *_: None)
    with demo.app_context():
        alerts_cli.serve(threads=1, say=lambda _: None)
    lead = make_lead(stage="sql")

    # Every minute: feeds and the SLA check; hourly: the retention job (RETENTION_RUN_MINUTES).
    assert sorted(seconds for seconds, _ in captured["periodic"]) == [60.0, 60.0, 3600.0]
    with time_machine.travel(DUE, tick=False):
        for _, job in captured["periodic"]:
            job()  # each brings its own app context, as on the worker's threads
    world.refresh()
    assert lead.sla_escalated_at == DUE


def test_the_cli_shows_and_sets_targets(demo, cli, world):
    shown = cli.invoke(args=["sla", "targets", "--workspace", "demo"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines() == ["Lead: no target", "MQL: 4 h", "SQL: 15 min",
                                         "Overdue leads go to the fallback rep."]

    changed = cli.invoke(args=["sla", "targets", "--workspace", "demo", "--sql", "5",
                               "--mql", "none", "--no-reassign"])
    assert changed.exit_code == 0, changed.output
    world.refresh()
    assert world.workspace.settings["sla"] == {"targets": {"sql": 5}, "reassign_overdue": False}

    refused = cli.invoke(args=["sla", "targets", "--workspace", "demo", "--sql", "0"])
    assert refused.exit_code != 0 and "at least 1 minute" in refused.output
    unknown = cli.invoke(args=["sla", "targets", "--workspace", "nope"])
    assert unknown.exit_code != 0 and "Unknown workspace" in unknown.output


def test_the_cli_names_a_team_lead(demo, cli, world):
    result = cli.invoke(args=["sla", "team", "ae-team", "--workspace", "demo",
                              "--lead", "jordan@demo.leadform.dev", "--fallback", "none"])
    assert result.exit_code == 0, result.output
    assert "team lead jordan@demo.leadform.dev, fallback rep nobody" in result.output
    world.refresh()
    assert (world.team.lead_user_id, world.team.fallback_user_id) == (
        world.people["jordan"].id, None)

    stranger = cli.invoke(args=["sla", "team", "ae-team", "--workspace", "demo",
                                "--lead", "who@else.example"])
    assert stranger.exit_code != 0 and "Nobody signs in as who@else.example" in stranger.output
