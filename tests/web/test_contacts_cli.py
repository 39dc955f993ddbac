"""`flask contacts import/export/erase`: reports, all-or-nothing, formula-safe, no trace."""

from __future__ import annotations

import csv
import io

from sqlalchemy import MetaData, String, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from app.models import Contact, ContactProperty, Response
from tests.web.hosted import fill_demo


def count(db_engine, model) -> int:
    with Session(db_engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def write_csv(tmp_path, text: str, name: str = "contacts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_creates_contacts_with_properties_and_enrichment(demo, cli, tmp_path, db_engine):
    path = write_csv(tmp_path, "email,first_name,industry\nAda@ACME.io,Ada,software\n"
                               "grace@gmail.com,Grace,\n")

    result = cli.invoke(args=["contacts", "import", path, "--workspace", "demo"])

    assert result.exit_code == 0, result.output
    assert "Imported 2 contact(s), 2 new." in result.output
    with Session(db_engine) as session:
        emails = session.scalars(select(Contact.email).order_by(Contact.email)).all()
        sources = set(session.scalars(select(ContactProperty.source)))
    assert emails == ["Ada@acme.io", "grace@gmail.com"]
    assert sources == {"import", "enrichment"}


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_imported(demo, cli, tmp_path,
                                                                         db_engine):
    path = write_csv(tmp_path, "email,first_name\nada@acme.io,Ada\nnot-an-email,Bob\n"
                               "carol@acme.io,Carol,extra\n")

    result = cli.invoke(args=["contacts", "import", path, "--workspace", "demo"])

    assert result.exit_code == 1
    assert "row 3, column 'email'" in result.output
    assert "row 4, column '(extra)'" in result.output
    assert "nothing was imported" in result.output
    assert count(db_engine, Contact) == 0


def test_skip_invalid_imports_the_good_rows_and_reports_the_rest(demo, cli, tmp_path, db_engine):
    path = write_csv(tmp_path, "email,first_name\nada@acme.io,Ada\nnot-an-email,Bob\n")

    result = cli.invoke(args=["contacts", "import", path, "--workspace", "demo",
                              "--skip-invalid"])

    assert result.exit_code == 0
    assert "skipped row 3, column 'email'" in result.output
    assert count(db_engine, Contact) == 1


def test_a_file_without_an_email_column_is_refused(demo, cli, tmp_path, db_engine):
    path = write_csv(tmp_path, "name,company\nAda,Acme\n")

    result = cli.invoke(args=["contacts", "import", path, "--workspace", "demo"])

    assert result.exit_code == 1
    assert "no 'email' column" in result.output
    assert count(db_engine, Contact) == 0


def test_a_file_that_is_not_utf8_is_refused(demo, cli, tmp_path, db_engine):
    path = tmp_path / "latin1.csv"
    path.write_bytes("email,first_name\nzoe@acme.io,Zoé\n".encode("latin-1"))

    result = cli.invoke(args=["contacts", "import", str(path), "--workspace", "demo"])

    assert result.exit_code == 1
    assert "not UTF-8" in result.output


def test_export_neutralises_spreadsheet_formulas(demo, cli, tmp_path):
    path = write_csv(tmp_path, 'email,company\nada@acme.io,"=HYPERLINK(""http://x"")"\n')
    cli.invoke(args=["contacts", "import", path, "--workspace", "demo"])

    result = cli.invoke(args=["contacts", "export", "--workspace", "demo"])

    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows[0]["email"] == "ada@acme.io"
    assert rows[0]["company"] == "'=HYPERLINK(\"http://x\")"


def test_erase_leaves_no_trace_of_the_email_in_any_table(demo, app, client, cli, db_engine):
    fill_demo(client, "you", "company", "needs", "details")
    bot = app.test_client()
    fill_demo(bot, "you", changes={"you": {"lf_website": "spam"}})  # mentions, unmerged

    result = cli.invoke(args=["contacts", "erase", "ada@example.com", "--workspace", "demo"])

    assert result.exit_code == 0, result.output
    assert "2 response(s) anonymised" in result.output
    metadata = MetaData()
    metadata.reflect(db_engine)
    with Session(db_engine) as session:
        for table in metadata.tables.values():
            text_columns = [cast(column, Text) if not isinstance(column.type, String) else column
                            for column in table.columns]
            hits = session.scalar(select(func.count()).select_from(table).where(
                or_(*[column.contains("ada@example.com") for column in text_columns])))
            assert hits == 0, f"{table.name} still mentions the email"
        responses = session.scalars(select(Response)).all()
    assert [r.state for r in responses] == ["completed", "in_progress"]
    assert count(db_engine, Contact) == 0


def test_erasing_someone_unknown_says_so(demo, cli):
    result = cli.invoke(args=["contacts", "erase", "ghost@acme.io", "--workspace", "demo"])

    assert result.exit_code == 0
    assert "No data about ghost@acme.io" in result.output
