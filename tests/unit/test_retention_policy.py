"""Retention periods: defaults from config, workspace overrides, cut-offs. No app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.retention.policy import (
    Period,
    RetentionInputError,
    check_days,
    defaults_from_config,
    effective_periods,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_defaults_come_from_config_and_zero_means_forever():
    defaults = defaults_from_config({"RETENTION_SIGNAL_DAYS": 0,
                                     "RETENTION_DELIVERY_LOG_DAYS": 30})

    assert defaults == {"partial_responses": 90, "delivery_logs": 30, "signals": None,
                        "audit_log": 730}


def test_a_workspace_override_wins_and_a_nonsense_one_is_ignored():
    periods = effective_periods({"partial_responses": 90, "delivery_logs": 90, "signals": 365},
                                {"retention": {"signals": 0, "delivery_logs": "x"}})

    assert periods["signals"] == Period(None, overridden=True)
    assert periods["delivery_logs"] == Period(90, overridden=False)
    assert periods["partial_responses"] == Period(90, overridden=False)


def test_the_cutoff_is_now_minus_the_period_and_forever_has_none():
    assert Period(30, False).cutoff(NOW) == NOW - timedelta(days=30)
    assert Period(None, True).cutoff(NOW) is None


@pytest.mark.parametrize("value", ["-1", "3651", "1.5", "soon", True, 2.0])
def test_periods_are_whole_days_within_bounds(value):
    with pytest.raises(RetentionInputError):
        check_days(value)


def test_blank_and_zero_mean_forever():
    assert check_days("") is None and check_days(0) is None and check_days("14") == 14


def test_the_policy_module_is_pure():
    from tests.unit.test_qualify_purity import FORBIDDEN, ROOT, imported_modules

    imported = imported_modules(ROOT / "app" / "retention" / "policy.py")

    assert not [name for name in imported if name.startswith(FORBIDDEN)]
