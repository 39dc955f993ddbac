"""The SLA arithmetic: targets, clocks, met/missed/pending, compliance, percentiles, periods."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.qualify.sla import (
    MAX_TARGET_MINUTES,
    SlaError,
    SlaPolicy,
    clock_for,
    compliance,
    format_minutes,
    parse_target,
    percentile,
    policy_of,
    report_period,
    status_of,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_policy_reads_whole_positive_minutes_per_stage():
    policy = policy_of({"sla": {"targets": {"sql": 15, "mql": 240}, "reassign_overdue": True}})
    assert (policy.target("sql"), policy.target("mql"), policy.target("lead")) == (15, 240, None)
    assert policy.reassign_overdue is True


@pytest.mark.parametrize("settings", [
    None, {}, {"sla": "fast"}, {"sla": {"targets": ["sql"]}},
    {"sla": {"targets": {"sql": 0, "mql": -5, "lead": True}}},
    {"sla": {"targets": {"sql": "15", "mql": 1.5, "lead": MAX_TARGET_MINUTES + 1}}},
    {"sla": {"targets": {"disqualified": 10}}},
])
def test_odd_settings_mean_no_target(settings):
    policy = policy_of(settings)
    assert dict(policy.targets) == {} and policy.reassign_overdue is False


def test_reassigning_needs_an_explicit_true():
    assert policy_of({"sla": {"targets": {}, "reassign_overdue": "yes"}}).reassign_overdue is False


def test_a_policy_round_trips_through_settings():
    policy = SlaPolicy({"mql": 240, "sql": 15}, reassign_overdue=True)
    assert policy.as_settings() == {"targets": {"mql": 240, "sql": 15},
                                    "reassign_overdue": True}
    assert policy_of({"sla": policy.as_settings()}) == policy


@pytest.mark.parametrize(("text", "minutes"), [
    ("15", 15), (" 240 ", 240), ("", None), ("   ", None), (None, None),
    (str(MAX_TARGET_MINUTES), MAX_TARGET_MINUTES), ("1", 1),
])
def test_a_typed_target_is_whole_minutes_or_blank(text, minutes):
    assert parse_target(text) == minutes


@pytest.mark.parametrize(("text", "message"), [
    ("0", "at least 1 minute"), ("-5", "whole minutes"), ("1.5", "whole minutes"),
    ("15m", "whole minutes"), ("fast", "whole minutes"),
    (str(MAX_TARGET_MINUTES + 1), "at most 30 days"), ("99999999999999", "at most 30 days"),
])
def test_a_bad_target_says_what_is_expected(text, message):
    with pytest.raises(SlaError, match=message):
        parse_target(text)


def test_entering_a_stage_with_a_target_starts_its_clock():
    clock = clock_for(SlaPolicy({"sql": 15}), "sql", None, NOW)
    assert clock is not None
    assert (clock.stage, clock.started_at, clock.due_at) == ("sql", NOW,
                                                             NOW + timedelta(minutes=15))


def test_no_clock_without_a_target_or_once_touched():
    policy = SlaPolicy({"sql": 15})
    assert clock_for(policy, "mql", None, NOW) is None
    assert clock_for(policy, "recycled", None, NOW) is None
    assert clock_for(policy, "sql", NOW - timedelta(hours=1), NOW) is None


def test_met_missed_and_pending():
    due = NOW + timedelta(minutes=15)
    assert status_of(due, due, NOW) == "met"  # on the dot counts
    assert status_of(due, NOW + timedelta(minutes=1), NOW + timedelta(days=1)) == "met"
    assert status_of(due, due + timedelta(seconds=1), due) == "missed"
    assert status_of(due, None, due) == "missed"  # ran out, untouched
    assert status_of(due, None, due - timedelta(seconds=1)) == "pending"


def test_compliance_counts_only_decided_clocks():
    assert compliance(3, 1) == 75.0
    assert compliance(0, 0) is None
    assert compliance(0, 2) == 0.0


@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1,
                max_size=60))
def test_the_median_is_the_statistics_median(values):
    assert percentile(values, 0.5) == pytest.approx(statistics.median(values))


@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=2,
                max_size=60), st.floats(min_value=0, max_value=1))
def test_a_percentile_lies_between_its_neighbours(values, fraction):
    result = percentile(values, fraction)
    assert min(values) <= result <= max(values)
    # the 'inclusive' method of the standard library is the same interpolation
    quantiles = statistics.quantiles(values, n=10, method="inclusive")
    assert percentile(values, 0.9) == pytest.approx(quantiles[8])


def test_percentiles_of_a_known_set():
    assert percentile([1, 2, 3, 4, 10], 0.9) == pytest.approx(7.6)
    assert percentile([5], 0.9) == 5
    assert percentile([], 0.5) is None


@pytest.mark.parametrize(("minutes", "text"), [
    (None, "—"), (0.5, "30 s"), (15, "15 min"), (240, "4 h"), (90, "1 h 30 min"),
    (60 * 24 * 2 + 180, "2 d 3 h"), (0, "0 s"), (59.6, "1 h"),
])
def test_durations_read_like_people_say_them(minutes, text):
    assert format_minutes(minutes) == text


def test_a_period_is_whole_days_in_the_viewers_zone():
    berlin = ZoneInfo("Europe/Berlin")
    period = report_period("2026-11-01", "2026-11-30", berlin, date(2026, 12, 2))
    assert period.start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)


def test_a_period_defaults_to_the_last_30_days():
    period = report_period(None, "", ZoneInfo("UTC"), date(2026, 12, 2))
    assert (period.first, period.last) == (date(2026, 11, 3), date(2026, 12, 2))


@pytest.mark.parametrize(("start", "end", "message"), [
    ("yesterday", None, "from date"), ("2026-12-01", "2026-13-01", "to date"),
    ("2026-12-02", "2026-12-01", "after the end"), ("2020-01-01", "2026-01-01", "two years"),
    ("1900-01-01", "1900-01-02", "between the years"),
])
def test_a_bad_period_says_why(start, end, message):
    with pytest.raises(SlaError, match=message):
        report_period(start, end, ZoneInfo("UTC"), date(2026, 12, 2))
