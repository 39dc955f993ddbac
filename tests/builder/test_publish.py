"""The Publish tab: located errors with links, publishing, the history, rollback."""

from __future__ import annotations

import copy
import html
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.builder.drafts import edit_draft
from app.forms.versions import ensure_workspace, publish, save_draft
from app.models import DraftRevision, Form, FormVersion, Response
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/forms/demo/publish"


def _definition() -> dict[str, Any]:
    return {
        "schema": 1, "title": "Demo",
        "steps": [
            {"id": "intro", "fields": [{"id": "email", "type": "email", "label": "Email"}]},
            {"id": "about", "title": "About you", "fields": [
                {"id": "size", "type": "choice", "label": "Company size",
                 "options": [{"value": "small"}, {"value": "large"}]}]},
        ],
        "endings": [{"id": "thanks", "type": "message", "title": "Thanks"}],
    }


def _broken() -> dict[str, Any]:
    """Valid JSON for the schema, with two logic errors the linter blocks."""
    definition = _definition()
    definition["steps"][1]["fields"][0]["visible_if"] = {"==": [{"var": "answers.ghost"}, 1]}
    definition["steps"][1]["next"] = [{"if": {"==": [{"var": "answers.size"}, "huge"]},
                                       "goto": "thanks"}]
    return definition


@pytest.fixture
def marketer(app: Flask, client: FlaskClient) -> FlaskClient:
    add_user(app, "mia@acme.example", role="marketer")
    log_in(client, "mia@acme.example")
    return client


def _form(session: Session, definition: dict[str, Any] | None = None,
          *, published: bool = False) -> Form:
    workspace = ensure_workspace(session, "acme")
    form, _ = save_draft(session, workspace, "demo", definition or _definition())
    if published:
        publish(session, form, note="first")
    session.commit()
    return form


def _reload(session: Session) -> Form:
    session.commit()  # a new transaction sees what the app committed
    session.expire_all()
    form = session.scalar(select(Form).where(Form.slug == "demo"))
    assert form is not None
    return form


def _versions(session: Session) -> list[FormVersion]:
    session.commit()
    return list(session.scalars(select(FormVersion).order_by(FormVersion.number)))


def _post(client: FlaskClient, url: str, **data: str):
    token = csrf_of(client.get("/app/acme/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _edit(session: Session, form: Form, change, summary: str = "An edit") -> None:
    edit_draft(session, form, change, summary=summary)
    session.commit()


def _add_company(draft: dict[str, Any]) -> None:
    draft["steps"][1]["fields"].append({"id": "company", "type": "short_text",
                                        "label": "Company"})


# --- review -----------------------------------------------------------------------------

def test_errors_are_listed_with_where_they_are_and_a_link_there(
        marketer: FlaskClient, session: Session) -> None:
    _form(session, _broken())

    page = html.unescape(marketer.get(URL).get_data(as_text=True))

    assert "2 problems block publishing" in page
    assert ('<a href="/app/acme/forms/demo/logic#logic-steps-1-fields-0-visible_if">'
            "Step 2 ‘About you’ › Field ‘Company size’ › Show-if condition</a>") in page
    assert "Condition refers to unknown field 'ghost'." in page
    assert ('<a href="/app/acme/forms/demo/logic#logic-steps-1-next-0">'
            "Step 2 ‘About you’ › Branch 1</a>") in page
    assert "'huge' is not an option of field 'size'" in page


def test_a_clean_draft_says_so(marketer: FlaskClient, session: Session) -> None:
    _form(session)

    page = marketer.get(URL).get_data(as_text=True)

    assert "No problems found" in page and "Publish v1" in page
    assert "Not published yet" in page


# --- publish ------------------------------------------------------------------------------

def test_publishing_a_draft_with_errors_is_refused_and_shows_them(
        marketer: FlaskClient, session: Session) -> None:
    _form(session, _broken())

    response = _post(marketer, URL, note="try")

    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Not published: 2 problems block publishing" in page and 'role="alert"' in page
    assert "Step 2 ‘About you’ › Branch 1" in page and 'value="try"' in page
    assert _versions(session) == []


def test_a_route_to_a_team_that_does_not_exist_blocks_publishing(
        marketer: FlaskClient, session: Session) -> None:
    definition = _definition()
    definition["endings"][0] = {"id": "thanks", "type": "route"}
    definition["route"] = [{"if": True, "to": {"book": "ghosts/intro"}}]
    _form(session, definition)

    page = html.unescape(marketer.get(URL).get_data(as_text=True))
    refused = _post(marketer, URL)

    assert "Unknown team 'ghosts'." in page and ">Route rule 1</a>" in page
    assert refused.status_code == 422 and _versions(session) == []


def test_publishing_creates_a_version_with_the_note(marketer: FlaskClient,
                                                   session: Session) -> None:
    _form(session)

    response = _post(marketer, URL, note="  Launch   day ")

    assert response.status_code == 303 and response.headers["Location"] == URL
    (version,) = _versions(session)
    assert version.number == 1 and version.note == "Launch day"
    assert version.definition == _definition()
    page = marketer.get(URL).get_data(as_text=True)
    assert "Published v1" in page and "First version" in page and "Launch day" in page
    assert "No changes since v1" in page


def test_publishing_an_unchanged_draft_makes_no_version(marketer: FlaskClient,
                                                       session: Session) -> None:
    _form(session, published=True)

    response = _post(marketer, URL)

    assert response.status_code == 303 and len(_versions(session)) == 1
    assert "Nothing to publish" in marketer.get(URL).get_data(as_text=True)


def test_a_note_that_is_too_long_is_refused_at_the_field(marketer: FlaskClient,
                                                        session: Session) -> None:
    _form(session)

    response = _post(marketer, URL, note="x" * 501)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Keep the note under 501 characters." in page and 'aria-invalid="true"' in page
    assert _versions(session) == []


# --- history ------------------------------------------------------------------------------

def test_the_draft_shows_its_changes_since_the_live_version(marketer: FlaskClient,
                                                           session: Session) -> None:
    form = _form(session, published=True)
    _edit(session, form, _add_company)

    page = html.unescape(marketer.get(URL).get_data(as_text=True))

    assert "Changes since v1" in page
    assert "<li>Added field ‘Company’ to step ‘About you’</li>" in page
    assert "Publish v2" in page


def test_each_version_says_what_it_changed(marketer: FlaskClient, session: Session) -> None:
    form = _form(session, published=True)
    _edit(session, form, _add_company)
    publish(session, form, note="company")
    _edit(session, form, lambda draft: draft["steps"].reverse())
    publish(session, form)
    session.commit()

    page = html.unescape(marketer.get(URL).get_data(as_text=True))

    history = page[page.index("Version history"):]
    assert history.index("v3") < history.index("v2") < history.index("v1")
    assert "<li>Reordered steps</li>" in history
    assert "<li>Added field ‘Company’ to step ‘About you’</li>" in history
    assert "Roll back to v1" in history and "Roll back to v3" not in history


# --- rollback -----------------------------------------------------------------------------

def test_rollback_publishes_the_old_definition_as_a_new_version(
        marketer: FlaskClient, session: Session) -> None:
    form = _form(session, published=True)
    _edit(session, form, _add_company)
    v2 = publish(session, form).version
    session.add(Response(workspace_id=form.workspace_id, form_id=form.id, version_id=v2.id,
                         state="completed"))
    session.commit()

    response = _post(marketer, "/app/acme/forms/demo/versions/1/rollback")

    assert response.status_code == 303 and response.headers["Location"] == URL
    v1, v2_again, v3 = _versions(session)
    assert v3.number == 3 and v3.note == "Rollback to v1"
    assert v3.definition == v1.definition == _definition()
    assert v2_again.definition["steps"][1]["fields"][-1]["id"] == "company"
    assert _reload(session).draft == _definition()
    assert session.scalar(select(DraftRevision.summary).order_by(DraftRevision.id.desc())
                          .limit(1)) == "Restored v1"
    assert session.scalar(select(Response.version_id)) == v2.id
    assert "Rolled back: v3 is v1 again" in marketer.get(URL).get_data(as_text=True)


def test_rollback_to_an_unknown_version_changes_nothing(marketer: FlaskClient,
                                                        session: Session) -> None:
    _form(session, published=True)

    response = _post(marketer, "/app/acme/forms/demo/versions/7/rollback")

    assert response.status_code == 303 and len(_versions(session)) == 1


def test_rollback_that_the_workspace_no_longer_allows_is_refused(
        marketer: FlaskClient, session: Session, app: Flask) -> None:
    definition = _definition()
    definition["endings"][0] = {"id": "thanks", "type": "route"}
    definition["route"] = [{"if": True, "to": {"nurture": "spring"}}]
    form = _form(session, definition, published=True)  # no tracks configured: not checked
    _edit(session, form, lambda draft: draft["route"][0]["to"].update(nurture="summer"))
    publish(session, form)
    workspace = ensure_workspace(session, "acme")
    workspace.settings = {"nurture_tracks": {"summer": {}}}
    session.commit()
    before = copy.deepcopy(_reload(session).draft)

    response = _post(marketer, "/app/acme/forms/demo/versions/1/rollback")

    assert response.status_code == 303
    assert len(_versions(session)) == 2 and _reload(session).draft == before
    assert "Unknown nurture track" in html.unescape(marketer.get(URL).get_data(as_text=True))


# --- who may -------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "url"), [
    ("get", URL), ("post", URL), ("post", "/app/acme/forms/demo/versions/1/rollback")])
def test_sales_may_not_publish_or_roll_back(app: Flask, client: FlaskClient, session: Session,
                                            method: str, url: str) -> None:
    _form(session, published=True)
    add_user(app, "sam@acme.example", role="sales")
    log_in(client, "sam@acme.example")
    token = csrf_of(client.get("/app/acme/").get_data(as_text=True))

    response = getattr(client, method)(url, data={"csrf_token": token})

    assert response.status_code == 403 and len(_versions(session)) == 1


def test_a_form_of_another_workspace_is_a_404(marketer: FlaskClient, session: Session) -> None:
    save_draft(session, ensure_workspace(session, "beta"), "secret", _definition())
    session.commit()

    assert marketer.get("/app/acme/forms/secret/publish").status_code == 404
    assert _post(marketer, "/app/acme/forms/secret/publish").status_code == 404
    assert session.scalar(select(func.count()).select_from(FormVersion)) == 0
