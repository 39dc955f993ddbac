"""Cookie sessions that stay out of static files.

Flask-Login looks at the session after every request, which would mark even a
script or stylesheet `Vary: Cookie` (and could send a cookie with it). Static
files never depend on who asks, so their responses leave the session alone.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class StaticFreeSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)
