"""The sales inbox through HTTP: filters in the URL, 400s that say why, sorts, pages, htmx,
SLA timers, the lead page's sections, every action with CSRF, roles, isolation, and CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    AlertEndpoint,
    Delivery,
    Lead,
    LeadEvent,
    OutboxEvent,
    RepCalendar,
    Signal,
    User,
    utcnow,
)
from app.profiling.csv_io import FORMULA_PREFIXES
from tests.web.backoffice import add_user, csrf_of, log_in
from tests.web.hosted import fill_demo
from tests.web.inbox import make_lead

SALES_PATH = ("you", "company", "needs", "details")
INBOX = "/app/demo/leads/"
SAM = "sam@demo.leadform.dev"


@pytest.fixture
def rep(demo, app):
    """Rita, a sales rep of the demo workspace, signed in."""
    add_user(app, "rita@demo.example", workspace="demo", role="sales", name="Rita Rep")
    client = app.test_client()
    assert log_in(client, "rita@demo.example").status_code == 303
    return client


@pytest.fixture
def marketer(demo, app):
    add_user(app, "mo@demo.example", workspace="demo", role="marketer")
    client = app.test_client()
    assert log_in(client, "mo@demo.example").status_code == 303
    return client


def lead_ids(page: str) -> list[int]:
    """The lead ids of the result rows, in order."""
    return [int(found) for found in
            re.findall(r'<th scope="row">\s*<a href="/app/demo/leads/(\d+)"', page)]


def listing(client, query: str = "") -> list[int]:
    reply = client.get(INBOX + query)
    assert reply.status_code == 200, reply.get_data(as_text=True)[:3000]
    return lead_ids(reply.get_data(as_text=True))


def user_id(db_engine, email: str) -> int:
    with Session(db_engine) as session:
        return session.scalars(select(User.id).where(User.email == email)).one()


# --- the list ------------------------------------------------------------------------------

def test_a_row_shows_who_where_from_and_how_good(rep, app):
    make_lead(app, "ada@example.com", stage="sql", fit=60, intent=25, owner=SAM,
              source="google", campaign="spring",
              properties={"first_name": "Ada", "last_name": "Lovelace",
                          "company": "Analytical Engines"},
              created_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))

    page = rep.get(INBOX).get_data(as_text=True)

    row = page[page.index("<tbody>"):page.index("</tbody>")]
    for shown in ("Ada Lovelace", "ada@example.com", "Analytical Engines", "SQL", "85",
                  "Sam Rivera", "Talk to sales", "google", "spring"):
        assert shown in row, shown
    assert '<time datetime="2026-11-30T23:30:00+00:00">30 Nov 2026, 23:30</time>' in page
    assert "1–1 of 1 lead" in page


def test_times_are_shown_in_the_viewers_zone(demo, app, db_engine):
    make_lead(app, "ada@example.com", created_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    client = app.test_client()
    log_in(client, "admin@demo.example", "leadform-demo")
    client.set_cookie("lf_tz", "Asia/Tokyo")

    page = client.get(INBOX).get_data(as_text=True)

    assert "01 Dec 2026, 08:30" in page and "Times in Asia/Tokyo" in page
    client.set_cookie("lf_tz", "Not/AZone")
    assert "Times in UTC" in client.get(INBOX).get_data(as_text=True)


def test_stages_filter_takes_several(rep, app):
    sql = make_lead(app, "s@example.com", stage="sql")
    mql = make_lead(app, "m@example.com", stage="mql")
    make_lead(app, "l@example.com", stage="lead")

    assert set(listing(rep, "?stage=sql&stage=mql")) == {sql, mql}
    assert listing(rep, "?stage=sql") == [sql]


def test_owner_filter_takes_a_member_me_or_unassigned(rep, app, db_engine):
    mine = make_lead(app, "mine@example.com", owner="rita@demo.example")
    sams = make_lead(app, "sams@example.com", owner=SAM)
    nobody = make_lead(app, "nobody@example.com")

    assert listing(rep, "?owner=me") == [mine]
    assert listing(rep, "?owner=unassigned") == [nobody]
    assert listing(rep, f"?owner={user_id(db_engine, SAM)}") == [sams]


def test_form_and_source_filters(rep, app, db_engine):
    from_form = make_lead(app, "f@example.com", source="google")
    make_lead(app, "other@example.com", form=None, source="linkedin")

    with Session(db_engine) as session:
        form_id = session.get(Lead, from_form).origin_form_id
    assert listing(rep, f"?form={form_id}") == [from_form]
    assert listing(rep, "?source=google") == [from_form]
    assert listing(rep, "?source=nowhere") == []


def test_the_date_range_counts_the_viewers_whole_days(rep, app, db_engine):
    # Rita works in New York: 1 Dec there runs from 05:00 UTC on 1 Dec to 05:00 UTC on 2 Dec.
    with Session(db_engine) as session, session.begin():
        from app.models import Workspace
        space = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        session.add(RepCalendar(workspace_id=space.id,
                                user_id=user_id(db_engine, "rita@demo.example"),
                                timezone="America/New_York"))
    before = make_lead(app, "before@example.com", created_at=datetime(2026, 12, 1, 4, 59,
                                                                      tzinfo=UTC))
    inside = make_lead(app, "in@example.com", created_at=datetime(2026, 12, 2, 4, 59, tzinfo=UTC))
    after = make_lead(app, "after@example.com", created_at=datetime(2026, 12, 2, 5, 0, tzinfo=UTC))

    assert listing(rep, "?from=2026-12-01&to=2026-12-01") == [inside]
    assert listing(rep, "?from=2026-12-01") == [after, inside]
    assert listing(rep, "?to=2026-11-30") == [before]


def test_archived_leads_are_hidden_unless_asked_for(rep, app):
    active = make_lead(app, "active@example.com")
    archived = make_lead(app, "old@example.com", archived=True)

    assert listing(rep) == [active]
    assert listing(rep, "?archived=yes") == [archived]
    assert set(listing(rep, "?archived=all")) == {active, archived}


def test_search_finds_email_or_name_and_takes_wildcards_literally(rep, app):
    ada = make_lead(app, "ada@example.com", properties={"first_name": "Ada"})
    grace = make_lead(app, "g.hopper@navy.example", properties={"first_name": "Grace",
                                                                "last_name": "Hopper"})
    percent = make_lead(app, "100%_sure@example.com")

    assert listing(rep, "?q=HOPPER") == [grace]
    assert listing(rep, "?q=navy") == [grace]
    assert listing(rep, "?q=ada") == [ada]
    assert listing(rep, "?q=%25_") == [percent]  # "%_" matches only itself


def test_sorts_by_score_age_and_sla(rep, app):
    now = utcnow()
    low = make_lead(app, "low@example.com", fit=10, created_at=now - timedelta(days=3))
    high = make_lead(app, "high@example.com", fit=90, created_at=now - timedelta(days=2),
                     sla_due_in=timedelta(hours=2))
    mid = make_lead(app, "mid@example.com", fit=50, created_at=now - timedelta(days=1),
                    sla_due_in=timedelta(minutes=5))
    touched = make_lead(app, "touched@example.com", fit=40, created_at=now,
                        sla_due_in=timedelta(minutes=1), touched=True)

    assert listing(rep) == [touched, mid, high, low]
    assert listing(rep, "?sort=oldest") == [low, high, mid, touched]
    assert listing(rep, "?sort=score_desc") == [high, mid, touched, low]
    assert listing(rep, "?sort=score_asc") == [low, touched, mid, high]
    assert listing(rep, "?sort=sla_due")[:2] == [mid, high]  # running clocks first


def test_pages_hold_fifty_with_totals_and_keep_the_filters(rep, app):
    base = utcnow() - timedelta(days=1)
    ids = [make_lead(app, f"p{n:02}@example.com", stage="mql",
                     created_at=base + timedelta(minutes=n)) for n in range(52)]
    make_lead(app, "other@example.com", stage="sql")

    first = rep.get(INBOX + "?stage=mql").get_data(as_text=True)
    second = rep.get(INBOX + "?stage=mql&page=2").get_data(as_text=True)

    assert lead_ids(first) == ids[::-1][:50] and lead_ids(second) == ids[::-1][50:]
    assert "1–50 of 52 leads" in first and "51–52 of 52 leads" in second
    assert 'href="/app/demo/leads/?stage=mql&amp;page=2"' in first
    assert "Page 2 of 2" in second
    assert "There is no page 3" in rep.get(INBOX + "?stage=mql&page=3").get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("?stage=hot", "Unknown stage &#39;hot&#39;"),
    ("?from=2026-13-01", "is not a date: write it as YYYY-MM-DD"),
    ("?from=yesterday", "is not a date"),
    ("?from=2026-12-05&to=2026-12-01", "ends (2026-12-01) before it starts (2026-12-05)"),
    ("?form=999999", "Unknown form 999999"),
    ("?form=abc", "Unknown form &#39;abc&#39;"),
    ("?owner=999999", "Unknown owner 999999"),
    ("?owner=someone", "Unknown owner &#39;someone&#39;"),
    ("?page=0", "Pages start at 1."),
    ("?page=two", "is not a number"),
    ("?sort=random", "Unknown sort"),
    ("?archived=maybe", "Unknown value &#39;maybe&#39; for archived"),
])
def test_a_bad_filter_is_a_400_that_says_why(rep, app, query, message):
    make_lead(app, "ada@example.com")

    reply = rep.get(INBOX + query)

    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert message in page and 'role="alert"' in page
    assert "<title>Error: Leads" in page
    assert lead_ids(page) == []


def test_another_workspaces_form_or_member_is_an_unknown_filter(rep, app, db_engine,
                                                                portable_definition):
    from app.db import write_session
    from app.forms.versions import ensure_workspace, save_draft

    stranger = add_user(app, "bo@beta.example", workspace="beta")
    with app.app_context(), write_session() as session:
        form, _ = save_draft(session, ensure_workspace(session, "beta"), "beta-form",
                             portable_definition)
        foreign_form = form.id

    assert rep.get(INBOX + f"?form={foreign_form}").status_code == 400
    assert rep.get(INBOX + f"?owner={stranger}").status_code == 400


def test_the_filter_form_keeps_what_was_typed_even_when_refused(rep, app):
    page = rep.get(INBOX + "?q=ada&stage=mql&from=2026-13-01").get_data(as_text=True)

    assert 'name="q" value="ada"' in page
    assert re.search(r'value="mql"\s+checked', page)
    assert 'name="from" value="2026-13-01"' in page


def test_htmx_gets_only_the_results_and_a_history_restore_the_whole_page(rep, app):
    make_lead(app, "ada@example.com", stage="sql")

    fragment = rep.get(INBOX + "?q=&stage=sql&owner=&sort=newest", headers={"HX-Request": "true"})
    refused = rep.get(INBOX + "?stage=hot", headers={"HX-Request": "true"})
    restore = rep.get(INBOX + "?stage=sql", headers={"HX-Request": "true",
                                                     "HX-History-Restore-Request": "true"})

    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="leads-results"')
    assert "<html" not in text and "ada@example.com" in text
    assert "HX-Request" in fragment.headers.get("Vary", "")
    assert fragment.headers["HX-Push-Url"] == INBOX + "?stage=sql"  # blanks and defaults left out
    assert refused.status_code == 400 and "Unknown stage" in refused.get_data(as_text=True)
    assert "<html" not in refused.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)


def test_an_untouched_lead_shows_its_sla_timer(rep, app):
    make_lead(app, "soon@example.com", sla_due_in=timedelta(minutes=12, seconds=30))
    make_lead(app, "late@example.com", sla_due_in=-timedelta(hours=1, minutes=5))
    make_lead(app, "done@example.com", sla_due_in=timedelta(minutes=12), touched=True)

    page = rep.get(INBOX).get_data(as_text=True)

    soon = re.search(r'<span class="ib-sla"><time datetime="([^"]+)" data-sla-due[^>]*>'
                     r'12 min (\d+) s left</time>', page)
    assert soon and datetime.fromisoformat(soon.group(1)) > utcnow()
    assert re.search(r'<span class="ib-sla ib-sla-overdue"><time [^>]*data-sla-due[^>]*>'
                     r'overdue by 1 h 5 min</time>', page)
    assert page.count("data-sla-due") == 2  # the touched lead's clock has stopped
    assert 'src="/static/inbox.js' in page


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


# --- export --------------------------------------------------------------------------------

def rows_of(reply) -> list[dict[str, str]]:
    text = reply.get_data().decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_what_the_filters_show(rep, app):
    make_lead(app, "ada@example.com", stage="sql", fit=60, intent=-5, owner=SAM,
              source="google", campaign="spring",
              properties={"first_name": "Ada", "company": "Analytical"},
              mql_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
              sql_at=datetime(2026, 12, 1, 10, tzinfo=UTC))
    make_lead(app, "other@example.com", stage="lead")

    reply = rep.get("/app/demo/leads/export.csv?stage=sql&page=7")

    assert reply.status_code == 200 and reply.is_streamed
    assert reply.mimetype == "text/csv"
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="leads-demo-')
    assert not reply.get_data().startswith(b"\xef\xbb\xbf")
    [row] = rows_of(reply)  # the page number is ignored: every matching lead
    assert list(row) == ["id", "email", "name", "company", "stage", "fit", "intent", "total",
                         "owner", "form", "source", "campaign", "created", "mql_at", "sql_at",
                         "booked_at", "accepted_at", "outcome", "disposition", "nurture_track"]
    assert (row["email"], row["name"], row["company"], row["stage"]) == (
        "ada@example.com", "Ada", "Analytical", "sql")
    assert (row["fit"], row["intent"], row["total"]) == ("60", "-5", "55")  # numbers stay numbers
    assert (row["owner"], row["form"], row["source"], row["campaign"]) == (
        "Sam Rivera", "Talk to sales", "google", "spring")
    assert row["mql_at"] == "2026-12-01T09:00:00+00:00" and row["booked_at"] == ""


def test_the_export_for_excel_starts_with_a_bom(rep, app):
    make_lead(app, "zoë@example.com", properties={"first_name": "Zoë"})

    reply = rep.get("/app/demo/leads/export.csv?bom=1")

    assert reply.get_data().startswith("\ufeffid,email".encode())
    assert rows_of(reply)[0]["name"] == "Zoë"


@pytest.mark.parametrize("payload", ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)",
                                     "\tcmd", "\rcmd"])
def test_the_export_neutralises_formulas(rep, app, payload):
    make_lead(app, "ada@example.com", properties={"first_name": payload, "company": payload},
              source=payload, campaign=payload)

    [row] = rows_of(rep.get("/app/demo/leads/export.csv"))

    for column in ("company", "source", "campaign"):
        assert row[column] == "'" + payload, (column, row[column])
    assert not row["name"].startswith(FORMULA_PREFIXES) and payload.strip() in row["name"]


def test_a_bad_export_filter_is_a_400_not_a_cut_file(rep, app):
    reply = rep.get("/app/demo/leads/export.csv?from=tomorrow")

    assert reply.status_code == 400 and "is not a date" in reply.get_data(as_text=True)
