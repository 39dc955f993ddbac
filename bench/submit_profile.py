"""SQL statements per request of one demo submission, and where the CPU goes.

Drives the demo form's "sales" path through the Flask test client (no server, no
network), on a throwaway SQLite file or a PostgreSQL database, and prints each
request's statement count (counted with a `before_cursor_execute` listener). With
`--profile N` it then completes N more submissions under cProfile and prints the
top functions by cumulative time.

Run: .venv/bin/python bench/submit_profile.py [--database sqlite|postgresql]
         [--flow nojs|htmx] [--profile 30] [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import postgres_database, prepare, sqlite_database  # noqa: E402
from sqlalchemy import event  # noqa: E402
from submit_throughput import FORM, STEPS, token_of  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from app import create_app  # noqa: E402


class Counter:
    """Statements run by the app's engine, per labelled request."""

    def __init__(self) -> None:
        self.current: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.current.append(statement)

    def close(self, label: str) -> None:
        self.rows.append((label, self.current))
        self.current = []


def walk(client: Any, flow: str, counter: Counter | None = None) -> None:
    """One complete submission of the demo's sales path."""
    client.delete_cookie("lf_v")
    email = f"ada.{uuid.uuid4().hex[:12]}@example.com"
    htmx = {"HX-Request": "true"} if flow == "htmx" else {}

    def mark(label: str) -> None:
        if counter is not None:
            counter.close(label)

    page = client.get(FORM).get_data(as_text=True)
    mark("GET first")
    for index, (marker, answers) in enumerate(STEPS):
        assert f'name="{marker}"' in page, marker
        data = MultiDict([("_lf_token", token_of(page))] + [
            (name, value.format(email=email)) for name, value in answers])
        reply = client.post(FORM, data=data, headers=htmx)
        mark(f"POST {marker}")
        if flow == "htmx":
            page = reply.get_data(as_text=True)
            continue
        assert reply.status_code == 303, reply.status_code
        page = client.get(reply.headers["Location"]).get_data(as_text=True)
        mark("GET done" if index == len(STEPS) - 1 else "GET next")
    assert "Thanks, Ada!" in page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--flow", choices=["nojs", "htmx"], default="nojs")
    parser.add_argument("--profile", type=int, default=0, help="submissions under cProfile")
    parser.add_argument("--sql", action="store_true", help="print every statement")
    args = parser.parse_args()
    makers: dict[str, Callable[[], AbstractContextManager[str]]] = {
        "sqlite": sqlite_database, "postgresql": postgres_database}
    with makers[args.database]() as url:
        prepare(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                          "MIN_FILL_SECONDS": 0,
                          "SUBMIT_RATE_LIMIT": "1000000 per minute"})
        client = app.test_client()
        walk(client, args.flow)  # warm: first-use costs are not the steady state
        counter = Counter()
        engine = app.extensions["leadform.engine"]
        event.listen(engine, "before_cursor_execute", counter)
        walk(client, args.flow, counter)
        event.remove(engine, "before_cursor_execute", counter)
        total = 0
        for label, statements in counter.rows:
            total += len(statements)
            print(f"{label:<16} {len(statements):>4} statements")
            if args.sql:
                for statement in statements:
                    print("    " + " ".join(statement.split())[:160])
        print(f"{'total':<16} {total:>4}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                walk(client, args.flow)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(45)
            stats.sort_stats("tottime").print_stats(25)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
