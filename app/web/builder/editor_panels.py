"""The Build tab's settings panels, autosaved on every change.

htmx gets out-of-band swaps (outline, saved status, errors next to their inputs) and
the preview reloads; without JavaScript the panel's Save button posts and redirects.
A refused change saves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from app import db
from app.builder import outline as ops
from app.builder.drafts import Edited, last_change
from app.builder.outline_view import outline, preview_screen, screens, select
from app.builder.panels import (
    Posted,
    ending_from_form,
    field_from_form,
    input_for_path,
    one,
    step_from_form,
)
from app.forms.review import review
from app.forms.summaries import form_status
from app.models import Form
from app.web.builder import bp, current_address, editor_view, form_or_404, is_htmx
from app.web.builder.build_page import (
    build_page,
    edit_as_user,
    issue_list,
    issues_here,
    refusal_message,
    refused_page,
)

SAVED_EVENT = "lf-draft-saved"  # static/builder.js reloads the preview on it


@bp.post("/forms/<form>/settings")
@editor_view
def save_form_settings(workspace: str, form: str) -> ResponseReturnValue:
    posted = request.form.to_dict(flat=False)

    def change(draft: dict[str, Any]) -> None:
        draft["title"] = one(posted, "title") or draft["title"]
        for key in ("description",):
            if one(posted, key):
                draft[key] = one(posted, key)
            else:
                draft.pop(key, None)
        if one(posted, "display") in ("steps", "conversational"):
            draft["display"] = one(posted, "display")
        names = [name.strip().lower() for name in one(posted, "hidden").replace(",", " ").split()]
        if names:
            draft["hidden"] = list(dict.fromkeys(names))
        else:
            draft.pop("hidden", None)

    errors = {} if one(posted, "title") else {"title": "Give the form a title."}
    return _save_panel(form, "", change, errors, "Changed the form settings")


@bp.post("/forms/<form>/steps/<step>")
@editor_view
def save_step(workspace: str, form: str, step: str) -> ResponseReturnValue:
    posted = request.form.to_dict(flat=False)

    def change(draft: dict[str, Any]) -> None:
        index = ops.step_index(draft, step)
        draft["steps"][index] = step_from_form(draft["steps"][index], posted)

    pointer = _pointer_or_none(form, lambda d: f"/steps/{ops.step_index(d, step)}")
    return _save_panel(form, pointer, change, {}, f"Changed step ‘{step}’",
                       renamed=one(posted, "key") not in ("", step))


@bp.post("/forms/<form>/fields/<field>")
@editor_view
def save_field(workspace: str, form: str, field: str) -> ResponseReturnValue:
    posted = _with_option_action(request.form.to_dict(flat=False))
    target = form_or_404(form, for_update=True)
    try:
        step_index, field_index = ops.locate_field(target.draft, field)
    except ops.OutlineError as problem:
        return refused_page(target, "", str(problem))
    current = target.draft["steps"][step_index]["fields"][field_index]
    wanted, errors = field_from_form(current, posted)

    def change(draft: dict[str, Any]) -> None:
        draft["steps"][step_index]["fields"][field_index] = wanted

    pointer = f"/steps/{step_index}/fields/{field_index}"
    label = wanted.get("label") or field
    return _save_panel(form, pointer, change, errors, f"Changed question ‘{label}’"[:120],
                       renamed=wanted["id"] != field, typed=wanted,
                       extra_rows=1 if request.form.get("action") == "add_option" else 0)


@bp.post("/forms/<form>/endings/<ending>")
@editor_view
def save_ending(workspace: str, form: str, ending: str) -> ResponseReturnValue:
    posted = request.form.to_dict(flat=False)
    target = form_or_404(form, for_update=True)
    try:
        index = ops.ending_index(target.draft, ending)
    except ops.OutlineError as problem:
        return refused_page(target, "", str(problem))
    wanted, errors = ending_from_form(target.draft["endings"][index], posted)

    def change(draft: dict[str, Any]) -> None:
        draft["endings"][index] = wanted

    return _save_panel(form, f"/endings/{index}", change, errors, f"Changed ending ‘{ending}’",
                       renamed=wanted["id"] != ending, typed=wanted,
                       reshape=wanted["type"] != target.draft["endings"][index]["type"])


def _save_panel(slug: str, pointer: str | None, change: Callable[[dict[str, Any]], None],
                errors: dict[str, str], summary: str, *, renamed: bool = False,
                typed: dict[str, Any] | None = None, reshape: bool = False,
                extra_rows: int = 0) -> ResponseReturnValue:
    """Save one panel; answer htmx with out-of-band swaps, a browser with a redirect."""
    target = form_or_404(slug, for_update=True)
    if pointer is None:
        return refused_page(target, "", "That element no longer exists: it may have been "
                                        "deleted in another window.")
    edited: Edited | None = None
    if not errors:
        edited, target, problem = edit_as_user(slug, target, change, summary)
        if problem is not None:
            errors = _errors_by_input(problem, pointer)
    if edited is not None:
        db.session().commit()
    if errors:
        if is_htmx() and not extra_rows:
            return _panel_errors(errors, pointer)
        return build_page(target, pointer, errors=errors, typed=typed,
                          status=200 if is_htmx() else 422, extra_rows=extra_rows)
    page_url = url_for("builder.build", workspace=g.workspace.slug, form=slug, at=pointer)
    if not is_htmx():
        return redirect(page_url, 303)
    if renamed or reshape or extra_rows or request.form.get("action"):
        return build_page(target, pointer, extra_rows=extra_rows)  # the panel's own URLs changed
    return _saved(target, pointer, edited)


def _saved(form: Form, pointer: str, edited: Edited | None) -> ResponseReturnValue:
    draft = form.draft
    selection = select(draft, pointer)
    issues = issue_list(edited.review if edited else review(draft))
    html = render_template(
        "builder/_saved.html", form=form, draft=draft, outline=outline(draft, selection, issues),
        selection=selection, changed=edited is not None and edited.changed,
        issues_here=issues_here(issues, pointer), slots=_slots(),
        preview_screen=preview_screen(draft, selection), screens=screens(draft),
        status=form_status(db.session(), form), last_change=last_change(db.session(), form),
        undo_return=current_address(form),
    )
    response = make_response(html)
    response.headers["HX-Trigger"] = SAVED_EVENT
    return response


def _panel_errors(errors: dict[str, str], pointer: str) -> ResponseReturnValue:
    html = render_template("builder/_panel_errors.html", errors=errors, slots=_slots(errors))
    return make_response(html)


def _slots(errors: dict[str, str] | None = None) -> list[str]:
    """Every error slot the panel may show, so a fixed input's old message is cleared."""
    names = set(request.form.keys())
    rows = len(request.form.getlist("option_label"))
    names |= {f"option_{part}-{row}" for part in ("label", "value") for row in range(rows)}
    names |= set(errors or {})
    return sorted(name for name in names if name not in (
        "csrf_token", "action", "option_label", "option_value", "element"))


def _errors_by_input(problem: Exception, pointer: str) -> dict[str, str]:
    if isinstance(problem, ops.OutlineError) or not getattr(problem, "issues", None):
        return {"element": refusal_message(problem)}
    errors: dict[str, str] = {}
    for issue in problem.issues:  # type: ignore[attr-defined]
        name = input_for_path(issue["path"], pointer) or "element"
        errors.setdefault(name, issue["message"])
    return errors


def _with_option_action(posted: Posted) -> Posted:
    """Apply the panel's row buttons: remove option N, or move it up or down."""
    action = one(posted, "action")
    values, labels = list(posted.get("option_value") or []), list(posted.get("option_label") or [])
    verb, _, row_text = action.partition("-")
    if not row_text.isdigit() or int(row_text) >= len(labels):
        return posted
    row = int(row_text)
    while len(values) < len(labels):
        values.append("")
    if verb == "remove_option":
        del values[row], labels[row]
    elif verb in ("up_option", "down_option"):
        other = row - 1 if verb == "up_option" else row + 1
        if 0 <= other < len(labels):
            values[row], values[other] = values[other], values[row]
            labels[row], labels[other] = labels[other], labels[row]
    return {**posted, "option_value": values, "option_label": labels}


def _pointer_or_none(slug: str, find: Callable[[dict[str, Any]], str]) -> str | None:
    try:
        return find(form_or_404(slug).draft)
    except ops.OutlineError:
        return None
