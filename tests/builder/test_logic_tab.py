"""The Logic tab: visibility rules and branches edited through the rule builder."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.db import write_session
from app.forms.versions import ensure_workspace, save_draft
from app.models import DraftRevision, Form
from app.web.builder.logic import logic_anchor
from tests.web.backoffice import add_user, csrf_of, log_in

PAGE = "/app/acme/forms/demo/logic"
VISIBILITY = f"{PAGE}/visibility"
BRANCHES = f"{PAGE}/branches"
EMPTY_BUILDER = (("r.editor", "rows"), ("r.json", ""), ("r.json_before", ""))


def definition() -> dict[str, Any]:
    return {
        "schema": 1, "title": "Demo",
        "steps": [
            {"id": "you", "title": "About you", "fields": [
                {"id": "size", "type": "choice", "label": "Team size",
                 "options": [{"value": "small"}, {"value": "11-200"}]},
                {"id": "seats", "type": "number", "label": "Seats"},
            ]},
            {"id": "project", "title": "Your project", "fields": [
                {"id": "goal", "type": "short_text", "label": "Goal"}]},
            {"id": "demo", "title": "Book a demo", "fields": [
                {"id": "ok", "type": "yes_no", "label": "Ready?"}]},
        ],
        "endings": [{"id": "thanks", "type": "message", "title": "Thanks"},
                    {"id": "bye", "type": "message", "title": "Goodbye"}],
    }


@pytest.fixture
def draft_form(app: Flask) -> Any:
    def make(draft: dict[str, Any] | None = None) -> None:
        with app.app_context(), write_session() as session:
            save_draft(session, ensure_workspace(session, "acme"), "demo",
                       draft or definition())
    return make


@pytest.fixture
def marketer(app: Flask, client: FlaskClient, draft_form: Any) -> FlaskClient:
    add_user(app, "mia@acme.example", role="marketer")
    draft_form()
    log_in(client, "mia@acme.example")
    return client


def stored(db_engine: Any) -> dict[str, Any]:
    with Session(db_engine) as session:
        return session.scalars(select(Form.draft)).one()


def revisions(db_engine: Any) -> list[str]:
    with Session(db_engine) as session:
        return list(session.scalars(select(DraftRevision.summary).order_by(DraftRevision.id)))


def post(client: FlaskClient, url: str, *pairs: tuple[str, str], htmx: bool = False):
    token = csrf_of(client.get(PAGE).get_data(as_text=True))
    headers = {"HX-Request": "true"} if htmx else {}
    data = MultiDict([("csrf_token", token), ("rule_prefix", "r"), *pairs])
    return client.post(url, data=data, headers=headers)


def block(page: str, anchor: str) -> str:
    """The HTML of one rule block, up to the next block."""
    start = page.index(f'id="{anchor}"')
    following = page.find('class="lg-block"', start + 1)
    return page[start:following if following != -1 else None]


# --- visibility -----------------------------------------------------------------------------


def test_a_step_visibility_rule_built_from_rows_is_saved_as_jsonlogic(marketer, db_engine):
    reply = post(marketer, VISIBILITY, ("step", "project"), *EMPTY_BUILDER,
                 ("r.0.var", "answers.size"), ("r.0.op", "eq"), ("r.0.value", "11-200"))

    assert reply.status_code == 303
    assert reply.headers["Location"].endswith("/logic#logic-steps-1-visible_if")
    assert stored(db_engine)["steps"][1]["visible_if"] == {
        "==": [{"var": "answers.size"}, "11-200"]}
    assert revisions(db_engine) == ["Step ‘Your project’ shown only if “Team size” equals ‘11-200’"]


def test_undo_after_a_save_comes_back_to_the_logic_tab(marketer, db_engine):
    reply = post(marketer, VISIBILITY, ("step", "project"), ("always", "1"), *EMPTY_BUILDER,
                 htmx=True)  # nothing to change: no revision
    post(marketer, VISIBILITY, ("step", "project"), *EMPTY_BUILDER,
         ("r.0.var", "answers.size"), ("r.0.op", "answered"))
    reply = marketer.post("/app/acme/forms/demo/undo", data={
        "csrf_token": csrf_of(reply.get_data(as_text=True)), "next": VISIBILITY})
    assert reply.headers["Location"].endswith(VISIBILITY)
    back = marketer.get(VISIBILITY)
    assert back.status_code == 303 and back.headers["Location"].endswith(PAGE)
    assert "visible_if" not in stored(db_engine)["steps"][1]


def test_a_field_visibility_rule_with_a_group_is_saved(marketer, db_engine):
    reply = post(marketer, VISIBILITY, ("step", "you"), ("field", "seats"), *EMPTY_BUILDER,
                 ("r.mode", "any"), ("r.0.var", "answers.size"), ("r.0.op", "answered"),
                 ("r.1.mode", "all"), ("r.1.0.var", "answers.size"), ("r.1.0.op", "in"),
                 ("r.1.0.value", "small"), htmx=True)

    assert reply.status_code == 200
    assert stored(db_engine)["steps"][0]["fields"][1]["visible_if"] == {"or": [
        {"!=": [{"var": "answers.size"}, None]},
        {"and": [{"in": [{"var": "answers.size"}, ["small"]]}]},
    ]}
    page = reply.get_data(as_text=True)
    assert "Saved." in block(page, "logic-steps-0-fields-1-visible_if")


def test_always_show_removes_the_rule(marketer, db_engine, draft_form):
    draft = definition()
    draft["steps"][2]["visible_if"] = {"==": [{"var": "answers.size"}, "small"]}
    draft_form(draft)
    post(marketer, VISIBILITY, ("step", "demo"), ("always", "1"), *EMPTY_BUILDER,
         ("r.0.var", "answers.size"), ("r.0.op", "eq"), ("r.0.value", "nonsense"))
    assert "visible_if" not in stored(db_engine)["steps"][2]
    assert revisions(db_engine) == ["Step ‘Book a demo’ always shown"]


def test_a_bad_value_gets_an_inline_error_and_the_draft_is_unchanged(marketer, db_engine):
    reply = post(marketer, VISIBILITY, ("step", "project"), *EMPTY_BUILDER,
                 ("r.0.var", "answers.seats"), ("r.0.op", "gt"), ("r.0.value", "lots"))

    assert reply.status_code == 422
    here = block(reply.get_data(as_text=True), "logic-steps-1-visible_if")
    assert "‘lots’ is not a number." in here and 'aria-invalid="true"' in here
    assert 'value="lots"' in here  # what was typed stays
    assert "<details class=\"lg-edit\" open>" in here
    assert stored(db_engine) == definition() and revisions(db_engine) == []


def test_invalid_raw_json_is_refused_inline(marketer, db_engine):
    reply = post(marketer, VISIBILITY, ("step", "project"), ("r.editor", "rows"),
                 ("r.json_before", ""), ("r.json", '{"==": [{"var": "answers.size"}, '),
                 htmx=True)

    assert reply.status_code == 200
    here = block(reply.get_data(as_text=True), "logic-steps-1-visible_if")
    assert "This is not valid JSON" in here
    assert html.escape('{"==": [{"var": "answers.size"}, ', quote=False) in here.replace(
        "&#34;", '"')
    assert stored(db_engine) == definition()


def test_raw_json_the_rows_cannot_show_is_saved_as_written(marketer, db_engine):
    rule = {"if": [{"var": "answers.size"}, True, False]}
    post(marketer, VISIBILITY, ("step", "project"), ("r.editor", "json"),
         ("r.json_before", ""), ("r.json", json.dumps(rule)))
    assert stored(db_engine)["steps"][1]["visible_if"] == rule
    page = marketer.get(PAGE).get_data(as_text=True)
    assert "Shown only if a custom JSON condition." in page


def test_a_rule_on_an_unknown_field_is_refused_by_the_draft(marketer, db_engine):
    reply = post(marketer, VISIBILITY, ("step", "project"), ("r.editor", "json"),
                 ("r.json", '{"==": [{"var": "answers.ghost"}, 1]}'))
    assert reply.status_code == 422
    assert "unknown field" in block(reply.get_data(as_text=True), "logic-steps-1-visible_if")
    assert stored(db_engine) == definition()


# --- branches -------------------------------------------------------------------------------


def add_branch(client: FlaskClient, goto: str, *rows: tuple[str, str], htmx: bool = False,
               step: str = "you"):
    return post(client, BRANCHES, ("step", step), ("action", "add"), ("goto", goto),
                *EMPTY_BUILDER, *rows, htmx=htmx)


def test_a_branch_is_added_with_its_condition(marketer, db_engine):
    reply = add_branch(marketer, "demo", ("r.0.var", "answers.seats"), ("r.0.op", "ge"),
                       ("r.0.value", "50"))

    assert reply.status_code == 303
    assert stored(db_engine)["steps"][0]["next"] == [
        {"if": {">=": [{"var": "answers.seats"}, 50]}, "goto": "demo"}]
    assert revisions(db_engine) == ["Branch from ‘About you’ to ‘Book a demo’"]
    page = marketer.get(PAGE).get_data(as_text=True)
    here = block(page, "logic-steps-0-next-0")
    assert "If “Seats” is at least 50, go to ‘Book a demo’." in here
    assert "Otherwise: the next step, ‘Your project’" in page


def test_a_branch_without_conditions_always_applies(marketer, db_engine):
    add_branch(marketer, "bye", step="demo")
    assert stored(db_engine)["steps"][2]["next"] == [{"if": True, "goto": "bye"}]


def test_a_branch_needs_a_target(marketer, db_engine):
    reply = add_branch(marketer, "", ("r.0.var", "answers.size"), ("r.0.op", "answered"))
    assert reply.status_code == 422
    here = block(reply.get_data(as_text=True), "logic-steps-0-next-new")
    assert "Choose where this branch goes." in here
    assert 'value="answers.size" selected' in here
    assert "next" not in stored(db_engine)["steps"][0]


def test_a_branch_to_a_missing_step_is_refused_inline(marketer, db_engine):
    reply = add_branch(marketer, "deleted-step", htmx=True)
    assert reply.status_code == 200
    here = block(reply.get_data(as_text=True), "logic-steps-0-next-new")
    assert "Goto target &#39;deleted-step&#39; is not a step or an ending." in here
    assert "next" not in stored(db_engine)["steps"][0]


def test_a_branch_that_makes_a_loop_is_refused_inline(marketer, db_engine):
    reply = add_branch(marketer, "you", ("r.0.var", "answers.ok"), ("r.0.op", "is_true"),
                       step="demo")
    assert reply.status_code == 422
    assert "makes a loop" in block(reply.get_data(as_text=True), "logic-steps-2-next-new")


def test_branches_are_edited_moved_and_deleted(marketer, db_engine):
    add_branch(marketer, "demo", ("r.0.var", "answers.size"), ("r.0.op", "eq"),
               ("r.0.value", "small"))
    add_branch(marketer, "thanks", ("r.0.var", "answers.seats"), ("r.0.op", "lt"),
               ("r.0.value", "5"))
    first, second = stored(db_engine)["steps"][0]["next"]

    post(marketer, BRANCHES, ("step", "you"), ("index", "1"), ("original", json.dumps(second)),
         ("action", "up"))
    assert stored(db_engine)["steps"][0]["next"] == [second, first]

    post(marketer, BRANCHES, ("step", "you"), ("index", "0"), ("original", json.dumps(second)),
         ("action", "save"), ("goto", "bye"), *EMPTY_BUILDER,
         ("r.0.var", "answers.seats"), ("r.0.op", "le"), ("r.0.value", "4"))
    edited = {"if": {"<=": [{"var": "answers.seats"}, 4]}, "goto": "bye"}
    assert stored(db_engine)["steps"][0]["next"] == [edited, first]

    post(marketer, BRANCHES, ("step", "you"), ("index", "0"), ("original", json.dumps(edited)),
         ("action", "delete"))
    post(marketer, BRANCHES, ("step", "you"), ("index", "0"), ("original", json.dumps(first)),
         ("action", "delete"))
    assert "next" not in stored(db_engine)["steps"][0]
    assert revisions(db_engine)[-4:] == [
        "Moved the branch from ‘About you’ to ‘Thanks’ up",
        "Changed the branch from ‘About you’ to ‘Goodbye’",
        "Deleted the branch from ‘About you’ to ‘Goodbye’",
        "Deleted the branch from ‘About you’ to ‘Book a demo’",
    ]


def test_an_edit_from_a_stale_page_is_refused(marketer, db_engine):
    add_branch(marketer, "demo", ("r.0.var", "answers.seats"), ("r.0.op", "answered"))
    reply = post(marketer, BRANCHES, ("step", "you"), ("index", "0"),
                 ("original", json.dumps({"if": True, "goto": "thanks"})), ("action", "delete"))
    assert reply.status_code == 422
    assert "changed since the page was loaded" in reply.get_data(as_text=True)
    assert len(stored(db_engine)["steps"][0]["next"]) == 1


def test_a_refusal_for_a_rule_no_longer_on_the_page_is_shown_at_the_top(marketer, db_engine):
    reply = post(marketer, BRANCHES, ("step", "you"), ("index", "3"),
                 ("original", json.dumps({"if": True, "goto": "thanks"})), ("action", "delete"))
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "changed since the page was loaded" in page[:page.index('class="lg-steps"')]


# --- lint, anchors, access, escaping ----------------------------------------------------------


def test_lint_findings_appear_next_to_their_rule(marketer, draft_form):
    draft = definition()
    draft["steps"][0]["fields"][0]["visible_if"] = {"==": [{"var": "answers.seats"}, 3]}
    draft["steps"][1]["next"] = [{"if": True, "goto": "thanks"},
                                 {"if": {"==": [{"var": "answers.size"}, "huge"]},
                                  "goto": "demo"}]
    draft_form(draft)
    page = marketer.get(PAGE).get_data(as_text=True)

    field_block = block(page, "logic-steps-0-fields-0-visible_if")
    assert "Warning:</strong> Field &#39;seats&#39; is asked after" in field_block
    dead = block(page, "logic-steps-1-next-1")
    assert "This branch is never tried" in dead
    assert "&#39;huge&#39; is not an option of field &#39;size&#39;" in dead
    assert "never tried" not in block(page, "logic-steps-1-next-0")
    step = page[page.index('id="logic-steps-2"'):]
    assert "Step &#39;demo&#39; can never be reached." in step[:step.index('class="lg-block"')]
    assert "Otherwise: never reached, as branch 1 always applies." in page


@pytest.mark.parametrize(("pointer", "anchor"), [
    ("/steps/1/visible_if", "logic-steps-1-visible_if"),
    ("/steps/0/fields/2/visible_if/==/0", "logic-steps-0-fields-2-visible_if"),
    ("/steps/0/next/1/if/and/0", "logic-steps-0-next-1"),
    ("/steps/0/next/1/goto", "logic-steps-0-next-1"),
    ("/steps/3", "logic-steps-3"),
    ("/endings/1", "logic-endings"),
    ("/steps/0/fields/1/label", None),
    ("/steps/0/id", None),
    ("/route/0/if", None),
    ("", None),
])
def test_logic_anchor_names_the_block_that_shows_a_pointer(pointer, anchor):
    assert logic_anchor(pointer) == anchor


def test_every_block_on_the_page_has_its_anchor(marketer):
    page = marketer.get(PAGE).get_data(as_text=True)
    for pointer in ("/steps/0/visible_if", "/steps/0/fields/1/visible_if", "/steps/2"):
        assert f'id="{logic_anchor(pointer)}"' in page


def test_sales_gets_403(app, client, draft_form):
    add_user(app, "sam@acme.example", role="sales")
    draft_form()
    log_in(client, "sam@acme.example")
    assert client.get(PAGE).status_code == 403
    token = csrf_of(client.get("/app/acme/leads/").get_data(as_text=True))
    assert client.post(VISIBILITY, data={"csrf_token": token, "step": "you"}).status_code == 403
    assert client.post(BRANCHES, data={"csrf_token": token, "step": "you"}).status_code == 403


def test_labels_are_escaped(marketer, draft_form, db_engine):
    evil = "<img src=x onerror=alert(1)>"
    draft = definition()
    draft["steps"][0]["title"] = evil
    draft["steps"][0]["fields"][0]["label"] = evil
    draft["steps"][0]["fields"][0]["options"][0]["label"] = evil
    draft["endings"][0]["title"] = evil
    draft["steps"][1]["visible_if"] = {"==": [{"var": "answers.size"}, "small"]}
    draft["steps"][0]["next"] = [{"if": {"in": [{"var": "answers.size"}, ["small"]]},
                                  "goto": "thanks"}]
    draft_form(draft)
    page = marketer.get(PAGE).get_data(as_text=True)
    assert evil not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_draft_is_left_alone_by_a_get(marketer, db_engine):
    marketer.get(PAGE)
    with Session(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(DraftRevision)) == 0


# --- a malformed stored draft -----------------------------------------------------------------


def break_draft(db_engine: Any, **step: Any) -> None:
    """What no editor change can store: a list that is not a list (an old or hand-edited row)."""
    with Session(db_engine) as session, session.begin():
        form = session.scalars(select(Form)).one()
        draft = definition()
        draft["steps"][0].update(step)
        form.draft = draft


@pytest.mark.parametrize("broken", [{"next": True}, {"next": "demo"}, {"fields": True}])
def test_a_malformed_draft_shows_the_tab_and_refuses_a_branch_without_a_crash(
        marketer, db_engine, broken):
    break_draft(db_engine, **broken)

    page = marketer.get(PAGE)
    reply = add_branch(marketer, "demo", ("r.0.var", "answers.goal"), ("r.0.op", "eq"),
                       ("r.0.value", "x"))
    shown = post(marketer, VISIBILITY, ("step", "you"), ("field", "seats"), *EMPTY_BUILDER,
                 ("r.0.var", "answers.size"), ("r.0.op", "eq"), ("r.0.value", "small"))

    assert page.status_code == 200
    assert reply.status_code == shown.status_code == 422
    assert revisions(db_engine) == []
