"""The editor's test panel: a sample respondent walked through the draft, then qualified.

Pure: the walk is `app.forms.simulation` (the `forms simulate` CLI's engine) and
the decisions are `app.qualify.preview`, so the panel shows what a real submit
would decide. This module only reads the panel's inputs and names the branches.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from app.builder.shapes import list_of, objects_of
from app.forms.fields import field_type
from app.forms.simulation import Simulation, simulate
from app.logic import facts, holds
from app.qualify.assignment import TeamState
from app.qualify.model import number
from app.qualify.preview import Preview, preview
from app.responses.endings import ending_destination

# The behavioural aggregates scoring reads (app.leads.signals.signal_facts), with labels.
SIGNALS: Final = (
    ("pricing_views_7d", "Pricing page views, last 7 days"),
    ("page_views_30d", "Page views, last 30 days"),
    ("visit_days_30d", "Days with a visit, last 30 days"),
)
MAX_KNOWN_LINES: Final = 100
_PROPERTY: Final = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class SampleField:
    """An input of the panel for one answerable field of the draft."""

    id: str
    label: str
    step: str
    widget: str  # select | multi | text
    options: tuple[tuple[str, str], ...] = ()


def sample_fields(definition: Mapping[str, Any]) -> list[SampleField]:
    """Every field a respondent answers, in form order; choices come with their options.

    A draft may be broken while edited (or stored before a check): what makes no
    sense, such as a step that is not an object or a field without an id, is skipped.
    """
    fields = []
    for step in objects_of(definition.get("steps")):
        for spec in objects_of(step.get("fields")):
            kind_name, field_id = spec.get("type"), spec.get("id")
            if not isinstance(kind_name, str) or not isinstance(field_id, str):
                continue
            try:
                kind = field_type(kind_name)
            except KeyError:
                continue
            if not kind.has_input:
                continue
            options = tuple((str(o["value"]), str(o.get("label") or o["value"]))
                            for o in objects_of(spec.get("options"))
                            if o.get("value") not in (None, ""))
            if kind.name in ("yes_no", "consent"):
                widget, options = "select", (("yes", "Yes"), ("no", "No"))
            elif kind.has_options:
                widget = "multi" if kind.answer_kind == "list" else "select"
            else:
                widget = "text"
            fields.append(SampleField(field_id, str(spec.get("label") or field_id),
                                      str(step.get("title") or step.get("id")), widget, options))
    return fields


def hidden_names(definition: Mapping[str, Any]) -> list[str]:
    """The draft's hidden fields (UTM and the like), filled from the URL in real life."""
    names = definition.get("hidden")
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


@dataclass(frozen=True)
class Sample:
    """What the panel posted: answers by field id (lists for multiple choice), raw text."""

    answers: dict[str, Any] = field(default_factory=dict)
    known: str = ""
    signals: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadSample:
    answers: dict[str, Any]
    known: dict[str, Any]
    signals: dict[str, Any]
    errors: dict[str, str]  # by input: "known", "signal-<name>"
    hidden: dict[str, str] = field(default_factory=dict)


def read_sample(sample: Sample, fields: list[SampleField],
                hidden: list[str] | None = None) -> ReadSample:
    """Answers only for the draft's fields (blank: unanswered), hidden values only for its
    hidden names; known lines; signal counts."""
    wanted = {spec.id for spec in fields}
    answers = {key: value for key, value in sample.answers.items()
               if key in wanted and value not in ("", [], None)}
    hidden_values = {name: sample.hidden[name].strip() for name in hidden or []
                     if sample.hidden.get(name, "").strip()}
    known, problem = parse_known(sample.known)
    errors = {"known": problem} if problem else {}
    signals: dict[str, Any] = {}
    for name, _ in SIGNALS:
        text = sample.signals.get(name, "").strip()
        if not text:
            continue
        value = number(_float(text))
        if value is None or value < 0 or not value.is_integer():
            errors[f"signal-{name}"] = "A count: a whole number, 0 or more."
        else:
            signals[name] = int(value)
    return ReadSample(answers, known, signals, errors, hidden_values)


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_known(text: str) -> tuple[dict[str, Any], str | None]:
    """`key=value` lines (numbers and true/false read as such), or what is wrong."""
    known: dict[str, Any] = {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_KNOWN_LINES:
        return {}, f"At most {MAX_KNOWN_LINES} properties."
    for number_, line in enumerate(lines, start=1):
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _PROPERTY.match(key):
            return {}, (f"Line {number_}: write one property a line as name=value, e.g. "
                        "job_level=vp (names: lowercase letters, digits and _).")
        known[key] = _value(value.strip())
    return known, None


def _value(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d{1,15}", text):
        return int(text)
    if re.fullmatch(r"-?\d{1,15}\.\d{1,6}", text):
        return float(text)
    return text


@dataclass(frozen=True)
class Turn:
    """A step visited and how the respondent left it."""

    step: str
    title: str
    answers: list[tuple[str, Any, str | None]]  # field label, value, error
    then: str  # the next step or ending
    branch: int | None  # index of the branch that sent them there; None: the next in order
    condition: Any = None


@dataclass(frozen=True)
class TestRun:
    turns: list[Turn]
    ending: dict[str, Any]
    simulation: Simulation
    outcome: Preview | None  # None without a scoring model
    routed: bool  # the ending's destination came from the form's route


def run_sample(definition: dict[str, Any], sample: ReadSample, model: Mapping[str, Any] | None,
               teams: Mapping[str, TeamState], workspace: Mapping[str, Any],
               now: datetime) -> TestRun:
    """Walk, score, stage, route and assign, as a submit at `now` would; changes nothing."""
    result = simulate(definition, sample.answers, sample.hidden, sample.known or None,
                      sample.signals)
    ending = result.ending
    routed = ending.get("type") == "route"
    rules = definition.get("route") if routed else ending_destination(ending)
    outcome = None
    if model is not None:
        qualification_facts = {**result.facts, "workspace": dict(workspace)}
        outcome = preview(model, qualification_facts, now, rules, teams)
    return TestRun(_turns(definition, result), ending, result, outcome, routed)


def _turns(definition: dict[str, Any], result: Simulation) -> list[Turn]:
    data = facts(answers=result.facts.get("answers"), hidden=result.facts.get("hidden"),
                 contact=result.facts.get("contact"))
    steps = {step.get("id"): step for step in objects_of(definition.get("steps"))}
    turns = []
    for position, visit in enumerate(result.steps):
        then = (result.steps[position + 1].id if position + 1 < len(result.steps)
                else str(result.ending.get("id", "")))
        branch, condition = None, None
        for index, rule in enumerate(list_of(steps.get(visit.id, {}).get("next"))):
            if isinstance(rule, dict) and holds(rule.get("if"), data):
                if rule.get("goto") == then:
                    branch, condition = index, rule.get("if")
                break
        answers = [(outcome.label or outcome.id, outcome.value, outcome.error)
                   for outcome in visit.fields]
        turns.append(Turn(visit.id, visit.title, answers, then, branch, condition))
    return turns


__all__ = ["SIGNALS", "ReadSample", "Sample", "SampleField", "TestRun", "Turn", "hidden_names",
           "parse_known", "read_sample", "run_sample", "sample_fields"]
