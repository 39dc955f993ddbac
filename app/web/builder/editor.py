"""The Build tab: the outline of steps, fields and endings, and undo.

Structural actions (add, move, duplicate, delete) redirect back to the page (htmx
follows the redirect and swaps the editor in place). The settings panels are in
editor_panels.py, the page they share in build_page.py. A refused change saves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app import db
from app.builder import outline as ops
from app.builder.drafts import undo as undo_last
from app.forms.fields import FIELD_TYPES
from app.web.builder import bp, editor_view, form_or_404
from app.web.builder.build_page import build_page, edit_as_user, refusal_message, refused_page


@bp.get("/forms/<form>/build")
@editor_view
def build(workspace: str, form: str) -> ResponseReturnValue:
    return build_page(form_or_404(form), request.args.get("at", ""))


# --- structure -----------------------------------------------------------------------------


@bp.post("/forms/<form>/steps")
@editor_view
def add_step(workspace: str, form: str) -> ResponseReturnValue:
    after = request.form.get("after") or None
    return _structural(form, lambda d: ops.add_step(d, after=after), "Added a step",
                       lambda d, new: f"/steps/{ops.step_index(d, new)}")


@bp.post("/forms/<form>/steps/<step>/fields")
@editor_view
def add_field(workspace: str, form: str, step: str) -> ResponseReturnValue:
    type_name = request.form.get("type", "")
    index = _int(request.form.get("index"))
    kind = FIELD_TYPES[type_name].name if type_name in FIELD_TYPES else type_name
    return _structural(form, lambda d: ops.add_field(d, step, type_name, index),
                       f"Added a {kind.replace('_', ' ')} question",
                       lambda d, new: _field_pointer(d, new))


@bp.post("/forms/<form>/steps/<step>/move")
@editor_view
def move_step(workspace: str, form: str, step: str) -> ResponseReturnValue:
    def change(draft: dict[str, Any]) -> str:
        ops.move_step(draft, step, _target_index(draft["steps"], ops.step_index(draft, step)))
        return step

    return _structural(form, change, f"Moved step ‘{step}’",
                       lambda d, moved: f"/steps/{ops.step_index(d, moved)}")


@bp.post("/forms/<form>/steps/<step>/duplicate")
@editor_view
def duplicate_step(workspace: str, form: str, step: str) -> ResponseReturnValue:
    return _structural(form, lambda d: ops.duplicate_step(d, step), f"Duplicated step ‘{step}’",
                       lambda d, new: f"/steps/{ops.step_index(d, new)}")


@bp.post("/forms/<form>/steps/<step>/delete")
@editor_view
def delete_step(workspace: str, form: str, step: str) -> ResponseReturnValue:
    return _structural(form, lambda d: ops.delete_step(d, step), f"Deleted step ‘{step}’",
                       lambda d, _: "")


@bp.post("/forms/<form>/fields/<field>/move")
@editor_view
def move_field(workspace: str, form: str, field: str) -> ResponseReturnValue:
    def change(draft: dict[str, Any]) -> str:
        step_index, field_index = ops.locate_field(draft, field)
        target_step = request.form.get("step") or draft["steps"][step_index]["id"]
        if request.form.get("direction") in ("up", "down"):
            ops.move_field(draft, field, target_step,
                           _target_index(draft["steps"][step_index]["fields"], field_index))
        else:
            ops.move_field(draft, field, target_step, _int(request.form.get("index")) or 0)
        return field

    return _structural(form, change, f"Moved question ‘{field}’",
                       lambda d, moved: _field_pointer(d, moved))


@bp.post("/forms/<form>/fields/<field>/duplicate")
@editor_view
def duplicate_field(workspace: str, form: str, field: str) -> ResponseReturnValue:
    return _structural(form, lambda d: ops.duplicate_field(d, field),
                       f"Duplicated question ‘{field}’", lambda d, new: _field_pointer(d, new))


@bp.post("/forms/<form>/fields/<field>/delete")
@editor_view
def delete_field(workspace: str, form: str, field: str) -> ResponseReturnValue:
    def change(draft: dict[str, Any]) -> str:
        step_index, _ = ops.locate_field(draft, field)
        ops.delete_field(draft, field)
        return f"/steps/{step_index}"

    return _structural(form, change, f"Deleted question ‘{field}’", lambda d, at: at)


@bp.post("/forms/<form>/endings")
@editor_view
def add_ending(workspace: str, form: str) -> ResponseReturnValue:
    return _structural(form, lambda d: ops.add_ending(d), "Added an ending",
                       lambda d, new: f"/endings/{ops.ending_index(d, new)}")


@bp.post("/forms/<form>/endings/<ending>/delete")
@editor_view
def delete_ending(workspace: str, form: str, ending: str) -> ResponseReturnValue:
    return _structural(form, lambda d: ops.delete_ending(d, ending),
                       f"Deleted ending ‘{ending}’", lambda d, _: "")


@bp.post("/forms/<form>/undo")
@editor_view
def undo(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    undone = undo_last(db.session(), target)
    db.session().commit()
    if undone is None:
        flash("Nothing to undo.", "info")
    else:
        flash(f"Undone: {undone.summary}", "success")
    return redirect(_back_within(target.slug), 303)


def _structural(slug: str, change: Callable[[dict[str, Any]], Any], summary: str,
                select_after: Callable[[dict[str, Any], Any], str]) -> ResponseReturnValue:
    target = form_or_404(slug, for_update=True)
    result: dict[str, Any] = {}

    def apply(draft: dict[str, Any]) -> None:
        result["value"] = change(draft)

    edited, target, problem = edit_as_user(slug, target, apply, summary)
    if edited is None:
        return refused_page(target, request.form.get("at", ""), refusal_message(problem))
    db.session().commit()
    at = select_after(edited.draft, result.get("value"))
    return redirect(url_for("builder.build", workspace=g.workspace.slug, form=slug, at=at), 303)


def _field_pointer(draft: dict[str, Any], field_id: str) -> str:
    step_index, field_index = ops.locate_field(draft, field_id)
    return f"/steps/{step_index}/fields/{field_index}"


def _target_index(items: list[Any], current: int) -> int:
    direction = request.form.get("direction")
    if direction == "up":
        return max(0, current - 1)
    if direction == "down":
        return min(len(items) - 1, current + 1)
    index = _int(request.form.get("index"))
    return current if index is None else index


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def _back_within(slug: str) -> str:
    """Back to the tab the undo came from; only editor pages of this form are allowed."""
    fallback = url_for("builder.build", workspace=g.workspace.slug, form=slug)
    wanted = request.form.get("next", "")
    prefix = url_for("builder.form_home", workspace=g.workspace.slug, form=slug)
    return wanted if wanted.startswith(prefix) and "//" not in wanted else fallback
