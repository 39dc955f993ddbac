"""`flask sla check`: escalate overdue first touches and archive expired nurture, once.

The worker (`flask worker`) runs the same check every minute (`sla_job`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.db import engine
from app.models import utcnow
from app.sales.escalation import SlaRun, run_sla_check

sla_group = AppGroup("sla", help="First-touch SLAs: escalate overdue leads.")
log = logging.getLogger("leadform.sla")


@sla_group.command("check")
@with_appcontext
def check_command() -> None:
    """Escalate leads past their first-touch target; archive leads whose nurture ended."""
    click.echo(describe(run_sla_check(engine(), utcnow())))


def describe(run: SlaRun) -> str:
    leads = "lead" if run.escalated == 1 else "leads"
    return (f"Escalated {run.escalated} overdue {leads} ({run.reassigned} given to a fallback "
            f"rep); archived {run.archived} whose nurture period ended.")


def sla_job(app: Flask | None = None) -> Callable[[], None]:
    """The worker's minute job; it runs on its own thread, so it brings the app context."""
    flask_app: Flask = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def job() -> None:
        with flask_app.app_context():
            run = run_sla_check(engine(), utcnow())
        if run.escalated or run.archived:
            log.info(describe(run))

    return job
