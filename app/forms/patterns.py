"""Marketer-supplied regular expressions, compiled only when they are safe to run."""

from __future__ import annotations

import re
from functools import lru_cache

MAX_PATTERN_LENGTH = 200


class UnsafePattern(ValueError):
    """A marketer's pattern that does not compile or could take too long to match."""


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a user-supplied pattern, refusing long ones and nested repetition.

    Python's `re` has no timeout, so the defence is a bounded pattern, no
    `(a+)+`-style nesting (exponential backtracking), and answers bounded by
    max_length before a pattern ever sees them.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UnsafePattern(f"Pattern is too long: at most {MAX_PATTERN_LENGTH} characters.")
    try:
        from re import _parser  # private, but the only parser of Python's own syntax

        parsed = _parser.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError, ImportError) as exc:
        raise UnsafePattern(f"Pattern is not a valid regular expression: {exc}.") from None
    if _nested_repeat(parsed, _parser, inside_repeat=False):
        raise UnsafePattern(
            "Pattern repeats a repetition (like '(a+)+'), which can take very long to match."
        )
    return compiled


def _nested_repeat(node: object, parser: object, *, inside_repeat: bool) -> bool:
    """Whether a variable-length repeat sits inside another repeat."""
    repeats = {getattr(parser, op, None) for op in
               ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")}
    for op, arg in getattr(node, "data", ()):
        if op in repeats:
            low, high, body = arg
            if inside_repeat and high != low:
                return True
            if _nested_repeat(body, parser, inside_repeat=inside_repeat or high > 1):
                return True
            continue
        parts = arg if isinstance(arg, (tuple, list)) else (arg,)
        for part in parts:
            children = part if isinstance(part, list) else (part,)
            for child in children:
                if hasattr(child, "data") and _nested_repeat(
                    child, parser, inside_repeat=inside_repeat
                ):
                    return True
    return False


def pattern_problem(pattern: str) -> str | None:
    """The reason a pattern is refused, or None."""
    try:
        compile_pattern(pattern)
    except UnsafePattern as exc:
        return str(exc)
    return None


__all__ = ["MAX_PATTERN_LENGTH", "UnsafePattern", "compile_pattern", "pattern_problem"]
