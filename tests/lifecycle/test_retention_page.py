"""The workspace's retention periods in the back office: admins only, validated, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEntry, Workspace
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/data/retention"


def signed_in(app, role: str = "admin"):
    add_user(app, f"{role}@acme.example", role=role)
    browser = app.test_client()
    assert log_in(browser, f"{role}@acme.example").status_code == 303
    return browser


def post(browser, **values: str):
    token = csrf_of(browser.get(URL).get_data(as_text=True))
    data = {"partial_responses": "", "delivery_logs": "", "signals": "", "audit_log": "",
            **values}
    return browser.post(URL, data={"csrf_token": token, **data})


def stored(db_engine) -> dict:
    with Session(db_engine) as session:
        settings = session.scalar(select(Workspace.settings).where(Workspace.slug == "acme"))
    return (settings or {}).get("retention", {})


def test_the_page_shows_the_app_defaults(app):
    app.config["RETENTION_SIGNAL_DAYS"] = 30
    page = signed_in(app).get(URL)

    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "90 days" in html and "30 days" in html


def test_saving_periods_stores_them_and_audits_the_change(app, db_engine):
    browser = signed_in(app)

    reply = post(browser, partial_responses="30", signals="0")

    assert reply.status_code == 303
    assert stored(db_engine) == {"partial_responses": 30, "signals": 0}
    page = browser.get(URL).get_data(as_text=True)
    assert "30 days (this workspace)" in page and "Forever (this workspace)" in page
    with Session(db_engine) as session:
        entry = session.scalars(select(AuditEntry)
                                .where(AuditEntry.action == "retention.change")).one()
    assert entry.details == {"partial_responses": {"from": None, "to": 30},
                             "signals": {"from": None, "to": 0}}
    assert entry.actor_id is not None


def test_a_blank_box_goes_back_to_the_default(app, db_engine):
    browser = signed_in(app)
    post(browser, signals="20")

    post(browser)

    assert stored(db_engine) == {}


def test_bad_periods_are_refused_with_the_reason_next_to_the_box(app, db_engine):
    browser = signed_in(app)

    reply = post(browser, partial_responses="soon", signals="99999")

    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "Enter a whole number of days." in html
    assert "Enter between 0 (keep forever) and 3650 days." in html
    assert 'aria-invalid="true"' in html
    assert stored(db_engine) == {}


def test_only_admins_change_retention(app):
    browser = signed_in(app, "marketer")

    assert browser.get(URL).status_code == 403
    assert browser.post(URL, data={}).status_code in (400, 403)


def test_the_page_shows_the_audit_log_default(app):
    html = signed_in(app).get(URL).get_data(as_text=True)

    assert "Audit log entries" in html and "730 days" in html


def test_saving_an_audit_log_period_stores_it(app, db_engine):
    reply = post(signed_in(app), audit_log="365")

    assert reply.status_code == 303
    assert stored(db_engine) == {"audit_log": 365}


@pytest.mark.parametrize("value, message", [
    ("-5", "Enter between 0 (keep forever) and 3650 days."),
    ("3651", "Enter between 0 (keep forever) and 3650 days."),
    ("two years", "Enter a whole number of days."),
    ("1.5", "Enter a whole number of days."),
])
def test_a_bad_audit_log_period_is_refused_and_nothing_changes(app, db_engine, value,
                                                              message):
    browser = signed_in(app)
    post(browser, audit_log="400", signals="20")
    before = stored(db_engine)

    reply = post(browser, audit_log=value, signals="30")

    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert message in html and 'aria-invalid="true"' in html
    assert stored(db_engine) == before == {"audit_log": 400, "signals": 20}
    with Session(db_engine) as session:
        changes = session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "retention.change"))
    assert changes == 1
