"""Contacts in and out as CSV: all-or-nothing import with a per-row report; safe export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Contact, ContactProperty
from app.profiling.contacts import Provenance, find_or_create_contact, record_properties
from app.profiling.emails import InvalidEmail, normalise_email
from app.profiling.enrichment import enrich

PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_ROWS = 200_000
MAX_CELL = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based line number in the file, header = 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column '{self.column}': {self.message}"


class ImportRefused(Exception):
    """The file cannot be imported (a fatal error); nothing was stored."""

    def __init__(self, message: str, problems: list[RowProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportResult:
    imported: int = 0
    created: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def read_rows(text: TextIO) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header's property names and the data rows with their line numbers."""
    reader = csv.DictReader(text)
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        raise ImportRefused(f"The file is not valid CSV: {error}.") from None
    if "email" not in header:
        raise ImportRefused("The file has no 'email' column; the first row must name columns.")
    bad = [name for name in header if not PROPERTY_NAME.match(name)]
    if bad:
        raise ImportRefused(
            f"Column names must be lowercase property names (letters, digits, _): {bad[0]!r}."
        )
    if len(set(header)) != len(header):
        raise ImportRefused("Two columns have the same name.")
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as error:
            raise ImportRefused(f"Line {reader.line_num} is not valid CSV: {error}.") from None

    return header, rows()


def check_row(line: int, row: dict[str, Any]) -> tuple[dict[str, str], list[RowProblem]]:
    problems = []
    if None in row:  # more cells than columns
        problems.append(RowProblem(line, "(extra)", "This row has more cells than the header."))
    values = {name: (value or "").strip() for name, value in row.items() if name is not None}
    for name, value in values.items():
        if len(value) > MAX_CELL:
            problems.append(RowProblem(line, name, f"The value is longer than {MAX_CELL}."))
    try:
        values["email"] = normalise_email(values.get("email", ""))
    except InvalidEmail as error:
        problems.append(RowProblem(line, "email", str(error)))
    return values, problems


def import_contacts(
    session: Session, workspace_id: int, text: TextIO, now: datetime,
    *, skip_invalid: bool = False, progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import every row or none: invalid rows make the whole import fail unless skipped.

    The caller rolls back when ImportRefused is raised.
    """
    _, rows = read_rows(text)
    checked = []
    result = ImportResult()
    for count, (line, row) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise ImportRefused(f"The file has more than {MAX_ROWS} rows; split it.")
        values, problems = check_row(line, row)
        result.problems.extend(problems)
        if not problems:
            checked.append(values)
    if result.problems and not skip_invalid:
        raise ImportRefused(f"{len(result.problems)} problem(s) found; nothing was imported.",
                            result.problems)
    for values in checked:
        contact, created = find_or_create_contact(session, workspace_id, values["email"], now)
        properties = {name: value for name, value in values.items() if value}
        record_properties(session, contact, properties, Provenance("import"), now)
        if created:
            record_properties(session, contact, enrich(contact.email),
                              Provenance("enrichment"), now)
        result.imported += 1
        result.created += int(created)
        if progress:
            progress(1)
    return result


def neutralise(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (invariant 9)."""
    text = "" if value is None else (", ".join(map(str, value)) if isinstance(value, list)
                                     else str(value))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_contacts(session: Session, workspace_id: int) -> str:
    """All contacts with their current properties, one column per property name."""
    contacts = list(session.scalars(
        select(Contact).where(Contact.workspace_id == workspace_id).order_by(Contact.email)
    ))
    current = session.scalars(
        select(ContactProperty).where(ContactProperty.workspace_id == workspace_id,
                                      ContactProperty.is_current)
    )
    by_contact: dict[int, dict[str, Any]] = {}
    names: set[str] = set()
    for prop in current:
        by_contact.setdefault(prop.contact_id, {})[prop.name] = prop.value
        names.add(prop.name)
    columns = ["email", *sorted(names - {"email"})]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for contact in contacts:
        values = {**by_contact.get(contact.id, {}), "email": contact.email}
        writer.writerow([neutralise(values.get(name)) for name in columns])
    return out.getvalue()
