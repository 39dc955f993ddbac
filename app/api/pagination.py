"""Cursor pagination, the same on every list: newest first, `limit` 1..200, an opaque cursor.

    GET /api/v1/leads?limit=50              -> {"data": [...50 leads], "next": "aWQ6MTIz"}
    GET /api/v1/leads?limit=50&cursor=aWQ6MTIz -> the next 50, "next": null on the last page

The cursor is the id of the last item seen (keyset pagination), so pages stay
right while new rows arrive, and each page costs one indexed query. The response
also has `Link: <...>; rel="next"` with the full URL of the next page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import marshmallow as ma
from flask import request
from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import Session

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_ID = 2_147_483_647  # ids are 32-bit integers in PostgreSQL

Row = TypeVar("Row")


class Cursor(ma.fields.String):
    """An opaque position: base64 of `id:<n>`; anything else is a bad request."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 40:
            raise ma.ValidationError("Not a cursor from this API: it is too long.")
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ma.ValidationError("Not a cursor from this API: use the `next` value of "
                                     "the previous page.") from None
        kind, _, number = decoded.partition(":")
        if (kind != "id" or not (number.isascii() and number.isdigit()) or len(number) > 10
                or int(number) > MAX_ID + 1):
            raise ma.ValidationError("Not a cursor from this API: use the `next` value of "
                                     "the previous page.")
        return int(number)


def encode_cursor(item_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{item_id}".encode()).decode("ascii").rstrip("=")


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT, validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."})
    cursor = Cursor(load_default=None, metadata={
        "maxLength": 40,
        "description": "The `next` value of the previous page; omit it for the first page."})


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope `{"data": [item...], "next": cursor or null}` for `item`."""
    return ma.Schema.from_dict({
        "data": ma.fields.List(ma.fields.Nested(item), required=True),
        "next": ma.fields.String(required=True, allow_none=True, metadata={
            "description": "Cursor of the next page; null on the last page."}),
    }, name=name)


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    next: str | None


def fetch_page(session: Session, query: Select[Any], id_column: ColumnElement[int],
               args: dict[str, Any], id_of: Callable[[Any], int]) -> Page:
    """One page of `query`, newest (highest id) first, after `args["cursor"]`."""
    limit = int(args.get("limit") or DEFAULT_LIMIT)
    after = args.get("cursor")
    if after is not None:
        query = query.where(id_column < after)
    rows = list(session.execute(query.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(id_of(rows[-1])) if more and rows else None)


def envelope(data: list[Any], page: Page) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The view's return value: the body, 200, and the Link header when there is more."""
    headers: dict[str, str] = {}
    if page.next:
        args = request.args.to_dict()
        args["cursor"] = page.next
        from urllib.parse import urlencode

        headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return {"data": data, "next": page.next}, 200, headers
