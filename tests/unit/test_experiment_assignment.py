"""Sticky assignment: a pure function of (experiment, visitor) that honours the split."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.experiments.assignment import (
    RunningExperiment,
    SplitError,
    assign_variant,
    check_split,
)

ROOT = Path(__file__).resolve().parents[2]
VISITORS = [f"visitor-{n}" for n in range(10_000)]


def test_the_same_visitor_always_gets_the_same_variant():
    first = [assign_variant(7, visitor, 50) for visitor in VISITORS[:500]]

    again = [assign_variant(7, visitor, 50) for visitor in VISITORS[:500]]

    assert first == again


def test_the_assignment_survives_a_restart():
    """Another interpreter (with another string-hash seed) assigns every visitor the same."""
    script = ("import sys; from app.experiments.assignment import assign_variant as v; "
              "print(''.join(v(9, f'visitor-{n}', 50) for n in range(300)))")
    here = "".join(assign_variant(9, f"visitor-{n}", 50) for n in range(300))

    for seed in ("1", "2"):
        other = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed})
        assert other.stdout.strip() == here
    assert set(here) == {"a", "b"}


@pytest.mark.parametrize("split_b", [1, 10, 25, 50, 75, 90, 99])
def test_the_split_is_honoured_over_ten_thousand_visitors(split_b):
    to_b = sum(assign_variant(42, visitor, split_b) == "b" for visitor in VISITORS)

    # Binomial: three standard deviations of 10,000 draws is at most 150 (1.5 points).
    tolerance = 3 * (len(VISITORS) * split_b / 100 * (1 - split_b / 100)) ** 0.5
    assert abs(to_b - len(VISITORS) * split_b / 100) <= tolerance


def test_random_visitor_ids_split_too():
    visitors = [uuid.uuid4().hex for _ in range(10_000)]

    to_b = sum(assign_variant(3, visitor, 30) == "b" for visitor in visitors)

    assert 2_850 <= to_b <= 3_150  # 30 % ± 1.5 points (more than 3 standard deviations)


def test_a_bigger_split_only_moves_visitors_from_a_to_b():
    at_20 = {visitor for visitor in VISITORS if assign_variant(5, visitor, 20) == "b"}
    at_60 = {visitor for visitor in VISITORS if assign_variant(5, visitor, 60) == "b"}

    assert at_20 < at_60


def test_experiments_assign_independently():
    first = [assign_variant(1, visitor, 50) for visitor in VISITORS]
    second = [assign_variant(2, visitor, 50) for visitor in VISITORS]

    agree = sum(a == b for a, b in zip(first, second, strict=True))

    assert 4_700 <= agree <= 5_300  # about half, as for independent coins


@pytest.mark.parametrize("split_b", [0, 100, -1, 101])
def test_a_split_that_sends_everyone_one_way_is_refused(split_b):
    with pytest.raises(SplitError, match="between 1 % and 99 %"):
        assign_variant(1, "abc", split_b)
    with pytest.raises(SplitError):
        check_split(split_b)


@pytest.mark.parametrize("split_b", [50.0, "50", True])
def test_a_split_that_is_not_a_whole_number_is_refused(split_b):
    with pytest.raises(SplitError, match="whole percentage"):
        check_split(split_b)


def test_a_visitor_id_is_needed():
    with pytest.raises(ValueError, match="visitor id"):
        assign_variant(1, "", 50)


def test_the_running_experiment_maps_variants_and_versions_both_ways():
    running = RunningExperiment(id=1, version_a_id=10, version_b_id=11, split_b=50)

    assert (running.version_for("a"), running.version_for("b")) == (10, 11)
    assert (running.variant_of(10), running.variant_of(11), running.variant_of(12)) == (
        "a", "b", None)
