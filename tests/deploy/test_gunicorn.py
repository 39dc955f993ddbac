"""gunicorn with gunicorn.conf.py, as production runs it: probes, JSON logs, metrics."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:  # noqa: S310 - local server
            return reply.status, dict(reply.headers), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def gunicorn_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'served.db'}"
    upgrade(url)
    port, token = free_port(), secrets.token_urlsafe(32)
    env = {**os.environ, "DATABASE_URL": url, "LEADFORM_SECRET_KEY": secrets.token_urlsafe(32),
           "LEADFORM_SESSION_COOKIE_SECURE": "false", "LEADFORM_BIND": f"127.0.0.1:{port}",
           "LEADFORM_WORKERS": "2", "LEADFORM_METRICS_TOKEN": token,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    env.pop("LEADFORM_ENV", None)
    env.pop("FLASK_DEBUG", None)
    (tmp_path / "metrics").mkdir()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {log_path.read_text()[-3000:]}")
            try:
                if fetch(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn never answered: {log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base, token, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_serves_probes_json_logs_and_metrics(gunicorn_server):
    base, token, log_path = gunicorn_server
    status, _, body = fetch(base + "/readyz")
    assert status == 200 and json.loads(body)["status"] == "ready"
    status, headers, _ = fetch(base + "/f/acme/missing", {"X-Request-ID": "probe-req-0001"})
    assert status == 404 and headers["X-Request-ID"] == "probe-req-0001"
    assert fetch(base + "/metrics")[0] == 401
    for _ in range(4):  # several requests: both worker processes are likely to count some
        fetch(base + "/healthz")
    status, _, metrics = fetch(base + "/metrics", {"Authorization": f"Bearer {token}"})
    assert status == 200
    assert 'leadform_request_duration_seconds_count{endpoint="ops.healthz"' in metrics
    assert "leadform_outbox_queue_depth 0.0" in metrics
    deadline = time.monotonic() + 10
    while True:
        lines = [json.loads(line) for line in log_path.read_text().splitlines()
                 if line.startswith("{")]
        mine = [line for line in lines if line.get("request_id") == "probe-req-0001"]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert mine, log_path.read_text()[-3000:]
    assert mine[0]["path"] == "/f/acme/missing" and mine[0]["status"] == 404
    assert mine[0]["method"] == "GET" and mine[0]["workspace"] == "acme"
    assert "duration_ms" in mine[0] and mine[0]["logger"] == "leadform.requests"
