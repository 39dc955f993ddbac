"""Qualify in the submit's transaction: facts → score → stage → route → rep → history → outbox.

The decisions are pure (`app.qualify`); this module gathers the facts, applies
the decisions to the lead, records why, and queues the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import metrics
from app.alerts.outbox import emit
from app.alerts.payloads import lead_alert_data
from app.leads.scoring_models import EMPTY_MODEL, current_model
from app.leads.signals import signal_facts
from app.leads.teams import assign_lead, find_team
from app.models import Contact, FormVersion, Lead, LeadEvent, Response, User, Workspace
from app.profiling.contacts import fresh_properties
from app.qualify import Destination, Score, route, score, stage_for, top_reasons
from app.sales.sla import on_stage_entered


@dataclass
class Qualification:
    lead: Lead
    score: Score
    stage: str
    destination: Destination | None = None
    rep_name: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


def build_facts(session: Session, workspace: Workspace, contact: Contact,
                response: Response | None, now: datetime) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "answers": dict(response.answers) if response else {},
        "hidden": dict(response.hidden) if response else {},
        "contact": fresh_properties(session, workspace, contact.id, now),
        "signals": signal_facts(session, workspace.id, now, contact_id=contact.id,
                                visitor_token=response.visitor_id if response else None),
        "workspace": {"competitor_domains": list(
            (workspace.settings or {}).get("competitor_domains", []))},
        "submission": {},
    }
    if response is not None:
        version = session.get(FormVersion, response.version_id)
        facts["submission"] = {
            "form": version.form.slug if version else None,
            "version": version.number if version else None,
            "at": (response.completed_at or now).isoformat(),
        }
    return facts


def qualify(session: Session, workspace: Workspace, contact: Contact, now: datetime, *,
            response: Response | None, route_rules: list[dict[str, Any]] | None,
            cause: str, route_only_if_sql: bool = False, routed: bool = True
            ) -> Qualification:
    """Score and stage the contact's lead; route and assign when there are rules to follow.

    `response` supplies the answers (a new submit, or the lead's last response
    when rescoring); `cause` is recorded in the history (`response`, `signal`,
    `rescore`...). With `route_only_if_sql`, rules apply only to a lead that
    reaches SQL: re-engagement takes the new-SQL path, nobody else is re-routed.
    `routed=False` marks rules that stand for an ending's own destination, whose
    single rule is no fallback.
    """
    # No autoflush: the lead, its history and the counters go to the database in one
    # flush before the first event needs the lead's id, not after every query.
    with session.no_autoflush:
        lead, created = _lead_for(session, workspace, contact, now)
        model_row = current_model(session, workspace.id)
        model = model_row.model if model_row else EMPTY_MODEL
        facts = build_facts(session, workspace, contact, response, now)
        result = score(model, facts, now)
        previous = lead.stage
        decision = stage_for(result, model, facts, previous)
        lead.fit, lead.intent, lead.total = result.fit, result.intent, result.total
        lead.reasons = [reason.as_dict() for reason in result.reasons]
        lead.scoring_model_id = model_row.id if model_row else None
        lead.scored_at = now
        if response is not None and cause == "response":
            lead.last_response_id = response.id
            _attribute(lead, response)
        outcome = Qualification(lead=lead, score=result, stage=decision.stage,
                                errors=[error.as_dict() for error in result.errors])
        if result.errors:
            _history(session, lead, "error", cause, response, now, {"errors": outcome.errors})
        facts["lead"] = {"stage": decision.stage, "fit": result.fit, "intent": result.intent,
                         "total": result.total}
        if route_rules and (not route_only_if_sql or decision.stage == "sql"):
            outcome.destination = route(route_rules, facts)
            if not routed:
                outcome.destination = replace(outcome.destination, fallback=False)
            _apply_destination(session, workspace, lead, outcome, facts, cause, response, now)
        change = _change_stage(session, lead, previous, outcome.stage, decision.reason, cause,
                               response, now, new_lead=created)
        new_response = response is not None and cause == "response"
        if change or new_response:
            data = lead_alert_data(
                session, workspace, contact, _flushed(session, lead), known=facts["contact"],
                destination=outcome.destination.as_dict() if outcome.destination else None,
                top_reasons=[r.as_dict() for r in top_reasons(outcome.score, 3)],
                stage=outcome.stage, response=response)
            if change:
                emit(session, workspace.id, "lead.stage_changed", {**data, "change": change},
                     now, contact_id=contact.id)
                if change["to"] == "sql":
                    emit(session, workspace.id, "lead.qualified", {**data, "change": change},
                         now, contact_id=contact.id)
            if new_response:
                emit(session, workspace.id, "response.completed", data, now,
                     contact_id=contact.id)
    session.flush()
    return outcome


def _lead_for(session: Session, workspace: Workspace, contact: Contact, now: datetime
              ) -> tuple[Lead, bool]:
    """The contact's lead, and whether it is new (added, not flushed yet)."""
    lead = session.scalar(select(Lead).where(Lead.contact_id == contact.id))
    if lead is not None:
        return lead, False
    lead = Lead(workspace_id=workspace.id, contact_id=contact.id, stage="lead",
                reasons=[], destination={}, created_at=now, stage_changed_at=now)
    session.add(lead)
    return lead, True


def _flushed(session: Session, lead: Lead) -> Lead:
    """The lead with its id, flushing a new one (and what is pending with it) first."""
    if lead.id is None:
        session.flush()
    return lead


def _apply_destination(session: Session, workspace: Workspace, lead: Lead,
                       outcome: Qualification, facts: dict[str, Any], cause: str,
                       response: Response | None, now: datetime) -> None:
    destination = outcome.destination
    assert destination is not None
    lead.destination = destination.as_dict()
    details: dict[str, Any] = {"destination": destination.as_dict()}
    if destination.kind == "disqualify":
        outcome.stage = "disqualified"
    elif destination.kind == "nurture":
        lead.nurture_track = destination.target
    elif destination.kind == "book":
        team = find_team(session, workspace.id, destination.target.split("/", 1)[0])
        if team is not None:
            choice, member_user = assign_lead(session, team, facts, now.date())
            lead.team_id, lead.owner_id = team.id, choice.rep_id
            lead.assignment_reason = choice.why[:300]
            outcome.rep_name = _rep_name(session, choice.rep_id, member_user)
            details["assignment"] = {"rep_id": choice.rep_id, "why": choice.why}
    _history(session, lead, "route", cause, response, now, details)
    if destination.fallback:
        emit(session, workspace.id, "route.fallback_hit",
             {"lead_id": _flushed(session, lead).id, "destination": destination.as_dict()}, now,
             contact_id=lead.contact_id)


def _change_stage(session: Session, lead: Lead, previous: str, stage: str, why: str,
                  cause: str, response: Response | None, now: datetime, *,
                  new_lead: bool = False) -> dict[str, Any] | None:
    """Move the lead and record it; returns the change when the stage really moved."""
    first = new_lead or not _has_history(session, lead)  # a new lead records where it starts
    if stage == previous and not first:
        return None
    lead.stage, lead.stage_changed_at = stage, now
    mark_milestone(lead, stage, now)
    on_stage_entered(session, lead, now)
    _history(session, lead, "stage", cause, response, now, {"reason": why},
             from_stage=None if first else previous, to_stage=stage)
    if stage == previous:
        return None
    metrics.count_stage_change(session, stage)
    return {"from": previous, "to": stage, "reason": why}


def mark_milestone(lead: Lead, stage: str, now: datetime) -> None:
    """Record when the lead first reached MQL or SQL (an SQL has passed MQL too).

    Milestones never move back with the stage: conversion reports count what was reached.
    """
    if stage in ("mql", "sql") and lead.mql_at is None:
        lead.mql_at = now
    if stage == "sql" and lead.sql_at is None:
        lead.sql_at = now


def _attribute(lead: Lead, response: Response) -> None:
    """First touch: the first response that completed for this lead names its origin."""
    if lead.origin_response_id is not None:
        return
    lead.origin_response_id = response.id
    lead.origin_form_id, lead.origin_version_id = response.form_id, response.version_id
    lead.source, lead.campaign = response.source, response.campaign


def _has_history(session: Session, lead: Lead) -> bool:
    first = select(LeadEvent.id).where(LeadEvent.lead_id == lead.id, LeadEvent.kind == "stage")
    return session.scalar(first.limit(1)) is not None


def _history(session: Session, lead: Lead, kind: str, cause: str, response: Response | None,
             now: datetime, details: dict[str, Any], *, from_stage: str | None = None,
             to_stage: str | None = None) -> None:
    """Add a history row; it is written with the lead at the next flush."""
    session.add(LeadEvent(workspace_id=lead.workspace_id, lead=lead, kind=kind,
                          cause=cause, cause_id=response.id if response else None,
                          from_stage=from_stage, to_stage=to_stage, details=details, at=now))


def _rep_name(session: Session, user_id: int | None, known: User | None = None) -> str | None:
    user = known if known is not None else (
        session.get(User, user_id) if user_id is not None else None)
    return (user.name or user.email) if user else None
