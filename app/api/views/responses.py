"""/api/v1/responses: list with filters, read one with its answers."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from app import db
from app.api import responses as service
from app.api.auth import workspace
from app.api.blueprint import ID, ApiBlueprint
from app.api.errors import api_abort
from app.api.pagination import envelope
from app.api.schemas.responses import ResponseListArgs, ResponsePageSchema, ResponseSchema

blp = ApiBlueprint("responses", __name__,
                   description="Responses: answers, hidden fields and UTM, the version used.")

# URL rules of this blueprint, in one place:
#   GET /api/v1/responses          filtered by form, state, contact, since/until   responses:read
#   GET /api/v1/responses/<id>     one response                                    responses:read


@blp.get("/responses")
@blp.scoped("responses:read")
@blp.query(ResponseListArgs)
@blp.response(200, ResponsePageSchema)
def list_responses(args: dict[str, Any]) -> ResponseReturnValue:
    """List responses, newest first; `since`/`until` filter on the time they last changed."""
    data, page = service.response_page(db.session(), workspace(), args)
    return envelope(data, page)


@blp.get(f"/responses/<{ID}:response_id>")
@blp.scoped("responses:read")
@blp.response(200, ResponseSchema)
def get_response(response_id: int) -> dict[str, Any]:
    """One response with its answers, hidden/UTM values and version."""
    found = service.find_response(db.session(), workspace(), response_id)
    if found is None:
        api_abort(404, f"No response {response_id} in this workspace.")
    return found
