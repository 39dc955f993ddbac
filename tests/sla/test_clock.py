"""The first-touch clock: started when a lead enters a stage with a target, stopped by a touch."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Lead, Workspace
from app.qualify.sla import SlaPolicy
from app.sales.actions import mark_contacted, set_stage
from app.sales.sla import save_policy
from tests.sla.conftest import T0
from tests.web.hosted import fill_demo
from tests.web.test_qualification import SALES_PATH


def the_lead(db_engine) -> Lead:
    with Session(db_engine) as session:
        return session.scalars(select(Lead)).one()


def test_a_new_sql_from_the_form_gets_the_sql_clock(demo, client, db_engine):
    with time_machine.travel(T0, tick=False):
        fill_demo(client, *SALES_PATH)

    lead = the_lead(db_engine)
    assert lead.stage == "sql"
    assert (lead.sla_stage, lead.sla_started_at, lead.sla_due_at) == (
        "sql", T0, T0 + timedelta(minutes=15))
    assert lead.sla_escalated_at is None and lead.first_touch_at is None


def test_without_targets_the_form_starts_no_clock(demo, client, db_engine):
    with Session(db_engine) as session:
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        workspace.settings = {**workspace.settings, "sla": {"targets": {}}}
        session.commit()
    fill_demo(client, *SALES_PATH)

    lead = the_lead(db_engine)
    assert lead.stage == "sql" and lead.sla_due_at is None and lead.sla_stage is None


def test_a_stage_moved_by_hand_starts_that_stages_clock(world, make_lead):
    lead = make_lead(stage="lead", minutes=None)
    later = T0 + timedelta(hours=1)
    set_stage(world.session, world.workspace, lead, None, "mql", later)

    assert (lead.sla_stage, lead.sla_started_at, lead.sla_due_at) == (
        "mql", later, later + timedelta(hours=4))


def test_moving_on_restarts_the_clock_and_clears_an_escalation(world, make_lead):
    lead = make_lead(stage="mql", minutes=240, sla_escalated_at=T0 + timedelta(hours=5))
    later = T0 + timedelta(hours=6)
    set_stage(world.session, world.workspace, lead, None, "sql", later)

    assert (lead.sla_stage, lead.sla_started_at, lead.sla_due_at, lead.sla_escalated_at) == (
        "sql", later, later + timedelta(minutes=15), None)


def test_a_stage_without_a_target_clears_the_clock(world, make_lead):
    lead = make_lead(stage="sql")
    set_stage(world.session, world.workspace, lead, None, "lead", T0 + timedelta(minutes=5))

    assert (lead.sla_stage, lead.sla_started_at, lead.sla_due_at) == (None, None, None)


def test_the_first_touch_stops_the_clock_for_good(world, make_lead):
    lead = make_lead(stage="mql", minutes=240)
    touched = T0 + timedelta(minutes=30)
    mark_contacted(world.session, world.workspace, lead, world.people["jordan"], touched)
    set_stage(world.session, world.workspace, lead, None, "sql", touched + timedelta(hours=1))

    assert lead.first_touch_at == touched
    # the stopped clock stays as it was: the compliance report reads it
    assert (lead.sla_stage, lead.sla_started_at, lead.sla_due_at) == (
        "mql", T0, T0 + timedelta(minutes=240))


def test_a_touch_by_the_system_is_no_first_touch(world, make_lead):
    lead = make_lead(stage="sql")
    mark_contacted(world.session, world.workspace, lead, None, T0 + timedelta(minutes=1))
    assert lead.first_touch_at is None


def test_new_targets_retime_running_clocks_only(world, make_lead):
    running = make_lead(stage="sql")
    other_stage = make_lead(stage="mql", minutes=240)
    touched = make_lead(stage="sql", touched=T0 + timedelta(minutes=3))
    escalated = make_lead(stage="sql", sla_escalated_at=T0 + timedelta(minutes=16))
    no_clock = make_lead(stage="sql", minutes=None)

    changed = save_policy(world.session, world.workspace, SlaPolicy({"sql": 60}))
    world.session.commit()

    assert changed == 2
    assert running.sla_due_at == T0 + timedelta(minutes=60)
    assert (other_stage.sla_stage, other_stage.sla_due_at) == (None, None)  # MQL: no target now
    assert touched.sla_due_at == escalated.sla_due_at == T0 + timedelta(minutes=15)
    assert no_clock.sla_due_at is None
    assert world.workspace.settings["sla"] == {"targets": {"sql": 60},
                                               "reassign_overdue": False}
    assert world.workspace.settings["competitor_domains"]  # the other settings stay
