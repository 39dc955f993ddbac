"""Admins manage alert endpoints and dead deliveries in the back office."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.alerts.outbox import emit
from app.db import write_session
from app.models import AlertEndpoint, Delivery, Workspace, utcnow
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/alerts/"


@pytest.fixture
def admin(app, client):
    app.config["ALERTS_ALLOWED_NETWORKS"] = ["127.0.0.1"]
    add_user(app, "ada@acme.example", workspace="acme")
    log_in(client, "ada@acme.example")
    return client


def add(client, **fields):
    token = csrf_of(client.get(URL).get_data(as_text=True))
    data = {"csrf_token": token, "kind": "webhook", "name": "CRM",
            "url": "http://127.0.0.1:9/hooks?key=abc", **fields}
    return client.post(URL, data=data)


def endpoints(db_engine) -> list[AlertEndpoint]:
    with Session(db_engine) as session:
        return list(session.scalars(select(AlertEndpoint)))


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(admin, db_engine):
    reply = add(admin, events=["lead.qualified", "booking.created"])

    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    (endpoint,) = endpoints(db_engine)
    assert endpoint.secret in page and "not shown again" in page
    assert endpoint.events == ["lead.qualified", "booking.created"]
    listing = admin.get(URL).get_data(as_text=True)
    assert "CRM" in listing and "127.0.0.1" in listing
    assert endpoint.secret not in listing and "key=abc" not in listing


@pytest.mark.parametrize(("url", "message"), [
    ("http://10.1.2.3/hook", "private address"),
    ("gopher://example.com/", "http:// or https://"),
    ("", "Enter the URL"),
])
def test_a_bad_url_is_refused_inline_and_nothing_is_saved(admin, db_engine, url, message):
    reply = add(admin, url=url, name="Kept name")

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert 'value="Kept name"' in page  # what the admin typed stays
    assert endpoints(db_engine) == []


def test_rotating_shows_the_new_secret_and_keeps_the_old_one_signing(admin, db_engine):
    add(admin)
    (endpoint,) = endpoints(db_engine)
    token = csrf_of(admin.get(URL).get_data(as_text=True))

    reply = admin.post(f"{URL}{endpoint.id}/rotate", data={"csrf_token": token})

    (rotated,) = endpoints(db_engine)
    assert rotated.secret != endpoint.secret and rotated.previous_secret == endpoint.secret
    assert rotated.secret in reply.get_data(as_text=True)


def test_pausing_and_removing_an_endpoint(admin, db_engine):
    add(admin)
    (endpoint,) = endpoints(db_engine)
    token = csrf_of(admin.get(URL).get_data(as_text=True))

    admin.post(f"{URL}{endpoint.id}/enabled", data={"csrf_token": token})
    assert endpoints(db_engine)[0].enabled is False
    assert "Paused" in admin.get(URL).get_data(as_text=True)
    admin.post(f"{URL}{endpoint.id}/delete", data={"csrf_token": token})
    assert endpoints(db_engine) == []


def test_dead_deliveries_are_listed_and_replayed_with_their_event_id(app, admin, db_engine):
    add(admin)
    (endpoint,) = endpoints(db_engine)
    with app.app_context(), write_session() as session:
        workspace = session.scalar(select(Workspace).where(Workspace.slug == "acme"))
        event_ids = [emit(session, workspace.id, "lead.qualified", {"lead": {"id": n}}, utcnow())
                     for n in range(2)]
    with Session(db_engine) as session:
        session.execute(update(Delivery).values(status="dead", attempts=10,
                                                last_error="HTTP 500: down"))
        session.commit()

    page = admin.get(f"{URL}{endpoint.id}/dead").get_data(as_text=True)
    assert all(event_id in page for event_id in event_ids) and "HTTP 500: down" in page
    token = csrf_of(page)
    first = int(re.search(r'name="delivery_id" value="(\d+)"', page).group(1))

    admin.post(f"{URL}{endpoint.id}/replay", data={"csrf_token": token, "delivery_id": first})
    with Session(db_engine) as session:
        statuses = dict(session.execute(select(Delivery.id, Delivery.status)).all())
    assert statuses[first] == "pending" and list(statuses.values()).count("dead") == 1

    reply = admin.post(f"{URL}{endpoint.id}/replay", data={"csrf_token": token})
    assert "1 delivery queued again" in admin.get(reply.headers["Location"]).get_data(
        as_text=True)
    with Session(db_engine) as session:
        rows = list(session.scalars(select(Delivery)))
    assert {row.status for row in rows} == {"pending"} and {row.attempts for row in rows} == {0}


def test_only_admins_of_the_workspace_get_in(app, client, admin, db_engine):
    add(admin)
    (endpoint,) = endpoints(db_engine)
    add_user(app, "mo@acme.example", workspace="acme", role="marketer")
    add_user(app, "bo@beta.example", workspace="beta")
    marketer = app.test_client()
    log_in(marketer, "mo@acme.example")
    stranger = app.test_client()
    log_in(stranger, "bo@beta.example")

    assert marketer.get(URL).status_code == 403
    assert stranger.get(URL).status_code == 404
    assert stranger.get(f"/app/beta/alerts/{endpoint.id}/dead").status_code == 404
    token = csrf_of(stranger.get("/app/beta/alerts/").get_data(as_text=True))
    assert stranger.post(f"/app/beta/alerts/{endpoint.id}/delete",
                         data={"csrf_token": token}).status_code == 404
    assert len(endpoints(db_engine)) == 1


def test_changes_need_the_csrf_token(admin, db_engine):
    reply = admin.post(URL, data={"kind": "webhook", "name": "CRM",
                                  "url": "http://127.0.0.1:9/hooks"})
    assert reply.status_code == 400
    assert endpoints(db_engine) == []
