"""Webhook and Slack endpoints, deliveries and replays."""

from __future__ import annotations

import marshmallow as ma

from app.alerts.outbox import EVENT_KINDS
from app.api.pagination import MAX_ID, PageArgs, page_schema
from app.models.outbox import DELIVERY_STATUSES, ENDPOINT_KINDS


class EndpointSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(ENDPOINT_KINDS)})
    name = ma.fields.String(required=True)
    host = ma.fields.String(required=True, metadata={
        "description": "The URL's host only: a Slack URL is itself a secret"})
    events = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Event kinds it receives; empty means every event"})
    enabled = ma.fields.Boolean(required=True)
    disabled_reason = ma.fields.String(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)


EndpointPageSchema = page_schema(EndpointSchema, "EndpointPage")


class CreatedEndpointSchema(EndpointSchema):
    secret = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "A webhook's signing secret, shown this once (null for Slack)"})


class EndpointArgs(ma.Schema):
    kind = ma.fields.String(load_default="webhook", validate=ma.validate.OneOf(ENDPOINT_KINDS))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    url = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000), metadata={
        "description": "A public https:// address (private networks are refused)"})
    events = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(EVENT_KINDS)),
                            load_default=list, validate=ma.validate.Length(max=len(EVENT_KINDS)))


class DeliveryEventSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={
        "description": "The event's stable id (the webhook-id header): deduplicate on it"})
    kind = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    event = ma.fields.Nested(DeliveryEventSchema, required=True)
    endpoint_id = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "null for email"})
    channel = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(DELIVERY_STATUSES)})
    attempts = ma.fields.Integer(required=True)
    next_attempt_at = ma.fields.DateTime(required=True)
    last_status = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The receiver's last HTTP status"})
    last_error = ma.fields.String(required=True, allow_none=True)
    last_attempt_at = ma.fields.DateTime(required=True, allow_none=True)
    delivered_at = ma.fields.DateTime(required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)


DeliveryPageSchema = page_schema(DeliverySchema, "DeliveryPage")


class DeliveryListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(DELIVERY_STATUSES))
    endpoint_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID))
    event = ma.fields.String(validate=ma.validate.OneOf(EVENT_KINDS), metadata={
        "description": "Only deliveries of this event kind"})


class ReplayArgs(ma.Schema):
    endpoint_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), metadata={
        "description": "Only this endpoint's dead deliveries; omit it for all of them"})


class ReplayedSchema(ma.Schema):
    replayed = ma.fields.Integer(required=True, metadata={
        "description": "Deliveries queued again, with their original event ids"})
