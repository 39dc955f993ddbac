"""Friendly error pages: a visitor never sees a stack trace or a bare status line."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from app.api.errors import error_response
from app.web.access import is_backoffice_request

MESSAGES = {
    400: ("Something in that request wasn't right", "Please reload the page and try again."),
    404: ("We couldn't find that page", "The link may be old, or the form is no longer online."),
    403: ("You can't open this page", "Your role in this workspace doesn't include it. "
          "Ask an admin of the workspace if you need it."),
    405: ("That didn't work", "Please go back and use the form's buttons."),
    410: ("This form is closed", "It no longer accepts answers. Thank you for your interest."),
    413: ("That was too much to send", "Please shorten your answers and try again."),
    429: ("Slow down a little", "You've sent a lot of answers in a short time. "
          "Please wait a minute, then try again: nothing you entered is lost."),
}


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        title, message = MESSAGES.get(status, (error.name, error.description or ""))
        if request.path.startswith("/api/"):
            return error_response(error)
        if is_backoffice_request():
            if status == 429:
                message = "Too many attempts in a short time. Please wait a minute, then try again."
            return render_template("backoffice/error.html", title=title, message=message), status
        return render_template("public/error.html", title=title, message=message), status
