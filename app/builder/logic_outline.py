"""The Logic tab's outline of a draft: per step, its visibility, its fields' visibility and
its branches, each with the lint findings that point into it (matched by JSON pointer)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from app.builder.shapes import list_of, objects_of
from app.forms.types import JSON
from app.logic.branching import always_applies

_BLOCK: Final = re.compile(
    r"/steps/(\d+)(/visible_if|/fields/\d+/visible_if|/next/\d+)?(?=/|$)")
ENDINGS_BLOCK: Final = "/endings"


def block_pointer(pointer: str) -> str | None:
    """The Logic tab block a JSON pointer falls in, or None when the tab does not show it.

    Blocks: a step (`/steps/1`, for findings about the step itself), its visibility
    (`/steps/1/visible_if`), a field's visibility (`/steps/1/fields/2/visible_if`), a
    branch with its condition and target (`/steps/1/next/0`), and the endings list.
    Anything deeper belongs to its block: `/steps/0/next/0/if/==/1` → `/steps/0/next/0`.
    """
    if pointer == ENDINGS_BLOCK or pointer.startswith(ENDINGS_BLOCK + "/"):
        return ENDINGS_BLOCK
    match = _BLOCK.match(pointer)
    if match is None:
        return None
    step, rest = match.group(1), match.group(2)
    if rest is None and pointer != f"/steps/{step}":
        return None  # a field's settings, an id, a title: the Build tab's business
    return f"/steps/{step}{rest or ''}"


@dataclass(frozen=True)
class Finding:
    path: str
    message: str
    severity: str  # "error" or "warning"


@dataclass
class Block:
    """One editable rule: where it lives, what it says, what lint found in it."""

    pointer: str
    rule: JSON | None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class FieldLogic:
    id: str
    label: str
    visibility: Block


@dataclass
class BranchLogic:
    index: int
    goto: str
    raw: dict[str, Any]
    block: Block


@dataclass
class StepLogic:
    index: int
    id: str
    label: str
    visibility: Block
    fields: list[FieldLogic]
    branches: list[BranchLogic]
    otherwise: str  # where a response goes when no branch holds, in words
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Outline:
    steps: list[StepLogic]
    targets: list[tuple[str, str]]  # (id, label) of every step and ending, for "go to"
    ending_findings: list[Finding] = field(default_factory=list)

    def blocks(self) -> Iterable[Block]:
        for step in self.steps:
            yield step.visibility
            yield from (f.visibility for f in step.fields)
            yield from (branch.block for branch in step.branches)


def step_label(step: Mapping[str, Any]) -> str:
    return str(step.get("title") or step.get("id"))


def ending_label(ending: Mapping[str, Any]) -> str:
    return str(ending.get("title") or ending.get("id"))


def target_names(draft: Mapping[str, Any]) -> dict[str, str]:
    """Every goto target's name: a step's or an ending's title, else its id."""
    names = {str(s.get("id")): step_label(s) for s in objects_of(draft.get("steps"))}
    for ending in objects_of(draft.get("endings")):
        names.setdefault(str(ending.get("id")), ending_label(ending))
    return names


def target_labels(draft: Mapping[str, Any]) -> dict[str, str]:
    """Every goto target for a menu: "Step: About you", "Ending: Thanks"."""
    steps = {str(s.get("id")) for s in objects_of(draft.get("steps"))}
    return {target: f"{'Step' if target in steps else 'Ending'}: {name}"
            for target, name in target_names(draft).items()}


def _otherwise(steps: list[dict[str, Any]], endings: list[dict[str, Any]], index: int) -> str:
    branches = objects_of(steps[index].get("next"))
    always = next((n for n, branch in enumerate(branches, 1) if always_applies(branch)), None)
    if always is not None:
        return f"Otherwise: never reached, as branch {always} always applies."
    if index + 1 < len(steps):
        return f"Otherwise: the next step, ‘{step_label(steps[index + 1])}’ (or the first " \
               "shown one after it)."
    first = ending_label(endings[0]) if endings else "the end"
    return f"Otherwise: the form ends with ‘{first}’ (the first ending)."


def build_outline(draft: Mapping[str, Any], issues: Iterable[Mapping[str, str]]) -> Outline:
    """The outline, with each finding on the block its pointer falls in."""
    steps, endings = objects_of(draft.get("steps")), objects_of(draft.get("endings"))
    labels = target_labels(draft)
    outline = Outline([], list(labels.items()))
    by_block: dict[str, list[Finding]] = {}
    for issue in issues:
        finding = Finding(issue["path"], issue["message"], issue.get("severity", "error"))
        block = block_pointer(finding.path)
        if block is not None:
            by_block.setdefault(block, []).append(finding)

    def block(pointer: str, rule: JSON | None) -> Block:
        return Block(pointer, rule, by_block.get(pointer, []))

    for index, step in enumerate(steps):
        base = f"/steps/{index}"
        fields = [FieldLogic(str(f.get("id")), str(f.get("label") or f.get("id")),
                             block(f"{base}/fields/{number}/visible_if", f.get("visible_if")))
                  for number, f in enumerate(list_of(step.get("fields"))) if isinstance(f, dict)]
        branches = [BranchLogic(number, str(b.get("goto")), b,
                                block(f"{base}/next/{number}", b.get("if")))
                    for number, b in enumerate(list_of(step.get("next"))) if isinstance(b, dict)]
        outline.steps.append(StepLogic(
            index, str(step.get("id")), step_label(step), block(f"{base}/visible_if",
                                                                step.get("visible_if")),
            fields, branches, _otherwise(steps, endings, index), by_block.get(base, [])))
    outline.ending_findings = by_block.get(ENDINGS_BLOCK, [])
    return outline


__all__ = ["Block", "BranchLogic", "ENDINGS_BLOCK", "FieldLogic", "Finding", "Outline",
           "StepLogic", "block_pointer", "build_outline", "ending_label", "step_label",
           "target_labels", "target_names"]
