"""`flask booking ...`: meeting types, reps' hours and calendar feeds, free slots."""

from __future__ import annotations

from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.alerts.settings import AlertSettings
from app.booking.availability import meeting_spec, team_calendars
from app.booking.calendars import (
    DAY_NAMES,
    CalendarError,
    MeetingInput,
    parse_intervals,
    refresh_due_feeds,
    save_meeting_type,
    set_feed,
    set_hours,
)
from app.booking.slots import Interval, free_slots
from app.db import engine, write_session
from app.leads.teams import find_team
from app.models import MeetingType, User, Workspace, utcnow

booking_group = AppGroup("booking", help="Meeting types, reps' hours and calendars, slots.")


def _workspace(session: Any, slug: str) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise click.ClickException(f"no workspace {slug!r}")
    return workspace


def _user(session: Any, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {email!r}")
    return user


@booking_group.command("meeting-type")
@click.argument("team_slug")
@click.argument("slug")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--name", required=True, help='e.g. "Intro call"')
@click.option("--duration", type=int, default=30, show_default=True, help="minutes")
@click.option("--buffer-before", type=int, default=0, show_default=True, help="minutes")
@click.option("--buffer-after", type=int, default=0, show_default=True, help="minutes")
@click.option("--notice", type=int, default=240, show_default=True, help="minimum, minutes")
@click.option("--horizon", type=int, default=14, show_default=True, help="days ahead")
@click.option("--step", type=int, default=30, show_default=True, help="minutes between starts")
@click.option("--daily-cap", type=int, default=None, help="meetings per rep per day")
@click.option("--location", default="", help="e.g. a video link")
def meeting_type_command(team_slug: str, slug: str, workspace_slug: str, name: str,
                         duration: int, buffer_before: int, buffer_after: int, notice: int,
                         horizon: int, step: int, daily_cap: int | None, location: str) -> None:
    """Create or update meeting type SLUG of TEAM_SLUG (what `book: team/slug` books)."""
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        team = find_team(session, workspace.id, team_slug)
        if team is None:
            raise click.ClickException(f"no team {team_slug!r} in {workspace_slug!r}")
        try:
            meeting = save_meeting_type(session, team, slug, MeetingInput(
                name, duration, buffer_before, buffer_after, notice, horizon, step, daily_cap,
                location))
        except CalendarError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Meeting type {team.slug}/{meeting.slug}: {meeting.duration_minutes} min.")


@booking_group.command("hours")
@click.argument("email")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--timezone", required=True, help="IANA name, e.g. Europe/Berlin")
@click.option("--day", "days", multiple=True, metavar="DAY=INTERVALS",
              help='e.g. mon=09:00-12:00,13:00-17:00 (repeat; days not given are off)')
@click.option("--date", "dates", multiple=True, metavar="YYYY-MM-DD=INTERVALS|off",
              help="an override for one date, e.g. 2026-12-24=off")
def hours_command(email: str, workspace_slug: str, timezone: str, days: tuple[str, ...],
                  dates: tuple[str, ...]) -> None:
    """Set a rep's timezone, weekly hours and date overrides."""
    try:
        weekly = dict(_pairs(days))
        overrides = dict(_pairs(dates))
        with write_session() as session:
            workspace = _workspace(session, workspace_slug)
            row = set_hours(session, workspace.id, _user(session, email), timezone=timezone,
                            weekly=weekly, overrides=overrides)
            click.echo(f"{email}: {row.timezone}, working "
                       f"{', '.join(DAY_NAMES[int(day)] for day in sorted(row.weekly_hours))}.")
    except CalendarError as error:
        raise click.ClickException(str(error)) from error


def _pairs(items: tuple[str, ...]) -> list[tuple[str, list[list[str]]]]:
    pairs = []
    for item in items:
        key, equals, value = item.partition("=")
        if not equals:
            raise CalendarError(f"{item!r}: expected NAME=09:00-12:00,13:00-17:00")
        pairs.append((key.strip().lower(), parse_intervals(value)))
    return pairs


@booking_group.command("feed")
@click.argument("email")
@click.argument("url", required=False)
@click.option("--workspace", "workspace_slug", required=True)
def feed_command(email: str, url: str | None, workspace_slug: str) -> None:
    """Set (or, without URL, remove) a rep's secret iCal address; its events become busy."""
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        try:
            set_feed(session, workspace.id, _user(session, email), url,
                     AlertSettings.from_config(current_app.config).allow)
        except CalendarError as error:
            raise click.ClickException(str(error)) from error
    click.echo("Calendar feed saved; the worker fetches it within a minute." if url
               else "Calendar feed removed.")


@booking_group.command("refresh-feeds")
def refresh_command() -> None:
    """Fetch every calendar feed now (the worker does this every 15 minutes)."""
    from datetime import timedelta

    count = refresh_due_feeds(engine(), utcnow(), every=timedelta(0),
                              allow=AlertSettings.from_config(current_app.config).allow)
    click.echo(f"{count} calendar feeds fetched.")


@booking_group.command("slots")
@click.argument("target", metavar="TEAM/MEETING")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--limit", type=int, default=20, show_default=True)
def slots_command(target: str, workspace_slug: str, timezone: str, limit: int) -> None:
    """Print the next free slots of a team's meeting type, with the reps free for each."""
    from app.booking.availability import zone

    team_slug, _, meeting_slug = target.partition("/")
    with write_session() as session:
        workspace = _workspace(session, workspace_slug)
        team = find_team(session, workspace.id, team_slug)
        meeting = session.scalar(select(MeetingType).where(
            MeetingType.team_id == team.id, MeetingType.slug == meeting_slug)) if team else None
        if team is None or meeting is None:
            raise click.ClickException(f"no meeting type {target!r} in {workspace_slug!r}")
        spec, now = meeting_spec(meeting), utcnow()
        from datetime import timedelta

        window = Interval(now, now + timedelta(days=spec.horizon_days))
        found = free_slots(team_calendars(session, team.id, window), spec, now, window)
        names = dict(session.execute(select(User.id, User.name)).all())
        tz = zone(timezone)
        for slot in found[:limit]:
            reps = ", ".join(names.get(rep, str(rep)) for rep in slot.rep_ids)
            click.echo(f"{slot.start.astimezone(tz):%a %Y-%m-%d %H:%M}  {reps}")
        click.echo(f"{len(found)} free slots in the next {spec.horizon_days} days.")
