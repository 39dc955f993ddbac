"""The rule builder widget: rows of (variable, operator, value) in all/any groups that fit
inside any <form>, and the htmx endpoint that re-renders one after each edit.

To embed one (the Logic, Routing and Scoring editors do):

    scope = form_scope(form)                       # or workspace_scope(), or other sections
    view = builder_for(scope, "route-0", rule, legend="Send here if")   # a stored rule
    state, view = read_builder(scope, "route-0", legend="Send here if")  # after a POST
    if state.ok: store state.rule (None means "no condition")

and in the template `{% from "builder/_rule_builder.html" import rule_builder %}
{{ rule_builder(view) }}` inside your <form>. Each builder on a page needs its own
prefix. The server works out everything; the browser only posts and swaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from flask import abort, g, get_template_attribute, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app import db
from app.builder.rule_edits import apply_action
from app.builder.rule_form import (
    FormData,
    RuleInput,
    as_text,
    check_prefix,
    field_name,
    read_rule,
    rule_input,
    settle,
)
from app.builder.rules import OPERATOR_BY_KEY, Condition, Group, operators_for
from app.builder.variables import (
    FORM_SECTIONS,
    ROUTING_SECTIONS,
    SECTIONS,
    Variable,
    variables_for_form,
    variables_for_workspace,
)
from app.forms.types import JSON
from app.models import Form
from app.web.builder import bp, editor_view, form_or_404

ValueWidget = Literal["none", "text", "number", "date", "select", "checks"]
MAX_LEGEND = 200


@dataclass(frozen=True)
class Scope:
    """What a builder may test and where it re-renders."""

    variables: list[Variable]
    endpoint: str
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class RowView:
    number: str  # "2" or "2.1", for labels
    id: str
    names: dict[str, str]  # var, op, value
    variable: str
    unknown_variable: bool
    operators: list[Choice]
    widget: ValueWidget
    value_text: str
    value_choices: list[Choice]
    error: str | None
    remove: str  # the action that removes this row
    is_group: ClassVar[bool] = False


@dataclass(frozen=True)
class GroupView:
    number: str
    id: str
    mode_name: str
    mode: str
    rows: list[RowView | GroupView] = field(default_factory=list)
    add: str = "add"
    remove: str = ""  # for a nested group
    is_group: ClassVar[bool] = True


@dataclass(frozen=True)
class BuilderView:
    prefix: str
    id: str
    legend: str
    endpoint: str
    vals: dict[str, str]  # posted with every re-render, so the endpoint knows this builder
    editor: str
    top: GroupView | None
    variable_groups: list[tuple[str, list[Choice]]]
    names: dict[str, str]  # editor, json, json_before
    json_text: str
    json_error: str | None
    json_open: bool


def form_scope(form: Form, sections: Sequence[str] = FORM_SECTIONS) -> Scope:
    """Variables of one form's draft; routing passes ROUTING_SECTIONS."""
    endpoint = url_for("builder.form_rule_builder", workspace=g.workspace.slug, form=form.slug)
    return Scope(variables_for_form(form.draft, sections), endpoint, tuple(sections))


def workspace_scope(sections: Sequence[str] = ROUTING_SECTIONS) -> Scope:
    """Variables across every form of the workspace (a workspace-wide scoring model)."""
    drafts = db.session().scalars(select(Form.draft).where(Form.workspace_id == g.workspace.id)
                                  .order_by(Form.id))
    endpoint = url_for("builder.workspace_rule_builder", workspace=g.workspace.slug)
    return Scope(variables_for_workspace(list(drafts), sections), endpoint, tuple(sections))


def builder_for(scope: Scope, prefix: str, rule: JSON | None, *, legend: str) -> BuilderView:
    """The builder for a stored condition (None: no condition yet)."""
    return builder_view(scope, prefix, rule_input(rule), legend=legend)


def read_builder(scope: Scope, prefix: str, *, legend: str, data: FormData | None = None
                 ) -> tuple[RuleInput, BuilderView]:
    """The posted builder: its state (store `state.rule` when `state.ok`) and its view."""
    state = read_rule(request.form if data is None else data, prefix, scope.variables)
    return state, builder_view(scope, prefix, state, legend=legend)


# --- the view model -------------------------------------------------------------------------


def _dom_id(prefix: str, path: Iterable[int], part: str = "") -> str:
    return "-".join(["rb", prefix, *(str(index) for index in path), *([part] if part else [])])


def _value_widget(variable: Variable | None, shape: str) -> ValueWidget:
    if shape == "none":
        return "none"
    if variable is None:
        return "text"
    if shape == "many":
        return "checks"
    if variable.options:
        return "select"
    return {"number": "number", "date": "date"}.get(variable.kind, "text")  # type: ignore[return-value]


def _row(scope: Scope, prefix: str, path: tuple[int, ...], row: Condition,
         errors: dict[str, str], show_errors: bool) -> RowView:
    variables = {variable.name: variable for variable in scope.variables}
    variable = variables.get(row.variable)
    operator = OPERATOR_BY_KEY.get(row.operator)
    kind = variable.kind if variable else None
    menu = operators_for(kind) if kind else []
    if operator is not None and operator not in menu:
        menu = [operator, *menu]  # shown as it is, with the row's error beside it
    widget = _value_widget(variable, operator.value if operator else "one")
    values = row.value if isinstance(row.value, list) else [row.value]
    picked = [as_text(value) for value in values]
    options = list(variable.options) if variable else []
    dotted = ".".join(str(index) for index in path)
    return RowView(
        number=".".join(str(index + 1) for index in path),
        id=_dom_id(prefix, path),
        names={part: field_name(prefix, path, part) for part in ("var", "op", "value")},
        variable=row.variable,
        unknown_variable=variable is None,
        operators=[Choice(op.key, op.label_for(kind or "text"), op.key == row.operator)
                   for op in menu],
        widget=widget,
        value_text=as_text(row.value),
        value_choices=[Choice(value, label, value in picked) for value, label in options],
        error=errors.get(dotted) if show_errors else None,
        remove=f"remove:{dotted}",
    )


def _group(scope: Scope, prefix: str, path: tuple[int, ...], group: Group,
           errors: dict[str, str], show_errors: bool) -> GroupView:
    rows: list[RowView | GroupView] = []
    for index, item in enumerate(group.items):
        here = (*path, index)
        rows.append(_group(scope, prefix, here, item, errors, show_errors)
                    if isinstance(item, Group) else
                    _row(scope, prefix, here, item, errors, show_errors))
    dotted = ".".join(str(index) for index in path)
    return GroupView(
        number=".".join(str(index + 1) for index in path),
        id=_dom_id(prefix, path, "group"),
        mode_name=field_name(prefix, path, "mode"),
        mode=group.mode,
        rows=rows,
        add=f"add:{dotted}" if path else "add",
        remove=f"remove:{dotted}" if path else "",
    )


def _variable_groups(variables: list[Variable]) -> list[tuple[str, list[Choice]]]:
    grouped: dict[str, list[Choice]] = {}
    for variable in variables:
        grouped.setdefault(SECTIONS.get(variable.section, variable.section), []).append(
            Choice(variable.name, variable.label))
    return list(grouped.items())


def builder_view(scope: Scope, prefix: str, state: RuleInput, *, legend: str,
                 show_errors: bool = True) -> BuilderView:
    """Everything the macro shows, worked out here so the template stays dumb."""
    check_prefix(prefix)
    top = None
    if state.editor == "rows" and state.group is not None:
        top = _group(scope, prefix, (), state.group, state.errors, show_errors)
    json_error = state.errors.get("json")
    return BuilderView(
        prefix=prefix,
        id=_dom_id(prefix, ()),
        legend=legend[:MAX_LEGEND],
        endpoint=scope.endpoint,
        vals={"rb_prefix": prefix, "rb_legend": legend[:MAX_LEGEND],
              "rb_sections": ",".join(scope.sections)},
        editor=state.editor,
        top=top,
        variable_groups=_variable_groups(scope.variables),
        names={part: field_name(prefix, (), part) for part in ("editor", "json", "json_before")},
        json_text=state.json_text,
        json_error=json_error,
        json_open=state.editor == "json" or json_error is not None,
    )


def render_builder(view: BuilderView) -> str:
    return str(get_template_attribute("builder/_rule_builder.html", "rule_builder")(view))


# --- the re-render endpoint -----------------------------------------------------------------


def _posted_sections() -> tuple[str, ...]:
    wanted = str(request.form.get("rb_sections", "")).split(",")
    sections = tuple(name for name in SECTIONS if name in wanted)
    return sections or FORM_SECTIONS


def _rerender(scope_for: Any) -> ResponseReturnValue:
    prefix = str(request.form.get("rb_prefix", ""))
    try:
        check_prefix(prefix)
    except ValueError:
        abort(400)
    scope: Scope = scope_for(_posted_sections())
    action = str(request.form.get("rb_action", ""))
    state = read_rule(request.form, prefix, scope.variables, adjust=True)
    state = settle(apply_action(state, action, scope.variables), scope.variables, adjust=True)
    legend = str(request.form.get("rb_legend", "Condition"))
    # Errors wait for a save (half-filled rows are normal while editing), unless they
    # are why the switch to JSON did not happen.
    show = bool(state.errors.get("json")) or (action == "json" and state.editor == "rows")
    view = builder_view(scope, prefix, state, legend=legend, show_errors=show)
    return render_builder(view)


@bp.post("/forms/<form>/rule-builder")
@editor_view
def form_rule_builder(workspace: str, form: str) -> ResponseReturnValue:
    """Re-render a builder of one form after an edit (htmx); nothing is saved."""
    target = form_or_404(form)
    return _rerender(lambda sections: form_scope(target, sections))


@bp.post("/rule-builder")
@editor_view
def workspace_rule_builder(workspace: str) -> ResponseReturnValue:
    """Re-render a workspace-wide builder after an edit (htmx); nothing is saved."""
    return _rerender(workspace_scope)


__all__ = ["BuilderView", "Scope", "builder_for", "builder_view", "form_scope", "read_builder",
           "render_builder", "workspace_scope"]
