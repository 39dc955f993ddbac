"""Abuse and bad luck: replays, double clicks, bots, floods, oversized bodies, concurrency."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.models import Response
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, post_screen, token_of


def all_responses(db_engine) -> list[Response]:
    with Session(db_engine) as session:
        return list(session.scalars(select(Response).order_by(Response.id)))


def test_replaying_the_final_submit_completes_one_response(demo, client, db_engine):
    fill_demo(client, "you", "company", "needs")
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    first = post_screen(client, DEMO_URL, STEP_ANSWERS["details"], token=token)
    second = post_screen(client, DEMO_URL, STEP_ANSWERS["details"], token=token)

    assert first.status_code == second.status_code == 303
    assert "/done/" in second.headers["Location"]
    [response] = all_responses(db_engine)
    assert response.state == "completed"


def test_double_clicking_the_first_step_starts_one_response(demo, client, db_engine):
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    post_screen(client, DEMO_URL, STEP_ANSWERS["you"], token=token)
    post_screen(client, DEMO_URL, STEP_ANSWERS["you"], token=token)

    assert len(all_responses(db_engine)) == 1
    assert all_responses(db_engine)[0].current_step == "company"


def test_a_replayed_middle_step_does_not_move_the_response(demo, client, db_engine):
    fill_demo(client, "you")
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    post_screen(client, DEMO_URL, STEP_ANSWERS["company"], token=token)
    post_screen(client, DEMO_URL, STEP_ANSWERS["company"], token=token)

    assert all_responses(db_engine)[0].current_step == "needs"
    assert all_responses(db_engine)[0].meta["path"] == ["you", "company"]


def test_a_filled_honeypot_gets_a_normal_ending_and_is_flagged(demo, client, db_engine):
    fill_demo(client, "you", changes={"you": {"lf_website": "http://spam.example"}})
    reply = fill_demo(client, "company", "needs", "details")

    assert "Thanks, Ada!" in client.get(reply.headers["Location"]).get_data(as_text=True)
    assert all_responses(db_engine)[0].meta["bot"] == "honeypot"


@pytest.fixture
def strict_app(database_url, db_engine):
    """Apps with stricter settings; their engines are closed after the test."""
    made: list[Flask] = []

    def make(**config) -> Flask:
        made.append(
            create_app(
                {
                    "TESTING": True,
                    "DATABASE_URL": database_url,
                    "SECRET_KEY": "test-secret",
                    **config,
                }
            )
        )
        return made[-1]

    yield make
    for flask_app in made:
        flask_app.extensions["leadform.engine"].dispose()


def test_a_form_completed_faster_than_a_human_can_is_flagged(strict_app, db_engine):
    app = strict_app(MIN_FILL_SECONDS=3600)
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = app.test_client()

    reply = fill_demo(client, "you", "company", "needs", "details")

    assert "/done/" in reply.headers["Location"]
    assert all_responses(db_engine)[0].meta["bot"] == "too_fast"


def test_submits_beyond_the_rate_limit_get_a_friendly_429(strict_app):
    app = strict_app(SUBMIT_RATE_LIMIT="2 per minute")
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = app.test_client()

    replies = [post_screen(client, DEMO_URL, {"first_name": ""}) for _ in range(3)]

    assert [reply.status_code for reply in replies] == [422, 422, 429]
    assert "nothing you entered is lost" in replies[2].get_data(as_text=True)


def test_the_rate_limit_still_holds_when_its_storage_is_down(strict_app):
    app = strict_app(SUBMIT_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")
    app.test_cli_runner().invoke(args=["demo", "load"])
    client = app.test_client()

    replies = [post_screen(client, DEMO_URL, {"first_name": ""}) for _ in range(3)]

    assert [reply.status_code for reply in replies] == [422, 422, 429]


def test_an_oversized_body_is_a_413(demo, client):
    reply = client.post(DEMO_URL, data={"notes": "x" * (2 * 1024 * 1024)})

    assert reply.status_code == 413
    assert "too much to send" in reply.get_data(as_text=True)


def test_too_many_form_parts_is_a_413(demo, client):
    reply = client.post(
        DEMO_URL, data={f"f{i}": "x" for i in range(500)}, content_type="multipart/form-data"
    )

    assert reply.status_code == 413


def test_concurrent_first_submits_never_fail(demo, app, db_engine):
    token_pages = [app.test_client() for _ in range(12)]
    tokens = [token_of(c.get(DEMO_URL).get_data(as_text=True)) for c in token_pages]
    statuses: list[int] = []

    def submit(client, token):
        reply = client.post(DEMO_URL, data={"_lf_token": token, **STEP_ANSWERS["you"]})
        statuses.append(reply.status_code)

    threads = [
        threading.Thread(target=submit, args=pair) for pair in zip(token_pages, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [303] * 12
    assert len(all_responses(db_engine)) == 12


def test_idle_responses_are_marked_abandoned_and_still_resume(demo, client, cli, db_engine):
    from datetime import timedelta

    fill_demo(client, "you")
    with Session(db_engine) as session:
        response = session.scalars(select(Response)).one()
        response.updated_at = response.updated_at - timedelta(days=3)
        session.commit()

    result = cli.invoke(args=["responses", "mark-abandoned", "--idle-minutes", "60"])

    assert "1 response(s) marked abandoned" in result.output
    assert all_responses(db_engine)[0].state == "abandoned"
    assert "Where do you work, Ada?" in client.get(DEMO_URL).get_data(as_text=True)
    fill_demo(client, "company")
    assert all_responses(db_engine)[0].state == "in_progress"


def test_simultaneous_posts_of_one_first_step_start_one_response(demo, app, db_engine):
    client = app.test_client()
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))
    cookie = client.get_cookie("lf_v")
    statuses: list[int] = []

    def submit() -> None:
        twin = app.test_client()
        twin.set_cookie("lf_v", cookie.value)
        reply = twin.post(DEMO_URL, data={"_lf_token": token, **STEP_ANSWERS["you"]})
        statuses.append(reply.status_code)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [303] * 6
    assert len(all_responses(db_engine)) == 1


def test_a_token_for_another_form_is_refused(demo, app, client, publish_form, db_engine):
    other_url = publish_form({
        "schema": 1, "title": "Other",
        "steps": [{"id": "you", "fields": [{"id": "first_name", "type": "short_text",
                                            "label": "Name"}]}],
        "endings": [{"id": "done", "type": "message"}],
    })
    fill_demo(client, "you")
    demo_token = token_of(client.get(DEMO_URL).get_data(as_text=True))

    reply = client.post(other_url, data={"_lf_token": demo_token, "first_name": "x"})

    assert reply.status_code == 400
    assert len(all_responses(db_engine)) == 1
