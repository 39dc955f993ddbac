"""`flask forms ...`: import, export, lint and simulate form definitions."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import write_session
from app.forms import parse_definition_text
from app.forms.review import Review, format_issues, review
from app.forms.simulation import Simulation, simulate
from app.forms.versions import (
    DefinitionRejected,
    NotFound,
    export_definition,
    get_form,
    get_workspace,
    publish,
    save_draft,
)
from app.leads.scoring_models import current_model
from app.leads.teams import team_state
from app.models import Team, utcnow
from app.qualify import validate_model
from app.qualify.preview import preview
from app.responses.endings import ending_destination

forms_group = AppGroup("forms", help="Import, export, lint and simulate form definitions.")


def _fail(message: str, issues: list[dict[str, str]] | None = None) -> NoReturn:
    click.echo(message, err=True)
    if issues:
        click.echo(format_issues(issues), err=True)
    sys.exit(1)


def _read_definition(path: str) -> Any:
    """Parse a definition file, or exit 1 listing every structural error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"Cannot read {path}: {error}")
    definition, issues = parse_definition_text(text)
    if issues:
        _fail(f"{path} is not a valid form definition:", [i.as_dict() for i in issues])
    return definition


def _report_warnings(verdict: Review) -> None:
    if verdict.warnings:
        click.echo("Warnings:", err=True)
        click.echo(format_issues(verdict.warnings), err=True)


@forms_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--workspace", "workspace_slug", required=True, help="Workspace slug.")
@click.option("--slug", help="Form slug (default: the file name).")
@click.option("--publish", "also_publish", is_flag=True, help="Publish the draft as a version.")
def import_command(file: str, workspace_slug: str, slug: str | None, also_publish: bool) -> None:
    """Create or update a form's draft from FILE; optionally publish it.

    Nothing is stored when the definition has errors (or, with --publish, when
    it cannot be published).
    """
    definition = _read_definition(file)
    form_slug = slug or re.sub(r"[^a-z0-9-]+", "-", Path(file).stem.lower()).strip("-")
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            form, verdict = save_draft(session, workspace, form_slug, definition)
            message = f"Draft of '{workspace.slug}/{form.slug}' saved."
            if also_publish:
                outcome = publish(session, form, note=f"imported from {Path(file).name}")
                number = outcome.version.number
                message = (
                    f"Published '{workspace.slug}/{form.slug}' as version {number}."
                    if outcome.created
                    else f"'{workspace.slug}/{form.slug}' is unchanged since version {number}."
                )
    except DefinitionRejected as rejected:
        _fail(f"{file}: {rejected} Nothing was stored.", rejected.review.errors)
    except (NotFound, ValueError) as error:
        _fail(f"{error} Nothing was stored.")
    _report_warnings(verdict)
    click.echo(message)


@forms_group.command("export")
@click.argument("slug")
@click.option("--workspace", "workspace_slug", help="Workspace slug (or write WORKSPACE/FORM).")
@click.option("--version", "version_number", type=int, help="A published version number.")
@click.option("--latest", is_flag=True, help="The latest published version instead of the draft.")
def export_command(
    slug: str, workspace_slug: str | None, version_number: int | None, latest: bool
) -> None:
    """Print a form's draft (or a published version) as JSON."""
    if "/" in slug:
        workspace_slug, slug = slug.split("/", 1)
    if not workspace_slug:
        _fail("Say which workspace: --workspace SLUG, or WORKSPACE/FORM.")
    try:
        with write_session() as session:
            form = get_form(session, get_workspace(session, workspace_slug), slug)
            if latest and form.versions:
                version_number = form.versions[-1].number
            document = export_definition(session, form, version_number)
    except NotFound as error:
        _fail(str(error))
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@forms_group.command("lint")
@click.argument("file", type=click.Path(dir_okay=False))
def lint_command(file: str) -> None:
    """Check FILE: exit 1 listing every error, warnings are printed but pass."""
    verdict = review(_read_definition(file))
    if not verdict.ok:
        _report_warnings(verdict)
        _fail(f"{file} has {len(verdict.errors)} error(s):", verdict.errors)
    _report_warnings(verdict)
    click.echo(f"{file} is valid.")


def _parse_json_option(name: str, raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    if raw.startswith("@"):
        try:
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        except OSError as error:
            _fail(f"Cannot read {name} file: {error}")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        _fail(f"{name} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})")
    if not isinstance(value, dict):
        _fail(f"{name} must be a JSON object of field id to answer.")
    return value


@forms_group.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--answers", help="JSON object of field id -> answer, or @file.json.")
@click.option("--hidden", help="JSON object of hidden field name -> value, or @file.json.")
@click.option("--known", help="JSON object of known contact properties, or @file.json.")
@click.option("--signals", help="JSON object of signal aggregates, or @file.json.")
@click.option("--workspace", "workspace_slug",
              help="Score and assign with this workspace's model and teams (read only).")
@click.option("--model", "model_file", type=click.Path(exists=True, dir_okay=False),
              help="Score with this scoring model file instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def simulate_command(
    file: str, answers: str | None, hidden: str | None, known: str | None,
    signals: str | None, workspace_slug: str | None, model_file: str | None, as_json: bool,
) -> None:
    """Walk FILE with sample answers: the steps, the ending, and with a model the score
    with every reason, the stage, the destination and the rep."""
    definition = _read_definition(file)
    verdict = review(definition)
    if not verdict.ok:
        _fail(f"{file} has errors; fix them before simulating:", verdict.errors)
    result = simulate(
        definition, _parse_json_option("--answers", answers),
        _parse_json_option("--hidden", hidden), _parse_json_option("--known", known),
        _parse_json_option("--signals", signals),
    )
    outcome = _qualification_preview(definition, result, workspace_slug, model_file)
    if as_json:
        document = result.as_dict()
        document["qualification"] = outcome.as_dict() if outcome else None
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(render_simulation(result))
        if outcome is not None:
            click.echo(render_preview(outcome, result.ending))


def _qualification_preview(definition: dict[str, Any], result: Simulation,
                           workspace_slug: str | None, model_file: str | None) -> Any:
    """Score, stage, route and rep, from a model file and/or a workspace (no writes)."""
    if not workspace_slug and not model_file:
        return None
    model: dict[str, Any] | None = None
    teams: dict[str, Any] = {}
    facts = dict(result.facts)
    if workspace_slug:
        try:
            with write_session() as session:
                workspace = get_workspace(session, workspace_slug)
                stored = current_model(session, workspace.id)
                model = stored.model if stored else None
                today = utcnow().date()
                teams = {team.slug: team_state(session, team, today) for team in
                         session.scalars(select(Team).where(Team.workspace_id == workspace.id))}
                facts["workspace"] = {"competitor_domains": list(
                    (workspace.settings or {}).get("competitor_domains", []))}
                session.rollback()  # a simulation changes nothing
        except NotFound as error:
            _fail(str(error))
    if model_file:
        model = json.loads(Path(model_file).read_text(encoding="utf-8"))
        issues = validate_model(model)
        if issues:
            _fail(f"{model_file} is not a valid scoring model:",
                  [issue.as_dict() for issue in issues])
    if model is None:
        _fail(f"Workspace '{workspace_slug}' has no scoring model; pass --model FILE.")
    ending = result.ending
    rules = definition.get("route") if ending.get("type") == "route" else ending_destination(
        ending)
    return preview(model, facts, utcnow(), rules, teams)


def render_preview(outcome: Any, ending: dict[str, Any]) -> str:
    lines = [f"Score: {outcome.score.total:g} (fit {outcome.score.fit:g}, "
             f"intent {outcome.score.intent:g})"]
    for reason in outcome.score.reasons:
        lines.append(f"  {reason.points:+g} {reason.dimension:<6} {reason.reason} [{reason.rule}]")
    for error in outcome.score.errors:
        lines.append(f"  ! rule {error.rule} failed and scored 0: {error.message}")
    lines.append(f"Stage: {outcome.stage.stage} — {outcome.stage.reason}")
    if outcome.destination is not None:
        destination = outcome.destination
        note = " (the catch-all route)" if destination.fallback else ""
        lines.append(f"Destination: {destination.kind} {destination.target}{note}")
    if outcome.assignment is not None:
        who = outcome.rep_name or f"user {outcome.assignment.rep_id}"
        if outcome.assignment.rep_id is None:
            who = "nobody"
        lines.append(f"Rep: {who} — {outcome.assignment.why}")
    return "\n".join(lines)


def render_simulation(result: Simulation) -> str:
    lines = []
    if result.skipped:
        lines.append("Known, so not asked: " + ", ".join(
            f"{field_id} = {json.dumps(value)}" for field_id, value in result.skipped.items()))
    if result.inserted:
        lines.append("Asked instead (profiling queue): " + ", ".join(result.inserted))
    lines.append("Steps taken:")
    for number, visit in enumerate(result.steps, start=1):
        lines.append(f"  {number}. {visit.id}" + (f" — {visit.title}" if visit.title else ""))
        for outcome in visit.fields:
            shown = "(no answer)" if outcome.value is None else json.dumps(outcome.value)
            problem = f"   ! {outcome.error}" if outcome.error else ""
            lines.append(f"       {outcome.id} = {shown}{problem}")
    ending = result.ending
    lines.append(
        f"Ending: {ending.get('id', '?')} ({ending.get('type', '?')})"
        + (f" — {ending['title']}" if ending.get("title") else "")
    )
    if result.dropped:
        lines.append("Ignored answers to fields that were not shown: " + ", ".join(result.dropped))
    return "\n".join(lines)
