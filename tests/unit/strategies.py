"""Hypothesis strategies: valid form definitions and answers that fit them, and (below)
arbitrary JSON, JsonLogic rules, facts (contact properties, UTMs, signals), scoring
models, routes and rep calendars for the fuzz tests, each plausible and junk.

Import as `from strategies import definitions` (pytest puts tests/unit on sys.path).
Definitions use short_text, choice, yes_no and number fields; conditions only read
fields asked earlier (or earlier on the same step), and compare choices with their
own options, so lint finds no reference or comparison mistakes in them. Branches go
forward, to endings, and (unless `backward=False`) sometimes back, which lint
reports as loops.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import strategies as st

from app.booking.slots import Interval, MeetingSpec, RepCalendar

FIELD_TYPES = ("short_text", "choice", "yes_no", "number")
OPTION_VALUES = ("a", "b", "c", "d")
TEXTS = ("", "x", "hello", "a")

Rule = Any
Field = dict[str, Any]


def _sometimes(one_in: int) -> st.SearchStrategy[bool]:
    return st.integers(0, one_in - 1).map(lambda n: n == 0)


@st.composite
def fields(draw: st.DrawFn, field_id: str) -> Field:
    """One field of a random supported type; choices get 1-3 distinct options."""
    kind = draw(st.sampled_from(FIELD_TYPES))
    field: Field = {"id": field_id, "type": kind, "label": f"Question {field_id}?"}
    if kind == "choice":
        values = draw(st.lists(st.sampled_from(OPTION_VALUES), min_size=1, max_size=3, unique=True))
        field["options"] = [{"value": value} for value in values]
    return field


def _test_of(field: Field) -> st.SearchStrategy[Rule]:
    """A comparison that makes sense for the field's type."""
    var = {"var": f"answers.{field['id']}"}
    kind = field["type"]
    if kind == "choice":
        values = [option["value"] for option in field["options"]]
        return st.one_of(
            st.sampled_from(values).map(lambda value: {"==": [var, value]}),
            st.lists(st.sampled_from(values), min_size=1, unique=True).map(
                lambda picked: {"in": [var, picked]}
            ),
        )
    if kind == "yes_no":
        return st.one_of(
            st.booleans().map(lambda flag: {"===": [var, flag]}), st.just({"!": [var]})
        )
    if kind == "number":
        return st.tuples(st.sampled_from([">", "<", ">=", "<="]), st.integers(-5, 5)).map(
            lambda pair: {pair[0]: [var, pair[1]]}
        )
    return st.one_of(
        st.sampled_from(TEXTS).map(lambda text: {"==": [var, text]}),
        st.just({"!=": [var, None]}),
        st.just({"in": ["x", var]}),
    )


@st.composite
def conditions(draw: st.DrawFn, known: list[Field]) -> Rule:
    """A condition over `known` fields: a test, or and/or/not of tests, or a literal."""
    if not known or draw(_sometimes(8)):
        return draw(st.booleans())
    first = draw(_test_of(draw(st.sampled_from(known))))
    shape = draw(st.sampled_from(["test", "test", "and", "or", "not"]))
    if shape == "not":
        return {"!": [first]}
    if shape in ("and", "or"):
        return {shape: [first, draw(_test_of(draw(st.sampled_from(known))))]}
    return first


@st.composite
def _branch(
    draw: st.DrawFn,
    index: int,
    step_ids: list[str],
    ending_ids: list[str],
    known: list[Field],
    backward: bool,
) -> dict[str, Any]:
    kinds = ["forward", "forward", "ending", "ending"] + (["backward"] if backward else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "forward" and index + 1 < len(step_ids):
        goto = draw(st.sampled_from(step_ids[index + 1 :]))
    elif kind == "backward":
        goto = draw(st.sampled_from(step_ids[: index + 1]))
    else:
        goto = draw(st.sampled_from(ending_ids))
    rule = True if draw(_sometimes(4)) else draw(conditions(known))
    return {"if": rule, "goto": goto}


@st.composite
def definitions(draw: st.DrawFn, max_steps: int = 5, backward: bool = True) -> dict[str, Any]:
    """A definition that passes validate: 1-`max_steps` steps, 1-3 endings."""
    step_ids = [f"s{i}" for i in range(draw(st.integers(1, max_steps)))]
    ending_ids = [f"end{i}" for i in range(draw(st.integers(1, 3)))]
    asked: list[Field] = []
    steps: list[dict[str, Any]] = []
    for index, step_id in enumerate(step_ids):
        here: list[Field] = []
        for _ in range(draw(st.integers(1, 3))):
            field = draw(fields(f"q{len(asked) + len(here)}"))
            if (asked or here) and draw(_sometimes(4)):
                field["visible_if"] = draw(conditions(asked + here))
            here.append(field)
        step: dict[str, Any] = {"id": step_id, "title": f"Step {index}", "fields": here}
        if draw(_sometimes(3)):
            step["visible_if"] = draw(conditions(asked))  # a literal while nothing is asked
        branch = _branch(index, step_ids, ending_ids, asked + here, backward)
        branches = draw(st.lists(branch, max_size=2))
        if branches:
            step["next"] = branches
        steps.append(step)
        asked += here
    endings = [
        {"id": ending_id, "type": "message", "title": "Thanks", "message": "Bye."}
        for ending_id in ending_ids
    ]
    return {"schema": 1, "title": "Generated", "steps": steps, "endings": endings}


def _answer_for(field: Field) -> st.SearchStrategy[Any]:
    kind = field["type"]
    if kind == "choice":
        return st.sampled_from([option["value"] for option in field["options"]])
    if kind == "yes_no":
        return st.booleans()
    if kind == "number":
        return st.one_of(
            st.integers(-10, 10), st.floats(-10, 10, allow_nan=False, allow_infinity=False)
        )
    return st.one_of(st.sampled_from(TEXTS), st.text(max_size=5))


def answers_for(definition: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Answers to any subset of the definition's fields, each of the field's type."""
    every = [field for step in definition["steps"] for field in step["fields"]]
    return st.fixed_dictionaries({}, optional={f["id"]: _answer_for(f) for f in every})


@st.composite
def definitions_with_answers(
    draw: st.DrawFn, max_steps: int = 5, backward: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A definition and answers that fit it."""
    definition = draw(definitions(max_steps=max_steps, backward=backward))
    return definition, draw(answers_for(definition))


# --- arbitrary JSON --------------------------------------------------------------------

JSON_WORDS = (
    "answers.q0", "contact.job_level", "signals.pricing_views_7d", "lead.stage", "hidden.x",
    "var", "==", "in", "and", "or", "!", ">=", "if", "fit", "intent", "sql", "mql", "book",
    "nurture", "redirect", "disqualify", "team/intro-30", "https://example.com", "", "\x00",
    "\u202e", "é", "2025-02-30", "2026-01-01T00:00:00+00:00",
)
json_scalars = (
    st.none() | st.booleans() | st.integers(-(10**18), 10**18)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
    | st.sampled_from(JSON_WORDS)
)
json_keys = st.sampled_from(JSON_WORDS) | st.text(max_size=6)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(json_keys, children,
                                                                       max_size=4),
    max_leaves=20,
)


# --- JsonLogic conditions over facts ---------------------------------------------------

FACT_VARS = (
    "answers.q0", "answers.q1", "answers.email", "hidden.utm_source", "hidden.utm_campaign",
    "contact.job_level", "contact.company_size", "contact.email_type", "contact.email",
    "signals.pricing_views_7d", "signals.page_views_30d", "signals.visit_days_30d",
    "lead.stage", "lead.score.total", "lead.score.fit", "workspace.competitor_domains",
    "submission.at", "unknown.thing", "", "answers",
)
OPERATORS = ("==", "!=", "===", "!==", ">", ">=", "<", "<=", "in", "and", "or", "!", "!!",
             "if", "+", "-", "*", "/", "%", "min", "max", "cat", "substr", "merge", "missing",
             "missing_some", "some", "all", "none", "map", "filter", "reduce", "var",
             "no_such_op")


def rules() -> st.SearchStrategy[Any]:
    """JsonLogic rules: mostly well formed over known facts, sometimes broken or hostile."""
    var = st.sampled_from(FACT_VARS).map(lambda name: {"var": name}) | st.tuples(
        st.sampled_from(FACT_VARS), json_scalars).map(lambda pair: {"var": list(pair)})
    leaves = json_scalars | var
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.tuples(st.sampled_from(OPERATORS), st.lists(children, max_size=3)).map(
                lambda pair: {pair[0]: pair[1]}),
            st.tuples(st.sampled_from(OPERATORS), children).map(lambda pair: {pair[0]: pair[1]}),
            st.lists(children, max_size=3),
        ),
        max_leaves=12,
    )


# --- facts: contact properties, UTMs, signals --------------------------------------------

UTM_NAMES = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid")
PROPERTY_NAMES = ("email", "first_name", "job_level", "company_size", "company", "industry",
                  "crm", "timeline", "email_type", "company_domain", "country")
odd_text = st.text(max_size=40) | st.sampled_from(("", " ", "\x00", "\u202e", "a" * 300,
                                                    "=cmd|' /C calc'!A0", "<script>"))
property_values = (odd_text | st.integers(-(10**12), 10**12) | st.booleans() | st.none()
                   | st.lists(odd_text, max_size=3) | st.floats(allow_nan=True))
contact_properties = st.dictionaries(st.sampled_from(PROPERTY_NAMES) | st.text(max_size=8),
                                     property_values, max_size=8)
utm_values = st.dictionaries(st.sampled_from(UTM_NAMES), odd_text, max_size=6)
signal_counts = st.dictionaries(
    st.sampled_from(("page_views_30d", "pricing_views_7d", "visit_days_30d")),
    st.integers(0, 10**6) | st.floats(allow_nan=True) | st.none() | odd_text, max_size=3,
)
iso_times = st.datetimes(timezones=st.none() | st.just(UTC)).map(lambda moment: moment.isoformat())


@st.composite
def signals(draw: st.DrawFn) -> dict[str, Any]:
    """Signal aggregates as scoring reads them, with `last_at` times (some malformed)."""
    counts = draw(signal_counts)
    last_at = draw(st.dictionaries(st.sampled_from(tuple(counts) or ("page_views_30d",)),
                                   iso_times | odd_text | st.none(), max_size=3))
    return {**counts, "last_at": last_at}


@st.composite
def fact_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The facts document of docs/definition.md, each part plausible or junk."""
    lead = draw(st.fixed_dictionaries({}, optional={
        "stage": st.sampled_from(("lead", "mql", "sql", "disqualified", "recycled")) | odd_text,
        "score": st.fixed_dictionaries({}, optional={
            "total": st.floats(-1e6, 1e6) | st.integers(), "fit": st.integers(-100, 100)}),
    }))
    parts = {
        "answers": st.dictionaries(st.sampled_from(("q0", "q1", "email")) | st.text(max_size=5),
                                   property_values, max_size=4),
        "hidden": utm_values, "contact": contact_properties, "signals": signals(),
        "lead": st.just(lead), "submission": st.fixed_dictionaries(
            {}, optional={"at": iso_times | odd_text | st.none()}),
        "workspace": st.fixed_dictionaries(
            {}, optional={"competitor_domains": st.lists(odd_text, max_size=3) | odd_text}),
    }
    document = {name: draw(part) for name, part in parts.items() if draw(_sometimes(6)) is False}
    if draw(_sometimes(10)):
        document[draw(st.sampled_from(tuple(parts)))] = draw(json_values)  # a malformed part
    return document


# --- scoring models and routes ---------------------------------------------------------

points = st.integers(-1000, 1000) | st.floats(allow_nan=True, allow_infinity=True) | st.integers(
    -(10**30), 10**30) | json_scalars


@st.composite
def scoring_rules(draw: st.DrawFn, index: int) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": draw(st.just(f"r{index}") | st.sampled_from(("", "cap:fit", "r0")) | json_scalars),
        "if": draw(rules()), "points": draw(points),
        "dimension": draw(st.sampled_from(("fit", "intent")) | json_scalars),
        "reason": draw(st.just("Because") | json_scalars),
    }
    if draw(_sometimes(3)):
        rule["half_life_days"] = draw(st.floats(0.01, 365) | points)
    for key in draw(st.lists(st.sampled_from(tuple(rule)), max_size=1)):
        del rule[key]  # a rule missing a key
    return rule


@st.composite
def scoring_models(draw: st.DrawFn) -> Any:
    """A scoring model (docs/qualification.md): mostly the right shape, some junk inside."""
    if draw(_sometimes(12)):
        return draw(json_values)
    count = draw(st.integers(0, 6))
    model: dict[str, Any] = {
        "schema": 1, "rules": [draw(scoring_rules(index)) for index in range(count)],
        "thresholds": {"mql": draw(points), "sql": draw(points)},
    }
    if draw(_sometimes(2)):
        model["caps"] = draw(st.dictionaries(st.sampled_from(("fit", "intent", "x")), points,
                                             max_size=2) | json_values)
    if draw(_sometimes(3)):
        model["sql_gates"] = draw(st.lists(st.fixed_dictionaries(
            {"if": rules(), "reason": st.just("Gate") | json_scalars}), max_size=2))
    if draw(_sometimes(8)):
        model[draw(json_keys)] = draw(json_values)
    return model


destinations = st.one_of(
    st.sampled_from(({"book": "ae-team/intro-30"}, {"nurture": "general"},
                     {"disqualify": "Sorry."}, {"redirect": "https://example.com/x"},
                     {"book": "Bad Team/x"}, {"redirect": "javascript:alert(1)"},
                     {"book": "a/b", "nurture": "c"}, {}, {"teleport": "x"})),
    st.dictionaries(st.sampled_from(("book", "nurture", "disqualify", "redirect")),
                    json_scalars, min_size=1, max_size=1),
    json_values,
)


@st.composite
def route_rules(draw: st.DrawFn) -> Any:
    """A form's `route`: ordered rules, usually ending with a catch-all."""
    if draw(_sometimes(12)):
        return draw(json_values)
    items: list[Any] = [
        {"if": draw(rules()), "to": draw(destinations)}
        for _ in range(draw(st.integers(0, 4)))
    ]
    if draw(_sometimes(6)):
        items.append(draw(json_values))
    if not draw(_sometimes(4)):
        items.append({"if": True, "to": {"nurture": "general"}})
    return items


# --- rep calendars and meeting specs ---------------------------------------------------

TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
             "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns",
             "Pacific/Apia", "Europe/London")
# Around DST changes in several zones, and an ordinary week.
NOWS = (datetime(2026, 3, 6, 13, 7, tzinfo=UTC), datetime(2026, 10, 23, 22, 59, tzinfo=UTC),
        datetime(2026, 6, 1, 0, 0, tzinfo=UTC), datetime(2026, 3, 28, 23, 30, tzinfo=UTC))

clock_times = st.integers(0, 24 * 60 // 5 - 1).map(lambda n: time(n * 5 // 60, n * 5 % 60))
intervals_of_a_day = st.lists(st.tuples(clock_times, clock_times), max_size=3).map(tuple)


@st.composite
def rep_calendars(draw: st.DrawFn, rep_id: int, now: datetime) -> RepCalendar:
    """A rep's week in some timezone, with day overrides, busy times and bookings."""
    weekly = draw(st.dictionaries(st.integers(0, 6), intervals_of_a_day, max_size=7))
    days = st.integers(-2, 16).map(lambda offset: (now + timedelta(days=offset)).date())
    overrides = draw(st.dictionaries(days, intervals_of_a_day, max_size=3))
    busy_start = st.integers(-2 * 24 * 60, 16 * 24 * 60).map(
        lambda minutes: now + timedelta(minutes=minutes))
    busy = draw(st.lists(st.tuples(busy_start, st.integers(-30, 8 * 60)).map(
        lambda pair: Interval(pair[0], pair[0] + timedelta(minutes=pair[1]))), max_size=8))
    bookings = draw(st.dictionaries(days, st.integers(0, 4), max_size=4))
    return RepCalendar(rep_id=rep_id, timezone=draw(st.sampled_from(TIMEZONES)),
                       weekly=weekly, overrides=overrides, busy=tuple(busy),
                       bookings_per_day=bookings)


minutes = st.integers(0, 180).map(lambda n: timedelta(minutes=n))
meeting_specs = st.builds(
    MeetingSpec,
    duration=st.integers(1, 240).map(lambda n: timedelta(minutes=n)),
    buffer_before=minutes, buffer_after=minutes,
    min_notice=st.integers(0, 3 * 24 * 60).map(lambda n: timedelta(minutes=n)),
    horizon_days=st.integers(0, 15),
    step=st.sampled_from((5, 10, 15, 20, 30, 45, 60, 90)).map(lambda n: timedelta(minutes=n)),
    daily_cap=st.none() | st.integers(0, 4),
)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[list[RepCalendar], MeetingSpec, datetime]:
    """A team of 1-4 reps, a meeting type and the moment slots are asked for."""
    now = draw(st.sampled_from(NOWS)) + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    reps = [draw(rep_calendars(rep_id, now)) for rep_id in range(1, draw(st.integers(1, 4)) + 1)]
    return reps, draw(meeting_specs), now


# --- definitions with profiling, and the facts a visitor brings --------------------------

QUEUE_TYPES = ("short_text", "choice", "dropdown", "yes_no", "number", "email")


@st.composite
def queued_fields(draw: st.DrawFn, field_id: str) -> Field:
    kind = draw(st.sampled_from(QUEUE_TYPES))
    field: Field = {"id": field_id, "type": kind, "label": f"{field_id}?",
                    "property": draw(st.sampled_from(PROPERTY_NAMES))}
    if kind in ("choice", "dropdown"):
        values = draw(st.lists(st.sampled_from(OPTION_VALUES), min_size=1, max_size=3,
                               unique=True))
        field["options"] = [{"value": value} for value in values]
    return field


@st.composite
def profiled_definitions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid definition whose fields name contact properties, with a profiling queue."""
    definition = draw(definitions(max_steps=3))
    for step in definition["steps"]:
        for field in step["fields"]:
            if draw(_sometimes(2)):
                field["property"] = draw(st.sampled_from(PROPERTY_NAMES))
    queue = [draw(queued_fields(f"p{index}")) for index in range(draw(st.integers(0, 4)))]
    definition["profiling"] = {"queue": queue, "max_new_per_visit": draw(st.integers(0, 3))}
    return definition


def known_properties(definition: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Fresh properties of a proven visitor: fitting answers or junk, by property name."""
    every = [field for step in definition["steps"] for field in step["fields"]]
    every += definition.get("profiling", {}).get("queue", [])
    fitting = {f["property"]: _answer_for(f) | property_values for f in every if "property" in f}
    return st.fixed_dictionaries({}, optional=fitting) | contact_properties


# --- models and routes that pass their checkers ------------------------------------------

SOUND_VARS = tuple(name for name in FACT_VARS if "." in name and not name.startswith("unknown"))


def sound_rules() -> st.SearchStrategy[Any]:
    """Well-formed conditions over known facts: comparisons joined by and/or/not."""
    test = st.tuples(st.sampled_from(("==", "!=", ">", ">=", "<", "<=", "in")),
                     st.sampled_from(SOUND_VARS), json_scalars).map(
        lambda parts: {parts[0]: [{"var": parts[1]}, parts[2]]}
        if parts[0] != "in" else {"in": [{"var": parts[1]}, [parts[2], "x"]]})
    return st.recursive(test, lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda items: {"and": items}),
        st.lists(children, min_size=1, max_size=3).map(lambda items: {"or": items}),
        children.map(lambda item: {"!": [item]}),
    ), max_leaves=6)


@st.composite
def sound_scoring_models(draw: st.DrawFn) -> dict[str, Any]:
    """A scoring model that validate_model accepts."""
    mql = draw(st.integers(0, 100))
    model_rules = []
    for index in range(draw(st.integers(0, 8))):
        rule = {"id": f"r{index}", "if": draw(sound_rules()),
                "points": draw(st.integers(-1000, 1000)),
                "dimension": draw(st.sampled_from(("fit", "intent"))), "reason": "Because"}
        if draw(_sometimes(3)):
            rule["half_life_days"] = draw(st.floats(0.01, 365) | st.integers(1, 365))
        model_rules.append(rule)
    model: dict[str, Any] = {"schema": 1, "rules": model_rules,
                             "thresholds": {"mql": mql, "sql": mql + draw(st.integers(0, 100))}}
    if draw(_sometimes(2)):
        model["caps"] = draw(st.fixed_dictionaries({}, optional={
            "fit": st.integers(0, 200), "intent": st.floats(0, 200)}))
    return model


sound_destinations = st.sampled_from((
    {"book": "ae-team/intro-30"}, {"nurture": "general"}, {"disqualify": "Sorry."},
    {"redirect": "https://example.com/x"}))


@st.composite
def sound_routes(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Route rules that lint_route accepts: sound conditions, a catch-all last."""
    items = [{"if": draw(sound_rules()), "to": draw(sound_destinations)}
             for _ in range(draw(st.integers(0, 4)))]
    return [*items, {"if": True, "to": draw(sound_destinations)}]
