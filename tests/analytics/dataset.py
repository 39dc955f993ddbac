"""A small hand-made workspace whose funnel and lead numbers are worked out by hand.

March 2026 is the range under test. Workspace `acme` has the form "Demo request" in two
versions (v2 adds a `consent` step) and an empty form; `beta` has lookalike data that
must never be counted for acme. The comments say what each row contributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.models import (
    Contact,
    Form,
    FormVersion,
    FormView,
    Lead,
    Response,
    ResponseStep,
    Workspace,
)

MARCH = {"range": "custom", "from": "2026-03-01", "to": "2026-03-31"}
V1 = {"title": "Demo request", "steps": [
    {"id": "you", "title": "About you"}, {"id": "company", "title": "Your company"},
    {"id": "needs", "title": "Your project"}]}
V2 = {"title": "Demo request", "steps": [*V1["steps"], {"id": "consent", "title": "Almost done"}]}


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, month: int = 3
       ) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class World:
    acme: Workspace
    beta: Workspace
    form: Form
    empty_form: Form
    v1: FormVersion
    v2: FormVersion
    beta_form: Form


def _form(session: Session, workspace: Workspace, slug: str, name: str,
          *definitions: dict, status: str = "active") -> tuple[Form, list[FormVersion]]:
    form = Form(workspace_id=workspace.id, slug=slug, name=name, draft=definitions[-1]
                if definitions else {"steps": []}, status=status)
    session.add(form)
    session.flush()
    versions = []
    for number, definition in enumerate(definitions, start=1):
        version = FormVersion(workspace_id=workspace.id, form_id=form.id, number=number,
                              definition=definition, content_hash=f"{slug}-{number}",
                              published_at=at(1, month=1))
        session.add(version)
        versions.append(version)
    session.flush()
    return form, versions


def _response(session: Session, version: FormVersion, started: datetime, state: str,
              steps: list[tuple[str, datetime]], current: str | None = None) -> Response:
    response = Response(workspace_id=version.workspace_id, form_id=version.form_id,
                        version_id=version.id, state=state, current_step=current,
                        started_at=started, updated_at=started,
                        completed_at=steps[-1][1] if state == "completed" else None)
    session.add(response)
    session.flush()
    for step_id, when in steps:
        session.add(ResponseStep(workspace_id=version.workspace_id, response_id=response.id,
                                 form_id=version.form_id, version_id=version.id,
                                 step_id=step_id, at=when))
    return response


def _lead(session: Session, workspace: Workspace, email: str, created: datetime,
          **fields) -> Lead:
    contact = Contact(workspace_id=workspace.id, email=email, created_at=created)
    session.add(contact)
    session.flush()
    lead = Lead(workspace_id=workspace.id, contact_id=contact.id, created_at=created,
                stage=fields.pop("stage", "lead"), **fields)
    session.add(lead)
    return lead


def build(session: Session) -> World:
    acme = Workspace(slug="acme", name="Acme", settings={})
    beta = Workspace(slug="beta", name="Beta", settings={})
    session.add_all([acme, beta])
    session.flush()
    form, (v1, v2) = _form(session, acme, "demo-request", "Demo request", V1, V2)
    empty_form, _ = _form(session, acme, "webinar", "Webinar", V1)
    _form(session, acme, "old", "Old form", V1, status="archived")
    beta_form, (beta_v1,) = _form(session, beta, "beta-demo", "Beta's demo request", V1)

    # Views: 10 of v1 and 5 of v2 in March; the two outside it are not counted.
    session.add_all([
        FormView(workspace_id=acme.id, form_id=form.id, version_id=v1.id,
                 day=date(2026, 3, 1), views=10),
        FormView(workspace_id=acme.id, form_id=form.id, version_id=v2.id,
                 day=date(2026, 3, 15), views=5),
        FormView(workspace_id=acme.id, form_id=form.id, version_id=v2.id,
                 day=date(2026, 4, 1), views=7),
        FormView(workspace_id=acme.id, form_id=form.id, version_id=v1.id,
                 day=date(2026, 2, 28), views=3),
        FormView(workspace_id=beta.id, form_id=beta_form.id, version_id=beta_v1.id,
                 day=date(2026, 3, 10), views=100),
    ])
    # Responses: r1, r2 (v1) complete; r3 (v2) abandoned on company, r4 (v2) still on needs,
    # r5 (v2) abandoned on the first step; r6 started in February (not counted); r7 (v2)
    # started on the last evening of March and completed on 1 April (counted: a cohort).
    _response(session, v1, at(2), "completed", [("you", at(2)), ("company", at(2)),
                                                 ("needs", at(2, 13))])
    _response(session, v1, at(3), "completed", [("you", at(3)), ("company", at(3)),
                                                 ("needs", at(3))])
    _response(session, v2, at(4), "abandoned", [("you", at(4))], current="company")
    _response(session, v2, at(5), "in_progress", [("you", at(5)), ("company", at(5))],
              current="needs")
    _response(session, v2, at(6), "abandoned", [], current="you")
    _response(session, v1, at(28, 23, 59, 59, month=2), "completed",
              [("you", at(1)), ("company", at(1)), ("needs", at(1))])
    _response(session, v2, at(31, 23), "completed",
              [("you", at(31, 23, 30)), ("company", at(1, 0, 10, month=4)),
               ("needs", at(1, 0, 20, month=4)), ("consent", at(1, 0, 30, month=4))])
    _response(session, beta_v1, at(10), "completed", [("you", at(10)), ("company", at(10)),
                                                       ("needs", at(10))])

    t = at(10, 9)
    # L1 google/spring v1 82.5: every milestone, won; touched 3 min after its SLA clock.
    _lead(session, acme, "l1@x.example", t, source="google", campaign="spring",
          origin_form_id=form.id, origin_version_id=v1.id, total=82.5, mql_at=t, sql_at=t,
          booked_at=t, accepted_at=t, outcome="won", outcome_at=t, sla_started_at=t,
          first_touch_at=t + timedelta(minutes=3))
    # L2 google/spring v2 71: up to accepted, lost; clock started a minute late, 10 min wait.
    _lead(session, acme, "l2@x.example", t, source="google", campaign="spring",
          origin_form_id=form.id, origin_version_id=v2.id, total=71, mql_at=t, sql_at=t,
          booked_at=t, accepted_at=t, outcome="lost", outcome_at=t,
          sla_started_at=t + timedelta(minutes=1), first_touch_at=t + timedelta(minutes=11))
    # L3 linkedin v2 45: an MQL, touched 2 h after it was created.
    _lead(session, acme, "l3@x.example", t, source="linkedin", origin_form_id=form.id,
          origin_version_id=v2.id, total=45, mql_at=t, first_touch_at=t + timedelta(hours=2))
    # L4 linkedin, from no form, 12: never qualified nor touched (not sales' yet).
    _lead(session, acme, "l4@x.example", t, source="linkedin", total=12)
    # L5 no source, fall, v1, -5.5: an MQL nobody has touched.
    _lead(session, acme, "l5@x.example", t, campaign="fall", origin_form_id=form.id,
          origin_version_id=v1.id, total=-5.5, mql_at=t)
    # L6 created in February: not counted.
    _lead(session, acme, "l6@x.example", at(27, month=2), source="google", total=90,
          mql_at=t, sql_at=t, accepted_at=t, first_touch_at=t)
    # L7 newsletter v1 55: SQL, accepted and won without a booking; touched after 30 h.
    _lead(session, acme, "l7@x.example", t, source="newsletter", origin_form_id=form.id,
          origin_version_id=v1.id, total=55, mql_at=t, sql_at=t, accepted_at=t,
          outcome="won", outcome_at=t, sla_started_at=t,
          first_touch_at=t + timedelta(hours=30))
    # L8 google v2 38.9: never qualified, but a rep touched it after 20 min.
    _lead(session, acme, "l8@x.example", t, source="google", origin_form_id=form.id,
          origin_version_id=v2.id, total=38.9, first_touch_at=t + timedelta(minutes=20))
    # Beta's lead, in March too: never acme's.
    _lead(session, beta, "l1@x.example", t, source="google", origin_form_id=beta_form.id,
          total=99, mql_at=t, sql_at=t, accepted_at=t, outcome="won",
          first_touch_at=t + timedelta(minutes=1))
    session.commit()
    return World(acme, beta, form, empty_form, v1, v2, beta_form)
