"""The Build tab: the outline of steps, fields and endings, their settings, the preview."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from app import db
from app.builder.drafts import undo as undo_last
from app.web.builder import bp, editor_view, form_or_404, render_editor


@bp.get("/forms/<form>/build")
@editor_view
def build(workspace: str, form: str) -> ResponseReturnValue:
    return render_editor("builder/build.html", form_or_404(form))


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


def _back_within(slug: str) -> str:
    """Back to the tab the undo came from; only editor pages of this form are allowed."""
    fallback = url_for("builder.build", workspace=g.workspace.slug, form=slug)
    wanted = request.form.get("next", "")
    prefix = url_for("builder.form_home", workspace=g.workspace.slug, form=slug)
    return wanted if wanted.startswith(prefix) and "//" not in wanted else fallback
