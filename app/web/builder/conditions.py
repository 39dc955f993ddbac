"""Conditions as the editor's pages post them: one place decides which input they came from.

Today a condition is raw JsonLogic text (`condition`); when the rule builder
(field / operator / value rows) is on the page, its rows win. Scoring and Routing
call only `condition_from_form`, so they do not change when the builder arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def condition_from_form(form: Mapping[str, Any]) -> tuple[Any, str | None, str | None]:
    """(condition, its JSON text, problem) from the rule builder's inputs.

    (None, None, None) means: no builder rows were posted, read the raw JSON text.
    """
    return None, None, None
