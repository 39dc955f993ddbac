"""Fixtures for the REST API: tokens of any scope, a client that sends them, and a demo
workspace with one of everything an endpoint can take an id of."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.api.tokens import SCOPES, create_token
from app.db import write_session
from app.forms.versions import ensure_workspace, get_workspace
from app.models import Contact, Delivery, Lead, Response, User, utcnow
from tests.web.hosted import fill_demo
from tests.web.test_qualification import SALES_PATH

ALL_SCOPES = tuple(SCOPES)


class ApiClient:
    """The Flask test client, sending `Authorization: Bearer <token>` on every call."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.token = client, token

    def open(self, method: str, path: str, **kwargs: Any):
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any):
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):
        return self.open("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any):
        return self.open("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api_app(demo: Flask) -> Flask:
    """The demo app; alerts stay in the outbox (no delivery attempts during tests) and
    webhooks may point at 127.0.0.1."""
    demo.config.update(ALERTS_FAST_PATH=False, ALERTS_ALLOWED_NETWORKS=["127.0.0.1"])
    return demo


@pytest.fixture
def make_token(api_app: Flask) -> Callable[..., str]:
    """A token's secret: `make_token(scopes=("leads:read",), workspace="demo")`."""

    def make(scopes: Iterable[str] = ALL_SCOPES, workspace: str = "demo", name: str = "Test",
             expires_at: datetime | None = None, now: datetime | None = None) -> str:
        with api_app.app_context(), write_session() as session:
            space = ensure_workspace(session, workspace)
            return create_token(session, space, name=name, scopes=scopes,
                                now=now or utcnow(), expires_at=expires_at).secret

    return make


@pytest.fixture
def api(api_app: Flask, make_token: Callable[..., str]) -> ApiClient:
    """A client holding a token of the demo workspace with every scope."""
    return ApiClient(api_app.test_client(), make_token())


@pytest.fixture
def client_with(api_app: Flask, make_token: Callable[..., str]) -> Callable[..., ApiClient]:
    def build(*scopes: str, workspace: str = "demo") -> ApiClient:
        return ApiClient(api_app.test_client(), make_token(scopes or ALL_SCOPES, workspace))

    return build


@dataclass(frozen=True)
class World:
    """Real objects of the demo workspace, by the URL argument names that refer to them."""

    values: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


@pytest.fixture
def world(api_app: Flask, api: ApiClient) -> World:
    """Ada filled the demo form (a response, a contact, an SQL lead), a webhook endpoint
    got the lead's events, and one of its deliveries is dead."""
    return make_world(api_app, api)


def make_world(api_app: Flask, api: ApiClient) -> World:
    """The `world` fixture's objects, made in the demo workspace with `api`'s token."""
    fill_demo(api_app.test_client(), *SALES_PATH)
    added = api.post("/api/v1/webhooks/endpoints", json={
        "name": "CRM", "url": "http://127.0.0.1:9/hook", "events": []})
    assert added.status_code == 201, added.get_json()
    endpoint_id = added.get_json()["id"]
    lead_events = api.post(f"/api/v1/leads/{lead_id(api_app)}/disposition",
                           json={"code": "accepted"})
    assert lead_events.status_code == 200, lead_events.get_json()
    with api_app.app_context(), write_session() as session:
        workspace = get_workspace(session, "demo")
        delivery = session.scalars(select(Delivery).where(Delivery.endpoint_id == endpoint_id)
                                   .order_by(Delivery.id)).first()
        assert delivery is not None
        session.execute(update(Delivery).where(Delivery.id == delivery.id)
                        .values(status="dead", attempts=8, last_error="HTTP 500"))
        return World({
            "slug": "talk-to-sales",
            "response_id": session.scalar(select(Response.id)
                                          .where(Response.workspace_id == workspace.id)),
            "contact_id": session.scalar(select(Contact.id)
                                         .where(Contact.workspace_id == workspace.id)),
            "lead_id": session.scalar(select(Lead.id).where(Lead.workspace_id == workspace.id)),
            "endpoint_id": endpoint_id, "delivery_id": delivery.id,
            "member_id": session.scalar(select(User.id)
                                        .where(User.email == "admin@demo.example")),
        })


def lead_id(app: Flask) -> int:
    with app.app_context(), write_session() as session:
        found = session.scalar(select(Lead.id))
        assert found is not None
        return found


def error_of(reply) -> dict[str, Any]:
    """The API's error body, checked for its shape."""
    body = reply.get_json()
    assert reply.mimetype == "application/json", reply.get_data(as_text=True)[:500]
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    return body["error"]
