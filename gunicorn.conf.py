"""gunicorn settings for Leadform: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (LEADFORM_BIND, LEADFORM_WORKERS, ...).
Access logs are off: the app writes one JSON line per request with its request id.
Prometheus counts from every worker process meet in PROMETHEUS_MULTIPROC_DIR (a
fresh temporary directory unless set), and a dead worker's live values are dropped.
"""

import os
import shutil
import tempfile

from prometheus_client import multiprocess


def _number(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("LEADFORM_BIND", "127.0.0.1:5000")
# The usual 2 x cores + 1, capped: each worker holds a database pool.
workers = _number("LEADFORM_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 12))
worker_class = "gthread"
threads = _number("LEADFORM_THREADS", 4)
timeout = _number("LEADFORM_WORKER_TIMEOUT", 30)
graceful_timeout = _number("LEADFORM_GRACEFUL_TIMEOUT", 30)
keepalive = _number("LEADFORM_KEEPALIVE", 5)
max_requests = _number("LEADFORM_MAX_REQUESTS", 0)
max_requests_jitter = _number("LEADFORM_MAX_REQUESTS_JITTER", 0)
accesslog = None  # the app's request log replaces it
errorlog = "-"
loglevel = os.environ.get("LEADFORM_LOG_LEVEL", "info").lower()
# Heartbeat files on tmpfs: a slow disk never makes the arbiter kill a healthy worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# gunicorn would believe X-Forwarded-Proto from 127.0.0.1 by itself; the app's ProxyFix
# (LEADFORM_PROXY_FIX_*) alone decides which proxy headers are trusted.
secure_scheme_headers: dict[str, str] = {}

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Set before any worker imports prometheus_client, so every worker writes files here.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="leadform-metrics-")
    _own_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
else:
    _own_metrics_dir = None


def child_exit(server, worker):  # noqa: ARG001 - gunicorn's hook signature
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):  # noqa: ARG001
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
