"""Funnels, conversion rows and speed to lead, built from counts (no database)."""

from __future__ import annotations

from app.analytics.conversion import ConversionRow, remainder
from app.analytics.figures import funnel_chart, milestone_chart, number, percent, speed_chart
from app.analytics.funnel import StepCounts, StepDef, build_funnel, step_order
from app.analytics.speed import duration_text, nearest_rank, speed_to_lead

NEW = {"steps": [{"id": "you", "title": "About you"}, {"id": "company"}, {"id": "needs"}]}
OLD = {"steps": [{"id": "you"}, {"id": "budget", "title": "Budget"}]}


def counts(**overrides) -> StepCounts:
    values = {"views": 40, "started": 10, "completed": 4, "abandoned": 3, "in_progress": 3,
              "passed": {"you": 8, "company": 5, "needs": 4},
              "stopped_on": {"you": 2, "company/size": 2, "company/name": 1, "needs": 1}}
    return StepCounts(**{**values, **overrides})


def test_steps_follow_the_newest_definition_then_steps_only_older_versions_had():
    assert step_order([NEW, OLD]) == [
        StepDef("you", "About you", True), StepDef("company", "company", True),
        StepDef("needs", "needs", True), StepDef("budget", "Budget", False)]


def test_each_step_reached_is_got_past_plus_stopped_there():
    funnel = build_funnel(counts(), step_order([NEW, OLD]))

    rows = [(row.step_id, row.reached, row.passed, row.stopped) for row in funnel.steps]
    # conversational screens ("company/size") count for their step; budget saw nobody
    assert rows == [("you", 10, 8, 2), ("company", 8, 5, 3), ("needs", 5, 4, 1)]
    assert funnel.steps[1].drop_off == 3 / 8
    assert funnel.completion_rate == 0.4 and funnel.abandonment == 0.3
    assert funnel.start_rate == 0.25 and funnel.viewed_only == 30 and funnel.view_drop_off == 0.75
    assert funnel.of_starts(5) == 0.5


def test_a_step_no_stored_definition_names_still_shows_when_responses_reached_it():
    funnel = build_funnel(counts(passed={"you": 8, "gone": 1}, stopped_on={}), step_order([NEW]))

    assert [(row.step_id, row.title) for row in funnel.steps][-1] == ("gone", "gone")


def test_an_empty_funnel_has_no_rates_rather_than_a_division_by_zero():
    funnel = build_funnel(StepCounts(0, 0, 0, 0, 0, {}, {}), step_order([NEW]))

    assert funnel.is_empty
    assert funnel.completion_rate is None and funnel.start_rate is None
    assert funnel.abandonment is None and funnel.steps[0].drop_off is None
    assert [bar.width for bar in funnel_chart(funnel).bars] == [0, 0, 0, 0, 0]


def test_views_below_starts_give_no_view_drop_off():
    funnel = build_funnel(counts(views=5), step_order([NEW]))

    assert funnel.viewed_only == 0 and funnel.view_drop_off is None


def test_the_funnel_chart_reads_views_starts_steps_and_completions_as_shares_of_starts():
    chart = funnel_chart(build_funnel(counts(), step_order([NEW])))

    assert [(bar.label, bar.text) for bar in chart.bars] == [
        ("Views", "40"), ("Started", "10 (100.0%)"), ("Passed: About you", "8 (80.0%)"),
        ("Passed: company", "5 (50.0%)"), ("Passed: needs", "4 (40.0%)"),
        ("Completed", "4 (40.0%)")]


def test_rows_beyond_the_table_are_the_total_minus_the_shown_rows():
    total = ConversionRow("", "All leads", 10, 6, 4, 2, 2, 1)
    shown = [ConversionRow("google", "google", 6, 5, 3, 2, 1, 1)]

    others = remainder(total, shown, "Everything else")

    assert others == ConversionRow("", "Everything else", 4, 1, 1, 0, 1, 0)
    assert remainder(total, [total], "x") is None
    assert total.rate("sql") == 0.4
    assert [bar.text for bar in milestone_chart(total).bars] == [
        "10", "6 (60.0%)", "4 (40.0%)", "2 (20.0%)", "2 (20.0%)", "1 (10.0%)"]


def test_speed_to_lead_has_every_bucket_and_shares_of_all_leads_counted():
    speed = speed_to_lead({"lt5m": 2, "1to4h": 1, "untouched": 1}, 120.0, 7200.0)

    assert [row.leads for row in speed.rows] == [2, 0, 0, 1, 0, 0, 1]
    assert (speed.leads, speed.touched) == (4, 3)
    assert speed.rows[0].share == 0.5 and speed.within_five_minutes == 2 / 3
    assert [column.label for column in speed_chart(speed).columns][-1] == "Not touched yet"
    empty = speed_to_lead({}, None, None)
    assert empty.is_empty and empty.within_five_minutes is None


def test_the_nearest_rank_matches_percentile_disc():
    assert [nearest_rank(4, 0.5), nearest_rank(4, 0.9), nearest_rank(1, 0.9)] == [1, 3, 0]
    assert nearest_rank(10, 0.9) == 8


def test_waits_and_numbers_read_as_people_say_them():
    assert [duration_text(s) for s in (None, 42, 240, 3600, 7500, 86400, 97200)] == [
        "–", "42 s", "4 min", "1 h", "2 h 5 min", "1 d", "1 d 3 h"]
    assert (number(1234), number(None), number(2.25)) == ("1,234", "–", "2.2")
    assert (percent(0.1234), percent(None), percent(1)) == ("12.3%", "–", "100.0%")
