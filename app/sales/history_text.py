"""A lead's history entry in words ("SQL → Recycled: disposition no_budget"). Pure.

The lead page lists them; the words come from here so templates stay dumb.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.qualify.dispositions import DISPOSITION_LABELS
from app.sales.countdown import duration_text
from app.sales.inbox_filters import STAGE_LABELS


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS.get(stage or "", stage or "New")


def describe_event(kind: str, from_stage: str | None, to_stage: str | None,
                   details: Mapping[str, Any] | None, names: Mapping[int, str]) -> str:
    """One sentence for one history entry; `names` gives people's names by user id."""
    details = details or {}
    if kind == "stage":
        text = f"{stage_label(from_stage) if from_stage else 'New'} → {stage_label(to_stage)}"
        return f"{text}: {details['reason']}" if details.get("reason") else text
    if kind == "route":
        destination = details.get("destination") or {}
        text = f"Routed to {destination.get('kind', '?')} {destination.get('target', '')}".strip()
        assignment = details.get("assignment") or {}
        if assignment.get("rep_id") in names:
            text += f", assigned to {names[assignment['rep_id']]}"
            if assignment.get("why"):
                text += f" ({assignment['why']})"
        return text
    if kind == "assignment":
        owner = names.get(details.get("owner_id") or details.get("user_id") or 0)
        why = details.get("reason") or details.get("why") or ""
        return " ".join(part for part in ("Assigned", f"to {owner}" if owner else "",
                                          f"({why})" if why else "") if part)
    if kind == "accepted":
        return "Accepted by sales"
    if kind == "disposition":
        code = str(details.get("code") or "")
        text = f"Rejected: {DISPOSITION_LABELS.get(code, code)}"
        if details.get("track"):
            text += f", recycled into {details['track']}"
        else:
            text += ", closed"
        return text + (f". Note: {details['note']}" if details.get("note") else "")
    if kind == "reassigned":
        before = names.get(details.get("from_user_id") or 0, "nobody")
        after = names.get(details.get("to_user_id") or 0, "someone no longer here")
        return f"Reassigned from {before} to {after}"
    if kind == "contacted":
        return "Contacted" + (f": {details['note']}" if details.get("note") else "")
    if kind == "outcome":
        text = f"Outcome: {str(details.get('outcome') or '?')}"
        return text + (f". Note: {details['note']}" if details.get("note") else "")
    if kind == "archived":
        return "Archived" + (f": {details['reason']}" if details.get("reason") else "")
    if kind == "booking":
        text = f"Meeting {details.get('what', '')}".strip()
        return text + (f" with {names[details['rep_id']]}" if details.get("rep_id") in names
                       else "")
    if kind == "sla":
        return _sla_sentence(details, names)
    if kind == "error":
        errors = details.get("errors") or ([details["message"]] if details.get("message") else [])
        return "Error" + (f": {'; '.join(map(str, errors))}" if errors else "")
    return kind.replace("_", " ").capitalize()


def _sla_sentence(details: Mapping[str, Any], names: Mapping[int, str]) -> str:
    """An escalation: which stage's target ran out, how late, and who got the lead."""
    stage = stage_label(details.get("stage")) if details.get("stage") else ""
    text = " ".join(part for part in ("First touch overdue", f"({stage} target)" if stage
                                      else "") if part)
    late = details.get("late_seconds")
    if isinstance(late, int) and not isinstance(late, bool) and late > 0:
        text += f" by {duration_text(late)}"
    target = details.get("reassigned_to_id")
    if target in names:
        text += f"; reassigned to {names[target]}"
    return text


def people_in(details: Mapping[str, Any] | None) -> set[int]:
    """The user ids an entry's details mention (to look their names up in one query)."""
    details = details or {}
    found = set()
    assignment = details.get("assignment")
    candidates = [details.get(key) for key in ("from_user_id", "to_user_id", "owner_id",
                                                "user_id", "rep_id", "reassigned_to_id")]
    if isinstance(assignment, Mapping):
        candidates.append(assignment.get("rep_id"))
    for value in candidates:
        if isinstance(value, int) and not isinstance(value, bool):
            found.add(value)
    return found
