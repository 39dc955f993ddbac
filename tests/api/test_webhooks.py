"""/api/v1/webhooks: endpoints behind the SSRF guard, deliveries, replays."""

from __future__ import annotations

from sqlalchemy import select

from app.db import write_session
from app.models import AlertEndpoint, Delivery
from tests.api.conftest import error_of


def test_adding_a_webhook_shows_its_secret_once(api, api_app):
    reply = api.post("/api/v1/webhooks/endpoints", json={
        "name": "CRM", "url": "http://127.0.0.1:9/hook?key=abc",
        "events": ["lead.qualified", "lead.outcome"]})

    assert reply.status_code == 201
    made = reply.get_json()
    assert made["secret"].startswith("whsec_") and made["host"] == "127.0.0.1"
    assert made["events"] == ["lead.qualified", "lead.outcome"]
    listed = api.get("/api/v1/webhooks/endpoints").get_json()["data"]
    assert [item["id"] for item in listed] == [made["id"]]
    assert "secret" not in listed[0] and "key=abc" not in str(listed)
    assert api.get(f"/api/v1/webhooks/endpoints/{made['id']}").get_json()["name"] == "CRM"


def test_a_private_address_is_refused(api, api_app):
    reply = api.post("/api/v1/webhooks/endpoints", json={"name": "Sneaky",
                                                         "url": "http://10.0.0.8/hook"})

    assert reply.status_code == 422
    assert "private" in error_of(reply)["message"]
    with api_app.app_context(), write_session() as session:
        assert session.scalars(select(AlertEndpoint)).all() == []


def test_unknown_events_and_kinds_are_refused(api):
    reply = api.post("/api/v1/webhooks/endpoints", json={
        "name": "x", "url": "http://127.0.0.1:9/", "kind": "pager", "events": ["lead.won"]})

    assert reply.status_code == 422
    assert set(error_of(reply)["details"]["json"]) == {"kind", "events"}


def test_deleting_an_endpoint(api, world):
    path = f"/api/v1/webhooks/endpoints/{world['endpoint_id']}"

    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404


def test_deliveries_filter_by_status_endpoint_and_event(api, world):
    def ids(query):
        reply = api.get(f"/api/v1/webhooks/deliveries?{query}")
        assert reply.status_code == 200, reply.get_json()
        return [item["id"] for item in reply.get_json()["data"]]

    dead = ids("status=dead")
    assert dead == [world["delivery_id"]]
    assert world["delivery_id"] not in ids("status=pending")
    assert set(ids(f"endpoint_id={world['endpoint_id']}")) >= set(dead)
    one = api.get(f"/api/v1/webhooks/deliveries/{world['delivery_id']}").get_json()
    assert one["status"] == "dead" and one["last_error"] == "HTTP 500"
    assert one["event"]["id"] and one["event"]["kind"]
    assert ids(f"event={one['event']['kind']}").count(world["delivery_id"]) == 1
    assert api.get("/api/v1/webhooks/deliveries?status=lost").status_code == 400
    assert api.get("/api/v1/webhooks/deliveries?endpoint_id=4040").status_code == 404


def test_replaying_a_dead_delivery_keeps_its_event_id(api, world, api_app):
    path = f"/api/v1/webhooks/deliveries/{world['delivery_id']}"
    event_id = api.get(path).get_json()["event"]["id"]

    reply = api.post(f"{path}/replay")

    assert reply.status_code == 200 and reply.get_json() == {"replayed": 1}
    again = api.get(path).get_json()
    assert again["status"] == "pending" and again["attempts"] == 0
    assert again["event"]["id"] == event_id
    second = api.post(f"{path}/replay")
    assert second.status_code == 409 and error_of(second)["code"] == "not_dead"


def test_replaying_all_dead_deliveries_of_an_endpoint(api, world, api_app):
    with api_app.app_context(), write_session() as session:
        for delivery in session.scalars(select(Delivery)):
            delivery.status = "dead"
        dead = len(session.scalars(select(Delivery)).all())

    reply = api.post("/api/v1/webhooks/deliveries/replay",
                     json={"endpoint_id": world["endpoint_id"]})

    assert reply.status_code == 200 and reply.get_json()["replayed"] == dead
    assert api.post("/api/v1/webhooks/deliveries/replay").get_json() == {"replayed": 0}
    assert api.post("/api/v1/webhooks/deliveries/replay",
                    json={"endpoint_id": 4040}).status_code == 404
