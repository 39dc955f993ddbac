"""What a condition can test, as the rule builder offers it: each variable with its label,
kind (which picks the operators) and, for choices, the values it can take."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from app.builder.rules import Kind
from app.builder.shapes import list_of, objects_of
from app.forms.fields import FIELD_TYPES
from app.qualify.stages import STAGES

#: Sections of the facts document, in menu order, with their menu headings.
SECTIONS: Final = {
    "answers": "Answers",
    "hidden": "Hidden fields",
    "contact": "Known contact",
    "lead": "Lead",
    "signals": "Signals",
}
#: What the hosted form knows while a prospect fills it in (app/web/form_page.py,
#: app/responses/service.py): no score or signals yet.
FORM_SECTIONS: Final = ("answers", "hidden", "contact")
#: What routing sees after scoring (app/leads/qualification.py).
ROUTING_SECTIONS: Final = ("answers", "hidden", "contact", "lead", "signals")

STAGE_LABELS: Final = {"lead": "Lead", "mql": "MQL", "sql": "SQL"}
#: `signals.*` aggregates, as app/leads/signals.py `signal_facts` computes them.
SIGNALS: Final = {
    "page_views_30d": "Page views, last 30 days",
    "pricing_views_7d": "Pricing page views, last 7 days",
    "visit_days_30d": "Days with a visit, last 30 days",
}


@dataclass(frozen=True)
class Variable:
    name: str  # the JsonLogic path, "answers.size"
    label: str
    kind: Kind
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for choices

    @property
    def section(self) -> str:
        return self.name.partition(".")[0]

    def option_values(self) -> list[str]:
        return [value for value, _ in self.options]


def field_kind(field: Mapping[str, Any]) -> Kind | None:
    """The kind of a field's answer from the field type registry; None: not testable."""
    field_type = FIELD_TYPES.get(str(field.get("type")))
    answer = field_type.answer_kind if field_type is not None else None
    if answer is None:
        return None
    if answer == "string":
        return "choice" if field_type is not None and field_type.has_options else "text"
    return {"number": "number", "boolean": "boolean", "list": "multi", "date": "date"}[answer]


def _options(field: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    options = field.get("options")
    return tuple(
        (option["value"], str(option.get("label") or option["value"]))
        for option in (options if isinstance(options, list) else [])
        if isinstance(option, dict) and isinstance(option.get("value"), str)
    )


def _fields(definition: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for step in objects_of(definition.get("steps")):
        yield from objects_of(step.get("fields"))


def _label(field: Mapping[str, Any]) -> str:
    return str(field.get("label") or field.get("id"))


def _form_variables(definition: Mapping[str, Any], sections: Iterable[str]) -> list[Variable]:
    wanted = set(sections)
    found: list[Variable] = []
    fields = [(f, kind) for f in _fields(definition) if (kind := field_kind(f)) is not None]
    if "answers" in wanted:
        found += [Variable(f"answers.{f['id']}", _label(f), kind, _options(f))
                  for f, kind in fields if isinstance(f.get("id"), str)]
    if "hidden" in wanted:
        found += [Variable(f"hidden.{name}", name, "text")
                  for name in list_of(definition.get("hidden"))
                  if isinstance(name, str)]
    if "contact" in wanted:
        found += [Variable(f"contact.{f['property']}", f"{f['property']} ({_label(f)})", kind,
                           _options(f))
                  for f, kind in fields if isinstance(f.get("property"), str)]
    return found


def _lead_variables(sections: Iterable[str]) -> list[Variable]:
    wanted = set(sections)
    found: list[Variable] = []
    if "lead" in wanted:
        found += [
            Variable("lead.stage", "Stage", "choice",
                     tuple((stage, STAGE_LABELS.get(stage, stage.capitalize()))
                           for stage in STAGES)),
            Variable("lead.total", "Score (total)", "number"),
            Variable("lead.fit", "Fit score", "number"),
            Variable("lead.intent", "Intent score", "number"),
        ]
    if "signals" in wanted:
        found += [Variable(f"signals.{name}", label, "number") for name, label in SIGNALS.items()]
    return found


def _unique(variables: Iterable[Variable]) -> list[Variable]:
    """The first variable of each name wins (a property asked twice is offered once)."""
    seen: dict[str, Variable] = {}
    for variable in variables:
        seen.setdefault(variable.name, variable)
    return list(seen.values())


def variables_for_form(definition: Mapping[str, Any],
                       sections: Iterable[str] = FORM_SECTIONS) -> list[Variable]:
    """The variables a condition of this form can test, in menu order."""
    sections = tuple(sections)
    return _unique(_form_variables(definition, sections) + _lead_variables(sections))


def variables_for_workspace(definitions: Iterable[Mapping[str, Any]],
                            sections: Iterable[str] = ROUTING_SECTIONS) -> list[Variable]:
    """Variables across several forms (a workspace-wide scoring model), in menu order."""
    sections = tuple(sections)
    found: list[Variable] = []
    for definition in definitions:
        found += _form_variables(definition, sections)
    return _unique(found + _lead_variables(sections))


__all__ = ["FORM_SECTIONS", "ROUTING_SECTIONS", "SECTIONS", "SIGNALS", "Variable",
           "field_kind", "variables_for_form", "variables_for_workspace"]
