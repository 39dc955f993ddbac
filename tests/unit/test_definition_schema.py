"""The definition JSON Schema and `validate`: the contract of docs/definition.md."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.forms import FIELD_TYPES, Issue, load_schema, parse_definition_text, validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "definition.md"


def documented_example() -> dict[str, Any]:
    """The first json code block of docs/definition.md."""
    match = re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert match, "docs/definition.md has no json code block"
    example: dict[str, Any] = json.loads(match.group(1))
    return example


def doc_table_first_column(heading: str) -> set[str]:
    """The backticked names in the first column of the table under `heading`."""
    section = DOC.read_text(encoding="utf-8").split(heading, 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE))


def messages_at(issues: list[Issue], path: str) -> list[str]:
    return [issue.message for issue in issues if issue.path == path]


# --- the schema itself ------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(load_schema())


def test_schema_has_its_public_id_and_a_title() -> None:
    schema = load_schema()
    assert schema["$id"] == "/schema/form-definition.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]


def test_load_schema_returns_a_copy_callers_cannot_spoil() -> None:
    load_schema()["required"].clear()
    assert load_schema()["required"] == ["schema", "title", "steps", "endings"]


def test_every_property_of_the_schema_is_described() -> None:
    def walk(node: object, where: str) -> list[str]:
        missing = []
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                    missing.append(f"{where}/properties/{name}")
            for key, sub in node.items():
                if key != "if":  # a type test, not a documented property
                    missing += walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for index, sub in enumerate(node):
                missing += walk(sub, f"{where}/{index}")
        return missing

    assert walk(load_schema(), "") == []


def test_field_types_in_docs_schema_and_registry_agree() -> None:
    documented = doc_table_first_column("### Field types")
    field_schema = load_schema()["$defs"]["field"]
    assert documented == set(FIELD_TYPES) == set(field_schema["properties"]["type"]["enum"])


def test_ending_types_in_docs_and_schema_agree() -> None:
    documented = doc_table_first_column("## Endings")
    assert documented == set(load_schema()["$defs"]["ending"]["properties"]["type"]["enum"])


@pytest.mark.parametrize("type_name", sorted(FIELD_TYPES))
def test_schema_validation_keys_match_the_field_type_registry(type_name: str) -> None:
    schema = load_schema()
    keys: set[str] = set()
    for rule in schema["$defs"]["field"]["allOf"]:
        applies = rule["if"]["properties"]["type"].get("enum", [])
        validation = rule.get("then", {}).get("properties", {}).get("validation", {})
        if type_name in applies and "$ref" in validation:
            keys = set(schema["$defs"][validation["$ref"].split("/")[-1]]["properties"])
    assert keys == FIELD_TYPES[type_name].allowed_validation


def test_every_pattern_in_the_schema_is_explained_in_plain_english() -> None:
    def patterns(node: object) -> set[str]:
        found: set[str] = set()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for sub in node.values():
                found |= patterns(sub)
        elif isinstance(node, list):
            for sub in node:
                found |= patterns(sub)
        return found

    assert len(patterns(load_schema())) == 6, "break each pattern below, then update this"
    definition = documented_example()
    definition["settings"] = {"allowed_domains": ["Not a host!"],
                              "theme": {"primary_color": "red", "logo_url": "http://x.com/a"}}
    definition["steps"][0]["id"] = "Not an id"
    definition["endings"][1]["url"] = "ftp://example.com"
    add_field(definition, type="date", validation={"min": "soon"})
    messages = [issue.message for issue in validate(definition)]
    assert len(messages) == 6
    assert not [message for message in messages if "expected format" in message]


# --- valid documents ---------------------------------------------------------------


def test_the_documented_example_is_valid() -> None:
    assert validate(documented_example()) == []


def test_parse_definition_text_returns_the_document_when_valid() -> None:
    text = json.dumps(documented_example())
    assert parse_definition_text(text) == (documented_example(), [])


def test_a_hidden_name_may_equal_a_field_id() -> None:
    definition = documented_example()
    definition["hidden"].append("email")
    assert validate(definition) == []


def test_every_field_type_is_accepted_in_its_simplest_form() -> None:
    definition = documented_example()
    fields = []
    for name, kind in FIELD_TYPES.items():
        field: dict[str, Any] = {"id": f"f_{name}", "type": name, "label": name}
        if kind.has_options:
            field["options"] = [{"value": "a"}, {"value": "b"}]
        fields.append(field)
    definition["steps"].append({"id": "all", "fields": fields})
    assert validate(definition) == []


@pytest.mark.parametrize("ending", [
    {"id": "done", "type": "message"},
    {"id": "done", "type": "book", "team": "ae-team", "meeting_type": "intro-30",
     "title": "Pick a time", "message": "Thirty minutes."},
    {"id": "done", "type": "nurture", "track": "general", "title": "Thanks"},
    {"id": "done", "type": "disqualify", "message": "Not a fit, sorry."},
    {"id": "done", "type": "route"},
    {"id": "done", "type": "redirect", "url": "http://example.com"},
])
def test_every_ending_type_is_accepted(ending: dict[str, Any]) -> None:
    definition = documented_example()
    definition["endings"].append(ending)
    assert validate(definition) == []


# --- invalid documents: one table, each row a specific path and message ---------------

Mutation = Callable[[dict[str, Any]], None]


def field(definition: dict[str, Any], step: int = 0, index: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = definition["steps"][step]["fields"][index]
    return found


def add_field(definition: dict[str, Any], **spec: Any) -> None:
    definition["steps"][1]["fields"].append({"id": "extra", "label": "Extra", **spec})


BAD: list[tuple[str, Mutation, str, str]] = [
    ("unknown field type", lambda d: field(d).update(type="fancy"),
     "/steps/0/fields/0/type", "Unknown field type 'fancy'. Expected one of: short_text, "),
    ("missing label", lambda d: field(d).pop("label"),
     "/steps/0/fields/0", "Missing required key 'label'."),
    ("label of the wrong type", lambda d: field(d).update(label=5),
     "/steps/0/fields/0/label", "Expected a string, got a number."),
    ("required as a string", lambda d: field(d).update(required="yes"),
     "/steps/0/fields/0/required", "Expected true or false, got a string."),
    ("steps as an object", lambda d: d.update(steps={}),
     "/steps", "Expected a list, got an object."),
    ("no steps", lambda d: d.update(steps=[]), "/steps", "Needs at least one step."),
    ("no endings", lambda d: d.pop("endings"), "", "Missing required key 'endings'."),
    ("wrong format version", lambda d: d.update(schema=2), "/schema", "Expected 1, got 2."),
    ("unknown display", lambda d: d.update(display="cards"),
     "/display", "Unknown value 'cards'. Expected one of: steps, conversational."),
    ("typo key in a field", lambda d: field(d).update(lable="Work email"),
     "/steps/0/fields/0/lable", "Unknown key 'lable'. Did you mean 'label'?"),
    ("typo key at the top", lambda d: d.update(setings={}),
     "/setings", "Unknown key 'setings'. Did you mean 'settings'?"),
    ("key with pointer characters", lambda d: d.update({"a/b~c": 1}),
     "/a~1b~0c", "Unknown key 'a/b~c'."),
    ("redirect without url", lambda d: d["endings"][1].pop("url"),
     "/endings/1", "Missing required key 'url'."),
    ("redirect to another scheme", lambda d: d["endings"][1].update(url="javascript:alert(1)"),
     "/endings/1/url", "is not an http:// or https:// address."),
    ("book without a team", lambda d: d["endings"].append(
        {"id": "meet", "type": "book", "meeting_type": "intro"}),
     "/endings/2", "Missing required key 'team'."),
    ("nurture without a track", lambda d: d["endings"].append({"id": "later", "type": "nurture"}),
     "/endings/2", "Missing required key 'track'."),
    ("url on a message ending", lambda d: d["endings"][0].update(url="https://example.com"),
     "/endings/0/url", "Key 'url' is not allowed on an ending of type 'message'."),
    ("choice without options", lambda d: field(d, 0, 1).pop("options"),
     "/steps/0/fields/1", "Missing required key 'options'."),
    ("options on a text field", lambda d: field(d).update(options=[{"value": "a"}]),
     "/steps/0/fields/0/options", "Key 'options' is not allowed on a field of type 'email'."),
    ("required on a statement", lambda d: add_field(d, type="statement", required=True),
     "/steps/1/fields/1/required", "Key 'required' is not allowed on a field of type 'statement'."),
    ("validation on a statement", lambda d: add_field(d, type="statement", validation={}),
     "/steps/1/fields/1/validation",
     "Key 'validation' is not allowed on a field of type 'statement'."),
    ("text rule on a number", lambda d: add_field(d, type="number",
                                                  validation={"max_length": 3}),
     "/steps/1/fields/1/validation/max_length",
     "Validation key 'max_length' does not apply to a field of type 'number' "
     "(usable: max, min)."),
    ("bad embedding domain", lambda d: d.update(settings={"allowed_domains": ["https://x.com"]}),
     "/settings/allowed_domains/0", "'https://x.com' is not a lowercase host name"),
    ("bad id", lambda d: d["steps"][0].update(id="About You"),
     "/steps/0/id", "'About You' is not a valid id"),
    ("id with a trailing newline", lambda d: d["steps"][0].update(id="you\n"),
     "/steps/0/id", "'you\\n' is not a valid id"),
    ("too many options", lambda d: field(d, 0, 1).update(
        options=[{"value": str(n)} for n in range(201)]),
     "/steps/0/fields/1/options", "Too many options: at most 200."),
    ("label too long", lambda d: field(d).update(label="x" * 501),
     "/steps/0/fields/0/label", "Too long: at most 500 characters."),
    ("empty title", lambda d: d.update(title=""), "/title", "Must not be empty."),
    ("date bound not a date", lambda d: add_field(d, type="date", validation={"min": "soon"}),
     "/steps/1/fields/1/validation/min", "'soon' is not a date written as YYYY-MM-DD."),
    ("scale beyond its range", lambda d: add_field(d, type="scale", validation={"max": 1000}),
     "/steps/1/fields/1/validation/max", "Must be at most 100."),
    ("duplicate step id", lambda d: d["steps"][1].update(id="you"),
     "/steps/1/id", "Duplicate step or ending id 'you': already used at /steps/0/id."),
    ("ending id equal to a step id", lambda d: d["endings"][0].update(id="project"),
     "/endings/0/id", "Duplicate step or ending id 'project': already used at /steps/1/id."),
    ("duplicate field id across steps", lambda d: field(d, 1, 0).update(id="email"),
     "/steps/1/fields/0/id", "Duplicate field id 'email': already used at /steps/0/fields/0/id."),
    ("duplicate option value", lambda d: field(d, 0, 1)["options"].append({"value": "1-10"}),
     "/steps/0/fields/1/options/3/value",
     "Duplicate option value '1-10': already used at /steps/0/fields/1/options/0/value."),
    ("duplicate hidden name", lambda d: d["hidden"].append("utm_source"),
     "/hidden/2", "Duplicate hidden name 'utm_source': already used at /hidden/0."),
    ("pattern that does not compile", lambda d: field(d).update(validation={"pattern": "(a"}),
     "/steps/0/fields/0/validation/pattern", "Pattern is not a valid regular expression"),
    ("pattern that is too long", lambda d: field(d).update(validation={"pattern": "a" * 201}),
     "/steps/0/fields/0/validation/pattern", "Too long: at most 200 characters."),
    ("pattern with nested repetition", lambda d: field(d).update(
        validation={"pattern": "(a+)+b"}),
     "/steps/0/fields/0/validation/pattern", "repeats a repetition"),
    ("number min greater than max", lambda d: add_field(
        d, type="number", validation={"min": 100, "max": 10}),
     "/steps/1/fields/1/validation/min", "min (100) is greater than max (10)."),
    ("min_length greater than max_length", lambda d: field(d).update(
        validation={"min_length": 10, "max_length": 5}),
     "/steps/0/fields/0/validation/min_length",
     "min_length (10) is greater than max_length (5)."),
    ("scale min above the default max", lambda d: add_field(
        d, type="scale", validation={"min": 7}),
     "/steps/1/fields/1/validation/min", "min (7) is greater than max (5)."),
    ("date that does not exist", lambda d: add_field(
        d, type="date", validation={"max": "2025-02-30"}),
     "/steps/1/fields/1/validation/max", "'2025-02-30' is not a real date."),
    ("date min after max", lambda d: add_field(
        d, type="date", validation={"min": "2025-06-01", "max": "2025-01-01"}),
     "/steps/1/fields/1/validation/min", "min (2025-06-01) is after max (2025-01-01)."),
    ("more picks needed than options", lambda d: add_field(
        d, type="multi_choice", options=[{"value": "a"}], validation={"min": 2}),
     "/steps/1/fields/1/validation/min", "min (2) is greater than the number of options (1)."),
]


@pytest.mark.parametrize(("mutate", "path", "message"),
                         [row[1:] for row in BAD], ids=[row[0] for row in BAD])
def test_a_bad_definition_is_reported_at_its_path(mutate: Mutation, path: str,
                                                  message: str) -> None:
    definition = documented_example()
    mutate(definition)
    issues = validate(definition)
    assert any(message in text for text in messages_at(issues, path)), issues


BAD_TEXT = [
    ("trailing comma", '{"schema": 1,}',
     "Not valid JSON: Expecting property name enclosed in double quotes (line 1, column 14)"),
    ("empty document", "", "Not valid JSON: Expecting value (line 1, column 1)"),
    ("second line", '{\n  "schema": 1\n  "title": "x"}', "(line 3, column 3)"),
    ("NaN", '{"schema": NaN}', "Not valid JSON: NaN is not a JSON number."),
    ("duplicate key", '{"schema": 1, "schema": 1}', "Duplicate key 'schema' in an object."),
    ("deep nesting", "[" * 100_000, "nested too deeply"),
    ("huge integer", "1" * 5000, "Not valid JSON"),
    ("too large", " " * 2_000_001, "The definition is too large"),
]


@pytest.mark.parametrize(("text", "message"), [row[1:] for row in BAD_TEXT],
                         ids=[row[0] for row in BAD_TEXT])
def test_text_that_is_not_a_json_document_is_one_issue_at_the_root(text: str,
                                                                    message: str) -> None:
    definition, issues = parse_definition_text(text)
    assert definition is None
    assert len(issues) == 1
    assert issues[0].path == ""
    assert message in issues[0].message


# --- the shape of the report --------------------------------------------------------


def test_an_unknown_field_type_is_one_clear_issue() -> None:
    definition = documented_example()
    field(definition).update(type="fancy")
    assert [issue.path for issue in validate(definition)] == ["/steps/0/fields/0/type"]


def test_a_forbidden_key_is_reported_once_even_when_its_value_is_also_wrong() -> None:
    definition = documented_example()
    add_field(definition, type="statement", required="yes")
    assert validate(definition) == [
        Issue("/steps/1/fields/1/required",
              "Key 'required' is not allowed on a field of type 'statement'."),
    ]


def test_issues_are_sorted_by_path_with_numeric_indexes() -> None:
    definition = documented_example()
    definition["steps"] = [
        {"id": f"s{n}", "fields": [{"id": f"f{n}", "type": "short_text", "label": 1}]}
        for n in range(12)
    ]
    paths = [issue.path for issue in validate(definition)]
    assert paths == [f"/steps/{n}/fields/0/label" for n in range(12)]


def test_issues_are_not_repeated() -> None:
    definition = documented_example()
    field(definition, 0, 1).pop("options")
    field(definition, 0, 1).pop("label")
    issues = validate(definition)
    assert len(issues) == len(set(issues)) == 2


def test_semantic_checks_run_alongside_schema_errors() -> None:
    definition = documented_example()
    definition["title"] = 7
    field(definition, 1, 0)["id"] = "email"
    paths = {issue.path for issue in validate(definition)}
    assert paths == {"/title", "/steps/1/fields/0/id"}


def test_as_dict_gives_path_and_message() -> None:
    assert Issue("/steps", "Needs at least one step.").as_dict() == {
        "path": "/steps", "message": "Needs at least one step."}


@pytest.mark.parametrize(("value", "path", "message"), [
    ({"steps": {1, 2}}, "/steps", "Not a JSON value (a Python set)."),
    ({"schema": float("nan")}, "/schema", "Not a finite number."),
    ({1: "one"}, "", "Object keys must be strings."),
    (list(range(60_000)), "", "The definition is too large"),
    ({"title": "x" * 1_000_001}, "", "too much text"),
])
def test_python_values_that_are_not_safe_json_are_refused(value: object, path: str,
                                                          message: str) -> None:
    issues = validate(value)
    assert len(issues) == 1 and issues[0].path == path and message in issues[0].message


def test_a_self_referencing_value_is_refused_not_recursed_into() -> None:
    loop: list[object] = []
    loop.append(loop)
    [issue] = validate(loop)
    assert issue.message == "Nested too deeply: at most 64 levels."


def test_a_deeply_nested_condition_is_refused() -> None:
    definition = documented_example()
    condition: object = True
    for _ in range(100):
        condition = {"!": [condition]}
    definition["steps"][0]["visible_if"] = condition
    [issue] = validate(definition)
    assert issue.path.startswith("/steps/0/visible_if/!/0/")
    assert "Nested too deeply" in issue.message


def test_a_hostile_number_of_errors_is_capped() -> None:
    definition = copy.deepcopy(documented_example())
    definition["steps"] = [{"id": "s", "fields": [{"bad": n} for n in range(100)]}] * 50
    issues = validate(definition)
    assert len(issues) == 201
    assert issues[0] == Issue("", "Too many problems: only the first 200 are listed.")
