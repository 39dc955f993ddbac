"""The hosted form over HTTP: steps, branches, Back, resume, validation, endings."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Response
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, post_screen, token_of


def responses(db_engine) -> list[Response]:
    with Session(db_engine) as session:
        return list(session.scalars(select(Response).order_by(Response.id)))


def test_the_first_step_shows_its_questions_and_a_progress_bar(demo, client):
    page = client.get(DEMO_URL)
    text = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "What&#39;s your first name?" in text
    assert 'for="email-input"' in text and 'id="email-input"' in text
    assert '<progress class="lf-progress"' in text
    assert "lf_v=" in page.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("url", ["/f/ghost/talk-to-sales", "/f/demo/ghost"])
def test_unknown_workspace_or_form_is_a_friendly_404(demo, client, url):
    page = client.get(url)

    assert page.status_code == 404
    assert "couldn&#39;t find that page" in page.get_data(as_text=True)


def test_a_form_with_only_a_draft_is_not_served(app, client, demo_definition):
    from app.db import write_session
    from app.forms.versions import ensure_workspace, save_draft

    with app.app_context(), write_session() as session:
        save_draft(session, ensure_workspace(session, "acme"), "draft-only", demo_definition)

    assert client.get("/f/acme/draft-only").status_code == 404


def test_answering_a_step_redirects_and_shows_the_next_with_piped_answers(demo, client):
    reply = post_screen(client, DEMO_URL, STEP_ANSWERS["you"])

    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(DEMO_URL)
    assert "Where do you work, Ada?" in client.get(DEMO_URL).get_data(as_text=True)


def test_piped_answers_are_escaped(demo, client):
    post_screen(client, DEMO_URL, {**STEP_ANSWERS["you"], "first_name": "<b>Eve</b>"})
    text = client.get(DEMO_URL).get_data(as_text=True)

    assert "<b>Eve</b>" not in text
    assert "&lt;b&gt;Eve&lt;/b&gt;" in text


def test_invalid_answers_get_inline_errors_and_keep_what_was_typed(demo, client, db_engine):
    reply = post_screen(client, DEMO_URL, {"first_name": "Ada", "email": "not-an-email"})
    text = reply.get_data(as_text=True)

    assert reply.status_code == 422
    assert 'role="alert"' in text
    assert 'id="email-error"' in text and "valid email" in text
    assert 'value="not-an-email"' in text
    assert 'aria-invalid="true"' in text
    assert responses(db_engine)[0].current_step == "you"


def test_htmx_requests_get_the_next_screen_as_a_fragment(demo, client):
    reply = post_screen(client, DEMO_URL, STEP_ANSWERS["you"], htmx=True)
    text = reply.get_data(as_text=True)

    assert reply.status_code == 200
    assert "<html" not in text
    assert 'id="lf-screen"' in text and "Where do you work, Ada?" in text


def test_back_returns_to_the_previous_step_with_its_answers(demo, client):
    fill_demo(client, "you")
    reply = post_screen(client, DEMO_URL, {"company": "Typed but not sent"}, _lf_action="back")
    assert reply.status_code == 303
    text = client.get(DEMO_URL).get_data(as_text=True)

    assert 'value="Ada"' in text and 'value="ada@example.com"' in text
    fill_demo(client, "you")
    assert 'value="Typed but not sent"' in client.get(DEMO_URL).get_data(as_text=True)


def test_reloading_resumes_where_the_visitor_was(demo, client):
    fill_demo(client, "you", "company")
    text = client.get(DEMO_URL).get_data(as_text=True)

    assert "Your project" in text
    assert "Welcome back" in text


def test_a_different_visitor_starts_fresh(demo, client, app):
    fill_demo(client, "you")
    other = app.test_client()

    assert "What&#39;s your first name?" in other.get(DEMO_URL).get_data(as_text=True)


def test_the_sales_path_completes_and_shows_the_ending(demo, client, db_engine):
    reply = fill_demo(client, "you", "company", "needs", "details")
    ending = client.get(reply.headers["Location"])

    assert "/done/" in reply.headers["Location"]
    assert "Thanks, Ada!" in ending.get_data(as_text=True)
    [response] = responses(db_engine)
    assert response.state == "completed"
    assert response.ending == "sales"
    assert response.completed_at is not None
    assert response.answers["use_case"] == ["lead_quality", "meetings"]
    assert response.answers["consent"] is True


def test_students_branch_to_their_own_ending(demo, client, db_engine):
    reply = fill_demo(client, "you", "company", changes={"you": {"job_level": "student"}})

    assert "student program" in client.get(reply.headers["Location"]).get_data(as_text=True)
    assert responses(db_engine)[0].ending == "student"


def test_small_companies_see_the_starter_step(demo, client, db_engine):
    fill_demo(client, "you", "company", changes={"company": {"company_size": "1-10"}})
    assert "What would you like to do first?" in client.get(DEMO_URL).get_data(as_text=True)

    reply = post_screen(client, DEMO_URL, {"starter_goal": "trial"})

    assert "/done/" in reply.headers["Location"]
    assert responses(db_engine)[0].ending == "self-serve"


def test_answers_to_fields_that_became_hidden_are_dropped(app, client, publish_form, db_engine):
    url = publish_form({
        "schema": 1, "title": "Team",
        "steps": [{"id": "one", "fields": [
            {"id": "has_team", "type": "yes_no", "label": "Do you have a team?", "required": True},
            {"id": "team_size", "type": "number", "label": "How many?", "required": True,
             "visible_if": {"==": [{"var": "answers.has_team"}, True]}},
        ]}],
        "endings": [{"id": "done", "type": "message", "title": "Done"}],
    })

    reply = post_screen(client, url, {"has_team": "no", "team_size": "12"})

    assert reply.status_code == 303
    [response] = responses(db_engine)
    assert response.answers == {"has_team": False}


def test_a_visible_required_field_is_enforced(app, client, publish_form):
    url = publish_form({
        "schema": 1, "title": "Team",
        "steps": [{"id": "one", "fields": [
            {"id": "has_team", "type": "yes_no", "label": "Do you have a team?", "required": True},
            {"id": "team_size", "type": "number", "label": "How many?", "required": True,
             "visible_if": {"==": [{"var": "answers.has_team"}, True]}},
        ]}],
        "endings": [{"id": "done", "type": "message", "title": "Done"}],
    })

    reply = post_screen(client, url, {"has_team": "yes"})

    assert reply.status_code == 422
    assert 'id="team_size-error"' in reply.get_data(as_text=True)


def test_a_response_stays_on_the_version_it_started_on(demo, app, client, demo_definition,
                                                       publish_form):
    fill_demo(client, "you")
    changed = copy.deepcopy(demo_definition)
    changed["steps"][1]["fields"][0]["label"] = "Company name, please"
    from app.db import write_session
    from app.forms.versions import get_form, get_workspace, publish, save_draft

    with app.app_context(), write_session() as session:
        workspace = get_workspace(session, "demo")
        save_draft(session, workspace, "talk-to-sales", changed)
        publish(session, get_form(session, workspace, "talk-to-sales"))

    assert "Where do you work, Ada?" in client.get(DEMO_URL).get_data(as_text=True)
    newcomer = app.test_client()
    fill_demo(newcomer, "you")
    assert "Company name, please" in newcomer.get(DEMO_URL).get_data(as_text=True)


def test_redirect_endings_send_the_browser_on(app, client, publish_form):
    url = publish_form({
        "schema": 1, "title": "Go",
        "steps": [{"id": "one", "fields": [{"id": "name", "type": "short_text", "label": "Name"}]}],
        "endings": [{"id": "away", "type": "redirect", "url": "https://example.com/thanks"}],
    })

    assert post_screen(client, url, {"name": "x"}).headers["Location"] == "https://example.com/thanks"
    other = app.test_client()
    reply = post_screen(other, url, {"name": "y"}, htmx=True)
    assert reply.headers["HX-Redirect"] == "https://example.com/thanks"


def test_conversational_display_asks_one_question_at_a_time(app, client, publish_form, db_engine):
    url = publish_form({
        "schema": 1, "title": "Chat", "display": "conversational",
        "steps": [{"id": "one", "fields": [
            {"id": "name", "type": "short_text", "label": "Your name?", "required": True},
            {"id": "role", "type": "short_text", "label": "Your role, {{answers.name}}?"},
        ]}],
        "endings": [{"id": "done", "type": "message", "title": "Done"}],
    })
    first = client.get(url).get_data(as_text=True)
    assert "Your name?" in first and "Your role" not in first

    post_screen(client, url, {"name": "Ada"})
    assert "Your role, Ada?" in client.get(url).get_data(as_text=True)
    reply = post_screen(client, url, {"role": "CTO"})

    assert "/done/" in reply.headers["Location"]
    assert responses(db_engine)[0].answers == {"name": "Ada", "role": "CTO"}


def test_the_field_check_returns_only_that_fields_error(demo, client):
    bad = client.post(f"{DEMO_URL}/check/email", data={"email": "nope"})
    good = client.post(f"{DEMO_URL}/check/email", data={"email": "ada@example.com"})

    assert 'id="email-error"' in bad.get_data(as_text=True)
    assert "valid email" in bad.get_data(as_text=True)
    assert "valid email" not in good.get_data(as_text=True)
    assert client.post(f"{DEMO_URL}/check/ghost", data={}).status_code == 404


def test_only_fields_the_server_can_say_more_about_are_checked_live(demo, client):
    page = client.get(DEMO_URL).get_data(as_text=True)

    assert f'hx-post="{DEMO_URL}/check/email"' in page
    for plain in ("first_name", "job_level"):  # a text box, a dropdown: the browser checks
        assert f'id="{plain}-input"' in page
        assert f"/check/{plain}" not in page
    # ... because the page mirrors the server's limits, the default one included.
    first_name = page[page.index('id="first_name-input"'):]
    assert 'maxlength="80"' in first_name[:first_name.index(">")]
    from app.web.form_page import _input_attributes

    assert _input_attributes("short_text", {})["maxlength"] == 500
    assert _input_attributes("long_text", {})["maxlength"] == 5000


def test_a_tampered_token_is_a_400_with_a_message(demo, client, db_engine):
    token = token_of(client.get(DEMO_URL).get_data(as_text=True))

    reply = post_screen(client, DEMO_URL, STEP_ANSWERS["you"], token=token[:-3] + "abc")

    assert reply.status_code == 400
    assert "Reload the form" in reply.get_data(as_text=True)
    assert responses(db_engine) == []


def test_a_missing_token_is_a_400(demo, client):
    assert client.post(DEMO_URL, data={"first_name": "x"}).status_code == 400


def test_an_embedded_form_stays_embedded_without_javascript(demo, client):
    page = client.get(DEMO_URL + "?embed=1").get_data(as_text=True)

    reply = client.post(DEMO_URL, data={"_lf_token": token_of(page), "_lf_embed": "1",
                                        **STEP_ANSWERS["you"]})

    assert reply.status_code == 303
    assert reply.headers["Location"].endswith(DEMO_URL + "?embed=1")
    assert "lf-embedded" in client.get(reply.headers["Location"]).get_data(as_text=True)


def test_a_step_undone_by_a_database_deadlock_is_run_again(demo, client, db_engine,
                                                           monkeypatch):
    """PostgreSQL breaks a deadlock by rolling one transaction back: the visitor's step is
    run again and saved, not answered with a server error."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    import app.web.public as public

    real, calls = public.submit, []

    def deadlocked_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT INTO analytics_step_day ...", {},
                                   psycopg.errors.DeadlockDetected("deadlock detected"))
        return real(*args, **kwargs)

    monkeypatch.setattr(public, "submit", deadlocked_once)
    reply = post_screen(client, DEMO_URL, STEP_ANSWERS["you"])

    assert reply.status_code == 303 and len(calls) == 2
    [response] = responses(db_engine)
    assert response.answers["email"] == STEP_ANSWERS["you"]["email"]


def test_other_database_errors_are_not_retried(demo, client, monkeypatch):
    import psycopg
    from sqlalchemy.exc import OperationalError

    import app.web.public as public

    calls = []

    def broken(*_args, **_kwargs):
        calls.append(1)
        raise OperationalError("SELECT 1", {}, psycopg.errors.DiskFull("no space left"))

    monkeypatch.setattr(public, "submit", broken)
    with pytest.raises(OperationalError, match="no space left"):  # the test app re-raises
        post_screen(client, DEMO_URL, STEP_ANSWERS["you"])

    assert len(calls) == 1
