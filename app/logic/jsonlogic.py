"""A pure JsonLogic evaluator with the semantics of json-logic-js (jsonlogic.com).

Rules come from marketers and imports, so depth, work and output size are bounded and
every failure is a `JsonLogicError`. Departures from json-logic-js say "Deviation:".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import reduce
from operator import add
from typing import Any, Final

from app.logic import jsvalues as js
from app.logic.references import SCOPED, referenced_vars

MAX_DEPTH: Final = 64
MAX_OPERATIONS: Final = 100_000
MAX_STRING: Final = 100_000
MAX_ARRAY: Final = 100_000


class JsonLogicError(ValueError):
    """The one error every bad rule ends in, so callers need a single except clause."""


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: JavaScript's, except that an empty array is falsy."""
    if value is None or value is js.UNDEF:
        return False
    if isinstance(value, bool | str | list):
        return bool(value)
    return value == value and value != 0 if isinstance(value, int | float) else True


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else js.UNDEF


class _Evaluator:
    """One `apply` call: its budget and depth, and the operators that spend them."""

    def __init__(self) -> None:
        self.budget = MAX_OPERATIONS
        self.depth = 0

    def charge(self, cost: int = 1) -> None:
        self.budget -= cost
        if self.budget < 0:
            raise JsonLogicError(f"Rule needs more than {MAX_OPERATIONS} operations")

    def eval(self, rule: Any, data: Any) -> Any:
        self.charge()
        is_op = isinstance(rule, dict) and len(rule) == 1  # other dicts are data, as in JS
        if not (is_op or isinstance(rule, list)):
            return rule
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise JsonLogicError(f"Rule is nested deeper than {MAX_DEPTH} levels")
            if not is_op:
                return [self.eval(item, data) for item in rule]
            ((op, raw),) = rule.items()
            args = raw if isinstance(raw, list) else [raw]
            fn = _OPERATORS.get(op) if isinstance(op, str) else None
            if fn is None:
                raise JsonLogicError(f"Unknown operator {str(op)[:40]!r}")
            if op not in _LAZY:
                args = [self.eval(arg, data) for arg in args]
                self.charge(js.text_size(args) // 100)  # operators may scan their strings
            return fn(self, args, data)
        finally:
            self.depth -= 1

    # JavaScript conversions; they spend budget because arrays may be large.

    def string(self, value: Any, depth: int = 0) -> str:
        """String(value); arrays are joined with "," and their nulls left empty."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or value is None or value is js.UNDEF:
            return {True: "true", False: "false", None: "null"}.get(value, "undefined")
        if isinstance(value, int | float):
            return js.num_to_str(js.to_float(value))
        if not isinstance(value, list):
            return "[object Object]"
        if depth >= MAX_DEPTH:
            raise JsonLogicError(f"Value is nested deeper than {MAX_DEPTH} levels")
        self.charge(len(value))
        parts: list[str] = []
        size = 0
        for item in value:
            parts.append("" if item is None else self.string(item, depth + 1))
            size += len(parts[-1]) + 1
            if size > MAX_STRING + 1:
                raise JsonLogicError(f"Text would be longer than {MAX_STRING} characters")
        return ",".join(parts)

    def primitive(self, value: Any) -> Any:
        return self.string(value) if js.js_type(value) == "object" else value

    def number(self, value: Any) -> float:
        kind = js.js_type(value)
        if kind in ("null", "boolean", "number"):
            return js.to_float(value or 0)
        if kind == "undefined" or (kind == "object" and not isinstance(value, list)):
            return math.nan
        return js.str_to_number(self.string(value))

    def parse_float(self, value: Any) -> float:
        match = js.DECIMAL.match(self.string(value).lstrip(js.WHITESPACE))
        return float(match.group()) if match else math.nan

    def loose_eq(self, a: Any, b: Any) -> bool:
        """JavaScript's abstract equality (==), which json-logic-js uses as is."""
        ta, tb = js.js_type(a), js.js_type(b)
        kinds = {ta, tb}
        if ta == tb or kinds == {"null", "undefined"}:
            return ta != tb or js.strict_eq(a, b)
        if "boolean" in kinds:  # booleans compare as 0 and 1
            return self.loose_eq(*(float(v) if isinstance(v, bool) else v for v in (a, b)))
        if kinds == {"number", "string"}:
            return self.number(a) == self.number(b)
        if "object" in kinds and kinds & {"number", "string"}:
            return self.loose_eq(self.primitive(a), self.primitive(b))
        return False

    def less(self, a: Any, b: Any) -> bool | None:
        """JavaScript's a < b; None stands for undefined (a NaN was involved)."""
        pa, pb = self.primitive(a), self.primitive(b)
        if isinstance(pa, str) and isinstance(pb, str):
            return pa < pb  # Deviation: code points, where JavaScript compares UTF-16 units.
        x, y = self.number(pa), self.number(pb)
        return None if math.isnan(x) or math.isnan(y) else x < y

    def ordered(self, args: list[Any], strict: bool) -> bool:
        """`<` and `<=`, including the three-argument "between" form."""
        pairs = list(zip(args, args[1:3], strict=False)) or [(_arg(args, 0), js.UNDEF)]
        if strict:
            return all(self.less(a, b) is True for a, b in pairs)
        return all(self.less(b, a) is False for a, b in pairs)

    # Operators, bound to names in _OPERATORS; lazy ones get their arguments unevaluated.

    def op_if(self, args: list[Any], data: Any) -> Any:
        for i in range(0, len(args) - 1, 2):
            if truthy(self.eval(args[i], data)):
                return self.eval(args[i + 1], data)
        return self.eval(args[-1], data) if len(args) % 2 else None

    def first(self, args: list[Any], data: Any, wanted: bool) -> Any:
        """`and` (wanted=False) and `or` (True): the first value of that truthiness, or the last."""
        current = None  # Deviation: with no arguments this is null, where JS gives undefined.
        for arg in args:
            current = self.eval(arg, data)
            if truthy(current) is wanted:
                break
        return current

    def scope(self, args: list[Any], data: Any, chars: bool = False) -> tuple[list[Any], Any]:
        """The items and the per-item rule of map and friends; the rule is not yet evaluated."""
        items = self.eval(args[0], data) if args else None
        if chars and isinstance(items, str):
            items = list(items)  # 'all' walks a string's characters, as json-logic-js does
        if isinstance(items, list) and len(items) > MAX_ARRAY:
            raise JsonLogicError(f"Array is longer than {MAX_ARRAY} elements")
        # Deviation: a missing per-item rule gives null, where JS gives undefined.
        return (items, _arg(args, 1)) if isinstance(items, list) else ([], js.UNDEF)

    def op_map(self, args: list[Any], data: Any) -> Any:
        items, rule = self.scope(args, data)
        return [self.eval(None if rule is js.UNDEF else rule, item) for item in items]

    def op_filter(self, args: list[Any], data: Any) -> Any:
        items, rule = self.scope(args, data)
        return [item for item in items if rule is not js.UNDEF and truthy(self.eval(rule, item))]

    def op_reduce(self, args: list[Any], data: Any) -> Any:
        items, rule = self.scope(args, data)
        accumulator = self.eval(args[2], data) if len(args) > 2 else None
        for item in items:
            scope = {"current": item, "accumulator": accumulator}
            accumulator = None if rule is js.UNDEF else self.eval(rule, scope)
        return accumulator

    def op_all(self, args: list[Any], data: Any) -> Any:
        # Deviation: null gives false, where json-logic-js throws a TypeError.
        items, rule = self.scope(args, data, chars=True)
        return bool(items) and all(
            rule is not js.UNDEF and truthy(self.eval(rule, i)) for i in items
        )

    def op_some(self, args: list[Any], data: Any) -> Any:
        # Stops at the first match, where json-logic-js filters the whole array first.
        items, rule = self.scope(args, data)
        return any(rule is not js.UNDEF and truthy(self.eval(rule, item)) for item in items)

    def op_var(self, args: list[Any], data: Any) -> Any:
        path, default = _arg(args, 0), _arg(args, 1)
        not_found = None if default is js.UNDEF else default
        if path is js.UNDEF or path is None or path == "":
            return data
        for key in self.string(path).split("."):
            self.charge()
            if data is None:
                return not_found
            data = js.member(data, key)
            if data is js.UNDEF:
                return not_found
        return data

    def op_missing(self, args: list[Any], data: Any) -> Any:
        # Deviation: names are looked up as paths, never re-evaluated as rules as in JS.
        keys = args[0] if args and isinstance(args[0], list) else args
        self.charge(len(keys) + js.text_size(keys) // 100)
        return [key for key in keys if (v := self.op_var([key], data)) is None or v == ""]

    def op_missing_some(self, args: list[Any], data: Any) -> Any:
        need, options = _arg(args, 0), _arg(args, 1)
        if options is None or options is js.UNDEF:  # json-logic-js throws a TypeError here
            raise JsonLogicError("'missing_some' needs a count and an array of names")
        missing = self.op_missing(options if isinstance(options, list) else [options], data)
        size = len(options) if isinstance(options, list | str) else math.nan
        return [] if self.less(size - len(missing), need) is False else missing

    def op_sub(self, args: list[Any], _data: Any) -> Any:
        a, b = self.number(_arg(args, 0)), _arg(args, 1)
        return js.as_number(-a if b is js.UNDEF else a - self.number(b))

    def op_mul(self, args: list[Any], _data: Any) -> Any:
        if not args:
            raise JsonLogicError("'*' needs at least one argument")
        # Deviation: a lone argument is parsed too, so '*' always gives a number.
        return js.as_number(math.prod((self.parse_float(arg) for arg in args), start=1.0))

    def divide(self, args: list[Any], modulo: bool) -> Any:
        a, b = self.number(_arg(args, 0)), self.number(_arg(args, 1))
        if b == 0:
            raise JsonLogicError("Division by zero")  # JavaScript would give Infinity or NaN
        if not modulo:
            return js.as_number(a / b)
        if math.isnan(a) or math.isnan(b) or math.isinf(a):
            return math.nan
        return js.as_number(a if math.isinf(b) else math.fmod(a, b))  # fmod keeps JS's sign rule

    def extreme(self, args: list[Any], pick: Callable[..., float], empty: float) -> Any:
        numbers = [self.number(arg) for arg in args]
        if any(n != n for n in numbers):
            return math.nan
        return js.as_number(pick(numbers, default=empty))

    def op_merge(self, args: list[Any], _data: Any) -> Any:
        merged: list[Any] = []
        for arg in args:
            part = arg if isinstance(arg, list) else [arg]
            if len(merged) + len(part) > MAX_ARRAY:
                raise JsonLogicError(f"'merge' would produce more than {MAX_ARRAY} elements")
            self.charge(len(part) // 100)
            merged.extend(part)
        return merged

    def op_in(self, args: list[Any], _data: Any) -> Any:
        needle, haystack = _arg(args, 0), _arg(args, 1)
        if isinstance(haystack, str):
            self.charge(len(haystack) // 100)
            return haystack != "" and self.string(needle) in haystack
        if isinstance(haystack, list):
            self.charge(len(haystack) + js.text_size(haystack) // 100)
            return any(js.strict_eq(needle, item) for item in haystack)
        return False

    def op_cat(self, args: list[Any], _data: Any) -> Any:
        parts = ["" if arg is None else self.string(arg) for arg in args]
        size = sum(map(len, parts))
        if size > MAX_STRING:
            raise JsonLogicError(f"'cat' would produce more than {MAX_STRING} characters")
        self.charge(size // 100)
        return "".join(parts)

    def op_substr(self, args: list[Any], _data: Any) -> Any:
        text = self.string(_arg(args, 0))
        start, end = self.number(_arg(args, 1)), _arg(args, 2)
        if end is js.UNDEF:
            return js.js_substr(text, start, math.inf)
        if self.less(end, 0) is True:  # Deviation: a string end is a number, not concatenated
            rest = js.js_substr(text, start, math.inf)
            return js.js_substr(rest, 0, len(rest) + self.number(end))
        return js.js_substr(text, start, self.number(end))


_OPERATORS: Final[dict[str, Callable[[_Evaluator, list[Any], Any], Any]]] = {
    "var": _Evaluator.op_var,
    "missing": _Evaluator.op_missing,
    "missing_some": _Evaluator.op_missing_some,
    "if": _Evaluator.op_if,
    "?:": _Evaluator.op_if,
    "and": lambda ev, a, d: ev.first(a, d, wanted=False),
    "or": lambda ev, a, d: ev.first(a, d, wanted=True),
    "==": lambda ev, a, _d: ev.loose_eq(_arg(a, 0), _arg(a, 1)),
    "!=": lambda ev, a, _d: not ev.loose_eq(_arg(a, 0), _arg(a, 1)),
    "===": lambda _ev, a, _d: js.strict_eq(_arg(a, 0), _arg(a, 1)),
    "!==": lambda _ev, a, _d: not js.strict_eq(_arg(a, 0), _arg(a, 1)),
    "!": lambda _ev, a, _d: not truthy(_arg(a, 0)),
    "!!": lambda _ev, a, _d: truthy(_arg(a, 0)),
    ">": lambda ev, a, _d: ev.less(_arg(a, 1), _arg(a, 0)) is True,
    ">=": lambda ev, a, _d: ev.less(_arg(a, 0), _arg(a, 1)) is False,
    "<": lambda ev, a, _d: ev.ordered(a, strict=True),
    "<=": lambda ev, a, _d: ev.ordered(a, strict=False),
    "max": lambda ev, a, _d: ev.extreme(a, max, -math.inf),
    "min": lambda ev, a, _d: ev.extreme(a, min, math.inf),
    # Left to right like JavaScript; sum() compensates rounding from Python 3.12 on.
    "+": lambda ev, a, _d: js.as_number(reduce(add, (ev.parse_float(x) for x in a), 0.0)),
    "-": _Evaluator.op_sub,
    "*": _Evaluator.op_mul,
    "/": lambda ev, a, _d: ev.divide(a, modulo=False),
    "%": lambda ev, a, _d: ev.divide(a, modulo=True),
    "map": _Evaluator.op_map,
    "filter": _Evaluator.op_filter,
    "reduce": _Evaluator.op_reduce,
    "all": _Evaluator.op_all,
    "none": lambda ev, a, d: not ev.op_some(a, d),
    "some": _Evaluator.op_some,
    "merge": _Evaluator.op_merge,
    "in": _Evaluator.op_in,
    "cat": _Evaluator.op_cat,
    "substr": _Evaluator.op_substr,
    "log": lambda _ev, a, _d: a[0] if a else None,  # returned, never printed
}
_LAZY: Final = frozenset({"if", "?:", "and", "or"}) | SCOPED


def _check_result(value: Any) -> None:
    """Rejects results that are not JSON (NaN, Infinity) or too deep to serialise."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen: set[tuple[int, int]] = set()  # shared sub-arrays are walked once per depth
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise JsonLogicError("Result is not a finite number")
        if isinstance(item, list | dict) and (id(item), depth) not in seen:
            if depth >= MAX_DEPTH:
                raise JsonLogicError(f"Result is nested deeper than {MAX_DEPTH} levels")
            seen.add((id(item), depth))
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def apply(rule: Any, data: Any = None) -> Any:
    """Evaluates `rule` against `data` like json-logic-js, within this module's limits."""
    try:
        result = _Evaluator().eval(rule, data)
    except (RecursionError, MemoryError) as exc:  # a last resort; the limits come first
        raise JsonLogicError("Rule is too complex to evaluate") from exc
    _check_result(result)
    return result


def operators() -> frozenset[str]:
    """The supported operator names, for documentation and the linter."""
    return frozenset(_OPERATORS)


__all__ = ["JsonLogicError", "apply", "operators", "referenced_vars", "truthy"]
