"""New forms (blank or from a template), copies, archiving and restoring.

The list itself is the workspace home (`backoffice.home`); these are the writes
behind its buttons, for admins and marketers only.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice

from app import db
from app.builder.catalog import BLANK, TEMPLATES
from app.builder.forms import (
    FormInputError,
    NewForm,
    create_form,
    duplicate_form,
    free_slug,
    set_archived,
    slugify,
)
from app.web.builder import bp, editor_view, form_or_404


class NewFormForm(FlaskForm):
    # Lengths and the slug's shape are checked by app.builder.forms, with its messages.
    name = StringField("Name")
    slug = StringField("Address")
    template = RadioField("Start from", default=BLANK,
                          choices=[SelectChoice(template.key, template.name)
                                   for template in TEMPLATES],
                          validate_choice=False)


@bp.get("/forms/new")
@editor_view
def new_form(workspace: str) -> ResponseReturnValue:
    return _new_page(NewFormForm(formdata=None))


@bp.post("/forms/new")
@editor_view
def create(workspace: str) -> ResponseReturnValue:
    form = NewFormForm()
    if not form.validate():  # only the CSRF token can fail here
        return _new_page(form, 400)
    session = db.session()
    new = NewForm(name=form.name.data or "", slug=form.slug.data or "",
                  template=form.template.data or BLANK)
    try:
        created = create_form(session, g.workspace.id, new)
        session.commit()
    except FormInputError as error:
        session.rollback()
        getattr(form, error.field).errors = [error.message]
        return _new_page(form, 422)
    except IntegrityError:  # someone took the slug between our check and our insert
        session.rollback()
        taken = new.slug.strip() or slugify(new.name)
        form.slug.errors = [f"The address '{taken}' was just taken. Choose another, such as "
                            f"'{free_slug(session, g.workspace.id, taken)}'."]
        return _new_page(form, 422)
    flash(f"Created ‘{created.name}’. It is a draft until you publish it.", "success")
    return redirect(url_for("builder.build", workspace=workspace, form=created.slug), 303)


@bp.post("/forms/<form>/duplicate")
@editor_view
def duplicate(workspace: str, form: str) -> ResponseReturnValue:
    original = form_or_404(form)
    session = db.session()
    try:
        copy = duplicate_form(session, original)
        session.commit()
    except (IntegrityError, FormInputError):
        session.rollback()
        flash(f"‘{original.name}’ could not be copied (its new address may have just been "
              "taken). Try again.", "error")
        return redirect(url_for("backoffice.home", workspace=workspace), 303)
    flash(f"Created ‘{copy.name}’ at /f/{workspace}/{copy.slug}, a draft.", "success")
    return redirect(url_for("backoffice.home", workspace=workspace), 303)


@bp.post("/forms/<form>/archive")
@editor_view
def archive(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    set_archived(db.session(), target, True)
    db.session().commit()
    flash(f"Archived ‘{target.name}’: its public address now says the form is closed. "
          "Restore it from the archived forms.", "success")
    return redirect(url_for("backoffice.home", workspace=workspace), 303)


@bp.post("/forms/<form>/restore")
@editor_view
def restore(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    set_archived(db.session(), target, False)
    db.session().commit()
    flash(f"Restored ‘{target.name}’.", "success")
    return redirect(url_for("backoffice.home", workspace=workspace), 303)


def _new_page(form: NewFormForm, status: int = 200) -> ResponseReturnValue:
    # The public address of a form named "x", without the "x": what the slug completes.
    prefix = url_for("public.show_form", workspace=g.workspace.slug, form="x",
                     _external=True)[:-1]
    return render_template("builder/new.html", form=form, templates=TEMPLATES,
                           public_prefix=prefix), status
