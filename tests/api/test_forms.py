"""/api/v1/forms: listing with versions, definitions of the draft and versions, publishing."""

from __future__ import annotations

import copy

from sqlalchemy import select

from app.db import write_session
from app.models import Form
from tests.api.conftest import error_of


def edit_draft(app, change):
    with app.app_context(), write_session() as session:
        form = session.scalars(select(Form).where(Form.slug == "talk-to-sales")).one()
        draft = copy.deepcopy(form.draft)
        change(draft)
        form.draft = draft


def test_forms_are_listed_with_status_and_versions(api):
    body = api.get("/api/v1/forms").get_json()

    (form,) = body["data"]
    assert body["next"] is None
    assert form["slug"] == "talk-to-sales" and form["status"] == "active"
    assert form["latest_version"] == 1 and [v["number"] for v in form["versions"]] == [1]
    assert form["url"] == "/f/demo/talk-to-sales"
    assert len(form["versions"][0]["content_hash"]) == 64


def test_forms_filter_by_status(api):
    assert api.get("/api/v1/forms?status=archived").get_json()["data"] == []
    assert len(api.get("/api/v1/forms?status=active").get_json()["data"]) == 1
    assert api.get("/api/v1/forms?status=gone").status_code == 400


def test_one_form_and_an_unknown_one(api):
    assert api.get("/api/v1/forms/talk-to-sales").get_json()["name"]
    reply = api.get("/api/v1/forms/ghost")
    assert reply.status_code == 404 and "ghost" in error_of(reply)["message"]
    assert api.get("/api/v1/forms/Not%20A%20Slug").status_code == 404


def test_the_definition_of_the_draft_and_of_a_version(api, api_app, demo_definition):
    edit_draft(api_app, lambda draft: draft.update(title="Talk to us"))

    draft = api.get("/api/v1/forms/talk-to-sales/definition").get_json()
    live = api.get("/api/v1/forms/talk-to-sales/definition?version=1").get_json()

    assert draft["version"] is None and draft["definition"]["title"] == "Talk to us"
    assert live["version"] == 1 and live["definition"]["title"] == demo_definition["title"]
    assert live["content_hash"] != draft["content_hash"]
    assert api.get("/api/v1/forms/talk-to-sales/definition?version=9").status_code == 404
    assert api.get("/api/v1/forms/talk-to-sales/definition?version=x").status_code == 400


def test_publishing_the_draft_makes_the_next_version(api, api_app):
    edit_draft(api_app, lambda draft: draft.update(title="Talk to us"))

    reply = api.post("/api/v1/forms/talk-to-sales/publish", json={"note": "New title"})

    assert reply.status_code == 201
    body = reply.get_json()
    assert body["created"] is True
    assert body["version"]["number"] == 2 and body["version"]["note"] == "New title"
    assert api.get("/api/v1/forms/talk-to-sales").get_json()["latest_version"] == 2


def test_publishing_an_unchanged_draft_is_a_200_without_a_new_version(api):
    reply = api.post("/api/v1/forms/talk-to-sales/publish")

    assert reply.status_code == 200
    assert reply.get_json()["created"] is False
    assert reply.get_json()["version"]["number"] == 1


def test_a_draft_with_errors_is_a_422_with_the_reviews_errors(api, api_app):
    def break_it(draft):
        draft["steps"][1]["visible_if"] = {"==": [{"var": "answers.ghost"}, "x"]}

    edit_draft(api_app, break_it)

    reply = api.post("/api/v1/forms/talk-to-sales/publish", json={})

    assert reply.status_code == 422
    error = error_of(reply)
    assert error["code"] == "draft_invalid"
    assert any("ghost" in issue["message"] and issue["path"].startswith("/steps/1")
               for issue in error["details"]["errors"])
    assert api.get("/api/v1/forms/talk-to-sales").get_json()["latest_version"] == 1


def test_a_note_over_500_characters_is_refused(api):
    reply = api.post("/api/v1/forms/talk-to-sales/publish", json={"note": "x" * 501})

    assert reply.status_code == 422
    assert "note" in error_of(reply)["details"]["json"]
