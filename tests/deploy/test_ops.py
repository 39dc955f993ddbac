"""Health checks, proxies, HSTS, request ids and the metrics page."""

from __future__ import annotations

import json
import logging
import secrets

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from app import create_app
from app.alerts.dispatch import shutdown_dispatcher
from app.alerts.endpoints import EndpointInput, create_endpoint
from app.alerts.outbox import emit
from app.alerts.settings import AlertSettings
from app.alerts.worker import Deliverer
from app.db import engine, write_session
from app.forms.versions import get_workspace
from app.migrate import upgrade
from app.models import utcnow
from tests.web.hosted import fill_demo
from tests.web.test_qualification import SALES_PATH

TOKEN = secrets.token_urlsafe(32)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def local_app(tmp_path):
    """An app of its own, for settings the shared fixture does not have."""
    made = []

    def build(database_url: str | None = None, **config):
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                          "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'own.db'}",
                          **config})
        made.append(app)
        return app

    yield build
    for app in made:
        shutdown_dispatcher(app)
        app.extensions["leadform.engine"].dispose()


def test_healthz_answers_without_a_database(local_app):
    app = local_app("postgresql+psycopg://nobody@127.0.0.1:1/none")
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 200 and reply.json == {"status": "ok"}


def test_readyz_is_ready_at_head(client):
    reply = client.get("/readyz")
    assert reply.status_code == 200 and reply.json["status"] == "ready"


def test_readyz_is_503_when_migrations_are_behind(local_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "base")
    reply = local_app(url).test_client().get("/readyz")
    assert reply.status_code == 503 and reply.json["reason"] == "migrations not at head"


def test_readyz_is_503_when_the_database_is_unreachable(local_app):
    reply = local_app("postgresql+psycopg://nobody@127.0.0.1:1/none").test_client().get("/readyz")
    assert reply.status_code == 503 and reply.json["reason"] == "database unreachable"


def test_probes_need_no_sign_in_and_are_not_rate_limited(local_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    client = local_app(url, RATELIMIT_DEFAULT="1 per minute").test_client()
    assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]


def scheme_seen(app, headers) -> dict[str, object]:
    """What a view sees of the request, called through the WSGI stack (ProxyFix included)."""
    seen: dict[str, object] = {}

    @app.get("/probe-scheme")
    def probe():
        from flask import request, url_for
        seen.update(secure=request.is_secure, url=url_for("ops.healthz", _external=True))
        return "ok"

    app.test_client().get("/probe-scheme", headers=headers)
    return seen


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "leads.example.com"}


def test_forwarded_headers_are_ignored_by_default(local_app):
    app = local_app()
    assert scheme_seen(app, FORWARDED) == {"secure": False, "url": "http://localhost/healthz"}
    assert "Strict-Transport-Security" not in app.test_client().get(
        "/healthz", headers=FORWARDED).headers


def test_forwarded_headers_are_used_when_trusted(local_app):
    app = local_app(PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1)
    assert scheme_seen(app, FORWARDED) == {"secure": True,
                                           "url": "https://leads.example.com/healthz"}
    reply = app.test_client().get("/healthz", headers=FORWARDED)
    assert reply.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_hsts_on_https_only_with_configured_max_age(local_app):
    app = local_app(HSTS_MAX_AGE=600)
    assert app.test_client().get("/healthz", base_url="https://localhost").headers[
        "Strict-Transport-Security"] == "max-age=600; includeSubDomains"
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_request_id_is_accepted_when_well_formed_else_generated(client):
    given = "lb-0123456789abcdef"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers[
        "X-Request-ID"] == given
    made = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers[
        "X-Request-ID"]
    assert made != "bad id <script>" and len(made) == 32


def test_one_log_line_per_request_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="leadform.requests")
    reply = client.get("/f/acme/nope", headers={"X-Request-ID": "req-12345678"})
    lines = [r for r in caplog.records if r.name == "leadform.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.request_id, line.method, line.path, line.status) == (
        "req-12345678", "GET", "/f/acme/nope", reply.status_code)
    assert line.workspace == "acme" and line.duration_ms >= 0


def test_metrics_is_404_without_a_token_configured(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_requires_the_bearer_token(local_app, database_url, db_engine):
    client = local_app(database_url, METRICS_TOKEN=TOKEN).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    reply = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert reply.status_code == 200
    assert "leadform_outbox_queue_depth 0.0" in reply.get_data(as_text=True)


def test_metrics_still_answer_when_the_database_does_not(local_app):
    app = local_app("postgresql+psycopg://nobody@127.0.0.1:1/none", METRICS_TOKEN=TOKEN)
    reply = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    body = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "leadform_submissions_total" in body
    assert "leadform_outbox_queue_depth " not in body


def test_submission_and_stage_change_are_counted(api_app):
    api_app.config["METRICS_TOKEN"] = TOKEN
    completed = value("leadform_submissions_total", outcome="completed")
    to_sql = value("leadform_stage_changes_total", stage="sql")
    fill_demo(api_app.test_client(), *SALES_PATH)
    assert value("leadform_submissions_total", outcome="completed") == completed + 1
    assert value("leadform_stage_changes_total", stage="sql") == to_sql + 1
    page = api_app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    body = page.get_data(as_text=True)
    assert 'leadform_submissions_total{outcome="completed"}' in body
    assert "leadform_outbox_queue_depth" in body and "leadform_request_duration_seconds" in body


def test_sqlite_write_lock_time_is_measured_and_postgresql_has_none(api_app, database_url):
    """On SQLite every write transaction's wait and hold are observed; PostgreSQL has no
    single write lock, so its count stays where it was."""
    holds = value("leadform_sqlite_write_hold_seconds_count")
    held = value("leadform_sqlite_write_hold_seconds_sum")
    fill_demo(api_app.test_client(), *SALES_PATH)
    if database_url.startswith("sqlite"):
        # At least the view, each screen's submit: one hold apiece, each of some length.
        assert value("leadform_sqlite_write_hold_seconds_count") >= holds + 4
        assert value("leadform_sqlite_write_hold_seconds_sum") > held
        assert (value("leadform_sqlite_write_wait_seconds_count")
                == value("leadform_sqlite_write_hold_seconds_count"))
        api_app.config["METRICS_TOKEN"] = TOKEN
        page = api_app.test_client().get("/metrics",
                                         headers={"Authorization": f"Bearer {TOKEN}"})
        assert "leadform_sqlite_write_hold_seconds_bucket" in page.get_data(as_text=True)
    else:
        assert value("leadform_sqlite_write_hold_seconds_count") == holds


def test_api_stage_change_is_counted(api_app, api):
    fill_demo(api_app.test_client(), *SALES_PATH)
    lead_id = api.get("/api/v1/leads").json["data"][0]["id"]
    before = value("leadform_stage_changes_total", stage="recycled")
    reply = api.post(f"/api/v1/leads/{lead_id}/stage", json={"stage": "recycled", "reason": "x"})
    assert reply.status_code == 200, reply.json
    assert value("leadform_stage_changes_total", stage="recycled") == before + 1


def queue_depth(app) -> float:
    app.config["METRICS_TOKEN"] = TOKEN
    body = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    line = next(line for line in body.get_data(as_text=True).splitlines()
                if line.startswith("leadform_outbox_queue_depth "))
    return float(line.split()[1])


def test_failed_delivery_is_counted_and_the_queue_depth_read(api_app):
    before = value("leadform_alert_delivery_failures_total", channel="webhook")
    assert queue_depth(api_app) == 0
    with api_app.app_context():
        with write_session() as session:
            workspace = get_workspace(session, "demo")
            create_endpoint(session, workspace,
                            EndpointInput("webhook", "Closed", "http://127.0.0.1:9/hook"),
                            AlertSettings.from_config(api_app.config).allow)
            emit(session, workspace.id, "lead.qualified", {"lead": {"id": 1}}, utcnow())
        assert queue_depth(api_app) == 1
        Deliverer(engine(), AlertSettings.from_config(api_app.config)).drain(max_rounds=1)
    assert value("leadform_alert_delivery_failures_total", channel="webhook") == before + 1


def test_rolled_back_submission_is_not_counted(api_app):
    from app import metrics

    before = value("leadform_submissions_total", outcome="completed")
    with api_app.app_context():
        with pytest.raises(RuntimeError), write_session() as session:
            metrics.count_submission(session, bot=False)
            session.execute(text("SELECT 1"))
            raise RuntimeError("rolled back")
    assert value("leadform_submissions_total", outcome="completed") == before


def test_json_formatter_writes_one_object_per_line():
    from app.logs import make_formatter

    record = logging.LogRecord("leadform.requests", logging.INFO, __file__, 1, "GET / 200",
                               None, None)
    record.status = 200
    line = json.loads(make_formatter("json").format(record))
    assert line["message"] == "GET / 200" and line["status"] == 200 and line["level"] == "INFO"
