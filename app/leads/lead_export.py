"""Leads as CSV, streamed: the inbox's filters decide the rows, spreadsheets run no formula.

Text cells go through the contact export's `neutralise` (invariant 9); numbers we
computed (ids, scores) cannot be formulas and stay numbers, so "-5" still sums.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from app.leads.inbox import EXPORT_COLUMNS
from app.profiling.csv_io import neutralise

BOM = "\ufeff"
ROWS_PER_CHUNK = 200


def leads_csv(records: Iterable[dict[str, Any]], *, bom: bool = False) -> Iterator[str]:
    """The header, then the rows in chunks; a UTF-8 BOM first when Excel is to read it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    if bom:
        yield BOM
    pending = 0
    for record in records:
        writer.writerow([cell(record.get(column)) for column in EXPORT_COLUMNS])
        pending += 1
        if pending >= ROWS_PER_CHUNK:
            yield _drain(buffer)
            pending = 0
    yield _drain(buffer)


def cell(value: Any) -> str:
    if isinstance(value, bool):
        return neutralise(str(value).lower())
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
