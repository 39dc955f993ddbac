"""Shapes every resource shares: the error body."""

from __future__ import annotations

import marshmallow as ma


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={
        "description": "Stable, for programs: not_found, validation_failed, insufficient_scope..."})
    message = ma.fields.String(required=True, metadata={"description": "For people."})
    details = ma.fields.Raw(required=True, allow_none=True, metadata={
        "description": "Field errors by location (query, json) and name, or other help; "
                       "null when there is nothing more to say."})


class ErrorSchema(ma.Schema):
    """Every error under /api has this body, whatever its status."""

    error = ma.fields.Nested(ErrorDetailSchema, required=True)
