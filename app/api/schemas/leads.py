"""Leads: score with reasons, stage, owner, milestones; the CRM's closed loop."""

from __future__ import annotations

import marshmallow as ma

from app.api.pagination import MAX_ID, PageArgs, page_schema
from app.qualify.dispositions import DISPOSITION_CODES, OUTCOMES
from app.qualify.stages import STAGES

NOTE_MAX = 2000


class ScoreSchema(ma.Schema):
    fit = ma.fields.Float(required=True)
    intent = ma.fields.Float(required=True)
    total = ma.fields.Float(required=True)


class PersonSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class LeadContactSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)


class OriginSchema(ma.Schema):
    form = ma.fields.String(required=True, allow_none=True, metadata={"description": "Slug"})
    version = ma.fields.Integer(required=True, allow_none=True)
    response_id = ma.fields.Integer(required=True, allow_none=True)
    source = ma.fields.String(required=True, allow_none=True)
    campaign = ma.fields.String(required=True, allow_none=True)


class MilestonesSchema(ma.Schema):
    mql_at = ma.fields.DateTime(required=True, allow_none=True)
    sql_at = ma.fields.DateTime(required=True, allow_none=True)
    booked_at = ma.fields.DateTime(required=True, allow_none=True)
    accepted_at = ma.fields.DateTime(required=True, allow_none=True)
    first_touch_at = ma.fields.DateTime(required=True, allow_none=True)
    outcome_at = ma.fields.DateTime(required=True, allow_none=True)


class SlaSchema(ma.Schema):
    stage = ma.fields.String(required=True, allow_none=True)
    started_at = ma.fields.DateTime(required=True, allow_none=True)
    due_at = ma.fields.DateTime(required=True, allow_none=True)
    escalated_at = ma.fields.DateTime(required=True, allow_none=True)


class LeadSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    contact = ma.fields.Nested(LeadContactSchema, required=True)
    stage = ma.fields.String(required=True, metadata={"enum": list(STAGES)})
    score = ma.fields.Nested(ScoreSchema, required=True)
    reasons = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "Every rule that added points: rule, dimension, points, reason"})
    owner = ma.fields.Nested(PersonSchema, required=True, allow_none=True)
    team = ma.fields.String(required=True, allow_none=True, metadata={"description": "Slug"})
    assignment_reason = ma.fields.String(required=True)
    destination = ma.fields.Dict(required=True)
    nurture_track = ma.fields.String(required=True, allow_none=True)
    nurture_until = ma.fields.DateTime(required=True, allow_none=True)
    disposition = ma.fields.String(required=True, allow_none=True)
    disposition_note = ma.fields.String(required=True)
    disposed_at = ma.fields.DateTime(required=True, allow_none=True)
    archived_at = ma.fields.DateTime(required=True, allow_none=True)
    outcome = ma.fields.String(required=True, allow_none=True, metadata={"enum": list(OUTCOMES)})
    origin = ma.fields.Nested(OriginSchema, required=True)
    milestones = ma.fields.Nested(MilestonesSchema, required=True)
    sla = ma.fields.Nested(SlaSchema, required=True)
    stage_changed_at = ma.fields.DateTime(required=True)
    scored_at = ma.fields.DateTime(required=True)
    created_at = ma.fields.DateTime(required=True)


LeadPageSchema = page_schema(LeadSchema, "LeadPage")


class LeadListArgs(PageArgs):
    stage = ma.fields.String(validate=ma.validate.OneOf(STAGES))
    owner_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
    form = ma.fields.String(validate=ma.validate.Length(min=1, max=63), metadata={
        "description": "Only leads that came from this form (its slug)"})
    source = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    campaign = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    outcome = ma.fields.String(validate=ma.validate.OneOf(OUTCOMES))
    since = ma.fields.AwareDateTime(format="iso", default_timezone=None, metadata={
        "description": "Only leads created at or after this time (ISO 8601 with a zone)"})
    until = ma.fields.AwareDateTime(format="iso", default_timezone=None)


class StageArgs(ma.Schema):
    stage = ma.fields.String(required=True, validate=ma.validate.OneOf(STAGES))
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class DispositionArgs(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ("accepted", *DISPOSITION_CODES)), metadata={
        "description": "accepted takes the lead; any other code rejects it and recycles it "
                       "into the reason's nurture track (competitor and spam close it)"})
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=NOTE_MAX))


class OutcomeArgs(ma.Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=NOTE_MAX))


class OwnerArgs(ma.Schema):
    owner_id = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_ID),
                                 metadata={"description": "A member of the workspace"})
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))


class LeadEventSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={
        "description": "stage, route, assignment, accepted, disposition, reassigned, "
                       "contacted, outcome, sla, archived..."})
    from_stage = ma.fields.String(required=True, allow_none=True)
    to_stage = ma.fields.String(required=True, allow_none=True)
    cause = ma.fields.String(required=True, metadata={
        "description": "What caused it: response, signal, sales, api..."})
    details = ma.fields.Dict(required=True)
    user_id = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Who did it; null for the system and the API"})
    at = ma.fields.DateTime(required=True)


LeadEventPageSchema = page_schema(LeadEventSchema, "LeadEventPage")
