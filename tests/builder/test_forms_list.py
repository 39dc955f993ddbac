"""The forms list and its writes: create (blank or template), duplicate, archive, restore."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.builder.catalog import TEMPLATES, blank_definition
from app.builder.forms import NewForm, create_form
from app.forms.versions import ensure_workspace, publish, save_draft
from app.models import Form, FormVersion, Response, Workspace
from tests.web.backoffice import add_user, csrf_of, log_in


@pytest.fixture
def marketer(app: Flask, client: FlaskClient) -> FlaskClient:
    """Mia, a marketer of acme, signed in."""
    add_user(app, "mia@acme.example", role="marketer")
    log_in(client, "mia@acme.example")
    return client


def _token(client: FlaskClient) -> str:
    return csrf_of(client.get("/app/acme/").get_data(as_text=True))


def _create(client: FlaskClient, **data: str):
    return client.post("/app/acme/forms/new", data={"csrf_token": _token(client), **data})


def _form(session: Session, slug: str, workspace: str = "acme") -> Form | None:
    session.commit()  # a new transaction sees what the app committed
    session.expire_all()
    return session.scalar(select(Form).join(Workspace)
                          .where(Workspace.slug == workspace, Form.slug == slug))


def _saved(session: Session, slug: str, definition: dict[str, Any] | None = None,
           *, published: bool = False) -> Form:
    workspace = ensure_workspace(session, "acme")
    form, _ = save_draft(session, workspace, slug, definition or blank_definition(slug.title()))
    if published:
        publish(session, form)
    session.commit()
    return form


# --- create -----------------------------------------------------------------------------

def test_the_new_form_page_offers_blank_and_every_template(marketer: FlaskClient) -> None:
    page = marketer.get("/app/acme/forms/new").get_data(as_text=True)

    for template in TEMPLATES:
        assert f'id="template-{template.key}"' in page and template.name in page
    assert '<label class="bo-label" for="slug">Address</label>' in page


def test_creating_a_blank_form_opens_the_editor(marketer: FlaskClient, session: Session) -> None:
    response = _create(marketer, name="Spring launch", slug="", template="blank")

    assert response.status_code == 303
    assert response.headers["Location"] == "/app/acme/forms/spring-launch/build"
    form = _form(session, "spring-launch")
    assert form is not None and form.name == "Spring launch" and form.status == "active"
    assert form.draft == blank_definition("Spring launch")
    assert session.scalar(select(func.count()).select_from(FormVersion)) == 0


def test_creating_from_a_template_copies_its_questions(marketer: FlaskClient,
                                                       session: Session) -> None:
    response = _create(marketer, name="Book a demo", slug="demo", template="demo-request")

    assert response.status_code == 303
    form = _form(session, "demo")
    assert form is not None and form.draft["title"] == "Book a demo"
    fields = [field["id"] for step in form.draft["steps"] for field in step["fields"]]
    assert "company_size" in fields and "timeline" in fields


@pytest.mark.parametrize("key", [template.key for template in TEMPLATES])
def test_every_template_publishes_in_a_fresh_workspace(session: Session, key: str) -> None:
    workspace = ensure_workspace(session, "fresh")
    form = create_form(session, workspace.id, NewForm(name="Mine", template=key))

    outcome = publish(session, form)

    assert outcome.created and outcome.version.number == 1


def test_every_template_publishes_in_the_demo_workspace(demo: Flask) -> None:
    from app.db import write_session

    with demo.app_context(), write_session() as session:
        workspace = ensure_workspace(session, "demo")
        for template in TEMPLATES:
            form = create_form(session, workspace.id, NewForm(name=template.name,
                                                              template=template.key))
            assert publish(session, form).created


def test_a_taken_name_gets_the_next_free_address(marketer: FlaskClient, session: Session) -> None:
    _saved(session, "demo-request")

    response = _create(marketer, name="Demo request", slug="", template="blank")

    assert response.headers["Location"] == "/app/acme/forms/demo-request-2/build"


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "  ", "slug": "kept-as-typed"}, "Give the form a name."),
    ({"name": "x" * 201, "slug": "kept-as-typed"}, "Keep the name under 201 characters."),
    ({"name": "Launch", "slug": "Bad Slug!"}, "Use lowercase letters, digits and dashes"),
    ({"name": "Launch", "slug": "-dash"}, "starting with a letter or digit"),
    ({"name": "Launch", "slug": "taken"}, "The form ‘Taken’ already uses the address 'taken'. "
                                          "Choose another, such as 'taken-2'."),
])
def test_bad_input_is_refused_at_the_field_and_nothing_is_lost(
        marketer: FlaskClient, session: Session, data: dict[str, str], message: str) -> None:
    _saved(session, "taken")

    response = _create(marketer, template="webinar-registration", **data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in page
    assert 'aria-invalid="true"' in page and "The form was not created" in page
    assert f'value="{html.escape(data["slug"])}"' in page
    assert re.search(r'id="template-webinar-registration"[^>]*checked', page)
    assert session.scalar(select(func.count()).select_from(Form)) == 1


def test_an_unknown_template_is_refused(marketer: FlaskClient, session: Session) -> None:
    response = _create(marketer, name="Launch", slug="", template="../../etc/passwd")

    assert response.status_code == 422
    assert "Choose one of the templates." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Form)) == 0


# --- duplicate, archive, restore ----------------------------------------------------------

def test_duplicating_copies_the_draft_without_versions(marketer: FlaskClient,
                                                       session: Session) -> None:
    original = _saved(session, "launch", published=True)

    response = marketer.post("/app/acme/forms/launch/duplicate",
                             data={"csrf_token": _token(marketer)})

    assert response.status_code == 303 and response.headers["Location"] == "/app/acme/"
    copy = _form(session, "launch-copy")
    assert copy is not None and copy.name == "Copy of Launch"
    assert copy.draft == {**original.draft, "title": "Copy of Launch"}
    assert session.scalar(select(func.count()).select_from(FormVersion)
                          .where(FormVersion.form_id == copy.id)) == 0
    again = marketer.post("/app/acme/forms/launch/duplicate",
                          data={"csrf_token": _token(marketer)})
    assert again.status_code == 303 and _form(session, "launch-copy-2") is not None


def test_archiving_closes_the_public_form_and_restoring_opens_it(
        marketer: FlaskClient, session: Session, app: Flask) -> None:
    _saved(session, "launch", published=True)
    public = app.test_client()
    assert public.get("/f/acme/launch").status_code == 200

    archived = marketer.post("/app/acme/forms/launch/archive",
                             data={"csrf_token": _token(marketer)})

    assert archived.status_code == 303
    closed = public.get("/f/acme/launch")
    assert closed.status_code == 410 and "This form is closed" in closed.get_data(as_text=True)
    assert public.post("/f/acme/launch", data={"email": "a@b.example"}).status_code == 410
    assert "launch" not in marketer.get("/app/acme/").get_data(as_text=True)
    listed = marketer.get("/app/acme/?show=archived").get_data(as_text=True)
    assert "<code>launch</code>" in listed and "Restore<span" in listed

    restored = marketer.post("/app/acme/forms/launch/restore",
                             data={"csrf_token": _token(marketer)})

    assert restored.status_code == 303
    assert public.get("/f/acme/launch").status_code == 200


def test_an_unknown_form_is_still_a_404_not_closed(app: Flask) -> None:
    assert app.test_client().get("/f/acme/nothing-here").status_code == 404


def test_a_form_of_another_workspace_is_a_404(marketer: FlaskClient, app: Flask,
                                              session: Session) -> None:
    other = ensure_workspace(session, "beta")
    save_draft(session, other, "secret", blank_definition("Secret"))
    session.commit()
    token = _token(marketer)

    for action in ("duplicate", "archive", "restore"):
        assert marketer.post(f"/app/acme/forms/secret/{action}",
                             data={"csrf_token": token}).status_code == 404


# --- who may do what ----------------------------------------------------------------------

@pytest.fixture
def sales(app: Flask, client: FlaskClient, session: Session) -> FlaskClient:
    """Sam, a sales member of acme (which has a published form), signed in."""
    add_user(app, "sam@acme.example", role="sales")
    _saved(session, "launch", published=True)
    log_in(client, "sam@acme.example")
    return client


def test_sales_see_the_list_without_buttons(sales: FlaskClient) -> None:
    page = sales.get("/app/acme/").get_data(as_text=True)

    assert "Launch" in page
    for button in ("New form", "Duplicate<", "Archive<", "/forms/launch/", "/forms/new"):
        assert button not in page


@pytest.mark.parametrize("url", ["/app/acme/forms/new", "/app/acme/forms/launch/duplicate",
                                 "/app/acme/forms/launch/archive",
                                 "/app/acme/forms/launch/restore"])
def test_sales_may_not_change_forms(sales: FlaskClient, session: Session, url: str) -> None:
    data = {"csrf_token": _token(sales), "name": "Mine", "template": "blank"}

    assert sales.post(url, data=data).status_code == 403
    assert session.scalar(select(func.count()).select_from(Form)) == 1
    assert _form(session, "launch").status == "active"


def test_sales_get_403_for_the_new_form_page(sales: FlaskClient) -> None:
    assert sales.get("/app/acme/forms/new").status_code == 403


# --- the list -------------------------------------------------------------------------------

def _responses(session: Session, form: Form, *states: str) -> None:
    version = session.scalar(select(FormVersion).where(FormVersion.form_id == form.id))
    assert version is not None
    for state in states:
        session.add(Response(workspace_id=form.workspace_id, form_id=form.id,
                             version_id=version.id, state=state))
    session.commit()


def test_the_list_counts_versions_starts_completions_and_conversion(
        marketer: FlaskClient, session: Session) -> None:
    form = _saved(session, "launch", published=True)
    _responses(session, form, "completed", "completed", "in_progress")
    _saved(session, "quiet", published=True)

    page = marketer.get("/app/acme/").get_data(as_text=True)

    launch = page[page.index("<code>launch</code>"):page.index("<code>quiet</code>")]
    cells = [cell.split("</td>")[0] for cell in launch.split('<td class="bo-num">')[1:]]
    assert cells == ["1", "3", "2", "67%"]
    quiet = page[page.index("<code>quiet</code>"):]
    assert [cell.split("</td>")[0] for cell in quiet.split('<td class="bo-num">')[1:]] == [
        "1", "0", "0", "–"]
    assert '<a href="/app/acme/forms/launch/">Launch</a>' in page


def test_the_list_says_draft_published_and_unpublished_changes(
        marketer: FlaskClient, session: Session) -> None:
    _saved(session, "never")
    _saved(session, "live", published=True)
    changed = _saved(session, "changed", published=True)
    save_draft(session, ensure_workspace(session, "acme"), "changed",
               {**changed.draft, "title": "Changed again"})
    session.commit()

    page = marketer.get("/app/acme/").get_data(as_text=True)

    assert '<span class="bo-status bo-status-draft">Draft</span>' in page
    assert '<span class="bo-status bo-status-published">Published v1</span>' in page
    assert ('<span class="bo-status bo-status-changes">Unpublished changes · v1</span>'
            in page)
