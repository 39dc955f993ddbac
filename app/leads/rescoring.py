"""Rescoring: a model change or new signals can move a lead; a new SQL takes the SQL path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.leads.qualification import Qualification, qualify
from app.models import Contact, Lead, Response, Workspace


@dataclass
class RescoreReport:
    leads: int = 0
    stage_changes: int = 0
    newly_qualified: int = 0


def rescore_lead(session: Session, workspace: Workspace, lead: Lead, now: datetime,
                 cause: str) -> Qualification:
    """Recompute one lead. Crossing into SQL routes it with its last form's rules
    (re-engagement): the same path, rep and alert as a new SQL."""
    contact = session.get(Contact, lead.contact_id)
    assert contact is not None
    response = session.get(Response, lead.last_response_id) if lead.last_response_id else None
    rules = _route_rules(response) if lead.stage != "sql" else None
    return qualify(session, workspace, contact, now, response=response, route_rules=rules,
                   cause=cause, route_only_if_sql=True)


def rescore_workspace(session: Session, workspace: Workspace, now: datetime) -> RescoreReport:
    report = RescoreReport()
    for lead in session.scalars(select(Lead).where(Lead.workspace_id == workspace.id)):
        before = lead.stage
        outcome = rescore_lead(session, workspace, lead, now, cause="rescore")
        report.leads += 1
        report.stage_changes += int(outcome.stage != before)
        report.newly_qualified += int(outcome.stage == "sql" and before != "sql")
    return report


def _route_rules(response: Response | None) -> list[dict[str, Any]] | None:
    if response is None:
        return None
    rules = response.version.definition.get("route")
    return rules if isinstance(rules, list) and rules else None
