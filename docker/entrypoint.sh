#!/bin/sh
# Optionally migrate (LEADFORM_MIGRATE=1; run it from one container only, before rolling
# out new web containers), then run the command: gunicorn by default, or the worker.
set -eu
if [ "${LEADFORM_MIGRATE:-0}" = "1" ]; then
    flask --app wsgi db upgrade
fi
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
exec "$@"
