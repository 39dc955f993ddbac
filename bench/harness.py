"""Shared bits for the benchmarks: a migrated database with the demo, and gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(database_url: str) -> dict[str, str]:
    """The app as a benchmark runs it: no bot timer, no per-IP limit (one client IP)."""
    return {**os.environ, "DATABASE_URL": database_url, "LEADFORM_SECRET_KEY": "bench",
            "LEADFORM_MIN_FILL_SECONDS": "0",
            "LEADFORM_SUBMIT_RATE_LIMIT": "10000000 per minute"}


def prepare(database_url: str) -> None:
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=app_env(database_url), check=True,
                       capture_output=True)


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)  # our own loopback server
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2, threads: int = 4,
             cwd: Path = ROOT) -> Iterator[str]:
    """`gunicorn app` on a free loopback port, the way a deployment would run it."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         app], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
