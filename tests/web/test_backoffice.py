"""The back office shell: who sees which workspace, what its pages send, the forms list."""

from __future__ import annotations

import pytest
from flask import Blueprint, g

from app.web.access import add_nav_item, protect_backoffice, workspace_member
from tests.web.backoffice import add_user, log_in, page_token

# A stand-in for a later blueprint (the builder, the sales inbox): admins only.
admin_only = Blueprint("admin_only", __name__, url_prefix="/app/<workspace>/settings")
protect_backoffice(admin_only)
add_nav_item(admin_only, "Settings", "admin_only.settings", roles=("admin",), order=90)


@admin_only.get("/")
@workspace_member("admin")
def settings(workspace: str) -> str:
    return f"settings of {g.workspace.slug} for a {g.membership.role}"


@pytest.fixture
def app(app):
    app.register_blueprint(admin_only)
    return app


@pytest.fixture
def ada(app, client):
    """Ada, an admin of acme, signed in."""
    add_user(app, "ada@acme.example", workspace="acme")
    log_in(client, "ada@acme.example")
    return client


PROTECTED = ["/app/", "/app/acme/", "/app/acme/settings/", "/account/password"]


@pytest.mark.parametrize("url", PROTECTED)
def test_protected_pages_send_strangers_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_htmx_requests_of_strangers_get_a_full_page_redirect(client):
    response = client.get("/app/acme/", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/app/acme/"


def test_a_member_of_one_workspace_gets_404_for_another(app, ada):
    add_user(app, "bob@beta.example", workspace="beta")

    assert ada.get("/app/beta/").status_code == 404
    assert ada.get("/app/beta/settings/").status_code == 404


def test_an_unknown_workspace_is_a_404_like_a_foreign_one(ada):
    response = ada.get("/app/nowhere/")

    assert response.status_code == 404
    assert "We couldn&#39;t find that page" in response.get_data(as_text=True)


def test_a_member_with_the_wrong_role_gets_403(app, client):
    add_user(app, "sam@acme.example", workspace="acme", role="sales")
    log_in(client, "sam@acme.example")

    response = client.get("/app/acme/settings/")

    assert response.status_code == 403
    assert "You can&#39;t open this page" in response.get_data(as_text=True)
    assert client.get("/app/acme/").status_code == 200


def test_the_right_role_passes_and_gets_workspace_and_membership(ada):
    assert ada.get("/app/acme/settings/").get_data(as_text=True) == "settings of acme for a admin"


def test_header_links_follow_the_role(app, ada, client):
    admin_page = ada.get("/app/acme/").get_data(as_text=True)
    ada.post("/logout", data={"csrf_token": page_token(ada, "/app/acme/")})
    add_user(app, "sam@acme.example", workspace="acme", role="sales")
    log_in(client, "sam@acme.example")
    sales_page = client.get("/app/acme/").get_data(as_text=True)

    assert '<a href="/app/acme/" aria-current="page">Forms</a>' in admin_page
    assert '<a href="/app/acme/settings/">Settings</a>' in admin_page
    assert "Settings</a>" not in sales_page


BACKOFFICE_PAGES = ["/login", "/app/", "/app/acme/", "/account/password", "/app/nowhere/"]


@pytest.mark.parametrize("url", BACKOFFICE_PAGES)
def test_back_office_pages_send_a_strict_policy_and_are_never_cached(ada, url):
    response = ada.get(url)
    policy = response.headers["Content-Security-Policy"]

    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'",
                      "object-src 'none'"):
        assert directive in policy
    assert response.headers["Cache-Control"] == "no-store"


def test_back_office_pages_have_no_inline_script_or_style(ada):
    page = ada.get("/app/acme/").get_data(as_text=True)

    assert "<style" not in page and " style=" not in page
    assert "<script>" not in page and "<script src=" in page
    assert '<meta name="csrf-token" content="' in page


def test_the_login_page_is_not_cached_either(client):
    response = client.get("/login")

    assert response.headers["Cache-Control"] == "no-store"
    assert "form-action 'self'" in response.headers["Content-Security-Policy"]


# --- the forms list ---------------------------------------------------------------------

def test_home_lists_forms_with_status_and_a_link_to_the_live_one(ada, demo, publish_form,
                                                                   portable_definition):
    publish_form(portable_definition, "published-one")
    with demo.app_context():
        from app import db
        from app.forms.versions import get_workspace, save_draft
        with db.write_session() as session:
            save_draft(session, get_workspace(session, "acme"), "draft-one",
                       {**portable_definition, "title": "Draft only"})

    page = ada.get("/app/acme/").get_data(as_text=True)

    assert "Draft only" in page and "<code>draft-one</code>" in page
    assert '<span class="bo-status bo-status-draft">Draft</span>' in page
    assert '<span class="bo-status bo-status-published">Published v1</span>' in page
    assert 'href="/f/acme/published-one"' in page
    assert "talk-to-sales" not in page  # the demo workspace's form is not acme's


def test_home_counts_versions_and_started_and_completed_responses(app, demo, client):
    from tests.web.hosted import fill_demo

    fill_demo(app.test_client(), "you", "company", "needs", "details")
    add_user(app, "ada@demo.example.org", workspace="demo")
    log_in(client, "ada@demo.example.org")

    page = client.get("/app/demo/").get_data(as_text=True)

    numbers = [cell.split("</td>")[0] for cell in page.split('<td class="bo-num">')[1:]]
    assert numbers == ["1", "1", "1", "100%"]  # versions, started, completed, conversion


def test_a_hostile_form_title_is_shown_as_text(ada, app, publish_form, portable_definition):
    publish_form({**portable_definition, "title": "<img src=x onerror=alert(1)>"}, "hostile")

    page = ada.get("/app/acme/").get_data(as_text=True)

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_empty_workspace_says_how_to_add_a_form(ada):
    page = ada.get("/app/acme/").get_data(as_text=True)

    assert "No forms yet" in page and "--workspace acme" in page
