"""The back office's API tokens page (admins only) and `flask api-tokens`."""

from __future__ import annotations

from sqlalchemy import select

from app.api.tokens import hash_secret
from app.db import write_session
from app.models import ApiToken
from tests.api.conftest import ApiClient
from tests.web.backoffice import add_user, csrf_of, log_in

URL = "/app/acme/api-tokens/"


def admin_client(app):
    add_user(app, "ada@acme.example", workspace="acme", role="admin")
    client = app.test_client()
    assert log_in(client, "ada@acme.example").status_code == 303
    return client


def create(client, **fields):
    data = {"csrf_token": csrf_of(client.get(URL).get_data(as_text=True)), "name": "CRM sync",
            "scopes": ["leads:read", "leads:write"], "expires": "90", **fields}
    return client.post(URL, data=data)


def only_token(app) -> ApiToken:
    with app.app_context(), write_session() as session:
        return session.scalars(select(ApiToken)).one()


def test_an_admin_creates_a_token_and_sees_it_once(app):
    client = admin_client(app)

    reply = create(client)

    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    token = only_token(app)
    secret = next(word for word in page.replace("<", " ").replace(">", " ").split()
                  if word.startswith("lf_") and len(word) > 40)
    assert token.token_hash == hash_secret(secret) and "not shown again" in page
    assert token.scopes == ["leads:read", "leads:write"] and token.expires_at is not None
    listing = client.get(URL).get_data(as_text=True)
    assert "CRM sync" in listing and token.prefix in listing and secret not in listing
    assert ApiClient(app.test_client(), secret).get("/api/v1/leads").status_code == 200


def test_a_token_needs_a_name_and_a_scope(app):
    client = admin_client(app)

    reply = create(client, name="", scopes=[])

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "Give the token a name." in page and "Choose at least one scope." in page
    with app.app_context(), write_session() as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_revoking_stops_the_token(app):
    client = admin_client(app)
    page = create(client).get_data(as_text=True)
    secret = next(word for word in page.replace("<", " ").replace(">", " ").split()
                  if word.startswith("lf_") and len(word) > 40)
    token = only_token(app)

    reply = client.post(f"{URL}{token.id}/revoke",
                        data={"csrf_token": csrf_of(client.get(URL).get_data(as_text=True))})

    assert reply.status_code == 303
    assert only_token(app).revoked_at is not None
    assert "Revoked" in client.get(URL).get_data(as_text=True)
    assert ApiClient(app.test_client(), secret).get("/api/v1/leads").status_code == 401


def test_marketers_and_sales_may_not_open_the_page(app):
    for role in ("marketer", "sales"):
        add_user(app, f"{role}@acme.example", workspace="acme", role=role)
        client = app.test_client()
        log_in(client, f"{role}@acme.example")
        assert client.get(URL).status_code == 403


def test_another_workspaces_token_cannot_be_revoked(app):
    client = admin_client(app)
    add_user(app, "bob@beta.example", workspace="beta", role="admin")
    other = app.test_client()
    log_in(other, "bob@beta.example")
    beta_page = other.get("/app/beta/api-tokens/").get_data(as_text=True)
    other.post("/app/beta/api-tokens/", data={"csrf_token": csrf_of(beta_page),
                                              "name": "Beta's", "scopes": ["forms:read"]})
    token = only_token(app)

    reply = client.post(f"{URL}{token.id}/revoke",
                        data={"csrf_token": csrf_of(client.get(URL).get_data(as_text=True))})

    assert reply.status_code == 404
    assert only_token(app).revoked_at is None


def test_the_cli_creates_lists_and_revokes(app, cli):
    from app.db import write_session as session_of
    from app.forms.versions import ensure_workspace

    with app.app_context(), session_of() as session:
        ensure_workspace(session, "acme")

    made = cli.invoke(args=["api-tokens", "create", "--workspace", "acme", "--name", "Nightly",
                            "--scope", "responses:read", "--expires-days", "30"])

    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("lf_")
    assert ApiClient(app.test_client(), secret).get("/api/v1/responses").status_code == 200
    listed = cli.invoke(args=["api-tokens", "list", "--workspace", "acme"])
    assert "Nightly" in listed.output and "active" in listed.output
    assert secret not in listed.output
    token = only_token(app)
    revoked = cli.invoke(args=["api-tokens", "revoke", "--workspace", "acme", str(token.id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert ApiClient(app.test_client(), secret).get("/api/v1/responses").status_code == 401


def test_the_cli_refuses_unknown_workspaces_and_scopes(app, cli):
    unknown = cli.invoke(args=["api-tokens", "create", "--workspace", "ghost", "--name", "x",
                               "--scope", "forms:read"])
    bad_scope = cli.invoke(args=["api-tokens", "create", "--workspace", "ghost", "--name", "x",
                                 "--scope", "everything"])

    assert unknown.exit_code != 0 and "ghost" in unknown.output
    assert bad_scope.exit_code != 0 and "everything" in bad_scope.output
