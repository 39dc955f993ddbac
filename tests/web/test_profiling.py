"""Progressive profiling end to end over HTTP, and the privacy model behind it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Contact, ContactProperty, Response, Visitor
from tests.web.hosted import DEMO_URL, STEP_ANSWERS, fill_demo, post_screen

SALES_PATH = ("you", "company", "needs", "details")


def current_properties(db_engine, email: str) -> dict:
    with Session(db_engine) as session:
        contact = session.scalars(select(Contact).where(Contact.email == email)).one()
        rows = session.scalars(select(ContactProperty).where(
            ContactProperty.contact_id == contact.id, ContactProperty.is_current))
        return {row.name: row.value for row in rows}


def test_a_completed_response_becomes_contact_properties_with_enrichment(demo, client,
                                                                          db_engine):
    fill_demo(client, *SALES_PATH)

    props = current_properties(db_engine, "ada@example.com")
    assert props["first_name"] == "Ada"
    assert props["company_size"] == "51-200"
    assert props["use_case"] == ["lead_quality", "meetings"]
    assert props["email_type"] == "work"
    assert props["company_domain"] == "example.com"
    with Session(db_engine) as session:
        response = session.scalars(select(Response)).one()
        assert response.contact_id is not None
        visitor = session.scalars(select(Visitor)).one()
        assert (visitor.contact_id, visitor.proof) == (response.contact_id, "self")


def test_a_returning_signed_visitor_skips_known_questions_and_gets_queued_ones(demo, client):
    fill_demo(client, *SALES_PATH)

    page = client.get(DEMO_URL).get_data(as_text=True)

    assert "What&#39;s your first name?" not in page
    assert "Which industry are you in?" in page
    assert "Which CRM does your team use?" in page
    assert "Not you?" in page


def test_known_answers_still_drive_branches_and_merge_on_submit(demo, client, db_engine):
    fill_demo(client, *SALES_PATH, changes={"you": {"job_level": "student"}})
    fill_demo(client, "you", changes={"you": {"industry": "education", "crm": "none"}})
    reply = post_screen(client, DEMO_URL, STEP_ANSWERS["company"])

    assert "student program" in client.get(reply.headers["Location"]).get_data(as_text=True)
    props = current_properties(db_engine, "ada@example.com")
    assert props["industry"] == "education"
    assert props["job_level"] == "student"


def test_a_newer_answer_wins_and_the_old_one_stays_in_history(demo, app, client, db_engine):
    fill_demo(client, *SALES_PATH)
    other = app.test_client()
    fill_demo(other, *SALES_PATH, changes={"company": {"company_size": "201-1000"}})

    assert current_properties(db_engine, "ada@example.com")["company_size"] == "201-1000"
    with Session(db_engine) as session:
        history = session.scalars(select(ContactProperty.value).where(
            ContactProperty.name == "company_size").order_by(ContactProperty.id)).all()
    assert history == ["51-200", "201-1000"]


def test_a_stale_property_is_asked_again(demo, client, db_engine):
    fill_demo(client, *SALES_PATH)
    with Session(db_engine) as session:
        for prop in session.scalars(select(ContactProperty).where(
                ContactProperty.name == "company_size")):
            prop.recorded_at = prop.recorded_at - timedelta(days=400)  # demo TTL: 365 days
        session.commit()
    fill_demo(client, "you", changes={"you": {"industry": "software", "crm": "hubspot"}})

    assert "How many people work there?" in client.get(DEMO_URL).get_data(as_text=True)


def test_typing_someone_elses_email_reveals_nothing_of_theirs(demo, app, client, db_engine):
    fill_demo(client, *SALES_PATH, changes={
        "you": {"first_name": "Alice-Secret"}, "company": {"company": "Secret Corp"}})
    intruder = app.test_client()
    fill_demo(intruder, *SALES_PATH, changes={"you": {"first_name": "Bob"}})

    page = intruder.get(DEMO_URL).get_data(as_text=True)

    assert "What&#39;s your first name?" in page
    assert "Alice-Secret" not in page and "Secret Corp" not in page
    assert "Not you?" not in page
    with Session(db_engine) as session:
        assert session.scalars(select(Contact)).all()[0].email == "ada@example.com"
        assert len(session.scalars(select(Contact)).all()) == 1  # the answers still merged
    assert current_properties(db_engine, "ada@example.com")["first_name"] == "Bob"


def test_a_self_proven_visitor_only_sees_what_they_supplied(demo, app, client, cli, db_engine,
                                                             tmp_path):
    csv_file = tmp_path / "contacts.csv"
    csv_file.write_text("email,industry\nada@example.com,healthcare\n", encoding="utf-8")
    fill_demo(client, *SALES_PATH)
    assert cli.invoke(args=["contacts", "import", str(csv_file), "--workspace", "demo"]
                      ).exit_code == 0

    page = client.get(DEMO_URL).get_data(as_text=True)

    assert "Which industry are you in?" in page  # imported, not told by this browser


def test_not_you_clears_the_identity(demo, client, db_engine):
    fill_demo(client, *SALES_PATH)

    reply = client.post(DEMO_URL + "/not-you")

    assert reply.status_code == 303
    page = client.get(DEMO_URL).get_data(as_text=True)
    assert "What&#39;s your first name?" in page
    assert "Which industry are you in?" not in page
    with Session(db_engine) as session:
        assert session.scalars(select(Visitor)).one().contact_id is None
