"""The Logic tab: per step, when it shows, when each field shows, and where it branches.

    GET  /forms/<form>/logic              the tab
    POST /forms/<form>/logic/visibility   a step's or a field's visibility rule
    POST /forms/<form>/logic/branches     add, save, delete or move a branch

Every save goes through `edit_draft`; a refused change re-renders the tab with the
message next to the rule and what was typed kept. htmx swaps the whole <main>, so
lint findings elsewhere, the undo button and the saved note stay current.

Other tabs link to a rule here with `logic_anchor(pointer)`:
`url_for("builder.logic", workspace=..., form=..., _anchor=logic_anchor(issue["path"]))`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import db
from app.builder.drafts import Change, ChangeRefused, edit_draft
from app.builder.logic_changes import (
    STALE,
    add_branch,
    delete_branch,
    move_branch,
    set_visibility,
    update_branch,
)
from app.builder.logic_outline import block_pointer, step_label, target_names
from app.builder.rule_form import RuleInput, check_prefix, read_rule, rule_input
from app.builder.rule_text import describe_rule
from app.builder.shapes import list_of
from app.models import Form
from app.web.builder import bp, editor_view, form_or_404, is_htmx
from app.web.builder.logic_page import Pending, anchor_of, render_logic
from app.web.builder.rule_widget import form_scope


def logic_anchor(pointer: str) -> str | None:
    """The id of the Logic tab block that shows a JSON pointer, or None if the tab doesn't.

    `/steps/1/visible_if` → `logic-steps-1-visible_if`; `/steps/0/next/2/if/==/1` →
    `logic-steps-0-next-2` (the branch); `/steps/3` → `logic-steps-3` (the step);
    `/endings/1` → `logic-endings`; a field's label or the routing rules → None.
    """
    block = block_pointer(pointer)
    return None if block is None else anchor_of(block)


@bp.get("/forms/<form>/logic")
@editor_view
def logic(workspace: str, form: str) -> ResponseReturnValue:
    return render_logic(form_or_404(form))


@bp.get("/forms/<form>/logic/visibility")
@bp.get("/forms/<form>/logic/branches")
@editor_view
def back_to_logic(workspace: str, form: str) -> ResponseReturnValue:
    """A page rendered after a POST names its URL (e.g. undo's way back): go to the tab."""
    return redirect(url_for("builder.logic", workspace=workspace, form=form_or_404(form).slug),
                    303)


# --- saving ---------------------------------------------------------------------------------


def _posted_prefix() -> str:
    prefix = str(request.form.get("rule_prefix", "rule"))
    try:
        return check_prefix(prefix)
    except ValueError:
        return "rule"


def _index_of(items: Any, key: str, wanted: str) -> int | None:
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and item.get(key) == wanted:
            return index
    return None


def _step(form: Form, step_id: str) -> tuple[int | None, dict[str, Any]]:
    steps = list_of(form.draft.get("steps"))
    index = _index_of(steps, "id", step_id)
    return index, steps[index] if index is not None else {}


def _done(form: Form, pointer: str | None) -> ResponseReturnValue:
    """After a kept change: the tab again (htmx) or a redirect back to the rule."""
    if is_htmx():
        return render_logic(form, saved=pointer)
    anchor = logic_anchor(pointer) if pointer else None
    return redirect(url_for("builder.logic", workspace=g.workspace.slug, form=form.slug,
                            _anchor=anchor), 303)


def _refused(form: Form, pending: Pending) -> ResponseReturnValue:
    """The tab with the message by the rule; htmx only swaps 200s, browsers show a 422."""
    return render_logic(form, pending=pending, status=200 if is_htmx() else 422)


def _save(form: Form, change: Change, summary: str, pending: Pending,
          saved: str | None) -> ResponseReturnValue:
    session = db.session()
    try:
        edit_draft(session, form, change, summary=summary, user_id=int(current_user.id))
    except ChangeRefused as refused:
        session.rollback()
        pending.error = refused.message
        return _refused(form, pending)
    session.commit()
    return _done(form, saved)


@bp.post("/forms/<form>/logic/visibility")
@editor_view
def save_visibility(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    step_id, field_id = str(request.form.get("step", "")), str(request.form.get("field", ""))
    index, step = _step(target, step_id)
    field_index = _index_of(step.get("fields"), "id", field_id) if field_id else None
    pointer = None if index is None else (
        f"/steps/{index}/visible_if" if not field_id else
        None if field_index is None else f"/steps/{index}/fields/{field_index}/visible_if")
    scope = form_scope(target)
    state = rule_input(None) if request.form.get("always") else read_rule(
        request.form, _posted_prefix(), scope.variables)
    pending = Pending(pointer, _posted_prefix(), state)
    if pointer is None:
        pending.error = STALE
        return _refused(target, pending)
    if not state.ok:
        pending.error = "Check the conditions marked below; nothing was saved."
        return _refused(target, pending)
    what = (f"Step ‘{step_label(step)}’" if field_index is None else
            f"Field ‘{step['fields'][field_index].get('label') or field_id}’")
    shown = "always shown" if state.rule is None else (
        "shown only if " + describe_rule(state.rule, scope.variables))
    change = set_visibility(step_id, field_id or None, state.rule)
    return _save(target, change, f"{what} {shown}", pending, pointer)


def _original(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


@bp.post("/forms/<form>/logic/branches")
@editor_view
def save_branch(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    action = str(request.form.get("action", "save"))
    step_id, goto = str(request.form.get("step", "")), str(request.form.get("goto", ""))
    index, step = _step(target, step_id)
    raw_number = str(request.form.get("index", ""))
    number = int(raw_number) if raw_number.isdigit() else None
    original = _original(str(request.form.get("original", "")))
    where = "new" if action == "add" else str(number)
    pointer = None if index is None else f"/steps/{index}/next/{where}"
    scope = form_scope(target)
    state: RuleInput = rule_input(original.get("if") if isinstance(original, dict) else None)
    if action in ("add", "save"):
        state = read_rule(request.form, _posted_prefix(), scope.variables)
    pending = Pending(pointer, _posted_prefix(), state, goto)
    if pointer is None or (action != "add" and number is None):
        pending.error = STALE
        return _refused(target, pending)
    if action in ("add", "save") and not goto:
        pending.error = "Choose where this branch goes."
        return _refused(target, pending)
    if not state.ok:
        pending.error = "Check the conditions marked below; nothing was saved."
        return _refused(target, pending)
    names = target_names(target.draft)
    old_goto = str(original.get("goto")) if isinstance(original, dict) else goto
    shown_goto = goto if action in ("add", "save") else old_goto
    route = f"from ‘{step_label(step)}’ to ‘{names.get(shown_goto, shown_goto)}’"
    change: Change
    saved: str | None = pointer
    if action == "add":
        change, summary = add_branch(step_id, state.rule, goto), f"Branch {route}"
        saved = f"/steps/{index}/next/{len(list_of(step.get('next')))}"
    elif action == "save" and number is not None:
        change = update_branch(step_id, number, original, state.rule, goto)
        summary = f"Changed the branch {route}"
    elif action == "delete" and number is not None:
        change, summary, saved = delete_branch(step_id, number, original), \
            f"Deleted the branch {route}", None
    elif action in ("up", "down") and number is not None:
        offset = -1 if action == "up" else 1
        change, summary = move_branch(step_id, number, original, offset), \
            f"Moved the branch {route} {action}"
        saved = f"/steps/{index}/next/{number + offset}"
    else:
        pending.error = STALE
        return _refused(target, pending)
    return _save(target, change, summary, pending, saved)


__all__ = ["back_to_logic", "logic", "logic_anchor", "save_branch", "save_visibility"]
