"""The Experiments tab in a real browser: start (with an inline error first), the results
page with its interval chart, stop; axe on every state, no CSP violations, local times."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.conftest import ROOT, serving
from tests.e2e.test_accessibility import PHONE, assert_accessible
from tests.e2e.test_backoffice_browser import sign_in

pytestmark = pytest.mark.e2e

TAB = "/app/demo/forms/talk-to-sales/experiments"


@pytest.fixture(scope="module")
def server(database_url: str, _session_engine, tmp_path_factory) -> Iterator[str]:
    """The demo, with a second version of talk-to-sales to test against the first."""
    from app.forms.versions import get_form, get_workspace, publish, save_draft
    from tests.conftest import empty_all_tables

    log = Path(tmp_path_factory.mktemp("experiments")) / "server.log"
    with serving(database_url, log, LEADFORM_SESSION_COOKIE_SECURE="false") as base:
        definition = json.loads((ROOT / "demo" / "talk-to-sales.json").read_text("utf-8"))
        definition["steps"][0]["fields"][0]["label"] = "First name, please?"
        with Session(_session_engine) as session:
            workspace = get_workspace(session, "demo")
            save_draft(session, workspace, "talk-to-sales", definition)
            publish(session, get_form(session, workspace, "talk-to-sales"), note="Shorter label")
            session.commit()
        yield base
    empty_all_tables(_session_engine)


@pytest.fixture(params=["desktop", "phone"])
def signed_in(request, browser, server: str) -> Iterator[Page]:
    """The demo admin in Berlin; the test fails on any CSP violation."""
    context = browser.new_context(timezone_id="Europe/Berlin", locale="en-GB",
                                  **(PHONE if request.param == "phone" else {}))
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, server)
    yield page
    context.close()
    assert violations == []


def add_responses(engine, experiment_name: str) -> None:
    """Forty starts per variant, some completed: enough for the chart to draw intervals."""
    from app.models import Experiment, Response

    with Session(engine) as session:
        experiment = session.scalar(select(Experiment).where(Experiment.name == experiment_name))
        for variant, completed in (("a", 14), ("b", 28)):
            version = experiment.version_a_id if variant == "a" else experiment.version_b_id
            session.add_all(Response(
                workspace_id=experiment.workspace_id, form_id=experiment.form_id,
                version_id=version, experiment_id=experiment.id, variant=variant,
                state="completed" if n < completed else "abandoned", answers={}, hidden={},
                meta={}) for n in range(40))
        session.commit()


def test_a_marketer_starts_reads_and_stops_a_test(signed_in: Page, server: str, _session_engine,
                                                  request):
    page = signed_in
    name = f"Shorter label ({request.node.callspec.id})"
    page.goto(server + TAB)
    expect(page.get_by_role("heading", name="Start an A/B test")).to_be_visible()
    expect(page.get_by_label("Version A")).to_have_value(
        page.get_by_label("Version A").locator("option", has_text="v2 (live)").get_attribute(
            "value"))
    assert_accessible(page, "the Experiments tab")

    page.get_by_label("Visitors who get B (%)").fill("100")
    page.get_by_role("button", name="Start the test").click()
    expect(page.locator("#xp-name-error")).to_contain_text("Give the test a name")
    expect(page.locator("#xp-split-error")).to_contain_text("between 1 % and 99 %")
    expect(page.get_by_label("Visitors who get B (%)")).to_have_value("100")
    assert_accessible(page, "the Experiments tab with errors")

    page.get_by_label("Name").fill(name)
    page.get_by_label("Visitors who get B (%)").fill("50")
    page.get_by_role("button", name="Start the test").click()
    expect(page.get_by_text(f"“{name}” is running")).to_be_visible()
    started = page.locator(".xp-facts time").first
    expect(started).not_to_contain_text("UTC")  # shown in the viewer's timezone
    expect(started).to_contain_text("CE")  # CET or CEST: Berlin

    add_responses(_session_engine, name)
    page.reload()
    expect(page.get_by_role("img", name="B minus A")).to_be_visible()
    expect(page.get_by_text("Completion rate: Significant at 95 %")).to_be_visible()
    assert_accessible(page, "the results page")

    page.get_by_role("button", name="Stop the test").click()
    expect(page.get_by_text(f"“{name}” is stopped")).to_be_visible()
    assert_accessible(page, "a stopped test's results")
    page.get_by_role("link", name="All tests of this form").click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page, "the Experiments tab with past tests")
