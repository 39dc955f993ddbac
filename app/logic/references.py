"""Which data paths a JsonLogic rule reads: what the linter checks against the form."""

from __future__ import annotations

from typing import Any, Final

from app.logic.jsvalues import num_to_str, to_float

# Operators whose second argument is a rule applied to each item, not to the data.
SCOPED: Final = frozenset({"map", "filter", "reduce", "all", "none", "some"})


def _add_names(found: set[str], names: list[Any]) -> None:
    for name in names:
        if isinstance(name, str) and name:
            found.add(name)
        elif isinstance(name, int | float) and not isinstance(name, bool):
            found.add(num_to_str(to_float(name)))


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
        if isinstance(node, list) or len(node) != 1:  # dicts of other sizes are data
            continue
        ((op, raw),) = node.items()
        args = raw if isinstance(raw, list) else [raw]
        if op == "var":
            _add_names(found, args[:1])
        elif op == "missing":
            _add_names(found, args[0] if args and isinstance(args[0], list) else args)
        elif op == "missing_some" and len(args) > 1 and isinstance(args[1], list):
            _add_names(found, args[1])
        stack.extend(args[:1] + args[2:] if op in SCOPED else args)
    return found


__all__ = ["SCOPED", "referenced_vars"]
