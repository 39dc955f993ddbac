"""Tokens: bearer only, one workspace each, scopes enforced, hashes stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.api.tokens import hash_secret
from app.db import write_session
from app.models import ApiToken, utcnow
from tests.api.conftest import ApiClient, error_of


def test_no_token_is_a_401_that_says_how_to_authenticate(api_app):
    reply = api_app.test_client().get("/api/v1/leads")

    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(reply)["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer lf_not-a-real-token", "Basic YWRhOnB3",
                                    "Bearer ", "lf_abc"])
def test_an_unknown_or_malformed_token_is_a_401(api_app, header):
    reply = api_app.test_client().get("/api/v1/leads", headers={"Authorization": header})

    assert reply.status_code == 401
    assert "Bearer" in reply.headers["WWW-Authenticate"]
    assert error_of(reply)["code"] in ("unauthorized", "invalid_token")


def test_an_expired_token_is_a_401(api_app, make_token):
    now = utcnow()
    secret = make_token(expires_at=now + timedelta(seconds=1), now=now - timedelta(days=1))
    with api_app.app_context(), write_session() as session:
        token = session.scalars(select(ApiToken)).one()
        token.expires_at = now - timedelta(minutes=1)

    reply = ApiClient(api_app.test_client(), secret).get("/api/v1/leads")

    assert reply.status_code == 401
    assert error_of(reply)["code"] == "invalid_token"
    assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working_at_once(api_app, api):
    assert api.get("/api/v1/leads").status_code == 200
    with api_app.app_context(), write_session() as session:
        session.scalars(select(ApiToken)).one().revoked_at = utcnow()

    assert api.get("/api/v1/leads").status_code == 401


def test_a_token_without_the_scope_is_a_403_naming_it(client_with):
    reader = client_with("leads:read")

    assert reader.get("/api/v1/leads").status_code == 200
    reply = reader.post("/api/v1/leads/1/stage", json={"stage": "sql"})

    assert reply.status_code == 403
    error = error_of(reply)
    assert error["code"] == "insufficient_scope"
    assert "leads:write" in error["message"]
    assert error["details"] == {"required_scope": "leads:write"}


def test_scopes_come_before_validation_and_lookups(client_with):
    """A token that may not write learns nothing about what exists or what is valid."""
    reader = client_with("forms:read")

    assert reader.post("/api/v1/leads/999999/stage", json={"stage": "nope"}).status_code == 403


def test_only_a_hash_of_the_token_is_stored_and_its_use_is_noted(api_app, api):
    api.get("/api/v1/forms")

    with api_app.app_context(), write_session() as session:
        token = session.scalars(select(ApiToken)).one()
        assert token.token_hash == hash_secret(api.token)
        assert api.token.startswith(token.prefix) and len(token.prefix) < len(api.token) / 3
        assert api.token not in repr(vars(token))
        assert token.last_used_at is not None


def test_a_token_sees_only_its_own_workspace(client_with, world):
    other = client_with(workspace="beta")

    assert other.get("/api/v1/leads").get_json() == {"data": [], "next": None}
    assert other.get("/api/v1/forms").get_json()["data"] == []
    assert other.get(f"/api/v1/leads/{world['lead_id']}").status_code == 404
