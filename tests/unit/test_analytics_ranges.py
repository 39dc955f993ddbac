"""Date ranges of the analytics pages: presets, custom from/to in UTC days, and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.analytics.ranges import MAX_DAYS, RangeError, parse_range, quarter_start

TODAY = date(2026, 5, 20)


@pytest.mark.parametrize(("preset", "first"), [
    ("7d", date(2026, 5, 14)), ("30d", date(2026, 4, 21)), ("90d", date(2026, 2, 20)),
    ("quarter", date(2026, 4, 1)),
])
def test_a_preset_ends_today_and_counts_today_as_a_day(preset, first):
    period = parse_range({"range": preset}, TODAY)

    assert (period.first_day, period.last_day, period.preset) == (first, TODAY, preset)
    assert period.start == datetime(first.year, first.month, first.day, tzinfo=UTC)
    assert period.end == datetime(2026, 5, 21, tzinfo=UTC)


def test_without_arguments_the_range_is_the_last_30_days():
    period = parse_range({}, TODAY)

    assert period.preset == "30d" and period.days == 30


def test_custom_dates_are_inclusive_utc_days_and_half_open_instants():
    period = parse_range({"range": "custom", "from": "2026-01-01", "to": "2026-01-31"}, TODAY)

    assert period.days == 31
    assert period.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert period.end == datetime(2026, 2, 1, tzinfo=UTC)
    assert period.end_day == date(2026, 2, 1)
    assert period.as_query() == {"range": "custom", "from": "2026-01-01", "to": "2026-01-31"}


def test_dates_without_a_preset_mean_a_custom_range_and_a_missing_end_is_today():
    period = parse_range({"from": "2026-05-01"}, TODAY)

    assert (period.preset, period.first_day, period.last_day) == (
        "custom", date(2026, 5, 1), TODAY)


def test_a_custom_range_without_a_start_covers_30_days_to_its_end():
    period = parse_range({"range": "custom", "to": "2026-03-31"}, TODAY)

    assert (period.first_day, period.last_day) == (date(2026, 3, 2), date(2026, 3, 31))


def test_a_preset_ignores_the_dates_the_filter_bar_still_shows():
    assert parse_range({"range": "7d", "from": "2020-01-01", "to": "2020-02-01"},
                       TODAY).first_day == date(2026, 5, 14)


@pytest.mark.parametrize(("args", "message"), [
    ({"range": "yesterday"}, "Unknown range"),
    ({"range": "custom", "from": "31/01/2026"}, "must look like 2026-01-31"),
    ({"range": "custom", "from": "2026-02-30"}, "must look like 2026-01-31"),
    ({"range": "custom", "from": "2026-03-01", "to": "2026-02-01"}, "after the end date"),
    ({"range": "custom", "from": "2020-01-01", "to": "2026-01-01"}, f"at most {MAX_DAYS} days"),
    ({"range": "custom", "from": "0001-01-01"}, "between 2000 and 2100"),
    ({"range": "custom", "to": "9999-12-31"}, "between 2000 and 2100"),
])
def test_a_range_that_cannot_be_used_says_what_to_change(args, message):
    with pytest.raises(RangeError, match=message):
        parse_range(args, TODAY)


def test_the_longest_range_allowed_is_accepted():
    period = parse_range({"from": "2024-01-01", "to": "2025-12-31"}, TODAY)

    assert period.days == MAX_DAYS


@pytest.mark.parametrize(("day", "start"), [
    (date(2026, 1, 1), date(2026, 1, 1)), (date(2026, 3, 31), date(2026, 1, 1)),
    (date(2026, 4, 1), date(2026, 4, 1)), (date(2026, 12, 31), date(2026, 10, 1)),
])
def test_quarters_start_in_january_april_july_and_october(day, start):
    assert quarter_start(day) == start


def test_labels_name_the_preset_and_the_days():
    assert parse_range({"range": "7d"}, TODAY).label == "Last 7 days (14 May 2026 – 20 May 2026)"
    assert parse_range({"from": "2026-01-01", "to": "2026-01-02"}, TODAY).label == (
        "01 Jan 2026 – 02 Jan 2026")
