"""bench/harness.cpu_capacity: what a load run's CPU cost allows on this machine's cores."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from harness import cpu_capacity  # noqa: E402


def test_the_cores_the_client_leaves_divided_by_the_cost_of_a_submission():
    ceiling, budget = cpu_capacity(2, 0.25, 100.0, 50)
    assert ceiling == pytest.approx(17.5)  # 1.75 cores / 0.1 s
    assert budget == pytest.approx(35.0)  # 1.75 cores / 50 per second, in ms


def test_nothing_measured_gives_zero_not_a_division_error():
    assert cpu_capacity(2, 0.2, 0.0, 0) == (0.0, 0.0)
    assert cpu_capacity(1, 3.0, 50.0, 10) == (0.0, 0.0)  # a client using more than all
