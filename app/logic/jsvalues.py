"""JavaScript value semantics (conversions, ==, number printing) that json-logic-js rules expect."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Final

# JavaScript's WhiteSpace and LineTerminator characters, as trimmed by Number().
WHITESPACE: Final = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
# Unambiguous on purpose: a pattern like [0-9]+\.?[0-9]* backtracks quadratically.
DECIMAL: Final = re.compile(
    r"[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
)
RADIX: Final = re.compile(r"0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+")
INDEX: Final = re.compile(r"0|[1-9][0-9]{0,14}")
UNDEF: Final = object()  # JavaScript's `undefined` (a missing argument), unlike null


def js_type(value: Any) -> str:
    if value is None or value is UNDEF:
        return "null" if value is None else "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def to_float(value: int | float) -> float:
    """Python ints are unbounded; JavaScript numbers overflow to Infinity."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def num_to_str(x: float) -> str:
    """Number#toString, so cat, in and var paths see the text a browser would."""
    if x != x or x == 0:
        return "NaN" if x != x else "0"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if 1e-6 <= abs(x) < 1e21:  # plain notation, with repr's shortest round-trip digits
        text = format(Decimal(repr(x)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, exponent = repr(x).split("e")  # repr uses exponents out here, too
    return f"{mantissa}e{int(exponent):+d}"


def str_to_number(text: str) -> float:
    text = text.strip(WHITESPACE)
    if not text:
        return 0.0
    if DECIMAL.fullmatch(text):
        return float(text)  # Python reads "Infinity" too
    return to_float(int(text, 0)) if RADIX.fullmatch(text) else math.nan


def as_number(x: float) -> int | float:
    """Whole results come back as int, for callers that print or compare them."""
    return int(x) if math.isfinite(x) and x.is_integer() and abs(x) <= 2**53 else x


def strict_eq(a: Any, b: Any) -> bool:
    kind = js_type(a)
    if kind != js_type(b):
        return False
    if kind == "number":
        return to_float(a) == to_float(b)
    # As in JavaScript, an array or object is equal only to itself, never to a copy.
    return a is b if kind == "object" else bool(a == b)


def member(value: Any, key: str) -> Any:
    """JavaScript property access, limited to own keys, array/string indexes and length."""
    if isinstance(value, dict):
        return value.get(key, UNDEF)
    if isinstance(value, list | str):
        if key == "length":
            return len(value)
        if INDEX.fullmatch(key) and int(key) < len(value):
            return value[int(key)]
    return UNDEF


def text_size(values: list[Any]) -> int:
    return sum(len(value) for value in values if isinstance(value, str))


def to_integer(x: float) -> float:
    return 0.0 if math.isnan(x) else x if math.isinf(x) else float(math.trunc(x))


def js_substr(text: str, start: float, length: float) -> str:
    """String#substr. Deviation: counts code points, where JavaScript counts UTF-16 units."""
    size = len(text)
    first = to_integer(start)
    first = max(size + first, 0) if first < 0 else min(first, size)
    count = min(max(to_integer(length), 0), size - first)
    return text[int(first) : int(first + count)]
