"""Who gets the lead: account owner, territory, weighted round robin, capacity, fallback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app.qualify.conditions import as_facts, evaluate, section
from app.qualify.model import show_number


@dataclass(frozen=True)
class RepState:
    """One rep as round robin sees them today; the service loads it, `assign` reads it."""

    rep_id: int
    name: str = ""
    weight: float = 1.0  # share of round-robin leads; 0 takes none
    priority: int = 0  # lower first when levels tie
    active: bool = True
    calibration: float = 0.0  # set when joining or returning, see starting_calibration
    meetings_assigned: int = 0
    no_shows: int = 0
    cancellations: int = 0
    assigned_today: int = 0
    max_per_day: int | None = None

    @property
    def level(self) -> float:
        """Chili Piper's calibrated level: how much this rep has had, net of no-shows."""
        return self.calibration + self.meetings_assigned - self.no_shows - self.cancellations

    @property
    def has_capacity(self) -> bool:
        return self.max_per_day is None or self.assigned_today < self.max_per_day


@dataclass(frozen=True)
class Territory:
    """The first territory whose condition holds restricts round robin to its reps.

    A territory without a condition (None) holds for every lead.
    """

    if_: Any
    rep_ids: tuple[int, ...]
    name: str = "territory"


@dataclass(frozen=True)
class TeamState:
    slug: str
    reps: tuple[RepState, ...]
    account_owners: Mapping[str, int] = field(default_factory=dict)  # domain -> rep_id
    territories: tuple[Territory, ...] = ()
    fallback_rep: int | None = None


@dataclass(frozen=True)
class Assignment:
    """The chosen rep (None: nobody) and a sentence saying why, for sales and the log."""

    rep_id: int | None
    why: str
    rule: str  # owner | round_robin | fallback | none
    errors: tuple[str, ...] = ()  # territory conditions that could not be evaluated


def assign(team: TeamState, facts: Mapping[str, Any]) -> Assignment:
    """The rep for this lead, following the team's rules in order; never raises."""
    data = as_facts(facts)
    domain = _domain(section(data, "contact").get("company_domain"))
    owners = {_domain(key): rep_id for key, rep_id in team.account_owners.items()}
    owner = owners.get(domain) if domain else None
    reps = {rep.rep_id: rep for rep in team.reps}
    notes: list[str] = []
    if owner is not None and owner in reps:
        if reps[owner].active and reps[owner].has_capacity:
            return Assignment(owner, f"account owner of {domain}", "owner")
        notes.append(f"the account owner of {domain} is away or at capacity")
    pool, label = list(team.reps), ""
    errors: list[str] = []
    for territory in team.territories:
        holds, error = (True, None) if territory.if_ is None else evaluate(territory.if_, data)
        if error:
            errors.append(f"territory {territory.name}: {error}")
        if holds:
            pool = [rep for rep in team.reps if rep.rep_id in territory.rep_ids]
            label = f"territory {territory.name}, "
            break
    eligible = [rep for rep in pool if rep.active and rep.has_capacity and rep.weight > 0]
    prefix = f"{'; '.join(notes)}; " if notes else ""
    if eligible:
        chosen = min(eligible, key=lambda rep: (rep.level / rep.weight, rep.priority,
                                                rep.rep_id))
        return Assignment(chosen.rep_id, f"{prefix}{label}{_round_robin(chosen, eligible)}",
                          "round_robin", tuple(errors))
    nobody = f"{prefix}{label}{_nobody(pool)}"
    if team.fallback_rep is not None:
        return Assignment(team.fallback_rep, f"fallback: {nobody}", "fallback", tuple(errors))
    return Assignment(None, f"no rep: {nobody}, and the team has no fallback rep", "none",
                      tuple(errors))


def starting_calibration(team: TeamState, weight: float = 1.0) -> float:
    """The level a joining or returning rep of this weight starts at.

    Level with the least served active rep (per unit of weight), so they take their
    fair share from now on instead of a burst of catch-up leads. With equal weights
    this is the lowest level among active reps. A returning rep's calibration is this
    minus their own net history (the service does that).
    """
    ratios = [rep.level / rep.weight for rep in team.reps if rep.active and rep.weight > 0]
    return min(ratios) * weight if ratios else 0.0


def record_assignment(rep: RepState) -> RepState:
    """The rep after taking one more lead today (what the service stores)."""
    return replace(rep, meetings_assigned=rep.meetings_assigned + 1,
                   assigned_today=rep.assigned_today + 1)


def _domain(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _round_robin(chosen: RepState, eligible: list[RepState]) -> str:
    if all(rep.weight == 1 for rep in eligible):
        return f"round robin: lowest level {chosen.level:.1f} of {len(eligible)}"
    return (f"weighted round robin: lowest level per weight "
            f"{chosen.level / chosen.weight:.1f} of {len(eligible)} "
            f"(weight {show_number(chosen.weight)})")


def _nobody(pool: list[RepState]) -> str:
    """Why no rep in the pool can take the lead."""
    if not pool:
        return "nobody to choose from"
    causes = {
        "away": any(not rep.active for rep in pool),
        "at capacity": any(rep.active and not rep.has_capacity for rep in pool),
        "at weight 0": any(rep.active and rep.has_capacity and not rep.weight > 0
                           for rep in pool),
    }
    return "everyone " + " or ".join(cause for cause, found in causes.items() if found)


__all__ = ["Assignment", "RepState", "TeamState", "Territory", "assign", "record_assignment",
           "starting_calibration"]
