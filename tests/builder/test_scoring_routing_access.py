"""Only admins and marketers edit scoring and routing: sales get 403 on every change."""

from __future__ import annotations

import pytest

from tests.builder.editor_pages import ROUTING, SCORING, route_of, sign_in_as, versions
from tests.web.backoffice import csrf_of

POSTS = [
    SCORING + "rules", SCORING + "rules/0", SCORING + "rules/0/delete", SCORING + "rules/0/move",
    SCORING + "thresholds", SCORING + "json",
    ROUTING + "/start", ROUTING + "/ending", ROUTING + "/rules", ROUTING + "/rules/0",
    ROUTING + "/rules/0/delete", ROUTING + "/rules/0/move", ROUTING + "/json", ROUTING + "/test",
]


@pytest.fixture
def sales(demo, client):
    return sign_in_as(demo, client, "sales")


@pytest.mark.parametrize("url", POSTS)
def test_sales_cannot_post(sales, db_engine, url):
    token = csrf_of(sales.get("/app/demo/").get_data(as_text=True))
    before = route_of(db_engine)

    reply = sales.post(url, data={"csrf_token": token, "base": "1", "reason": "x",
                                  "points": "1", "dimension": "fit", "condition": "true",
                                  "kind": "disqualify", "disqualify": "No", "mql": "1",
                                  "sql": "2", "direction": "up"})

    assert reply.status_code == 403
    assert len(versions(db_engine)) == 1 and route_of(db_engine) == before


@pytest.mark.parametrize("url", [SCORING, ROUTING])
def test_sales_cannot_see_the_pages_nor_the_nav_link(sales, url):
    assert sales.get(url).status_code == 403
    assert ">Scoring</a>" not in sales.get("/app/demo/").get_data(as_text=True)


def test_another_workspaces_marketer_gets_404(demo, client):
    sign_in_as(demo, client, "marketer", workspace="acme")

    assert client.get(SCORING).status_code == 404
    assert client.get(ROUTING).status_code == 404
