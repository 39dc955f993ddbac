"""The audit log: every back office action named in issue 10 leaves one entry, with its
actor and target, no secrets and no personal answers; admins read it, filtered, per
workspace only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import add_membership, create_user
from app.accounts.invitations import invite
from app.accounts.members import change_role, remove_member
from app.alerts.endpoints import (
    EndpointInput,
    create_endpoint,
    rotate_secret,
    set_enabled,
    update_endpoint,
)
from app.alerts.net import parse_allow_list
from app.api.tokens import create_token, revoke_token
from app.audit import record
from app.builder.drafts import edit_draft
from app.builder.forms import set_archived
from app.builder.route_rules import add_rule
from app.leads.scoring_models import current_model, save_model
from app.models import AuditEntry, Form, Lead, User, Workspace, utcnow
from app.sales.actions import dispose, reassign, record_outcome, set_stage
from tests.web.backoffice import add_user, csrf_of, log_in
from tests.web.hosted import fill_demo
from tests.web.test_qualification import SALES_PATH

DEMO_ADMIN, DEMO_PASSWORD = "admin@demo.example", "leadform-demo"


def entries(db_engine, action: str | None = None) -> list[AuditEntry]:
    with Session(db_engine) as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(session.scalars(query))


@pytest.fixture
def world(demo, client, db_engine):
    """The demo workspace with an SQL lead, its admin, and a session to act in."""
    fill_demo(client, *SALES_PATH)
    with Session(db_engine, expire_on_commit=False) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        admin = session.scalars(select(User).where(User.email == DEMO_ADMIN)).one()
        yield session, workspace, admin


# --- who signs in and out --------------------------------------------------------------

def test_sign_in_sign_out_and_failures_are_recorded_without_the_typed_email(demo, db_engine):
    browser = demo.test_client()
    assert log_in(browser, DEMO_ADMIN, "wrong password!").status_code == 422
    assert log_in(browser, "nobody@nowhere.example", "whatever1234").status_code == 422
    assert log_in(browser, DEMO_ADMIN, DEMO_PASSWORD).status_code == 303
    page = browser.get("/app/demo/").get_data(as_text=True)
    browser.post("/logout", data={"csrf_token": csrf_of(page)})

    rows = [(row.action, row.workspace_id is not None, row.target_id)
            for row in entries(db_engine) if row.action.startswith("auth.")]
    with Session(db_engine) as session:
        admin_id = str(session.scalar(select(User.id).where(User.email == DEMO_ADMIN)))
    assert rows == [("auth.sign_in_failed", True, admin_id),
                    ("auth.sign_in_failed", False, None),
                    ("auth.sign_in", True, admin_id), ("auth.sign_out", True, admin_id)]
    failed = entries(db_engine, "auth.sign_in_failed")
    assert all("nobody" not in str(row.details) + row.summary for row in failed)
    assert entries(db_engine, "auth.sign_in")[0].ip == "127.0.0.1"
    assert entries(db_engine, "auth.sign_in")[0].request_id


# --- the services record their own actions ----------------------------------------------

def test_member_invitation_role_change_and_removal_are_recorded(world, db_engine):
    session, workspace, admin = world
    invite(session, workspace, "new@demo.example", "sales", invited_by=admin, now=utcnow())
    member = create_user(session, "sam2@demo.example", "correct horse battery")
    add_membership(session, workspace, member, "sales")
    change_role(session, workspace.id, member.id, "marketer")
    remove_member(session, workspace.id, member.id)
    session.commit()

    rows = [(row.action, row.target_type, row.details) for row in entries(db_engine)
            if row.action.startswith("member.")]
    assert rows[0][0:2] == ("member.invite", "invitation")
    assert entries(db_engine, "member.invite")[0].actor_id == admin.id
    assert rows[1:] == [("member.role_change", "user", {"from": "sales", "to": "marketer"}),
                        ("member.remove", "user", {"role": "marketer"})]
    assert "new@demo.example" not in str([row.summary for row in entries(db_engine)])


def test_publishing_archiving_scoring_and_routing_changes_are_recorded(world, db_engine):
    session, workspace, admin = world
    form = session.scalars(select(Form).where(Form.workspace_id == workspace.id)).one()
    set_archived(session, form, True)
    set_archived(session, form, False)
    model = current_model(session, workspace.id).model
    save_model(session, workspace.id, {**model, "thresholds": {"mql": 41, "sql": 71}})
    edit_draft(session, form, lambda draft: add_rule(draft, {
        "if": {"==": [{"var": "answers.timeline"}, "later"]}, "to": {"nurture": "general"}}),
        summary="Added a route", user_id=admin.id)
    edit_draft(session, form, lambda draft: draft.update(title="Talk to us"),
               summary="Renamed", user_id=admin.id)
    session.commit()

    actions = [row.action for row in entries(db_engine)]
    assert "form.publish" in actions  # the demo's publication
    assert actions[-4:] == ["form.archive", "form.restore", "scoring.change", "routing.change"]
    assert entries(db_engine, "routing.change")[0].actor_id == admin.id


def test_lead_stage_disposition_reassignment_and_outcome_are_recorded(world, db_engine):
    session, workspace, admin = world
    lead = session.scalars(select(Lead)).one()
    now = utcnow()
    set_stage(session, workspace, lead, admin, "mql", now)
    dispose(session, workspace, lead, admin, "not_now", "She said: call Ada in May", now)
    reassign(session, workspace, lead, admin, admin.id, now)
    record_outcome(session, workspace, lead, admin, "won", now)
    session.commit()

    rows = [(row.action, row.target_type, row.target_id, row.actor_id)
            for row in entries(db_engine) if row.action.startswith("lead.")]
    assert [row[0] for row in rows] == ["lead.stage", "lead.disposition", "lead.reassign",
                                        "lead.outcome"]
    assert {row[1:] for row in rows} == {("lead", str(lead.id), admin.id)}
    assert "call Ada" not in str([(row.summary, row.details) for row in entries(db_engine)])


def test_alert_endpoint_and_api_token_changes_are_recorded_without_secrets(world, db_engine):
    session, workspace, admin = world
    local = parse_allow_list(["127.0.0.1"])
    endpoint = create_endpoint(session, workspace, EndpointInput(
        "webhook", "CRM", "http://127.0.0.1:9/hook", ["lead.qualified"]), local)
    update_endpoint(session, endpoint, EndpointInput("webhook", "CRM 2",
                                                     "http://127.0.0.1:9/hook", []), local)
    set_enabled(session, endpoint, False)
    new_secret = rotate_secret(session, endpoint, utcnow())
    issued = create_token(session, workspace, name="Sync", scopes=["leads:read"],
                          now=utcnow(), created_by=admin)
    revoke_token(session, issued.token, utcnow())
    session.commit()

    actions = [row.action for row in entries(db_engine)]
    assert actions[-6:] == ["alert_endpoint.create", "alert_endpoint.change",
                            "alert_endpoint.change", "alert_endpoint.rotate_secret",
                            "api_token.create", "api_token.revoke"]
    everything = str([(row.summary, row.details) for row in entries(db_engine)])
    assert new_secret not in everything and issued.secret not in everything
    assert entries(db_engine, "api_token.create")[0].actor_id == admin.id


def test_details_that_look_like_secrets_are_refused(world):
    session, workspace, _admin = world
    with pytest.raises(ValueError, match="secrets"):
        record(session, workspace.id, "api_token.create", details={"token": "lf_x"})


def test_exports_are_recorded_without_the_search_text(demo, db_engine):
    browser = demo.test_client()
    log_in(browser, DEMO_ADMIN, DEMO_PASSWORD)

    assert browser.get("/app/demo/leads/export.csv?q=Ada+Lovelace").status_code == 200
    assert browser.get("/app/demo/forms/talk-to-sales/responses.csv").status_code == 200

    rows = entries(db_engine, "export.download")
    assert [row.target_type for row in rows] == ["leads", "form"]
    assert "Lovelace" not in str(rows[0].details) and ["q", "(text)"] in rows[0].details["filters"]


# --- the page ----------------------------------------------------------------------------

@pytest.fixture
def admin_browser(demo):
    browser = demo.test_client()
    assert log_in(browser, DEMO_ADMIN, DEMO_PASSWORD).status_code == 303
    return browser


def test_admins_read_their_workspaces_entries_only(demo, admin_browser, db_engine):
    add_user(demo, "eve@beta.example", workspace="beta")
    log_in(demo.test_client(), "eve@beta.example")  # an entry in beta, not in demo

    page = admin_browser.get("/app/demo/audit/")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "auth.sign_in" in html and "eve@beta.example" not in html
    with Session(db_engine) as session:
        eve = session.scalar(select(User.id).where(User.email == "eve@beta.example"))
    foreign = admin_browser.get(f"/app/demo/audit/?actor={eve}")
    assert foreign.status_code == 400
    assert "Choose a member of this workspace" in foreign.get_data(as_text=True)
    assert "0 entries" in foreign.get_data(as_text=True)


def test_the_page_filters_by_action_actor_and_day(demo, admin_browser, db_engine):
    with Session(db_engine) as session:
        admin_id = session.scalar(select(User.id).where(User.email == DEMO_ADMIN))
    today = utcnow().date()

    by_action = admin_browser.get("/app/demo/audit/?action=auth.sign_in").get_data(as_text=True)
    by_actor = admin_browser.get(f"/app/demo/audit/?actor={admin_id}&action=form.publish")
    tomorrow = (today + timedelta(days=1)).isoformat()
    future = admin_browser.get(f"/app/demo/audit/?from={tomorrow}").get_data(as_text=True)
    bad = admin_browser.get("/app/demo/audit/?from=yesterday&action=nope")

    assert "1 entry" in by_action and "form.publish</code>" not in by_action
    assert "0 entries" in by_actor.get_data(as_text=True)  # the demo published it, not the admin
    assert "0 entries" in future
    assert bad.status_code == 400
    assert "not a date" in bad.get_data(as_text=True)
    assert "Choose one of the listed actions" in bad.get_data(as_text=True)


def test_the_page_is_paginated(demo, admin_browser, db_engine):
    with Session(db_engine) as session:
        workspace_id = session.scalar(select(Workspace.id).where(Workspace.slug == "demo"))
        for number in range(60):
            record(session, workspace_id, "scoring.change", summary=f"change {number:02d}")
        session.commit()

    first = admin_browser.get("/app/demo/audit/?action=scoring.change").get_data(as_text=True)
    second = admin_browser.get("/app/demo/audit/?action=scoring.change&page=2")

    assert "change 59" in first and "change 00" not in first and "Page 1 of 2" in first
    assert "change 00" in second.get_data(as_text=True)


def test_only_admins_open_the_audit_log(demo):
    add_user(demo, "mo@demo.example", workspace="demo", role="marketer")
    browser = demo.test_client()
    log_in(browser, "mo@demo.example")

    assert browser.get("/app/demo/audit/").status_code == 403
    assert demo.test_client().get("/app/demo/audit/").status_code == 302
