"""Sales' actions on a lead: history, events, milestones, first touch and nurture archiving."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Lead, LeadEvent, OutboxEvent, User, Workspace, utcnow
from app.sales.actions import (
    LeadActionError,
    accept,
    archive_expired_nurture,
    dispose,
    mark_contacted,
    reassign,
    record_outcome,
    set_stage,
)
from tests.web.hosted import fill_demo
from tests.web.test_qualification import SALES_PATH


@pytest.fixture
def world(demo, client, db_engine):
    """An SQL lead in the demo workspace, and a session to act on it."""
    fill_demo(client, *SALES_PATH)
    with Session(db_engine, expire_on_commit=False) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        lead = session.scalars(select(Lead)).one()
        admin = session.scalars(select(User).where(User.email == "admin@demo.example")).one()
        yield session, workspace, lead, admin


def kinds(session, lead):
    return [row.kind for row in session.scalars(
        select(LeadEvent).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id))]


def events(session):
    return list(session.scalars(select(OutboxEvent.kind).order_by(OutboxEvent.id)))


def test_accepting_sets_the_milestone_and_the_first_touch(world):
    session, workspace, lead, admin = world
    now = utcnow()
    accept(session, workspace, lead, admin, now)
    session.commit()

    assert lead.accepted_at == now and lead.first_touch_at == now
    assert lead.first_touch_by_id == admin.id
    assert kinds(session, lead)[-1] == "accepted"
    assert events(session)[-1] == "lead.accepted"
    later = now + timedelta(hours=1)
    mark_contacted(session, workspace, lead, admin, later, note="called")
    assert lead.first_touch_at == now  # the first touch stays the first


def test_a_disposition_recycles_into_its_track_and_records_why(world):
    session, workspace, lead, admin = world
    now = utcnow()
    dispose(session, workspace, lead, admin, "no_budget", "  Next fiscal year ", now)
    session.commit()

    assert lead.stage == "recycled" and lead.disposition == "no_budget"
    assert lead.disposition_note == "Next fiscal year"
    assert lead.nurture_track == "recycle-no-budget"
    assert lead.nurture_until == now + timedelta(days=180) and lead.archived_at is None
    assert lead.sql_at is not None  # milestones stay reached
    history = session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)
                              .order_by(LeadEvent.id.desc()).limit(2)).all()
    assert [(h.kind, h.user_id) for h in history] == [("stage", admin.id),
                                                      ("disposition", admin.id)]
    assert history[0].from_stage == "sql" and history[0].to_stage == "recycled"
    assert events(session)[-2:] == ["lead.stage_changed", "lead.disposition"]
    payload = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert payload.payload["data"]["code"] == "no_budget"
    assert payload.payload["data"]["contact"]["email"] == "ada@example.com"


def test_spam_is_disqualified_and_archived_at_once(world):
    session, workspace, lead, admin = world
    dispose(session, workspace, lead, admin, "spam", "", utcnow())
    assert lead.stage == "disqualified" and lead.archived_at is not None
    assert lead.nurture_track is None


def test_bad_input_is_refused_and_changes_nothing(world):
    session, workspace, lead, admin = world
    with pytest.raises(LeadActionError, match="Unknown disposition"):
        dispose(session, workspace, lead, admin, "meh", "", utcnow())
    with pytest.raises(LeadActionError, match="too long"):
        dispose(session, workspace, lead, admin, "not_now", "x" * 2001, utcnow())
    with pytest.raises(LeadActionError, match="won or lost"):
        record_outcome(session, workspace, lead, admin, "tie", utcnow())
    with pytest.raises(LeadActionError, match="Unknown stage"):
        set_stage(session, workspace, lead, admin, "hot", utcnow())
    with pytest.raises(LeadActionError, match="member of this workspace"):
        reassign(session, workspace, lead, admin, 999_999, utcnow())
    assert lead.stage == "sql" and lead.disposition is None and lead.outcome is None
    assert session.new == set() or all(not isinstance(o, LeadEvent) for o in session.new)


def test_reassigning_gives_the_lead_to_another_member(world):
    session, workspace, lead, admin = world
    reassign(session, workspace, lead, admin, admin.id, utcnow())
    session.commit()
    assert lead.owner_id == admin.id
    assert kinds(session, lead)[-1] == "reassigned"
    assert events(session)[-1] == "lead.reassigned"


def test_won_closes_the_loop_and_implies_accepted(world):
    session, workspace, lead, admin = world
    now = utcnow()
    record_outcome(session, workspace, lead, admin, "won", now, note="Annual plan")
    session.commit()
    assert (lead.outcome, lead.outcome_at, lead.accepted_at) == ("won", now, now)
    assert events(session)[-1] == "lead.outcome"


def test_a_manual_stage_move_reaches_milestones(world):
    session, workspace, lead, admin = world
    lead.stage, lead.mql_at, lead.sql_at = "lead", None, None
    now = utcnow()
    assert set_stage(session, workspace, lead, admin, "sql", now, why="CRM says so")
    assert lead.mql_at == lead.sql_at == now
    assert not set_stage(session, workspace, lead, admin, "sql", now)


def test_nurture_ends_in_the_archive(world):
    session, workspace, lead, admin = world
    now = utcnow()
    dispose(session, workspace, lead, admin, "not_now", "", now)
    session.commit()
    assert archive_expired_nurture(session, now + timedelta(days=89)) == 0
    assert archive_expired_nurture(session, now + timedelta(days=91)) == 1
    session.commit()
    assert lead.archived_at is not None and kinds(session, lead)[-1] == "archived"
    assert archive_expired_nurture(session, now + timedelta(days=200)) == 0


def test_a_lead_of_another_workspace_is_refused(world):
    session, workspace, lead, admin = world
    other = Workspace(slug="other", name="Other", settings={})
    session.add(other)
    session.flush()
    with pytest.raises(LookupError):
        accept(session, other, lead, admin, utcnow())


def test_slack_renders_every_sales_event(world):
    from app.alerts.slack import slack_message

    session, workspace, lead, admin = world
    now = utcnow()
    accept(session, workspace, lead, admin, now)
    reassign(session, workspace, lead, admin, admin.id, now)
    record_outcome(session, workspace, lead, admin, "lost", now)
    dispose(session, workspace, lead, admin, "not_now", "<!channel> later", now)
    session.flush()
    for event in session.scalars(select(OutboxEvent).where(OutboxEvent.kind.in_(
            ["lead.accepted", "lead.reassigned", "lead.outcome", "lead.disposition"]))):
        message = slack_message(event)
        assert message["blocks"] and "<!channel>" not in str(message)
