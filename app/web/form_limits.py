"""MAX_FORM_PARTS for urlencoded bodies too: Werkzeug only counts multipart parts.

Without this a 1 MiB `a&a&a...` body is half a million fields that every view and
validator walks. The check counts `&` in the body it already read (one pass over
bytes, no second read) and answers 413 like the multipart limit does.
"""

from __future__ import annotations

from io import BytesIO
from typing import IO, TYPE_CHECKING

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

if TYPE_CHECKING:
    from werkzeug.formparser import t_parse_result


def too_many_parts(body: bytes, limit: int | None) -> bool:
    """More fields than `limit`, counted as `parse_qsl` does (empty pieces are no field)."""
    if limit is None or body.count(b"&") + 1 <= limit:
        return False  # the cheap upper bound settles nearly every body
    return sum(1 for piece in body.split(b"&") if piece) > limit


class LimitedFormDataParser(FormDataParser):
    def _parse_urlencoded(self, stream: IO[bytes], mimetype: str, content_length: int | None,
                          options: dict[str, str]) -> t_parse_result:
        body = stream.read()  # already limited to MAX_CONTENT_LENGTH, as in Werkzeug
        if too_many_parts(body, self.max_form_parts):
            raise RequestEntityTooLarge()
        _read, form, files = super()._parse_urlencoded(BytesIO(body), mimetype,
                                                       content_length, options)
        return stream, form, files


class LimitedRequest(Request):
    """Flask's request, with the urlencoded form limited to MAX_FORM_PARTS fields."""

    form_data_parser_class = LimitedFormDataParser
