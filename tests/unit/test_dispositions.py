"""Sales' verdicts: each reason recycles into its own track for a bounded time, or closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.qualify.dispositions import (
    DISPOSITION_CODES,
    DISPOSITION_LABELS,
    DispositionError,
    verdict_for,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("code", ["not_now", "no_budget", "not_decision_maker", "bad_fit"])
def test_a_rejection_recycles_into_a_track_with_an_end(code):
    verdict = verdict_for(code, {}, NOW)
    assert verdict.stage == "recycled" and verdict.track
    assert NOW < verdict.nurture_until <= NOW + timedelta(days=180)
    assert not verdict.archive_now


def test_the_reason_chooses_the_track():
    tracks = {code: verdict_for(code, {}, NOW).track
              for code in ("not_now", "no_budget", "not_decision_maker")}
    assert len(set(tracks.values())) == 3


@pytest.mark.parametrize("code", ["spam", "competitor"])
def test_spam_and_competitors_close_the_lead(code):
    verdict = verdict_for(code, {}, NOW)
    assert verdict.stage == "disqualified"
    assert verdict.track is None and verdict.nurture_until is None and verdict.archive_now


def test_workspace_overrides_track_and_days_and_caps_every_period():
    settings = {"dispositions": {"no_budget": {"track": "budget-q3", "days": 30}},
                "max_nurture_days": 60}
    assert verdict_for("no_budget", settings, NOW).track == "budget-q3"
    assert verdict_for("no_budget", settings, NOW).nurture_until == NOW + timedelta(days=30)
    assert verdict_for("not_now", settings, NOW).nurture_until == NOW + timedelta(days=60)


@pytest.mark.parametrize("bad", [None, "x", -5, True, [3]])
def test_nonsense_settings_fall_back_to_the_defaults(bad):
    verdict = verdict_for("not_now", {"max_nurture_days": bad, "dispositions": {"not_now": bad}},
                          NOW)
    assert verdict.track == "recycle-not-now"
    assert NOW < verdict.nurture_until <= NOW + timedelta(days=180)


def test_an_unknown_code_is_refused_in_words():
    with pytest.raises(DispositionError, match="Unknown disposition 'maybe'"):
        verdict_for("maybe", {}, NOW)


def test_every_code_has_a_label():
    assert set(DISPOSITION_LABELS) == set(DISPOSITION_CODES)
