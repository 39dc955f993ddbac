"""Where a response goes after a step: branches, fall-through and endings."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from app.logic.conditions import holds
from app.logic.visibility import Definition, UnknownStep, steps_of


@dataclass(frozen=True)
class Next:
    """The place a response moves to: a step to show or an ending to finish on."""

    kind: Literal["step", "ending"]
    id: str


@dataclass(frozen=True)
class Path:
    """The steps a response would see with fixed data, and the ending it reaches."""

    steps: list[str] = field(default_factory=list)
    ending: str = ""


class BranchLoop(RuntimeError):
    """The walk went round in circles; lint reports this as a cycle before publishing."""

    def __init__(self, steps: list[str]) -> None:
        super().__init__(f"Branches loop: {' -> '.join(steps)}")
        self.steps = steps


def default_ending(definition: Definition) -> Next:
    """The first ending, where a form goes when nothing else applies."""
    for ending in definition.get("endings") or []:
        if isinstance(ending, dict) and isinstance(ending.get("id"), str):
            return Next("ending", ending["id"])
    raise ValueError("The definition has no ending.")


def _ending_ids(definition: Definition) -> set[str]:
    endings = definition.get("endings") or []
    return {ending.get("id") for ending in endings if isinstance(ending, dict)}


def _first_visible_from(definition: Definition, start: int, data: Mapping[str, Any]) -> Next:
    """The first visible step at index `start` or later, else the default ending."""
    for step in steps_of(definition)[start:]:
        if holds(step.get("visible_if"), data):
            return Next("step", step["id"])
    return default_ending(definition)


def _index_of(definition: Definition, step_id: str) -> int | None:
    for index, step in enumerate(steps_of(definition)):
        if step.get("id") == step_id:
            return index
    return None


def _resolve(definition: Definition, target: Any, data: Mapping[str, Any]) -> Next:
    """Where a goto lands: a step (or the next visible one after it) or an ending.

    An unknown target falls back to the default ending; lint reports it, but a
    prospect must still be able to finish.
    """
    index = _index_of(definition, target) if isinstance(target, str) else None
    if index is not None:
        return _first_visible_from(definition, index, data)
    if isinstance(target, str) and target in _ending_ids(definition):
        return Next("ending", target)
    return default_ending(definition)


def first_step(definition: Definition, data: Mapping[str, Any]) -> Next:
    """The first visible step, or the default ending when no step is visible."""
    return _first_visible_from(definition, 0, data)


def next_step(definition: Definition, step_id: str, data: Mapping[str, Any]) -> Next:
    """Where to go after `step_id`: the first branch that holds, else the next visible step.

    Raises UnknownStep when `step_id` is not a step of the definition.
    """
    index = _index_of(definition, step_id)
    if index is None:
        raise UnknownStep(step_id)
    step = steps_of(definition)[index]
    for branch in branches_of(step):
        if isinstance(branch, dict) and holds(branch.get("if"), data):
            return _resolve(definition, branch.get("goto"), data)
    return _first_visible_from(definition, index + 1, data)


def walk(definition: Definition, data: Mapping[str, Any], max_steps: int | None = None) -> Path:
    """Follow the form from its first step with fixed data until it ends.

    The path may visit at most `max_steps` steps (default: the number of steps,
    i.e. at most steps + 1 transitions, which a form without cycles never
    exceeds); one more means the branches loop: BranchLoop.
    """
    bound = len(steps_of(definition)) if max_steps is None else max_steps
    visited: list[str] = []
    here = first_step(definition, data)
    while here.kind == "step":
        if len(visited) >= bound:
            raise BranchLoop([*visited, here.id])
        visited.append(here.id)
        here = next_step(definition, here.id, data)
    return Path(steps=visited, ending=here.id)


# --- the same moves seen statically, for lint: edges between step positions -----------


def always_applies(branch: Mapping[str, Any]) -> bool:
    """A branch whose `if` is absent, null or literally true: later ones are never tried."""
    return branch.get("if") is None or branch.get("if") is True


def branches_of(step: Mapping[str, Any]) -> list[Any]:
    """A step's `next` list; anything else (a draft's `true`, a string) reads as none."""
    branches = step.get("next")
    return branches if isinstance(branches, list) else []


def live_branches(step: Mapping[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(index, branch) for the branches that can fire: up to the first that always applies."""
    live: list[tuple[int, dict[str, Any]]] = []
    for index, branch in enumerate(branches_of(step)):
        if isinstance(branch, dict):
            live.append((index, branch))
            if always_applies(branch):
                break
    return live


def landing(steps: list[dict[str, Any]], pos: int) -> list[int]:
    """Positions a move to step `pos` may land on: `pos`, then on while steps may be hidden."""
    landed: list[int] = []
    while pos < len(steps):
        landed.append(pos)
        if steps[pos].get("visible_if") in (None, True):
            break
        pos += 1
    return landed


def moves(steps: list[dict[str, Any]], pos: int) -> Iterator[tuple[int, int | None]]:
    """Every (target position, branch index or None for fall-through) `next_step` may take."""
    positions = {step_id: index for index, step in reversed(list(enumerate(steps)))
                 if isinstance(step_id := step.get("id"), str)}
    live = live_branches(steps[pos])
    for index, branch in live:
        goto = branch.get("goto")
        target = positions.get(goto) if isinstance(goto, str) else None
        if target is not None:
            for landed in landing(steps, target):
                yield landed, index
    if not any(always_applies(branch) for _, branch in live):
        for landed in landing(steps, pos + 1):
            yield landed, None


def reachable(steps: list[dict[str, Any]]) -> set[int]:
    """Positions of the steps that some data leads to from the start."""
    seen = set(landing(steps, 0))
    queue = deque(seen)
    while queue:
        for target, _ in moves(steps, queue.popleft()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def shortest_route(steps: list[dict[str, Any]], start: int, goal: int) -> list[int] | None:
    """Step positions from `start` to `goal` along possible moves, or None."""
    parents: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            route = [here]
            while (parent := parents[route[-1]]) is not None:
                route.append(parent)
            return route[::-1]
        for target, _ in moves(steps, here):
            if target not in parents:
                parents[target] = here
                queue.append(target)
    return None
