"""Signed personal links prove who opens them; tampered and expired ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Visitor


def import_ada(cli, tmp_path):
    csv_file = tmp_path / "contacts.csv"
    csv_file.write_text("email,first_name,company,job_level\nada@acme.io,Ada,Acme,vp\n",
                        encoding="utf-8")
    result = cli.invoke(args=["contacts", "import", str(csv_file), "--workspace", "demo"])
    assert result.exit_code == 0, result.output


def link_for(cli, email="ada@acme.io") -> str:
    result = cli.invoke(args=["contacts", "link", email, "--workspace", "demo",
                              "--form", "talk-to-sales", "--base-url", "http://localhost"])
    assert result.exit_code == 0, result.output
    return result.output.strip().removeprefix("http://localhost")


def test_a_personal_link_proves_identity_and_uses_the_whole_profile(demo, client, cli,
                                                                    tmp_path, db_engine):
    import_ada(cli, tmp_path)

    reply = client.get(link_for(cli) + "&utm_source=newsletter")

    assert reply.status_code == 303
    assert "lf=" not in reply.headers["Location"]
    assert "utm_source=newsletter" in reply.headers["Location"]
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "What&#39;s your first name?" not in page
    assert "Which industry are you in?" in page
    with Session(db_engine) as session:
        assert session.scalars(select(Visitor)).one().proof == "link"


def test_a_tampered_link_is_refused(demo, client, cli, tmp_path):
    import_ada(cli, tmp_path)
    url = link_for(cli)

    reply = client.get(url[:-4] + "AAAA")

    assert reply.status_code == 400
    assert "not valid" in reply.get_data(as_text=True)


def test_an_expired_link_is_refused(demo, client, cli, tmp_path):
    import_ada(cli, tmp_path)
    url = link_for(cli)

    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        reply = client.get(url)

    assert reply.status_code == 400
    assert "expired" in reply.get_data(as_text=True)


def test_a_link_for_an_unknown_contact_cannot_be_made(demo, cli):
    result = cli.invoke(args=["contacts", "link", "nobody@acme.io", "--workspace", "demo",
                              "--form", "talk-to-sales"])

    assert result.exit_code == 1
    assert "No contact" in result.output
