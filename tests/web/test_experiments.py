"""A/B tests on the hosted form: sticky variants, responses that record them, views, results."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.experiments.assignment import assign_variant
from app.models import Contact, Experiment, FormView, Lead, Response
from app.responses.tokens import read_visitor
from tests.web.experiments import (
    LABEL_A,
    LABEL_B,
    as_visitor,
    publish_versions,
    start_test,
    variant_b_of,
    visitor_of,
)
from tests.web.hosted import STEP_ANSWERS, post_screen


@pytest.fixture
def forms(demo, demo_definition):
    """talk-to-sales: v1 (the demo, control) and v2 (another first label, the challenger)."""
    return publish_versions(demo, "demo", "talk-to-sales", variant_b_of(demo_definition))


@pytest.fixture
def running(demo, forms):
    return start_test(demo, forms, a=1, b=2, split_b=50)


def responses(db_engine) -> list[Response]:
    with Session(db_engine) as session:
        return list(session.scalars(select(Response).order_by(Response.id)))


def label_seen(client, url: str, **query) -> str:
    page = client.get(url, query_string=query).get_data(as_text=True)
    shown = {LABEL_A, LABEL_B} & {label for label in (LABEL_A, LABEL_B) if label in page}
    assert len(shown) == 1, page[:1500]
    return "a" if LABEL_A in shown else "b"


def test_visitors_of_different_variants_get_different_versions(demo, forms, running):
    first, second = demo.test_client(), demo.test_client()
    as_visitor(first, visitor_of(running, "a"))
    as_visitor(second, visitor_of(running, "b"))

    assert (label_seen(first, forms.url), label_seen(second, forms.url)) == ("a", "b")


def test_the_same_visitor_gets_the_same_version_on_reload_and_on_another_page_load(
        demo, forms, running):
    visitor = visitor_of(running, "b")
    browser = as_visitor(demo.test_client(), visitor)

    seen = [label_seen(browser, forms.url) for _ in range(3)]
    # Another tab or device request with the same cookie: a fresh client, nothing shared.
    seen.append(label_seen(as_visitor(demo.test_client(), visitor), forms.url))
    seen.append(label_seen(browser, forms.url, embed="1"))

    assert seen == ["b"] * 5


def test_a_new_visitor_gets_a_cookie_and_the_variant_that_cookie_is_assigned(
        demo, forms, running, client):
    page = client.get(forms.url)
    cookie = client.get_cookie("lf_v")

    assert page.status_code == 200 and cookie is not None
    visitor = read_visitor("test-secret", cookie.value)
    expected = assign_variant(running, visitor, 50)
    assert [label_seen(client, forms.url) for _ in range(3)] == [expected] * 3
    assert (LABEL_A if expected == "a" else LABEL_B) in page.get_data(as_text=True)


def test_the_response_records_the_experiment_and_variant_and_its_version(
        demo, forms, running, db_engine):
    for variant in ("a", "b"):
        browser = as_visitor(demo.test_client(), visitor_of(running, variant))
        assert post_screen(browser, forms.url, STEP_ANSWERS["you"]).status_code == 303

    made = responses(db_engine)
    assert [(item.experiment_id, item.variant, item.version_id) for item in made] == [
        (running, "a", forms.version_ids[1]), (running, "b", forms.version_ids[2])]


def test_the_htmx_flow_records_the_variant_too(demo, forms, running, db_engine):
    browser = as_visitor(demo.test_client(), visitor_of(running, "b"))

    reply = post_screen(browser, forms.url, STEP_ANSWERS["you"], htmx=True)

    assert reply.status_code == 200
    assert [(item.variant, item.version_id) for item in responses(db_engine)] == [
        ("b", forms.version_ids[2])]


def test_a_form_without_a_test_records_no_variant(demo, forms, client, db_engine):
    assert label_seen(client, forms.url) == "b"  # the newest version, for everyone
    post_screen(client, forms.url, STEP_ANSWERS["you"])

    assert [(item.experiment_id, item.variant) for item in responses(db_engine)] == [
        (None, None)]


def test_checking_a_field_on_blur_uses_the_visitors_version(demo, demo_definition):
    challenger = variant_b_of(demo_definition)
    challenger["steps"][0]["fields"].append(
        {"id": "nickname", "type": "short_text", "label": "Nickname",
         "validation": {"max_length": 3}})
    forms = publish_versions(demo, "demo", "talk-to-sales", challenger)
    experiment = start_test(demo, forms)
    b_visitor = as_visitor(demo.test_client(), visitor_of(experiment, "b"))
    a_visitor = as_visitor(demo.test_client(), visitor_of(experiment, "a"))
    url = f"{forms.url}/check/nickname"

    checked = b_visitor.post(url, data={"nickname": "Too long"})

    assert checked.status_code == 200
    assert "Please enter no more than 3 characters." in checked.get_data(as_text=True)
    assert a_visitor.post(url, data={"nickname": "Too long"}).status_code == 404


def stop(app, experiment_id: int) -> None:
    from app.db import write_session
    from app.experiments.service import stop_experiment
    from app.models import utcnow

    with app.app_context(), write_session() as session:
        experiment = session.get(Experiment, experiment_id)
        assert stop_experiment(session, experiment, utcnow())


def test_stopping_serves_the_newest_version_and_begun_responses_keep_theirs(
        demo, forms, running, db_engine):
    begun = as_visitor(demo.test_client(), visitor_of(running, "a"))
    post_screen(begun, forms.url, STEP_ANSWERS["you"])
    newcomer = as_visitor(demo.test_client(), visitor_of(running, "a", skip=1))
    assert label_seen(newcomer, forms.url) == "a"

    stop(demo, running)

    assert label_seen(newcomer, forms.url) == "b"  # v2, the newest
    assert "Where do you work, Ada?" in begun.get(forms.url).get_data(as_text=True)
    post_screen(begun, forms.url, STEP_ANSWERS["company"])
    (response,) = [item for item in responses(db_engine) if item.visitor_id]
    assert response.version_id == forms.version_ids[1] and response.current_step != "you"


def test_publishing_during_a_test_keeps_serving_its_two_versions(
        demo, forms, running, demo_definition):
    third = copy.deepcopy(demo_definition)
    third["steps"][0]["fields"][0]["label"] = "Third label"
    publish_versions(demo, "demo", "talk-to-sales", third)
    a_visitor = as_visitor(demo.test_client(), visitor_of(running, "a"))
    b_visitor = as_visitor(demo.test_client(), visitor_of(running, "b"))

    assert (label_seen(a_visitor, forms.url), label_seen(b_visitor, forms.url)) == ("a", "b")
    stop(demo, running)
    assert "Third label" in a_visitor.get(forms.url).get_data(as_text=True)


def test_views_are_counted_for_the_version_each_visitor_was_served(
        demo, forms, running, db_engine):
    for variant, visitors in (("a", 2), ("b", 1)):
        for skip in range(visitors):
            as_visitor(demo.test_client(), visitor_of(running, variant, skip=skip)).get(forms.url)
    resumed = as_visitor(demo.test_client(), visitor_of(running, "b", skip=3))
    post_screen(resumed, forms.url, STEP_ANSWERS["you"])  # one view (for its token)
    resumed.get(forms.url)  # resuming is not a new view

    with Session(db_engine) as session:
        views = dict(session.execute(select(FormView.version_id, FormView.views)).all())
    assert views == {forms.version_ids[1]: 2, forms.version_ids[2]: 2}


def test_the_results_count_a_real_sql_for_its_variant(demo, forms, running):
    from app.db import write_session
    from app.experiments.results import experiment_results

    quitter = as_visitor(demo.test_client(), visitor_of(running, "a"))
    post_screen(quitter, forms.url, STEP_ANSWERS["you"])
    buyer = as_visitor(demo.test_client(), visitor_of(running, "b"))
    for step in ("you", "company", "needs", "details"):
        assert post_screen(buyer, forms.url, STEP_ANSWERS[step]).status_code == 303

    with demo.app_context(), write_session() as session:
        results = experiment_results(session, session.get(Experiment, running))
    assert [(row.starts, row.completions, row.sqls) for row in results.variants] == [
        (1, 0, 0), (1, 1, 1)]


# --- results from a hand-made dataset -------------------------------------------------------

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_results_of_a_hand_made_dataset(app, session):
    from app.experiments.results import experiment_results
    from app.forms.versions import ensure_workspace, publish, save_draft

    definition = {"schema": 1, "title": "T", "steps": [{"id": "s", "fields": [
        {"id": "email", "type": "email", "label": "Email"}]}],
        "endings": [{"id": "end", "type": "message"}]}
    workspace = ensure_workspace(session, "acme")
    form, _ = save_draft(session, workspace, "t", definition)
    v1 = publish(session, form).version
    save_draft(session, workspace, "t", {**definition, "title": "T2"})
    v2 = publish(session, form).version
    experiment = Experiment(workspace_id=workspace.id, form_id=form.id, name="x",
                            version_a_id=v1.id, version_b_id=v2.id, split_b=40,
                            status="stopped", started_at=START,
                            stopped_at=START + timedelta(days=2))
    other = Experiment(workspace_id=workspace.id, form_id=form.id, name="earlier",
                       version_a_id=v1.id, version_b_id=v2.id, split_b=50, status="stopped",
                       started_at=START - timedelta(days=30),
                       stopped_at=START - timedelta(days=20))
    session.add_all([experiment, other])
    session.flush()

    # A: 10 starts, 6 completed, 2 of them SQL (one more lead is only an MQL).
    # B: 8 starts, 7 completed, 3 SQL; one SQL of B came from another (earlier) test.
    people = iter(range(1000))

    def response(test: Experiment, variant: str, version_id: int, *, completed: bool,
                 sql: bool | None = None) -> None:
        item = Response(workspace_id=workspace.id, form_id=form.id, version_id=version_id,
                        state="completed" if completed else "in_progress",
                        experiment_id=test.id, variant=variant, answers={}, hidden={},
                        meta={}, started_at=START)
        session.add(item)
        session.flush()
        if sql is not None:
            contact = Contact(workspace_id=workspace.id, email=f"p{next(people)}@x.example")
            session.add(contact)
            session.flush()
            session.add(Lead(workspace_id=workspace.id, contact_id=contact.id,
                             stage="sql" if sql else "mql", origin_response_id=item.id,
                             origin_form_id=form.id, mql_at=START,
                             sql_at=START if sql else None))

    for n in range(10):
        response(experiment, "a", v1.id, completed=n < 6, sql=True if n < 2 else (
            False if n == 2 else None))
    for n in range(8):
        response(experiment, "b", v2.id, completed=n < 7, sql=True if n < 3 else None)
    response(other, "b", v2.id, completed=True, sql=True)
    # Views: inside the window (the start day to the stop day) and outside it.
    for version, day, views in ((v1, date(2026, 3, 2), 30), (v1, date(2026, 3, 4), 20),
                                (v2, date(2026, 3, 3), 25), (v2, date(2026, 3, 5), 99),
                                (v1, date(2026, 3, 1), 99)):
        session.add(FormView(workspace_id=workspace.id, form_id=form.id,
                             version_id=version.id, day=day, views=views))
    session.commit()

    with app.app_context():
        from app import db

        results = experiment_results(db.session(), db.session().get(Experiment, experiment.id))

    a, b = results.variants
    assert (a.version_number, a.planned_share, a.views, a.starts, a.completions, a.sqls) == (
        1, 60, 50, 10, 6, 2)
    assert (b.version_number, b.planned_share, b.views, b.starts, b.completions, b.sqls) == (
        2, 40, 25, 8, 7, 3)
    assert (a.completion_rate, b.completion_rate) == (0.6, 0.875)
    assert (a.sql_rate, b.sql_rate) == (0.2, 0.375)
    assert (a.start_rate, b.start_rate) == (10 / 50, 8 / 25)
    assert (results.completion.successes_a, results.completion.trials_a,
            results.completion.successes_b, results.completion.trials_b) == (6, 10, 7, 8)
    assert results.days == 3
    # Too few results for the normal approximation (B has only one non-completion), and a
    # stopped test is past "yet":
    assert results.completion_verdict.startswith("Not significant: too few results")
