"""SVG chart geometry: bars scale to the largest value, columns to a nice top, markers land
where their value is, and nothing divides by zero when there is no data."""

from __future__ import annotations

import pytest

from app.analytics.charts import (
    BAR_ROW,
    LABEL_WIDTH,
    PLOT_HEIGHT,
    TOP_ROOM,
    VALUE_ROOM,
    WIDTH,
    Item,
    bar_chart,
    column_chart,
    nice_ceiling,
    short_label,
    with_markers,
)

ROOM = WIDTH - LABEL_WIDTH - VALUE_ROOM


def test_the_largest_bar_fills_the_room_and_the_others_are_in_proportion():
    chart = bar_chart([Item("Started", 200, "200"), Item("Completed", 50, "50 (25.0%)")])

    started, completed = chart.bars
    assert started.width == ROOM and completed.width == ROOM / 4
    assert chart.track_width == ROOM
    assert started.x == completed.x == LABEL_WIDTH
    assert completed.text_x == LABEL_WIDTH + ROOM / 4 + 6
    assert (chart.height, completed.label_y) == (2 * BAR_ROW, BAR_ROW * 1.5)
    assert completed.text == "50 (25.0%)"


def test_bars_of_nothing_have_no_length_and_the_chart_still_has_a_height():
    chart = bar_chart([Item("Started", 0, "0")])

    assert chart.bars[0].width == 0 and chart.height == BAR_ROW
    assert bar_chart([]).height == BAR_ROW


def test_long_labels_are_shortened_in_the_chart():
    chart = bar_chart([Item("Passed: " + "a very long step title indeed", 1, "1")])

    assert chart.bars[0].label.endswith("…") and len(chart.bars[0].label) <= 28
    assert short_label("Short") == "Short"


@pytest.mark.parametrize(("value", "ceiling"), [
    (0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (0.37, 0.5), (220, 250), (1000, 1000),
])
def test_the_scale_tops_out_at_a_round_number(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_columns_scale_to_the_nice_top_and_stand_on_the_axis():
    chart = column_chart(["a", "b"], [[5, 10]], [["five", "ten"]])

    bottom = TOP_ROOM + PLOT_HEIGHT
    five, ten = chart.columns[0].bars[0], chart.columns[1].bars[0]
    assert ten.height == PLOT_HEIGHT and five.height == PLOT_HEIGHT / 2
    assert five.y + five.height == bottom == ten.y + ten.height
    assert [tick.text for tick in chart.ticks] == ["0", "5", "10"]
    assert five.text == "five" and chart.label_y == bottom + 18


def test_each_series_gets_its_own_bar_side_by_side_in_a_column():
    chart = column_chart(["a"], [[0.2], [0.1]], [["20%"], ["10%"]], tick_format="{:.0%}")

    first, second = chart.columns[0].bars
    assert (first.series, second.series) == (0, 1)
    assert second.x > first.x and second.height == first.height / 2
    assert chart.ticks[-1].text == "20%"


def test_an_empty_histogram_has_zero_height_bars_and_a_scale_of_one():
    chart = column_chart(["a", "b"], [[0, 0]], [["0", "0"]])

    assert all(bar.height == 0 for column in chart.columns for bar in column.bars)
    assert chart.ticks[-1].text == "1"


def test_many_columns_label_only_every_nth():
    chart = column_chart([str(n) for n in range(30)], [[1] * 30], [["1"] * 30])

    assert [column.label for column in chart.columns if column.show_label] == [
        "0", "3", "6", "9", "12", "15", "18", "21", "24", "27"]


def test_series_and_labels_must_match():
    with pytest.raises(ValueError):
        column_chart(["a", "b"], [[1]], [["1"]])


def test_markers_land_at_their_value_and_values_off_the_axis_are_left_out():
    chart = column_chart(["0–9", "10–19", "20–29", "30–39"], [[1, 2, 3, 4]],
                         [["1", "2", "3", "4"]])
    slot = (chart.plot_right - chart.plot_left) / 4

    marked = with_markers(chart, 0, 10, [(20, "SQL 20", "model"), (35, "best 35", "best-won"),
                                         (90, "off", "model")])

    assert [marker.label for marker in marked.markers] == ["SQL 20", "best 35"]
    assert marked.markers[0].x == pytest.approx(chart.plot_left + 2 * slot, abs=0.01)
    assert marked.markers[1].x == pytest.approx(chart.plot_left + 3.5 * slot, abs=0.01)
    assert marked.markers[1].anchor == "end"  # near the right edge it reads leftwards
    assert marked.markers[0].label_y < marked.markers[1].label_y  # stacked, not overlapping


@pytest.mark.parametrize(("largest", "ticks"), [
    (1, ["0", "1", "2"]), (2, ["0", "1", "2"]), (3, ["0", "5", "10"]), (20, ["0", "10", "20"]),
])
def test_a_scale_of_counts_has_whole_numbers_on_every_tick(largest, ticks):
    chart = column_chart(["a"], [[largest]], [["n"]], tick_format="{:,.0f}", counts=True)

    assert [tick.text for tick in chart.ticks] == ticks
