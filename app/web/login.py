"""Flask-Login wiring: who is signed in, read through the request's database session."""

from __future__ import annotations

from flask import Flask, Response, current_app, make_response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import UserMixin, login_user

from app import db
from app.accounts import sign_in_token, user_for_token
from app.extensions import login_manager
from app.models import User


class SignedInUser(UserMixin):
    """`current_user`: plain values copied from the row, safe after the session closes."""

    def __init__(self, user: User, token: str) -> None:
        self.id = user.id
        self.email = user.email
        self.name = user.name
        self._token = token

    def get_id(self) -> str:
        # The id bound to the password hash: a password change signs out other browsers.
        return self._token


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a signed-in session for `user` (the caller clears the old session first)."""
    token = sign_in_token(current_app.config["SECRET_KEY"], user)
    login_user(SignedInUser(user, token), remember=remember)


def _load_user(token: str) -> SignedInUser | None:
    user = user_for_token(db.session(), current_app.config["SECRET_KEY"], token)
    return SignedInUser(user, token) if user is not None else None


def _unauthorized() -> ResponseReturnValue:
    """To the sign-in page, coming back here afterwards; htmx gets a full-page redirect."""
    target = url_for("auth.login", next=_relative_url())
    if request.headers.get("HX-Request") == "true":
        response: Response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _relative_url() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
