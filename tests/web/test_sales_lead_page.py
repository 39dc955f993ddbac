"""One lead through HTTP: the page's sections, every action with CSRF and inline errors,
marketers who read but may not act, and another workspace's lead as a 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AlertEndpoint, Delivery, Lead, LeadEvent, OutboxEvent, Signal, utcnow
from tests.web.backoffice import add_user, csrf_of
from tests.web.hosted import fill_demo
from tests.web.inbox import INBOX, SAM, listing, make_lead, signed_in, user_id

SALES_PATH = ("you", "company", "needs", "details")


@pytest.fixture
def rep(demo, app):
    """Rita, a sales rep of the demo workspace, signed in."""
    return signed_in(app, "rita@demo.example", "sales", name="Rita Rep")


@pytest.fixture
def marketer(demo, app):
    return signed_in(app, "mo@demo.example", "marketer")


# --- the lead page -------------------------------------------------------------------------

@pytest.fixture
def story(demo, app, client, db_engine):
    """Ada answered the demo form twice (two responses), viewed pages, and an alert went to a
    webhook that failed; returns her lead's id."""
    app.config["BASE_URL"] = "http://localhost"
    app.config["ALERTS_FAST_PATH"] = False  # the deliveries stay as this fixture leaves them
    with Session(db_engine) as session, session.begin():
        from app.models import Workspace
        space = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        session.add(AlertEndpoint(workspace_id=space.id, kind="webhook", name="CRM hook",
                                  url="https://crm.example/hooks/secret-path", events=[],
                                  secret="s" * 32))
    fill_demo(client, *SALES_PATH, changes={"you": {"first_name": "<b>Ada</b>"}})
    second = app.test_client()
    fill_demo(second, *SALES_PATH, changes={"needs": {"timeline": "quarter"}})
    with Session(db_engine) as session, session.begin():
        lead = session.scalars(select(Lead)).one()
        session.add(Signal(workspace_id=lead.workspace_id, contact_id=lead.contact_id,
                           path="/pricing", title="Pricing",
                           occurred_at=utcnow() - timedelta(hours=1)))
        delivery = session.scalars(select(Delivery).where(Delivery.channel == "webhook")
                                   .order_by(Delivery.id)).first()
        delivery.status, delivery.attempts = "dead", 5
        delivery.last_error, delivery.last_status = "connection refused", None
        return lead.id


def test_the_lead_page_tells_the_whole_story(rep, story, db_engine):
    page = rep.get(f"{INBOX}{story}").get_data(as_text=True)

    with Session(db_engine) as session:
        lead = session.get(Lead, story)
    for reason in lead.reasons:  # the score with its reasons and rules
        assert reason["reason"] in page and f"<code>{reason['rule']}</code>" in page
    assert page.count('class="bo-card ib-response"') == 2  # every response
    assert "Right away" in page and "This quarter" in page
    assert "Where do you work, &lt;b&gt;Ada&lt;/b&gt;?" in page  # piped and escaped
    assert "<b>Ada</b>" not in page
    assert "Pricing" in page and "/pricing" in page  # the signals timeline
    assert "CRM hook" in page and "crm.example" in page and "secret-path" not in page
    assert "connection refused" in page and "Dead" in page  # alerts and their deliveries
    assert "company_domain" in page and "enrichment" in page  # properties with their source
    assert "Milestones" in page and "SQL" in page
    assert "Routed to book ae-team/intro-30" in page  # the history


def test_the_history_says_who_did_what(rep, story, db_engine):
    token = csrf_of(rep.get(f"{INBOX}{story}").get_data(as_text=True))
    rep.post(f"{INBOX}{story}/reject", data={"csrf_token": token, "reject-code": "not_now",
                                              "reject-note": "Call back in spring"})

    page = rep.get(f"{INBOX}{story}").get_data(as_text=True)

    assert "Rejected: Not now, recycled into recycle-not-now. Note: Call back in spring" in page
    assert re.search(r"SQL → Recycled: disposition not_now</span>\s*<span class=\"bo-muted\">"
                     r"<time[^>]*>[^<]*</time> · Rita Rep", page)


# --- actions -------------------------------------------------------------------------------

def post_action(client, lead_id: int, action: str, **fields):
    token = csrf_of(client.get(f"{INBOX}{lead_id}").get_data(as_text=True))
    data = {"csrf_token": token, **{f"{action}-{name}": value for name, value in fields.items()}}
    return client.post(f"{INBOX}{lead_id}/{action}", data=data)


def lead_row(db_engine, lead_id: int) -> Lead:
    with Session(db_engine) as session:
        return session.get(Lead, lead_id)


def last_event(db_engine, lead_id: int) -> LeadEvent:
    with Session(db_engine) as session:
        return session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id)
                               .order_by(LeadEvent.id.desc())).first()


def test_accepting_takes_the_lead_and_stops_the_clock(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", stage="sql", sla_due_in=timedelta(minutes=9))

    reply = post_action(rep, lead_id, "accept")

    assert reply.status_code == 303 and reply.headers["Location"].endswith(f"/leads/{lead_id}")
    lead = lead_row(db_engine, lead_id)
    assert lead.accepted_at is not None and lead.disposition == "accepted"
    assert lead.first_touch_by_id == user_id(db_engine, "rita@demo.example")
    page = rep.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Lead accepted." in page and "data-sla-due" not in page


def test_rejecting_recycles_into_the_reasons_track(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", stage="sql")

    reply = post_action(rep, lead_id, "reject", code="no_budget", note="Next fiscal year")

    assert reply.status_code == 303
    lead = lead_row(db_engine, lead_id)
    assert (lead.stage, lead.disposition, lead.nurture_track) == ("recycled", "no_budget",
                                                                  "recycle-no-budget")
    assert lead.disposition_note == "Next fiscal year" and lead.nurture_until is not None
    page = rep.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Lead rejected: no budget, recycled into recycle-no-budget." in page
    assert "Recycled" in page and "then archived" in page


def test_spam_closes_the_lead_and_hides_it_from_the_inbox(rep, app, db_engine):
    lead_id = make_lead(app, "bot@example.com", stage="mql")

    post_action(rep, lead_id, "reject", code="spam")

    lead = lead_row(db_engine, lead_id)
    assert lead.stage == "disqualified" and lead.archived_at is not None
    assert listing(rep) == [] and listing(rep, "?archived=yes") == [lead_id]


def test_a_refused_rejection_keeps_the_note_and_says_why(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", stage="sql")

    missing = post_action(rep, lead_id, "reject", note="They said <maybe>")
    unknown = post_action(rep, lead_id, "reject", code="too_expensive", note="kept")

    page = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "Choose why you reject this lead." in page
    assert "They said &lt;maybe&gt;</textarea>" in page and "<title>Error:" in page
    assert re.search(r'<details class="ib-action" open>\s*<summary>Reject', page)
    assert unknown.status_code == 422
    assert "Unknown disposition &#39;too_expensive&#39;" in unknown.get_data(as_text=True)
    assert lead_row(db_engine, lead_id).stage == "sql"


def test_reassigning_gives_the_lead_to_a_member_only(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", owner=SAM)
    stranger = add_user(app, "bo@beta.example", workspace="beta")
    priya = user_id(db_engine, "priya@demo.leadform.dev")

    refused = post_action(rep, lead_id, "reassign", owner=str(stranger))
    done = post_action(rep, lead_id, "reassign", owner=str(priya))

    assert refused.status_code == 422
    assert "Choose a member of this workspace" in refused.get_data(as_text=True)
    assert done.status_code == 303 and lead_row(db_engine, lead_id).owner_id == priya
    event = last_event(db_engine, lead_id)
    assert event.kind == "reassigned" and event.user_id == user_id(db_engine,
                                                                   "rita@demo.example")
    page = rep.get(f"{INBOX}{lead_id}").get_data(as_text=True)
    assert "Reassigned from Sam Rivera to Priya Shah" in page


def test_marking_contacted_is_the_first_touch(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", sla_due_in=-timedelta(minutes=3))

    reply = post_action(rep, lead_id, "contacted", note="Left a voicemail")

    assert reply.status_code == 303
    assert lead_row(db_engine, lead_id).first_touch_at is not None
    event = last_event(db_engine, lead_id)
    assert event.kind == "contacted" and event.details == {"note": "Left a voicemail"}


def test_the_outcome_closes_the_loop(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", stage="sql")

    refused = post_action(rep, lead_id, "outcome", note="big deal")
    won = post_action(rep, lead_id, "outcome", outcome="won", note="big deal")

    assert refused.status_code == 422 and "Choose won or lost." in refused.get_data(as_text=True)
    assert won.status_code == 303
    lead = lead_row(db_engine, lead_id)
    assert lead.outcome == "won" and lead.accepted_at is not None
    with Session(db_engine) as session:
        assert session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.id.desc())
                               ).first() == "lead.outcome"


def test_a_note_too_long_is_refused_inline(rep, app, db_engine):
    lead_id = make_lead(app, "ada@example.com")

    reply = post_action(rep, lead_id, "contacted", note="x" * 2001)

    assert reply.status_code == 422 and "The note is too long" in reply.get_data(as_text=True)
    assert lead_row(db_engine, lead_id).first_touch_at is None


@pytest.mark.parametrize("action", ["accept", "reject", "reassign", "contacted", "outcome"])
def test_every_action_needs_the_csrf_token(rep, app, db_engine, action):
    lead_id = make_lead(app, "ada@example.com", stage="sql")

    reply = rep.post(f"{INBOX}{lead_id}/{action}", data={"reject-code": "spam",
                                                         "outcome-outcome": "won"})

    assert reply.status_code == 400
    lead = lead_row(db_engine, lead_id)
    assert lead.stage == "sql" and lead.outcome is None and lead.accepted_at is None


def test_marketers_read_leads_but_may_not_act(marketer, app, db_engine):
    lead_id = make_lead(app, "ada@example.com", stage="sql")

    page = marketer.get(f"{INBOX}{lead_id}").get_data(as_text=True)
    token = csrf_of(page)

    assert "ada@example.com" in page and "Accept lead" not in page and "Reject lead" not in page
    for action in ("accept", "reject", "reassign", "contacted", "outcome"):
        reply = marketer.post(f"{INBOX}{lead_id}/{action}",
                              data={"csrf_token": token, "reject-code": "spam",
                                    "outcome-outcome": "won"})
        assert reply.status_code == 403, action
    assert lead_row(db_engine, lead_id).stage == "sql"


def test_another_workspaces_lead_is_a_404_to_read_and_to_act(rep, app, db_engine):
    from app.db import write_session
    from app.forms.versions import ensure_workspace

    with app.app_context(), write_session() as session:
        ensure_workspace(session, "beta")
    foreign = make_lead(app, "x@beta.example", workspace="beta", form=None)
    token = csrf_of(rep.get(INBOX).get_data(as_text=True))

    assert rep.get(f"{INBOX}{foreign}").status_code == 404
    assert rep.get(f"{INBOX}999999").status_code == 404
    for action in ("accept", "reject", "contacted"):
        reply = rep.post(f"{INBOX}{foreign}/{action}",
                         data={"csrf_token": token, "reject-code": "spam"})
        assert reply.status_code == 404, action
    assert lead_row(db_engine, foreign).accepted_at is None


