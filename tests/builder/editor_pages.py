"""Helpers for the Scoring and Routing pages through the Flask test client."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.models import Base, Form, ScoringModel
from tests.web.backoffice import add_user, csrf_of, log_in

BASE = re.compile(r'name="base" value="([^"]*)"')
SCORING = "/app/demo/scoring/"
ROUTING = "/app/demo/forms/talk-to-sales/routing"


def sign_in_as(app: Flask, client: FlaskClient, role: str, workspace: str = "demo") -> FlaskClient:
    email = f"{role}@{workspace}.example"
    add_user(app, email, workspace=workspace, role=role, name=f"Max {role.title()}")
    log_in(client, email)
    return client


def post_page(client: FlaskClient, page_url: str, url: str, *, htmx: bool = False,
              **data: Any):
    """Post `data` to `url` with the token and `base` of the page at `page_url`."""
    page = client.get(page_url).get_data(as_text=True)
    base = BASE.search(page)
    fields = {"csrf_token": csrf_of(page), "base": html.unescape(base.group(1)) if base else "",
              **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, data=fields, headers=headers)


def versions(db_engine: Engine, workspace_id: int | None = None) -> list[ScoringModel]:
    with Session(db_engine) as session:
        return list(session.scalars(select(ScoringModel).order_by(ScoringModel.number)))


def draft_of(db_engine: Engine, slug: str = "talk-to-sales") -> dict[str, Any]:
    with Session(db_engine) as session:
        return session.scalars(select(Form).where(Form.slug == slug)).one().draft


def route_of(db_engine: Engine, slug: str = "talk-to-sales") -> list[Any]:
    return draft_of(db_engine, slug).get("route")


def table_counts(db_engine: Engine) -> dict[str, Any]:
    """Rows per table, and the reps' round-robin counters: what a test must not change."""
    with Session(db_engine) as session:
        counts: dict[str, Any] = {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        counts["counters"] = session.execute(text(
            "SELECT SUM(meetings_assigned), SUM(assigned_on_load_day) FROM team_member")).one()
        counts["drafts"] = session.execute(select(func.max(Form.draft_updated_at))).one()
    return counts
