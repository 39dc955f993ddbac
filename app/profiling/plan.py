"""The profiling plan: which questions a known visitor skips, which new ones they get. Pure.

Given a definition and the fresh properties known about a proven visitor, a
field whose `property` is known is skipped and answered from the profile, and
queued questions (`profiling.queue`) whose property is still unknown take the
places of skipped fields, at most `max_new_per_visit` of them per visit.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.forms.fields import field_type

DEFAULT_MAX_NEW_PER_VISIT = 2


@dataclass(frozen=True)
class Insertion:
    step: str
    position: int  # index in the step's original field list
    field: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    skipped: dict[str, Any] = field(default_factory=dict)  # field id -> answer from the profile
    inserted: list[Insertion] = field(default_factory=list)
    known: dict[str, Any] = field(default_factory=dict)  # the facts logic sees as contact.*

    @property
    def uses_known_data(self) -> bool:
        return bool(self.skipped)

    def as_dict(self) -> dict[str, Any]:
        return {
            "known": dict(self.known),
            "skipped": dict(self.skipped),
            "inserted": [
                {"step": item.step, "position": item.position, "field": item.field}
                for item in self.inserted
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Plan:
        if not data:
            return cls()
        return cls(
            known=dict(data.get("known") or {}),
            skipped=dict(data.get("skipped") or {}),
            inserted=[Insertion(item["step"], int(item["position"]), dict(item["field"]))
                      for item in data.get("inserted") or []],
        )


def make_plan(definition: Mapping[str, Any], known: Mapping[str, Any]) -> Plan:
    """Decide skips and insertions for a visitor whose fresh properties are `known`."""
    skipped: dict[str, Any] = {}
    slots: list[tuple[str, int]] = []
    for step in definition.get("steps", []):
        for position, spec in enumerate(step.get("fields", [])):
            value = _known_answer(spec, known)
            if value is not None:
                skipped[spec["id"]] = value
                slots.append((step["id"], position))
    settings = definition.get("profiling") or {}
    limit = int(settings.get("max_new_per_visit", DEFAULT_MAX_NEW_PER_VISIT))
    form_ids = {spec["id"] for step in definition.get("steps", []) for spec in step["fields"]}
    candidates = [
        spec for spec in settings.get("queue", [])
        if spec.get("property") not in known and spec["id"] not in form_ids
    ]
    inserted = [
        Insertion(step_id, position, copy.deepcopy(spec))
        for (step_id, position), spec in zip(slots, candidates[:limit], strict=False)
    ]
    return Plan(skipped=skipped, inserted=inserted, known=dict(known))


def apply_plan(definition: Mapping[str, Any], plan: Plan) -> dict[str, Any]:
    """The definition this visitor walks: skipped fields out, queued ones in their places."""
    if not plan.skipped and not plan.inserted:
        return dict(definition)
    effective = copy.deepcopy(dict(definition))
    by_slot = {(item.step, item.position): item.field for item in plan.inserted}
    for step in effective["steps"]:
        fields = []
        for position, spec in enumerate(step["fields"]):
            replacement = by_slot.get((step["id"], position))
            if spec["id"] in plan.skipped:
                if replacement is not None:
                    fields.append(replacement)
            else:
                fields.append(spec)
        step["fields"] = fields
    if plan.inserted and isinstance(effective.get("profiling"), dict):
        asked = {item.field["id"] for item in plan.inserted}  # now part of a step
        queue = effective["profiling"].get("queue", [])
        effective["profiling"]["queue"] = [spec for spec in queue if spec["id"] not in asked]
    return effective


def _known_answer(spec: Mapping[str, Any], known: Mapping[str, Any]) -> Any:
    """The profile's value for this field, if it is known and still a valid answer."""
    name = spec.get("property")
    if not name or name not in known or spec.get("type") in ("hidden", "statement", "consent"):
        return None
    parsed = field_type(spec["type"]).parse(spec, known[name])  # type: ignore[arg-type]
    return parsed.value if parsed.error is None else None
