"""Fixtures for alert delivery: a workspace with endpoints, a clock, a deliverer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.alerts.endpoints import EndpointInput, create_endpoint
from app.alerts.net import parse_allow_list
from app.alerts.outbox import emit
from app.alerts.settings import AlertSettings
from app.alerts.worker import Deliverer
from app.db import write_session
from app.forms.versions import ensure_workspace
from app.models import AlertEndpoint, Delivery
from tests.alerts.sink import Sink, running_sink

LOCAL = parse_allow_list(["127.0.0.1"])


class Clock:
    """A clock the test moves by hand: retries are scheduled, never slept through."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings() -> AlertSettings:
    return AlertSettings(allow=LOCAL, http_timeout=2.0, lease_seconds=30.0)


@pytest.fixture
def deliverer(app: Flask, db_engine: Engine, settings: AlertSettings, clock: Clock) -> Deliverer:
    return Deliverer(db_engine, settings, name="test", clock=clock)


@pytest.fixture
def sink() -> Iterator[Sink]:
    with running_sink() as running:
        yield running


@pytest.fixture
def workspace_id(app: Flask) -> int:
    with app.app_context(), write_session() as session:
        return ensure_workspace(session, "acme", "Acme").id


@pytest.fixture
def add_endpoint(app: Flask, workspace_id: int) -> Callable[..., AlertEndpoint]:
    def add(url: str, kind: str = "webhook", events: tuple[str, ...] = (),
            name: str = "Receiver") -> AlertEndpoint:
        with app.app_context(), write_session() as session:
            from app.models import Workspace

            workspace = session.get(Workspace, workspace_id)
            return create_endpoint(session, workspace, EndpointInput(kind, name, url, events),
                                   LOCAL)

    return add


@pytest.fixture
def emit_event(app: Flask, workspace_id: int, clock: Clock) -> Callable[..., str]:
    def queue(kind: str = "lead.qualified", data: dict[str, Any] | None = None) -> str:
        with app.app_context(), write_session() as session:
            return emit(session, workspace_id, kind, data or {"lead": {"id": 1, "stage": "sql"}},
                        clock())

    return queue


def deliveries(db_engine: Engine) -> list[Delivery]:
    with Session(db_engine) as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))
