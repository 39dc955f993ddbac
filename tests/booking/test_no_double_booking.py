"""Invariant 4: a rep is never booked twice for overlapping times, under any concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.booking.service import SlotTaken, book, insert_guarded
from app.db import write_session
from tests.booking.conftest import OVERLAPS, context_in, raw_booking, tomorrow_at

CONTENDERS = 50


def race(work, count: int) -> list[str]:
    """Run `work(i)` on `count` threads released at once; each returns an outcome word."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        barrier.wait()
        result = work(index)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("round_", range(3))
def test_fifty_prospects_racing_for_one_slot_book_it_once(db_engine, solo, round_):
    start = tomorrow_at(9 + round_)
    now = datetime.now(UTC)

    def attempt(index: int) -> str:
        try:
            with write_session(db_engine) as session:
                book(session, context_in(session, solo, index), start, "UTC", now)
            return "booked"
        except SlotTaken:
            return "taken"

    outcomes = race(attempt, CONTENDERS)

    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("taken") == CONTENDERS - 1
    with db_engine.connect() as connection:
        assert connection.execute(text(OVERLAPS)).scalar_one() == 0


@pytest.mark.parametrize("round_", range(3))
def test_the_database_refuses_overlaps_of_different_lengths_without_any_app_check(
        db_engine, solo, round_):
    """Straight inserts, no free-slot check: only the constraint (or claims) stands guard."""
    base = tomorrow_at(14 + round_)
    # (start offset, minutes): every shape covers minutes 10-15, so each pair overlaps.
    shapes = [(0, 30), (10, 60), (-20, 35), (5, 10), (-55, 70), (10, 5), (-5, 20)]

    def attempt(index: int) -> str:
        offset, minutes = shapes[index % len(shapes)]
        try:
            with write_session(db_engine) as session:
                insert_guarded(session, raw_booking(
                    solo, base + timedelta(minutes=offset), minutes))
            return "booked"
        except SlotTaken:
            return "taken"

    outcomes = race(attempt, CONTENDERS)

    assert outcomes.count("booked") == 1, outcomes
    with db_engine.connect() as connection:
        assert connection.execute(text(OVERLAPS)).scalar_one() == 0


def test_back_to_back_meetings_are_not_an_overlap(db_engine, solo):
    start = tomorrow_at(8)
    for offset in (0, 30, 60):
        with write_session(db_engine) as session:
            insert_guarded(session, raw_booking(solo, start + timedelta(minutes=offset), 30))
    with db_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM booking")).scalar_one() == 3


def test_a_cancelled_meeting_frees_its_time(db_engine, solo):
    from app.booking.service import cancel
    from app.models import Booking

    start, now = tomorrow_at(11), datetime.now(UTC)
    with write_session(db_engine) as session:
        first = book(session, context_in(session, solo, 0), start, "UTC", now)
        first_id = first.id
    with write_session(db_engine) as session:
        cancel(session, session.get(Booking, first_id), now)
    with write_session(db_engine) as session:
        again = book(session, context_in(session, solo, 1), start, "UTC", now)
    assert again.start_at == start
