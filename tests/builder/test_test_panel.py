"""The test panel: a sample respondent walked, scored, staged, routed and assigned; no writes."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Form
from tests.builder.editor_pages import ROUTING, post_page, sign_in_as, table_counts

TEST = ROUTING + "/test"
REPS = ("Sam Rivera", "Priya Shah", "Jordan Lee")
SQL_SAMPLE = {
    "answer-first_name": "Ada", "answer-email": "ada@example.com", "answer-job_level": "vp",
    "answer-company": "Analytical Engines", "answer-company_size": "51-200",
    "answer-use_case": ["lead_quality", "meetings"], "answer-timeline": "now",
    "answer-budget": "over_50k", "answer-authority": "me", "answer-consent": "yes",
}


@pytest.fixture
def marketer(demo, client):
    return sign_in_as(demo, client, "marketer")


def run(client, *, htmx=False, **data):
    return post_page(client, ROUTING, TEST, htmx=htmx, **data)


def test_the_panel_has_an_input_per_question_with_choices_as_selects(marketer):
    page = marketer.get(ROUTING).get_data(as_text=True)

    assert 'id="test-panel"' in page
    assert '<select class="bo-input" id="sample-budget" name="answer-budget">' in page
    assert '<option value="over_50k">Over $50k a year</option>' in page
    assert 'type="checkbox" class="bo-checkbox" id="sample-use_case-1"' in page
    assert 'name="answer-first_name"' in page and 'name="known"' in page
    assert 'name="signal-pricing_views_7d"' in page and 'name="hidden-utm_source"' in page


def test_a_qualified_sample_shows_path_reasons_stage_destination_and_rep(marketer):
    reply = run(marketer, **SQL_SAMPLE)

    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    result = page[page.index('id="test-result"'):]
    for step in ("you", "company", "needs", "details"):
        assert f"({step})" in result or f"<strong>{step}</strong>" in result
    assert "Then company: the next step in order." in result
    assert "Budget over $50k a year" in result and "+25" in result
    assert "<code>budget-over-50k</code>" in result
    assert "Wants to start right away" in result and "+20" in result
    assert "Fit <strong>65</strong> · Intent <strong>20</strong> · Total <strong>85</strong>" \
        in result
    assert ">SQL</span>" in result
    assert "Book</strong>: ae-team/intro-30" in result and "rule 1" in result
    assert any(f"<strong>{rep}</strong>" in result for rep in REPS)
    assert "round robin" in result


def test_known_properties_and_signals_count(marketer):
    reply = run(marketer, **{**SQL_SAMPLE, "answer-job_level": "", "answer-budget": "unknown",
                             "answer-timeline": "quarter"},
                known="job_level=student\ncompany_size=1000+",
                **{"signal-pricing_views_7d": "3"})

    result = reply.get_data(as_text=True)
    result = result[result.index('id="test-result"'):]
    assert "Known, so not asked: job_level = student" in result
    assert "Asked instead (profiling queue): industry" in result
    assert "Then student: branch 1 taken" in result
    assert "Viewed pricing twice or more this week" in result
    assert "Student or researcher" in result and "-30" in result
    assert "Disqualify</strong>" in result and "the ending's own destination" in result
    assert "No meeting, so no rep is assigned." in result


def test_the_catch_all_is_named_when_it_takes_the_sample(marketer):
    reply = run(marketer, **{"answer-email": "kim@gmail.com", "answer-company_size": "11-50",
                             "answer-first_name": "Kim"})

    result = reply.get_data(as_text=True)
    assert "the catch-all" in result and "Nurture</strong>: general" in result


def test_a_test_writes_nothing(marketer, db_engine):
    marketer.get(ROUTING)
    before = table_counts(db_engine)

    run(marketer, **SQL_SAMPLE)
    run(marketer, **SQL_SAMPLE, htmx=True)

    assert table_counts(db_engine) == before


@pytest.mark.parametrize(("data", "message"), [
    ({"known": "job level is vp"}, "Line 1: write one property a line as name=value"),
    ({"signal-visit_days_30d": "a few"}, "A count: a whole number, 0 or more."),
])
def test_a_bad_sample_is_refused_inline_and_kept(marketer, data, message):
    reply = run(marketer, **{**SQL_SAMPLE, **data})

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page and 'aria-invalid="true"' in page
    assert 'value="Analytical Engines"' in page
    assert 'id="test-result"' not in page


def test_htmx_gets_only_the_panel(marketer):
    reply = run(marketer, htmx=True, **SQL_SAMPLE, **{"hidden-utm_source": "newsletter"})

    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert page.lstrip().startswith("{#") is False and "<html" not in page
    assert 'id="test-panel"' in page and 'id="test-result"' in page
    assert 'value="Analytical Engines"' in page  # what was typed stays
    assert 'value="newsletter"' in page


def test_without_a_scoring_model_the_panel_still_walks_the_form(app, client, publish_form,
                                                                portable_definition):
    publish_form(portable_definition, slug="plain")
    sign_in_as(app, client, "marketer", workspace="acme")
    url = "/app/acme/forms/plain/routing"

    reply = post_page(client, url, url + "/test", **{"answer-first_name": "Ada"})

    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "No scoring model yet" in page and "Ending: <strong>" in page


def store_draft(db_engine, change) -> None:
    """Break the stored draft as no editor can: a row from before a check, or edited by hand."""
    with Session(db_engine) as session, session.begin():
        form = session.scalars(select(Form).where(Form.slug == "talk-to-sales")).one()
        draft = copy.deepcopy(form.draft)
        change(draft)
        form.draft = draft


BROKEN_DRAFTS = {
    "next-true": lambda d: d["steps"][0].__setitem__("next", True),
    "next-object": lambda d: d["steps"][0].__setitem__("next", {"if": True, "goto": "needs"}),
    "next-text": lambda d: d["steps"][0].__setitem__("next", "needs"),
    "steps-text": lambda d: d.__setitem__("steps", "you"),
    "field-without-id": lambda d: d["steps"][0]["fields"][0].pop("id"),
    "options-true": lambda d: d["steps"][1]["fields"][1].__setitem__("options", True),
    "endings-true": lambda d: d.__setitem__("endings", True),
}


@pytest.mark.parametrize("change", BROKEN_DRAFTS.values(), ids=BROKEN_DRAFTS.keys())
def test_a_broken_draft_is_named_not_a_crash(marketer, db_engine, change):
    store_draft(db_engine, change)

    page = marketer.get(ROUTING)
    reply = run(marketer, **SQL_SAMPLE)
    panel = run(marketer, htmx=True, **SQL_SAMPLE)

    assert page.status_code == 200
    assert (reply.status_code, panel.status_code) == (422, 200)  # htmx swaps only a 200
    for answer in (reply, panel):
        text = answer.get_data(as_text=True)
        assert "This draft is not a valid form definition" in text
        assert 'id="test-result"' not in text


@pytest.mark.parametrize("steps", [True, "you", [{"id": "you", "fields": True}], ["you"]])
def test_one_broken_draft_does_not_break_the_property_menu(demo, db_engine, steps):
    """The menu reads every form's draft in the workspace, so one bad draft would break all."""
    from app.builder.choices import known_properties

    store_draft(db_engine, lambda d: d.__setitem__("steps", steps))

    with Session(db_engine) as session:
        workspace_id = session.scalars(select(Form.workspace_id)).first()
        assert "email" in known_properties(session, workspace_id)
