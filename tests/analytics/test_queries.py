"""The analytics queries on a hand-made dataset (tests/analytics/dataset.py), on both
databases: exact funnel, conversion, speed-to-lead and calibration numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from app.analytics.calibration import calibrate
from app.analytics.funnel_queries import form_funnel, form_totals
from app.analytics.lead_queries import conversion, score_histogram, speed
from app.analytics.ranges import parse_range
from tests.analytics.dataset import MARCH, World, _lead, at, build

TODAY = date(2026, 5, 20)
PERIOD = parse_range(MARCH, TODAY)


@pytest.fixture
def world(session: Session) -> World:
    return build(session)


def steps_of(funnel) -> list[tuple[str, int, int, int]]:
    return [(row.step_id, row.reached, row.passed, row.stopped) for row in funnel.steps]


def test_the_funnel_of_all_versions_counts_the_cohort_started_in_the_range(session, world):
    funnel = form_funnel(session, world.form, PERIOD)

    assert (funnel.views, funnel.started, funnel.completed) == (15, 6, 3)
    assert (funnel.abandoned, funnel.in_progress) == (2, 1)
    assert steps_of(funnel) == [("you", 6, 5, 1), ("company", 5, 4, 1), ("needs", 4, 3, 1),
                                ("consent", 1, 1, 0)]
    assert [row.title for row in funnel.steps] == [
        "About you", "Your company", "Your project", "Almost done"]
    assert funnel.completion_rate == 0.5 and funnel.abandonment == pytest.approx(2 / 6)


def test_the_funnel_of_one_version_counts_only_its_views_responses_and_steps(session, world):
    first = form_funnel(session, world.form, PERIOD, world.v1)
    second = form_funnel(session, world.form, PERIOD, world.v2)

    assert (first.views, first.started, first.completed) == (10, 2, 2)
    assert steps_of(first) == [("you", 2, 2, 0), ("company", 2, 2, 0), ("needs", 2, 2, 0)]
    assert (second.views, second.started, second.completed, second.abandoned) == (5, 4, 1, 2)
    assert steps_of(second) == [("you", 4, 3, 1), ("company", 3, 2, 1), ("needs", 2, 1, 1),
                                ("consent", 1, 1, 0)]


def test_a_range_with_nothing_in_it_gives_an_empty_funnel(session, world):
    funnel = form_funnel(session, world.form, parse_range({"from": "2025-01-01",
                                                           "to": "2025-01-31"}, TODAY))

    assert funnel.is_empty and funnel.completion_rate is None
    assert steps_of(funnel) == [("you", 0, 0, 0), ("company", 0, 0, 0), ("needs", 0, 0, 0),
                                ("consent", 0, 0, 0)]


def test_the_forms_table_lists_active_forms_of_the_workspace_only(session, world):
    rows = form_totals(session, world.acme.id, PERIOD)

    assert [(row.name, row.views, row.started, row.completed) for row in rows] == [
        ("Demo request", 15, 6, 3), ("Webinar", 0, 0, 0)]
    assert rows[0].start_rate == 6 / 15 and rows[1].completion_rate is None


def counts(row) -> tuple[str, int, int, int, int, int, int]:
    return (row.label, row.leads, row.mql, row.sql, row.booked, row.accepted, row.won)


def test_conversion_by_source_counts_each_milestone_ever_reached(session, world):
    table = conversion(session, world.acme.id, PERIOD, "source")

    assert [counts(row) for row in table.rows] == [
        ("google", 3, 2, 2, 2, 2, 1), ("linkedin", 2, 1, 0, 0, 0, 0),
        ("newsletter", 1, 1, 1, 0, 1, 1), ("(unknown)", 1, 1, 0, 0, 0, 0)]
    assert counts(table.total) == ("All leads", 7, 5, 3, 2, 3, 2)
    assert table.others is None
    assert table.rows[0].rate("won") == pytest.approx(1 / 3)


def test_conversion_by_campaign_form_and_version(session, world):
    by_campaign = conversion(session, world.acme.id, PERIOD, "campaign")
    by_form = conversion(session, world.acme.id, PERIOD, "form")
    by_version = conversion(session, world.acme.id, PERIOD, "version")

    assert [(row.label, row.leads) for row in by_campaign.rows] == [
        ("(no campaign)", 4), ("spring", 2), ("fall", 1)]
    assert [counts(row) for row in by_form.rows] == [
        ("Demo request", 6, 5, 3, 2, 3, 2), ("(not from a form)", 1, 0, 0, 0, 0, 0)]
    assert [(row.label, row.leads, row.won) for row in by_version.rows] == [
        ("Demo request · v1", 3, 2), ("Demo request · v2", 3, 0), ("(not from a form)", 1, 0)]


def test_groups_beyond_the_limit_are_summed_as_everything_else(session, world):
    table = conversion(session, world.acme.id, PERIOD, "source", limit=2)

    assert [row.label for row in table.rows] == ["google", "linkedin"]
    assert table.others is not None
    assert counts(table.others) == ("Everything else", 2, 2, 1, 0, 1, 1)


def test_conversion_of_one_form_counts_only_the_leads_it_made(session, world):
    table = conversion(session, world.acme.id, PERIOD, "source", world.form.id)

    assert table.total.leads == 6
    assert conversion(session, world.acme.id, PERIOD, "source", world.empty_form.id).is_empty


def test_speed_to_lead_buckets_the_wait_from_the_sla_clock_or_creation(session, world):
    result = speed(session, world.acme.id, PERIOD)

    assert [(row.bucket.key, row.leads) for row in result.rows] == [
        ("lt5m", 1), ("5to15m", 1), ("15to60m", 1), ("1to4h", 1), ("4to24h", 0),
        ("gt1d", 1), ("untouched", 1)]
    assert (result.leads, result.touched) == (6, 5)
    # waits 180, 600, 1200, 7200 and 108000 s: nearest-rank median and 90th percentile
    assert result.median_seconds == pytest.approx(1200)
    assert result.p90_seconds == pytest.approx(108000)


def test_a_wait_of_exactly_five_minutes_is_in_the_five_to_fifteen_bucket(session):
    from app.models import Workspace

    workspace = Workspace(slug="edge", name="Edge", settings={})
    session.add(workspace)
    session.flush()
    start = at(10, 9, 0, 0)
    _lead(session, workspace, "a@x.example", start, mql_at=start,
          first_touch_at=start + timedelta(minutes=5))
    _lead(session, workspace, "b@x.example", start, mql_at=start,
          first_touch_at=start + timedelta(minutes=5) - timedelta(milliseconds=1))
    session.commit()

    result = speed(session, workspace.id, PERIOD)

    assert [row.leads for row in result.rows][:2] == [1, 1]
    assert result.median_seconds == pytest.approx(299.999)


def test_no_leads_handed_to_sales_gives_an_empty_speed_report(session, world):
    result = speed(session, world.acme.id, PERIOD, world.empty_form.id)

    assert result.is_empty and result.median_seconds is None


def test_the_score_histogram_groups_whole_scores_rounding_down(session, world):
    histogram = score_histogram(session, world.acme.id, PERIOD)

    assert [(row.score, row.leads, row.accepted, row.won) for row in histogram] == [
        (-6, 1, 0, 0), (12, 1, 0, 0), (38, 1, 0, 0), (45, 1, 0, 0), (55, 1, 1, 1),
        (71, 1, 1, 0), (82, 1, 1, 1)]


def test_calibration_finds_the_score_that_separates_converters(session, world):
    histogram = score_histogram(session, world.acme.id, PERIOD)

    accepted = calibrate(histogram, "accepted", {"mql": 40, "sql": 70})
    won = calibrate(histogram, "won", {"mql": 40, "sql": 70})

    assert accepted.best is not None and won.best is not None
    assert (accepted.best.threshold, accepted.best.youden_j) == (55, pytest.approx(1.0))
    assert (won.best.threshold, won.best.youden_j) == (55, pytest.approx(1 - 1 / 5))
    assert accepted.at_model["sql"].true_positive_rate == pytest.approx(2 / 3)  # type: ignore
    assert not accepted.enough_evidence  # three accepted leads are too few to tune on
