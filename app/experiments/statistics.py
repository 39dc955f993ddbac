"""Is B different from A? A pooled two-proportion z-test, its confidence interval, and the
sample size that would settle it. Pure: counts in, numbers and plain sentences out.

The normal approximation is standard for A/B tests of rates; it is trusted only when
each variant has at least `MIN_EACH_SIDE` successes and failures (the usual np ≥ 5 rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

MIN_EACH_SIDE = 5
_NORMAL = NormalDist()


@dataclass(frozen=True)
class ProportionTest:
    """B against A for one rate (successes out of trials in each variant)."""

    successes_a: int
    trials_a: int
    successes_b: int
    trials_b: int
    confidence: float
    z: float | None  # None when it cannot be computed (no trials, or no variation at all)
    p_value: float | None  # two-sided
    ci_low: float | None  # of the difference B − A, as a proportion
    ci_high: float | None

    @property
    def rate_a(self) -> float | None:
        return self.successes_a / self.trials_a if self.trials_a else None

    @property
    def rate_b(self) -> float | None:
        return self.successes_b / self.trials_b if self.trials_b else None

    @property
    def difference(self) -> float | None:
        """B − A as a proportion (0.05 is five percentage points)."""
        if self.rate_a is None or self.rate_b is None:
            return None
        return self.rate_b - self.rate_a

    @property
    def enough_data(self) -> bool:
        """Whether each variant has enough successes and failures for the approximation."""
        return all(min(successes, trials - successes) >= MIN_EACH_SIDE
                   for successes, trials in ((self.successes_a, self.trials_a),
                                             (self.successes_b, self.trials_b)))

    @property
    def significant(self) -> bool:
        """Trustworthy and below the significance level (1 − confidence)."""
        return (self.enough_data and self.p_value is not None
                and self.p_value < 1 - self.confidence)


def two_proportion_z_test(successes_a: int, trials_a: int, successes_b: int, trials_b: int,
                          confidence: float = 0.95) -> ProportionTest:
    """Pooled z statistic and two-sided p-value; Wald interval of the difference B − A."""
    for successes, trials in ((successes_a, trials_a), (successes_b, trials_b)):
        if trials < 0 or not 0 <= successes <= trials:
            raise ValueError(f"{successes} successes out of {trials} trials is not a proportion")
    if not 0 < confidence < 1:
        raise ValueError("the confidence level is between 0 and 1")
    empty = ProportionTest(successes_a, trials_a, successes_b, trials_b, confidence,
                           None, None, None, None)
    if not trials_a or not trials_b:
        return empty
    rate_a, rate_b = successes_a / trials_a, successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    pooled_error = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    if pooled_error == 0:  # everyone or no one succeeded in both: nothing to compare
        return empty
    z = (rate_b - rate_a) / pooled_error
    p_value = math.erfc(abs(z) / math.sqrt(2))
    critical = _NORMAL.inv_cdf(1 - (1 - confidence) / 2)
    error = math.sqrt(rate_a * (1 - rate_a) / trials_a + rate_b * (1 - rate_b) / trials_b)
    difference = rate_b - rate_a
    return ProportionTest(successes_a, trials_a, successes_b, trials_b, confidence, z, p_value,
                          difference - critical * error, difference + critical * error)


def sample_size_per_variant(rate_a: float, rate_b: float, *, confidence: float = 0.95,
                            power: float = 0.8) -> int | None:
    """Trials each variant needs to detect `rate_a` vs `rate_b` (two-sided), or None if equal.

    The usual formula without continuity correction (Fleiss): 10 % vs 15 % needs 686.
    """
    if not (0 <= rate_a <= 1 and 0 <= rate_b <= 1):
        raise ValueError("rates are between 0 and 1")
    if rate_a == rate_b:
        return None
    alpha_z = _NORMAL.inv_cdf(1 - (1 - confidence) / 2)
    power_z = _NORMAL.inv_cdf(power)
    mean = (rate_a + rate_b) / 2
    spread = (alpha_z * math.sqrt(2 * mean * (1 - mean))
              + power_z * math.sqrt(rate_a * (1 - rate_a) + rate_b * (1 - rate_b)))
    return math.ceil(spread ** 2 / (rate_a - rate_b) ** 2)


def points(proportion: float) -> str:
    """A difference in percentage points with its sign: '+4.8', '−1.2', '0.0'."""
    value = round(proportion * 100, 1)
    if value == 0:
        return "0.0"
    return f"+{value:.1f}" if value > 0 else f"−{abs(value):.1f}"


def p_text(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def verdict(test: ProportionTest, outcome: str, trials: str = "starts", *,
            running: bool = True) -> str:
    """One plain sentence on what the test says about `outcome` (e.g. 'completion'),
    counted out of `trials` (e.g. 'starts'); a stopped test is "not significant", no "yet".

    It never calls a difference real before the data can show it.
    """
    sentence = _verdict(test, outcome, trials)
    return sentence if running else sentence.replace("Not significant yet", "Not significant", 1)


def _verdict(test: ProportionTest, outcome: str, trials: str) -> str:
    level = f"{round(test.confidence * 100)} %"
    missing = [name for name, trials in (("A", test.trials_a), ("B", test.trials_b)) if not trials]
    if missing:
        return f"Not significant yet: no {trials} of {' or '.join(missing)} yet."
    if test.z is None:
        assert test.rate_a is not None
        return (f"Not significant yet: both variants are at {test.rate_a * 100:.0f} % {outcome} "
                "so far, so there is no difference to test.")
    assert test.difference is not None and test.p_value is not None
    if not test.enough_data:
        return (f"Not significant yet: too few results to test {outcome} (each variant needs at "
                f"least {MIN_EACH_SIDE} with and {MIN_EACH_SIDE} without).")
    size = f"{abs(test.difference) * 100:.1f} points"
    if test.significant:
        direction = "higher" if test.difference > 0 else "lower"
        return (f"Significant at {level}: B's {outcome} rate is {size} {direction} than A's "
                f"({p_text(test.p_value)}).")
    lead = "ahead" if test.difference > 0 else "behind"
    sentence = (f"Not significant yet ({p_text(test.p_value)}): B is {size} {lead} so far, "
                "which could still be chance.")
    needed = sample_size_per_variant(test.rate_a or 0.0, test.rate_b or 0.0,
                                     confidence=test.confidence)
    if needed is not None:
        sentence += (f" Telling a difference this size apart at {level} confidence takes about "
                     f"{needed:,} {trials} per variant (now {test.trials_a:,} and "
                     f"{test.trials_b:,}).")
    return sentence
