"""Command groups for `flask --app wsgi ...`."""

from flask import Flask


def register(app: Flask) -> None:
    from app.cli.alerts import alerts_group, worker_command
    from app.cli.analytics import analytics_group
    from app.cli.api_tokens import api_tokens_group
    from app.cli.booking import booking_group
    from app.cli.contacts import contacts_group
    from app.cli.database import db_group
    from app.cli.demo import demo_group
    from app.cli.forms import forms_group
    from app.cli.leads import leads_group, scoring_group, teams_group
    from app.cli.responses import responses_group
    from app.cli.retention import retention_group
    from app.cli.sla import sla_group
    from app.cli.users import users_group
    from app.cli.workspaces import workspaces_group

    for group in (
        db_group, forms_group, demo_group, workspaces_group, responses_group, contacts_group,
        scoring_group, teams_group, leads_group, alerts_group, worker_command, users_group,
        booking_group, sla_group, api_tokens_group, retention_group, analytics_group,
    ):
        app.cli.add_command(group)
