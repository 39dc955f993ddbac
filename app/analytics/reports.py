"""The analytics pages' contents: filters read and checked, numbers counted, charts drawn.

Views call `overview` and `form_report` with the query string; a bad filter raises
`FilterError` (the page answers 400 with its message) and a form or version that
is not this workspace's raises `NotInWorkspace` (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.analytics import figures
from app.analytics.calibration import TARGETS, band_width_for, bands, calibrate
from app.analytics.conversion import DEFAULT_GROUP, GROUPS
from app.analytics.funnel_queries import form_funnel, form_totals, form_versions
from app.analytics.lead_queries import conversion, score_histogram, speed
from app.analytics.ranges import DateRange, RangeError, parse_range
from app.leads.scoring_models import EMPTY_MODEL, current_model
from app.models import Form, Workspace


class FilterError(ValueError):
    """A filter of the query string that cannot be used; the message says why."""


class NotInWorkspace(Exception):
    """A form or version the workspace does not have (a 404, whoever else has it)."""


@dataclass(frozen=True)
class Filters:
    period: DateRange
    group: str
    form: Form | None

    def chosen(self) -> dict[str, str]:
        """What the filter bar shows as chosen."""
        return {**chosen_period(self.period), "group": self.group,
                "form": self.form.slug if self.form else ""}

    def query(self, **changes: Any) -> dict[str, str]:
        """Query arguments for a link that keeps these filters, with `changes`."""
        args = {**self.period.as_query(), "group": self.group}
        if self.form is not None:
            args["form"] = self.form.slug
        args.update({name: str(value) for name, value in changes.items() if value is not None})
        return args


def chosen_period(period: DateRange) -> dict[str, str]:
    return {"range": period.preset, "from": period.first_day.isoformat(),
            "to": period.last_day.isoformat()}


def read_period(args: Mapping[str, str], today: date) -> DateRange:
    try:
        return parse_range(args, today)
    except RangeError as error:
        raise FilterError(str(error)) from None


def find_form(session: Session, workspace_id: int, slug: str) -> Form:
    form = session.scalar(select(Form).where(Form.workspace_id == workspace_id,
                                             Form.slug == slug))
    if form is None:
        raise NotInWorkspace(f"no form {slug!r} in this workspace")
    return form


def read_filters(session: Session, workspace: Workspace, args: Mapping[str, str],
                 today: date) -> Filters:
    period = read_period(args, today)
    group = (args.get("group") or DEFAULT_GROUP).strip()
    if group not in GROUPS:
        raise FilterError(f"Unknown grouping {group[:40]!r}: choose one of "
                          f"{', '.join(GROUPS)}.")
    slug = (args.get("form") or "").strip()
    return Filters(period, group, find_form(session, workspace.id, slug) if slug else None)


def thresholds_of(session: Session, workspace_id: int) -> dict[str, float]:
    """The MQL and SQL thresholds of the scoring model in force."""
    model = current_model(session, workspace_id)
    found = (model.model if model else EMPTY_MODEL).get("thresholds") or {}
    return {stage: float(found[stage]) for stage in ("mql", "sql")
            if isinstance(found.get(stage), (int, float))}


def overview(session: Session, workspace: Workspace, args: Mapping[str, str],
             today: date) -> dict[str, Any]:
    """The workspace page: forms, conversion by group, speed to lead, calibration."""
    filters = read_filters(session, workspace, args, today)
    form_id = filters.form.id if filters.form else None
    period = filters.period
    table = conversion(session, workspace.id, period, filters.group, form_id)
    waits = speed(session, workspace.id, period, form_id)
    histogram = score_histogram(session, workspace.id, period, form_id)
    width = band_width_for(histogram)
    banded = bands(histogram, width)
    thresholds = thresholds_of(session, workspace.id)
    calibrations = {target: calibrate(histogram, target, thresholds) for target in TARGETS}
    forms = [(slug, name) for slug, name in session.execute(
        select(Form.slug, Form.name).where(Form.workspace_id == workspace.id,
                                           Form.status == "active")
        .order_by(Form.name))]
    return {
        "filters": filters, "groups": GROUPS, "forms": forms,
        "form_totals": form_totals(session, workspace.id, period),
        "conversion": table, "conversion_chart": figures.milestone_chart(table.total),
        "speed": waits, "speed_chart": figures.speed_chart(waits),
        "bands": banded, "band_width": width, "thresholds": thresholds,
        "calibrations": calibrations,
        "calibration_chart": figures.calibration_chart(
            banded, width, calibrations["accepted"], calibrations["won"], thresholds),
    }


def form_report(session: Session, workspace: Workspace, slug: str, args: Mapping[str, str],
                today: date) -> dict[str, Any]:
    """One form's funnel, for every version or the one asked for (`version=<number>`)."""
    period = read_period(args, today)
    form = find_form(session, workspace.id, slug)
    versions = form_versions(session, form)
    chosen = None
    wanted = (args.get("version") or "").strip()
    if wanted:
        if not wanted.isdigit() or len(wanted) > 9:
            raise FilterError("The version is a number, as in version=2.")
        chosen = next((each for each in versions if each.number == int(wanted)), None)
        if chosen is None:
            raise NotInWorkspace(f"form {slug!r} has no version {wanted}")
    funnel = form_funnel(session, form, period, chosen, versions) if versions else None
    return {
        "form": form, "period": period, "versions": versions, "version": chosen,
        "chosen": {**chosen_period(period), "version": str(chosen.number) if chosen else ""},
        "versions_choices": [(str(each.number), f"v{each.number} · published "
                              f"{each.published_at:%d %b %Y}") for each in versions],
        "funnel": funnel, "funnel_chart": figures.funnel_chart(funnel) if funnel else None,
    }
