"""The Design tab: the form's theme, with contrast advice while picking, and a preview.

URL rules (under /app/<workspace>):
    GET  /forms/<form>/design   the tab; with HX-Request and the colour boxes as
                                query, only the contrast advice for those colours
    POST /forms/<form>/design   save the theme (action=reset: back to the defaults)
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import db
from app.builder.drafts import ChangeRefused, edit_draft
from app.builder.settings import put_setting
from app.builder.theme import COLOR_KEYS, DEFAULTS, FONTS, theme_declarations, theme_warnings
from app.builder.theme_input import read_theme_form, saved_values
from app.models import Form
from app.web.builder import bp, editor_view, form_or_404, is_htmx, render_editor

LABELS = {
    "primary_color": "Primary colour", "background_color": "Background colour",
    "text_color": "Text colour", "font": "Font", "corner_radius": "Corner radius",
    "logo_url": "Logo address", "logo_alt": "Logo text", "button_text": "Submit button text",
    "continue_text": "Continue button text",
}
COLOR_HELP = {
    "primary_color": "Buttons, links, focus outlines and selected answers.",
    "background_color": "Behind the questions.",
    "text_color": "Questions and answers; lighter text and borders are derived from it.",
}


@bp.get("/forms/<form>/design")
@editor_view
def design(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    saved = theme_of(target.draft)
    if is_htmx() and request.args:  # the colours being picked, not yet saved
        candidate = read_theme_form(request.args, saved).theme
        return render_template("builder/_contrast.html", **_advice(candidate))
    return _page(target, saved_values(saved), saved)


@bp.post("/forms/<form>/design")
@editor_view
def save_design(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    saved = theme_of(target.draft)
    if request.form.get("action") == "reset":
        theme: dict[str, Any] = {}
        summary = "Reset the design to the defaults"
    else:
        read = read_theme_form(request.form, saved)
        if read.errors:
            return _page(target, read.values, read.theme, read.errors, status=422)
        theme, summary = read.theme, _summary(saved, read.theme)
    session = db.session()
    try:
        edited = edit_draft(session, target, lambda draft: put_setting(draft, "theme", theme),
                            summary=summary, user_id=int(current_user.id))
    except ChangeRefused as refused:
        session.rollback()
        values = read_theme_form(request.form, saved).values
        errors = {key: messages[0] for key in LABELS
                  if (messages := refused.for_path(f"/settings/theme/{key}"))}
        return _page(target, values, theme, errors, problem=refused.message, status=422)
    session.commit()
    if edited.changed:
        flash("Design saved to the draft: the public form changes when you publish.", "success")
    else:
        flash("Nothing to save: the design is as it was.", "info")
    return redirect(url_for("builder.design", workspace=g.workspace.slug, form=target.slug), 303)


def theme_of(definition: dict[str, Any]) -> dict[str, Any]:
    settings = definition.get("settings")
    theme = settings.get("theme") if isinstance(settings, dict) else None
    return dict(theme) if isinstance(theme, dict) else {}


def _summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    changed = [LABELS[key].lower() for key in LABELS if before.get(key) != after.get(key)]
    return "Changed the design: " + ", ".join(changed) if changed else "Saved the design"


def _advice(theme: dict[str, Any]) -> dict[str, Any]:
    """Contrast warnings and the sample's custom properties, for the colours in `theme`."""
    return {"warnings": theme_warnings(theme),
            "sample_vars": dict(theme_declarations(theme))}


def _page(form: Form, values: dict[str, str], theme: dict[str, Any],
          errors: dict[str, str] | None = None, *, problem: str = "",
          status: int = 200) -> ResponseReturnValue:
    preview = url_for("builder.preview", workspace=g.workspace.slug, form=form.slug)
    colors = [{"key": key, "label": LABELS[key], "help": COLOR_HELP[key],
               "default": DEFAULTS[key]} for key in COLOR_KEYS]
    page = render_editor(
        "builder/design.html", form, values=values, errors=errors or {}, problem=problem,
        colors=colors, fonts=[(key, label) for key, (label, _) in FONTS.items()],
        labels=LABELS, defaults=DEFAULTS, preview_url=preview, **_advice(theme),
    )
    return page, status
