"""The daily rollups, on both databases: reports read from them equal the same reports
counted from the raw rows (tests/analytics/raw_reports.py) over randomised data that
is written, changed and deleted the ways the app does; `analytics rebuild` repairs them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.analytics import funnel_queries, lead_queries
from app.analytics.conversion import GROUPS
from app.analytics.ranges import DateRange
from app.analytics.recording import record_step
from app.analytics.rollups import rebuild
from app.models import (
    Contact,
    Form,
    FormVersion,
    Lead,
    LeadDay,
    LeadScoreDay,
    Response,
    ResponseDay,
    StepDay,
    Workspace,
)
from app.responses.service import mark_abandoned
from tests.analytics import raw_reports

START = datetime(2026, 3, 1, tzinfo=UTC)
DAYS = 40
SOURCES = [None, "google", "direct", "linkedin", "newsletter", "bing"]
CAMPAIGNS = [None, "spring", "brand", "retargeting"]


@dataclass
class Randomised:
    workspaces: list[Workspace]
    forms: list[Form]


def moment(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randrange(DAYS * 86400))


def maybe(rng: random.Random, when: datetime, chance: float) -> datetime | None:
    return when + timedelta(seconds=rng.choice([0, 30, 299, 300, 900, 3599, 7200, 90000,
                                                 200000])) if rng.random() < chance else None


def _forms(session: Session, workspace: Workspace) -> list[tuple[Form, list[FormVersion]]]:
    made = []
    for index in range(2):
        steps = [f"s{number}" for number in range(3 + index)]
        form = Form(workspace_id=workspace.id, slug=f"form-{index}", name=f"Form {index}",
                    draft={"steps": []})
        session.add(form)
        session.flush()
        versions = []
        for number in (1, 2):
            definition = {"title": form.name, "steps": [
                {"id": step, "title": step.upper()} for step in steps[:len(steps) - 2 + number]]}
            version = FormVersion(workspace_id=workspace.id, form_id=form.id, number=number,
                                  definition=definition, content_hash=f"{form.slug}-{number}")
            session.add(version)
            versions.append(version)
        session.flush()
        made.append((form, versions))
    return made


def _responses(session: Session, rng: random.Random, forms, count: int) -> None:
    """Responses walked step by step, as the hosted form does: steps got past, screens
    moved on (and back), some completed; flushes in between, as requests would."""
    for _ in range(count):
        form, versions = rng.choice(forms)
        version = rng.choice(versions)
        steps = [step["id"] for step in version.definition["steps"]]
        started = moment(rng)
        response = Response(workspace_id=form.workspace_id, form_id=form.id,
                            version_id=version.id, current_step=steps[0], started_at=started,
                            source=rng.choice(SOURCES[1:]))
        session.add(response)
        session.flush()
        for position, step in enumerate(steps):
            if rng.random() < 0.25:
                break
            record_step(session, workspace_id=form.workspace_id, response_id=response.id,
                        form_id=form.id, version_id=version.id, step_id=step,
                        at=started + timedelta(minutes=position + 1), started_at=started)
            if rng.random() < 0.2:  # a second pass over the same step counts once
                record_step(session, workspace_id=form.workspace_id, response_id=response.id,
                            form_id=form.id, version_id=version.id, step_id=step,
                            at=started + timedelta(minutes=position + 2), started_at=started)
            if position + 1 < len(steps):
                response.current_step = steps[position + 1]
            else:
                response.state, response.current_step = "completed", None
                response.completed_at = started + timedelta(minutes=position + 1)
            if rng.random() < 0.5:
                session.flush()
        if response.state != "completed" and rng.random() < 0.2:
            response.current_step = steps[0]  # went back
        if response.state != "completed" and rng.random() < 0.3:
            response.state = "abandoned"
    session.commit()


def _leads(session: Session, rng: random.Random, workspace: Workspace, forms, count: int
           ) -> None:
    for number in range(count):
        created = moment(rng)
        contact = Contact(workspace_id=workspace.id, email=f"p{number}@x.example",
                          created_at=created)
        session.add(contact)
        session.flush()
        form, versions = rng.choice(forms)
        from_form = rng.random() < 0.8
        mql = maybe(rng, created, 0.5)
        session.add(Lead(
            workspace_id=workspace.id, contact_id=contact.id, created_at=created,
            source=rng.choice(SOURCES), campaign=rng.choice(CAMPAIGNS),
            origin_form_id=form.id if from_form else None,
            origin_version_id=rng.choice(versions).id if from_form else None,
            total=round(rng.uniform(-20, 100), 1), mql_at=mql,
            sql_at=maybe(rng, created, 0.3) if mql else None, booked_at=maybe(rng, created, 0.2),
            accepted_at=maybe(rng, created, 0.2), outcome=rng.choice([None, None, "won", "lost"]),
            sla_started_at=maybe(rng, created, 0.3), first_touch_at=maybe(rng, created, 0.5)))
        if rng.random() < 0.3:
            session.commit()  # later changes then meet expired, reloaded leads
    session.commit()


def _change_leads(session: Session, rng: random.Random, workspace: Workspace) -> None:
    """What sales, rescoring and erasure do to leads after they were created."""
    leads = list(session.scalars(select(Lead).where(Lead.workspace_id == workspace.id)))
    session.expire_all()
    for lead in leads:
        roll = rng.random()
        if roll < 0.15:
            lead.first_touch_at = lead.first_touch_at or lead.created_at + timedelta(minutes=7)
            lead.accepted_at = lead.created_at + timedelta(hours=2)
        elif roll < 0.3:
            lead.total = round(rng.uniform(-20, 100), 1)
            lead.mql_at = lead.mql_at or lead.created_at + timedelta(minutes=1)
        elif roll < 0.4:
            lead.outcome = rng.choice(["won", "lost", None])
            lead.sla_started_at = None
        elif roll < 0.45:
            lead.source, lead.campaign = "partner", None
        elif roll < 0.5:
            session.delete(lead)
        if rng.random() < 0.2:
            session.flush()
    session.commit()


def build_randomised(session: Session, seed: int) -> Randomised:
    rng = random.Random(seed)
    workspaces, all_forms = [], []
    for slug in ("acme", "beta"):
        workspace = Workspace(slug=slug, name=slug.title(), settings={})
        session.add(workspace)
        session.flush()
        forms = _forms(session, workspace)
        _responses(session, rng, forms, 60)
        _leads(session, rng, workspace, forms, 50)
        _change_leads(session, rng, workspace)
        workspaces.append(workspace)
        all_forms += [form for form, _ in forms]
    # Idle responses, abandoned in bulk (an UPDATE that bypasses the ORM).
    idle = list(session.scalars(select(Response.id).where(Response.state == "in_progress")))
    session.execute(update(Response).where(Response.id.in_(idle[::2]))
                    .values(updated_at=START))
    session.commit()
    assert mark_abandoned(session, START + timedelta(days=1)) == len(idle[::2])
    session.commit()
    return Randomised(workspaces, all_forms)


def periods(rng: random.Random) -> list[DateRange]:
    first = START.date()
    chosen = [DateRange(first, first + timedelta(days=DAYS), "custom"),
              DateRange(date(2025, 1, 1), date(2025, 1, 31), "custom")]
    for _ in range(3):
        begin = first + timedelta(days=rng.randrange(DAYS))
        chosen.append(DateRange(begin, begin + timedelta(days=rng.randrange(12)), "custom"))
    return chosen


def reports(module, session: Session, world: Randomised, period: DateRange) -> list:
    """Every report the pages show, as plain values, from `module`'s queries."""
    found: list = []
    for workspace in world.workspaces:
        found.append(module.form_totals(session, workspace.id, period))
        form_ids = [None, *(form.id for form in world.forms
                            if form.workspace_id == workspace.id)]
        for form_id in form_ids:
            for group in GROUPS:
                for limit in (2, 25):
                    found.append(module.conversion(session, workspace.id, period, group,
                                                   form_id, limit=limit))
            found.append(module.speed(session, workspace.id, period, form_id))
            found.append(module.score_histogram(session, workspace.id, period, form_id))
    for form in world.forms:
        versions = funnel_queries.form_versions(session, form)
        for version in [None, *versions]:
            found.append(module.form_funnel(session, form, period, version, versions))
    return found


class Queries:
    """The app's rollup-backed queries under the reference module's names."""

    form_totals = staticmethod(funnel_queries.form_totals)
    form_funnel = staticmethod(funnel_queries.form_funnel)
    conversion = staticmethod(lead_queries.conversion)
    speed = staticmethod(lead_queries.speed)
    score_histogram = staticmethod(lead_queries.score_histogram)


@pytest.mark.parametrize("seed", [1, 2])
def test_reports_from_rollups_equal_reports_from_raw_rows(session, seed):
    world = build_randomised(session, seed)

    for period in periods(random.Random(seed)):
        from_rollups = reports(Queries, session, world, period)
        from_raw = reports(raw_reports, session, world, period)

        assert from_rollups == from_raw, period
    assert any(table.total.leads for table in from_rollups if hasattr(table, "total"))


def rollup_rows(session: Session) -> dict:
    return {model.__tablename__: sorted(
        tuple(row) for row in session.execute(select(*model.__table__.columns)).all()
        if any(getattr(row, name) for name in ("responses", "passed", "leads")
               if name in row._fields))
        for model in (ResponseDay, StepDay, LeadDay, LeadScoreDay)}


def test_a_rebuild_counts_exactly_what_the_writes_counted(session):
    build_randomised(session, 3)
    kept = rollup_rows(session)

    rebuild(session)
    session.commit()

    assert rollup_rows(session) == kept and all(kept.values())


def test_rebuild_restores_a_deleted_and_a_corrupted_rollup_of_one_workspace(cli, session):
    world = build_randomised(session, 4)
    acme, beta = world.workspaces
    period = DateRange(START.date(), START.date() + timedelta(days=DAYS), "custom")
    expected = reports(raw_reports, session, world, period)
    session.execute(delete(LeadDay).where(LeadDay.workspace_id == acme.id))
    session.execute(delete(StepDay).where(StepDay.workspace_id == acme.id))
    session.execute(update(ResponseDay).where(ResponseDay.workspace_id == acme.id)
                    .values(responses=ResponseDay.responses + 5))
    session.execute(update(LeadScoreDay).values(wait_lt5m=7))  # beta's too
    session.commit()
    assert reports(Queries, session, world, period) != expected
    session.rollback()  # end the read: the command writes from its own session

    done = cli.invoke(args=["analytics", "rebuild", "--workspace", "acme"])
    assert done.exit_code == 0, done.output
    session.rollback()  # a fresh read (SQLite keeps a snapshot per transaction)
    beta_waits = session.scalar(select(func.min(LeadScoreDay.wait_lt5m))
                                .where(LeadScoreDay.workspace_id == beta.id))
    assert beta_waits == 7  # only acme was rebuilt
    session.rollback()

    done = cli.invoke(args=["analytics", "rebuild"])
    assert done.exit_code == 0, done.output
    session.rollback()
    assert reports(Queries, session, world, period) == expected


def test_rebuild_of_an_unknown_workspace_says_so(cli):
    done = cli.invoke(args=["analytics", "rebuild", "--workspace", "nope"])

    assert done.exit_code == 1 and "nope" in done.output


def test_erasing_a_person_takes_their_lead_out_of_the_rollups_too(session):
    from app.profiling.erasure import erase_person

    world = build_randomised(session, 5)
    acme = world.workspaces[0]
    period = DateRange(START.date(), START.date() + timedelta(days=DAYS), "custom")
    emails = list(session.scalars(select(Contact.email).join(Lead, Lead.contact_id == Contact.id)
                                  .where(Contact.workspace_id == acme.id).limit(5)))
    before = lead_queries.conversion(session, acme.id, period, "source").total.leads

    for email in emails:
        erase_person(session, acme.id, email)
    session.commit()

    assert lead_queries.conversion(session, acme.id, period, "source").total.leads == (
        before - len(emails))
    assert reports(Queries, session, world, period) == reports(raw_reports, session, world,
                                                               period)


def test_the_migration_backfills_the_rollups_from_the_rows_already_there(session,
                                                                          database_url):
    from app.migrate import downgrade, upgrade

    build_randomised(session, 6)
    counted = rollup_rows(session)
    session.close()  # DDL ahead: no open transaction of ours may hold the tables

    downgrade(database_url, "b2d4f6a8c0e1-1")  # before the rollups (and what came after)
    upgrade(database_url)

    assert rollup_rows(session) == counted and all(counted.values())


def test_a_savepoint_rolled_back_takes_its_rollup_changes_back_and_a_released_one_keeps_them(
        session):
    """The counts wait for COMMIT, except inside a savepoint (booking, SLA escalation),
    where a rollback must undo them with the rows they came from."""
    workspace = Workspace(slug="acme", name="Acme", settings={})
    session.add(workspace)
    session.flush()
    [(form, [version, _])] = _forms(session, workspace)[:1]
    kept = Response(workspace_id=workspace.id, form_id=form.id, version_id=version.id,
                    current_step="s0", started_at=START)
    undone = Response(workspace_id=workspace.id, form_id=form.id, version_id=version.id,
                      current_step="s0", started_at=START)
    session.add_all([kept, undone])
    session.flush()
    with session.begin_nested():
        kept.current_step = "s1"
    savepoint = session.begin_nested()
    undone.state = "completed"
    session.flush()
    savepoint.rollback()
    session.commit()

    counts = {(row.state, row.screen): row.responses
              for row in session.scalars(select(ResponseDay))}
    assert {key: value for key, value in counts.items() if value} == {
        ("in_progress", "s1"): 1, ("in_progress", "s0"): 1}
    session.expire_all()
    assert rollup_rows(session) == _rebuilt(session)


def _rebuilt(session: Session) -> dict:
    rebuild(session)
    session.flush()
    return rollup_rows(session)
