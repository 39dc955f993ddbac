"""A form's funnel from its counts: views → starts → each step → completes. Pure.

A step's row says how many responses reached it (got past it, or stopped on it)
and how many got past it; the difference stopped there. Counting "reached" this
way keeps drop-off exact on branching forms, where a step only some visitors see
would otherwise look like a loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.analytics.calibration import share


@dataclass(frozen=True)
class StepRow:
    step_id: str
    title: str
    reached: int
    passed: int

    @property
    def stopped(self) -> int:
        return self.reached - self.passed

    @property
    def drop_off(self) -> float | None:
        """Of those who reached this step, the share who went no further."""
        return share(self.stopped, self.reached)


@dataclass(frozen=True)
class Funnel:
    views: int
    started: int
    completed: int
    abandoned: int
    in_progress: int
    steps: list[StepRow]

    @property
    def start_rate(self) -> float | None:
        """Starts per view; None before any view was counted."""
        return share(self.started, self.views)

    @property
    def completion_rate(self) -> float | None:
        return share(self.completed, self.started)

    @property
    def abandonment(self) -> float | None:
        return share(self.abandoned, self.started)

    @property
    def is_empty(self) -> bool:
        return not (self.views or self.started)

    @property
    def viewed_only(self) -> int:
        """Views that started nothing (0 when views were not counted for every start)."""
        return max(self.views - self.started, 0)

    @property
    def view_drop_off(self) -> float | None:
        return share(self.viewed_only, self.views) if self.views >= self.started else None

    def of_starts(self, count: int) -> float | None:
        return share(count, self.started)


@dataclass(frozen=True)
class StepCounts:
    """What the database counted for one form (and range): everything a funnel needs."""

    views: int
    started: int
    completed: int
    abandoned: int
    in_progress: int
    passed: Mapping[str, int]  # step id -> responses that got past it
    stopped_on: Mapping[str, int]  # screen key ("step" or "step/field") -> unfinished there


@dataclass(frozen=True)
class StepDef:
    id: str
    title: str
    current: bool  # in the first (newest or chosen) definition: shown even when nobody came


def step_order(definitions: Iterable[Mapping[str, Any]]) -> list[StepDef]:
    """Steps in the order of the first definition, then the steps only older ones have.

    Pass the newest version first: a renamed or reordered step shows as it is now.
    """
    seen: dict[str, StepDef] = {}
    for number, definition in enumerate(definitions):
        for step in definition.get("steps") or []:
            if isinstance(step, Mapping) and isinstance(step.get("id"), str):
                seen.setdefault(step["id"], StepDef(step["id"],
                                                    str(step.get("title") or step["id"]),
                                                    current=number == 0))
    return list(seen.values())


def build_funnel(counts: StepCounts, order: Sequence[StepDef]) -> Funnel:
    stopped: dict[str, int] = {}
    for key, number in counts.stopped_on.items():
        step_id = key.partition("/")[0]  # a conversational screen belongs to its step
        stopped[step_id] = stopped.get(step_id, 0) + number
    known = {step.id for step in order}
    extra = sorted((set(counts.passed) | set(stopped)) - known)  # steps no definition names
    rows = []
    for step in [*order, *(StepDef(step_id, step_id, current=False) for step_id in extra)]:
        passed = counts.passed.get(step.id, 0)
        reached = passed + stopped.get(step.id, 0)
        if reached or step.current:
            rows.append(StepRow(step.id, step.title, reached, passed))
    return Funnel(views=counts.views, started=counts.started, completed=counts.completed,
                  abandoned=counts.abandoned, in_progress=counts.in_progress, steps=rows)
