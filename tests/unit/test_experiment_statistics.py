"""The two-proportion z-test, its interval and the sample size, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from app.experiments.statistics import (
    points,
    sample_size_per_variant,
    two_proportion_z_test,
    verdict,
)


def test_a_clear_difference_matches_the_hand_computation():
    # A: 200 of 1,000 (20 %), B: 250 of 1,000 (25 %). Pooled p = 450 / 2,000 = 0.225;
    # SE = sqrt(0.225 × 0.775 × (1/1000 + 1/1000)) = sqrt(0.00034875) = 0.0186748;
    # z = 0.05 / 0.0186748 = 2.6774; two-sided p = 2 × (1 − Φ(2.6774)) = 0.00742.
    # Interval: SE = sqrt(0.2 × 0.8 / 1000 + 0.25 × 0.75 / 1000) = sqrt(0.0003475) = 0.0186414;
    # 0.05 ± 1.959964 × 0.0186414 = 0.05 ± 0.036536 → [0.013464, 0.086536].
    test = two_proportion_z_test(200, 1000, 250, 1000)

    assert test.z == pytest.approx(2.6774, abs=1e-4)
    assert test.p_value == pytest.approx(0.00742, abs=1e-5)
    assert (test.ci_low, test.ci_high) == (pytest.approx(0.013464, abs=1e-6),
                                           pytest.approx(0.086536, abs=1e-6))
    assert test.difference == pytest.approx(0.05)
    assert test.significant


def test_a_second_hand_computed_example():
    # 45 of 150 (30 %) against 63 of 150 (42 %).
    # Pooled p = 108 / 300 = 0.36; SE = sqrt(0.36 × 0.64 × 2/150) = sqrt(0.003072) = 0.055426;
    # z = 0.12 / 0.055426 = 2.1651; p = 0.03038. Interval SE = sqrt(0.21/150 + 0.2436/150)
    # = sqrt(0.0030240) = 0.054991; 0.12 ± 0.107780 → [0.012220, 0.227780].
    test = two_proportion_z_test(45, 150, 63, 150)

    assert test.z == pytest.approx(2.1651, abs=1e-4)
    assert test.p_value == pytest.approx(0.03038, abs=1e-5)
    assert test.ci_low == pytest.approx(0.012220, abs=1e-5)
    assert test.ci_high == pytest.approx(0.227780, abs=1e-5)


def test_groups_of_different_sizes():
    # A: 30 of 200 (15 %), B: 20 of 100 (20 %). Pooled p = 50 / 300 = 1/6;
    # SE = sqrt(1/6 × 5/6 × (1/200 + 1/100)) = sqrt(0.0020833) = 0.045644; z = 1.0954;
    # p = 0.27332: not significant.
    test = two_proportion_z_test(30, 200, 20, 100)

    assert test.z == pytest.approx(1.0954, abs=1e-4)
    assert test.p_value == pytest.approx(0.27332, abs=1e-4)
    assert not test.significant


def test_b_worse_than_a_gives_a_negative_z_and_the_same_p_value():
    better, worse = two_proportion_z_test(200, 1000, 250, 1000), two_proportion_z_test(
        250, 1000, 200, 1000)

    assert worse.z == pytest.approx(-better.z)
    assert worse.p_value == pytest.approx(better.p_value)
    assert worse.ci_high < 0


def test_equal_rates_give_z_zero_and_p_one():
    test = two_proportion_z_test(50, 100, 50, 100)

    assert test.z == 0 and test.p_value == pytest.approx(1.0)
    assert test.ci_low < 0 < test.ci_high


@pytest.mark.parametrize("counts", [(0, 40, 0, 40), (40, 40, 40, 40)])
def test_no_variation_at_all_cannot_be_tested(counts):
    test = two_proportion_z_test(*counts)

    assert test.z is None and test.p_value is None and not test.significant
    assert "no difference to test" in verdict(test, "completion")


def test_no_trials_yet():
    test = two_proportion_z_test(0, 0, 3, 10)

    assert test.z is None and test.rate_a is None and test.difference is None
    assert verdict(test, "completion") == "Not significant yet: no starts of A yet."


def test_a_tiny_p_value_keeps_its_precision():
    test = two_proportion_z_test(1000, 10_000, 2000, 10_000)

    assert 0 < test.p_value < 1e-50  # erfc, not 1 − cdf, which would round to 0
    assert math.isfinite(test.z)


def test_few_results_are_never_called_significant():
    # z is large (0 of 20 against 4 of 20: p ≈ 0.035) but each side needs 5 successes.
    test = two_proportion_z_test(0, 20, 4, 20)

    assert test.p_value < 0.05
    assert not test.enough_data and not test.significant
    assert verdict(test, "SQL").startswith("Not significant yet: too few results")


def test_the_confidence_level_sets_the_interval_and_the_bar():
    at_95 = two_proportion_z_test(45, 150, 63, 150)
    at_99 = two_proportion_z_test(45, 150, 63, 150, confidence=0.99)

    assert at_99.ci_low < at_95.ci_low and at_99.ci_high > at_95.ci_high
    assert at_95.significant and not at_99.significant  # p = 0.030


@pytest.mark.parametrize("counts", [(-1, 10, 1, 10), (11, 10, 1, 10), (1, 10, 1, -1)])
def test_counts_that_are_not_proportions_are_refused(counts):
    with pytest.raises(ValueError, match="not a proportion"):
        two_proportion_z_test(*counts)


def test_the_sample_size_matches_the_published_value():
    # 10 % against 15 %, 95 % two-sided, 80 % power, no continuity correction: 686 per group
    # (the figure of standard tables and calculators for this formula).
    assert sample_size_per_variant(0.10, 0.15) == 686
    assert sample_size_per_variant(0.15, 0.10) == 686
    assert sample_size_per_variant(0.2, 0.2) is None


def test_a_smaller_difference_needs_more_visitors():
    assert sample_size_per_variant(0.10, 0.12) > sample_size_per_variant(0.10, 0.15)


def test_the_verdict_says_significant_only_when_it_is():
    assert verdict(two_proportion_z_test(200, 1000, 250, 1000), "completion") == (
        "Significant at 95 %: B's completion rate is 5.0 points higher than A's (p = 0.007).")
    assert verdict(two_proportion_z_test(300, 1000, 250, 1000), "SQL").startswith(
        "Significant at 95 %: B's SQL rate is 5.0 points lower than A's")


def test_the_verdict_explains_what_not_significant_yet_means():
    sentence = verdict(two_proportion_z_test(30, 100, 36, 100), "completion")

    assert sentence.startswith("Not significant yet (p = 0.367): B is 6.0 points ahead so far")
    # 30 % against 36 %: (1.96 × sqrt(2 × 0.33 × 0.67) + 0.8416 × sqrt(0.21 + 0.2304))² / 0.06²
    assert "about 963 starts per variant (now 100 and 100)" in sentence


@pytest.mark.parametrize(("value", "shown"), [(0.048, "+4.8"), (-0.012, "−1.2"), (0.0, "0.0"),
                                              (0.0004, "0.0")])
def test_points_carry_their_sign(value, shown):
    assert points(value) == shown


def test_a_stopped_test_is_not_significant_without_a_yet():
    test = two_proportion_z_test(30, 100, 36, 100)

    assert verdict(test, "completion", running=False).startswith(
        "Not significant (p = 0.367): B is 6.0 points ahead")
    assert verdict(two_proportion_z_test(200, 1000, 250, 1000), "SQL", running=False).startswith(
        "Significant at 95 %")
