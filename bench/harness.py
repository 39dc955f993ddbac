"""Shared bits for the benchmarks: a migrated database with the demo, gunicorn, PostgreSQL.

Everything here binds to 127.0.0.1 only, and every server or database it makes is
removed again when its `with` block ends (normally, on an error or on Ctrl-C).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
# How `make run` serves the app (gunicorn.conf.py's defaults): the shape the benchmarks
# measure.
GUNICORN_WORKERS, GUNICORN_THREADS = min(2 * (os.cpu_count() or 1) + 1, 12), 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BENCH_SECRET_KEY = secrets.token_urlsafe(32)  # one per run: the subprocesses share it


def app_env(database_url: str) -> dict[str, str]:
    """The app as a benchmark runs it: no bot timer, no per-IP limit (one client IP)."""
    return {**os.environ, "DATABASE_URL": database_url, "LEADFORM_SECRET_KEY": BENCH_SECRET_KEY,
            "LEADFORM_MIN_FILL_SECONDS": "0",
            "LEADFORM_SUBMIT_RATE_LIMIT": "1000000 per minute"}


def prepare(database_url: str) -> None:
    """`flask db upgrade` and `flask demo load` against `database_url`."""
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        done = subprocess.run([*flask, *command], cwd=ROOT, env=app_env(database_url),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stderr[-3000:]}")


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # our own loopback server
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL if it lingers; only this process."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = GUNICORN_WORKERS,
             threads: int = GUNICORN_THREADS, ready_path: str = "/") -> Iterator[str]:
    """`gunicorn app` (gthread, as `make run`) on a free loopback port; yields its base URL."""
    with gunicorn_process(app, env, workers, threads, ready_path) as (base, _process):
        yield base


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and all its living children."""
    try:
        root = psutil.Process(pid)
        return _cpu_of([root, *root.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0.0


def postgres_cpu_seconds() -> float:
    """CPU time used so far by the PostgreSQL server's living processes on this machine
    (0 without one): with the load test's web and alert workers, where the cores went."""
    return _cpu_of([process for process in psutil.process_iter(["name"])
                    if process.info["name"] in ("postgres", "postmaster")])


def _cpu_of(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:  # ended since it was listed
            continue
        total += times.user + times.system
    return total


def cpu_capacity(cores: float, client_cores: float, cpu_ms_per_submission: float,
                 target_rate: float) -> tuple[float, float]:
    """(the most submissions/s the cores the client leaves could carry at this CPU cost,
    the CPU per submission that `target_rate` allows): what a load run says about CPU
    alone, before any queueing or lock."""
    free = max(cores - client_cores, 0.0)
    ceiling = free * 1000 / cpu_ms_per_submission if cpu_ms_per_submission > 0 else 0.0
    budget = free * 1000 / target_rate if target_rate > 0 else 0.0
    return ceiling, budget


@contextmanager
def gunicorn_process(app: str, env: dict[str, str], workers: int = GUNICORN_WORKERS,
                     threads: int = GUNICORN_THREADS, ready_path: str = "/",
                     log_path: Path | None = None
                     ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As gunicorn(), yielding the master process too (to read the server's CPU time).

    Its output (the app's JSON log lines) goes to `log_path` when given, else to a
    temporary file shown only if the block fails.
    """
    port = free_port()
    with (log_path.open("w+b") if log_path else tempfile.TemporaryFile()) as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
             "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--graceful-timeout", "10", app],
            cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + ready_path, process)
            yield base, process
        except BaseException:
            log.seek(0)
            sys.stderr.write(f"--- gunicorn {app} log ---\n"
                             + log.read()[-4000:].decode("utf-8", "replace") + "\n")
            raise
        finally:
            stop(process)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1 for the `with` block; dropped afterwards."""
    name = f"leadform_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A fresh SQLite file in a temporary folder; the folder goes afterwards."""
    with tempfile.TemporaryDirectory(prefix="leadform-bench-") as folder:
        yield f"sqlite:///{folder}/bench.db"


def machine_note() -> str:
    """The machine's load, printed with results: other work on it skews every timing."""
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    busy = "  (busy: timings are noisy)" if load > cores * 0.5 else ""
    return f"machine: {cores} cores, load average {load:.2f} over the last minute{busy}"
