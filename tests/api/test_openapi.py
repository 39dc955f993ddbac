"""The OpenAPI document: valid, and complete. A route under /api that it does not list
fails here, as does an operation without its scope or a scope the docs do not explain."""

from __future__ import annotations

import re
from pathlib import Path

from openapi_spec_validator import validate

from app.api.tokens import SCOPES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# Not part of the token API (see test_tenant_isolation): the booking widget's own JSON.
UNDOCUMENTED = {"booking.slots_json"}
PUBLIC = {("post", "/api/v1/definitions/validate")}


def spec_of(client):
    reply = client.get("/api/openapi.json")
    assert reply.status_code == 200
    return reply.get_json()


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi(client):
    spec = spec_of(client)

    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_of_the_url_map_is_documented(app, client):
    paths = spec_of(client)["paths"]

    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in UNDOCUMENTED:
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method.lower() not in paths.get(openapi_path(rule.rule), {}):
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")

    assert missing == []


def test_every_operation_names_its_scope_and_documents_errors(client):
    paths = spec_of(client)["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters, not an operation
                continue
            assert "default" in operation["responses"], (method, path)
            if (method, path) in PUBLIC:
                assert operation["security"] == []
                continue
            assert operation["x-scope"] in SCOPES, (method, path)
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)


def test_the_error_body_is_the_documented_default(client):
    spec = spec_of(client)

    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    ref = default["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/Error")
    assert sorted(spec["components"]["schemas"]["ErrorDetail"]["required"]) == [
        "code", "details", "message"]


def test_the_docs_explain_every_scope_and_every_path(client):
    text = DOCS.read_text(encoding="utf-8")
    paths = spec_of(client)["paths"]

    assert [scope for scope in SCOPES if f"`{scope}`" not in text] == []
    assert [path for path in paths if path.removeprefix("/api/v1") not in text] == []
