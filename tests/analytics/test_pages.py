"""The analytics pages: the hand-made dataset's numbers in their tables, filters, 400 on a bad
filter, 404 for another workspace's form, who may look, escaping and the strict CSP."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.web.security import BACKOFFICE_POLICY
from tests.analytics.dataset import MARCH, World, _lead, at, build
from tests.analytics.pages import table
from tests.web.backoffice import add_user, log_in

OVERVIEW = "/app/acme/analytics/"
FUNNEL = "/app/acme/analytics/forms/demo-request"


@pytest.fixture
def world(app: Flask, db_engine) -> World:
    with Session(db_engine, expire_on_commit=False) as session:
        made = build(session)
    for email, workspace, role in (("ada@acme.example", "acme", "admin"),
                                   ("mo@acme.example", "acme", "marketer"),
                                   ("sam@acme.example", "acme", "sales"),
                                   ("bob@beta.example", "beta", "admin")):
        add_user(app, email, workspace=workspace, role=role)
    return made


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email).status_code == 303
    return client


@pytest.fixture
def mo(app: Flask, world: World) -> FlaskClient:
    return signed_in(app, "mo@acme.example")


def page(client: FlaskClient, url: str, **args: str) -> str:
    reply = client.get(f"{url}?{urlencode({**MARCH, **args})}")
    assert reply.status_code == 200, reply.get_data(as_text=True)[:500]
    return reply.get_data(as_text=True)


def test_the_overview_shows_the_forms_and_the_lead_milestones(mo):
    html = page(mo, OVERVIEW)

    assert table(html, "Views, starts and completions per form")[1:] == [
        ["Demo request", "15", "6", "40.0%", "3", "50.0%"], ["Webinar", "0", "0", "–", "0", "–"]]
    assert table(html, "Milestones reached")[1:] == [
        ["Leads", "7", "100.0%"], ["MQL", "5", "71.4%"], ["SQL", "3", "42.9%"],
        ["Booked", "2", "28.6%"], ["Accepted", "3", "42.9%"], ["Won", "2", "28.6%"]]
    assert "01 Mar 2026 – 31 Mar 2026" in html


def test_conversion_is_grouped_by_the_chosen_dimension(mo):
    by_source = table(page(mo, OVERVIEW), "Lead conversion by source")
    by_version = table(page(mo, OVERVIEW, group="version"), "Lead conversion by form version")

    assert by_source[1] == ["google", "3", "2 66.7%", "2 66.7%", "2 66.7%", "2 66.7%",
                            "1 33.3%"]
    assert [row[0] for row in by_source[1:]] == [
        "google", "linkedin", "newsletter", "(unknown)", "All leads"]
    assert [row[:2] for row in by_version[1:]] == [
        ["Demo request · v1", "3"], ["Demo request · v2", "3"], ["(not from a form)", "1"],
        ["All leads", "7"]]


def test_speed_to_lead_and_calibration_show_their_numbers(mo):
    html = page(mo, OVERVIEW)

    assert table(html, "Wait for the first touch")[1:] == [
        ["Under 5 min", "1", "16.7%"], ["5–15 min", "1", "16.7%"], ["15–60 min", "1", "16.7%"],
        ["1–4 h", "1", "16.7%"], ["4–24 h", "0", "0.0%"], ["Over 1 day", "1", "16.7%"],
        ["Not touched yet", "1", "16.7%"]]
    assert "<dd>20 min</dd>" in html and "<dd>1 d 6 h</dd>" in html  # median, 90th percentile
    accepted = table(html, "Thresholds for leads accepted")
    assert accepted[1] == ["Best split", "55", "100.0%", "0.0%", "1.00"]
    assert accepted[2:] == [["Your MQL threshold", "40", "100.0%", "25.0%", "0.75"],
                            ["Your SQL threshold", "70", "66.7%", "0.0%", "0.67"]]
    bands = table(html, "Conversion by score band")
    assert bands[1] == ["-10–-1", "1", "0 0.0%", "0 0.0%"]
    assert bands[-1] == ["80–89", "1", "1 100.0%", "1 100.0%"]
    assert "Youden" in html and "too few to tune the model on" in html


def test_filtering_by_form_counts_only_its_leads(mo):
    html = page(mo, OVERVIEW, form="demo-request")

    assert table(html, "Milestones reached")[1] == ["Leads", "6", "100.0%"]
    assert "leads from Demo request" in html


def test_the_funnel_page_shows_each_step_for_all_versions_or_one(mo):
    every = table(page(mo, FUNNEL), "Step by step")
    second = table(page(mo, FUNNEL, version="2"), "Step by step")

    assert every[1:] == [
        ["Viewed the form", "15", "6", "9", "60.0%", "–"],
        ["About you", "6", "5", "1", "16.7%", "83.3%"],
        ["Your company", "5", "4", "1", "20.0%", "66.7%"],
        ["Your project", "4", "3", "1", "25.0%", "50.0%"],
        ["Almost done", "1", "1", "0", "0.0%", "16.7%"],
        ["Completed", "–", "3", "–", "–", "50.0%"]]
    assert second[2] == ["About you", "4", "3", "1", "25.0%", "75.0%"]


def test_a_form_with_nothing_in_the_range_has_a_friendly_empty_state(mo):
    html = page(mo, "/app/acme/analytics/forms/webinar")

    assert "Nobody opened this form" in html


def test_a_workspace_without_data_shows_empty_states_not_errors(app, world):
    add_user(app, "new@gamma.example", workspace="gamma", role="admin")
    html = page(signed_in(app, "new@gamma.example"), "/app/gamma/analytics/")

    assert "No forms yet." in html
    assert "No leads were created in this range" in html
    assert "No leads were handed to sales in this range" in html
    assert "nothing to calibrate yet" in html


@pytest.mark.parametrize(("url", "args", "message"), [
    (OVERVIEW, {"range": "fortnight"}, "Unknown range"),
    (OVERVIEW, {"from": "2026-13-01"}, "must look like 2026-01-31"),
    (OVERVIEW, {"from": "2026-04-01", "to": "2026-03-01"}, "after the end date"),
    (OVERVIEW, {"group": "country"}, "Unknown grouping"),
    (FUNNEL, {"to": "31.03.2026"}, "must look like 2026-01-31"),
    (FUNNEL, {"version": "two"}, "The version is a number"),
])
def test_a_bad_filter_is_a_400_with_a_message(mo, url, args, message):
    reply = mo.get(f"{url}?{urlencode(args)}")

    assert reply.status_code == 400
    assert message in reply.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/app/acme/analytics/forms/beta-demo",  # beta's form, asked for in acme
    "/app/acme/analytics/?form=beta-demo",
    "/app/acme/analytics/forms/demo-request?version=9",
    "/app/acme/analytics/forms/nothing-here",
    "/app/beta/analytics/",  # a workspace Mo is not a member of
    "/app/beta/analytics/forms/beta-demo",
])
def test_another_workspaces_form_or_an_unknown_one_is_a_404(mo, url):
    assert mo.get(url).status_code == 404


@pytest.mark.parametrize("email", ["ada@acme.example", "mo@acme.example", "sam@acme.example"])
def test_every_member_may_see_analytics_and_finds_it_in_the_header(app, world, email):
    client = signed_in(app, email)

    html = page(client, OVERVIEW)
    assert page(client, FUNNEL)
    assert 'href="/app/acme/analytics/"' in page(client, "/app/acme/")
    assert ("Scoring</a> page" in html) == (email != "sam@acme.example")


def test_signed_out_visitors_are_sent_to_sign_in(app, world):
    reply = app.test_client().get(OVERVIEW)

    assert reply.status_code in (302, 303) and "/login" in reply.headers["Location"]


def test_respondent_supplied_values_are_escaped(app, db_engine, world, mo):
    with Session(db_engine) as session:
        _lead(session, world.acme, "x@x.example", at(12), source="<script>alert(1)</script>",
              campaign='"><img src=x onerror=alert(1)>', total=10)
        session.commit()

    html = page(mo, OVERVIEW) + page(mo, OVERVIEW, group="campaign")

    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_pages_send_the_strict_policy_and_use_no_inline_style_or_script(mo):
    for url in (OVERVIEW, FUNNEL):
        reply = mo.get(f"{url}?{urlencode(MARCH)}")
        html = reply.get_data(as_text=True)

        assert reply.headers["Content-Security-Policy"] == BACKOFFICE_POLICY
        assert reply.headers["Cache-Control"] == "no-store"
        assert " style=" not in html and "<style" not in html
        assert html.count("<script") == html.count("<script src=")
        assert 'role="img"' in html and "aria-labelledby=" in html
