"""Speed to lead: from a prospect's final submit to the alert arriving at the receivers.

For SQLite (a temporary file) and PostgreSQL (a database it creates and drops), it
loads the demo, registers a signed webhook (`lead.qualified`) and a Slack incoming
webhook (SQL and bookings) pointing at two local receivers, then runs the app as
`make run` does: gunicorn (gthread, 2 workers x 4 threads) plus `flask worker`.
`--clients` visitors at a time complete the demo form's sales path (no-JS flow) as
qualifying leads, `--submissions` in all. For each submission it notes the moment
the final POST is sent and the moments the webhook and the Slack message arrive
(matched by the event id both carry), and prints p50/p95/p99 of those delays.
Targets: p50 <= 200 ms, p99 <= 1 s.

Baseline, measured in the same run: the time for a bare POST of the same size from
this process to the same receiver (the network and HTTP floor); the ratio says how
much of the delay is Leadform's. Every webhook is verified with `standardwebhooks`.
Writes bench/out/speed_to_lead.json. Exits 1 if an alert is missing.

Run: .venv/bin/python bench/speed_to_lead.py [--submissions 100] [--clients 2]
         [--databases sqlite,postgresql] [--no-fast-path]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (  # noqa: E402
    BIN,
    OUT,
    ROOT,
    app_env,
    gunicorn,
    machine_note,
    postgres_database,
    prepare,
    sqlite_database,
    stop,
)
from submit_throughput import Client, submit_nojs  # noqa: E402

from tests.alerts.sink import Sink, running_sink  # noqa: E402

EVENT_ID = re.compile(r"evt_[0-9a-f]{32}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def submit(client: Client, sent_at: dict[str, float], lock: threading.Lock) -> bool:
    """The no-JS sales path; the clock starts as the final POST goes out."""

    def start_clock(email: str) -> None:
        with lock:
            sent_at[email] = time.monotonic()

    return submit_nojs(client, start_clock)


def floor_latency(url: str, body: bytes, samples: int = 50) -> list[float]:
    """A bare POST to the receiver and its answer: what any alert costs at least."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    delays = []
    for _ in range(samples):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        started = time.monotonic()
        connection.request("POST", "/floor", body=body,
                           headers={"Content-Type": "application/json"})
        connection.getresponse().read()
        delays.append((time.monotonic() - started) * 1000)
        connection.close()
    return delays


def add_endpoints(env: dict[str, str], webhook: str, slack: str) -> str:
    flask = [str(BIN / "flask"), "--app", "wsgi", "alerts", "add-endpoint", "--workspace",
             "demo"]
    made = subprocess.run([*flask, "--kind", "webhook", "--name", "Bench webhook", "--url",
                           webhook, "--event", "lead.qualified"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    subprocess.run([*flask, "--kind", "slack", "--name", "Bench Slack", "--url", slack],
                   cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return made.stdout.split("Signing secret (store it now): ")[1].split()[0]


def bench_database(label: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    prepare(database_url)
    env = {**app_env(database_url), "LEADFORM_ALERTS_ALLOWED_NETWORKS": "127.0.0.1",
           "LEADFORM_ALERTS_FAST_PATH": "true" if args.fast_path else "false",
           "LEADFORM_ALERTS_POLL_SECONDS": "1.0"}
    with running_sink(Sink()) as hooks, running_sink(Sink()) as slack, \
            running_sink(Sink()) as bare:
        secret = add_endpoints(env, hooks.url, slack.url)
        worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sent_at: dict[str, float] = {}
        lock = threading.Lock()
        failures = 0
        try:
            with gunicorn("wsgi:app", env) as base:
                submit(Client(base), {}, lock)  # warm-up: not counted
                hooks.wait_for(1, timeout=30)
                slack.wait_for(1, timeout=30)
                hooks.received.clear()
                slack.received.clear()
                remaining = iter(range(args.submissions))

                def visitor() -> None:
                    nonlocal failures
                    client = Client(base)
                    while True:
                        with lock:
                            if next(remaining, None) is None:
                                return
                        if not submit(client, sent_at, lock):
                            with lock:
                                failures += 1

                threads = [threading.Thread(target=visitor) for _ in range(args.clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                hooks.wait_for(len(sent_at), timeout=60)
                slack.wait_for(len(sent_at), timeout=60)
                floor = floor_latency(bare.url, hooks.received[0].body if hooks.received
                                      else b"{}")
        finally:
            stop(worker)  # type: ignore[arg-type]
            if worker.stderr:
                worker.stderr.close()
        bodies = hooks.verified(secret)
    email_of = {body["id"]: body["data"]["contact"]["email"] for body in bodies}
    webhook_ms = [(request.at - sent_at[email_of[body["id"]]]) * 1000
                  for body, request in zip(bodies, hooks.received, strict=True)
                  if email_of.get(body["id"]) in sent_at]
    slack_ms = []
    for request in slack.received:
        match = EVENT_ID.search(request.body.decode("utf-8", "replace"))
        email = email_of.get(match.group(0)) if match else None
        if email in sent_at:
            slack_ms.append((request.at - sent_at[email]) * 1000)
    return {"database": label, "submissions": len(sent_at), "failed": failures,
            "webhook_ms": webhook_ms, "slack_ms": slack_ms, "floor_ms": floor}


def report(results: list[dict[str, Any]]) -> bool:
    header = (f"{'database':<11} {'receiver':<8} {'alerts':>6} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'floor p50':>9} {'p50/floor':>9}  targets (p50<=200, p99<=1000)")
    print("\n" + header)
    print("-" * len(header))
    healthy = True
    for result in results:
        floor = statistics.median(result["floor_ms"])
        for receiver in ("webhook", "slack"):
            delays = result[f"{receiver}_ms"]
            p50, p95, p99 = (percentile(delays, share) for share in (0.5, 0.95, 0.99))
            met = p50 <= 200 and p99 <= 1000
            complete = len(delays) == result["submissions"] and result["failed"] == 0
            healthy &= complete
            print(f"{result['database']:<11} {receiver:<8} {len(delays):>6} {p50:>8.1f} "
                  f"{p95:>8.1f} {p99:>8.1f} {floor:>9.2f} {p50 / floor:>9.1f}  "
                  f"{'met' if met else 'MISSED'}{'' if complete else '  (alerts missing)'}")
    return healthy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-fast-path", dest="fast_path", action="store_false",
                        help="leave delivery to the worker alone (polls every second)")
    args = parser.parse_args()
    makers: dict[str, tuple[str, Callable[[], AbstractContextManager[str]]]] = {
        "sqlite": ("SQLite", sqlite_database), "postgresql": ("PostgreSQL", postgres_database)}
    print(machine_note(), "(before)")
    results = []
    for key in args.databases.split(","):
        label, maker = makers[key.strip()]
        with maker() as database_url:
            results.append(bench_database(label, database_url, args))
    print(machine_note(), "(after)")
    healthy = report(results)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "speed_to_lead.json").write_text(json.dumps(
        {"settings": vars(args), "results": results}, indent=2))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
