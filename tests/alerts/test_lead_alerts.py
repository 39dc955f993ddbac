"""A real submission of the demo form: its alerts leave right after commit, with context."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.alerts.dispatch import shutdown_dispatcher
from app.alerts.endpoints import EndpointInput, create_endpoint
from app.alerts.settings import AlertSettings
from app.alerts.worker import Deliverer
from app.db import write_session
from app.models import Delivery, Workspace
from app.profiling.erasure import erase_person
from tests.alerts.conftest import LOCAL, deliveries
from tests.alerts.sink import Sink, running_sink
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, post_screen, token_of

SALES_PATH = ("you", "company", "needs", "details")


@pytest.fixture
def alerting_app(database_url, db_engine) -> Iterator[Flask]:
    """The app as it runs: fast path on, localhost allowed for the test receivers."""
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                      "MIN_FILL_SECONDS": 0, "SUBMIT_RATE_LIMIT": "100000 per minute",
                      "ALERTS_ALLOWED_NETWORKS": ["127.0.0.1"], "ALERTS_FAST_PATH": True,
                      "BASE_URL": "https://leads.example"})
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    yield app
    shutdown_dispatcher(app)
    app.extensions["leadform.engine"].dispose()


def add_demo_endpoint(app: Flask, url: str, kind: str = "webhook") -> str | None:
    with app.app_context(), write_session() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.slug == "demo"))
        return create_endpoint(session, workspace, EndpointInput(kind, "Receiver", url),
                               LOCAL).secret


def test_an_sql_alert_leaves_right_after_commit_with_the_whole_story(alerting_app, db_engine):
    with running_sink() as sink:
        secret = add_demo_endpoint(alerting_app, sink.url)
        client = alerting_app.test_client()
        page = client.get("/f/demo/talk-to-sales?utm_source=newsletter&utm_campaign=q4")
        post_screen(client, DEMO_URL, STEP_ANSWERS["you"],
                    token=token_of(page.get_data(as_text=True)))
        submitted = time.monotonic()
        fill_demo(client, *SALES_PATH[1:])
        received = sink.wait_for(3, timeout=5)

    assert len(received) == 3, "no worker runs here: the fast path delivered these"
    assert received[-1].at - submitted < 5
    bodies = {body["type"]: body for body in sink.verified(secret)}
    assert set(bodies) == {"lead.stage_changed", "lead.qualified", "response.completed"}
    data = bodies["lead.qualified"]["data"]
    assert data["change"]["to"] == "sql"
    assert data["lead"]["stage"] == "sql" and data["lead"]["top_reasons"]
    assert data["lead"]["owner"]["email"].endswith("@demo.leadform.dev")
    assert data["lead"]["url"].startswith("https://leads.example/app/demo/leads/")
    assert data["contact"]["email"] == "ada@example.com"
    assert data["contact"]["name"] and data["contact"]["company"]
    assert data["destination"]["kind"] == "book"
    assert data["response"]["hidden"]["utm_source"] == "newsletter"
    assert any(answer["field"] == "timeline" for answer in data["response"]["answers"])
    deadline = time.monotonic() + 5  # the sender records the outcome after the reply
    while {row.status for row in deliveries(db_engine)} != {"delivered"}:
        assert time.monotonic() < deadline, [row.status for row in deliveries(db_engine)]
        time.sleep(0.05)


def test_a_slow_receiver_never_slows_the_prospects_submit(alerting_app, db_engine):
    with running_sink(Sink(delay=3.0)) as sink:
        add_demo_endpoint(alerting_app, sink.url)
        client = alerting_app.test_client()
        started = time.monotonic()
        reply = fill_demo(client, *SALES_PATH)
        elapsed = time.monotonic() - started
        assert reply.status_code == 303
        assert elapsed < 2.5, f"the submit waited for the receiver ({elapsed:.1f} s)"
        sink.wait_for(3, timeout=15)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a real port number up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_the_rep_gets_an_email_and_the_prospect_a_confirmation(
        database_url, db_engine, smtp_server, demo_definition, tmp_path):
    inbox, port = smtp_server
    config = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
              "MIN_FILL_SECONDS": 0, "SUBMIT_RATE_LIMIT": "100000 per minute",
              "ALERTS_FAST_PATH": False, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
              "SMTP_SECURITY": "none", "SMTP_FROM": "Leadform <alerts@demo.example>"}
    app = create_app(config)
    try:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        demo_definition["route"][0]["confirm"] = True  # the SQL route asks for a first touch
        path = tmp_path / "form.json"
        path.write_text(json.dumps(demo_definition))
        result = runner.invoke(args=["forms", "import", str(path), "--workspace", "demo",
                                     "--slug", "talk-to-sales", "--publish"])
        assert result.exit_code == 0, result.output
        fill_demo(app.test_client(), *SALES_PATH)

        with app.app_context():
            rows = deliveries(db_engine)
            assert sorted(row.template for row in rows) == ["prospect_confirmation",
                                                            "sales_alert"]
            deliverer = Deliverer(db_engine, AlertSettings.from_config(app.config))
            assert deliverer.drain() == 2
    finally:
        app.extensions["leadform.engine"].dispose()

    by_recipient = {tuple(rcpt): message_from_bytes(content, policy=policy.default)
                    for rcpt, content in inbox.messages}
    confirmation = by_recipient[("ada@example.com",)]
    (rep,) = [key for key in by_recipient if key != ("ada@example.com",)]
    alert = by_recipient[rep]
    assert rep[0].endswith("@demo.leadform.dev")
    assert "SQL" in alert["Subject"]
    assert alert.get_body(("plain",)) and alert.get_body(("html",))
    assert "score" not in confirmation.get_body(("plain",)).get_content().lower()
    assert {row.status for row in deliveries(db_engine)} == {"delivered"}


def test_erasing_a_contact_stops_their_emails_and_removes_the_address(
        alerting_app, db_engine, smtp_server):
    alerting_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server[1],
                               SMTP_SECURITY="none", ALERTS_FAST_PATH=False)
    with alerting_app.app_context(), write_session() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.slug == "demo"))
        workspace.settings = {**workspace.settings, "alerts": {"sales_emails": ["ops@x.example"]}}
    fill_demo(alerting_app.test_client(), *SALES_PATH)
    with alerting_app.app_context(), write_session() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.slug == "demo"))
        erase_person(session, workspace.id, "ada@example.com")
    with Session(db_engine) as session:
        rows = list(session.scalars(select(Delivery)))
    assert rows and all(row.status == "dead" for row in rows if row.channel == "email")
    assert all(row.recipient != "ada@example.com" for row in rows)
