"""`flask worker` and `flask alerts ...`: delivering the outbox and managing endpoints."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, closing, nullcontext
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app.alerts.endpoints import (
    EndpointError,
    EndpointInput,
    create_endpoint,
    dead_deliveries,
    describe,
    find_endpoint,
    list_endpoints,
    replay,
    rotate_secret,
)
from app.alerts.outbox import EVENT_KINDS
from app.alerts.settings import AlertSettings
from app.alerts.worker import Deliverer, WorkerAlreadyRunning, run_worker, single_sqlite_worker
from app.alerts.worker_metrics import MetricsServer
from app.cli.retention import retention_job
from app.cli.sla import sla_job
from app.db import engine, write_session
from app.models import Workspace, utcnow

alerts_group = AppGroup("alerts", help="Webhook and Slack endpoints, dead deliveries.")


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Deliveries in flight at once (default: ALERTS_WORKER_THREADS).")
@click.option("--metrics-port", type=click.IntRange(1, 65535), default=None,
              help="Serve this worker's /metrics and /healthz on this port (default: "
                   "WORKER_METRICS_PORT; unset: none). Needs LEADFORM_METRICS_TOKEN.")
@with_appcontext
def worker_command(once: bool, threads: int | None, metrics_port: int | None) -> None:
    """Deliver the outbox: claim due rows, send, retry on schedule, until stopped.

    Every minute it also escalates overdue first touches (`flask sla check`).
    """
    port = metrics_port or current_app.config.get("WORKER_METRICS_PORT")
    try:
        with _metrics_server(None if once else port):
            serve(once=once, threads=threads, say=click.echo)
    except WorkerAlreadyRunning as error:
        raise click.ClickException(str(error)) from error


def _metrics_server(port: object) -> AbstractContextManager[object]:
    """The worker's own metrics endpoint, when a port is asked for (see worker_metrics)."""
    if not port:
        return nullcontext()
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        raise click.ClickException("a metrics port needs LEADFORM_METRICS_TOKEN: the worker's "
                                   "/metrics asks for the same bearer token as the web's.")
    host = str(current_app.config.get("WORKER_METRICS_BIND") or "127.0.0.1")
    try:
        server = MetricsServer(engine(), str(token), host, int(str(port)))
    except (ValueError, OSError) as error:
        raise click.ClickException(f"cannot serve metrics on {host}:{port}: {error}") from error
    click.echo(f"Metrics on http://{host}:{server.port}/metrics (bearer token), /healthz.")
    return closing(server)


def serve(*, once: bool = False, threads: int | None = None,
          say: Callable[[str], Any] = print) -> None:
    """The worker's body, in an app context; SIGTERM and SIGINT stop it cleanly."""
    settings = _settings()
    deliverer = Deliverer(engine(), settings)
    with single_sqlite_worker(current_app.config["DATABASE_URL"]):
        if once:
            say(f"Delivered or retried {deliverer.drain()} deliveries.")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        say(f"Worker {deliverer.name} is delivering alerts (Ctrl+C stops).")
        run_worker(deliverer, stop, threads=threads or settings.worker_threads,
                   poll_seconds=settings.poll_seconds,
                   periodic=[(60.0, _feeds_job(settings)), (60.0, sla_job()),
                             (_retention_seconds(), retention_job())])


def _retention_seconds() -> float:
    """How often the worker applies the retention periods (RETENTION_RUN_MINUTES)."""
    return float(current_app.config.get("RETENTION_RUN_MINUTES", 60)) * 60


def _feeds_job(settings: AlertSettings) -> Callable[[], Any]:
    """Reps' calendar feeds, refreshed every BOOKING_FEED_REFRESH_MINUTES."""
    from datetime import timedelta

    from app.booking.calendars import refresh_due_feeds

    bound = engine()
    every = timedelta(minutes=float(current_app.config.get("BOOKING_FEED_REFRESH_MINUTES", 15)))
    return lambda: refresh_due_feeds(bound, utcnow(), every=every, allow=settings.allow)


def _settings() -> AlertSettings:
    try:
        return AlertSettings.from_config(current_app.config)
    except ValueError as error:
        raise click.ClickException(f"alert settings: {error}") from error


def _workspace(session: Any, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise click.ClickException(f"no workspace {slug!r}")
    return workspace


@alerts_group.command("add-endpoint")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--kind", type=click.Choice(["webhook", "slack"]), required=True)
@click.option("--name", required=True)
@click.option("--url", required=True)
@click.option("--event", "events", multiple=True, type=click.Choice(EVENT_KINDS),
              help="Only these events (repeatable); default: all (Slack: SQL and bookings).")
def add_endpoint_command(workspace_slug: str, kind: str, name: str, url: str,
                         events: tuple[str, ...]) -> None:
    """Add a webhook or Slack endpoint; prints a webhook's signing secret once."""
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        try:
            endpoint = create_endpoint(session, workspace, EndpointInput(kind, name, url, events),
                                       _settings().allow, utcnow())
        except EndpointError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Endpoint {endpoint.id} ({endpoint.kind}) added.")
        if endpoint.secret:
            click.echo(f"Signing secret (store it now): {endpoint.secret}")


@alerts_group.command("endpoints")
@click.option("--workspace", "workspace_slug", required=True)
def endpoints_command(workspace_slug: str) -> None:
    """List endpoints (hosts only: a Slack URL is a secret)."""
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        for endpoint in list_endpoints(session, workspace.id):
            info = describe(endpoint)
            state = "on" if info["enabled"] else f"off ({info['disabled_reason'] or 'paused'})"
            click.echo(f"{info['id']}\t{info['kind']}\t{info['name']}\t{info['host']}\t"
                       f"{','.join(info['events'])}\t{state}")


@alerts_group.command("rotate-secret")
@click.option("--workspace", "workspace_slug", required=True)
@click.argument("endpoint_id", type=int)
def rotate_command(workspace_slug: str, endpoint_id: int) -> None:
    """New signing secret; the old one keeps signing for ALERTS_SECRET_ROTATION_HOURS."""
    from datetime import timedelta

    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        endpoint = find_endpoint(session, workspace.id, endpoint_id)
        if endpoint is None:
            raise click.ClickException(f"no endpoint {endpoint_id} in {workspace_slug!r}")
        hours = int(current_app.config["ALERTS_SECRET_ROTATION_HOURS"])
        try:
            secret = rotate_secret(session, endpoint, utcnow(), timedelta(hours=hours))
        except EndpointError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"New signing secret: {secret}")
        click.echo(f"The previous secret also signs for {hours} hours.")


@alerts_group.command("dead")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--endpoint", "endpoint_id", type=int, default=None)
def dead_command(workspace_slug: str, endpoint_id: int | None) -> None:
    """List dead deliveries (newest first)."""
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        for delivery, event in dead_deliveries(session, workspace.id, endpoint_id):
            where = f"endpoint {delivery.endpoint_id}" if delivery.endpoint_id else "email"
            click.echo(f"{delivery.id}\t{event.event_id}\t{event.kind}\t{where}\t"
                       f"{delivery.attempts} attempts\t{delivery.last_error or ''}")


@alerts_group.command("replay")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--delivery", "delivery_ids", type=int, multiple=True)
@click.option("--endpoint", "endpoint_id", type=int, default=None)
@click.option("--all", "replay_all", is_flag=True, help="Every dead delivery in the workspace.")
def replay_command(workspace_slug: str, delivery_ids: tuple[int, ...], endpoint_id: int | None,
                   replay_all: bool) -> None:
    """Send dead deliveries again (same event id)."""
    if not (delivery_ids or endpoint_id or replay_all):
        raise click.UsageError("name --delivery IDs, an --endpoint, or --all")
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        count = replay(session, workspace.id, utcnow(),
                       delivery_ids=delivery_ids or None, endpoint_id=endpoint_id)
        click.echo(f"{count} deliveries queued again.")
