"""What the Logic tab shows, worked out in Python so builder/logic.html stays dumb."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask.typing import ResponseReturnValue

from app.builder.logic_outline import (
    Block,
    Finding,
    build_outline,
    target_labels,
    target_names,
)
from app.builder.rule_form import RuleInput, rule_input
from app.builder.rule_text import describe_rule
from app.forms.review import review
from app.models import Form
from app.web.builder import render_editor
from app.web.builder.rule_widget import (
    BuilderView,
    Choice,
    Scope,
    builder_view,
    form_scope,
)


@dataclass
class Pending:
    """A change that was refused: where, what was typed, and why."""

    pointer: str | None  # the block it was for; None when that block is gone
    prefix: str
    state: RuleInput
    goto: str = ""
    error: str = ""


@dataclass(frozen=True)
class Panel:
    anchor: str
    prefix: str
    summary: str
    findings: list[Finding]
    builder: BuilderView
    open: bool
    error: str | None
    saved: bool


@dataclass(frozen=True)
class BranchPanel:
    panel: Panel
    index: int | None  # None: the "add a branch" panel
    gotos: list[Choice]
    original: str  # the branch as shown, so a stale page cannot edit the wrong one
    first: bool = False
    last: bool = False


@dataclass(frozen=True)
class FieldPanel:
    id: str
    label: str
    panel: Panel


@dataclass
class StepView:
    id: str
    label: str
    anchor: str
    findings: list[Finding]
    visibility: Panel
    fields: list[FieldPanel] = field(default_factory=list)
    branches: list[BranchPanel] = field(default_factory=list)
    new_branch: BranchPanel | None = None
    otherwise: str = ""


def anchor_of(pointer: str) -> str:
    return "logic" + pointer.replace("/", "-")


def _prefix(pointer: str) -> str:
    """A builder prefix unique on the page: s1-v, s1-f2, s1-b0, s1-bnew."""
    parts = pointer.strip("/").split("/")
    step = f"s{parts[1]}"
    if parts[2:3] == ["fields"]:
        return f"{step}-f{parts[3]}"
    if parts[2:3] == ["next"]:
        return f"{step}-b{parts[3]}"
    return f"{step}-v"


class _Builder:
    """Makes the panels of one page render, with the refused change and the saved one."""

    def __init__(self, scope: Scope, pending: Pending | None, saved: str | None) -> None:
        self.scope, self.pending, self.saved = scope, pending, saved
        self.placed = False  # whether the refused change's rule is on the page

    def panel(self, block: Block, legend: str, summary: str) -> Panel:
        pending = self.pending if self.pending and self.pending.pointer == block.pointer else None
        self.placed = self.placed or pending is not None
        state = pending.state if pending else rule_input(block.rule)
        prefix = _prefix(block.pointer)
        return Panel(
            anchor=anchor_of(block.pointer), prefix=prefix, summary=summary,
            findings=block.findings,
            builder=builder_view(self.scope, prefix, state, legend=legend),
            open=pending is not None or self.saved == block.pointer,
            error=pending.error if pending else None,
            saved=pending is None and self.saved == block.pointer,
        )

    def goto(self, pointer: str, current: str) -> str:
        pending = self.pending
        return pending.goto if pending and pending.pointer == pointer else current


def _gotos(labels: dict[str, str], step_id: str, current: str) -> list[Choice]:
    choices = [Choice("", "Choose…", not current)] if not current else []
    if current and current not in labels:
        choices.append(Choice(current, f"{current} (missing)", True))
    return choices + [Choice(target, label, target == current)
                      for target, label in labels.items() if target != step_id]


def build_page(form: Form, pending: Pending | None = None, saved: str | None = None
               ) -> tuple[list[StepView], list[Finding], bool]:
    """The steps, the findings about endings, and whether `pending` found its rule."""
    draft = form.draft
    verdict = review(draft)
    issues = [{**issue, "severity": "error"} for issue in verdict.errors]
    issues += [{**issue, "severity": "warning"} for issue in verdict.warnings]
    outline = build_outline(draft, issues)
    scope = form_scope(form)
    make = _Builder(scope, pending, saved)
    labels = target_labels(draft)
    names = target_names(draft)
    views: list[StepView] = []
    for step in outline.steps:
        shown = describe_rule(step.visibility.rule, scope.variables)
        view = StepView(
            id=step.id, label=step.label, anchor=anchor_of(f"/steps/{step.index}"),
            findings=step.findings,
            visibility=make.panel(step.visibility, "Show this step only if",
                                  "Always shown." if step.visibility.rule is None
                                  else f"Shown only if {shown}."),
            otherwise=step.otherwise,
        )
        for item in step.fields:
            rule = item.visibility.rule
            summary = "Always shown." if rule is None else (
                f"Shown only if {describe_rule(rule, scope.variables)}.")
            view.fields.append(FieldPanel(item.id, item.label, make.panel(
                item.visibility, "Show this field only if", summary)))
        for branch in step.branches:
            condition = describe_rule(branch.block.rule, scope.variables)
            target = f"‘{names.get(branch.goto, branch.goto)}’"
            summary = (f"Always go to {target}." if branch.block.rule in (None, True)
                       else f"If {condition}, go to {target}.")
            view.branches.append(BranchPanel(
                make.panel(branch.block, "If", summary), branch.index,
                _gotos(labels, step.id, make.goto(branch.block.pointer, branch.goto)),
                json.dumps(branch.raw), branch.index == 0,
                branch.index == len(step.branches) - 1))
        new = Block(f"/steps/{step.index}/next/new", None)
        view.new_branch = BranchPanel(
            make.panel(new, "If", ""), None,
            _gotos(labels, step.id, make.goto(new.pointer, "")), "")
        views.append(view)
    return views, outline.ending_findings, make.placed


def render_logic(form: Form, *, pending: Pending | None = None, saved: str | None = None,
                 status: int = 200) -> ResponseReturnValue:
    steps, ending_findings, placed = build_page(form, pending, saved)
    stale = pending.error if pending is not None and not placed else None
    return render_editor("builder/logic.html", form, steps=steps,
                         ending_findings=ending_findings, stale=stale), status


__all__ = ["Pending", "anchor_of", "build_page", "render_logic"]
