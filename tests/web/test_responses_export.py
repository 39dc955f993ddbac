"""Exporting a form's responses as CSV: the download, its filters, the page, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.forms.versions import ensure_workspace, publish, save_draft
from app.models import Contact, Form, FormVersion, Response, Workspace
from tests.web.backoffice import add_user, log_in
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, token_of

CSV_URL = "/app/demo/forms/talk-to-sales/responses.csv"
PAGE_URL = "/app/demo/forms/talk-to-sales/export"


def parse(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"), newline="")))


@pytest.fixture
def marketer(demo: Flask) -> FlaskClient:
    add_user(demo, "mo@demo.example", workspace="demo", role="marketer")
    client = demo.test_client()
    assert log_in(client, "mo@demo.example").status_code == 303
    return client


@pytest.fixture
def add_response(db_engine):
    """Store a response of the demo form (or `form_slug` in `workspace`) as given."""

    def add(*, workspace: str = "demo", form_slug: str = "talk-to-sales", number: int = 1,
            email: str | None = None, **values: Any) -> int:
        with Session(db_engine) as session, session.begin():
            space = session.scalars(select(Workspace).where(Workspace.slug == workspace)).one()
            form = session.scalars(select(Form).where(Form.workspace_id == space.id,
                                                      Form.slug == form_slug)).one()
            version = session.scalars(select(FormVersion).where(
                FormVersion.form_id == form.id, FormVersion.number == number)).one()
            contact_id = None
            if email:
                contact = Contact(workspace_id=space.id, email=email)
                session.add(contact)
                session.flush()
                contact_id = contact.id
            response = Response(workspace_id=space.id, form_id=form.id, version_id=version.id,
                                contact_id=contact_id, **{"answers": {}, "hidden": {},
                                                          "meta": {}, **values})
            session.add(response)
            session.flush()
            return response.id

    return add


def started(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


# --- the download ---------------------------------------------------------------------------

def test_a_completed_response_is_one_row_with_its_answers_labels_and_source(demo, marketer,
                                                                             client):
    page = client.get(DEMO_URL + "?utm_source=Newsletter&utm_campaign=spring&partner=ignored")
    client.post(DEMO_URL, data={"_lf_token": token_of(page.get_data(as_text=True)),
                                **STEP_ANSWERS["you"]})
    fill_demo(client, "company", "needs", "details")

    reply = marketer.get(CSV_URL)

    assert reply.status_code == 200
    assert reply.mimetype == "text/csv"
    assert reply.headers["Content-Disposition"].startswith(
        'attachment; filename="talk-to-sales-responses-')
    assert reply.is_streamed
    [row] = parse(reply.get_data(as_text=True))
    assert (row["State"], row["Version"], row["Ending"]) == ("completed", "v1", "sales")
    assert (row["Source"], row["Campaign"]) == ("newsletter", "spring")
    assert (row["utm_source"], row["utm_campaign"]) == ("Newsletter", "spring")
    assert row["What's your first name?"] == "Ada"
    assert row["Which best describes your role?"] == "VP or Head of"
    assert row["How many people work there?"] == "51–200"
    assert row["What do you want to improve?"] == "Lead quality; Meetings booked"
    assert row["Contact email"] == "ada@example.com"
    assert row["Started (UTC)"] and row["Completed (UTC)"]


def test_formulas_in_answers_hidden_values_and_labels_are_neutralised(demo, marketer,
                                                                      add_response):
    add_response(state="in_progress", started_at=started(1), email="=evil@example.com",
                 answers={"first_name": "=HYPERLINK(\"https://evil.example\")",
                          "company": "@SUM(A1)", "notes": "-2+3\nsecond line, with a comma"},
                 hidden={"utm_source": "+cmd", "utm_term": "\tx", "utm_content": "\r=1"})

    [row] = parse(marketer.get(CSV_URL).get_data(as_text=True))

    assert row["What's your first name?"] == "'=HYPERLINK(\"https://evil.example\")"
    assert row["Where do you work, {{answers.first_name}}?"] == "'@SUM(A1)"
    assert row["Anything we should know before we talk?"] == "'-2+3\nsecond line, with a comma"
    assert (row["utm_source"], row["utm_term"], row["utm_content"]) == ("'+cmd", "'\tx", "'\r=1")
    assert row["Contact email"] == "'=evil@example.com"


def test_a_question_label_that_looks_like_a_formula_is_neutralised_in_the_header(
        app, db_engine, portable_definition):
    definition = dict(portable_definition)
    definition["steps"] = [dict(step) for step in definition["steps"]]
    first = dict(definition["steps"][0])
    first["fields"] = [{**first["fields"][0], "label": "=1+1"}, *first["fields"][1:]]
    definition["steps"][0] = first
    with app.app_context(), Session(db_engine) as session, session.begin():
        workspace = ensure_workspace(session, "acme")
        form, _ = save_draft(session, workspace, "tricky", definition)
        publish(session, form)
    add_user(app, "ada@acme.example", workspace="acme", role="admin")
    admin = app.test_client()
    log_in(admin, "ada@acme.example")

    header = next(csv.reader(io.StringIO(
        admin.get("/app/acme/forms/tricky/responses.csv").get_data(as_text=True))))

    assert "'=1+1" in header and "=1+1" not in header


def test_bom_is_added_only_when_asked(demo, marketer, add_response):
    add_response(state="completed", started_at=started(1), answers={"first_name": "Zoë"})

    plain, excel = marketer.get(CSV_URL).get_data(), marketer.get(CSV_URL + "?bom=1").get_data()

    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel.startswith(b"\xef\xbb\xbf")
    assert excel[3:] == plain
    assert "Zoë".encode() in plain


def test_state_and_started_range_filter_the_rows(demo, marketer, add_response):
    done = add_response(state="completed", started_at=started(2))
    add_response(state="abandoned", started_at=started(2))
    add_response(state="completed", started_at=started(5))
    add_response(state="in_progress", started_at=started(1))

    rows = parse(marketer.get(CSV_URL + "?state=completed&from=2026-03-01&to=2026-03-03")
                 .get_data(as_text=True))

    assert [row["Response ID"] for row in rows] == [str(done)]


def test_several_states_may_be_chosen(demo, marketer, add_response):
    add_response(state="completed", started_at=started(2))
    add_response(state="abandoned", started_at=started(3))
    add_response(state="in_progress", started_at=started(4))

    rows = parse(marketer.get(CSV_URL + "?state=completed&state=abandoned")
                 .get_data(as_text=True))

    assert [row["State"] for row in rows] == ["completed", "abandoned"]


def test_days_and_times_are_those_of_the_chosen_timezone(demo, marketer, add_response):
    late = add_response(state="completed", started_at=started(1, hour=23))  # 2 March in Berlin

    berlin = parse(marketer.get(CSV_URL + "?from=2026-03-02&to=2026-03-02&tz=Europe/Berlin")
                   .get_data(as_text=True))
    utc = parse(marketer.get(CSV_URL + "?from=2026-03-02&to=2026-03-02").get_data(as_text=True))

    assert [row["Response ID"] for row in berlin] == [str(late)]
    assert berlin[0]["Started (Europe/Berlin)"] == "2026-03-02 00:00:00"
    assert utc == []


@pytest.mark.parametrize(("query", "message"), [
    ("state=finished", "Unknown state &#39;finished&#39;"),
    ("from=yesterday", "&#39;from&#39; must be a date as YYYY-MM-DD"),
    ("from=2026-03-05&to=2026-03-01", "swap &#39;from&#39; and &#39;to&#39;"),
    ("tz=Nowhere/Land", "Unknown timezone &#39;Nowhere/Land&#39;"),
    ("bom=perhaps", "&#39;bom&#39; must be 1 or 0"),
])
def test_a_bad_filter_is_a_400_that_says_why_on_the_page(demo, marketer, query, message):
    reply = marketer.get(f"{CSV_URL}?{query}")

    assert reply.status_code == 400
    assert reply.mimetype == "text/html"
    page = reply.get_data(as_text=True)
    assert message in page
    assert "Download CSV" in page


def test_rows_come_in_pieces_and_read_the_same(demo, marketer, add_response, monkeypatch):
    from app.responses import export

    monkeypatch.setattr(export, "ROWS_PER_CHUNK", 2)
    ids = [add_response(state="completed", started_at=started(1, hour=hour))
           for hour in range(5)]

    reply = marketer.get(CSV_URL)
    pieces = list(reply.response)

    assert len(pieces) == 3
    assert [row["Response ID"] for row in parse(b"".join(pieces).decode())] == list(map(str, ids))


def test_responses_to_older_versions_fill_the_columns_of_their_questions(
        demo, marketer, add_response, db_engine, demo_definition):
    changed = dict(demo_definition)
    changed["steps"] = [
        {**step, "fields": [{**field, "label": "First name"} if field["id"] == "first_name"
                            else field for field in step["fields"] if field["id"] != "notes"]}
        for step in changed["steps"]]
    with demo.app_context(), Session(db_engine) as session, session.begin():
        workspace = session.scalars(select(Workspace).where(Workspace.slug == "demo")).one()
        form, _ = save_draft(session, workspace, "talk-to-sales", changed)
        assert publish(session, form).version.number == 2
    add_response(number=1, state="completed", started_at=started(1),
                 answers={"first_name": "Old", "notes": "Call after 5", "job_level": "director"})
    add_response(number=2, state="completed", started_at=started(2),
                 answers={"first_name": "New", "job_level": "vp"})

    old, new = parse(marketer.get(CSV_URL).get_data(as_text=True))

    notes = "Anything we should know before we talk?"
    assert (old["Version"], old["First name"], old[notes]) == ("v1", "Old", "Call after 5")
    assert (new["Version"], new["First name"], new[notes]) == ("v2", "New", "")
    assert (old["Which best describes your role?"], new["Which best describes your role?"]) == (
        "Director", "VP or Head of")
    header = list(old)
    assert "What's your first name?" not in header
    assert header.index(notes) == header.index("Contact email") - 1


def test_another_workspaces_responses_to_a_form_of_the_same_name_stay_out(
        demo, marketer, add_response, db_engine, portable_definition):
    with demo.app_context(), Session(db_engine) as session, session.begin():
        other = ensure_workspace(session, "other")
        form, _ = save_draft(session, other, "talk-to-sales", portable_definition)
        publish(session, form)
    mine = add_response(state="completed", started_at=started(1))
    add_response(workspace="other", state="completed", started_at=started(1),
                 answers={"first_name": "Secret"}, email="secret@other.example")

    body = marketer.get(CSV_URL).get_data(as_text=True)

    assert [row["Response ID"] for row in parse(body)] == [str(mine)]
    assert "Secret" not in body and "secret@other.example" not in body


def test_sales_may_not_download_and_a_stranger_is_sent_to_sign_in(demo, client):
    add_user(demo, "sam@demo.example", workspace="demo", role="sales")
    sales = demo.test_client()
    log_in(sales, "sam@demo.example")

    assert sales.get(CSV_URL).status_code == 403
    assert client.get(CSV_URL).status_code in (302, 303)


def test_an_unknown_form_is_a_404(demo, marketer):
    assert marketer.get("/app/demo/forms/nope/responses.csv").status_code == 404
    assert marketer.get("/app/demo/forms/nope/export").status_code == 404


# --- the page -------------------------------------------------------------------------------

def test_the_page_counts_responses_by_state_and_links_the_download(demo, marketer, add_response):
    add_response(state="completed", started_at=started(1))
    add_response(state="completed", started_at=started(1))
    add_response(state="abandoned", started_at=started(1))

    reply = marketer.get(PAGE_URL)

    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "3 responses so far: 0 in progress, 2 completed, 1 abandoned." in page
    assert f'action="{CSV_URL}"' in page
    assert "export.js" in page
    assert "style=" not in page and "<script>" not in page
    assert "unsafe-inline" not in reply.headers["Content-Security-Policy"]


def test_the_forms_list_links_the_export_of_a_form_with_responses(demo, marketer, add_response):
    assert PAGE_URL not in marketer.get("/app/demo/").get_data(as_text=True)

    add_response(state="in_progress", started_at=started(1))

    assert PAGE_URL in marketer.get("/app/demo/").get_data(as_text=True)


# --- the command line -----------------------------------------------------------------------

def test_the_cli_writes_the_same_file_with_the_same_filters(demo, marketer, cli, add_response,
                                                             tmp_path):
    add_response(state="completed", started_at=started(2), answers={"first_name": "=Ada"})
    add_response(state="abandoned", started_at=started(3))
    target = tmp_path / "out.csv"

    result = cli.invoke(args=["responses", "export", "--workspace", "demo", "--form",
                              "talk-to-sales", "--state", "completed", "--from", "2026-03-01",
                              "--tz", "Europe/Berlin", "--bom", "--output", str(target)])

    assert result.exit_code == 0, result.output
    assert f"Wrote {target}." in result.output
    web = marketer.get(CSV_URL + "?state=completed&from=2026-03-01&tz=Europe/Berlin&bom=1")
    assert target.read_bytes() == web.get_data()
    assert not list(tmp_path.glob(".*partial"))


def test_the_cli_writes_to_stdout_without_an_output(demo, cli, add_response):
    add_response(state="completed", started_at=started(2), answers={"first_name": "Ada"})

    result = cli.invoke(args=["responses", "export", "--workspace", "demo", "--form",
                              "talk-to-sales"])

    assert result.exit_code == 0, result.output
    assert [row["What's your first name?"] for row in parse(result.output)] == ["Ada"]


@pytest.mark.parametrize(("arguments", "message", "status"), [
    (["--workspace", "nope", "--form", "talk-to-sales"], "Unknown workspace 'nope'.", 1),
    (["--workspace", "demo", "--form", "nope"], "Unknown form 'nope'", 1),
    (["--workspace", "demo", "--form", "talk-to-sales", "--from", "March"],
     "'from' must be a date", 2),
    (["--workspace", "demo", "--form", "talk-to-sales", "--state", "won"], "Unknown state", 2),
])
def test_the_cli_refuses_what_it_cannot_export(demo, cli, tmp_path, arguments, message, status):
    target = tmp_path / "out.csv"

    result = cli.invoke(args=["responses", "export", *arguments, "--output", str(target)])

    assert result.exit_code == status
    assert message in result.output
    assert not target.exists() and not list(tmp_path.iterdir())
