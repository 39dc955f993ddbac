"""Complete multi-step submissions per second, against a bare insert-one-row baseline.

For SQLite and PostgreSQL: migrate, load the demo, run gunicorn (2 gthread workers,
4 threads each, as a small deployment would), and drive complete submissions of the
demo's sales path for a fixed time from a pool of client threads, each visitor with
its own cookie, through the htmx flow a browser with JavaScript takes (one GET, then
one POST per step; the final POST scores, routes and assigns). In the same run the
same pool drives bench/bare_app.py, a Flask endpoint that only inserts one equivalent
row, under the same gunicorn settings. Prints both rates and the ratio (target
>= 0.5), and checks the database holds as many completed responses as were counted.

Run: .venv/bin/python bench/submit_throughput.py [--seconds 20] [--clients 8]
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import re
import tempfile
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
from harness import ROOT, app_env, gunicorn, prepare
from sqlalchemy import create_engine, text

TOKEN = re.compile(r'name="_lf_token" value="([^"]+)"')
FORM = "/f/demo/talk-to-sales"
STEPS: list[list[tuple[str, str]]] = [
    [("first_name", "Ada"), ("email", "{email}"), ("job_level", "vp")],
    [("company", "Analytical Engines"), ("company_size", "51-200")],
    [("use_case", "lead_quality"), ("use_case", "meetings"), ("timeline", "now"),
     ("budget", "over_50k"), ("authority", "me")],
    [("notes", ""), ("consent", "yes")],
]


class Client:
    """One keep-alive connection and one visitor cookie."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        sent = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, content


def one_submission(client: Client) -> bool:
    client.cookie = ""  # a new visitor
    status, page = client.request("GET", FORM)
    email = f"buyer-{uuid.uuid4().hex[:10]}@acme.io"
    for step in STEPS:
        match = TOKEN.search(page)
        if status != 200 or match is None:
            return False
        fields = [("_lf_token", html.unescape(match.group(1)))]
        fields += [(name, value.format(email=email)) for name, value in step]
        status, page = client.request(
            "POST", FORM, urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
    return status == 200 and "Thanks, Ada!" in page


def one_insert(client: Client) -> bool:
    body = json.dumps({"first_name": "Ada", "email": f"{uuid.uuid4().hex}@acme.io",
                       "job_level": "vp", "company": "Analytical Engines",
                       "company_size": "51-200", "use_case": ["lead_quality", "meetings"],
                       "timeline": "now", "budget": "over_50k", "authority": "me",
                       "consent": True})
    status, _ = client.request("POST", "/insert", body, {"Content-Type": "application/json"})
    return status == 204


def drive(base: str, work: Any, clients: int, seconds: float) -> tuple[int, int, float]:
    """(successes, failures, elapsed seconds) of `work` looped by `clients` threads."""
    counts = [[0, 0] for _ in range(clients)]
    deadline = time.monotonic() + seconds

    def loop(index: int) -> None:
        client = Client(base)
        while time.monotonic() < deadline:
            try:
                counts[index][0 if work(client) else 1] += 1
            except (OSError, http.client.HTTPException):
                counts[index][1] += 1
                client = Client(base)

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed


def completed_in(database_url: str) -> int:
    engine = create_engine(database_url.replace("postgresql+psycopg", "postgresql+psycopg"))
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM response WHERE state = 'completed'"))
        value = int(count.scalar_one())
    engine.dispose()
    return value


def bench_database(label: str, database_url: str, clients: int, seconds: float) -> None:
    prepare(database_url)
    env = app_env(database_url)
    with gunicorn("wsgi:app", env) as base:
        done, failed, elapsed = drive(base, one_submission, clients, seconds)
    with gunicorn("bench.bare_app:app", {**env, "PYTHONPATH": str(ROOT)}) as base:
        inserts, insert_failures, insert_elapsed = drive(base, one_insert, clients, seconds)
    subject, baseline = done / elapsed, inserts / insert_elapsed
    stored = completed_in(database_url)
    print(f"{label:<11} submissions {subject:7.1f}/s ({done} done, {failed} failed, "
          f"{len(STEPS) + 1} requests each)   bare inserts {baseline:7.1f}/s "
          f"({insert_failures} failed)   ratio {subject / baseline:.2f} "
          f"({'met' if subject / baseline >= 0.5 else 'MISSED'} >= 0.5)   "
          f"per request {subject * (len(STEPS) + 1) / baseline:.2f}   "
          f"stored completed = {stored} ({'ok' if stored == done else 'MISMATCH'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench_database("SQLite", f"sqlite:///{folder}/bench.db", args.clients, args.seconds)
    name = f"leadform_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres",
                         autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        bench_database("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                       args.clients, args.seconds)
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres",
                             autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
