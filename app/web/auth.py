"""Signing in and out of the back office, and changing one's password.

Thin views: a flask-wtf form parses, `app.accounts` decides, the view signs in
or out and redirects with 303.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app import db
from app.accounts import (
    MAX_LENGTH,
    WeakPassword,
    WrongPassword,
    authenticate,
    change_password,
    memberships_of,
)
from app.audit.sign_ins import record_account_event, record_failed_sign_in
from app.extensions import limiter
from app.models import User
from app.web.access import protect_backoffice
from app.web.login import sign_in

bp = Blueprint("auth", __name__)
protect_backoffice(bp)

# URL rules of this blueprint, in one place:
#   GET  /login              the sign-in form (?next=/relative/path to come back)
#   POST /login              sign in (rate-limited per IP)
#   POST /logout             sign out
#   GET  /account/password   the change-password form
#   POST /account/password   change the password (needs the current one)

WRONG_CREDENTIALS = "The email or password is wrong."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."),
                                            Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."),
                                                     Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me signed in on this device")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password",
                            validators=[DataRequired("Enter your current password.")])
    new = PasswordField("New password", validators=[DataRequired("Enter a new password.")])
    confirm = PasswordField("New password again", validators=[
        DataRequired("Enter the new password again."),
        EqualTo("new", "The two new passwords are not the same."),
    ])


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, host or tricks), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "\" as "/" and drop tabs and newlines: "/\evil.com" is "//evil.com".
    if "\\" in target or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or _landing_url(int(current_user.id)), 303)
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is not None:
            # A fresh session: nothing chosen before signing in (a fixed id) carries over.
            session.clear()
            sign_in(user, remember=bool(form.remember.data))
            with db.write_session() as write:
                record_account_event(write, user.id, "auth.sign_in")
            return redirect(next_url or _landing_url(user.id), 303)
        with db.write_session() as write:
            record_failed_sign_in(write, form.email.data or "")
        form.form_errors.append(WRONG_CREDENTIALS)
    status = 422 if request.method == "POST" else 200
    return render_template("backoffice/login.html", form=form, next_url=next_url), status


def _landing_url(user_id: int) -> str:
    """The workspace home when the user has one workspace, else the chooser."""
    memberships = memberships_of(db.session(), user_id)
    if len(memberships) == 1:
        return url_for("backoffice.home", workspace=memberships[0].workspace.slug)
    return url_for("backoffice.workspaces")


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        with db.write_session() as write:
            record_account_event(write, int(current_user.id), "auth.sign_out")
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            with db.write_session() as write:
                user = write.get(User, int(current_user.id))
                assert user is not None  # the user loader just found it
                change_password(user, form.current.data or "", form.new.data or "")
        except WrongPassword as error:
            form.current.errors = [str(error)]
        except WeakPassword as error:
            form.new.errors = [str(error)]
        else:
            # Keep this browser signed in with the new token; all others are now signed out.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            sign_in(user, remember=remembered in request.cookies)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.password"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("backoffice/password.html", form=form), status
