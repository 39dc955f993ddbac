"""Next-step rules of docs/definition.md: branches, fall-through, endings."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.logic import Next, Path, facts, first_step, next_step, walk
from app.logic.branching import BranchLoop
from app.logic.visibility import UnknownStep


def step(step_id: str, *branches: dict[str, Any], **extra: Any) -> dict[str, Any]:
    fields = [{"id": f"{step_id}_q", "type": "short_text", "label": "Q"}]
    result: dict[str, Any] = {"id": step_id, "fields": fields, **extra}
    if branches:
        result["next"] = list(branches)
    return result


def goto(target: str, condition: Any = True) -> dict[str, Any]:
    return {"if": condition, "goto": target}


def flag(name: str) -> dict[str, Any]:
    """Holds when hidden.<name> is truthy: lets a test switch conditions on and off."""
    return {"var": f"hidden.{name}"}


def form(*steps: dict[str, Any]) -> dict[str, Any]:
    endings = [
        {"id": "thanks", "type": "message", "title": "Thanks"},
        {"id": "small", "type": "redirect", "url": "https://example.com/self-serve"},
    ]
    return {"schema": 1, "title": "Test", "steps": list(steps), "endings": endings}


def on(*names: str) -> dict[str, Any]:
    return facts(hidden=dict.fromkeys(names, True))


LINEAR = form(step("a"), step("b", visible_if=flag("b")), step("c"))


def test_the_first_step_is_the_first_visible_one() -> None:
    assert first_step(LINEAR, on()) == Next("step", "a")
    skipped = form(step("a", visible_if=flag("a")), step("b"))
    assert first_step(skipped, on()) == Next("step", "b")


def test_with_no_visible_step_the_form_goes_to_the_default_ending() -> None:
    hidden = form(step("a", visible_if=flag("a")))
    assert first_step(hidden, on()) == Next("ending", "thanks")


def test_without_branches_the_form_moves_to_the_following_step() -> None:
    assert next_step(LINEAR, "b", on()) == Next("step", "c")


def test_an_invisible_step_is_skipped() -> None:
    assert next_step(LINEAR, "a", on()) == Next("step", "c")
    assert next_step(LINEAR, "a", on("b")) == Next("step", "b")


def test_after_the_last_step_comes_the_default_ending() -> None:
    assert next_step(LINEAR, "c", on()) == Next("ending", "thanks")


def test_a_branch_whose_condition_holds_goes_to_its_ending() -> None:
    branched = form(step("a", goto("small", flag("tiny"))), step("b"))
    assert next_step(branched, "a", on("tiny")) == Next("ending", "small")
    assert next_step(branched, "a", on()) == Next("step", "b")


def test_the_first_branch_that_holds_wins() -> None:
    branched = form(
        step("a", goto("c", flag("x")), goto("small", flag("y")), goto("b")),
        step("b"),
        step("c"),
    )
    assert next_step(branched, "a", on("x", "y")) == Next("step", "c")
    assert next_step(branched, "a", on("y")) == Next("ending", "small")
    assert next_step(branched, "a", on()) == Next("step", "b")


def test_a_goto_into_an_invisible_step_moves_on_to_the_next_visible_one() -> None:
    branched = form(step("a", goto("b")), step("b", visible_if=flag("b")), step("c"))
    assert next_step(branched, "a", on()) == Next("step", "c")


def test_a_goto_into_an_invisible_last_step_ends_with_the_default_ending() -> None:
    branched = form(step("a", goto("b")), step("b", visible_if=flag("b")))
    assert next_step(branched, "a", on()) == Next("ending", "thanks")


def test_a_goto_to_an_unknown_id_falls_back_to_the_default_ending() -> None:
    broken = form(step("a", goto("nowhere")), step("b"))
    assert next_step(broken, "a", on()) == Next("ending", "thanks")


def test_a_branch_whose_condition_fails_to_evaluate_does_not_fire() -> None:
    broken = form(step("a", goto("small", {"no_such_operator": []})), step("b"))
    assert next_step(broken, "a", on()) == Next("step", "b")


def test_next_step_from_an_unknown_step_is_a_key_error() -> None:
    with pytest.raises(UnknownStep):
        next_step(LINEAR, "nope", on())


def test_walk_follows_the_form_to_its_ending() -> None:
    assert walk(LINEAR, on()) == Path(steps=["a", "c"], ending="thanks")
    assert walk(LINEAR, on("b")) == Path(steps=["a", "b", "c"], ending="thanks")


def test_walk_takes_branches_with_the_same_data_throughout() -> None:
    branched = form(step("a", goto("c", flag("skip"))), step("b"), step("c", goto("small")))
    assert walk(branched, on("skip")) == Path(steps=["a", "c"], ending="small")


def test_walk_of_a_form_with_no_visible_step_is_just_the_ending() -> None:
    assert walk(form(step("a", visible_if=False)), on()) == Path(steps=[], ending="thanks")


def test_walk_stops_a_loop_with_branch_loop() -> None:
    looping = form(step("a"), step("b", goto("a")))
    with pytest.raises(BranchLoop) as caught:
        walk(looping, on())
    assert caught.value.steps == ["a", "b", "a"]


def test_walk_honours_a_smaller_bound() -> None:
    with pytest.raises(BranchLoop):
        walk(LINEAR, on("b"), max_steps=2)
    assert walk(LINEAR, on("b"), max_steps=3).steps == ["a", "b", "c"]


def test_next_is_a_frozen_value() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Next("step", "a").id = "b"  # type: ignore[misc]
