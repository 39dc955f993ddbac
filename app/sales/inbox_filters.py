"""The inbox's filters as query parameters: parsed, checked and written back. Pure.

Filters live in the URL so that a view of the inbox can be shared and exported as
seen. Parsing collects every problem, in words, so a bad link says all that is
wrong with it at once; ids are checked against the workspace by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.qualify.stages import STAGES

PAGE_SIZE = 50
MAX_PAGE = 100_000
TEXT_MAX = 200
SOURCE_MAX = 100
STAGE_LABELS = {"lead": "Lead", "mql": "MQL", "sql": "SQL", "disqualified": "Disqualified",
                "recycled": "Recycled"}
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "score_desc": "Highest score",
    "score_asc": "Lowest score",
    "sla_due": "SLA due soonest",
}
ARCHIVED = {"no": "Active leads", "yes": "Archived only", "all": "Active and archived"}
OWNER_WORDS = ("me", "unassigned")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InboxQueryError(ValueError):
    """The query parameters ask for something that does not exist; `problems` says what."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox shows: the filters, the order and the page."""

    stages: tuple[str, ...] = ()
    owner: str = ""  # "" any, "me", "unassigned", or a member's user id as digits
    form_id: int | None = None
    source: str = ""
    created_from: date | None = None
    created_to: date | None = None
    archived: str = "no"
    text: str = ""
    sort: str = "newest"
    page: int = 1

    @property
    def owner_id(self) -> int | None:
        return int(self.owner) if self.owner.isdigit() else None

    @property
    def is_filtered(self) -> bool:
        return bool(self.stages or self.owner or self.form_id or self.source or self.text
                    or self.created_from or self.created_to or self.archived != "no")

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The query parameters that give this view again (defaults left out)."""
        query = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        pairs = [("stage", stage) for stage in query.stages]
        for name, value in (("owner", query.owner),
                            ("form", str(query.form_id) if query.form_id else ""),
                            ("source", query.source),
                            ("from", query.created_from.isoformat() if query.created_from
                             else ""),
                            ("to", query.created_to.isoformat() if query.created_to else ""),
                            ("q", query.text)):
            if value:
                pairs.append((name, value))
        if query.archived != "no":
            pairs.append(("archived", query.archived))
        if query.sort != "newest":
            pairs.append(("sort", query.sort))
        if query.page != 1:
            pairs.append(("page", str(query.page)))
        return pairs


def parse_inbox_query(get: Callable[[str], Sequence[str]]) -> InboxQuery:
    """An InboxQuery from `get(name) -> every value of that parameter` (MultiDict.getlist).

    Empty values mean "no filter" (a form's blank select); unknown parameters are ignored.
    """
    problems: list[str] = []

    def one(name: str) -> str:
        values = [value.strip() for value in get(name) if value.strip()]
        if len(values) > 1:
            problems.append(f"Give '{name}' once, not {len(values)} times.")
        return values[0] if values else ""

    stages = tuple(dict.fromkeys(value.strip().lower() for value in get("stage")
                                 if value.strip()))
    unknown = [stage for stage in stages if stage not in STAGES]
    if unknown:
        problems.append(f"Unknown stage {unknown[0]!r}: the stages are "
                        f"{', '.join(STAGES)}.")
    owner = one("owner").lower()
    if owner and owner not in OWNER_WORDS and not _is_id(owner):
        problems.append(f"Unknown owner {owner!r}: choose a member, 'me' or 'unassigned'.")
    form = one("form")
    if form and not _is_id(form):
        problems.append(f"Unknown form {form!r}: choose one of the workspace's forms.")
    source = one("source")
    if len(source) > SOURCE_MAX:
        problems.append(f"The source is too long: at most {SOURCE_MAX} characters.")
    text = one("q")
    if len(text) > TEXT_MAX:
        problems.append(f"The search is too long: at most {TEXT_MAX} characters.")
    created_from = _day(one("from"), "from", problems)
    created_to = _day(one("to"), "to", problems)
    if created_from and created_to and created_from > created_to:
        problems.append(f"The date range ends ({created_to.isoformat()}) before it starts "
                        f"({created_from.isoformat()}).")
    archived = one("archived").lower() or "no"
    if archived not in ARCHIVED:
        problems.append(f"Unknown value {archived!r} for archived: use no, yes or all.")
    sort = one("sort").lower() or "newest"
    if sort not in SORTS:
        problems.append(f"Unknown sort {sort!r}: use one of {', '.join(SORTS)}.")
    page = _page(one("page"), problems)
    if problems:
        raise InboxQueryError(problems)
    return InboxQuery(stages=stages, owner=owner, form_id=int(form) if form else None,
                      source=source, created_from=created_from, created_to=created_to,
                      archived=archived, text=text, sort=sort, page=page)


def created_bounds(query: InboxQuery, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The UTC interval [start, end) of the viewer's local days from..to, both included."""
    start = end = None
    if query.created_from:
        start = datetime.combine(query.created_from, time(), zone).astimezone(UTC)
    if query.created_to:
        end = datetime.combine(query.created_to + timedelta(days=1), time(), zone
                               ).astimezone(UTC)
    return start, end


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // page_size))


def _is_id(value: str) -> bool:
    return value.isdigit() and len(value) <= 12 and int(value) > 0


def _day(value: str, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"The '{name}' date {value!r} is not a date: write it as YYYY-MM-DD.")
        return None


def _page(value: str, problems: list[str]) -> int:
    if not value:
        return 1
    if not value.lstrip("-").isdigit():
        problems.append(f"The page {value!r} is not a number.")
        return 1
    number = int(value)
    if number < 1:
        problems.append("Pages start at 1.")
    elif number > MAX_PAGE:
        problems.append(f"There are never more than {MAX_PAGE} pages.")
    return number


def query_from_mapping(args: Mapping[str, Sequence[str] | str]) -> InboxQuery:
    """For callers with a plain dict (tests, the API): each value a string or a list."""
    def get(name: str) -> Sequence[str]:
        value = args.get(name, ())
        return [value] if isinstance(value, str) else list(value)

    return parse_inbox_query(get)
