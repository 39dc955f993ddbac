"""The Scoring page: the workspace's model edited row by row, each save a new version."""

from __future__ import annotations

import json

import pytest

from tests.builder.editor_pages import SCORING, post_page, sign_in_as, versions
from tests.web.backoffice import csrf_of

RULES = SCORING + "rules"
HEALTHCARE = {"==": [{"var": "contact.industry"}, "healthcare"]}


@pytest.fixture
def marketer(demo, client):
    return sign_in_as(demo, client, "marketer")


def add_rule(client, *, htmx=False, **fields):
    data = {"reason": "Works in healthcare", "condition": json.dumps(HEALTHCARE),
            "points": "12", "dimension": "fit", "half_life": "", "id": "", **fields}
    return post_page(client, SCORING, RULES, htmx=htmx, **data)


def test_the_page_lists_every_rule_with_its_points_and_the_thresholds(marketer):
    page = marketer.get(SCORING).get_data(as_text=True)

    assert "Budget over $50k a year" in page and "budget-over-50k" in page
    assert "Version 1 in force" in page
    assert 'name="mql" value="40"' in page and 'name="sql" value="70"' in page
    assert "Scoring</a>" in page  # the header link


def test_adding_a_rule_stores_a_new_version_with_the_rule_at_the_end(marketer, db_engine):
    reply = add_rule(marketer)

    assert reply.status_code == 303
    first, second = versions(db_engine)
    assert second.number == 2
    assert second.model["rules"][:-1] == first.model["rules"]
    assert second.model["rules"][-1] == {"id": "works-in-healthcare", "if": HEALTHCARE,
                                         "points": 12, "dimension": "fit",
                                         "reason": "Works in healthcare"}
    assert second.note.startswith("Added rule 'works-in-healthcare'")
    page = marketer.get(reply.headers["Location"]).get_data(as_text=True)
    assert "Saved as version 2." in page


def test_a_signal_rule_keeps_its_half_life_and_may_take_points_away(marketer, db_engine):
    add_rule(marketer, reason="Only read the blog", points="-8", dimension="intent",
             half_life="3.5", condition='{">=": [{"var": "signals.page_views_30d"}, 10]}')

    rule = versions(db_engine)[-1].model["rules"][-1]
    assert rule["points"] == -8 and rule["dimension"] == "intent"
    assert rule["half_life_days"] == 3.5


def test_editing_a_rule_replaces_it_in_a_new_version(marketer, db_engine):
    reply = post_page(marketer, SCORING + "?edit=0", RULES + "/0", id="budget-over-50k",
                      reason="Big budget", condition='{"==": [{"var": "answers.budget"}, '
                                                     '"over_50k"]}',
                      points="30", dimension="fit", half_life="")

    assert reply.status_code == 303
    first, second = versions(db_engine)
    assert second.model["rules"][0] == {
        "id": "budget-over-50k", "if": {"==": [{"var": "answers.budget"}, "over_50k"]},
        "points": 30, "dimension": "fit", "reason": "Big budget"}
    assert second.model["rules"][1:] == first.model["rules"][1:]
    assert second.model["thresholds"] == first.model["thresholds"]
    assert second.model["sql_gates"] == first.model["sql_gates"]


def test_the_edit_row_shows_the_rule_in_inputs(marketer):
    page = marketer.get(SCORING + "?edit=7").get_data(as_text=True)

    assert "Edit rule 8" in page
    assert 'name="half_life" value="7"' in page and 'name="points" value="15"' in page


def test_deleting_a_rule_stores_a_version_without_it(marketer, db_engine):
    reply = post_page(marketer, SCORING, RULES + "/0/delete")

    assert reply.status_code == 303
    first, second = versions(db_engine)
    assert second.model["rules"] == first.model["rules"][1:]
    assert "Deleted rule 'budget-over-50k'" in second.note


def test_moving_a_rule_changes_the_order_of_the_reasons(marketer, db_engine):
    post_page(marketer, SCORING, RULES + "/1/move", direction="up")

    first, second = versions(db_engine)
    assert [r["id"] for r in second.model["rules"][:2]] == ["budget-10k-50k", "budget-over-50k"]
    reply = post_page(marketer, SCORING, RULES + "/0/move", direction="up")
    assert reply.status_code == 409
    assert "cannot move further" in reply.get_data(as_text=True)
    assert len(versions(db_engine)) == 2


@pytest.mark.parametrize(("fields", "message"), [
    ({"points": "ten"}, "Points must be a whole number"),
    ({"points": "2.5"}, "Points must be a whole number"),
    ({"points": "5000"}, "Points must be between -1000 and 1000"),
    ({"reason": "  "}, "Write the reason sales will read"),
    ({"condition": '{"==": [1,'}, "The condition is not valid JSON"),
    ({"half_life": "-2"}, "Half-life is a number of days above 0"),
])
def test_bad_input_is_refused_inline_and_nothing_is_saved(marketer, db_engine, fields, message):
    reply = add_rule(marketer, **{"reason": "Kept reason", **fields})

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page and "bo-has-error" in page
    assert "Error: Scoring" in page
    if "reason" not in fields:
        assert 'value="Kept reason"' in page  # what was typed is kept
    assert len(versions(db_engine)) == 1


def test_the_models_own_issues_are_shown_next_to_the_row(marketer, db_engine):
    reply = add_rule(marketer, condition='{"==": [{"var": "industry"}, "x"]}')

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert "unknown fact &#39;industry&#39;" in page
    assert 'id="new-rule-condition-error"' in page
    assert len(versions(db_engine)) == 1


def test_a_name_already_taken_is_refused_next_to_it(marketer, db_engine):
    reply = add_rule(marketer, id="student")

    assert reply.status_code == 422
    assert "Duplicate rule id &#39;student&#39;" in reply.get_data(as_text=True)
    assert len(versions(db_engine)) == 1


def test_thresholds_are_saved_as_a_new_version(marketer, db_engine):
    reply = post_page(marketer, SCORING, SCORING + "thresholds", mql="35", sql="60.5",
                      fit_cap="", intent_cap="50")

    assert reply.status_code == 303
    model = versions(db_engine)[-1].model
    assert model["thresholds"] == {"mql": 35, "sql": 60.5}
    assert model["caps"] == {"intent": 50}


@pytest.mark.parametrize(("mql", "sql", "message"), [
    ("80", "70", "The MQL threshold must be below the SQL threshold."),
    ("70", "70", "The MQL threshold must be below the SQL threshold."),
    ("lots", "70", "The MQL threshold must be a number"),
    ("40", "-1", "The SQL threshold must be a number of points, 0 or more."),
])
def test_bad_thresholds_are_refused_inline(marketer, db_engine, mql, sql, message):
    reply = post_page(marketer, SCORING, SCORING + "thresholds", mql=mql, sql=sql,
                      fit_cap="70", intent_cap="40")

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page and f'value="{mql}"' in page
    assert len(versions(db_engine)) == 1


def test_an_edit_from_a_page_showing_an_older_version_is_refused(marketer, db_engine):
    add_rule(marketer)
    token_page = marketer.get(SCORING).get_data(as_text=True)

    reply = marketer.post(RULES + "/0/delete", data={"csrf_token": csrf_of(token_page),
                                                     "base": "1"})

    assert reply.status_code == 409
    assert "changed while you were editing" in reply.get_data(as_text=True)
    assert len(versions(db_engine)) == 2


def test_the_model_can_be_edited_as_json(marketer, db_engine):
    model = versions(db_engine)[0].model
    model["thresholds"] = {"mql": 10, "sql": 20}
    reply = post_page(marketer, SCORING, SCORING + "json", model=json.dumps(model))

    assert reply.status_code == 303
    assert versions(db_engine)[-1].model == model


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "This is not valid JSON"),
    ('{"schema": 1, "rules": [], "thresholds": {"mql": 90, "sql": 20}}',
     "/thresholds/mql: The MQL threshold must not be above SQL."),
])
def test_invalid_json_is_refused_and_kept(marketer, db_engine, text, message):
    reply = post_page(marketer, SCORING, SCORING + "json", model=text)

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page
    assert len(versions(db_engine)) == 1


def test_an_htmx_save_answers_with_the_page_and_the_new_version(marketer, db_engine):
    reply = add_rule(marketer, htmx=True)

    assert reply.status_code == 200
    assert "Saved as version 2." in reply.get_data(as_text=True)


def test_an_htmx_refusal_is_a_200_with_the_message(marketer):
    reply = add_rule(marketer, htmx=True, points="many")

    assert reply.status_code == 200
    assert "Points must be a whole number" in reply.get_data(as_text=True)


def test_the_page_links_to_each_forms_test_panel(marketer):
    page = marketer.get(SCORING).get_data(as_text=True)

    assert '/app/demo/forms/talk-to-sales/routing#test-panel' in page


# --- conditions through the rule builder (what a browser posts) ------------------------------

def builder_fields(prefix, *rows, mode="all", json_text="", editor="rows"):
    fields = {f"{prefix}.editor": editor, f"{prefix}.mode": mode, f"{prefix}.json": json_text,
              f"{prefix}.json_before": ""}
    for index, (variable, operator, value) in enumerate(rows):
        fields.update({f"{prefix}.{index}.var": variable, f"{prefix}.{index}.op": operator,
                       f"{prefix}.{index}.value": value})
    return fields


def test_the_forms_embed_a_rule_builder(marketer):
    page = marketer.get(SCORING + "?edit=0").get_data(as_text=True)

    assert 'id="rb-rule-new"' in page and 'id="rb-rule-0"' in page
    assert 'name="rule-0.0.var"' in page and 'value="answers.budget" selected' in page
    assert "/app/demo/rule-builder" in page


def test_a_rule_is_added_from_builder_rows(marketer, db_engine):
    fields = builder_fields("rule-new", ("signals.pricing_views_7d", "ge", "3"),
                            ("answers.budget", "eq", "over_50k"), mode="any")
    reply = post_page(marketer, SCORING, RULES, reason="Keen", points="5", dimension="intent",
                      **fields)

    assert reply.status_code == 303
    assert versions(db_engine)[-1].model["rules"][-1]["if"] == {"or": [
        {">=": [{"var": "signals.pricing_views_7d"}, 3]},
        {"==": [{"var": "answers.budget"}, "over_50k"]}]}


def test_a_rule_is_added_from_the_builders_json_box(marketer, db_engine):
    fields = builder_fields("rule-new", editor="json", json_text=json.dumps(HEALTHCARE))
    reply = post_page(marketer, SCORING, RULES, reason="Health", points="5", dimension="fit",
                      **fields)

    assert reply.status_code == 303
    assert versions(db_engine)[-1].model["rules"][-1]["if"] == HEALTHCARE


@pytest.mark.parametrize(("fields", "message"), [
    (builder_fields("rule-new"), "Add at least one condition."),
    (builder_fields("rule-new", ("signals.pricing_views_7d", "ge", "lots")), "number"),
    (builder_fields("rule-new", editor="json", json_text="{nope"), "This is not valid JSON"),
])
def test_a_bad_builder_condition_is_refused_and_kept(marketer, db_engine, fields, message):
    reply = post_page(marketer, SCORING, RULES, reason="Kept reason", points="5",
                      dimension="fit", **fields)

    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    assert message in page and 'id="new-rule-condition-error"' in page
    assert 'value="Kept reason"' in page
    assert len(versions(db_engine)) == 1
