"""The Experiments tab: starting a test (every refusal inline, nothing saved), stopping it,
the results page, the Publish tab's notice, roles and other workspaces' ids."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Experiment
from tests.web.backoffice import add_user, csrf_of, log_in
from tests.web.experiments import (
    TwoVersions,
    as_visitor,
    publish_versions,
    start_test,
    variant_b_of,
    visitor_of,
)
from tests.web.hosted import STEP_ANSWERS, post_screen

TAB = "/app/acme/forms/talk/experiments"


@pytest.fixture
def forms(app: Flask, portable_definition: dict[str, Any]) -> TwoVersions:
    """acme/talk with v1 and v2, and a second form acme/other with one version."""
    made = publish_versions(app, "acme", "talk", portable_definition,
                            variant_b_of(portable_definition))
    publish_versions(app, "acme", "other", portable_definition)
    return made


@pytest.fixture
def marketer(app: Flask, client: FlaskClient, forms: TwoVersions) -> FlaskClient:
    add_user(app, "mia@acme.example", role="marketer")
    log_in(client, "mia@acme.example")
    return client


def post(client: FlaskClient, url: str, **data: Any):
    token = csrf_of(client.get(TAB).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def start_form(forms: TwoVersions, **changes: Any) -> dict[str, Any]:
    return {"name": "Shorter label", "version_a": forms.version_ids[2],
            "version_b": forms.version_ids[1], "split_b": "30", **changes}


def experiments(session: Session) -> list[Experiment]:
    session.commit()
    return list(session.scalars(select(Experiment).order_by(Experiment.id)))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- the start form -------------------------------------------------------------------------

def test_the_tab_offers_the_live_version_as_a_and_the_one_before_as_b(marketer, forms):
    page = text_of(marketer.get(TAB))

    assert re.search(rf'<option value="{forms.version_ids[2]}" selected>v2 \(live\)', page)
    select_b = page[page.index('name="version_b"'):]
    assert re.search(rf'<option value="{forms.version_ids[1]}" selected>v1', select_b)
    assert 'value="50"' in page and "Start the test" in page
    assert '<a href="/app/acme/forms/talk/experiments" aria-current="page">Experiments</a>' in page


def test_starting_a_test_saves_it_and_opens_its_results(marketer, forms, session):
    response = post(marketer, TAB, **start_form(forms))

    (saved,) = experiments(session)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{TAB}/{saved.id}")
    assert (saved.name, saved.version_a_id, saved.version_b_id, saved.split_b, saved.status) == (
        "Shorter label", forms.version_ids[2], forms.version_ids[1], 30, "running")
    assert saved.created_by_id is not None and saved.stopped_at is None
    page = text_of(marketer.get(response.headers["Location"]))
    assert "“Shorter label” is running: 70 % of new visitors get A, 30 % get B." in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": "  "}, "name", "Give the test a name"),
    ({"name": "x" * 201}, "name", "Keep the name under 201 characters."),
    ({"version_b": "same"}, "version_b", "Choose a different version from A"),
    ({"version_a": ""}, "version_a", "Choose a published version."),
    ({"version_a": "999999"}, "version_a", "Choose one of this form's published versions."),
    ({"split_b": "0"}, "split_b", "between 1 % and 99 %"),
    ({"split_b": "100"}, "split_b", "between 1 % and 99 %"),
    ({"split_b": "-5"}, "split_b", "Enter the percentage of visitors who get B"),
    ({"split_b": "half"}, "split_b", "Enter the percentage of visitors who get B"),
])
def test_a_start_that_cannot_be_done_is_refused_inline_and_saves_nothing(
        marketer, forms, session, changes, field, message):
    if changes.get("version_b") == "same":
        changes = {"version_b": forms.version_ids[2]}

    response = post(marketer, TAB, **start_form(forms, **changes))

    page = text_of(response)
    assert response.status_code == 422
    assert "Not started: 1 answer needs a change. Nothing was saved." in page
    input_id = {"split_b": "xp-split"}.get(field, f"xp-{field}")
    error = re.search(rf'<p class="bo-error" id="{input_id}-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert 'aria-invalid="true"' in page
    assert experiments(session) == []


def test_what_was_typed_is_kept_when_refused(marketer, forms):
    page = text_of(post(marketer, TAB, **start_form(forms, name="Keep me", split_b="0")))

    assert 'value="Keep me"' in page and 'value="0"' in page


@pytest.mark.parametrize("owner", ["another form", "another workspace"])
def test_versions_of_another_form_are_refused(app, marketer, forms, session, owner,
                                              portable_definition):
    if owner == "another form":
        foreign = publish_versions(app, "acme", "other").version_ids[1]
    else:
        foreign = publish_versions(app, "beta", "talk", portable_definition).version_ids[1]

    page = text_of(post(marketer, TAB, **start_form(forms, version_b=foreign)))

    assert "Choose one of this form's published versions." in page
    assert experiments(session) == []


def test_a_second_running_test_is_refused(app, marketer, forms, session):
    start_test(app, forms)

    response = post(marketer, TAB, **start_form(forms, name="Another"))

    assert response.status_code == 422
    assert "Another A/B test is running on this form: stop it before starting one." in text_of(
        response)
    assert [item.name for item in experiments(session)] == ["Shorter label"]


def test_the_database_refuses_a_second_running_test_that_slipped_past_the_check(
        app, forms, monkeypatch):
    from app.db import write_session
    from app.experiments import service
    from app.models import Form, utcnow

    start_test(app, forms)
    monkeypatch.setattr(service, "running_experiment", lambda session, form: None)

    with app.app_context(), write_session() as session:
        form = session.get(Form, forms.form_id)
        with pytest.raises(service.ExperimentRefused, match="Another A/B test is running"):
            service.start_experiment(session, form, name="Race", version_a_id=forms.version_ids[1],
                                     version_b_id=forms.version_ids[2], split_b=50, user_id=None,
                                     now=utcnow())
        # The transaction is still usable: the savepoint took the failed insert back alone.
        assert session.scalar(select(func.count()).select_from(Experiment)) == 1


def test_a_form_with_one_version_explains_what_a_test_needs(app, marketer):
    page = text_of(marketer.get("/app/acme/forms/other/experiments"))

    assert "this form has only v1 yet" in page and "Start the test" not in page


def test_an_archived_form_cannot_start_a_test(app, marketer, forms, session):
    from app.db import write_session
    from app.models import Form

    with app.app_context(), write_session() as db_session:
        db_session.get(Form, forms.form_id).status = "archived"

    page = text_of(post(marketer, TAB, **start_form(forms)))

    assert "This form is archived: restore it before testing it." in page
    assert experiments(session) == []


# --- running, stopping, results -------------------------------------------------------------

def test_the_running_test_shows_on_the_tab_with_its_numbers(app, marketer, forms):
    experiment = start_test(app, forms, a=1, b=2, split_b=50)
    post_screen(as_visitor(app.test_client(), visitor_of(experiment, "b")),
                "/f/acme/talk", STEP_ANSWERS["you"])

    page = text_of(marketer.get(TAB))

    assert "Running" in page and "Shorter label" in page
    assert "A is v1 for 50 % of new visitors, B is\n    v2 for 50 %" in page
    assert "One test at a time per form" in page
    assert "Not significant yet: no starts of A yet." in page
    assert "visitors keep getting\n    v1 or v2 until you stop it" in page


def test_stopping_ends_the_test_and_keeps_its_results(app, marketer, forms, session):
    experiment = start_test(app, forms)
    url = f"{TAB}/{experiment}/stop"

    response = post(marketer, url)
    again = post(marketer, url)

    (stopped,) = experiments(session)
    assert response.status_code == 303 and stopped.status == "stopped" and stopped.stopped_at
    page = text_of(marketer.get(again.headers["Location"]))
    assert "had already stopped" in page
    first = text_of(marketer.get(TAB))
    assert "Start the test" in first  # a new test can start


def test_the_results_page_shows_each_variant_and_both_tests(app, marketer, forms):
    experiment = start_test(app, forms, a=1, b=2, split_b=50)
    for variant in ("a", "b"):
        visitor = as_visitor(app.test_client(), visitor_of(experiment, variant))
        post_screen(visitor, "/f/acme/talk", STEP_ANSWERS["you"])

    page = text_of(marketer.get(f"{TAB}/{experiment}"))

    assert "<th scope=\"row\">A · v1</th>" in page and "<th scope=\"row\">B · v2</th>" in page
    assert "Completion rate:" in page and "SQL rate:" in page
    assert "both variants are at 0 % completion so far" in page
    assert "Based on 1 starts of A and 1 of B" in page
    assert "Stop the test" in page


def test_the_publish_tab_says_a_test_is_serving(app, marketer, forms):
    start_test(app, forms, a=1, b=2)

    page = text_of(marketer.get("/app/acme/forms/talk/publish"))

    assert "An A/B test is running:" in page
    assert "visitors keep getting\n    v1 or v2 until you stop the test" in page
    assert page.count("In A/B test</span>") == 2 and ">Live</span>" not in page


def test_publishing_during_a_test_says_the_test_keeps_serving(app, marketer, forms,
                                                              portable_definition):
    from app.db import write_session
    from app.forms.versions import get_form, get_workspace, save_draft

    start_test(app, forms, a=1, b=2)
    with app.app_context(), write_session() as session:
        changed = {**portable_definition, "title": "Talk to us"}
        save_draft(session, get_workspace(session, "acme"), "talk", changed)
        assert get_form(session, get_workspace(session, "acme"), "talk").draft == changed

    response = post(marketer, "/app/acme/forms/talk/publish", note="New title")

    page = text_of(marketer.get(response.headers["Location"]))
    assert ("Published v3: the A/B test keeps serving its two versions until you stop it, "
            "then the form's address serves this one.") in page


# --- who may, and whose ids -----------------------------------------------------------------

def routes(experiment: int) -> list[tuple[str, str]]:
    return [("GET", TAB), ("POST", TAB), ("GET", f"{TAB}/{experiment}"),
            ("POST", f"{TAB}/{experiment}/stop")]


def test_sales_may_not_open_or_change_experiments(app, client, forms, session):
    experiment = start_test(app, forms)
    add_user(app, "sam@acme.example", role="sales")
    log_in(client, "sam@acme.example")
    token = csrf_of(client.get("/app/acme/").get_data(as_text=True))

    statuses = [client.open(url, method=method, data={"csrf_token": token}).status_code
                for method, url in routes(experiment)]

    assert statuses == [403] * 4
    assert experiments(session)[0].status == "running"


def test_an_admin_may(app, client, forms):
    add_user(app, "ada@acme.example", role="admin")
    log_in(client, "ada@acme.example")

    assert client.get(TAB).status_code == 200


def test_another_workspaces_experiment_is_a_404(app, marketer, forms, portable_definition,
                                                session):
    beta = publish_versions(app, "beta", "talk", portable_definition,
                            variant_b_of(portable_definition))
    foreign = start_test(app, beta)

    statuses = [post(marketer, url).status_code if method == "POST"
                else marketer.get(url).status_code
                for method, url in routes(foreign)[2:]]

    assert statuses == [404, 404]
    assert experiments(session)[0].status == "running"


def test_another_forms_experiment_is_a_404_under_this_form(app, marketer, forms,
                                                           portable_definition):
    other = publish_versions(app, "acme", "other", variant_b_of(portable_definition))
    theirs = start_test(app, other)

    assert marketer.get(f"{TAB}/{theirs}").status_code == 404
    assert post(marketer, f"{TAB}/{theirs}/stop").status_code == 404
    assert marketer.get(f"/app/acme/forms/other/experiments/{theirs}").status_code == 200


def test_an_unknown_experiment_or_form_is_a_404(marketer, forms):
    assert marketer.get(f"{TAB}/999999").status_code == 404
    assert marketer.get("/app/acme/forms/ghost/experiments").status_code == 404
    assert marketer.get("/app/beta/forms/talk/experiments").status_code == 404
