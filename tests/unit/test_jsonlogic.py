"""The JsonLogic evaluator: reference conformance, hostile-input limits, var discovery."""

from __future__ import annotations

import ast
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.logic import jsonlogic
from app.logic.jsonlogic import (
    MAX_ARRAY,
    MAX_DEPTH,
    MAX_OPERATIONS,
    MAX_STRING,
    JsonLogicError,
    apply,
    operators,
    referenced_vars,
    truthy,
)

# shared/ sits beside the repository (as in CI's fresh clone).
SHARED = Path(__file__).resolve().parents[3] / "shared"
CONFORMANCE = SHARED / "conformance" / "jsonlogic-tests.json"
CASES = [
    case
    for case in (json.loads(CONFORMANCE.read_text()) if CONFORMANCE.exists() else [])
    if not isinstance(case, str)  # plain strings are section comments
]


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but booleans are never numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def assert_json(value: Any) -> None:
    """Serialisable as strict JSON (no NaN/Infinity) and unchanged by a round trip."""
    assert json_equal(json.loads(json.dumps(value, allow_nan=False)), value)


def nested(levels: int, make: Any) -> Any:
    rule: Any = 1
    for _ in range(levels):
        rule = make(rule)
    return rule


def test_conformance_file_has_every_case() -> None:
    assert len(CASES) == 278, f"expected 278 cases in {CONFORMANCE}"


@pytest.mark.parametrize("module", ["jsonlogic", "jsvalues", "references"])
def test_the_evaluator_imports_only_the_standard_library_and_itself(module: str) -> None:
    """The evaluator is pure core: no Flask, no SQLAlchemy, nothing else from the app."""
    tree = ast.parse((Path(jsonlogic.__file__).parent / f"{module}.py").read_text())
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    modules |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    own = {"app.logic", "app.logic.jsvalues", "app.logic.references"}
    assert {name.split(".")[0] for name in modules - own} <= set(sys.stdlib_module_names)


@pytest.mark.parametrize(
    ("rule", "data", "expected"), CASES, ids=[f"case-{i:03d}" for i in range(len(CASES))]
)
def test_conformance(rule: Any, data: Any, expected: Any) -> None:
    result = apply(rule, data)
    assert json_equal(result, expected), f"{rule!r} on {data!r} gave {result!r}"


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"==": [0, False]}, None, True),
        ({"==": [None, False]}, None, False),
        ({"==": [None, {"var": "nope"}]}, {}, True),
        ({"==": [[], False]}, None, True),
        ({"==": [[1], "1"]}, None, True),
        ({"==": [[1], [1]]}, None, False),  # arrays compare by identity, as in JavaScript
        ({"==": [{"var": "a"}, {"var": "a"}]}, {"a": [1]}, True),
        ({"==": [" 12 ", 12]}, None, True),
        ({"==": ["0x10", 16]}, None, True),
        ({"<": ["a", "b"]}, None, True),
        ({"<": ["10", "9"]}, None, True),  # two strings compare as text
        ({">": ["abc", 1]}, None, False),  # NaN compares false both ways
        ({"<=": ["abc", 1]}, None, False),
        ({"<": [1]}, None, False),
        ({"+": ["3.5kg", "1e2"]}, None, 103.5),
        ({"+": []}, None, 0),
        ({"-": ["5"]}, None, -5),
        ({"*": ["2", "4"]}, None, 8),
        ({"%": [-7, 2]}, None, -1),
        ({"max": ["3", 2, None]}, None, 3),
        (
            {"cat": [None, True, 1.5, [1, [2, None]], {"a": 1, "b": 2}]},
            None,
            "true1.51,2,[object Object]",
        ),
        (
            {"cat": [1e21, "|", 1e-7, "|", 2**70, "|", 0.1]},
            None,
            "1e+21|1e-7|1.1805916207174113e+21|0.1",
        ),
        ({"in": [1, "a1b"]}, None, True),
        ({"in": ["", ""]}, None, False),
        ({"in": ["a", None]}, None, False),
        ({"substr": ["jsonlogic", 20]}, None, ""),
        ({"substr": ["jsonlogic", -20, 2]}, None, "js"),
        ({"var": "a.length"}, {"a": [1, 2, 3]}, 3),
        ({"var": "a.01"}, {"a": [1, 2, 3]}, None),
        ({"var": ["a", 5]}, {"a": None}, None),  # present but null is not "not found"
        ({"missing": ["a", "b"]}, {"a": "", "b": 0}, ["a"]),
        ({"all": [{"var": "nope"}, True]}, {}, False),
        ({"reduce": [[1, 2], {"var": "accumulator"}]}, None, None),
        ({"map": [[1, 2]]}, None, [None, None]),
        ({"and": []}, None, None),
        ({"log": "x"}, None, "x"),
        ({"a": 1, "b": 2}, None, {"a": 1, "b": 2}),  # several keys: data, not an operation
        ({}, None, {}),
    ],
)
def test_javascript_semantics(rule: Any, data: Any, expected: Any) -> None:
    assert json_equal(apply(rule, data), expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], False),
        ([0], True),
        ("", False),
        ("0", True),
        (0, False),
        (0.0, False),
        (math.nan, False),
        (-1, True),
        (None, False),
        ({}, True),
        (False, False),
    ],
)
def test_truthy(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


BIG = list(range(60_000))
HOSTILE: list[tuple[str, Any, Any, str]] = [
    ("deep-dict", nested(10_000, lambda r: {"!": r}), None, f"deeper than {MAX_DEPTH}"),
    ("deep-list", nested(10_000, lambda r: [r]), None, f"deeper than {MAX_DEPTH}"),
    ("deep-var-arg", nested(10_000, lambda r: {"var": [r]}), None, "deeper"),
    ("merge-big", {"merge": [{"var": "a"}, {"var": "a"}]}, {"a": BIG}, str(MAX_ARRAY)),
    (
        "merge-doubling",
        {"reduce": [list(range(40)), {"merge": [{"var": "accumulator"}] * 2}, [1]]},
        None,
        str(MAX_ARRAY),
    ),
    (
        "reduce-budget",
        {"reduce": [{"var": "a"}, {"+": [{"var": "accumulator"}, 1]}, 0]},
        {"a": BIG},
        str(MAX_OPERATIONS),
    ),
    (
        "nested-map-budget",
        {"map": [{"var": "a"}, {"map": [list(range(400)), 1]}]},
        {"a": list(range(400))},
        str(MAX_OPERATIONS),
    ),
    (
        "cat-doubling",
        {"reduce": [list(range(40)), {"cat": [{"var": "accumulator"}] * 2}, "x"]},
        None,
        str(MAX_STRING),
    ),
    ("cat-big", {"cat": [{"var": "s"}, {"var": "s"}]}, {"s": "x" * 60_000}, str(MAX_STRING)),
    (
        "self-nesting-result",
        {"reduce": [list(range(100)), [{"var": "accumulator"}] * 2, 0]},
        None,
        "deeper",
    ),
    ("deep-data", {"cat": [{"var": "d"}]}, {"d": nested(10_000, lambda r: [r])}, "deeper"),
    (
        "long-text-loop",
        {"reduce": [list(range(30_000)), {"substr": [{"var": "accumulator"}, 1]}, {"var": "s"}]},
        {"s": "x" * 1_000_000},
        "operations",
    ),
    ("long-list-literal", {"merge": [list(range(MAX_OPERATIONS + 1))]}, None, "operations"),
    ("unknown", {"foo": 1}, None, "Unknown operator 'foo'"),
    ("method", {"method": ["abc", "toUpperCase"]}, None, "Unknown operator 'method'"),
    ("dotted", {"Math.abs": [-1]}, None, "Unknown operator 'Math.abs'"),
    ("unknown-nested", {"if": [True, {"eval": "x"}]}, None, "Unknown operator 'eval'"),
    ("div-zero", {"/": [1, 0]}, None, "Division by zero"),
    ("mod-zero", {"%": [1, {"var": "z"}]}, {"z": 0}, "Division by zero"),
    ("nan-result", {"+": ["abc"]}, None, "not a finite number"),
    ("overflow", {"*": [1e308, 10]}, None, "not a finite number"),
    ("max-empty", {"max": []}, None, "not a finite number"),
    ("mul-empty", {"*": []}, None, "'*'"),
    ("missing-some-shape", {"missing_some": [1, None]}, None, "'missing_some'"),
]


@pytest.mark.parametrize(
    ("rule", "data", "message"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_rules_fail_promptly(rule: Any, data: Any, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(JsonLogicError, match=message.replace(".", r"\.").replace("*", r"\*")):
        apply(rule, data)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("rule", "data", "expected"),
    [
        ({"var": {}}, {}, None),  # json-logic-js reads the key "[object Object]"
        ({"substr": 5}, None, "5"),  # json-logic-js substrings String(5)
        ({"var": [[1, 2]]}, {"1,2": "x"}, "x"),
        ({"in": [[1], {"var": "big"}]}, {"big": BIG}, False),
        ({"var": "9" * 5000}, ["a"], None),  # no int() of a 5000-digit index
        ({"==": [10**400, 10**400]}, None, True),
        ({"cat": [10**400]}, None, "Infinity"),
        ({"substr": ["abc", 1e300, -1e300]}, None, ""),
        ({"var": ".".join(["0"] * 5000)}, "abc", "a"),
        ({"all": ["abc", {"!=": [{"var": ""}, "x"]}]}, None, True),  # walks the characters
        # number parsing of long digit runs must stay linear (no regex backtracking)
        ({"==": [{"var": "s"}, 1]}, {"s": "1" * 100_000 + "x"}, False),
        ({"<": [{"var": "s"}, 1]}, {"s": "." + "1" * 100_000 + "e"}, False),
        ({"cat": [{"+": [{"var": "s"}, 1]}]}, {"s": " 1" + "0" * 50_000 + "x"}, "Infinity"),
    ],
)
def test_odd_shapes_follow_the_reference(rule: Any, data: Any, expected: Any) -> None:
    started = time.monotonic()
    assert json_equal(apply(rule, data), expected)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"var": "a.b"}, {"a.b"}),
        ({"var": ["a", {"var": "b"}]}, {"a", "b"}),
        ({"var": 1}, {"1"}),
        ({"var": ""}, set()),
        ({"and": [{"==": [{"var": "x"}, 1]}, {"!": {"var": ["y", 0]}}]}, {"x", "y"}),
        ({"var": [{"cat": ["a", {"var": "b"}]}]}, {"b"}),
        ({"missing": ["a", "b"]}, {"a", "b"}),
        ({"missing": "c"}, {"c"}),
        ({"missing_some": [1, ["d", "e"]]}, {"d", "e"}),
        ({"map": [{"var": "items"}, {"*": [{"var": "qty"}, {"var": "price"}]}]}, {"items"}),
        ({"reduce": [{"var": "xs"}, {"+": [{"var": "current"}, 1]}, {"var": "z"}]}, {"xs", "z"}),
        ({"some": [{"var": "tags"}, {"==": [{"var": ""}, "vip"]}]}, {"tags"}),
        ({"if": [{"var": "a"}, [{"var": "b"}], {"a": {"var": "c"}, "k": 1}]}, {"a", "b"}),
        ({"foo": {"var": "q"}}, {"q"}),
    ],
)
def test_referenced_vars(rule: Any, expected: set[str]) -> None:
    assert referenced_vars(rule) == expected


@pytest.mark.parametrize(
    "rule",
    [
        None,
        3,
        "x",
        [],
        {},
        {"var": None},
        {"var": []},
        {"var": True},
        {"missing": 7},
        {"missing_some": "x"},
        {"map": None},
        {1: 2},
        nested(10_000, lambda r: {"and": [r]}),
        nested(10_000, lambda r: [r]),
    ],
)
def test_referenced_vars_never_raises(rule: Any) -> None:
    assert isinstance(referenced_vars(rule), set)


def test_operators_cover_the_dispatch_table() -> None:
    names = operators()
    assert {"var", "missing", "missing_some", "if", "?:", "reduce", "substr", "log"} <= names
    assert "method" not in names
    for name in names:
        try:
            apply({name: []})
        except JsonLogicError as exc:
            assert "Unknown operator" not in str(exc)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
names = st.sampled_from(sorted(operators())) | st.text(max_size=4)
rules = st.recursive(
    scalars | st.sampled_from(["", "a", "a.b", "0", "current", "accumulator", "-1", "0x1f"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(names, inner, min_size=1, max_size=1)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=25,
)
data = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["a", "b", "0", "1"]) | st.text(max_size=3), inner, max_size=4
        )
    ),
    max_leaves=15,
)


@settings(max_examples=400, deadline=500, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules, data=data)
def test_random_rules_give_json_or_jsonlogicerror(rule: Any, data: Any) -> None:
    try:
        result = apply(rule, data)
    except JsonLogicError:
        pass
    else:
        assert_json(result)
    assert all(isinstance(name, str) for name in referenced_vars(rule))
