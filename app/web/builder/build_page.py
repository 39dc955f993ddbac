"""The Build tab's page and its issue lists, shared by the outline and the panel views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, make_response
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import db
from app.builder import outline as ops
from app.builder.choices import booking_targets, known_properties, nurture_tracks
from app.builder.drafts import ChangeRefused, Edited, edit_draft
from app.builder.outline_view import element, outline, preview_screen, screens, select
from app.builder.panels import ENDING_TYPES, validation_keys
from app.forms.fields import FIELD_TYPES
from app.forms.review import Review, review
from app.models import Form
from app.web.builder import form_or_404, is_htmx, render_editor


def build_page(form: Form, at: str, *, errors: dict[str, str] | None = None,
               typed: dict[str, Any] | None = None, refused: str = "", status: int = 200,
               extra_rows: int = 0) -> ResponseReturnValue:
    draft = form.draft
    selection = select(draft, at)
    issues = issue_list(review(draft))
    session = db.session()
    context = {
        "draft": draft, "selection": selection, "outline": outline(draft, selection, issues),
        "element": typed if typed is not None else element(draft, selection),
        "errors": errors or {}, "refused": refused, "extra_rows": extra_rows,
        "issues_here": issues_here(issues, selection.pointer),
        "palette": ops.PALETTE, "field_types": FIELD_TYPES, "ending_types": ENDING_TYPES,
        "validation_keys": validation_keys, "screens": screens(draft),
        "preview_screen": preview_screen(draft, selection),
        "properties": known_properties(session, g.workspace.id),
        "booking_targets": booking_targets(session, g.workspace.id),
        "tracks": nurture_tracks(g.workspace),
    }
    response = make_response(render_editor("builder/build.html", form, **context), status)
    return response


Refusal = ChangeRefused | ops.OutlineError


def edit_as_user(slug: str, target: Form, change: Callable[[dict[str, Any]], Any],
                 summary: str) -> tuple[Edited | None, Form, Refusal | None]:
    """Apply one change to the draft as the signed-in user, uncommitted; when it is refused,
    roll back and give the form as it is now, to show the refusal on."""
    try:
        edited = edit_draft(db.session(), target, change, summary=summary,
                            user_id=int(current_user.id))
    except (ChangeRefused, ops.OutlineError) as problem:
        db.session().rollback()
        return None, form_or_404(slug), problem
    return edited, target, None


def refused_page(form: Form, at: str, message: str) -> ResponseReturnValue:
    return build_page(form, at, refused=message, status=200 if is_htmx() else 422)


def refusal_message(problem: Exception) -> str:
    return problem.message if isinstance(problem, ChangeRefused) else str(problem)


def issue_list(verdict: Review) -> list[dict[str, str]]:
    return ([{**issue, "severity": "error"} for issue in verdict.errors]
            + [{**issue, "severity": "warning"} for issue in verdict.warnings])


def issues_here(issues: list[dict[str, str]], pointer: str) -> list[dict[str, str]]:
    """Issues about the selected element itself (the form: those about the document)."""
    if not pointer:
        return [issue for issue in issues if not issue["path"].startswith(("/steps", "/endings"))]
    return [issue for issue in issues
            if issue["path"] == pointer or issue["path"].startswith(pointer + "/")]
