"""Leads remember where they came from and when they first reached each milestone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Form, Lead, Response
from app.responses.capture import campaign_of, source_of
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, post_screen
from tests.web.test_qualification import SALES_PATH, lead_of


def fill_from(client, url: str, *steps: str, changes=None):
    for step in steps:
        answers = {**STEP_ANSWERS.get(step, {}), **(changes or {}).get(step, {})}
        reply = post_screen(client, url, answers)
        assert reply.status_code == 303, reply.get_data(as_text=True)[:1000]
    return reply


def test_a_new_sql_records_its_origin_and_both_milestones(demo, client, db_engine):
    url = DEMO_URL + "?utm_source=LinkedIn&utm_campaign=q4-launch"
    fill_from(client, url, *SALES_PATH)

    lead = lead_of(db_engine, "ada@example.com")
    with Session(db_engine) as session:
        response = session.scalars(select(Response)).one()
        form = session.scalars(select(Form).where(Form.slug == "talk-to-sales")).one()
    assert (response.source, response.campaign) == ("linkedin", "q4-launch")
    assert lead.origin_response_id == response.id
    assert (lead.origin_form_id, lead.origin_version_id) == (form.id, response.version_id)
    assert (lead.source, lead.campaign) == ("linkedin", "q4-launch")
    assert lead.mql_at is not None and lead.sql_at is not None
    assert lead.mql_at == lead.sql_at == lead.stage_changed_at


def test_an_mql_reaches_only_the_mql_milestone(demo, client, db_engine):
    fill_from(client, DEMO_URL, *SALES_PATH,
              changes={"needs": {"budget": "unknown", "timeline": "quarter"}})

    lead = lead_of(db_engine, "ada@example.com")
    assert lead.stage == "mql"
    assert lead.mql_at is not None and lead.sql_at is None
    assert lead.source == "direct" and lead.campaign is None


def test_a_second_response_keeps_the_first_touch(demo, client, db_engine):
    """The same person on another browser later: one lead, its first source kept."""
    fill_from(client, DEMO_URL + "?utm_source=newsletter", *SALES_PATH,
              changes={"needs": {"budget": "unknown", "timeline": "quarter"}})
    first = lead_of(db_engine, "ada@example.com")
    fill_from(demo.test_client(), DEMO_URL + "?utm_source=google", *SALES_PATH)

    lead = lead_of(db_engine, "ada@example.com")
    assert lead.source == "newsletter"
    assert lead.origin_response_id == first.origin_response_id
    assert lead.mql_at == first.mql_at
    assert lead.stage == "sql" and lead.sql_at is not None and lead.sql_at > lead.mql_at
    with Session(db_engine) as session:
        assert len(session.scalars(select(Lead)).all()) == 1


def test_source_prefers_utm_then_click_ids_then_the_referring_host():
    assert source_of({"utm_source": " Google "}, {}) == "google"
    assert source_of({"gclid": "abc"}, {"referrer": "https://bing.com/"}) == "google"
    assert source_of({}, {"referrer": "https://www.linkedin.com/feed"}) == "linkedin.com"
    assert source_of({}, {"referrer": "not a url"}) == "direct"
    assert source_of({}, {}) == "direct"
    assert campaign_of({"utm_campaign": "  "}) is None
    assert campaign_of({"utm_campaign": "x" * 300}) == "x" * 200
