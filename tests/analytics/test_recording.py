"""What the funnel counts is recorded by real form fills: a view per fresh visit to the first
screen (for the version shown), a step row per step got past, once."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Form, FormVersion, FormView, Response, ResponseStep
from tests.web.backoffice import add_user, log_in
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, post_screen


def views(engine) -> list[tuple[int, object, int]]:
    with Session(engine) as session:
        return [(row.version_id, row.day, row.views)
                for row in session.scalars(select(FormView).order_by(FormView.id))]


def steps(engine) -> list[tuple[int, str]]:
    with Session(engine) as session:
        return [(row.response_id, row.step_id)
                for row in session.scalars(select(ResponseStep).order_by(ResponseStep.id))]


def demo_version_id(engine) -> int:
    with Session(engine) as session:
        return session.scalars(select(FormVersion.id).join(Form).where(
            Form.slug == "talk-to-sales")).one()


def test_each_fresh_visit_to_the_first_screen_counts_one_view_for_today(demo, client, db_engine):
    client.get(DEMO_URL)
    demo.test_client().get(DEMO_URL + "?embed=1&utm_source=x")

    today = datetime.now(UTC).date()
    assert views(db_engine) == [(demo_version_id(db_engine), today, 2)]


def test_resuming_a_started_response_is_not_a_new_view(demo, client, db_engine):
    post_screen(client, DEMO_URL, STEP_ANSWERS["you"])  # its GET for the token is the view

    assert client.get(DEMO_URL).status_code == 200  # the second screen, resumed
    assert views(db_engine)[0][2] == 1


def test_the_view_counts_for_the_version_that_is_shown(app, client, publish_form, db_engine,
                                                       portable_definition):
    url = publish_form(portable_definition)
    client.get(url)
    changed = copy.deepcopy(portable_definition)
    changed["title"] = "Talk to us, v2"
    publish_form(changed)
    app.test_client().get(url)

    with Session(db_engine) as session:
        numbers = dict(session.execute(select(FormVersion.id, FormVersion.number)).all())
    assert [(numbers[version_id], count) for version_id, _, count in views(db_engine)] == [
        (1, 1), (2, 1)]


def test_the_editors_preview_counts_no_view(demo, db_engine):
    add_user(demo, "mo@demo.example", workspace="demo", role="marketer")
    editor = demo.test_client()
    log_in(editor, "mo@demo.example")

    assert editor.get("/app/demo/forms/talk-to-sales/preview").status_code == 200
    assert views(db_engine) == []


def test_every_step_got_past_is_recorded_once_in_order(demo, client, db_engine):
    fill_demo(client, "you", "company", "needs", "details")

    with Session(db_engine) as session:
        response = session.scalars(select(Response)).one()
        rows = session.scalars(select(ResponseStep)).all()
    assert response.state == "completed"
    # `starter` is only for small companies: this one never saw it
    assert [row.step_id for row in sorted(rows, key=lambda row: row.id)] == [
        "you", "company", "needs", "details"]
    assert {(row.response_id, row.form_id, row.version_id, row.workspace_id) for row in rows} == {
        (response.id, response.form_id, response.version_id, response.workspace_id)}
    assert all(row.at >= response.started_at for row in rows)


def test_going_back_and_on_again_records_a_step_once(demo, client, db_engine):
    fill_demo(client, "you", "company")
    back = post_screen(client, DEMO_URL, {}, _lf_action="back")
    assert back.status_code == 303
    fill_demo(client, "company")

    assert [step for _, step in steps(db_engine)] == ["you", "company"]


def test_a_screen_with_errors_records_no_step(demo, client, db_engine):
    reply = post_screen(client, DEMO_URL, {**STEP_ANSWERS["you"], "email": "not an email"})

    assert reply.status_code == 422
    assert steps(db_engine) == []


def test_a_conversational_step_is_got_past_after_its_last_question(app, client, publish_form,
                                                                   db_engine):
    url = publish_form({
        "schema": 1, "title": "Chat", "display": "conversational",
        "steps": [
            {"id": "one", "fields": [
                {"id": "name", "type": "short_text", "label": "Your name?", "required": True},
                {"id": "role", "type": "short_text", "label": "Your role?"}]},
            {"id": "two", "fields": [{"id": "team", "type": "short_text", "label": "Team?"}]},
        ],
        "endings": [{"id": "done", "type": "message", "title": "Done"}],
    })

    post_screen(client, url, {"name": "Ada"})
    after_first_question = steps(db_engine)
    post_screen(client, url, {"role": "CTO"})
    after_the_step = steps(db_engine)
    post_screen(client, url, {"team": "Growth"})

    assert after_first_question == []
    assert [step for _, step in after_the_step] == ["one"]
    assert [step for _, step in steps(db_engine)] == ["one", "two"]
