"""Load test: realistic prospects completing the demo form at a steady rate, with locust.

For each database (SQLite in WAL mode in a temporary file; PostgreSQL in a fresh
database on 127.0.0.1 that it creates and drops; or --database-url, used as it is):
`flask db upgrade`, `flask demo load`, then gunicorn serving wsgi:app as `make run`
does (gthread, --workers x --threads) and the alert worker (`flask --app wsgi worker`)
beside it. Locust runs in this process (its library API) with one user per concurrent
prospect: each starts a visit every `pacing` seconds (bench/load_visitor.py: the
tracking script and a beacon, the form page and its scripts, an htmx check per answer
the page asks the server to check, each step's POST, the ending and its files), reading
and typing between requests, so about rate x pacing visits are in flight at once. Users
are spawned at --rate per second, so visits begin evenly at that rate from the first
second.

The numbers are taken over --duration seconds after a warm-up of one pacing period
(every user has started); then no new visit begins, the ones in flight finish, and the
database is checked: as many completed responses as visits the clients completed,
none of them taken for a bot. On SQLite it also reads the app's write-lock histograms
from /metrics (every process writes them to one PROMETHEUS_MULTIPROC_DIR): the share of
the window the one writer held the lock, and what that allows per second. Prints
p50/p95/p99 per request kind, errors, and the achieved submissions/s against the goal
(p99 < 300 ms for every kind, 0 errors, at least 95% of --rate): PASS or FAIL. Exits 1
on errors (or, with --strict, on FAIL).

Run: .venv/bin/python bench/load.py [--database sqlite|postgresql|both] [--duration 300]
         [--rate 50] [--workers 2 x cores + 1] [--threads 1] [--think-scale 1] [--json FILE]
         [--database-url URL] [--submissions N] [--server-log FILE] [--strict]
(`--submissions N`: just N visits, the whole run measured; the smoke test uses it.)
"""

from __future__ import annotations

# Locust patches the standard library for gevent when imported: first, before the rest.
from locust import FastHttpUser, constant_pacing, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import json
import math
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import psutil
from harness import (
    BIN,
    GUNICORN_THREADS,
    GUNICORN_WORKERS,
    OUT,
    ROOT,
    app_env,
    cpu_capacity,
    cpu_seconds,
    gunicorn_process,
    machine_note,
    postgres_cpu_seconds,
    postgres_database,
    prepare,
    sqlite_database,
    stop,
)
from load_visitor import LEAST_FILL_SECONDS, Failed, Form, Reply, Visit
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

GOAL_P99_MS = 300.0
GOAL_RATE_SHARE = 0.95
PERCENTILES = (0.5, 0.95, 0.99)
# Seconds a visit takes at think_scale 1 is about 35 (at most about 55): a user starts
# one visit per pacing period, so a visit rarely waits for the previous one to end.
PACING_SECONDS = 55.0


@dataclass
class Tally:
    """Visits, counted by the users (gevent: one thread, no lock needed)."""

    started: int = 0
    completed: int = 0
    failed: int = 0
    endings: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    accepting: bool = True  # False: no new visit begins
    limit: int | None = None  # --submissions: this many visits in all

    @property
    def in_flight(self) -> int:
        return self.started - self.completed - self.failed

    def may_start(self) -> bool:
        return self.accepting and (self.limit is None or self.started < self.limit)


class LocustTransport:
    """bench/load_visitor.py's Transport over a locust FastHttpSession."""

    def __init__(self, user: FastHttpUser) -> None:
        self.session = user.client

    def new_visitor(self) -> None:
        self.session.cookiejar.clear()

    def request(self, method: str, path: str, name: str | Callable[[Reply], str], *,
                body: bytes | None = None, headers: Mapping[str, str] | None = None,
                check: Callable[[Reply], str | None] | None = None,
                close: bool = False) -> Reply:
        sent = {**(headers or {}), **({"Connection": "close"} if close else {})}
        with self.session.request(method, path, name=name if isinstance(name, str) else path,
                                  data=body, headers=sent, catch_response=True,
                                  allow_redirects=False) as response:
            reply = Reply(response.status_code or 0, response.text or "",
                          {key: value for key, value in (response.headers or {}).items()})
            if callable(name):
                response.request_meta["name"] = name(reply)
            problem = (f"no answer ({type(response.error).__name__}: {response.error})"
                       if reply.status == 0 else (check or _status_ok)(reply))
            if problem:
                response.failure(problem)
            else:
                response.success()
        if problem:
            raise Failed(f"{response.request_meta['name']}: {problem}")
        return reply

    def think(self, seconds: float) -> None:
        gevent.sleep(seconds)


def _status_ok(reply: Reply) -> str | None:
    return None if 200 <= reply.status < 300 else f"status {reply.status}"


def prospect_class(form: Form, tally: Tally, think_scale: float, pacing: float,
                   seed: int) -> type[FastHttpUser]:
    """A locust user class bound to this run's form, tally and pacing."""
    rng = random.Random(seed)

    class Prospect(FastHttpUser):
        wait_time = constant_pacing(pacing)
        connection_timeout = 30.0
        network_timeout = 60.0

        @task
        def visit(self) -> None:
            if not tally.may_start():
                return
            tally.started += 1
            visit = Visit(LocustTransport(self), form, random.Random(rng.random()),
                          think_scale)
            try:
                ending = visit.run()
            except Failed as error:
                tally.failed += 1
                tally.failures[str(error)[:120]] += 1
                return
            tally.completed += 1
            tally.endings[ending] += 1

    return Prospect


@dataclass
class Snapshot:
    """Latency and error counts per request kind, copied out of locust's stats."""

    rows: list[dict[str, Any]]
    total: dict[str, Any]
    errors: dict[str, int]


def snapshot(environment: Environment) -> Snapshot:
    def row(entry: Any) -> dict[str, Any]:
        return {"name": entry.name, "method": entry.method, "requests": entry.num_requests,
                "failures": entry.num_failures,
                **{f"p{round(p * 100)}_ms": entry.get_response_time_percentile(p)
                   if entry.num_requests else 0.0 for p in PERCENTILES},
                "max_ms": entry.max_response_time if entry.num_requests else 0.0,
                "mean_ms": entry.avg_response_time}

    stats = environment.stats
    rows = sorted((row(entry) for entry in stats.entries.values()),
                  key=lambda item: _order(item["name"]))
    errors = {f"{error.name}: {error.error}": error.occurrences
              for error in stats.errors.values()}
    return Snapshot(rows, row(stats.total), errors)


def _order(name: str) -> tuple[int, str]:
    for index, prefix in enumerate(("GET /t.js", "POST /t/", "GET form", "GET asset htmx",
                                    "GET asset form", "POST check", "POST step you",
                                    "POST step company", "POST step starter",
                                    "POST step needs", "POST step", "POST final",
                                    "GET asset")):
        if name.startswith(prefix):
            return index, name
    return 99, name


@contextmanager
def alert_worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """`flask --app wsgi worker`, as in production; stopped (only it) at the end."""
    process = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        stop(process)


METRICS_TOKEN = secrets.token_urlsafe(32)
WRITE_LOCK = ("leadform_sqlite_write_hold_seconds", "leadform_sqlite_write_wait_seconds")


def bench_env(database_url: str, think_scale: float, metrics_dir: str = "") -> dict[str, str]:
    """Every visitor comes from 127.0.0.1, so the per-IP limits are lifted; the bot timer
    stays on, below the least time a visit spends in the form. With `metrics_dir`, every
    process (web workers, alert worker) writes its Prometheus values there."""
    least_fill = min(3.0, 0.5 * LEAST_FILL_SECONDS * think_scale)
    shared = {"PROMETHEUS_MULTIPROC_DIR": metrics_dir} if metrics_dir else {}
    return {**app_env(database_url), **shared, "LEADFORM_METRICS_TOKEN": METRICS_TOKEN,
            "LEADFORM_SECRET_KEY": secrets.token_urlsafe(32),
            "LEADFORM_SESSION_COOKIE_SECURE": "false",
            "LEADFORM_SUBMIT_RATE_LIMIT": "1000000 per minute",
            "LEADFORM_BEACON_RATE_LIMIT": "1000000 per minute",
            "LEADFORM_MIN_FILL_SECONDS": f"{least_fill:.3f}"}


def write_lock_totals(base: str) -> dict[str, float]:
    """The write-lock histograms' counts and sums, all processes together, from /metrics."""
    request = urllib.request.Request(base + "/metrics",
                                     headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - our loopback
        text_page = reply.read().decode()
    totals = {f"{name}_{part}": 0.0 for name in WRITE_LOCK for part in ("count", "sum")}
    for family in text_string_to_metric_families(text_page):
        for sample in family.samples:
            if sample.name in totals:
                totals[sample.name] += sample.value
    return totals


def write_lock_share(before: dict[str, float], after: dict[str, float], window: float,
                     submissions: int) -> dict[str, float] | None:
    """What SQLite's one writer did in the window; None where nothing held it (PostgreSQL)."""
    held = after["leadform_sqlite_write_hold_seconds_sum"] - before[
        "leadform_sqlite_write_hold_seconds_sum"]
    holds = after["leadform_sqlite_write_hold_seconds_count"] - before[
        "leadform_sqlite_write_hold_seconds_count"]
    waited = after["leadform_sqlite_write_wait_seconds_sum"] - before[
        "leadform_sqlite_write_wait_seconds_sum"]
    if holds <= 0 or window <= 0 or submissions <= 0:
        return None
    return {"busy_share": held / window, "held_ms_per_visit": 1000 * held / submissions,
            "holds_per_visit": holds / submissions, "mean_hold_ms": 1000 * held / holds,
            "mean_wait_ms": 1000 * waited / holds, "ceiling_rate": submissions / held}


def database_check(database_url: str) -> dict[str, int]:
    """What the database holds after the run: completed responses, bots, leads, alerts."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            metas = connection.execute(
                text("SELECT meta FROM response WHERE state = 'completed'")).scalars().all()
            bots = sum(1 for meta in metas
                       if (json.loads(meta) if isinstance(meta, str) else meta or {}).get("bot"))

            def count(sql: str) -> int:
                return int(connection.execute(text(sql)).scalar_one())

            return {"completed_responses": len(metas), "taken_for_bots": bots,
                    "leads": count("SELECT count(*) FROM lead"),
                    "alert_deliveries": count("SELECT count(*) FROM delivery"),
                    "deliveries_pending": count(
                        "SELECT count(*) FROM delivery WHERE status = 'pending'")}
    finally:
        engine.dispose()


def run_load(label: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="leadform-bench-metrics-") as metrics_dir:
        return _run_load(label, database_url, args, metrics_dir)


def _run_load(label: str, database_url: str, args: argparse.Namespace, metrics_dir: str
              ) -> dict[str, Any]:
    prepare(database_url)
    env = bench_env(database_url, args.think_scale, metrics_dir)
    pacing = math.ceil(PACING_SECONDS * args.think_scale) + 5
    tally = Tally(limit=args.submissions)
    users = args.submissions or math.ceil(args.rate * pacing)
    log_path = (args.server_log.with_suffix(f".{label.lower()}.log")
                if args.server_log else None)
    with gunicorn_process("wsgi:app", env, workers=args.workers, threads=args.threads,
                          ready_path="/f/demo/talk-to-sales",
                          log_path=log_path) as (base, server), \
            alert_worker(env) as worker:
        def server_cpu() -> tuple[float, float, float]:
            database_cpu = postgres_cpu_seconds() if label == "PostgreSQL" else 0.0
            return cpu_seconds(server.pid), cpu_seconds(worker.pid), database_cpu

        user_class = prospect_class(Form.demo(), tally, args.think_scale, pacing, args.seed)
        environment = Environment(user_classes=[user_class], host=base)
        runner = environment.create_local_runner()
        load_before = machine_note()
        cpu, began_server_cpu = time.process_time(), server_cpu()
        began_lock = write_lock_totals(base)
        runner.start(users, spawn_rate=args.rate)
        if args.submissions:
            window, done_before = _until(lambda: tally.completed + tally.failed
                                         >= args.submissions, args.timeout), 0
        else:
            print(f"  {label}: {users} users, one visit each per {pacing} s; warm-up "
                  f"{pacing} s, then {args.duration:g} s measured", flush=True)
            gevent.sleep(pacing)
            environment.stats.reset_all()
            done_before, cpu, began = tally.completed, time.process_time(), time.monotonic()
            began_server_cpu, began_lock = server_cpu(), write_lock_totals(base)
            gevent.sleep(args.duration)
            window = time.monotonic() - began
        measured = snapshot(environment)
        ended_lock = write_lock_totals(base)
        client_cpu = (time.process_time() - cpu) / window if window else 0.0
        web_cpu, worker_cpu, database_cpu = (
            now - then for now, then in zip(server_cpu(), began_server_cpu, strict=True))
        done_in_window = tally.completed - done_before
        load_after = machine_note()
        tally.accepting = False  # let the visits in flight finish, so the counts can agree
        _until(lambda: tally.in_flight == 0, pacing * 2 + 30)
        runner.quit()
        stranded = tally.in_flight
    # The worker is stopped: no alert left in the middle of being sent.
    stored = database_check(database_url)
    cpu_ms = (1000 * (web_cpu + worker_cpu + database_cpu) / done_in_window
              if done_in_window else 0.0)
    cores = psutil.cpu_count() or 1
    ceiling, budget = cpu_capacity(cores, client_cpu, cpu_ms, args.rate)
    write_lock = write_lock_share(began_lock, ended_lock, window, done_in_window)
    return {"database": label, "users": users, "pacing_s": pacing, "window_s": window,
            "submissions": done_in_window, "rate": done_in_window / window if window else 0.0,
            "target_rate": args.rate, "visits": {
                "started": tally.started, "completed": tally.completed,
                "failed": tally.failed, "cut_off": stranded},
            "endings": dict(tally.endings), "failures": dict(tally.failures),
            "requests": measured.rows,
            "total": measured.total, "errors": measured.errors, "stored": stored,
            "client_cpu": client_cpu,
            "server_cpu": (web_cpu + worker_cpu) / window if window else 0.0,
            "web_cpu_ms_per_visit": 1000 * web_cpu / done_in_window if done_in_window else 0.0,
            "worker_cpu_ms_per_visit": (1000 * worker_cpu / done_in_window
                                        if done_in_window else 0.0),
            "database_cpu_ms_per_visit": (1000 * database_cpu / done_in_window
                                          if done_in_window else 0.0),
            "cpu_ms_per_visit": cpu_ms, "cores": cores,
            "cpu_ceiling_rate": ceiling, "cpu_budget_ms": budget, "write_lock": write_lock,
            "machine": [load_before, load_after],
            "gunicorn": {"workers": args.workers, "threads": args.threads,
                         "worker_class": "gthread"}}


def _until(done: Callable[[], bool], seconds: float) -> float:
    """Wait (cooperatively) until done() or the timeout; returns the seconds waited."""
    began = time.monotonic()
    while not done() and time.monotonic() - began < seconds:
        gevent.sleep(0.2)
    return time.monotonic() - began


def verdict(result: dict[str, Any], strict_rate: bool) -> tuple[bool, bool, list[str]]:
    """(healthy: nothing broke, passed: the goal is met, reasons it is not)."""
    reasons = []
    errors, failed = result["total"]["failures"], result["visits"]["failed"]
    stored = result["stored"]
    if errors or failed:  # a failed visit stopped at a failed request, or a page it refused
        reasons.append(f"{errors} request errors, {failed} visits failed")
    completed, cut_off = result["visits"]["completed"], result["visits"]["cut_off"]
    # A visit cut off at the end may have had its final submit stored: an upper bound then.
    if not completed <= stored["completed_responses"] <= completed + cut_off:
        reasons.append(f"the database holds {stored['completed_responses']} completed "
                       f"responses, the clients completed {completed} (+{cut_off} cut off)")
    if stored["taken_for_bots"]:
        reasons.append(f"{stored['taken_for_bots']} responses were taken for bots")
    healthy = not reasons
    slow = [row["name"] for row in result["requests"] if row["p99_ms"] >= GOAL_P99_MS]
    if slow:
        reasons.append("p99 >= 300 ms: " + ", ".join(slow))
    if strict_rate and result["rate"] < GOAL_RATE_SHARE * result["target_rate"]:
        reasons.append(f"{result['rate']:.1f} submissions/s < "
                       f"{GOAL_RATE_SHARE:.0%} of {result['target_rate']:g}")
    return healthy, not reasons, reasons


def report(result: dict[str, Any], passed: bool, reasons: list[str]) -> None:
    print(f"\n{result['database']}: gunicorn gthread {result['gunicorn']['workers']} workers "
          f"x {result['gunicorn']['threads']} threads; {result['users']} users "
          f"(one visit per {result['pacing_s']} s each); {result['window_s']:.0f} s measured")
    print("  " + result["machine"][0] + " (start)")
    print("  " + result["machine"][1] + " (end)")
    header = (f"  {'request':<36} {'count':>7} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'max ms':>7}")
    print(header)
    print("  " + "-" * (len(header) - 2))
    for row in [*result["requests"], {**result["total"], "name": "all requests"}]:
        print(f"  {row['name'][:36]:<36} {row['requests']:>7} {row['failures']:>6} "
              f"{row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} {row['p99_ms']:>7.0f} "
              f"{row['max_ms']:>7.0f}")
    visits, stored = result["visits"], result["stored"]
    print(f"  submissions: {result['submissions']} in the window = {result['rate']:.1f}/s "
          f"(target {result['target_rate']:g}/s); visits started {visits['started']}, "
          f"completed {visits['completed']}, failed {visits['failed']}, cut off "
          f"{visits['cut_off']}")
    print(f"  CPU: server {result['server_cpu']:.2f} cores; per submission gunicorn "
          f"{result['web_cpu_ms_per_visit']:.1f} ms, alert worker "
          f"{result['worker_cpu_ms_per_visit']:.1f} ms"
          + (f", PostgreSQL {result['database_cpu_ms_per_visit']:.1f} ms"
             if result["database_cpu_ms_per_visit"] else "")
          + "; client (locust) "
          f"{result['client_cpu']:.0%} of a core")
    print(f"  capacity: at {result['cpu_ms_per_visit']:.0f} ms of CPU per submission (web, "
          f"worker, database) the {result['cores'] - result['client_cpu']:.2f} cores the "
          f"client leaves carry at most {result['cpu_ceiling_rate']:.1f} submissions/s; "
          f"{result['target_rate']:g}/s allows {result['cpu_budget_ms']:.0f} ms")
    lock = result.get("write_lock")
    if lock:
        print(f"  SQLite write lock: held {lock['busy_share']:.0%} of the window, "
              f"{lock['held_ms_per_visit']:.1f} ms per submission in "
              f"{lock['holds_per_visit']:.1f} holds (mean {lock['mean_hold_ms']:.1f} ms, "
              f"mean wait {lock['mean_wait_ms']:.1f} ms): one writer at a time carries at most "
              f"{lock['ceiling_rate']:.1f} submissions/s")
    print(f"  endings: {result['endings']}")
    print(f"  database: {stored['completed_responses']} completed responses "
          f"({stored['taken_for_bots']} taken for bots), {stored['leads']} leads, "
          f"{stored['alert_deliveries']} alert deliveries ({stored['deliveries_pending']} "
          "pending)")
    for error, times in list(result["errors"].items())[:10]:
        print(f"  error x{times}: {error[:150]}")
    print(f"  goal p99 < {GOAL_P99_MS:.0f} ms per request, 0 errors: "
          + ("PASS" if passed else "FAIL (" + "; ".join(reasons) + ")"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", help="use this database (migrated and given the "
                        "demo here) instead of making one")
    parser.add_argument("--duration", type=float, default=300, help="seconds measured")
    parser.add_argument("--rate", type=float, default=50, help="submissions per second")
    parser.add_argument("--workers", type=int, default=GUNICORN_WORKERS,
                        help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=GUNICORN_THREADS,
                        help="threads per gunicorn worker")
    parser.add_argument("--think-scale", type=float, default=1.0,
                        help="multiplies every think time (1: a person's pace)")
    parser.add_argument("--submissions", type=int, help="only this many visits, all measured")
    parser.add_argument("--timeout", type=float, default=300,
                        help="with --submissions: give up after this many seconds")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write the results here "
                        "(default bench/out/load.json)")
    parser.add_argument("--server-log", type=Path, help="keep gunicorn's output (the app's "
                        "JSON log) in FILE.<database>.log")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args()
    makers: dict[str, tuple[str, Callable[[], AbstractContextManager[str]]]] = {
        "sqlite": ("SQLite", sqlite_database), "postgresql": ("PostgreSQL", postgres_database)}
    if args.database_url:
        label = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
        makers = {"given": (label, lambda: _given(args.database_url))}
    elif args.database != "both":
        makers = {args.database: makers[args.database]}
    results, healthy, passed = [], True, True
    for label, maker in makers.values():
        with maker() as database_url:
            result = run_load(label, database_url, args)
        ok, met, reasons = verdict(result, strict_rate=not args.submissions)
        result |= {"healthy": ok, "passed": met, "reasons": reasons}
        report(result, met, reasons)
        results.append(result)
        healthy, passed = healthy and ok, passed and met
    target = args.json or OUT / "load.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"settings": {**vars(args), "json": str(target)},
                                  "results": results}, indent=2, default=str))
    if not healthy:
        print("\nSOMETHING BROKE: errors, or the database disagrees with the clients (above)")
    return 0 if healthy and (passed or not args.strict) else 1


@contextmanager
def _given(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    sys.exit(main())
