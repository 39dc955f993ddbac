"""The shape of a responses export: its columns and each response's cells. Pure.

Columns are the union over a form's versions, in the newest definition's order, so a
question asked only by an older version still has its column; each response's answers
are shown with the option labels of the version it was made on. Cells come out as
plain text; the caller neutralises formulas (`app.profiling.csv_io.neutralise`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.forms.fields import FIELD_TYPES
from app.responses.capture import STANDARD_PARAMETERS

LIST_SEPARATOR = "; "
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
STATE_LABELS = {"in_progress": "in progress", "completed": "completed",
                "abandoned": "abandoned"}


@dataclass(frozen=True)
class VersionDefinition:
    """One published version: its database id, its number and its definition."""

    id: int
    number: int
    definition: Mapping[str, Any]


@dataclass(frozen=True)
class ResponseRecord:
    """What the export reads of one response (plain data, from one query row)."""

    id: int
    state: str
    started_at: datetime
    completed_at: datetime | None
    version_id: int
    ending: str | None
    source: str | None
    campaign: str | None
    variant: str | None
    hidden: Mapping[str, Any]
    answers: Mapping[str, Any]
    email: str | None


@dataclass(frozen=True)
class Question:
    field_id: str
    header: str
    kind: str  # the field type's name


@dataclass(frozen=True)
class Layout:
    """The header row and what is needed to turn a response into the cells under it."""

    zone: str
    hidden: tuple[str, ...]
    questions: tuple[Question, ...]
    header: tuple[str, ...]
    # version id → field id → option value → label
    labels: Mapping[int, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    numbers: Mapping[int, int] = field(default_factory=dict)  # version id → number

    def cells(self, record: ResponseRecord) -> list[str]:
        """The response's row, one text cell per header column."""
        zone = ZoneInfo(self.zone)
        labels = self.labels.get(record.version_id, {})
        number = self.numbers.get(record.version_id)
        return [
            str(record.id), STATE_LABELS.get(record.state, record.state),
            _time(record.started_at, zone), _time(record.completed_at, zone),
            f"v{number}" if number is not None else "", record.ending or "",
            record.source or "", record.campaign or "", (record.variant or "").upper(),
            *(_plain(record.hidden.get(name)) for name in self.hidden),
            *(answer_text(record.answers.get(question.field_id),
                          labels.get(question.field_id, {}), question.kind)
              for question in self.questions),
            record.email or "",
        ]


def layout_for(versions: Sequence[VersionDefinition], zone: str = "UTC") -> Layout:
    """Columns for a form's versions (any order): the newest version's order first."""
    newest_first = sorted(versions, key=lambda version: version.number, reverse=True)
    hidden: list[str] = []
    questions: dict[str, Question] = {}
    labels: dict[int, dict[str, dict[str, str]]] = {}
    for version in newest_first:
        _extend(hidden, (str(name) for name in version.definition.get("hidden") or []))
        labels[version.id] = {}
        for spec in _fields(version.definition):
            kind = str(spec.get("type", ""))
            if not _has_answer(kind):
                continue
            field_id = str(spec["id"])
            options = {str(option.get("value")): str(option.get("label") or option.get("value"))
                       for option in spec.get("options") or [] if isinstance(option, Mapping)}
            labels[version.id][field_id] = options
            if field_id not in questions:  # the newest version that asks it names it
                label = " ".join(str(spec.get("label") or "").split()) or field_id
                questions[field_id] = Question(field_id, label, kind)
    _extend(hidden, STANDARD_PARAMETERS)
    hidden = [name for name in hidden if name not in questions]
    header = _unique([
        *((name, "") for name in ("Response ID", "State", f"Started ({zone})",
                                  f"Completed ({zone})", "Version", "Ending", "Source",
                                  "Campaign", "Variant", *hidden)),
        *((question.header, question.field_id) for question in questions.values()),
        ("Contact email", ""),
    ])
    return Layout(zone, tuple(hidden), tuple(questions.values()), tuple(header), labels,
                  {version.id: version.number for version in versions})


def answer_text(value: Any, options: Mapping[str, str], kind: str = "") -> str:
    """An answer as a person reads it: option labels, Yes/No, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(answer_text(item, options, kind) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return options.get(text, text) if options else text


def _fields(definition: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for step in definition.get("steps") or []:
        for spec in step.get("fields") or []:
            if isinstance(spec, Mapping) and spec.get("id"):
                yield spec


def _has_answer(kind: str) -> bool:
    known = FIELD_TYPES.get(kind)
    return known is None or known.has_input


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _time(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).strftime(TIME_FORMAT)


def _extend(names: list[str], more: Iterable[str]) -> None:
    for name in more:
        if name not in names:
            names.append(name)


def _unique(columns: Iterable[tuple[str, str]]) -> list[str]:
    """Two columns never share a header: a repeated label gets its field id (or a count)."""
    seen: set[str] = set()
    out = []
    for header, field_id in columns:
        candidate, count = header, 1
        while candidate.casefold() in seen:
            count += 1
            suffix = field_id if field_id and count == 2 else (
                f"{field_id} {count}" if field_id else str(count))
            candidate = f"{header} ({suffix})"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out
