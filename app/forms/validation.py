"""Check a definition against the JSON Schema and the rules a schema cannot express.

`validate` never raises: the API and the CLI hand it whatever a person typed.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib.resources import files
from itertools import islice
from typing import Any, TypeAlias, cast

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

from app.forms.fields import FIELD_TYPES
from app.forms.types import Field, Issue

SCHEMA_FILE = "form-definition.schema.json"
MAX_DOCUMENT_CHARS = 2_000_000
MAX_DEPTH = 64
MAX_VALUES = 50_000
MAX_TEXT = 1_000_000
MAX_ISSUES = 200
# PostgreSQL cannot store U+0000 in text or JSON: refused here, not a server error later.
_NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)."

_ID_PATTERN = "^[a-z][a-z0-9_-]{0,62}$"
_PATTERN_HINTS = {
    _ID_PATTERN: "is not a valid id: start with a lowercase letter, then use lowercase "
                 "letters, digits, '_' or '-' (at most 63 characters).",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "is not a date written as YYYY-MM-DD.",
    "^https?://[^\\s/?#]+[^\\s]*$": "is not an http:// or https:// address.",
    "^(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
    "(:[0-9]{1,5})?$": "is not a lowercase host name such as 'www.example.com'.",
    "^#[0-9a-fA-F]{6}$": "is not a colour written as #rrggbb, such as '#3543b8'.",
    "^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#][^\\s\"'<>\\\\]*)?$":
        "is not an https:// address (an image on http:// would not load on secure pages).",
}
_EXPECTED = {"object": "an object", "array": "a list", "string": "a string",
             "number": "a number", "integer": "a whole number", "boolean": "true or false",
             "null": "null"}
_NOUNS = {"steps": "step", "fields": "field", "endings": "ending", "options": "option",
          "hidden": "name", "next": "branch", "allowed_domains": "domain", "route": "rule"}
_OWNERS = {"fields": "field", "endings": "ending", "steps": "step"}
_A = {"field": "a field", "ending": "an ending", "step": "a step"}
_VALIDATION_KEYS = frozenset().union(*(kind.allowed_validation for kind in FIELD_TYPES.values()))
# Ranks: at one path, "this key may not be here" beats "wrong type", which beats the rest.
_NOT_ALLOWED, _WRONG_TYPE, _OTHER = 0, 1, 2
_Path: TypeAlias = tuple[str | int, ...]


def pointer(parts: Iterable[str | int]) -> str:
    """An RFC 6901 JSON pointer ("" for the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _schema() -> dict[str, Any]:
    text = files("app.forms").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_schema() -> dict[str, Any]:
    """The definition JSON Schema; a copy, so callers cannot change what validates."""
    return copy.deepcopy(_schema())


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    # ECMA-262's `$` never matches before a trailing newline; Python's does, which
    # would let "you\n" pass as an id.
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _ecma_pattern(
    validator: Validator, pattern: str, instance: object, schema: object
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(
        str(instance)
    ):
        yield ValidationError(f"does not match {pattern!r}")


_Validator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@cache
def _validator() -> Validator:
    return _Validator(_schema())


def parse_definition_text(text: str) -> tuple[object | None, list[Issue]]:
    """Parse JSON text and validate it; a parse failure is one issue at ""."""
    if len(text) > MAX_DOCUMENT_CHARS:
        return None, [Issue("", f"The definition is too large: at most "
                                f"{MAX_DOCUMENT_CHARS} characters.")]
    try:
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        message = f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        return None, [Issue("", message)]
    except _Refused as exc:
        return None, [Issue("", str(exc))]
    except RecursionError:
        return None, [Issue("", f"Not valid JSON: nested too deeply (at most {MAX_DEPTH}).")]
    except ValueError as exc:  # e.g. an integer with thousands of digits
        return None, [Issue("", f"Not valid JSON: {exc}")]
    return value, validate(value)


class _Refused(ValueError):
    """JSON that Python would accept but a definition must not contain."""


def _refuse_constant(name: str) -> object:
    raise _Refused(f"Not valid JSON: {name} is not a JSON number.")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"Duplicate key '{_clip(key)}' in an object.")
        result[key] = value
    return result


def validate(definition: object) -> list[Issue]:
    """Every problem in the definition, sorted by path; an empty list means valid."""
    problem = _shape_problem(definition)
    if problem is not None:
        return [problem]
    found, complete = _schema_issues(definition)
    issues = sorted(set(found + _semantic_issues(definition)),
                    key=lambda issue: (_path_key(issue.path), issue.message))
    if complete and len(issues) <= MAX_ISSUES:
        return issues
    return [Issue("", f"Too many problems: only the first {MAX_ISSUES} are listed."),
            *issues[:MAX_ISSUES]]


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
                 for part in path.split("/")[1:])


def _shape_problem(value: object) -> Issue | None:
    """Refuse non-JSON values and documents too deep or too big to check safely."""
    stack: list[tuple[object, _Path]] = [(value, ())]
    count = chars = 0
    while stack:
        node, path = stack.pop()
        count += 1
        if len(path) >= MAX_DEPTH:
            return Issue(pointer(path), f"Nested too deeply: at most {MAX_DEPTH} levels.")
        if isinstance(node, (dict, list)) and count + len(stack) + len(node) > MAX_VALUES:
            return Issue("", f"The definition is too large: at most {MAX_VALUES} values.")
        if isinstance(node, dict):
            for key, child in node.items():
                if not isinstance(key, str):
                    return Issue(pointer(path), "Object keys must be strings.")
                if "\x00" in key:
                    return Issue(pointer(path), _NUL_MESSAGE)
                chars += len(key)
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(node))
        elif isinstance(node, str):
            if "\x00" in node:
                return Issue(pointer(path), _NUL_MESSAGE)
            chars += len(node)
        elif isinstance(node, float) and not math.isfinite(node):
            return Issue(pointer(path), "Not a finite number.")
        elif node is not None and not isinstance(node, (bool, int, float)):
            return Issue(pointer(path), f"Not a JSON value (a Python {type(node).__name__}).")
        if chars > MAX_TEXT:
            return Issue("", f"The definition has too much text: at most {MAX_TEXT} characters.")
    return None


def _schema_issues(definition: object) -> tuple[list[Issue], bool]:
    """Issues from the JSON Schema, and whether every error was looked at."""
    errors = list(islice(_validator().iter_errors(definition), MAX_ISSUES + 1))
    ranked: list[tuple[str, int, str]] = []
    for error in errors[:MAX_ISSUES]:
        chosen = best_match([error]) if error.context else error
        ranked.extend(_describe(chosen or error, definition))
    best_rank: dict[str, int] = {}
    for path, rank, _ in ranked:
        best_rank[path] = min(rank, best_rank.get(path, rank))
    issues = [Issue(path, message) for path, rank, message in ranked if rank == best_rank[path]]
    return issues, len(errors) <= MAX_ISSUES


def _describe(error: ValidationError, root: object) -> list[tuple[str, int, str]]:
    """Plain-English issues for one schema error, each with a rank for its path."""
    path = list(error.absolute_path)
    here, kind = pointer(path), error.validator
    expected, instance = error.validator_value, error.instance
    if kind == "not" and expected == {}:  # how the schema forbids a key for one type
        return [(here, _NOT_ALLOWED, _not_allowed(path, root))]
    if kind is None:  # a `false` subschema; jsonschema leaves the key off its path
        return [(here, _NOT_ALLOWED, "Not allowed here.")]
    if kind == "type":
        return [(here, _WRONG_TYPE, _wrong_type(expected, instance))]
    if kind == "required" and isinstance(instance, dict):
        return [(here, _OTHER, f"Missing required key '{key}'.")
                for key in expected if key not in instance]
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(error.schema.get("properties", {})) if isinstance(
            error.schema, dict) else []
        return [(pointer([*path, key]), _OTHER, _unknown_key(key, allowed, path, root))
                for key in instance if key not in allowed]
    return [(here, _OTHER, _message(str(kind), expected, instance, path))]


def _message(kind: str, expected: Any, instance: object, path: Sequence[str | int]) -> str:
    noun = _NOUNS.get(str(path[-1]), "item") if path else "item"
    if kind == "enum":
        owner = _owner(path)
        what = f"{owner} type" if owner and path[-1] == "type" else "value"
        choices = ", ".join(str(choice) for choice in expected)
        return f"Unknown {what} {_shown(instance)}. Expected one of: {choices}."
    if kind == "const":
        return f"Expected {json.dumps(expected)}, got {_shown(instance)}."
    if kind == "minItems":
        return f"Needs at least one {noun}." if expected == 1 else (
            f"Needs at least {expected} {noun}s.")
    if kind == "maxItems":
        return f"Too many {noun}s: at most {expected}."
    if kind == "minLength":
        return "Must not be empty." if expected == 1 else (
            f"Too short: at least {expected} characters.")
    if kind == "maxLength":
        return f"Too long: at most {expected} characters."
    if kind == "pattern":
        hint = _PATTERN_HINTS.get(str(expected), "does not have the expected format.")
        return f"{_shown(instance)} {hint}"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"Must be at least {expected}." if kind == "minimum" else (
            f"Must be greater than {expected}.")
    if kind in ("maximum", "exclusiveMaximum"):
        return f"Must be at most {expected}." if kind == "maximum" else (
            f"Must be less than {expected}.")
    return f"Invalid value (fails '{kind}')."


def _wrong_type(expected: Any, instance: object) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_EXPECTED.get(str(name), str(name)) for name in names)
    if isinstance(instance, bool) or instance is None:
        got = json.dumps(instance)
    elif isinstance(instance, (int, float)):
        got = _shown(instance) if "integer" in names else "a number"
    elif isinstance(instance, dict):
        got = "an object"
    else:
        got = "a list" if isinstance(instance, list) else "a string"
    return f"Expected {wanted}, got {got}."


def _not_allowed(path: Sequence[str | int], root: object) -> str:
    key = _clip(str(path[-1])) if path else ""
    owner, parent = _owner(path), _at(root, path[:-1])
    type_name = parent.get("type") if isinstance(parent, dict) else None
    if owner and isinstance(type_name, str):
        return f"Key '{key}' is not allowed on {_A[owner]} of type '{_clip(type_name)}'."
    return f"Key '{key}' is not allowed here."


def _unknown_key(key: str, allowed: list[str], path: Sequence[str | int], root: object) -> str:
    if path and path[-1] == "validation" and key in _VALIDATION_KEYS:
        field = _at(root, path[:-1])
        type_name = field.get("type") if isinstance(field, dict) else None
        usable = ", ".join(allowed) or "none"
        return (f"Validation key '{key}' does not apply to a field of type "
                f"'{_clip(str(type_name))}' (usable: {usable}).")
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown key '{_clip(key)}'.{hint}"


def _owner(path: Sequence[str | int]) -> str | None:
    """'field', 'ending' or 'step' when the path ends at a key of one of those."""
    if len(path) >= 3 and isinstance(path[-2], int):
        return _OWNERS.get(str(path[-3]))
    return None


def _at(root: object, path: Sequence[str | int]) -> object:
    node = root
    for part in path:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _shown(value: object) -> str:
    if isinstance(value, str):  # escaped, so a newline or quote shows as such
        return f"'{_clip(json.dumps(value, ensure_ascii=False)[1:-1])}'"
    return _clip(json.dumps(value))


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _semantic_issues(definition: object) -> list[Issue]:
    """Uniqueness and consistency rules, checked on whatever parts are well-shaped."""
    if not isinstance(definition, dict):
        return []
    steps = _dicts(definition, "steps")
    endings = _dicts(definition, "endings")
    fields = [pair for step_path, step in steps for pair in _dicts(step, "fields", step_path)]
    profiling = definition.get("profiling")
    if isinstance(profiling, dict):  # queued questions share the field id namespace
        fields += _dicts(profiling, "queue", ("profiling",))
    hidden = definition.get("hidden")
    issues = _duplicates(
        "hidden name", [(("hidden", index), name) for index, name in
                        enumerate(hidden if isinstance(hidden, list) else [])])
    issues += _duplicates(
        "step or ending id",
        [((*path, "id"), node.get("id")) for path, node in steps + endings])
    issues += _duplicates("field id", [((*path, "id"), field.get("id")) for path, field in fields])
    for path, field in fields:
        issues += _duplicates("option value", [
            ((*option_path, "value"), option.get("value"))
            for option_path, option in _dicts(field, "options", path)])
        kind = FIELD_TYPES.get(field["type"]) if isinstance(field.get("type"), str) else None
        if kind is not None:
            issues += [Issue(f"{pointer(path)}/{relative}", message)
                       for relative, message in kind.definition_problems(cast(Field, field))]
    return issues


def _dicts(
    parent: dict[str, Any], key: str, at: _Path = ()
) -> list[tuple[_Path, dict[str, Any]]]:
    """The objects in parent[key] with their paths, skipping anything malformed."""
    items = parent.get(key)
    if not isinstance(items, list):
        return []
    return [((*at, key, index), item) for index, item in enumerate(items)
            if isinstance(item, dict)]


def _duplicates(what: str, named: list[tuple[_Path, object]]) -> list[Issue]:
    """An issue at every repeat of a string value, pointing back at its first use."""
    first: dict[str, str] = {}
    issues = []
    for path, value in named:
        if not isinstance(value, str):
            continue
        if value in first:
            issues.append(Issue(pointer(path), f"Duplicate {what} '{_clip(value)}': "
                                               f"already used at {first[value]}."))
        else:
            first[value] = pointer(path)
    return issues
