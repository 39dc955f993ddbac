"""Forms, their versions and definitions."""

from __future__ import annotations

import marshmallow as ma

from app.api.pagination import PageArgs, page_schema
from app.models.form import FORM_STATUSES


class VersionSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    published_at = ma.fields.DateTime(required=True)
    content_hash = ma.fields.String(required=True, metadata={
        "description": "sha256 of the canonical definition"})
    note = ma.fields.String(required=True)


class FormSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(FORM_STATUSES)})
    url = ma.fields.String(required=True, metadata={"description": "The hosted form's path"})
    created_at = ma.fields.DateTime(required=True)
    draft_updated_at = ma.fields.DateTime(required=True)
    latest_version = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Number of the live version; null before the first publish"})
    versions = ma.fields.List(ma.fields.Nested(VersionSchema), required=True, metadata={
        "description": "Every published version, newest first"})


FormPageSchema = page_schema(FormSchema, "FormPage")


class FormListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf(FORM_STATUSES), metadata={
        "description": "Only active or only archived forms"})


class DefinitionArgs(ma.Schema):
    version = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1_000_000), metadata={
        "description": "A published version's number; omit it for the draft"})


class DefinitionSchema(ma.Schema):
    form = ma.fields.String(required=True, metadata={"description": "The form's slug"})
    version = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The version's number; null for the draft"})
    content_hash = ma.fields.String(required=True)
    definition = ma.fields.Dict(required=True, metadata={
        "description": "The form definition (see /schema/form-definition.json)"})


class PublishArgs(ma.Schema):
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=500), metadata={
        "description": "What changed, for the version history"})


class PublishedSchema(ma.Schema):
    created = ma.fields.Boolean(required=True, metadata={
        "description": "False when the draft equals the live version (nothing new published)"})
    version = ma.fields.Nested(VersionSchema, required=True)
    warnings = ma.fields.List(ma.fields.Dict(), required=True, metadata={
        "description": "The review's warnings: published anyway"})
