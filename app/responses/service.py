"""Saving a visitor's way through a hosted form: start, answer, go back, complete.

Every function takes the session of a write transaction (`app.db.write_session`)
and leaves committing to its caller, so an acknowledged submit is committed
before the visitor sees what comes next (invariant 2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from app import metrics
from app.analytics.recording import record_step
from app.analytics.rollups import RESPONSE_FIELDS, Deltas, add, apply_deltas, response_rows
from app.experiments.serving import assignment_of
from app.forms.fields import field_type
from app.leads.qualification import qualify
from app.logic import facts, prune_answers
from app.models import FormVersion, Response, Workspace
from app.profiling.absorb import absorb_response
from app.profiling.identity import Identity
from app.profiling.plan import Plan, apply_plan
from app.qualify import route
from app.responses.capture import Captured, campaign_of, source_of
from app.responses.endings import ending_by_id as _ending
from app.responses.endings import ending_destination, resolve_ending
from app.responses.published import Published
from app.responses.screens import (
    Screen,
    first_screen,
    progress_percent,
    screen_after,
    screen_fields,
    screens_ahead,
)
from app.responses.tokens import Submission, TamperedToken

HONEYPOT_FIELD = "lf_website"


@dataclass
class Outcome:
    """Where the visitor is after a request: a screen to show, or an ending."""

    response: Response | None
    version: FormVersion
    screen: Screen | None = None
    ending: dict[str, Any] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)  # what was posted, shown back as typed
    progress: int = 0
    can_go_back: bool = False
    plan: Plan = field(default_factory=Plan)

    @property
    def definition(self) -> dict[str, Any]:
        """What this visitor walks: the version, with their profiling plan applied."""
        return apply_plan(self.version.definition, self.plan)


_BY_ID = select(Response).where(Response.id == bindparam("response_id"),
                                Response.form_id == bindparam("form_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()


def data_of(response: Response | None, captured: Captured | None = None,
            answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The logic document for a response (or for a visitor who has not answered yet)."""
    if response is not None:
        return facts(answers=response.answers if answers is None else answers,
                     hidden=response.hidden, contact=plan_of(response).known)
    return facts(answers={}, hidden=captured.hidden if captured else {})


def plan_of(response: Response) -> Plan:
    return Plan.from_dict(response.meta.get("profiling"))


def fresh_outcome(published: Published, captured: Captured, plan: Plan | None = None) -> Outcome:
    """The first screen for a visitor with no response yet."""
    plan = plan or Plan()
    definition = apply_plan(published.version.definition, plan)
    data = facts(answers=dict(plan.skipped), hidden=captured.hidden, contact=plan.known)
    place = first_screen(definition, data)
    if not isinstance(place, Screen):
        ending = _ending(definition, place.id)
        return Outcome(response=None, version=published.version, ending=ending, plan=plan)
    outcome = _screen_outcome(None, published.version, place, data, visited=0, plan=plan)
    outcome.typed = dict(captured.prefill)  # shown in the inputs, saved once answered
    return outcome


def current_outcome(response: Response) -> Outcome:
    """Where a stored response stands: its current screen, or its ending."""
    plan = plan_of(response)
    definition = apply_plan(response.version.definition, plan)
    if response.state == "completed":
        ending = resolve_ending(_ending(definition, response.ending or ""),
                                response.meta.get("destination"))
        return Outcome(response=response, version=response.version, plan=plan, ending=ending)
    data = data_of(response)
    screen = Screen.from_key(response.current_step or "")
    return _screen_outcome(response, response.version, screen, data,
                           visited=len(response.meta.get("path", [])), plan=plan)


def submit(
    session: Session,
    published: Published,
    visitor_id: str,
    token: Submission,
    posted: Mapping[str, list[str]],
    now: datetime,
    *,
    back: bool = False,
    min_fill_seconds: float = 0,
    identity: Identity | Callable[[], Identity] | None = None,
    plan: Plan | None = None,
) -> Outcome:
    """Apply one POST of a screen. Replays and double clicks change nothing.

    `plan` applies only when this POST starts the response; `identity` is who
    the visitor is proven to be, used when the final submit merges the answers
    into a contact (a callable is asked only then: other screens need no identity).
    """
    response = _response_for(session, published, visitor_id, token, now, plan or Plan())
    if response.state == "completed":
        return current_outcome(response)
    meta = dict(response.meta)
    if token.nonce == meta.get("last_nonce"):
        return current_outcome(response)  # this exact render was already applied
    screen = Screen.from_key(token.screen)
    path = list(meta.get("path", []))
    if screen.key != response.current_step:
        if screen.key not in path:
            return current_outcome(response)  # an outdated page: show where they really are
        path = path[: path.index(screen.key)]  # answering an earlier page again
    if posted.get(HONEYPOT_FIELD, [""])[0]:
        meta["bot"] = "honeypot"
    response_plan = plan_of(response)
    definition = apply_plan(response.version.definition, response_plan)
    typed, parsed, errors = _read_screen(definition, response, screen, posted)
    answers = {**response.answers, **parsed}
    meta["last_nonce"] = token.nonce
    response.state = "in_progress"
    if back:
        return _go_back(response, meta, path, screen, answers, errors)
    if errors:
        # Keep the valid answers (nothing typed is lost) and show the screen again.
        response.answers = prune_answers(definition, answers)
        meta["path"] = path
        response.meta = meta
        response.current_step = screen.key
        outcome = current_outcome(response)
        outcome.errors, outcome.typed = errors, typed
        return outcome
    answers = prune_answers(definition, answers)
    place = screen_after(definition, screen, data_of(response, answers=answers))
    response.answers = answers
    if isinstance(place, Screen):
        meta["path"] = [*path, screen.key]
        response.meta = meta
        response.current_step = place.key
        if place.step != screen.step:
            _passed_step(session, response, screen.step, now)
        return current_outcome(response)
    _flag_fast_fill(meta, now, min_fill_seconds)
    meta["path"] = [*path, screen.key]
    response.meta = meta
    response.state = "completed"
    response.current_step = None
    response.ending = place.id
    response.completed_at = now
    session.flush()
    _passed_step(session, response, screen.step, now)
    if callable(identity):
        identity = identity()
    _conclude(session, published.workspace, response, definition,
              identity or Identity(visitor_token=visitor_id), response_plan, now)
    metrics.count_submission(session, bot=bool(response.meta.get("bot")))
    return current_outcome(response)


def _conclude(session: Session, workspace: Workspace, response: Response,
              definition: dict[str, Any], identity: Identity, plan: Plan, now: datetime) -> None:
    """The final submit's work: contact, score, stage, route, rep, history, outbox.

    Bots (meta.bot) get the same-looking ending but nothing is merged or routed.
    """
    if response.meta.get("bot"):
        return
    contact = absorb_response(session, response, definition, identity, set(plan.skipped), now)
    ending = _ending(definition, response.ending or "")
    routed = ending.get("type") == "route"
    rules = definition.get("route") if routed else ending_destination(ending)
    if contact is not None:
        outcome = qualify(session, workspace, contact, now, response=response,
                          route_rules=rules, cause="response", routed=routed)
        destination = outcome.destination.as_dict() if outcome.destination else None
        rep_name = outcome.rep_name
        response.contact_id = contact.id
    elif rules:
        destination, rep_name = route(rules, data_of(response)).as_dict(), None
    else:
        return
    if destination is not None:
        response.meta = {**response.meta, "destination": {**destination, "rep": rep_name}}


def _passed_step(session: Session, response: Response, step_id: str, now: datetime) -> None:
    """The funnel's record that this response got past `step_id` (once per step)."""
    if response.id is None:
        session.flush()  # a response started by this submit: its one INSERT, now
    record_step(session, workspace_id=response.workspace_id, response_id=response.id,
                form_id=response.form_id, version_id=response.version_id, step_id=step_id,
                at=now, started_at=response.started_at)


def mark_abandoned(session: Session, idle_since: datetime) -> int:
    """Count responses untouched since `idle_since` as abandoned; returns how many."""
    abandoned = session.execute(
        update(Response)
        .where(Response.state == "in_progress", Response.updated_at < idle_since)
        .values(state="abandoned")
        .returning(*(getattr(Response, name) for name in RESPONSE_FIELDS))
        .execution_options(synchronize_session=False)
    ).mappings().all()
    deltas: Deltas = defaultdict(dict)
    for row in abandoned:  # the bulk update bypasses the ORM: move the rollup's counts here
        add(deltas, response_rows({**row, "state": "in_progress"}), -1)
        add(deltas, response_rows(row), +1)  # RETURNING gives the new state
    apply_deltas(session, deltas)
    return len(abandoned)


def _response_for(
    session: Session, published: Published, visitor_id: str, token: Submission, now: datetime,
    plan: Plan,
) -> Response:
    if token.response_id is None:
        return _start(session, published, visitor_id, token, now, plan)
    query = _BY_ID_LOCKED if session.get_bind().dialect.name == "postgresql" else _BY_ID
    response = session.scalar(query, {"response_id": token.response_id,
                                      "form_id": published.form.id})
    if response is None or response.version_id != token.version_id:
        raise TamperedToken("This form page does not belong to this form.")
    return response


def _start(
    session: Session, published: Published, visitor_id: str, token: Submission, now: datetime,
    plan: Plan,
) -> Response:
    """Create the response on the version that was rendered; once per rendered page."""
    existing = session.scalar(select(Response).where(Response.start_nonce == token.nonce))
    if existing is not None:
        if existing.form_id != published.form.id:
            raise TamperedToken("This form page does not belong to this form.")
        return existing
    version = session.get(FormVersion, token.version_id)
    if version is None or version.form_id != published.form.id:
        raise TamperedToken("This form page does not belong to this form.")
    captured = Captured.from_dict(token.start or {})
    experiment_id, variant = assignment_of(token.start)
    response = Response(
        workspace_id=published.workspace.id,
        form_id=published.form.id,
        version_id=version.id,
        version=version,  # a pending row loads no relationships
        visitor_id=visitor_id,
        start_nonce=token.nonce,
        state="in_progress",
        current_step=token.screen,
        answers=dict(plan.skipped),  # known answers feed logic like typed ones
        hidden=captured.hidden,
        source=source_of(captured.hidden, captured.meta),
        campaign=campaign_of(captured.hidden),
        experiment_id=experiment_id,  # the A/B test the rendered page was served under
        variant=variant,
        meta={**captured.meta, "prefill": captured.prefill, "path": [],
              "rendered_at": (token.start or {}).get("t"), "profiling": plan.as_dict()},
        started_at=now,
    )
    session.add(response)  # inserted once, with this screen's answers, when the submit ends
    return response


def _read_screen(
    definition: dict[str, Any], response: Response, screen: Screen, posted: Mapping[str, list[str]]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Two passes: visibility from the answers including this screen's, then validation.

    Returns what was typed (to show back), the parsed answers of visible fields,
    and an error per visible field that is not acceptable.
    """
    everything = {spec["id"]: spec for spec in _step_fields(definition, screen.step)}
    typed: dict[str, Any] = {}
    first_pass: dict[str, Any] = {}
    for spec in everything.values():
        kind = field_type(spec["type"])
        if not kind.has_input or spec["type"] == "hidden":
            continue
        raw = posted.get(spec["id"], [])
        value: Any = raw if spec["type"] == "multi_choice" else (raw[0] if raw else None)
        typed[spec["id"]] = value
        parsed = kind.parse(spec, value)  # type: ignore[arg-type]
        if parsed.error is None:
            first_pass[spec["id"]] = parsed.value
    visible = screen_fields(
        definition, screen, data_of(response, answers={**response.answers, **first_pass})
    )
    parsed_answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in visible:
        kind = field_type(spec["type"])
        if not kind.has_input or spec["type"] == "hidden":
            continue
        result = kind.parse(spec, typed.get(spec["id"]))  # type: ignore[arg-type]
        if result.error:
            errors[spec["id"]] = result.error
        elif result.value is not None:
            parsed_answers[spec["id"]] = result.value
        else:
            parsed_answers[spec["id"]] = None
    for spec in everything.values():  # hidden fields carry the value the URL brought
        if spec["type"] == "hidden" and spec["id"] in response.meta.get("prefill", {}):
            parsed_answers[spec["id"]] = response.meta["prefill"][spec["id"]]
    return typed, {k: v for k, v in parsed_answers.items() if v is not None}, errors


def _step_fields(definition: dict[str, Any], step_id: str) -> list[dict[str, Any]]:
    for step in definition["steps"]:
        if step["id"] == step_id:
            return list(step["fields"])
    raise TamperedToken("This form page refers to a step the form does not have.")


def _go_back(
    response: Response, meta: dict[str, Any], path: list[str], screen: Screen,
    answers: dict[str, Any], errors: dict[str, str],
) -> Outcome:
    """Keep what was validly typed, then show the previous screen."""
    response.answers = answers
    if path:
        response.current_step = path.pop()
    else:
        response.current_step = screen.key
    meta["path"] = path
    response.meta = meta
    return current_outcome(response)


def _flag_fast_fill(meta: dict[str, Any], now: datetime, min_fill_seconds: float) -> None:
    rendered_at = meta.get("rendered_at")
    if min_fill_seconds and isinstance(rendered_at, (int, float)):
        if now.timestamp() - rendered_at < min_fill_seconds:
            meta.setdefault("bot", "too_fast")


def _screen_outcome(
    response: Response | None, version: FormVersion, screen: Screen,
    data: dict[str, Any], *, visited: int, plan: Plan,
) -> Outcome:
    ahead = screens_ahead(apply_plan(version.definition, plan), screen, data)
    return Outcome(
        response=response, version=version, screen=screen, plan=plan,
        progress=progress_percent(visited, ahead), can_go_back=visited > 0,
    )
