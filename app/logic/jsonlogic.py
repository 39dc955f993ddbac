"""A pure JsonLogic evaluator with the semantics of json-logic-js (jsonlogic.com).

Rules come from marketers' forms and from imports, so they are treated as hostile:
nesting depth, the work done per `apply` call and the size of produced strings and
arrays are all bounded, and every failure is a `JsonLogicError`. Where this module
departs from json-logic-js, a comment starting "Deviation:" says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

MAX_DEPTH: Final = 64
MAX_OPERATIONS: Final = 100_000
MAX_STRING: Final = 100_000
MAX_ARRAY: Final = 100_000

# JavaScript's WhiteSpace and LineTerminator characters, as trimmed by Number().
_WS: Final = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_DECIMAL: Final = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_RADIX: Final = re.compile(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+")
_INDEX: Final = re.compile(r"0|[1-9][0-9]{0,14}")
_SCOPED: Final = frozenset({"map", "filter", "reduce", "all", "none", "some"})


class JsonLogicError(ValueError):
    """The one error every bad rule ends in, so callers need a single except clause."""


class _Undefined:
    """JavaScript's `undefined` (a missing argument), which compares unlike null."""

    def __repr__(self) -> str:
        return "undefined"


_UNDEF: Final = _Undefined()
Op = Callable[["_Evaluator", list[Any], Any], Any]


class _Evaluator:
    """Holds the per-call budget and depth, so concurrent `apply` calls never share state."""

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
            return fn(self, args, data)
        finally:
            self.depth -= 1


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else _UNDEF


# --- JavaScript conversions -------------------------------------------------------------


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: JavaScript's, except that an empty array is falsy."""
    if value is None or value is _UNDEF or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | float):
        return value == value and value != 0  # NaN is falsy
    if isinstance(value, str | list):
        return len(value) > 0
    return True


def _js_type(value: Any) -> str:
    if value is _UNDEF:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def _to_float(value: int | float) -> float:
    """Python ints are unbounded; JavaScript numbers overflow to Infinity."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _num_to_str(x: float) -> str:
    """Number#toString, so cat, in and var paths see the text a browser would."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(x))).as_tuple()
    point = len(digit_tuple) + int(exponent)
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    k = len(digits)
    if k <= point <= 21:
        return sign + digits + "0" * (point - k)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if point > 0 else '-'}{abs(point - 1)}"


def _scalar_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _num_to_str(_to_float(value))
    if value is None:
        return "null"
    return "undefined" if value is _UNDEF else "[object Object]"


def _join(ev: _Evaluator, items: list[Any], depth: int = 0) -> str:
    """Array#join(","): what JavaScript makes of an array used as text or number."""
    if depth >= MAX_DEPTH:
        raise JsonLogicError(f"Value is nested deeper than {MAX_DEPTH} levels")
    ev.charge(len(items))
    parts: list[str] = []
    size = 0
    for item in items:
        if isinstance(item, list):
            text = _join(ev, item, depth + 1)
        else:
            text = "" if item is None or item is _UNDEF else _scalar_str(item)
        size += len(text) + 1
        if size > MAX_STRING + 1:
            raise JsonLogicError(f"Text would be longer than {MAX_STRING} characters")
        parts.append(text)
    return ",".join(parts)


def _to_string(ev: _Evaluator, value: Any) -> str:
    return _join(ev, value) if isinstance(value, list) else _scalar_str(value)


def _to_primitive(ev: _Evaluator, value: Any) -> Any:
    return _to_string(ev, value) if _js_type(value) == "object" else value


def _decimal(text: str) -> float:
    if "Infinity" in text:
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def _str_to_number(text: str) -> float:
    text = text.strip(_WS)
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return _decimal(text)
    return _to_float(int(text, 0)) if _RADIX.fullmatch(text) else math.nan


def _to_number(ev: _Evaluator, value: Any) -> float:
    kind = _js_type(value)
    if kind in ("null", "boolean", "number"):
        return _to_float(value or 0)
    if kind == "object" and not isinstance(value, list):
        return math.nan
    return math.nan if kind == "undefined" else _str_to_number(_to_string(ev, value))


def _parse_float(ev: _Evaluator, value: Any) -> float:
    match = _DECIMAL.match(_to_string(ev, value).lstrip(_WS))
    return _decimal(match.group()) if match else math.nan


def _number(x: float) -> int | float:
    """Whole results come back as int, for callers that print or compare them."""
    return int(x) if math.isfinite(x) and x.is_integer() and abs(x) <= 2**53 else x


# --- comparison ---------------------------------------------------------------------------


def _strict_eq(a: Any, b: Any) -> bool:
    kind = _js_type(a)
    if kind != _js_type(b):
        return False
    if kind == "number":
        return _to_float(a) == _to_float(b)
    # As in JavaScript, an array or object is equal only to itself, never to a copy.
    return a is b if kind == "object" else bool(a == b)


def _loose_eq(ev: _Evaluator, a: Any, b: Any) -> bool:
    """JavaScript's abstract equality (==), which json-logic-js uses as is."""
    ta, tb = _js_type(a), _js_type(b)
    if ta == tb:
        return _strict_eq(a, b)
    if {ta, tb} == {"null", "undefined"}:
        return True
    if ta == "boolean" or tb == "boolean":
        return _loose_eq(ev, float(a) if ta == "boolean" else a, float(b) if tb == "boolean" else b)
    if {ta, tb} == {"number", "string"}:
        return _to_number(ev, a) == _to_number(ev, b)
    if ta == "object" and tb in ("number", "string"):
        return _loose_eq(ev, _to_primitive(ev, a), b)
    if tb == "object" and ta in ("number", "string"):
        return _loose_eq(ev, a, _to_primitive(ev, b))
    return False


def _less(ev: _Evaluator, a: Any, b: Any) -> bool | None:
    """JavaScript's a < b; None stands for undefined (a NaN was involved)."""
    pa, pb = _to_primitive(ev, a), _to_primitive(ev, b)
    if isinstance(pa, str) and isinstance(pb, str):
        return pa < pb  # Deviation: code points, where JavaScript compares UTF-16 units.
    x, y = _to_number(ev, pa), _to_number(ev, pb)
    return None if math.isnan(x) or math.isnan(y) else x < y


def _ordered(ev: _Evaluator, args: list[Any], strict: bool) -> bool:
    """`<` and `<=`, including the three-argument "between" form."""
    pairs = [(args[0], args[1])] if len(args) > 1 else [(_arg(args, 0), _UNDEF)]
    if len(args) > 2:
        pairs.append((args[1], args[2]))
    if strict:
        return all(_less(ev, a, b) is True for a, b in pairs)
    return all(_less(ev, b, a) is False for a, b in pairs)


# --- operators ----------------------------------------------------------------------------


def _op_if(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    """Evaluates only the branch taken, as json-logic-js does."""
    i = 0
    while i < len(args) - 1:
        if truthy(ev.eval(args[i], data)):
            return ev.eval(args[i + 1], data)
        i += 2
    return ev.eval(args[i], data) if i < len(args) else None


def _op_and(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    current = None  # Deviation: {"and": []} is null, where json-logic-js gives undefined.
    for arg in args:
        current = ev.eval(arg, data)
        if not truthy(current):
            break
    return current


def _op_or(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    current = None
    for arg in args:
        current = ev.eval(arg, data)
        if truthy(current):
            break
    return current


def _scope(ev: _Evaluator, args: list[Any], data: Any) -> tuple[list[Any], Any]:
    """The items and the per-item rule of map and friends; the rule is not yet evaluated."""
    items = ev.eval(args[0], data) if args else None
    if isinstance(items, list) and len(items) > MAX_ARRAY:
        raise JsonLogicError(f"Array is longer than {MAX_ARRAY} elements")
    return (items, _arg(args, 1)) if isinstance(items, list) else ([], _UNDEF)


def _op_map(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    items, rule = _scope(ev, args, data)
    return [ev.eval(None if rule is _UNDEF else rule, item) for item in items]


def _op_filter(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    items, rule = _scope(ev, args, data)
    return [item for item in items if rule is not _UNDEF and truthy(ev.eval(rule, item))]


def _op_reduce(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    items, rule = _scope(ev, args, data)
    accumulator = ev.eval(args[2], data) if len(args) > 2 else None
    for item in items:
        scope = {"current": item, "accumulator": accumulator}
        accumulator = None if rule is _UNDEF else ev.eval(rule, scope)
    return accumulator


def _op_all(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    # Deviation: a non-array is false; json-logic-js throws on null and walks strings.
    items, rule = _scope(ev, args, data)
    return bool(items) and all(rule is not _UNDEF and truthy(ev.eval(rule, i)) for i in items)


def _op_some(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    items, rule = _scope(ev, args, data)
    return any(rule is not _UNDEF and truthy(ev.eval(rule, item)) for item in items)


def _op_none(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    return not _op_some(ev, args, data)


def _member(value: Any, key: str) -> Any:
    """JavaScript property access, limited to own keys, array/string indexes and length."""
    if isinstance(value, dict):
        return value.get(key, _UNDEF)
    if isinstance(value, list | str):
        if key == "length":
            return len(value)
        if _INDEX.fullmatch(key) and int(key) < len(value):
            return value[int(key)]
    return _UNDEF


def _op_var(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    path, default = _arg(args, 0), _arg(args, 1)
    not_found = None if default is _UNDEF else default
    if path is _UNDEF or path is None or path == "":
        return data
    for key in _to_string(ev, path).split("."):
        ev.charge()
        if data is None:
            return not_found
        data = _member(data, key)
        if data is _UNDEF:
            return not_found
    return data


def _op_missing(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    # Deviation: names are looked up as paths, never re-evaluated as rules as in json-logic-js.
    keys = args[0] if args and isinstance(args[0], list) else args
    ev.charge(len(keys))
    return [key for key in keys if (v := _op_var(ev, [key], data)) is None or v == ""]


def _op_missing_some(ev: _Evaluator, args: list[Any], data: Any) -> Any:
    need, options = _arg(args, 0), _arg(args, 1)
    if not isinstance(options, list):  # Deviation: json-logic-js throws or guesses here.
        raise JsonLogicError("'missing_some' needs a count and an array of names")
    missing = _op_missing(ev, options, data)
    return [] if _less(ev, len(options) - len(missing), need) is False else missing


def _op_add(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    total = 0.0
    for arg in args:
        total += _parse_float(ev, arg)
    return _number(total)


def _op_mul(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    if not args:
        raise JsonLogicError("'*' needs at least one argument")
    product = 1.0  # Deviation: a lone argument is parsed too, so '*' always gives a number.
    for arg in args:
        product *= _parse_float(ev, arg)
    return _number(product)


def _op_sub(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    a, b = _to_number(ev, _arg(args, 0)), _arg(args, 1)
    return _number(-a if b is _UNDEF else a - _to_number(ev, b))


def _divisor(ev: _Evaluator, args: list[Any]) -> tuple[float, float]:
    a, b = _to_number(ev, _arg(args, 0)), _to_number(ev, _arg(args, 1))
    if b == 0:
        raise JsonLogicError("Division by zero")  # JavaScript would give Infinity or NaN
    return a, b


def _op_div(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    a, b = _divisor(ev, args)
    return _number(a / b)


def _op_mod(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    a, b = _divisor(ev, args)
    if math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    return _number(a if math.isinf(b) else math.fmod(a, b))  # fmod keeps JS's sign rule


def _extreme(ev: _Evaluator, args: list[Any], pick: Callable[..., float], empty: float) -> Any:
    numbers = [_to_number(ev, arg) for arg in args]
    if any(math.isnan(n) for n in numbers):
        return math.nan
    return _number(pick(numbers, default=empty))


def _op_merge(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    merged: list[Any] = []
    for arg in args:
        part = arg if isinstance(arg, list) else [arg]
        if len(merged) + len(part) > MAX_ARRAY:
            raise JsonLogicError(f"'merge' would produce more than {MAX_ARRAY} elements")
        ev.charge(len(part) // 100)
        merged.extend(part)
    return merged


def _op_in(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    needle, haystack = _arg(args, 0), _arg(args, 1)
    if isinstance(haystack, str):
        ev.charge(len(haystack) // 100)
        return haystack != "" and _to_string(ev, needle) in haystack
    if isinstance(haystack, list):
        ev.charge(len(haystack))
        return any(_strict_eq(needle, item) for item in haystack)
    return False


def _op_cat(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    parts = ["" if arg is None else _to_string(ev, arg) for arg in args]
    size = sum(map(len, parts))
    if size > MAX_STRING:
        raise JsonLogicError(f"'cat' would produce more than {MAX_STRING} characters")
    ev.charge(size // 100)
    return "".join(parts)


def _to_integer(x: float) -> float:
    return 0.0 if math.isnan(x) else x if math.isinf(x) else float(math.trunc(x))


def _js_substr(text: str, start: float, length: float) -> str:
    """String#substr. Deviation: counts code points, where JavaScript counts UTF-16 units."""
    size = len(text)
    first = _to_integer(start)
    first = max(size + first, 0) if first < 0 else min(first, size)
    count = min(max(_to_integer(length), 0), size - first)
    return text[int(first) : int(first + count)]


def _op_substr(ev: _Evaluator, args: list[Any], _data: Any) -> Any:
    text = _to_string(ev, _arg(args, 0))
    start, end = _to_number(ev, _arg(args, 1)), _arg(args, 2)
    if end is _UNDEF:
        return _js_substr(text, start, math.inf)
    if _less(ev, end, 0) is True:  # a negative end counts back from the end of the text
        rest = _js_substr(text, start, math.inf)
        return _js_substr(rest, 0, len(rest) + _to_number(ev, end))
    return _js_substr(text, start, _to_number(ev, end))


_OPERATORS: Final[dict[str, Op]] = {
    "var": _op_var,
    "missing": _op_missing,
    "missing_some": _op_missing_some,
    "if": _op_if,
    "?:": _op_if,
    "and": _op_and,
    "or": _op_or,
    "==": lambda ev, a, _d: _loose_eq(ev, _arg(a, 0), _arg(a, 1)),
    "!=": lambda ev, a, _d: not _loose_eq(ev, _arg(a, 0), _arg(a, 1)),
    "===": lambda _ev, a, _d: _strict_eq(_arg(a, 0), _arg(a, 1)),
    "!==": lambda _ev, a, _d: not _strict_eq(_arg(a, 0), _arg(a, 1)),
    "!": lambda _ev, a, _d: not truthy(_arg(a, 0)),
    "!!": lambda _ev, a, _d: truthy(_arg(a, 0)),
    ">": lambda ev, a, _d: _less(ev, _arg(a, 1), _arg(a, 0)) is True,
    ">=": lambda ev, a, _d: _less(ev, _arg(a, 0), _arg(a, 1)) is False,
    "<": lambda ev, a, _d: _ordered(ev, a, strict=True),
    "<=": lambda ev, a, _d: _ordered(ev, a, strict=False),
    "max": lambda ev, a, _d: _extreme(ev, a, max, -math.inf),
    "min": lambda ev, a, _d: _extreme(ev, a, min, math.inf),
    "+": _op_add,
    "-": _op_sub,
    "*": _op_mul,
    "/": _op_div,
    "%": _op_mod,
    "map": _op_map,
    "filter": _op_filter,
    "reduce": _op_reduce,
    "all": _op_all,
    "none": _op_none,
    "some": _op_some,
    "merge": _op_merge,
    "in": _op_in,
    "cat": _op_cat,
    "substr": _op_substr,
    "log": lambda _ev, a, _d: None if not a else a[0],  # returned, never printed
}
# These receive their arguments unevaluated: they short-circuit or evaluate per item.
_LAZY: Final = frozenset({"if", "?:", "and", "or"}) | _SCOPED


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


def _add_name(found: set[str], name: Any) -> None:
    if isinstance(name, str) and name:
        found.add(name)
    elif isinstance(name, int | float) and not isinstance(name, bool):
        found.add(_num_to_str(_to_float(name)))


def referenced_vars(rule: Any) -> set[str]:
    """The literal data paths a rule reads, for the linter; never raises.

    The per-item rule of map, filter, reduce, all, none and some reads the item, not
    the form's data, so it is skipped. `{"var": ""}` (the whole data) is not a path.
    """
    found: set[str] = set()
    stack: list[Any] = [rule]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, list | dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            stack.extend(node)
            continue
        if len(node) != 1:
            continue
        ((op, raw),) = node.items()
        args = raw if isinstance(raw, list) else [raw]
        if op == "var" and args:
            _add_name(found, args[0])
        elif op == "missing":
            for name in args[0] if args and isinstance(args[0], list) else args:
                _add_name(found, name)
        elif op == "missing_some" and len(args) > 1 and isinstance(args[1], list):
            for name in args[1]:
                _add_name(found, name)
        stack.extend(args[:1] + args[2:] if op in _SCOPED else args)
    return found


def operators() -> frozenset[str]:
    """The supported operator names, for documentation and the linter."""
    return frozenset(_OPERATORS)
