"""The baseline for bench/submit_throughput.py: a bare Flask app that inserts one row per POST.

The row is what a completed submission boils down to: a response-like row (visitor,
state, timestamps) with the answers as a JSON document (JSONB on PostgreSQL, as the
app stores them), in the same database, through the same engine settings and the same
write path as the app (`app.db.make_engine`, `write_session`: BEGIN IMMEDIATE on
SQLite). The benchmark creates the table (`create_table`) before gunicorn starts, so
workers never race to create it.

Served by: gunicorn 'bench.bare_app:make_app()' (DATABASE_URL in the environment).
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert

from app.db import make_engine, write_session
from app.models.base import JSONDocument

metadata = MetaData()
rows = Table(
    "bench_row", metadata,
    Column("id", Integer, primary_key=True),
    Column("visitor_id", String(64), nullable=False),
    Column("state", String(20), nullable=False),
    Column("answers", JSONDocument, nullable=False),
    Column("hidden", JSONDocument, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("completed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def create_table(database_url: str) -> None:
    """The baseline's scratch table (not part of the app's schema)."""
    engine = make_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()


def make_app() -> Flask:
    engine = make_engine(os.environ["DATABASE_URL"])
    bare = Flask(__name__)

    @bare.get("/")
    def ready() -> str:
        return "ok"

    @bare.post("/insert")
    def insert_row() -> tuple[str, int]:
        body: dict[str, Any] = json.loads(request.get_data(as_text=True) or "{}")
        with write_session(engine) as session:
            session.execute(insert(rows).values(
                visitor_id=str(body.get("visitor", "")), state="completed",
                answers=body.get("answers", {}), hidden={}))
        return "", 204

    return bare

