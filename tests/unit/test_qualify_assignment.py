"""Assignment: owner, territory, weighted round robin with calibration, capacity, fallback."""

from __future__ import annotations

from typing import Any

from app.qualify import (
    Assignment,
    RepState,
    TeamState,
    Territory,
    assign,
    record_assignment,
    starting_calibration,
)

GERMANY = {"==": [{"var": "contact.country"}, "DE"]}


def team(*reps: RepState, owners: dict[str, int] | None = None,
         territories: tuple[Territory, ...] = (), fallback: int | None = None) -> TeamState:
    return TeamState("ae", reps, owners or {}, territories, fallback)


def company(domain: str, **contact: Any) -> dict[str, Any]:
    return {"contact": {"company_domain": domain, **contact}}


# --- the order of the rules --------------------------------------------------------------

def test_the_account_owner_comes_first():
    state = team(RepState(1), RepState(2, meetings_assigned=50), owners={"acme.io": 2})

    assert assign(state, company("acme.io")) == Assignment(2, "account owner of acme.io",
                                                           "owner")


def test_company_domains_match_whatever_their_case():
    state = team(RepState(1), RepState(2, meetings_assigned=50), owners={"Acme.io": 2})

    assert assign(state, company("ACME.IO ")).rep_id == 2


def test_an_owner_at_capacity_gives_way_to_round_robin_and_says_so():
    state = team(RepState(1), RepState(2, max_per_day=3, assigned_today=3),
                 owners={"acme.io": 2})

    choice = assign(state, company("acme.io"))

    assert (choice.rep_id, choice.rule) == (1, "round_robin")
    assert "account owner of acme.io is away or at capacity" in choice.why


def test_an_owner_outside_the_team_is_ignored():
    assert assign(team(RepState(1), owners={"acme.io": 7}), company("acme.io")).rep_id == 1


def test_the_first_territory_that_holds_restricts_the_candidates():
    state = team(RepState(1), RepState(2, meetings_assigned=9), RepState(3, meetings_assigned=9),
                 territories=(Territory(GERMANY, (2, 3), "DACH"),
                              Territory(True, (1,), "everywhere else")))

    choice = assign(state, company("acme.de", country="DE"))

    assert choice.rep_id == 2
    assert choice.why.startswith("territory DACH, round robin")


def test_a_lead_outside_every_territory_goes_to_the_whole_team():
    state = team(RepState(1), RepState(2, meetings_assigned=9),
                 territories=(Territory(GERMANY, (2,), "DACH"),))

    assert assign(state, company("acme.fr", country="FR")).rep_id == 1


def test_a_territory_that_errors_does_not_hold_and_is_recorded():
    state = team(RepState(1), RepState(2, meetings_assigned=9),
                 territories=(Territory({"/": [1, {"var": "contact.size"}]}, (2,), "big"),))

    choice = assign(state, company("acme.io", size=0))

    assert choice.rep_id == 1
    assert choice.errors == ("territory big: Division by zero",)


def test_reps_at_their_daily_capacity_are_skipped():
    state = team(RepState(1, max_per_day=2, assigned_today=2), RepState(2, meetings_assigned=9))

    assert assign(state, {}).rep_id == 2


def test_inactive_reps_are_skipped():
    state = team(RepState(1, active=False), RepState(2, meetings_assigned=9))

    assert assign(state, {}).rep_id == 2


def test_when_everyone_is_at_capacity_the_fallback_rep_gets_the_lead():
    state = team(RepState(1, max_per_day=1, assigned_today=1), fallback=9)

    assert assign(state, {}) == Assignment(9, "fallback: everyone at capacity", "fallback")


def test_when_the_territory_has_nobody_available_the_fallback_rep_gets_the_lead():
    state = team(RepState(1), RepState(2, active=False),
                 territories=(Territory(GERMANY, (2,), "DACH"),), fallback=9)

    choice = assign(state, company("acme.de", country="DE"))

    assert choice == Assignment(9, "fallback: territory DACH, everyone away", "fallback")


def test_without_a_fallback_rep_nobody_is_assigned_and_the_reason_says_so():
    choice = assign(team(RepState(1, active=False)), {})

    assert (choice.rep_id, choice.rule) == (None, "none")
    assert "no fallback rep" in choice.why


# --- round robin -------------------------------------------------------------------------

def test_the_rep_with_the_lowest_level_is_next():
    state = team(RepState(1, meetings_assigned=5), RepState(2, meetings_assigned=3),
                 RepState(3, meetings_assigned=4))

    assert assign(state, {}) == Assignment(2, "round robin: lowest level 3.0 of 3",
                                           "round_robin")


def test_no_shows_and_cancellations_lower_a_reps_level():
    state = team(RepState(1, meetings_assigned=5), RepState(2, meetings_assigned=6, no_shows=1,
                                                            cancellations=1))

    assert assign(state, {}).rep_id == 2


def test_the_level_counts_the_calibration():
    assert RepState(1, calibration=10, meetings_assigned=5, no_shows=2, cancellations=1).level == 12


def test_levels_are_compared_per_unit_of_weight():
    state = team(RepState(1, meetings_assigned=3), RepState(2, weight=2, meetings_assigned=5))

    choice = assign(state, {})

    assert choice.rep_id == 2 and "lowest level per weight 2.5" in choice.why


def test_a_rep_of_weight_zero_is_never_picked_by_round_robin():
    state = team(RepState(1, meetings_assigned=100), RepState(2, weight=0))

    assert assign(state, {}).rep_id == 1


def test_a_rep_of_weight_zero_still_gets_their_accounts():
    state = team(RepState(1), RepState(2, weight=0), owners={"acme.io": 2})

    assert assign(state, company("acme.io")).rep_id == 2


def test_ties_go_to_the_lower_priority_then_the_lower_id():
    assert assign(team(RepState(3, priority=1), RepState(2, priority=0)), {}).rep_id == 2
    assert assign(team(RepState(3), RepState(2)), {}).rep_id == 2


# --- fairness ----------------------------------------------------------------------------

def simulate(state: TeamState, leads: int) -> tuple[TeamState, dict[int, int]]:
    """Assign `leads` leads one after another, counting each like the service does."""
    counts = {rep.rep_id: 0 for rep in state.reps}
    reps = {rep.rep_id: rep for rep in state.reps}
    for _ in range(leads):
        choice = assign(TeamState(state.slug, tuple(reps.values())), {})
        assert choice.rep_id is not None
        reps[choice.rep_id] = record_assignment(reps[choice.rep_id])
        counts[choice.rep_id] += 1
    return TeamState(state.slug, tuple(reps.values())), counts


def test_record_assignment_counts_one_more_meeting_today():
    rep = record_assignment(RepState(1, meetings_assigned=4, assigned_today=1))

    assert (rep.meetings_assigned, rep.assigned_today) == (5, 2)


def test_weighted_round_robin_gives_each_rep_their_share_within_two_percent():
    weights = {1: 1, 2: 2, 3: 1}
    _, counts = simulate(team(*(RepState(rep_id, weight=weight)
                                for rep_id, weight in weights.items())), 1000)

    for rep_id, weight in weights.items():
        assert abs(counts[rep_id] / 1000 - weight / sum(weights.values())) <= 0.02


def test_the_starting_calibration_is_the_lowest_level_among_active_reps():
    state = team(RepState(1, meetings_assigned=12), RepState(2, meetings_assigned=10),
                 RepState(3, active=False))

    assert starting_calibration(state) == 10


def test_the_starting_calibration_scales_with_the_newcomers_weight():
    state = team(RepState(1, weight=2, meetings_assigned=20), RepState(2, meetings_assigned=12))

    assert starting_calibration(state, weight=3) == 30


def test_a_rep_who_joins_mid_way_gets_no_burst_but_their_share():
    state, _ = simulate(team(RepState(1, weight=1), RepState(2, weight=2),
                             RepState(3, weight=1)), 500)
    newcomer = RepState(4, weight=1, calibration=starting_calibration(state))

    _, counts = simulate(team(*state.reps, newcomer), 40)

    fair_share = 40 * 1 / 5
    assert fair_share - 2 <= counts[4] <= fair_share + 2


def test_a_rep_who_returns_from_leave_gets_no_burst():
    state, _ = simulate(team(RepState(1), RepState(2), RepState(3)), 300)
    away = next(rep for rep in state.reps if rep.rep_id == 3)
    others = [rep for rep in state.reps if rep.rep_id != 3]
    state, _ = simulate(team(*others), 200)
    level = starting_calibration(state)
    back = RepState(3, calibration=level - (away.level - away.calibration),
                    meetings_assigned=away.meetings_assigned)

    _, counts = simulate(team(*state.reps, back), 40)

    assert counts[3] <= 40 / 3 + 2
