"""The rule builder re-renders itself after each edit; the server decides what it shows."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from app.db import write_session
from app.forms.versions import ensure_workspace, save_draft
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/forms/demo/rule-builder"


def definition() -> dict[str, Any]:
    return {
        "schema": 1, "title": "Demo", "hidden": ["utm_source"],
        "steps": [{"id": "you", "title": "About you", "fields": [
            {"id": "size", "type": "choice", "label": "Team size", "property": "company_size",
             "options": [{"value": "small"}, {"value": "big"}]},
            {"id": "seats", "type": "number", "label": "Seats"},
            {"id": "ok", "type": "yes_no", "label": "OK?"},
        ]}],
        "endings": [{"id": "thanks", "type": "message"}],
    }


def add_form(app: Flask, workspace: str = "acme", slug: str = "demo",
             draft: dict[str, Any] | None = None) -> None:
    with app.app_context(), write_session() as session:
        save_draft(session, ensure_workspace(session, workspace), slug, draft or definition())


@pytest.fixture
def marketer(app: Flask, client: FlaskClient) -> FlaskClient:
    add_user(app, "mia@acme.example", role="marketer")
    add_form(app)
    log_in(client, "mia@acme.example")
    return client


def token(client: FlaskClient) -> str:
    return csrf_of(client.get("/app/acme/forms/demo/build").get_data(as_text=True))


def rerender(client: FlaskClient, *pairs: tuple[str, str], action: str = "",
             url: str = URL, sections: str = "answers,hidden,contact") -> tuple[int, str]:
    given = {name for name, _ in pairs}
    defaults = [("rb_prefix", "r"), ("rb_legend", "Show if"), ("rb_sections", sections),
                ("rb_action", action), ("r.editor", "rows"), ("r.json", ""), ("r.json_before", "")]
    data = MultiDict([pair for pair in defaults if pair[0] not in given] + list(pairs))
    reply = client.post(url, data=data, headers={"HX-Request": "true",
                                                 "X-CSRFToken": token(client)})
    return reply.status_code, reply.get_data(as_text=True)


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', page, re.S)
    assert select, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected', select.group(0))
    return html.unescape(chosen.group(1)) if chosen else ""


def operators(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', page, re.S)
    assert select
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def test_adding_a_condition_renders_a_new_row_with_the_first_field(marketer):
    status, page = rerender(marketer, action="add")
    assert status == 200
    assert selected(page, "r.0.var") == "answers.size"
    assert operators(page, "r.0.op") == ["eq", "ne", "in", "not_in", "answered", "empty"]
    assert 'id="rb-r"' in page and "Show if" in page
    assert "Enter a value" not in page and "Choose an option" not in page  # not on every keystroke


def test_choosing_a_number_field_offers_number_operators(marketer):
    status, page = rerender(marketer, ("r.0.var", "answers.seats"), ("r.0.op", "in"))
    assert status == 200
    assert operators(page, "r.0.op") == ["eq", "ne", "gt", "ge", "lt", "le", "answered", "empty"]
    assert selected(page, "r.0.op") == "eq"
    assert 'inputmode="decimal"' in page


def test_a_yes_no_field_needs_no_value_and_the_json_follows(marketer):
    _, page = rerender(marketer, ("r.0.var", "answers.ok"), ("r.0.op", "is_false"))
    assert 'name="r.0.value"' not in page
    assert '{"===": [{"var": "answers.ok"}, false]}' in html.unescape(page)


def test_a_group_is_added_and_removed(marketer):
    _, page = rerender(marketer, ("r.0.var", "answers.ok"), ("r.0.op", "is_true"), action="group")
    assert 'name="r.1.mode"' in page and selected(page, "r.1.mode") == "any"
    assert selected(page, "r.1.0.var") == "answers.size"
    _, page = rerender(marketer, ("r.0.var", "answers.ok"), ("r.0.op", "is_true"),
                       ("r.1.mode", "any"), ("r.1.0.var", "answers.size"),
                       ("r.1.0.op", "answered"), action="remove:1")
    assert 'name="r.1.mode"' not in page and 'name="r.0.var"' in page


def test_switching_to_json_and_back(marketer):
    _, page = rerender(marketer, ("r.0.var", "answers.ok"), ("r.0.op", "is_true"), action="json")
    assert 'name="r.0.var"' not in page and "<details class=\"rb-json\" open>" in page
    _, page = rerender(marketer, ("r.editor", "json"),
                       ("r.json", '{"===": [{"var": "answers.ok"}, true]}'), action="rows")
    assert selected(page, "r.0.var") == "answers.ok"


def test_rows_not_filled_in_yet_keep_the_rows_mode_and_say_why(marketer):
    _, page = rerender(marketer, ("r.0.var", "answers.seats"), ("r.0.op", "gt"), action="json")
    assert 'name="r.0.var"' in page and "Enter a number." in page


def test_invalid_json_gets_an_inline_message(marketer):
    _, page = rerender(marketer, ("r.json", '{"===": ['))
    assert "This is not valid JSON" in page and 'aria-invalid="true"' in page


def test_routing_sections_offer_the_lead(marketer):
    _, page = rerender(marketer, action="add", sections="answers,lead,bogus")
    assert "lead.stage" in page and "hidden.utm_source" not in page


def test_the_workspace_builder_offers_every_forms_fields(app, marketer):
    other = definition()
    other["steps"][0]["fields"] = [{"id": "budget", "type": "number", "label": "Budget"}]
    add_form(app, slug="other", draft=other)
    _, page = rerender(marketer, action="add", url="/app/acme/rule-builder")
    assert "answers.budget" in page and "answers.size" in page


def test_a_bad_prefix_is_a_bad_request(marketer):
    reply = marketer.post(URL, data={"rb_prefix": "../x"},
                          headers={"X-CSRFToken": token(marketer)})
    assert reply.status_code == 400


def test_sales_cannot_use_the_builder(app, client):
    add_user(app, "sam@acme.example", role="sales")
    add_form(app)
    log_in(client, "sam@acme.example")
    page = client.get("/app/acme/leads/").get_data(as_text=True)
    reply = client.post(URL, data={"rb_prefix": "r"}, headers={"X-CSRFToken": csrf_of(page)})
    assert reply.status_code == 403


def test_another_workspaces_form_is_not_found(app, marketer):
    add_form(app, workspace="globex", slug="secret")
    reply = marketer.post("/app/acme/forms/secret/rule-builder", data={"rb_prefix": "r"},
                          headers={"X-CSRFToken": token(marketer)})
    assert reply.status_code == 404
