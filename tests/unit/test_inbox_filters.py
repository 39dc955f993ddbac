"""The inbox's pure parts: filters from the URL and back, the SLA timer's words, history in
words; and they stay pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.sales.countdown import duration_text, sla_timer
from app.sales.history_text import describe_event, people_in
from app.sales.inbox_filters import (
    InboxQuery,
    InboxQueryError,
    created_bounds,
    page_count,
    query_from_mapping,
)
from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

PURE = ["inbox_filters.py", "countdown.py", "history_text.py"]


def test_the_inbox_core_imports_no_flask_and_no_database():
    for name in PURE:
        path = ROOT / "app" / "sales" / name
        offenders = [source for source in {path, *reachable_sources(path)}
                     if any(map(is_forbidden, imported_modules(source)))]
        assert offenders == []


def test_no_parameters_mean_active_leads_newest_first():
    query = query_from_mapping({})

    assert query == InboxQuery()
    assert (query.archived, query.sort, query.page, query.is_filtered) == ("no", "newest", 1,
                                                                            False)
    assert query.params() == []


def test_every_filter_is_read_and_written_back_the_same():
    args = {"stage": ["sql", "MQL", "sql"], "owner": "12", "form": "3", "source": "google",
            "from": "2026-12-01", "to": "2026-12-31", "archived": "all", "q": " ada ",
            "sort": "score_desc", "page": "2"}

    query = query_from_mapping(args)

    assert query.stages == ("sql", "mql") and query.owner_id == 12 and query.form_id == 3
    assert (query.created_from, query.created_to) == (date(2026, 12, 1), date(2026, 12, 31))
    assert query.text == "ada" and query.is_filtered
    assert query_from_mapping(_as_mapping(query.params())) == query
    assert ("page", "3") in query.params(page=3) and ("page", "2") not in query.params(page=3)


def _as_mapping(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = {}
    for name, value in pairs:
        mapping.setdefault(name, []).append(value)
    return mapping


def test_blank_values_are_no_filter():
    query = query_from_mapping({"stage": [""], "owner": "", "form": "", "from": "", "page": ""})

    assert query == InboxQuery()


@pytest.mark.parametrize(("args", "message"), [
    ({"stage": "hot"}, "Unknown stage 'hot'"),
    ({"owner": "-3"}, "Unknown owner '-3'"),
    ({"owner": "0"}, "Unknown owner '0'"),
    ({"form": "1e3"}, "Unknown form '1e3'"),
    ({"from": "2026-12-1"}, "write it as YYYY-MM-DD"),
    ({"to": "20261201"}, "write it as YYYY-MM-DD"),
    ({"from": "2026-02-30"}, "is not a date"),
    ({"from": "2026-12-02", "to": "2026-12-01"}, "ends (2026-12-01) before it starts"),
    ({"archived": "maybe"}, "for archived: use no, yes or all"),
    ({"sort": "name"}, "Unknown sort 'name'"),
    ({"page": "0"}, "Pages start at 1."),
    ({"page": "-2"}, "Pages start at 1."),
    ({"page": "1.5"}, "is not a number"),
    ({"page": "1000001"}, "never more than"),
    ({"q": "x" * 201}, "The search is too long"),
    ({"source": "s" * 101}, "The source is too long"),
    ({"owner": ["me", "unassigned"]}, "Give 'owner' once, not 2 times."),
])
def test_a_bad_parameter_says_what_is_wrong(args, message):
    with pytest.raises(InboxQueryError) as raised:
        query_from_mapping(args)

    assert any(message in problem for problem in raised.value.problems), raised.value.problems


def test_every_problem_is_reported_at_once():
    with pytest.raises(InboxQueryError) as raised:
        query_from_mapping({"stage": "hot", "from": "soon", "page": "0"})

    assert len(raised.value.problems) == 3


def test_the_date_range_is_the_viewers_whole_local_days():
    query = query_from_mapping({"from": "2026-12-01", "to": "2026-12-01"})

    start, end = created_bounds(query, ZoneInfo("America/New_York"))

    assert start == datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert end == datetime(2026, 12, 2, 5, tzinfo=UTC)
    assert created_bounds(InboxQuery(), ZoneInfo("UTC")) == (None, None)


def test_a_day_across_a_clock_change_is_23_hours_long():
    query = query_from_mapping({"from": "2026-03-29", "to": "2026-03-29"})

    start, end = created_bounds(query, ZoneInfo("Europe/Paris"))

    assert end - start == timedelta(hours=23)


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (50, 1), (51, 2), (312, 7)])
def test_pages_of_fifty(total, pages):
    assert page_count(total) == pages


NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_the_timer_runs_until_the_first_touch():
    assert sla_timer(NOW + timedelta(minutes=15), None, NOW).text == "15 min left"
    late = sla_timer(NOW - timedelta(seconds=70), None, NOW)
    assert late.overdue and late.text == "overdue by 1 min 10 s"
    assert sla_timer(NOW, None, NOW).overdue  # due now is due
    assert sla_timer(NOW + timedelta(minutes=15), NOW, NOW) is None
    assert sla_timer(None, None, NOW) is None


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 s"), (9, "9 s"), (60, "1 min"), (250, "4 min 10 s"), (3600, "1 h"),
    (3900, "1 h 5 min"), (86400, "1 d"), (2 * 86400 + 3 * 3600 + 59, "2 d 3 h"), (-5, "0 s"),
])
def test_durations_read_as_at_most_two_units(seconds, text):
    assert duration_text(seconds) == text


def test_history_entries_read_as_sentences_naming_people():
    names = {7: "Sam Rivera", 9: "Priya Shah"}

    assert describe_event("stage", "sql", "recycled", {"reason": "disposition not_now"},
                          names) == "SQL → Recycled: disposition not_now"
    assert describe_event("stage", None, "mql", {}, names) == "New → MQL"
    assert describe_event("reassigned", None, None, {"from_user_id": 7, "to_user_id": 9},
                          names) == "Reassigned from Sam Rivera to Priya Shah"
    assert describe_event("disposition", None, None,
                          {"code": "spam", "track": None, "note": ""}, names) == (
        "Rejected: Spam, closed")
    assert describe_event("route", None, None,
                          {"destination": {"kind": "book", "target": "ae/intro"},
                           "assignment": {"rep_id": 7, "why": "round robin"}}, names) == (
        "Routed to book ae/intro, assigned to Sam Rivera (round robin)")
    assert describe_event("something_new", None, None, None, names) == "Something new"


def test_an_escalation_reads_as_how_late_and_who_got_the_lead():
    names = {9: "Priya Shah"}
    details = {"stage": "sql", "late_seconds": 3900, "target_minutes": 15, "owner_id": 7,
               "reassigned_to_id": 9}

    assert describe_event("sla", None, None, details, names) == (
        "First touch overdue (SQL target) by 1 h 5 min; reassigned to Priya Shah")
    assert people_in(details) == {7, 9}
    assert describe_event("sla", None, None, {"late_seconds": "x"}, names) == (
        "First touch overdue")
    assert people_in({"from_user_id": 7, "to_user_id": None, "assignment": {"rep_id": 9},
                      "user_id": True}) == {7, 9}
