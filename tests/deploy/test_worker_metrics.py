"""The alert worker's own /metrics and /healthz (`flask worker --metrics-port`): a worker
on a machine without the web's metrics directory is still scraped."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from app import metrics
from app.alerts.worker_metrics import MetricsServer
from app.models import utcnow

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")


def fetch(url: str, token: str | None = None, method: str = "GET") -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 - local server
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_worker_metrics_need_the_token_and_show_deliveries(db_engine, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # this process's counts
    token = secrets.token_urlsafe(24)
    server = MetricsServer(db_engine, token, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.port}"
    try:
        before = fetch(base + "/metrics", token)[1]
        metrics.record_delivery("webhook", ok=True, now=utcnow(),
                                event_created_at=utcnow() - timedelta(seconds=2))
        metrics.record_delivery("slack", ok=False, now=utcnow(), event_created_at=None)

        assert fetch(base + "/metrics")[0] == 401
        assert fetch(base + "/metrics", "not-" + token)[0] == 401
        status, body = fetch(base + "/metrics", token)
        assert status == 200
        assert "leadform_outbox_queue_depth 0.0" in body
        assert _sample(body, 'leadform_alert_latency_seconds_count{channel="webhook"}') == (
            _sample(before, 'leadform_alert_latency_seconds_count{channel="webhook"}') + 1)
        assert _sample(body, 'leadform_alert_delivery_failures_total{channel="slack"}') == (
            _sample(before, 'leadform_alert_delivery_failures_total{channel="slack"}') + 1)
        assert fetch(base + "/healthz") == (200, '{"status": "ok"}\n')
        assert fetch(base + "/metrics", token, method="POST")[0] == 404
        assert fetch(base + "/admin", token)[0] == 404
    finally:
        server.close()
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - closed


def _sample(exposition: str, name: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def _worker(database_url: str, *args: str, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "DATABASE_URL": database_url, **env}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.Popen([str(FLASK), "--app", "wsgi", "worker", *args], cwd=ROOT,
                            env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_flask_worker_serves_its_metrics_until_stopped(database_url, db_engine):
    port, token = free_port(), secrets.token_urlsafe(24)
    worker = _worker(database_url, "--metrics-port", str(port), "--threads", "1",
                     LEADFORM_METRICS_TOKEN=token)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert worker.poll() is None, worker.communicate()[0]
            try:
                if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the worker never served /healthz"
            time.sleep(0.2)
        status, body = fetch(f"http://127.0.0.1:{port}/metrics", token)
        assert status == 200 and "leadform_outbox_queue_depth" in body
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output
    assert f"Metrics on http://127.0.0.1:{port}/metrics" in output


def test_a_metrics_port_without_a_token_or_on_a_taken_port_is_refused(database_url, db_engine):
    worker = _worker(database_url, "--metrics-port", str(free_port()))
    output = worker.communicate(timeout=60)[0]
    assert worker.returncode != 0
    assert "a metrics port needs LEADFORM_METRICS_TOKEN" in output

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        worker = _worker(database_url, "--metrics-port", str(port),
                         LEADFORM_METRICS_TOKEN=secrets.token_urlsafe(24))
        output = worker.communicate(timeout=60)[0]
    assert worker.returncode != 0
    assert f"cannot serve metrics on 127.0.0.1:{port}" in output
