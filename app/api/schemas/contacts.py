"""Contacts, their properties, upserts and erasure."""

from __future__ import annotations

import marshmallow as ma

from app.api.pagination import PageArgs, page_schema


class PropertySchema(ma.Schema):
    name = ma.fields.String(required=True)
    value = ma.fields.Raw(required=True, allow_none=True)
    source = ma.fields.String(required=True, metadata={
        "description": "form, import, api or enrichment"})
    recorded_at = ma.fields.DateTime(required=True)
    stale = ma.fields.Boolean(required=True, metadata={
        "description": "Older than the workspace's time to live for this property"})


class ContactLeadSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    stage = ma.fields.String(required=True)
    total = ma.fields.Float(required=True)


class ContactSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    properties = ma.fields.Dict(required=True, metadata={
        "description": "Current value of every property, by name"})
    property_details = ma.fields.List(ma.fields.Nested(PropertySchema), required=True)
    lead = ma.fields.Nested(ContactLeadSchema, required=True, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)


ContactPageSchema = page_schema(ContactSchema, "ContactPage")


class ContactListArgs(PageArgs):
    email = ma.fields.String(validate=ma.validate.Length(min=1, max=320), metadata={
        "description": "Find the contact with this address (normalised as on import)"})


class UpsertArgs(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=320))
    properties = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), load_default=dict,
        metadata={"description": "Property name (lowercase letters, digits, _) to value: "
                                 "text, number, true/false or a list of texts"})


class UpsertedSchema(ContactSchema):
    created = ma.fields.Boolean(required=True)
    changed = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "Names of the properties this request changed"})


class EraseArgs(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=320))


class ErasureSchema(ma.Schema):
    contact_found = ma.fields.Boolean(required=True)
    properties = ma.fields.Integer(required=True, metadata={"description": "Values deleted"})
    responses = ma.fields.Integer(required=True, metadata={"description": "Responses anonymised"})
    events = ma.fields.Integer(required=True, metadata={"description": "Alerts stripped"})
