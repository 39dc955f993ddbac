"""/api/v1/contacts: read by id or email, upsert with history, erase."""

from __future__ import annotations

from sqlalchemy import select

from app.db import write_session
from app.models import ContactProperty, Lead, Response
from tests.api.conftest import error_of


def test_upserting_a_new_email_creates_the_contact_with_its_properties(api):
    reply = api.put("/api/v1/contacts", json={
        "email": "Grace@Navy.Example", "properties": {"job_level": "vp", "seats": 40,
                                                     "tools": ["crm", "ads"]}})

    assert reply.status_code == 201
    body = reply.get_json()
    assert body["created"] is True and body["email"] == "Grace@navy.example"
    assert body["properties"]["job_level"] == "vp" and body["properties"]["seats"] == 40
    assert body["properties"]["tools"] == ["crm", "ads"]
    assert body["changed"] == ["job_level", "seats", "tools"]
    sources = {detail["name"]: detail["source"] for detail in body["property_details"]}
    assert sources["job_level"] == "api" and sources["email"] == "api"
    assert "email_type" in sources  # enrichment ran for the new contact


def test_upserting_again_records_only_what_changed_and_keeps_history(api, api_app):
    api.put("/api/v1/contacts", json={"email": "g@navy.example",
                                      "properties": {"job_level": "vp", "seats": 40}})

    reply = api.put("/api/v1/contacts", json={"email": "g@navy.example",
                                              "properties": {"job_level": "c_level",
                                                             "seats": 40}})

    assert reply.status_code == 200
    assert reply.get_json()["created"] is False and reply.get_json()["changed"] == ["job_level"]
    with api_app.app_context(), write_session() as session:
        rows = session.execute(select(ContactProperty.value, ContactProperty.is_current)
                               .where(ContactProperty.name == "job_level")
                               .order_by(ContactProperty.id)).all()
        assert [tuple(row) for row in rows] == [("vp", False), ("c_level", True)]


def test_a_contact_is_found_by_id_and_by_email(api):
    made = api.put("/api/v1/contacts", json={"email": "find@me.example"}).get_json()

    by_id = api.get(f"/api/v1/contacts/{made['id']}").get_json()
    by_email = api.get("/api/v1/contacts?email=find@ME.example").get_json()["data"]

    assert by_id["email"] == "find@me.example"
    assert [contact["id"] for contact in by_email] == [made["id"]]
    assert api.get("/api/v1/contacts?email=nobody@me.example").get_json()["data"] == []
    assert api.get("/api/v1/contacts?email=not-an-email").status_code == 400
    assert api.get("/api/v1/contacts/777777").status_code == 404


def test_bad_properties_are_a_422_naming_each(api):
    reply = api.put("/api/v1/contacts", json={"email": "x@y.example", "properties": {
        "Bad Name": 1, "nested": {"a": 1}, "email": "other@y.example", "long": "x" * 3000}})

    assert reply.status_code == 422
    problems = error_of(reply)["details"]["json"]["properties"]
    assert set(problems) == {"Bad Name", "nested", "email", "long"}
    assert api.get("/api/v1/contacts?email=x@y.example").get_json()["data"] == []


def test_an_invalid_email_is_a_422(api):
    reply = api.put("/api/v1/contacts", json={"email": "nope"})

    assert reply.status_code == 422
    assert "email" in error_of(reply)["details"]["json"]


def test_a_leads_contact_is_rescored_when_its_properties_change(api, world, api_app):
    with api_app.app_context(), write_session() as session:
        before = session.get(Lead, world["lead_id"]).scored_at
    email = api.get(f"/api/v1/contacts/{world['contact_id']}").get_json()["email"]

    reply = api.put("/api/v1/contacts", json={"email": email,
                                              "properties": {"job_level": "individual"}})

    assert reply.status_code == 200
    assert reply.get_json()["lead"]["id"] == world["lead_id"]
    with api_app.app_context(), write_session() as session:
        assert session.get(Lead, world["lead_id"]).scored_at > before


def test_erasing_a_contact_removes_it_and_strips_its_responses(api, world, api_app):
    reply = api.delete(f"/api/v1/contacts/{world['contact_id']}")

    assert reply.status_code == 200
    report = reply.get_json()
    assert report["contact_found"] is True and report["responses"] == 1
    assert report["properties"] > 0
    assert api.get(f"/api/v1/contacts/{world['contact_id']}").status_code == 404
    assert api.get(f"/api/v1/responses/{world['response_id']}").get_json()["erased"] is True
    with api_app.app_context(), write_session() as session:
        assert session.get(Response, world["response_id"]).answers == {}


def test_erasing_by_email_reaches_responses_without_a_contact(api, api_app):
    from tests.web.hosted import fill_demo

    fill_demo(api_app.test_client(), "you", changes={"you": {"email": "half@way.example"}})

    reply = api.post("/api/v1/contacts/erase", json={"email": "half@way.example"})

    assert reply.status_code == 200
    assert reply.get_json()["responses"] == 1
    assert api.post("/api/v1/contacts/erase", json={"email": "bad"}).status_code == 422
