"""JSON API. For now: checking a definition without storing anything."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from app.extensions import csrf
from app.forms import parse_definition_text
from app.forms.review import review

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated JSON, never a browser form

# URL rules of this blueprint, in one place:
#   POST /api/v1/definitions/validate   200 {valid, errors, warnings} or 422


@bp.post("/definitions/validate")
def validate_definition() -> ResponseReturnValue:
    """Validate and lint a definition: 422 with every error and its JSON pointer."""
    text = request.get_data(as_text=True)
    definition, issues = parse_definition_text(text)
    body: dict[str, Any]
    if issues:
        body = {"valid": False, "errors": [i.as_dict() for i in issues], "warnings": []}
        return jsonify(body), 422
    verdict = review(definition)
    body = {"valid": verdict.ok, "errors": verdict.errors, "warnings": verdict.warnings}
    return jsonify(body), 200 if verdict.ok else 422
