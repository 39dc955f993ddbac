"""Accounts: `users create-admin`, signing in and out, changing a password.

CSRF protection is on in the test app (as in production), so every POST here
carries the token from the page, unless the test is about leaving it out.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import WeakPassword, authenticate, change_password, create_user
from app.models import Membership, User, Workspace
from tests.web.backoffice import PASSWORD, add_user, csrf_of, log_in, page_token


def users_in(db_engine) -> list[tuple[str, str, str]]:
    """(email, workspace slug, role) for every membership."""
    with Session(db_engine) as session:
        rows = session.execute(
            select(User.email, Workspace.slug, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .join(Workspace, Workspace.id == Membership.workspace_id)
        )
        return sorted(tuple(row) for row in rows)


# --- the command line -------------------------------------------------------------------

def test_create_admin_creates_workspace_user_and_membership(cli, db_engine):
    result = cli.invoke(args=["users", "create-admin", "--email", "Ada@Acme.example",
                              "--workspace", "acme", "--name", "Ada"],
                        input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Created user ada@acme.example." in result.output
    assert "Created workspace 'acme'." in result.output
    assert users_in(db_engine) == [("ada@acme.example", "acme", "admin")]


def test_create_admin_reads_the_password_from_stdin(cli, app):
    result = cli.invoke(args=["users", "create-admin", "--email", "ada@acme.example",
                              "--workspace", "acme", "--password-stdin"], input=f"{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    with app.app_context():
        from app import db
        assert authenticate(db.session(), "ada@acme.example", PASSWORD) is not None


def test_create_admin_for_an_existing_user_adds_the_membership_and_keeps_the_password(
    cli, app, db_engine
):
    add_user(app, "ada@acme.example", workspace="acme", role="marketer")

    result = cli.invoke(args=["users", "create-admin", "--email", "ada@acme.example",
                              "--workspace", "beta"])
    again = cli.invoke(args=["users", "create-admin", "--email", "ada@acme.example",
                             "--workspace", "acme"])

    assert result.exit_code == 0, result.output
    assert "already exists; the password is unchanged" in result.output
    assert "is now an admin of 'beta'" in result.output
    assert again.exit_code == 0, again.output
    assert "is now an admin of 'acme' (was marketer)" in again.output
    assert users_in(db_engine) == [("ada@acme.example", "acme", "admin"),
                                   ("ada@acme.example", "beta", "admin")]


@pytest.mark.parametrize(("password", "reason"), [
    ("short", "Use at least 10 characters."),
    ("ada@acme.example", "Don't use your email address as your password."),
])
def test_create_admin_refuses_a_weak_password_and_stores_nothing(cli, db_engine, password,
                                                                 reason):
    result = cli.invoke(args=["users", "create-admin", "--email", "ada@acme.example",
                              "--workspace", "acme", "--password-stdin"], input=f"{password}\n")

    assert result.exit_code == 1
    assert f"Password refused: {reason}" in result.output
    assert users_in(db_engine) == []


def test_create_admin_refuses_an_invalid_workspace_slug(cli, db_engine):
    result = cli.invoke(args=["users", "create-admin", "--email", "ada@acme.example",
                              "--workspace", "Not A Slug", "--password-stdin"],
                        input=f"{PASSWORD}\n")

    assert result.exit_code == 1
    assert "'Not A Slug' is not a valid slug" in result.output
    assert users_in(db_engine) == []


def test_create_admin_refuses_an_invalid_email(cli):
    result = cli.invoke(args=["users", "create-admin", "--email", "not-an-email",
                              "--workspace", "acme", "--password-stdin"], input=f"{PASSWORD}\n")

    assert result.exit_code == 1
    assert "Error:" in result.output and "@" in result.output


def test_demo_load_creates_the_demo_admin_once(cli, client):
    first = cli.invoke(args=["demo", "load"])
    second = cli.invoke(args=["demo", "load"])

    assert "back office admin admin@demo.example, password leadform-demo" in first.output
    assert "back office admin" not in second.output
    assert log_in(client, "admin@demo.example", "leadform-demo").headers["Location"] == (
        "/app/demo/")


# --- the service ----------------------------------------------------------------------

def test_authenticate_ignores_the_case_of_the_email(session):
    create_user(session, "Ada@Acme.example", PASSWORD)

    assert authenticate(session, "ADA@acme.EXAMPLE", PASSWORD) is not None
    assert authenticate(session, "ada@acme.example", PASSWORD.upper()) is None
    assert authenticate(session, "nobody@acme.example", PASSWORD) is None


def test_a_user_without_a_password_cannot_sign_in(session):
    session.add(User(email="rep@acme.example", name="Rep"))
    session.flush()

    assert authenticate(session, "rep@acme.example", "") is None


def test_change_password_needs_the_current_one(session):
    from app.accounts import WrongPassword

    user = create_user(session, "ada@acme.example", PASSWORD)
    with pytest.raises(WrongPassword):
        change_password(user, "not the password", "a brand new password")
    with pytest.raises(WeakPassword):
        change_password(user, PASSWORD, "short")

    change_password(user, PASSWORD, "a brand new password")
    assert authenticate(session, "ada@acme.example", "a brand new password") is user


# --- signing in -------------------------------------------------------------------------

def test_signing_in_goes_to_the_only_workspace_home(app, client):
    add_user(app, "ada@acme.example")

    response = log_in(client, "ada@acme.example")

    assert response.status_code == 303
    assert response.headers["Location"] == "/app/acme/"
    assert client.get("/app/acme/").status_code == 200


def test_a_member_of_several_workspaces_chooses_one(app, client):
    add_user(app, "ada@acme.example", workspace="acme")
    with app.app_context():
        from app import db
        from app.accounts import add_membership, find_user
        from app.forms.versions import ensure_workspace
        with db.write_session() as session:
            user = find_user(session, "ada@acme.example")
            add_membership(session, ensure_workspace(session, "beta", "Beta Corp"), user, "sales")

    response = log_in(client, "ada@acme.example")
    chooser = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.headers["Location"] == "/app/"
    assert 'href="/app/acme/"' in chooser and 'href="/app/beta/"' in chooser


def alert_of(page: str) -> str:
    match = re.search(r'<div class="bo-alert" role="alert">(.*?)</div>', page, re.S)
    assert match, "the page shows no error"
    return " ".join(match.group(1).split())


def test_a_failed_sign_in_says_only_that_email_or_password_is_wrong(app, client):
    add_user(app, "ada@acme.example")

    wrong_password = log_in(client, "ada@acme.example", "wrong password!")
    unknown_user = log_in(client, "nobody@acme.example", PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 422
    assert alert_of(wrong_password.get_data(as_text=True)) == (
        alert_of(unknown_user.get_data(as_text=True))) == (
        "<p>The email or password is wrong.</p>")
    assert client.get("/app/acme/").status_code == 302  # still signed out


def test_next_brings_the_user_back_to_the_page_they_asked_for(app, client):
    add_user(app, "ada@acme.example")

    asked = client.get("/account/password")
    response = log_in(client, "ada@acme.example", next_url="/account/password")

    assert asked.headers["Location"] == "/login?next=/account/password"
    assert response.headers["Location"] == "/account/password"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "%2F%2Fevil.example",
])
def test_next_never_leaves_the_site(app, client, target):
    add_user(app, "ada@acme.example")

    response = log_in(client, "ada@acme.example", next_url=target)

    assert response.status_code == 303
    assert response.headers["Location"] == "/app/acme/"


def test_signing_in_starts_a_new_session(app, client):
    add_user(app, "ada@acme.example")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"

    log_in(client, "ada@acme.example")

    with client.session_transaction() as after:
        assert "planted" not in after
        assert "_user_id" in after


def test_session_and_remember_cookies_are_httponly_lax_and_secure(app, client):
    add_user(app, "ada@acme.example")

    response = log_in(client, "ada@acme.example", remember="y")
    cookies = response.headers.getlist("Set-Cookie")

    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_sign_in_is_rate_limited_per_ip(app, client):
    add_user(app, "ada@acme.example")
    token = page_token(client)
    data = {"csrf_token": token, "email": "ada@acme.example", "password": "wrong password!"}

    statuses = [client.post("/login", data=data).status_code for _ in range(11)]

    assert statuses == [422] * 10 + [429]
    limited = client.post("/login", data=data)
    assert "Too many attempts" in limited.get_data(as_text=True)


# --- CSRF -------------------------------------------------------------------------------

def test_csrf_is_enabled_in_the_test_app(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_signing_in_without_the_csrf_token_is_refused(app, client):
    add_user(app, "ada@acme.example")

    response = client.post("/login", data={"email": "ada@acme.example", "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/app/acme/").status_code == 302


def test_sign_out_needs_post_and_the_csrf_token(app, client):
    add_user(app, "ada@acme.example")
    log_in(client, "ada@acme.example")

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/app/acme/").status_code == 200  # still signed in

    token = page_token(client, "/app/acme/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/app/acme/").status_code == 302


def test_htmx_requests_may_send_the_csrf_token_as_a_header(app, client):
    add_user(app, "ada@acme.example")
    log_in(client, "ada@acme.example")
    token = page_token(client, "/app/acme/")

    response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})

    assert response.status_code == 303
    assert client.get("/app/acme/").status_code == 302


# --- changing the password --------------------------------------------------------------

def post_password(client, current, new, confirm=None, **extra):
    token = page_token(client, "/account/password")
    data = {"csrf_token": token, "current": current, "new": new,
            "confirm": new if confirm is None else confirm, **extra}
    return client.post("/account/password", data=data)


def test_changing_the_password(app, client):
    add_user(app, "ada@acme.example")
    log_in(client, "ada@acme.example")

    response = post_password(client, PASSWORD, "a brand new password")

    assert response.status_code == 303
    assert "Your password is changed" in client.get("/account/password").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": page_token(client, "/app/acme/")})
    assert log_in(client, "ada@acme.example").status_code == 422
    assert log_in(client, "ada@acme.example", "a brand new password").status_code == 303


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("wrong password!", "a brand new password", None, "Your current password is not right."),
    (PASSWORD, "short", None, "Use at least 10 characters."),
    (PASSWORD, "ada@acme.example", None, "Don&#39;t use your email address"),
    (PASSWORD, "a brand new password", "another new password", "are not the same"),
])
def test_a_refused_password_change_says_why(app, client, current, new, confirm, message):
    add_user(app, "ada@acme.example")
    log_in(client, "ada@acme.example")

    response = post_password(client, current, new, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_changing_the_password_signs_out_other_browsers(app):
    add_user(app, "ada@acme.example")
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, "ada@acme.example")
    log_in(elsewhere, "ada@acme.example")

    post_password(here, PASSWORD, "a brand new password")

    assert here.get("/app/acme/").status_code == 200
    assert elsewhere.get("/app/acme/").status_code == 302


def test_changing_the_password_without_the_csrf_token_is_refused(app, client):
    add_user(app, "ada@acme.example")
    log_in(client, "ada@acme.example")

    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "a brand new password", "confirm": "a brand new password"})

    assert response.status_code == 400
    assert csrf_of(client.get("/account/password").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": page_token(client, "/app/acme/")})
    assert log_in(client, "ada@acme.example").status_code == 303
