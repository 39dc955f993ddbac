# Leadform: the web server (default) or the alert worker (`flask --app wsgi worker`).
#   docker build -t leadform .
#   docker run -e LEADFORM_SECRET_KEY=... -e DATABASE_URL=postgresql+psycopg://... \
#              -e LEADFORM_MIGRATE=1 -p 5000:5000 leadform
#   docker run -e LEADFORM_SECRET_KEY=... -e DATABASE_URL=... leadform flask --app wsgi worker
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LEADFORM_ENV=production \
    LEADFORM_BIND=0.0.0.0:5000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/leadform-metrics

WORKDIR /srv/leadform
COPY pyproject.toml README.md wsgi.py gunicorn.conf.py alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY demo ./demo
# Editable: templates, static files and migrations are found beside the `app` package.
RUN pip install -e .
COPY docker/entrypoint.sh /usr/local/bin/leadform-entrypoint

RUN useradd --system --uid 10001 --home-dir /srv/leadform --shell /usr/sbin/nologin leadform \
    && mkdir -p /srv/leadform/instance \
    && chown leadform /srv/leadform/instance \
    && chmod 0755 /usr/local/bin/leadform-entrypoint
USER leadform

EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('LEADFORM_BIND', ':5000').rsplit(':', 1)[1] + '/healthz', timeout=2)"

ENTRYPOINT ["leadform-entrypoint"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
