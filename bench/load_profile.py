"""Where a load-test visit's server time goes: per request kind, in one process.

Runs bench/load_visitor.py's visits (the same requests, answers and branches as
bench/load.py, without think time) through the Flask test client on a throwaway SQLite
file or PostgreSQL database, and prints, per request kind, the mean time and SQL
statements per request and the share of all server time. With --pyinstrument, prints
pyinstrument's call tree of the measured visits too.

Run: .venv/bin/python bench/load_profile.py [--database sqlite|postgresql] [--visits 200]
         [--pyinstrument] [--sql]
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import brotli  # noqa: E402
from harness import postgres_database, prepare, sqlite_database  # noqa: E402
from load_visitor import Failed, Form, Reply, Visit  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402


class TestClientTransport:
    """bench/load_visitor.py's Transport over the Flask test client: times every request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.client = app.test_client()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, int] = defaultdict(int)
        self._counted = 0
        self._statements: list[str] = []
        self.last_statements: dict[str, list[str]] = {}
        event.listen(app.extensions["leadform.engine"], "before_cursor_execute", self._count)

    def _count(self, _connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self._counted += 1
        self._statements.append(" ".join(statement.split())[:160])

    def forget(self) -> None:
        """Drop what was measured so far (the warm-up's requests)."""
        self.seconds.clear()
        self.statements.clear()
        self.last_statements.clear()

    def new_visitor(self) -> None:
        self.client = self.app.test_client()

    def request(self, method: str, path: str, name: str | Callable[[Reply], str], *,
                body: bytes | None = None, headers: Mapping[str, str] | None = None,
                check: Callable[[Reply], str | None] | None = None,
                close: bool = False) -> Reply:
        self._counted, self._statements = 0, []
        began = time.perf_counter()
        response = self.client.open(path, method=method, data=body, headers=dict(headers or {}))
        elapsed = time.perf_counter() - began
        reply = Reply(response.status_code, _decoded(response), dict(response.headers))
        label = name(reply) if callable(name) else name
        self.seconds[label].append(elapsed)
        self.statements[label] += self._counted
        self.last_statements[label] = self._statements
        problem = check(reply) if check else (
            None if 200 <= reply.status < 300 else f"status {reply.status}")
        if problem:
            raise Failed(f"{label}: {problem}")
        return reply

    def think(self, seconds: float) -> None:
        """No thinking here: only the server's time is of interest."""


def _decoded(response: Any) -> str:
    data, encoding = response.get_data(), response.headers.get("Content-Encoding", "")
    if encoding == "br":
        data = brotli.decompress(data)
    elif encoding == "gzip":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--sql", action="store_true",
                        help="print the SQL of the last request of each kind")
    args = parser.parse_args()
    makers: dict[str, Callable[[], AbstractContextManager[str]]] = {
        "sqlite": sqlite_database, "postgresql": postgres_database}
    with makers[args.database]() as url:
        prepare(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-profile-" + "x" * 24,
                          "MIN_FILL_SECONDS": 0, "SUBMIT_RATE_LIMIT": "1000000 per minute",
                          "BEACON_RATE_LIMIT": "1000000 per minute",
                          "SESSION_COOKIE_SECURE": False})
        form, rng = Form.demo(), random.Random(10)
        # One transport throughout: each one listens to the engine's statements.
        transport = TestClientTransport(app)
        for _ in range(20):  # warm: first-use costs are not the steady state
            Visit(transport, form, rng, 0).run()
        transport.forget()
        profiler = None
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        for _ in range(args.visits):
            Visit(transport, form, rng, 0).run()
        if profiler is not None:
            profiler.stop()
        total = sum(sum(times) for times in transport.seconds.values())
        print(f"{args.database}: {args.visits} visits, {total / args.visits * 1000:.1f} ms "
              "of server time per visit")
        print(f"{'request':<36} {'count':>6} {'mean ms':>8} {'SQL/req':>8} {'share':>6}")
        for label, times in sorted(transport.seconds.items(), key=lambda item: -sum(item[1])):
            print(f"{label[:36]:<36} {len(times):>6} {sum(times) / len(times) * 1000:>8.2f} "
                  f"{transport.statements[label] / len(times):>8.1f} "
                  f"{sum(times) / total:>6.0%}")
        if args.sql:
            for label, statements in transport.last_statements.items():
                print(f"\n{label}:", *(f"  {statement}" for statement in statements), sep="\n")
        if profiler is not None:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        app.extensions["leadform.engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
