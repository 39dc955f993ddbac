"""Fetching a rep's calendar feed and turning it into busy times, with no database.

The feed's address is a secret (anyone holding it reads the rep's calendar), so no
message here ever contains it: network errors name the host at most, and the rest
are written for the rep, saying what to check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.alerts.net import HttpFetch, Network, NetworkError, ResponseTooLarge, get
from app.booking.ics import BusyTime, FeedError, busy_times

log = logging.getLogger("leadform.booking")


@dataclass(frozen=True)
class FeedResult:
    busy: list[BusyTime]
    error: str | None  # for the rep; when set, keep the busy times of the last good fetch
    etag: str | None  # to send back as If-None-Match next time
    not_modified: bool  # the feed answered 304: the stored busy times still hold


def fetch_busy(url: str, window_start: datetime, window_end: datetime, *, tz: str,
               allow: Sequence[Network] = (), etag: str | None = None, timeout: float = 15.0,
               fetch: Callable[..., HttpFetch] = get) -> FeedResult:
    """The rep's busy times in the window from their secret iCal address; never raises."""
    try:
        return _fetch_busy(url, window_start, window_end, tz=tz, allow=allow, etag=etag,
                           timeout=timeout, fetch=fetch)
    except Exception:  # a bug must not stop the other reps' feeds; the URL is not logged
        log.exception("calendar feed: unexpected failure")
        return _failed("Your calendar could not be read because of an error on our side; "
                       "we will try again.")


def _fetch_busy(url: str, window_start: datetime, window_end: datetime, *, tz: str,
                allow: Sequence[Network], etag: str | None, timeout: float,
                fetch: Callable[..., HttpFetch]) -> FeedResult:
    headers = {"If-None-Match": etag} if etag else {}
    try:
        answer = fetch(url, headers, timeout=timeout, allow=allow)
    except ResponseTooLarge as too_large:
        return _failed(f"Your calendar is larger than {too_large.limit_text}: share a "
                       "calendar with fewer events, or one that keeps less history.")
    except NetworkError as error:
        return _failed(f"Your calendar address could not be reached: {error}.")
    if answer.status == 304 and etag:
        return FeedResult([], None, etag, True)
    if answer.status != 200:
        return _failed(_status_message(answer.status))
    try:
        busy = busy_times(answer.body, window_start, window_end, default_tz=tz)
    except FeedError as error:
        return _failed(str(error))
    return FeedResult(busy, None, answer.headers.get("etag"), False)


def _failed(message: str) -> FeedResult:
    return FeedResult([], message, None, False)


def _status_message(status: int) -> str:
    answered = f"Your calendar address answered {status}"
    if status in (404, 410):
        return (f"{answered}: check that it is the secret iCal address (it changes when the "
                "calendar's sharing is reset).")
    if status in (401, 403):
        return (f"{answered}: the calendar refuses this address; copy the secret iCal "
                "address again from your calendar's settings.")
    if 300 <= status < 400:
        return (f"{answered}, a redirect, which is not followed: use the address your "
                "calendar gives for iCal (ICS) export.")
    if status == 429 or status >= 500:
        return f"{answered}: the calendar service is busy or failing; we will try again."
    return f"{answered}: check that it is the secret iCal address."
