"""The Build tab: the outline, the settings panels (autosaved), structure edits, the preview."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.db import write_session
from app.forms.versions import ensure_workspace, get_form, get_workspace, publish, save_draft
from tests.web.backoffice import add_user, csrf_of, log_in

BASE = "/app/acme/forms/demo"
HTMX = {"HX-Request": "true"}


def _definition() -> dict[str, Any]:
    return {
        "schema": 1, "title": "Demo",
        "steps": [
            {"id": "one", "title": "About you", "fields": [
                {"id": "email", "type": "email", "label": "Work email", "required": True},
                {"id": "size", "type": "choice", "label": "Team size",
                 "options": [{"value": "small", "label": "1-10"},
                             {"value": "large", "label": "11+"}]}],
             "next": [{"if": {"==": [{"var": "answers.size"}, "large"]}, "goto": "two"}]},
            {"id": "two", "title": "Project", "fields": [
                {"id": "name", "type": "short_text", "label": "Project name"}]},
            {"id": "three", "title": "Last", "fields": [
                {"id": "notes", "type": "long_text", "label": "Notes"}]},
        ],
        "endings": [{"id": "thanks", "type": "message", "title": "Thanks!"}],
    }


@pytest.fixture
def editor(app: Flask, client: FlaskClient) -> FlaskClient:
    add_user(app, "mia@acme.example", role="marketer")
    with app.app_context(), write_session() as session:
        save_draft(session, ensure_workspace(session, "acme"), "demo", _definition())
    log_in(client, "mia@acme.example")
    return client


def _draft(app: Flask) -> dict[str, Any]:
    with app.app_context(), write_session() as session:
        return get_form(session, get_workspace(session, "acme"), "demo").draft


def _token(client: FlaskClient, at: str = "") -> str:
    return csrf_of(client.get(f"{BASE}/build?at={at}").get_data(as_text=True))


def _field_form(label: str = "Team size", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"label": label, "key": "size",
                            "option_label": ["1-10", "11+"], "option_value": ["small", "large"]}
    data.update(extra)
    return data


def test_the_outline_shows_steps_questions_and_endings(editor: FlaskClient) -> None:
    page = editor.get(f"{BASE}/build").get_data(as_text=True)
    for text in ("About you", "Work email", "Team size", "Project name", "Thanks!",
                 "Add a step", "Add an ending", 'class="ed-frame"'):
        assert text in page
    assert 'aria-current="page"' in page  # the Build tab is marked


def test_the_palette_adds_a_question_to_the_step(app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/steps/one/fields",
                        data={"csrf_token": _token(editor, "/steps/0"), "type": "multi_choice",
                              "index": "1"})
    assert reply.status_code == 303
    assert "at=/steps/0/fields/1" in reply.headers["Location"]
    added = _draft(app)["steps"][0]["fields"][1]
    assert added["type"] == "multi_choice" and len(added["options"]) == 2


def test_an_autosave_changes_the_label_and_refreshes_outline_and_preview(
        app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form("How big is your team?", required="1")})
    assert reply.status_code == 200
    assert reply.headers["HX-Trigger"] == "lf-draft-saved"
    body = reply.get_data(as_text=True)
    assert 'id="ed-outline"' in body and "How big is your team?" in body
    field = _draft(app)["steps"][0]["fields"][1]
    assert field["label"] == "How big is your team?" and field["required"] is True
    assert field["options"] == [{"value": "small", "label": "1-10"},
                                {"value": "large", "label": "11+"}]


def test_a_new_option_gets_a_value_from_its_label_and_old_values_stay(
        app: Flask, editor: FlaskClient) -> None:
    editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form(
            option_label=["One to ten", "11+", "200 or more"],
            option_value=["small", "large", ""])})
    options = _draft(app)["steps"][0]["fields"][1]["options"]
    assert [option["value"] for option in options] == ["small", "large", "200-or-more"]
    assert options[0]["label"] == "One to ten"


def test_duplicate_option_values_are_refused_next_to_the_option(
        app: Flask, editor: FlaskClient) -> None:
    before = _draft(app)
    reply = editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form(option_value=["small", "small"])})
    body = reply.get_data(as_text=True)
    assert 'id="err-option_value-1"' in body and "small" in body
    assert "Not saved" in body
    assert _draft(app) == before


@pytest.mark.parametrize(("pattern", "words"), [("([a-z", "compile"), ("(a+)+$", "slow")])
def test_a_pattern_that_cannot_run_is_refused_next_to_it(
        app: Flask, editor: FlaskClient, pattern: str, words: str) -> None:
    before = _draft(app)
    reply = editor.post(f"{BASE}/fields/name", headers=HTMX, data={
        "csrf_token": _token(editor), "label": "Project name", "key": "name",
        "validation_pattern": pattern})
    body = reply.get_data(as_text=True)
    slot = body[body.index('id="err-validation_pattern"'):]
    assert "hidden" not in slot[:40] and len(slot.split("</p>")[0]) > 40
    assert _draft(app) == before


def test_a_number_setting_that_is_not_a_number_is_refused(app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/name", headers=HTMX, data={
        "csrf_token": _token(editor), "label": "Project name", "validation_max_length": "ten"})
    assert "Enter a whole number." in reply.get_data(as_text=True)
    assert "validation" not in _draft(app)["steps"][1]["fields"][0]


def test_without_javascript_a_refused_save_shows_the_page_with_what_was_typed(
        app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/size", data={
        "csrf_token": _token(editor), **_field_form("Typed label", option_value=["a", "a"])})
    assert reply.status_code == 422
    body = reply.get_data(as_text=True)
    assert "Typed label" in body and "Not saved" in body
    assert _draft(app)["steps"][0]["fields"][1]["label"] == "Team size"


def test_deleting_a_step_that_a_branch_goes_to_is_refused(app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/steps/two/delete", headers=HTMX,
                        data={"csrf_token": _token(editor), "at": "/steps/1"})
    body = reply.get_data(as_text=True)
    assert "Not saved" in body and "two" in body
    assert [step["id"] for step in _draft(app)["steps"]] == ["one", "two", "three"]


def test_renaming_a_key_that_a_condition_uses_is_refused(app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form(key="team_size")})
    assert "size" in reply.get_data(as_text=True)
    assert _draft(app)["steps"][0]["fields"][1]["id"] == "size"


def test_a_question_can_be_dragged_into_another_step(app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/email/move",
                        data={"csrf_token": _token(editor), "step": "two", "index": "1"})
    assert reply.status_code == 303
    steps = _draft(app)["steps"]
    assert [f["id"] for f in steps[0]["fields"]] == ["size"]
    assert [f["id"] for f in steps[1]["fields"]] == ["name", "email"]


def test_moving_the_last_question_out_of_its_step_is_refused(
        app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/name/move", headers=HTMX,
                        data={"csrf_token": _token(editor), "step": "three", "index": "0"})
    assert "at least one question" in reply.get_data(as_text=True)
    assert _draft(app)["steps"][1]["fields"][0]["id"] == "name"


def test_steps_move_with_the_arrow_buttons(app: Flask, editor: FlaskClient) -> None:
    editor.post(f"{BASE}/steps/three/move", data={"csrf_token": _token(editor),
                                                  "direction": "up"})
    assert [step["id"] for step in _draft(app)["steps"]] == ["one", "three", "two"]


def test_undo_puts_back_the_last_change(app: Flask, editor: FlaskClient) -> None:
    editor.post(f"{BASE}/steps/three/delete", data={"csrf_token": _token(editor)})
    assert len(_draft(app)["steps"]) == 2
    page = editor.get(f"{BASE}/build").get_data(as_text=True)
    assert "Undo: Deleted step" in page
    reply = editor.post(f"{BASE}/undo", data={"csrf_token": csrf_of(page),
                                              "next": f"{BASE}/build"})
    assert reply.status_code == 303
    assert [step["id"] for step in _draft(app)["steps"]] == ["one", "two", "three"]


def test_an_ending_switched_to_redirect_needs_an_address(app: Flask, editor: FlaskClient) -> None:
    token = _token(editor, "/endings/0")
    reply = editor.post(f"{BASE}/endings/thanks", headers=HTMX,
                        data={"csrf_token": token, "type": "redirect", "url": ""})
    assert "Enter the address" in reply.get_data(as_text=True)
    editor.post(f"{BASE}/endings/thanks", headers=HTMX,
                data={"csrf_token": token, "type": "redirect", "url": "https://example.com/t"})
    assert _draft(app)["endings"][0] == {"id": "thanks", "type": "redirect",
                                         "url": "https://example.com/t"}


def test_form_settings_set_the_title_display_and_hidden_values(
        app: Flask, editor: FlaskClient) -> None:
    editor.post(f"{BASE}/settings", headers=HTMX, data={
        "csrf_token": _token(editor), "title": "Book a demo", "display": "conversational",
        "hidden": "utm_source, utm_campaign utm_source"})
    draft = _draft(app)
    assert draft["title"] == "Book a demo" and draft["display"] == "conversational"
    assert draft["hidden"] == ["utm_source", "utm_campaign"]


def test_the_preview_renders_the_draft_and_only_the_editor_may_frame_it(
        app: Flask, editor: FlaskClient) -> None:
    editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form("Unpublished wording")})
    reply = editor.get(f"{BASE}/preview?screen=one")
    assert reply.status_code == 200
    assert "Unpublished wording" in reply.get_data(as_text=True)
    assert "frame-ancestors 'self'" in reply.headers["Content-Security-Policy"]
    assert "autofocus" not in reply.get_data(as_text=True)  # the editor keeps the focus


def test_the_preview_can_be_walked_through_the_branches(editor: FlaskClient) -> None:
    missing = editor.get(f"{BASE}/preview?from=one&answers=%7B%7D&email=&size=large")
    assert "Please" in missing.get_data(as_text=True)  # the required email, checked as live
    branch = editor.get(f"{BASE}/preview?from=one&answers=%7B%7D&email=a%40b.example&size=large")
    assert "Project name" in branch.get_data(as_text=True)
    straight = editor.get(f"{BASE}/preview?from=one&answers=%7B%7D&email=a%40b.example"
                          "&size=small")
    assert "Project name" in straight.get_data(as_text=True)  # next step either way here
    carried = json.dumps({"email": "a@b.example", "size": "large"})
    ending = editor.get(f"{BASE}/preview", query_string={"from": "three", "answers": carried,
                                                          "notes": "hi"})
    assert "Thanks!" in ending.get_data(as_text=True)


def test_marketer_text_is_escaped_in_the_editor_and_the_preview(
        app: Flask, editor: FlaskClient) -> None:
    attack = "<img src=x onerror=alert(1)>"
    editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form(attack)})
    for url in (f"{BASE}/build?at=/steps/0/fields/1", f"{BASE}/preview?screen=one"):
        body = editor.get(url).get_data(as_text=True)
        assert attack not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_sales_members_cannot_open_or_change_the_editor(app: Flask, editor: FlaskClient,
                                                        client: FlaskClient) -> None:
    add_user(app, "sam@acme.example", role="sales")
    other = app.test_client()
    log_in(other, "sam@acme.example")
    assert other.get(f"{BASE}/build").status_code == 403
    token = csrf_of(other.get("/app/acme/").get_data(as_text=True))
    assert other.post(f"{BASE}/steps", data={"csrf_token": token}).status_code == 403
    assert len(_draft(app)["steps"]) == 3


def test_another_workspace_cannot_see_the_form(app: Flask, editor: FlaskClient) -> None:
    add_user(app, "eve@other.example", workspace="other", role="admin")
    other = app.test_client()
    log_in(other, "eve@other.example")
    assert other.get(f"{BASE}/build").status_code == 404
    assert other.get("/app/other/forms/demo/build").status_code == 404


def test_publishing_is_unaffected_by_editing_the_draft(app: Flask, editor: FlaskClient) -> None:
    with app.app_context(), write_session() as session:
        publish(session, get_form(session, get_workspace(session, "acme"), "demo"))
    editor.post(f"{BASE}/fields/size", headers=HTMX, data={
        "csrf_token": _token(editor), **_field_form("Edited after publishing")})
    page = editor.get(f"{BASE}/build").get_data(as_text=True)
    assert "Unpublished changes" in page
    public = editor.get("/f/acme/demo").get_data(as_text=True)
    assert "Team size" in public and "Edited after publishing" not in public


def test_undo_brings_the_marketer_back_to_the_tab_they_were_on(
        app: Flask, editor: FlaskClient) -> None:
    reply = editor.post(f"{BASE}/fields/size", headers={
        **HTMX, "HX-Current-URL": f"http://localhost{BASE}/build?at=/steps/0/fields/1"},
        data={"csrf_token": _token(editor), **_field_form("Renamed")})
    assert f'name="next" value="{BASE}/build?at=/steps/0/fields/1"' in reply.get_data(
        as_text=True)
    token = _token(editor)
    back = editor.post(f"{BASE}/undo", data={"csrf_token": token, "next": f"{BASE}/logic"})
    assert back.headers["Location"].endswith(f"{BASE}/logic")
    elsewhere = editor.post(f"{BASE}/undo", data={"csrf_token": token,
                                                  "next": "https://evil.example/"})
    assert elsewhere.headers["Location"].endswith(f"{BASE}/build")
