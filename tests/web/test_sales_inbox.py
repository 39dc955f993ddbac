"""The sales inbox through HTTP: filters in the URL, 400s that say why, sorts, pages, htmx,
SLA timers, and the CSV export of what the filters show."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Lead, RepCalendar, utcnow
from app.profiling.csv_io import FORMULA_PREFIXES
from tests.web.backoffice import add_user, log_in
from tests.web.inbox import INBOX, SAM, lead_ids, listing, make_lead, signed_in, user_id


@pytest.fixture
def rep(demo, app):
    """Rita, a sales rep of the demo workspace, signed in."""
    return signed_in(app, "rita@demo.example", "sales", name="Rita Rep")


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
