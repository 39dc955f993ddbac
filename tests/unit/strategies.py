"""Hypothesis strategies for valid form definitions and answers that fit them.

Import as `from strategies import definitions` (pytest puts tests/unit on sys.path).
Definitions use short_text, choice, yes_no and number fields; conditions only read
fields asked earlier (or earlier on the same step), and compare choices with their
own options, so lint finds no reference or comparison mistakes in them. Branches go
forward, to endings, and (unless `backward=False`) sometimes back, which lint
reports as loops.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

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
