"""/api/v1/webhooks: endpoints, their deliveries, and replaying dead ones."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue

from app import db
from app.alerts.endpoints import EndpointError, EndpointInput, create_endpoint, find_endpoint
from app.alerts.endpoints import replay as replay_dead
from app.alerts.settings import AlertSettings
from app.api import webhooks as service
from app.api.auth import workspace
from app.api.blueprint import ID, ApiBlueprint
from app.api.errors import api_abort
from app.api.pagination import PageArgs, envelope
from app.api.schemas.webhooks import (
    CreatedEndpointSchema,
    DeliveryListArgs,
    DeliveryPageSchema,
    DeliverySchema,
    EndpointArgs,
    EndpointPageSchema,
    EndpointSchema,
    ReplayArgs,
    ReplayedSchema,
)
from app.models import AlertEndpoint, utcnow

blp = ApiBlueprint("webhooks", __name__,
                   description="Where alerts go (signed webhooks, Slack) and how delivery went.")

# URL rules of this blueprint, in one place:
#   GET    /api/v1/webhooks/endpoints                  list                      webhooks:read
#   POST   /api/v1/webhooks/endpoints                  add (secret shown once)   webhooks:write
#   GET    /api/v1/webhooks/endpoints/<id>             one                       webhooks:read
#   DELETE /api/v1/webhooks/endpoints/<id>             remove with deliveries    webhooks:write
#   GET    /api/v1/webhooks/deliveries                 by status/endpoint/event  webhooks:read
#   GET    /api/v1/webhooks/deliveries/<id>            one                       webhooks:read
#   POST   /api/v1/webhooks/deliveries/<id>/replay     send a dead one again     webhooks:write
#   POST   /api/v1/webhooks/deliveries/replay          all dead (of an endpoint) webhooks:write


def _endpoint(endpoint_id: int) -> AlertEndpoint:
    endpoint = find_endpoint(db.session(), workspace().id, endpoint_id)
    if endpoint is None:
        api_abort(404, f"No endpoint {endpoint_id} in this workspace.")
    return endpoint


@blp.get("/webhooks/endpoints")
@blp.scoped("webhooks:read")
@blp.query(PageArgs)
@blp.response(200, EndpointPageSchema)
def list_endpoints(args: dict[str, Any]) -> ResponseReturnValue:
    """List webhook and Slack endpoints (hosts only: never a secret or a Slack URL)."""
    data, page = service.endpoint_page(db.session(), workspace(), args)
    return envelope(data, page)


@blp.post("/webhooks/endpoints")
@blp.scoped("webhooks:write")
@blp.body(EndpointArgs)
@blp.response(201, CreatedEndpointSchema)
def add_endpoint(args: dict[str, Any]) -> dict[str, Any]:
    """Add an endpoint. The URL must be public (no private or local networks); a webhook's
    signing secret is in this answer only."""
    session = db.session()
    allow = AlertSettings.from_config(current_app.config).allow
    data = EndpointInput(args["kind"], args["name"], args["url"], args.get("events") or ())
    try:
        endpoint = create_endpoint(session, workspace(), data, allow, utcnow())
    except EndpointError as error:
        session.rollback()
        api_abort(422, str(error))
    session.commit()
    return {**service.describe_endpoint(endpoint), "secret": endpoint.secret}


@blp.get(f"/webhooks/endpoints/<{ID}:endpoint_id>")
@blp.scoped("webhooks:read")
@blp.response(200, EndpointSchema)
def get_endpoint(endpoint_id: int) -> dict[str, Any]:
    """One endpoint."""
    return service.describe_endpoint(_endpoint(endpoint_id))


@blp.delete(f"/webhooks/endpoints/<{ID}:endpoint_id>")
@blp.scoped("webhooks:write")
@blp.response(204)
def delete_endpoint(endpoint_id: int) -> ResponseReturnValue:
    """Remove an endpoint and its deliveries."""
    session = db.session()
    session.delete(_endpoint(endpoint_id))
    session.commit()
    return "", 204


@blp.get("/webhooks/deliveries")
@blp.scoped("webhooks:read")
@blp.query(DeliveryListArgs)
@blp.response(200, DeliveryPageSchema)
def list_deliveries(args: dict[str, Any]) -> ResponseReturnValue:
    """List deliveries, newest first, by status (pending, delivered, dead), endpoint, event."""
    if args.get("endpoint_id"):
        _endpoint(args["endpoint_id"])
    data, page = service.delivery_page(db.session(), workspace(), args)
    return envelope(data, page)


@blp.get(f"/webhooks/deliveries/<{ID}:delivery_id>")
@blp.scoped("webhooks:read")
@blp.response(200, DeliverySchema)
def get_delivery(delivery_id: int) -> dict[str, Any]:
    """One delivery with its attempts and last error."""
    found = service.find_delivery(db.session(), workspace(), delivery_id)
    if found is None:
        api_abort(404, f"No delivery {delivery_id} in this workspace.")
    return service.describe_delivery(*found)


@blp.post(f"/webhooks/deliveries/<{ID}:delivery_id>/replay")
@blp.scoped("webhooks:write")
@blp.response(200, ReplayedSchema)
@blp.alt_response(409, response="CONFLICT", description="The delivery is not dead")
def replay_delivery(delivery_id: int) -> dict[str, Any]:
    """Send a dead delivery again from the start of the retry schedule, same event id."""
    session = db.session()
    found = service.find_delivery(session, workspace(), delivery_id)
    if found is None:
        api_abort(404, f"No delivery {delivery_id} in this workspace.")
    delivery, _ = found
    if delivery.status != "dead":
        api_abort(409, f"Delivery {delivery_id} is {delivery.status}: only dead ones are "
                       "replayed.", code="not_dead")
    count = replay_dead(session, workspace().id, utcnow(), delivery_ids=[delivery_id])
    session.commit()
    if count == 0:  # an email to an erased contact has no recipient any more
        api_abort(409, "This delivery cannot be sent again: its contact was erased.",
                  code="not_replayable")
    return {"replayed": count}


@blp.post("/webhooks/deliveries/replay")
@blp.scoped("webhooks:write")
@blp.body(ReplayArgs, required=False)
@blp.response(200, ReplayedSchema)
def replay_all(args: dict[str, Any]) -> dict[str, Any]:
    """Send every dead delivery again (or only one endpoint's), with the same event ids."""
    endpoint_id = args.get("endpoint_id")
    if endpoint_id:
        _endpoint(endpoint_id)
    session = db.session()
    count = replay_dead(session, workspace().id, utcnow(), endpoint_id=endpoint_id)
    session.commit()
    return {"replayed": count}
