"""Endpoints: refused URLs, secret rotation, Slack messages, replays, and quiet logs."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import standardwebhooks
from sqlalchemy.orm import Session

from app.alerts.endpoints import (
    EndpointError,
    EndpointInput,
    create_endpoint,
    rotate_secret,
    set_enabled,
)
from app.db import write_session
from app.models import AlertEndpoint, Workspace
from tests.alerts.conftest import deliveries
from tests.alerts.sink import Sink, running_sink


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://hooks.example/x", "http:// or https://"),
    ("http://10.0.0.7/hook", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://127.0.0.1:8080/x", "loopback"),
    ("https://user:pass@hooks.example/x", "user name or password"),
])
def test_unsafe_or_invalid_urls_are_refused_when_saved(app, workspace_id, url, message):
    with app.app_context(), write_session() as session:
        workspace = session.get(Workspace, workspace_id)
        with pytest.raises(EndpointError, match=re.escape(message)):
            create_endpoint(session, workspace, EndpointInput("webhook", "CRM", url))


def test_the_cli_refuses_a_private_url_with_a_message_and_saves_nothing(cli, workspace_id,
                                                                        db_engine):
    result = cli.invoke(args=["alerts", "add-endpoint", "--workspace", "acme", "--kind",
                              "webhook", "--name", "CRM", "--url", "http://192.168.1.20/hook"])
    assert result.exit_code == 1
    assert "192.168.1.20" in result.output and "private" in result.output
    with Session(db_engine) as session:
        assert session.query(AlertEndpoint).count() == 0


def test_the_cli_adds_an_endpoint_and_shows_its_secret_once(app, cli, workspace_id):
    app.config["ALERTS_ALLOWED_NETWORKS"] = ["127.0.0.1"]
    result = cli.invoke(args=["alerts", "add-endpoint", "--workspace", "acme", "--kind",
                              "webhook", "--name", "CRM", "--url", "http://127.0.0.1:9/h",
                              "--event", "lead.qualified"])
    assert result.exit_code == 0, result.output
    assert re.search(r"whsec_[A-Za-z0-9+/=]{20,}", result.output)
    listing = cli.invoke(args=["alerts", "endpoints", "--workspace", "acme"])
    assert "CRM" in listing.output and "127.0.0.1" in listing.output
    assert "whsec_" not in listing.output and "/h\t" not in listing.output


def test_a_rotated_secret_signs_alongside_the_old_one_for_a_grace_period(
        app, db_engine, add_endpoint, emit_event, deliverer, clock):
    with running_sink() as sink:
        endpoint = add_endpoint(sink.url)
        old = endpoint.secret
        with app.app_context(), write_session() as session:
            stored = session.get(AlertEndpoint, endpoint.id)
            new = rotate_secret(session, stored, clock(), timedelta(hours=24))
        emit_event()
        deliverer.drain()
        clock.advance(hours=25)
        emit_event()
        deliverer.drain()
    during, after = sink.received
    assert len(during.headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split()) == 1
    standardwebhooks.Webhook(new).verify(after.body, after.headers)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(old).verify(after.body, after.headers)


def test_slack_gets_a_block_kit_message_for_an_sql(db_engine, add_endpoint, emit_event,
                                                   deliverer):
    with running_sink() as slack:
        add_endpoint(slack.url, kind="slack")
        emit_event("response.completed")  # not among Slack's default events
        emit_event("lead.qualified", {
            "lead": {"id": 4, "stage": "sql", "total": 70, "top_reasons": [
                {"rule": "vp", "points": 20, "dimension": "fit", "reason": "VP or above"}]},
            "contact": {"email": "ada@acme.example", "name": "Ada <!channel>", "company": "Acme"},
            "response": {"hidden": {"utm_source": "ads"}, "answers": []}})
        deliverer.drain()
    (request,) = slack.received
    message = request.json
    assert message["blocks"][0]["type"] == "header"
    text = str(message)
    assert "VP or above" in text and "Acme" in text
    markdown = list(mrkdwn_texts(message["blocks"]))
    assert any("&lt;!channel&gt;" in piece for piece in markdown)
    assert not any("<!channel>" in piece for piece in markdown)  # no @channel ping
    assert "webhook-signature" not in request.headers


def mrkdwn_texts(value):
    """Every text Slack would format (and could turn into a mention or a link)."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value["text"]
        for item in value.values():
            yield from mrkdwn_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item)


def test_a_disabled_endpoint_can_be_turned_back_on(app, db_engine, add_endpoint, emit_event,
                                                    deliverer):
    with running_sink(Sink(answer=lambda _r: (410, {}, b""))) as gone:
        endpoint = add_endpoint(gone.url)
        emit_event()
        emit_event()
        deliverer.run_once(limit=1)
    with running_sink(port=gone.port) as back:
        with app.app_context(), write_session() as session:
            set_enabled(session, session.get(AlertEndpoint, endpoint.id), True)
        deliverer.drain()
    assert len(back.received) == 1
    assert [row.status for row in deliveries(db_engine)] == ["dead", "delivered"]


def test_logs_carry_no_personal_data_or_secrets(caplog, add_endpoint, emit_event, deliverer):
    caplog.set_level(logging.DEBUG)
    with running_sink(Sink(answer=lambda _r: (500, {}, b"nope"))) as sink:
        endpoint = add_endpoint(sink.url + "?token=s3cr3t-token")
        emit_event("lead.qualified", {"lead": {"id": 5, "stage": "sql"},
                                      "contact": {"email": "ada@acme.example",
                                                  "name": "Ada Lovelace"}})
        deliverer.drain()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "delivery" in logged
    for secret in ("ada@acme.example", "Ada Lovelace", "s3cr3t-token", endpoint.secret):
        assert secret not in logged
