"""Score calibration on hand-made histograms: bands, Youden's J, the model's thresholds."""

from __future__ import annotations

import pytest

from app.analytics.calibration import (
    Band,
    ScoreCount,
    band_width_for,
    bands,
    best_threshold,
    calibrate,
    separation,
    share,
)

# Four groups of ten leads: the higher the score, the more were accepted and won.
HISTOGRAM = [
    ScoreCount(score=10, leads=10, accepted=1, won=0),
    ScoreCount(score=35, leads=10, accepted=2, won=1),
    ScoreCount(score=55, leads=10, accepted=6, won=3),
    ScoreCount(score=80, leads=10, accepted=9, won=6),
]


def test_bands_run_from_the_lowest_score_to_the_highest_with_the_empty_ones_between():
    banded = bands(HISTOGRAM)

    assert [band.label for band in banded] == [
        "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89"]
    assert banded[1] == Band(20, 29, 0, 0, 0)
    assert banded[-1] == Band(80, 89, 10, 9, 6)
    assert banded[-1].accepted_rate == 0.9 and banded[-1].won_rate == 0.6
    assert banded[1].accepted_rate is None  # an empty band has no rate, not a zero division


def test_scores_in_one_band_add_up_and_negative_scores_get_their_own_bands():
    banded = bands([ScoreCount(-5, 2, 0, 0), ScoreCount(3, 1, 1, 0), ScoreCount(9, 3, 1, 1)])

    assert banded == [Band(-10, -1, 2, 0, 0), Band(0, 9, 4, 2, 1)]


def test_wide_spreads_get_wider_bands():
    histogram = [ScoreCount(-300, 1, 0, 0), ScoreCount(300, 1, 1, 0)]

    assert band_width_for(histogram) == 20
    assert len(bands(histogram, 20)) == 31
    assert band_width_for(HISTOGRAM) == 10 and band_width_for([]) == 10


def test_the_best_threshold_maximises_youdens_j_for_accepted_leads():
    best = best_threshold(HISTOGRAM, "accepted")

    # 18 accepted, 22 not: at 55, 15 of 18 accepted pass and 5 of 22 others do.
    assert best is not None and best.threshold == 55
    assert best.true_positive_rate == pytest.approx(15 / 18)
    assert best.false_positive_rate == pytest.approx(5 / 22)
    assert best.youden_j == pytest.approx(15 / 18 - 5 / 22)
    assert best.passing == 20


def test_the_best_threshold_for_won_leads_is_computed_on_won_alone():
    best = best_threshold(HISTOGRAM, "won")

    assert best is not None and best.threshold == 55
    assert best.youden_j == pytest.approx(9 / 10 - 11 / 30)


def test_on_a_tie_the_lower_threshold_wins():
    histogram = [ScoreCount(10, 1, 0, 0), ScoreCount(20, 2, 1, 0), ScoreCount(30, 1, 1, 0)]

    best = best_threshold(histogram, "accepted")

    assert best is not None and best.threshold == 20 and best.youden_j == pytest.approx(0.5)


@pytest.mark.parametrize("histogram", [
    [], [ScoreCount(50, 3, 0, 0)], [ScoreCount(50, 3, 3, 3), ScoreCount(70, 1, 1, 1)],
])
def test_no_threshold_separates_nobody_or_everybody(histogram):
    assert best_threshold(histogram, "accepted") is None
    assert separation(histogram, "accepted", 40) is None


def test_the_models_thresholds_are_measured_the_same_way():
    at_mql = separation(HISTOGRAM, "accepted", 40)
    at_sql = separation(HISTOGRAM, "accepted", 70)

    assert at_mql is not None and at_sql is not None
    assert (at_mql.threshold, at_mql.true_positive_rate) == (40, pytest.approx(15 / 18))
    assert at_sql.true_positive_rate == pytest.approx(9 / 18)
    assert at_sql.false_positive_rate == pytest.approx(1 / 22)


def test_a_fractional_threshold_rounds_up_to_the_whole_scores_it_lets_through():
    assert separation(HISTOGRAM, "won", 54.5).threshold == 55  # type: ignore[union-attr]


def test_calibrate_compares_the_best_split_with_the_model_and_weighs_the_evidence():
    accepted = calibrate(HISTOGRAM, "accepted", {"mql": 40, "sql": 70})
    won = calibrate(HISTOGRAM, "won", {"mql": 40, "sql": 70})

    assert (accepted.leads, accepted.converted, accepted.enough_evidence) == (40, 18, True)
    assert accepted.at_model["sql"].threshold == 70  # type: ignore[union-attr]
    assert (won.converted, won.enough_evidence) == (10, True)
    few = calibrate(HISTOGRAM[:2], "won", {})
    assert few.converted == 1 and few.best is not None and not few.enough_evidence
    with pytest.raises(ValueError):
        calibrate(HISTOGRAM, "booked", {})


def test_share_is_none_when_there_is_nothing_to_divide_by():
    assert share(1, 4) == 0.25 and share(0, 0) is None
