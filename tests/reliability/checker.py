"""The crash-durability verdict: what the clients saw, the database and the receiver, compared.

Plain data in, a list of broken guarantees and the numbers for the report out, so
the checker itself is tested with fabricated observations (test_checker.py): a
checker that cannot see a lost submission would make the chaos run prove nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoredSubmission:
    """What the database holds for one email after the run."""

    completed_responses: int  # completed responses with these answers (one expected)
    contacts: int  # contacts with this email (at most one, ever)
    leads: int  # leads of that contact (one, if the contact exists)
    reasons: tuple[float, ...] = ()  # the lead's score reasons, by their points
    total: float = 0.0  # the lead's total score
    event_kinds: tuple[str, ...] = ()  # outbox events of the contact, by kind


@dataclass(frozen=True)
class OutboxRow:
    """One outbox event and the statuses of its deliveries."""

    event_id: str
    kind: str
    statuses: tuple[str, ...]


@dataclass(frozen=True)
class Arrival:
    """One request the webhook receiver got (duplicates included)."""

    webhook_id: str  # the `webhook-id` header
    body: bytes

    @property
    def payload_id(self) -> str | None:
        try:
            document = json.loads(self.body)
        except ValueError:
            return None
        return document.get("id") if isinstance(document, dict) else None


@dataclass
class Observation:
    attempted: list[str]  # every email a client started, in order
    acknowledged: set[str]  # emails whose final submit was answered with the ending
    stored: dict[str, StoredSubmission]  # by email, for every attempted email
    outbox: list[OutboxRow]
    arrivals: list[Arrival]
    web_kills: int = 0
    worker_kills: int = 0
    client_retries: int = 0  # requests sent again after a reset connection
    final_resends: int = 0  # of them, final submits sent again
    gave_up: int = 0  # visitors who walked away after the connection was lost again and again
    cut_off: int = 0  # webhook requests the receiver got only part of (a sender died)
    anomalies: list[str] = field(default_factory=list)  # unexpected answers to clients


@dataclass
class Verdict:
    problems: list[str]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        width = max(len(name) for name in self.counts)
        lines = [f"  {name:<{width}}  {value}" for name, value in self.counts.items()]
        verdict = ["  every guarantee held"] if self.ok else [
            f"  BROKEN: {problem}" for problem in self.problems]
        return "\n".join([*lines, *verdict])


SCORE_TOLERANCE = 0.01  # a score is the sum of its reasons "to the cent"
MAX_LISTED = 10  # problems of one kind listed by name; the rest are counted


def check(seen: Observation) -> Verdict:
    """Every guarantee of issue 10's crash-durability item, as a list of what broke."""
    problems: list[str] = []
    problems += _acknowledged_are_stored(seen)
    problems += _no_duplicates(seen)
    problems += _outbox_delivered(seen)
    problems += _receiver_matches_outbox(seen)
    problems += [f"a client got an unexpected answer: {anomaly}" for anomaly in seen.anomalies]
    distinct = {arrival.webhook_id for arrival in seen.arrivals}
    counts = {
        "submissions attempted": len(seen.attempted),
        "submissions acknowledged": len(seen.acknowledged),
        "submissions stored": sum(1 for email in seen.attempted
                                  if seen.stored.get(email, _NOTHING).completed_responses),
        "stored, not acknowledged": sum(
            1 for email in seen.attempted if email not in seen.acknowledged
            and seen.stored.get(email, _NOTHING).completed_responses),
        "visitors who gave up": seen.gave_up,
        "client retries after a reset": seen.client_retries,
        "retried final submits": seen.final_resends,
        "web worker kills": seen.web_kills,
        "alert worker kills": seen.worker_kills,
        "outbox events": len(seen.outbox),
        "deliveries": sum(len(row.statuses) for row in seen.outbox),
        "delivered": sum(row.statuses.count("delivered") for row in seen.outbox),
        "requests at the receiver": len(seen.arrivals),
        "distinct event ids at the receiver": len(distinct),
        "raw duplicate deliveries": len(seen.arrivals) - len(distinct),
        "requests cut off by a kill": seen.cut_off,
    }
    return Verdict(problems, counts)


_NOTHING = StoredSubmission(completed_responses=0, contacts=0, leads=0)


def _acknowledged_are_stored(seen: Observation) -> list[str]:
    """Invariant 2: an acknowledged submission is committed, whole (response to outbox)."""
    missing: dict[str, list[str]] = defaultdict(list)
    for email in sorted(seen.acknowledged):
        stored = seen.stored.get(email, _NOTHING)
        if not stored.completed_responses:
            missing["no completed response"].append(email)
        if not stored.contacts:
            missing["no contact"].append(email)
        if not stored.leads:
            missing["no lead"].append(email)
        elif not stored.reasons:
            missing["a lead without score reasons"].append(email)
        elif abs(sum(stored.reasons) - stored.total) > SCORE_TOLERANCE:
            missing["a score that is not the sum of its reasons"].append(email)
        if "response.completed" not in stored.event_kinds:
            missing["no response.completed event in the outbox"].append(email)
    return [f"acknowledged but {what}: {_listed(emails)}" for what, emails in missing.items()]


def _no_duplicates(seen: Observation) -> list[str]:
    """A retried submit is applied once: one response, contact, lead and event per email."""
    found: dict[str, list[str]] = defaultdict(list)
    for email, stored in sorted(seen.stored.items()):
        if stored.completed_responses > 1:
            found["completed responses"].append(email)
        if stored.contacts > 1:
            found["contacts"].append(email)
        if stored.leads > 1:
            found["leads"].append(email)
        if stored.event_kinds.count("response.completed") > 1:
            found["response.completed events"].append(email)
    return [f"duplicate {what}: {_listed(emails)}" for what, emails in found.items()]


def _outbox_delivered(seen: Observation) -> list[str]:
    """Invariant 3, first half: every delivery row ends delivered (none pending or dead)."""
    undelivered = [f"{row.event_id} ({row.kind}: {', '.join(row.statuses) or 'no delivery'})"
                   for row in seen.outbox
                   if not row.statuses or any(status != "delivered" for status in row.statuses)]
    return [f"outbox events not delivered: {_listed(undelivered)}"] if undelivered else []


def _receiver_matches_outbox(seen: Observation) -> list[str]:
    """Invariant 3, second half: at least once, nothing invented, one body per event id."""
    problems = []
    outbox_ids = {row.event_id for row in seen.outbox}
    received_ids = {arrival.webhook_id for arrival in seen.arrivals}
    if lost := sorted(outbox_ids - received_ids):
        problems.append(f"outbox events never received: {_listed(lost)}")
    if invented := sorted(received_ids - outbox_ids):
        problems.append(f"received events that are not in the outbox: {_listed(invented)}")
    if mislabelled := sorted({a.webhook_id for a in seen.arrivals
                              if a.payload_id != a.webhook_id}):
        problems.append(f"webhook-id header differs from the payload's id: "
                        f"{_listed(mislabelled)}")
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for arrival in seen.arrivals:
        bodies[arrival.webhook_id].add(arrival.body)
    if changed := sorted(event for event, versions in bodies.items() if len(versions) > 1):
        problems.append(f"events delivered twice with different bodies: {_listed(changed)}")
    return problems


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return f"{shown} (and {more} more)" if more > 0 else shown

