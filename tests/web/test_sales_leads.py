"""The lead page alerts link to: the whole story, for members of the workspace only."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Lead, OutboxEvent
from tests.web.backoffice import add_user, log_in
from tests.web.hosted import fill_demo

SALES_PATH = ("you", "company", "needs", "details")


def test_the_alert_link_opens_the_leads_story(demo, app, client, db_engine):
    app.config["BASE_URL"] = "http://localhost"
    fill_demo(client, *SALES_PATH, changes={"you": {"first_name": "<b>Ada</b>"}})
    with Session(db_engine) as session:
        event = session.scalars(select(OutboxEvent).where(
            OutboxEvent.kind == "lead.qualified")).one()
        lead = session.scalars(select(Lead)).one()
    link = event.payload["data"]["lead"]["url"]
    assert link == f"http://localhost/app/demo/leads/{lead.id}"

    rep = app.test_client()
    add_user(app, "rita@demo.example", workspace="demo", role="sales")
    log_in(rep, "rita@demo.example")
    page = rep.get(link.removeprefix("http://localhost")).get_data(as_text=True)

    assert "ada@example.com" in page and "SQL" in page
    for reason in lead.reasons:
        assert reason["reason"] in page
    assert "When do you want to start?" in page  # the answers, with their questions
    assert "&lt;b&gt;Ada&lt;/b&gt;" in page and "<b>Ada</b>" not in page
    listing = rep.get("/app/demo/leads/").get_data(as_text=True)
    assert re.search(rf'href="/app/demo/leads/{lead.id}"', listing)


def test_a_lead_of_another_workspace_is_a_404(demo, app, client, db_engine):
    fill_demo(client, *SALES_PATH)
    with Session(db_engine) as session:
        lead_id = session.scalars(select(Lead.id)).one()
    stranger = app.test_client()
    add_user(app, "bo@beta.example", workspace="beta")
    log_in(stranger, "bo@beta.example")

    assert stranger.get(f"/app/beta/leads/{lead_id}").status_code == 404
    assert stranger.get(f"/app/demo/leads/{lead_id}").status_code == 404
    assert app.test_client().get(f"/app/demo/leads/{lead_id}").status_code == 302  # sign in
