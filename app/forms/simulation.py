"""Walk a definition with sample answers, as the hosted form would: pure.

Backs `forms simulate` now and the editor's test panel later; qualification
adds score and route to the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.forms.fields import field_type
from app.forms.piping import pipe, tidy
from app.logic import facts, first_step, next_step, prune_answers, visible_fields
from app.profiling.enrichment import enrich
from app.profiling.mapping import mapped_answers
from app.profiling.plan import Plan, apply_plan, make_plan


@dataclass(frozen=True)
class FieldOutcome:
    id: str
    label: str
    value: Any
    error: str | None


@dataclass(frozen=True)
class StepVisit:
    id: str
    title: str
    fields: list[FieldOutcome]


@dataclass(frozen=True)
class Simulation:
    steps: list[StepVisit]
    ending: dict[str, Any]
    dropped: list[str] = field(default_factory=list)  # answers to fields never shown
    skipped: dict[str, Any] = field(default_factory=dict)  # known, so not asked
    inserted: list[str] = field(default_factory=list)  # queued questions asked instead
    facts: dict[str, Any] = field(default_factory=dict)  # what qualification would read

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps": [
                {
                    "id": visit.id,
                    "title": visit.title,
                    "fields": [vars(outcome) for outcome in visit.fields],
                }
                for visit in self.steps
            ],
            "ending": self.ending,
            "dropped": self.dropped,
            "skipped": self.skipped,
            "inserted": self.inserted,
            "facts": self.facts,
        }


def simulate(
    definition: dict[str, Any], answers: dict[str, Any], hidden: dict[str, Any] | None = None,
    known: dict[str, Any] | None = None, signals: dict[str, Any] | None = None,
) -> Simulation:
    """The steps a respondent giving `answers` would see, and where they end.

    `known` are a proven visitor's fresh properties: the profiling plan skips
    what they answer and asks queued questions instead.
    """
    plan = make_plan(definition, known) if known else Plan()
    definition = apply_plan(definition, plan)
    kept = prune_answers(definition, {**plan.skipped, **answers})
    data = facts(answers=kept, hidden=hidden or {}, contact=known or {})
    steps_by_id = {step["id"]: step for step in definition["steps"]}
    visits: list[StepVisit] = []
    position = first_step(definition, data)
    for _ in range(len(steps_by_id) + 1):
        if position.kind == "ending":
            break
        step = steps_by_id[position.id]
        outcomes = [_outcome(spec, kept) for spec in visible_fields(definition, step["id"], data)]
        visits.append(StepVisit(id=step["id"], title=step.get("title", ""), fields=outcomes))
        position = next_step(definition, step["id"], data)
    endings = {ending["id"]: ending for ending in definition["endings"]}
    ending = endings.get(position.id, {"id": position.id}) if position.kind == "ending" else {}
    if ending.get("title"):
        ending = {**ending, "title": tidy(pipe(ending["title"], kept, hidden or {}))}
    asked = {outcome.id for visit in visits for outcome in visit.fields}
    final = {outcome.id: outcome.value for visit in visits for outcome in visit.fields
             if outcome.value is not None and outcome.error is None}
    final.update({k: v for k, v in plan.skipped.items()})
    contact = {**(known or {}), **mapped_answers(definition, final, set(plan.skipped))}
    if isinstance(contact.get("email"), str) and "@" in contact["email"]:
        contact.update(enrich(contact["email"]))
    qualification_facts = {"answers": final, "hidden": hidden or {}, "contact": contact,
                           "signals": {"last_at": {}, **(signals or {})}, "submission": {}}
    return Simulation(steps=visits, ending=dict(ending), dropped=sorted(set(answers) - asked),
                      skipped=plan.skipped, inserted=[item.field["id"] for item in plan.inserted],
                      facts=qualification_facts)


def _outcome(spec: dict[str, Any], answers: dict[str, Any]) -> FieldOutcome:
    kind = field_type(spec["type"])
    if not kind.has_input:
        return FieldOutcome(id=spec["id"], label=spec.get("label", ""), value=None, error=None)
    parsed = kind.parse(spec, answers.get(spec["id"]))  # type: ignore[arg-type]
    return FieldOutcome(
        id=spec["id"], label=spec.get("label", ""), value=parsed.value, error=parsed.error
    )
