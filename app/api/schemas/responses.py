"""Responses: one visitor's pass through one published version."""

from __future__ import annotations

import marshmallow as ma

from app.api.pagination import MAX_ID, PageArgs, page_schema
from app.models.response import RESPONSE_STATES


class ResponseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    form = ma.fields.String(required=True, metadata={"description": "The form's slug"})
    version = ma.fields.Integer(required=True, metadata={
        "description": "The published version it was made against (it never changes)"})
    state = ma.fields.String(required=True, metadata={"enum": list(RESPONSE_STATES)})
    current_step = ma.fields.String(required=True, allow_none=True)
    ending = ma.fields.String(required=True, allow_none=True)
    contact_id = ma.fields.Integer(required=True, allow_none=True)
    answers = ma.fields.Dict(required=True, metadata={"description": "By field id"})
    hidden = ma.fields.Dict(required=True, metadata={
        "description": "Hidden fields and UTM parameters from the form's URL"})
    utm = ma.fields.Dict(required=True, metadata={"description": "The utm_* values of `hidden`"})
    landing_page = ma.fields.String(required=True, allow_none=True)
    referrer = ma.fields.String(required=True, allow_none=True)
    source = ma.fields.String(required=True, allow_none=True)
    campaign = ma.fields.String(required=True, allow_none=True)
    variant = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "The A/B test variant (a or b) the visitor was given, if any"})
    erased = ma.fields.Boolean(required=True, metadata={
        "description": "The person asked to be erased: answers and hidden values are gone"})
    started_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)
    completed_at = ma.fields.DateTime(required=True, allow_none=True)


ResponsePageSchema = page_schema(ResponseSchema, "ResponsePage")


class ResponseListArgs(PageArgs):
    form = ma.fields.String(validate=ma.validate.Length(min=1, max=63), metadata={
        "description": "Only this form's responses (its slug)"})
    state = ma.fields.String(validate=ma.validate.OneOf(RESPONSE_STATES))
    contact_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
    since = ma.fields.AwareDateTime(format="iso", default_timezone=None, metadata={
        "description": "Only responses changed at or after this time (ISO 8601 with a zone)"})
    until = ma.fields.AwareDateTime(format="iso", default_timezone=None, metadata={
        "description": "Only responses changed before this time"})
