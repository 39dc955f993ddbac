"""The REST API: flask-smorest blueprints under /api/v1, the OpenAPI document at
/api/openapi.json, and the house error body everywhere under /api.

Resources live in `app.api.views`; `init_api` registers them on the app with the
spec that flask-smorest builds from their marshmallow schemas. See docs/api.md.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from app.api.links import LinksPlugin
from app.api.schemas.common import ErrorSchema
from app.extensions import csrf

API_DESCRIPTION = """Leadform's REST API: forms, responses, contacts, leads (the CRM's closed
loop) and webhooks of one workspace.

Authenticate with a workspace token: `Authorization: Bearer lf_...` (admins create
them under API tokens in the back office, or with `flask api-tokens create`). Each
operation names the scope it needs as `x-scope`. Lists are paginated with a cursor:
`{"data": [...], "next": "<cursor>"}`; pass `?cursor=<next>` for the next page.
Every error has the body `{"error": {"code", "message", "details"}}`."""


class LeadformApi(Api):
    """flask-smorest's Api, documenting the house error body and leaving errors to the app.

    The app's HTTP error handler (`app.web.errors`) already answers every /api path
    with `app.api.errors.error_response`, including 404 and 405 for URLs no view
    matched, which blueprint handlers would not see.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


def init_api(app: Flask) -> LeadformApi:
    from app.api.views import contacts, definitions, forms, leads, responses, webhooks

    app.config.setdefault("API_TITLE", "Leadform API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = LeadformApi(app, spec_kwargs={"info": {"description": API_DESCRIPTION},
                                        "extra_plugins": [LinksPlugin()]})
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "lf_ token",
        "description": "A workspace API token, sent as `Authorization: Bearer lf_...`"})
    for module in (definitions, forms, responses, contacts, leads, webhooks):
        csrf.exempt(module.blp)  # token-authenticated JSON, never a browser form
        api.register_blueprint(module.blp)
    app.extensions["leadform.api"] = api
    return api
