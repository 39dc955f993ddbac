"""/api/v1/definitions/validate: check a definition without storing anything (no token needed)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import request
from flask.typing import ResponseReturnValue

from app.api.blueprint import ApiBlueprint
from app.api.schemas.common import ErrorDetailSchema
from app.forms import parse_definition_text
from app.forms.review import review

blp = ApiBlueprint("definitions", __name__, stores_input=False,
                   description="Checking form definitions before storing them.")

# URL rules of this blueprint, in one place:
#   POST /api/v1/definitions/validate   200 {valid, errors, warnings} or 422 (and `error`)


class IssueSchema(ma.Schema):
    path = ma.fields.String(required=True, metadata={"description": "JSON pointer"})
    message = ma.fields.String(required=True)


class VerdictSchema(ma.Schema):
    valid = ma.fields.Boolean(required=True)
    errors = ma.fields.List(ma.fields.Nested(IssueSchema), required=True)
    warnings = ma.fields.List(ma.fields.Nested(IssueSchema), required=True)
    error = ma.fields.Nested(ErrorDetailSchema, metadata={
        "description": "Present when not valid: the API's usual error body"})


@blp.post("/definitions/validate")
@blp.doc(security=[], requestBody={
    "required": True, "description": "A form definition (JSON)",
    "content": {"application/json": {"schema": {"type": "object"}}}})
@blp.response(200, VerdictSchema, description="Valid (warnings may be listed)")
@blp.alt_response(422, schema=VerdictSchema, description="Not valid: every error with its path")
def validate_definition() -> ResponseReturnValue:
    """Validate and lint a definition: 422 with every error and its JSON pointer."""
    text = request.get_data(as_text=True)
    definition, issues = parse_definition_text(text)
    body: dict[str, Any]
    if issues:
        body = {"valid": False, "errors": [issue.as_dict() for issue in issues], "warnings": []}
    else:
        verdict = review(definition)
        body = {"valid": verdict.ok, "errors": verdict.errors, "warnings": verdict.warnings}
    if body["valid"]:
        return body, 200
    body["error"] = {"code": "definition_invalid", "message": "The definition is not valid.",
                     "details": {"errors": body["errors"]}}
    return body, 422
