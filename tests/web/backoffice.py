"""Helpers for the back office through the Flask test client: tokens, users, signing in."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

PASSWORD = "correct horse battery"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_of(page: str) -> str:
    match = CSRF_META.search(page)
    assert match, "the page has no CSRF token"
    return html.unescape(match.group(1))


def page_token(client: FlaskClient, url: str = "/login") -> str:
    return csrf_of(client.get(url).get_data(as_text=True))


def add_user(app: Flask, email: str, *, workspace: str | None = "acme", role: str = "admin",
             password: str = PASSWORD, name: str = "") -> int:
    """A user with a password, a member of `workspace` (created if missing) as `role`."""
    from app.accounts import add_membership, create_user
    from app.db import write_session
    from app.forms.versions import ensure_workspace

    with app.app_context(), write_session() as session:
        user = create_user(session, email, password, name)
        if workspace:
            add_membership(session, ensure_workspace(session, workspace), user, role)
        return user.id


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, *, next_url: str = "",
           **extra: Any):
    """Post the sign-in form as a browser would (with the page's CSRF token)."""
    url = f"/login?next={next_url}" if next_url else "/login"
    data = {"csrf_token": page_token(client, url), "email": email, "password": password, **extra}
    return client.post(url, data=data)
