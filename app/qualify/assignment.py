"""Who gets the lead: account owner, territory, weighted round robin, capacity, fallback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app.qualify.conditions import evaluate


@dataclass(frozen=True)
class RepState:
    rep_id: int
    name: str = ""
    weight: float = 1.0
    priority: int = 0
    active: bool = True
    calibration: float = 0.0
    meetings_assigned: int = 0
    no_shows: int = 0
    cancellations: int = 0
    assigned_today: int = 0
    max_per_day: int | None = None

    @property
    def level(self) -> float:
        """Chili Piper's calibrated level: who has had the most, net of no-shows."""
        return self.calibration + self.meetings_assigned - self.no_shows - self.cancellations

    @property
    def has_capacity(self) -> bool:
        return self.max_per_day is None or self.assigned_today < self.max_per_day


@dataclass(frozen=True)
class Territory:
    if_: Any
    rep_ids: tuple[int, ...]
    name: str = "territory"


@dataclass(frozen=True)
class TeamState:
    slug: str
    reps: tuple[RepState, ...]
    account_owners: Mapping[str, int] = field(default_factory=dict)
    territories: tuple[Territory, ...] = ()
    fallback_rep: int | None = None


@dataclass(frozen=True)
class Assignment:
    rep_id: int | None
    why: str
    rule: str  # owner | territory | round_robin | fallback | none


def assign(team: TeamState, facts: Mapping[str, Any]) -> Assignment:
    """The rep for this lead, and why, following the team's rules in order."""
    available = {rep.rep_id: rep for rep in team.reps if rep.active and rep.has_capacity}
    contact = facts.get("contact") if isinstance(facts.get("contact"), Mapping) else {}
    domain = contact.get("company_domain") if isinstance(contact, Mapping) else None
    owner = team.account_owners.get(domain) if isinstance(domain, str) else None
    if owner is not None and owner in available:
        return Assignment(owner, f"account owner of {domain}", "owner")
    candidates = list(available.values())
    label = "round robin"
    for territory in team.territories:
        holds, _ = evaluate(territory.if_, facts)
        if holds:
            candidates = [rep for rep in candidates if rep.rep_id in territory.rep_ids]
            label = f"territory {territory.name}, round robin"
            break
    weighted = [rep for rep in candidates if rep.weight > 0]
    if weighted:
        chosen = min(weighted, key=lambda rep: (rep.level / rep.weight, rep.priority, rep.rep_id))
        return Assignment(chosen.rep_id, f"{label}: lowest weighted level "
                                         f"{chosen.level / chosen.weight:g} of "
                                         f"{len(weighted)} available", "round_robin")
    if team.fallback_rep is not None:
        why = "everyone is at capacity or away" if team.reps else "the team has no reps"
        return Assignment(team.fallback_rep, f"fallback: {why}", "fallback")
    return Assignment(None, "nobody available and no fallback rep", "none")


def starting_calibration(team: TeamState, weight: float = 1.0) -> float:
    """Where a joining or returning rep of this weight starts: level with the least
    served active rep, so they take their fair share from now on instead of a burst
    of catch-up leads."""
    current = [rep.level / rep.weight for rep in team.reps if rep.active and rep.weight > 0]
    return min(current) * weight if current else 0.0


def record_assignment(rep: RepState) -> RepState:
    """The rep after taking one more lead today."""
    return replace(rep, meetings_assigned=rep.meetings_assigned + 1,
                   assigned_today=rep.assigned_today + 1)
