"""A form's responses as CSV, streamed row by row so a large export never sits in memory.

One row per response, columns from `export_layout`; every cell, headers included, goes
through the contacts export's formula neutraliser (invariant 9). UTF-8, with a byte
order mark on request so that Excel reads the accents right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from app.models import Contact, Form, FormVersion, Response
from app.profiling.csv_io import neutralise
from app.responses.export_filters import STATES, ExportFilters
from app.responses.export_layout import Layout, ResponseRecord, VersionDefinition, layout_for

BOM = "\ufeff"
ROWS_PER_CHUNK = 500  # rows per piece handed to the web server or the file
FETCH_SIZE = 1000  # rows per round trip (a server-side cursor on PostgreSQL)


def export_layout(session: Session, form: Form, zone: str = "UTC") -> Layout:
    """The columns of `form`'s export: its versions' questions (the draft's if none)."""
    versions = [VersionDefinition(version_id, number, definition)
                for version_id, number, definition in session.execute(
                    select(FormVersion.id, FormVersion.number, FormVersion.definition)
                    .where(FormVersion.workspace_id == form.workspace_id,
                           FormVersion.form_id == form.id))]
    if not versions:
        versions = [VersionDefinition(0, 0, form.draft or {})]
    return layout_for(versions, zone)


def export_responses(session: Session, form: Form, filters: ExportFilters) -> Iterator[str]:
    """The CSV text of `form`'s responses that pass `filters`, in pieces, oldest first.

    The caller keeps `session` open until the iterator is exhausted.
    """
    layout = export_layout(session, form, filters.zone)
    return csv_pieces(layout, _records(session, form, filters), bom=filters.bom)


def csv_pieces(layout: Layout, records: Iterable[ResponseRecord], *,
               bom: bool = False) -> Iterator[str]:
    """The header and one line per record, every cell neutralised, a few hundred at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write(BOM)
    writer.writerow([neutralise(header) for header in layout.header])
    for count, record in enumerate(records, start=1):
        writer.writerow([neutralise(cell) for cell in layout.cells(record)])
        if count % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def export_filename(form: Form, today: datetime) -> str:
    return f"{form.slug}-responses-{today.date().isoformat()}.csv"


def _records(session: Session, form: Form, filters: ExportFilters) -> Iterator[ResponseRecord]:
    conditions = [Response.workspace_id == form.workspace_id, Response.form_id == form.id]
    if filters.states != frozenset(STATES):
        conditions.append(Response.state.in_(sorted(filters.states)))
    if filters.started_from is not None:
        conditions.append(Response.started_at >= filters.started_from)
    if filters.started_before is not None:
        conditions.append(Response.started_at < filters.started_before)
    query = (
        select(Response.id, Response.state, Response.started_at, Response.completed_at,
               Response.version_id, Response.ending, Response.source, Response.campaign,
               Response.variant, Response.hidden, Response.answers, Contact.email)
        .outerjoin(Contact, and_(Contact.id == Response.contact_id,
                                 Contact.workspace_id == Response.workspace_id))
        .where(*conditions)
        .order_by(Response.started_at, Response.id)
        .execution_options(yield_per=FETCH_SIZE)
    )
    for row in session.execute(query):
        yield ResponseRecord(
            id=row.id, state=row.state, started_at=row.started_at,
            completed_at=row.completed_at, version_id=row.version_id, ending=row.ending,
            source=row.source, campaign=row.campaign, variant=row.variant,
            hidden=row.hidden or {}, answers=row.answers or {}, email=row.email,
        )


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
