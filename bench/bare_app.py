"""The baseline for bench/submit_throughput.py: Flask that only inserts one row per request.

The row is what a completed submission boils down to (a JSON document of answers),
in the same kind of database, with the same engine settings as the app.
"""

from __future__ import annotations

import json
import os

from flask import Flask, request
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert

from app.db import make_engine, write_session

metadata = MetaData()
rows = Table("bench_row", metadata, Column("id", Integer, primary_key=True),
             Column("answers", JSON, nullable=False))

engine = make_engine(os.environ["DATABASE_URL"])
metadata.create_all(engine)  # a scratch table for the benchmark, not the app's schema
app = Flask(__name__)


@app.get("/")
def ready() -> str:
    return "ok"


@app.post("/insert")
def insert_row() -> tuple[str, int]:
    answers = json.loads(request.get_data(as_text=True) or "{}")
    with write_session(engine) as session:  # the app's write path: BEGIN IMMEDIATE on SQLite
        session.execute(insert(rows).values(answers=answers))
    return "", 204
