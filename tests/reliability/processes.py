"""The app as it is deployed, in subprocesses a test may kill: gunicorn and the alert worker.

Only processes started here are ever signalled (by pid): gunicorn's master and the
workers it forked, and the `flask worker` command. Everything is stopped when its
`with` block ends, on success, failure or interrupt.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import psutil

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM (a graceful stop for gunicorn and the worker), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def tail(path: Path, size: int = 3000) -> str:
    if not path.exists():
        return ""
    return path.read_bytes()[-size:].decode("utf-8", "replace")


class Gunicorn:
    """`gunicorn wsgi:app` with gthread workers: 2 x 4 threads by default, so a kill lands on
    several requests in flight at once (`make run` serves one thread per worker)."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log: IO[bytes] = log.open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers",
             str(workers), "--threads", str(threads), "--worker-class", "gthread",
             "--graceful-timeout", "10", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.kills = 0

    def wait_until_serving(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n"
                                   + tail(self.log))
            try:
                with urllib.request.urlopen(self.base + "/", timeout=5):  # our own server
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn never answered on {self.base}:\n{tail(self.log)}")

    def workers(self) -> list[psutil.Process]:
        """The master's children: the workers serving requests right now."""
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def kill_a_worker(self, rng: random.Random) -> int | None:
        """SIGKILL one worker, chosen at random; the master forks a new one."""
        workers = self.workers()
        if not workers:
            return None
        victim = rng.choice(workers)
        try:
            victim.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            return None
        self.kills += 1
        return victim.pid

    def close(self) -> None:
        stop(self.process)
        self._log.close()


class AlertWorker:
    """`flask --app wsgi worker`, restarted by `kill()` (SIGKILL, then a new one)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self._log: IO[bytes] = log.open("ab")
        self.lock = threading.Lock()
        self.kills = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT,
                                env=self.env, stdout=self._log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """Die without a word, mid-whatever; a new worker takes over at once."""
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL)
                self.process.wait(timeout=10)
                self.kills += 1
            # On SQLite the dead worker's file lock went with it, so a new one may start.
            self.process = self._spawn()

    def stop(self) -> None:
        with self.lock:
            if self.process is not None:
                stop(self.process)
                self.process = None

    def run_once(self) -> str:
        """`flask worker --once`: deliver what is due now and exit (after `stop`)."""
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "worker", "--once"],
                              cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"flask worker --once failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def close(self) -> None:
        self.stop()
        self._log.close()


@contextmanager
def running_app(env: dict[str, str], logs: Path) -> Iterator[tuple[Gunicorn, AlertWorker]]:
    """gunicorn and an alert worker, both stopped afterwards whatever happens."""
    server = Gunicorn(env, logs / "gunicorn.log")
    worker = AlertWorker(env, logs / "worker.log")
    try:
        worker.start()
        server.wait_until_serving()
        yield server, worker
    finally:
        server.close()
        worker.close()


class Chaos(threading.Thread):
    """Kill rounds at moments spread over the run: a web worker, then the alert worker.

    Round `i` of `rounds` fires once `progress()` (finished submissions) passes
    i/(rounds+1) of `total`, plus a random few milliseconds, so every kill lands
    while clients are in the middle of submitting and alerts are being sent.
    """

    def __init__(self, server: Gunicorn, worker: AlertWorker, rounds: int, total: int,
                 progress: Callable[[], int], seed: int) -> None:
        super().__init__(name="chaos", daemon=True)
        self.server, self.worker = server, worker
        self.rounds, self.total, self.progress = rounds, total, progress
        self.rng = random.Random(seed)  # noqa: S311 - chaos, not secrets
        self.halt = threading.Event()
        self.error: BaseException | None = None
        self.killed_pids: list[int] = []

    def run(self) -> None:
        try:
            for round_number in range(1, self.rounds + 1):
                threshold = self.total * round_number / (self.rounds + 1)
                while self.progress() < threshold:
                    if self.halt.wait(0.01):
                        return
                if self.halt.wait(self.rng.uniform(0, 0.05)):
                    return
                pid = self.server.kill_a_worker(self.rng)
                if pid is not None:
                    self.killed_pids.append(pid)
                if self.halt.wait(self.rng.uniform(0, 0.3)):
                    return
                self.worker.kill()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def finish(self) -> None:
        self.halt.set()
        self.join(30)
        if self.error is not None:
            raise self.error


def app_env(database_url: str, secret: str) -> dict[str, str]:
    """Settings that let scripted clients submit, and alerts reach a local receiver fast."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("LEADFORM_") and name != "DATABASE_URL"}
    return {
        **env,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "LEADFORM_SECRET_KEY": secret,
        "LEADFORM_SESSION_COOKIE_SECURE": "false",
        "LEADFORM_MIN_FILL_SECONDS": "0",
        "LEADFORM_SUBMIT_RATE_LIMIT": "1000000 per minute",
        "LEADFORM_BEACON_RATE_LIMIT": "1000000 per minute",
        "LEADFORM_ALERTS_ALLOWED_NETWORKS": "127.0.0.1",
        "LEADFORM_ALERTS_FAST_PATH": "true",
        # Claims of killed processes come back quickly, so the outbox drains in seconds.
        "LEADFORM_ALERTS_LEASE_SECONDS": "2",
        "LEADFORM_ALERTS_POLL_SECONDS": "0.1",
    }
