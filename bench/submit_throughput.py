"""Complete multi-step submissions per second, against a bare insert-one-row baseline.

What it measures, for SQLite (a temporary file) and PostgreSQL (a database on
127.0.0.1 that it creates and drops):

* subject: `flask db upgrade`, `flask demo load`, then gunicorn serving wsgi:app the
  way `make run` deploys it (gthread, 2 workers x 4 threads) on a free loopback port.
  A pool of client threads (default 8, each with its own keep-alive connection)
  completes the demo form's 4-step "sales" path over and over for a fixed time, each
  submission a new visitor with its own cookie jar and its own email. The default
  `--flow nojs` is what a browser without JavaScript does: GET the screen, POST it
  (303), for each of the 4 steps = 8 requests; the final POST scores, routes, assigns
  a rep and redirects to /done/<token>. `--flow htmx` is what the page does with
  JavaScript: one GET, then 4 POSTs answered with the next screen = 5 requests.
* baseline: bench/bare_app.py (a bare Flask endpoint that inserts one response-like
  row with a JSON answers column through the app's engine settings) under the same
  gunicorn settings, same database, same client pool, same duration.

Both servers run at once and are driven in alternating slices (--rounds, default 4, the
order flipping each round), so background load drifts onto both alike; each gets a
short warm-up first (not counted). Prints submissions/s, inserts/s, the ratio (target
>= 0.5), and the per-request ratio (the subject makes 8 or 5 requests per submission,
the baseline one), then checks that the database holds exactly as many new
completed responses (and baseline rows) as the clients counted. The client runs on the
same machine: its CPU share is printed so a client-bound figure can be recognised.
Writes bench/out/submit_throughput.json. Exits 1 only if something broke.

Run: .venv/bin/python bench/submit_throughput.py [--seconds 20] [--clients 8]
         [--flow nojs|htmx] [--databases sqlite,postgresql] [--warmup 2] [--rounds 4]
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import re
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bare_app import create_table
from harness import (
    GUNICORN_THREADS,
    GUNICORN_WORKERS,
    OUT,
    app_env,
    gunicorn,
    machine_note,
    postgres_database,
    prepare,
    sqlite_database,
)
from sqlalchemy import create_engine, text

TOKEN = re.compile(r'name="_lf_token" value="([^"]+)"')
FORM = "/f/demo/talk-to-sales"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
# The demo's "sales" path: (the field that shows the step is on screen, the answers).
STEPS: list[tuple[str, list[tuple[str, str]]]] = [
    ("first_name", [("first_name", "Ada"), ("email", "{email}"), ("job_level", "vp")]),
    ("company", [("company", "Acme"), ("company_size", "51-200")]),
    ("use_case", [("use_case", "lead_quality"), ("use_case", "meetings"),
                  ("timeline", "now"), ("budget", "over_50k"), ("authority", "me")]),
    ("consent", [("notes", ""), ("consent", "yes")]),
]
REQUESTS_PER = {"nojs": 2 * len(STEPS), "htmx": 1 + len(STEPS), "insert": 1}
RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Client:
    """One keep-alive connection and one visitor's cookie jar (the `lf_v` cookie)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.reconnects = 0

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, body, Location); reconnects once if the server closed the idle socket."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                break
            except RETRYABLE:
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.reconnects += 1
                if attempt == 2:
                    raise
        content = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, content, response.getheader("Location") or ""


def token_of(page: str) -> str | None:
    match = TOKEN.search(page)
    return html.unescape(match.group(1)) if match else None


def submit_nojs(client: Client, before_final: Callable[[str], None] | None = None) -> bool:
    """GET + POST (303) per step, as without JavaScript: 8 requests.

    `before_final(email)` runs just before the final POST goes out (speed_to_lead.py
    starts its clock there).
    """
    client.cookies.clear()  # a new visitor
    email = f"ada.{uuid.uuid4().hex[:12]}@example.com"
    for index, (marker, answers) in enumerate(STEPS):
        status, page, _ = client.request("GET", FORM)
        token = token_of(page)
        if status != 200 or token is None or f'name="{marker}"' not in page:
            return False
        body = urlencode([("_lf_token", token)]
                         + [(name, value.format(email=email)) for name, value in answers])
        if before_final is not None and index == len(STEPS) - 1:
            before_final(email)
        status, _, location = client.request("POST", FORM, body, FORM_HEADERS)
        last = index == len(STEPS) - 1
        if status != 303 or (f"{FORM}/done/" in location) != last:
            return False
    return True


def submit_htmx(client: Client) -> bool:
    """One GET, then one POST per step answered with the next screen: 5 requests."""
    client.cookies.clear()
    email = f"ada.{uuid.uuid4().hex[:12]}@example.com"
    status, page, _ = client.request("GET", FORM)
    for marker, answers in STEPS:
        token = token_of(page)
        if status != 200 or token is None or f'name="{marker}"' not in page:
            return False
        body = urlencode([("_lf_token", token)]
                         + [(name, value.format(email=email)) for name, value in answers])
        status, page, _ = client.request("POST", FORM, body, {**FORM_HEADERS,
                                                              "HX-Request": "true"})
    return status == 200 and "Thanks, Ada!" in page


def insert_one(client: Client) -> bool:
    body = json.dumps({"visitor": uuid.uuid4().hex, "answers": {
        "first_name": "Ada", "email": f"ada.{uuid.uuid4().hex[:12]}@example.com",
        "job_level": "vp", "company": "Acme", "company_size": "51-200",
        "use_case": ["lead_quality", "meetings"], "timeline": "now", "budget": "over_50k",
        "authority": "me", "notes": "", "consent": True}})
    status, _, _ = client.request("POST", "/insert", body, {"Content-Type": "application/json"})
    return status == 204


@dataclass
class Run:
    """One subject driven for a fixed time."""

    database: str
    subject: str
    requests_per_unit: int
    done: int = 0
    failed: int = 0
    reconnects: int = 0
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0  # CPU the client process used while driving it
    latencies_ms: list[float] = field(default_factory=list)
    stored: int = 0  # rows the database gained, as counted after the run

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    @property
    def client_cpu(self) -> float:
        """Share of one core the client used: near 100% would mean a client-bound figure."""
        return self.client_cpu_seconds / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("latencies_ms")
        ordered = sorted(self.latencies_ms) or [0.0]
        data |= {"rate": self.rate, "client_cpu": self.client_cpu,
                 "p50_ms": statistics.median(ordered),
                 "p95_ms": ordered[int(0.95 * (len(ordered) - 1))]}
        return data


def drive(base: str, work: Callable[[Client], bool], clients: int, seconds: float,
          run: Run) -> None:
    """Loop `work` on `clients` threads until the deadline (each finishes its current unit);
    adds the counts and the time to `run`."""
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop() -> None:
        client = Client(base)
        done = failed = 0
        latencies: list[float] = []
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                ok = work(client)
            except (OSError, http.client.HTTPException):
                ok = False
                client = Client(base)
            if ok:
                done += 1
                latencies.append((time.perf_counter() - began) * 1000)
            else:
                failed += 1
        with lock:
            run.done += done
            run.failed += failed
            run.reconnects += client.reconnects
            run.latencies_ms.extend(latencies)

    cpu, started = time.process_time(), time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds += time.monotonic() - started
    run.client_cpu_seconds += time.process_time() - cpu


def count(database_url: str, sql: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


COMPLETED = "SELECT count(*) FROM response WHERE state = 'completed'"
ROWS = "SELECT count(*) FROM bench_row"


def bench_database(label: str, database_url: str, args: argparse.Namespace) -> list[Run]:
    """Both servers up at once, driven in alternating slices, so load drift hits both."""
    prepare(database_url)
    create_table(database_url)
    env = app_env(database_url)
    work = submit_nojs if args.flow == "nojs" else submit_htmx
    subject = Run(label, f"Leadform ({args.flow})", REQUESTS_PER[args.flow])
    baseline = Run(label, "bare insert", REQUESTS_PER["insert"])
    with gunicorn("wsgi:app", env) as leadform, \
            gunicorn("bench.bare_app:make_app()", env) as bare:
        plan = [(subject, leadform, work, COMPLETED), (baseline, bare, insert_one, ROWS)]
        for _, base, task, _ in plan:
            drive(base, task, args.clients, args.warmup, Run(label, "warm-up", 0))
        before = [count(database_url, sql) for *_, sql in plan]
        for round_ in range(args.rounds):
            for run, base, task, _ in plan if round_ % 2 == 0 else plan[::-1]:
                drive(base, task, args.clients, args.seconds / args.rounds, run)
        for (run, *_, sql), counted in zip(plan, before, strict=True):
            run.stored = count(database_url, sql) - counted
            print(f"  {label:<10} {run.subject:<18} {run.rate:8.1f}/s", flush=True)
    endings = count(database_url, "SELECT count(*) FROM response WHERE state = 'completed' "
                    "AND ending = 'sales'")
    print(f"  {label:<10} completed responses that reached the 'sales' ending: {endings} "
          "(warm-up included)")
    return [subject, baseline]


def report(runs: list[Run], args: argparse.Namespace) -> bool:
    """Prints the tables; False if a count does not add up or a unit failed."""
    print(f"\ngunicorn gthread {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads; "
          f"{args.clients} client threads; {args.seconds:g} s per subject in {args.rounds} "
          f"alternating slices; flow {args.flow}")
    header = (f"{'database':<10} {'subject':<18} {'done':>6} {'failed':>6} {'rate/s':>8} "
              f"{'HTTP req/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'client CPU':>10} "
              f"{'stored':>7}  check")
    print(header)
    print("-" * len(header))
    healthy = True
    for run in runs:
        item = run.summary()
        check = "ok" if run.stored == run.done else "MISMATCH"
        healthy &= run.stored == run.done and run.failed == 0
        print(f"{run.database:<10} {run.subject:<18} {run.done:>6} {run.failed:>6} "
              f"{run.rate:>8.1f} {run.rate * run.requests_per_unit:>10.1f} "
              f"{item['p50_ms']:>7.1f} {item['p95_ms']:>7.1f} {run.client_cpu:>9.0%} "
              f"{run.stored:>7}  {check}")
    print(f"\n{'database':<10} {'submissions/s ÷ inserts/s':>26} {'target >= 0.5':>14} "
          f"{'per-request ratio':>18}  (HTTP requests/s ÷ inserts/s = per-submission ratio "
          f"x {runs[0].requests_per_unit} requests)")
    for subject, baseline in zip(runs[::2], runs[1::2], strict=True):
        ratio = subject.rate / baseline.rate if baseline.rate else 0.0
        per_request = ratio * subject.requests_per_unit
        print(f"{subject.database:<10} {ratio:>26.3f} {'met' if ratio >= 0.5 else 'MISSED':>14} "
              f"{per_request:>18.2f}")
    return healthy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=2, help="seconds, not counted")
    parser.add_argument("--rounds", type=int, default=4,
                        help="slices per subject, alternating with the baseline")
    parser.add_argument("--flow", choices=["nojs", "htmx"], default="nojs")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    makers: dict[str, tuple[str, Callable[[], AbstractContextManager[str]]]] = {
        "sqlite": ("SQLite", sqlite_database), "postgresql": ("PostgreSQL", postgres_database)}
    runs: list[Run] = []
    print(machine_note(), "(before)")
    for key in args.databases.split(","):
        label, maker = makers[key.strip()]
        with maker() as database_url:
            runs += bench_database(label, database_url, args)
    print(machine_note(), "(after)")
    healthy = report(runs, args)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "submit_throughput.json").write_text(json.dumps(
        {"settings": vars(args), "gunicorn": {"worker_class": "gthread",
                                              "workers": GUNICORN_WORKERS,
                                              "threads": GUNICORN_THREADS},
         "runs": [run.summary() for run in runs],
         "ratios": [{"database": subject.database, "flow": args.flow,
                     "requests_per_submission": subject.requests_per_unit,
                     "per_submission": subject.rate / baseline.rate if baseline.rate else 0.0,
                     "per_request": (subject.rate * subject.requests_per_unit / baseline.rate
                                     if baseline.rate else 0.0)}
                    for subject, baseline in zip(runs[::2], runs[1::2], strict=True)]},
        indent=2))
    if not healthy:
        print("\nSOMETHING BROKE: a unit failed or the database count differs (see above)")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
