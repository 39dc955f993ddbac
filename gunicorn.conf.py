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
# One thread per worker: a request is Python on the CPU nearly all its time, and threads of
# one process take turns at the interpreter lock (on SQLite, while one of them holds the
# write lock). At 20 visits/s on 2 cores (bench/load.py) 5 workers x 1 thread did 16.8
# submissions/s on PostgreSQL (p50 220 ms) against 13.8 for 2 x 4 (p50 1.6 s), and on
# SQLite 3 x 1 did 19.4 against 16.8. gthread still keeps idle keep-alive connections
# off the thread. Web requests make no outside calls (alerts go through the outbox).
threads = _number("LEADFORM_THREADS", 1)
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
