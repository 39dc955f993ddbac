"""Leadform: a conversational smart-form builder and hosted form server."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.helpers import get_debug_flag


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then LEADFORM_* environment, then `config`."""
    app = Flask(__name__, instance_relative_config=True, static_folder="../static",
                template_folder="../templates")
    configure_settings(app, config)
    configure_requests(app)
    configure_environment(app)  # refuses an unsafe production setup before anything runs
    configure_logging(app)
    configure_database(app)
    configure_extensions(app)
    configure_alerts(app)
    configure_login(app)
    configure_blueprints(app)
    configure_errors(app)
    configure_cli(app)
    configure_proxy(app)  # last: the outermost WSGI layer sees the proxy's headers first
    return app


def configure_settings(app: Flask, config: Mapping[str, Any] | None) -> None:
    from app.config import DEFAULTS, database_url_from_environment

    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("LEADFORM")
    env_url = database_url_from_environment()
    if env_url:
        app.config["DATABASE_URL"] = env_url
    if config:
        app.config.from_mapping(config)
    if app.config.get("REMEMBER_COOKIE_SECURE") is None:
        app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if not app.config.get("DATABASE_URL"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "leadform.db")
    load_secret_key_file(app)


def configure_requests(app: Flask) -> None:
    from app.web.form_limits import LimitedRequest

    app.request_class = LimitedRequest  # MAX_FORM_PARTS for urlencoded bodies too


def load_secret_key_file(app: Flask) -> None:
    """LEADFORM_SECRET_KEY_FILE, else instance/secret_key (written by `make`), if no key is set."""
    from app.config import DEV_SECRET_KEY

    path = app.config.get("SECRET_KEY_FILE")
    if not path:
        if app.config.get("SECRET_KEY") != DEV_SECRET_KEY:
            return
        path = os.path.join(app.instance_path, "secret_key")
        if not os.path.exists(path):
            return
    with open(path, encoding="utf-8") as handle:
        app.config["SECRET_KEY"] = handle.read().strip()


def configure_environment(app: Flask) -> None:
    from app.config import resolve_environment, secret_key_problem

    app.config["ENV"] = resolve_environment(app.config.get("ENV"), get_debug_flag())
    if app.config["ENV"] == "development" or app.testing:
        return
    problem = secret_key_problem(app.config.get("SECRET_KEY"))
    if problem:
        raise InsecureConfiguration(
            f"{problem}. Leadform refuses to start in production without a secret key: "
            "set LEADFORM_SECRET_KEY to a long random value (e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`) or "
            "LEADFORM_SECRET_KEY_FILE to a file holding one, or set "
            "LEADFORM_ENV=development on a developer's machine."
        )


class InsecureConfiguration(RuntimeError):
    """The settings would run a production server with forgeable cookies and links."""


def configure_logging(app: Flask) -> None:
    from app.logs import configure_logging as configure

    configure(app)


def configure_database(app: Flask) -> None:
    from app import db

    db.init_app(app)


def configure_extensions(app: Flask) -> None:
    from app.extensions import compress, csrf, limiter
    from app.web.assets import configure_assets
    from app.web.request_log import configure_request_log
    from app.web.security import configure_security_headers
    from app.web.sessions import StaticFreeSessionInterface

    configure_request_log(app)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    configure_security_headers(app)
    configure_assets(app)
    app.session_interface = StaticFreeSessionInterface()


def configure_alerts(app: Flask) -> None:
    # Importing the dispatcher registers the session events of the fast path.
    import app.alerts.dispatch  # noqa: F401


def configure_login(app: Flask) -> None:
    # After configure_database: the user loader reads through the request's session.
    from app.web.login import configure_login as configure

    configure(app)


def configure_blueprints(app: Flask) -> None:
    # Imported here so that importing `app` never drags in every view module.
    from app.web.alert_settings import bp as alert_settings_bp
    from app.web.analytics import bp as analytics_bp
    from app.web.api import init_api
    from app.web.api_tokens import bp as api_tokens_bp
    from app.web.auth import bp as auth_bp
    from app.web.backoffice import bp as backoffice_bp
    from app.web.booking import bp as booking_bp
    from app.web.builder import bp as builder_bp
    from app.web.calendar import bp as calendar_bp
    from app.web.data_settings import bp as data_settings_bp
    from app.web.members import bp as members_bp
    from app.web.members import invite_bp
    from app.web.ops import bp as ops_bp
    from app.web.public import bp as public_bp
    from app.web.sales import bp as sales_bp
    from app.web.sla import bp as sla_bp
    from app.web.tracking import bp as tracking_bp
    from app.web.workspaces import bp as workspaces_bp

    app.register_blueprint(ops_bp)  # /healthz, /readyz, /metrics
    app.register_blueprint(public_bp)
    app.register_blueprint(tracking_bp)
    init_api(app)  # the REST API's blueprints and its OpenAPI document
    app.register_blueprint(auth_bp)
    app.register_blueprint(backoffice_bp)
    app.register_blueprint(alert_settings_bp)
    app.register_blueprint(api_tokens_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(sales_bp)
    app.register_blueprint(sla_bp)
    app.register_blueprint(analytics_bp)
    app.register_blueprint(builder_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(invite_bp)
    app.register_blueprint(workspaces_bp)
    app.register_blueprint(data_settings_bp)


def configure_errors(app: Flask) -> None:
    from app.web.errors import register_error_pages

    register_error_pages(app)


def configure_proxy(app: Flask) -> None:
    from app.web.proxy import trust_proxy_headers

    trust_proxy_headers(app)


def configure_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
