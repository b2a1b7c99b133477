"""Actions beside their targets on the department page and in the API: before (the latest
quarter released before the one the action was recorded in) and after (the latest released
quarter from then on), from the scorecards' own published figures, shown only when both are
shown; in the API, titles and summaries in the answer's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from survey.actions import services
from survey.actions.services import ActionInput
from tests.pdf_text import page_texts
from tests.scorecards.conftest import (  # noqa: F401 (fixtures)
    Org,
    _fresh_chart_cache,
    api_get,
    org,
)

pytestmark = pytest.mark.postgres

RECORDED = datetime(2026, 5, 10, tzinfo=UTC)  # in 2026Q2: the page showed 2026Q1


def record(world: Org, target: str, title: str) -> None:
    services.create_action(
        world.session,
        None,
        world.departments["IT"],
        ActionInput(title, "", target, "", None, None, "in_progress", ""),
        now=RECORDED,
    )
    world.session.commit()


@pytest.fixture
def history(org: Org) -> Org:  # noqa: F811 (the fixture imported above)
    org.quarterly("IT", "SALES", "2026Q1", [2, 3, 3, 2, 3])
    org.quarterly("IT", "SALES", "2026Q2", [4, 5, 4, 5, 4, 5])
    org.quarterly("IT", "ENG", "2026Q2", [4, 4, 5])  # three people: hidden
    record(org, "component:R", "Weekly check-in")
    record(org, f"customer:{org.id('SALES')}", "Sales desk")
    record(org, f"customer:{org.id('ENG')}", "Engineering office hours")
    record(org, "component:C", "Faster first answers")  # no handled requests: no figure
    return org


def test_api_before_and_after_are_the_published_figures(client, history: Org) -> None:
    q1 = api_get(client, history, "/api/v1/departments/IT/scorecard?quarter=2026Q1").get_json()
    q2 = api_get(client, history, "/api/v1/departments/IT/scorecard?quarter=2026Q2").get_json()
    actions = {a["title"]: a for a in q2["actions"]}
    assert q1["actions"] == q2["actions"]  # the same whatever quarter is asked for

    weekly = actions["Weekly check-in"]
    assert weekly["answers"] == {"kind": "component", "code": "R"}
    assert weekly["before"] == {"quarter": "2026Q1", "value": q1["components"]["R"]["value"]}
    assert weekly["after"] == {"quarter": "2026Q2", "value": q2["components"]["R"]["value"]}
    assert weekly["before"]["value"] < weekly["after"]["value"]

    # Sales rates IT in both quarters, but in 2026Q2 its row is hidden (the remainder, three
    # people of Engineering, is under k): no comparison, and Q1's figure is not shown alone.
    q1_sales = {c["code"]: c for c in q1["customers"]}["SALES"]
    q2_sales = {c["code"]: c for c in q2["customers"]}["SALES"]
    assert q1_sales["relationship"]["value"] is not None
    assert q2_sales["relationship"] == {
        **q2_sales["relationship"],
        "value": None,
        "reason": "remainder",
    }
    assert actions["Sales desk"]["before"] == {"quarter": None, "value": None}
    assert actions["Sales desk"]["after"] == {"quarter": None, "value": None}

    # Engineering is hidden in 2026Q2 (and absent in Q1), compliance has no data: no figure,
    # no quarter, nothing to work a hidden group out from.
    for title in ("Engineering office hours", "Faster first answers"):
        assert actions[title]["before"] == {"quarter": None, "value": None}
        assert actions[title]["after"] == {"quarter": None, "value": None}


def test_department_page_shows_the_comparison_and_hides_the_rest(
    client, history: Org, make_user, sign_in
) -> None:
    sign_in(make_user("viewer"))
    page = client.get("/scorecards/IT").get_data(as_text=True)
    section = page[page.index('id="actions-heading"') :]
    section = section[: section.index("</section>")]
    assert "Weekly check-in" in section and "(2026Q1) →" in section and "(2026Q2)" in section
    assert section.count("No comparison: the figure is not shown in both quarters.") == 3
    assert "Record an action" not in section  # a viewer may not plan

    # A change to the plan shows at once, although the page's figures are kept rendered.
    record(history, "dimension:tools", "New knowledge base")
    assert "New knowledge base" in client.get("/scorecards/IT").get_data(as_text=True)


def test_pdf_title_page_lists_the_actions(client, history: Org, make_user, sign_in) -> None:
    """The report's first page carries the action plan, before and after where both figures
    are shown (read back from the PDF's text)."""
    sign_in(make_user("viewer"))
    response = client.get("/scorecards/IT.pdf?quarter=2026Q2")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    first = " ".join(page_texts(response.data)[0].split())
    for title in ("Weekly check-in", "Sales desk", "Faster first answers"):
        assert title in first, first
    assert "No actions recorded yet." not in first
    assert "2026Q1" in first and "→ 2026Q2" in first  # the weekly check-in's before and after


def test_api_actions_speak_the_answers_language(client, history: Org) -> None:
    services.create_action(
        history.session,
        None,
        history.departments["IT"],
        ActionInput(
            "Spare laptops",
            "",
            "dimension:tools",
            "",
            None,
            None,
            "in_progress",
            "A spare laptop waits at the desk.",
            translations={
                "title": {"it": "Portatili di scorta"},
                "public_summary": {"it": "Un portatile di scorta attende allo sportello."},
            },
        ),
        now=RECORDED,
    )
    history.session.commit()
    path = "/api/v1/departments/IT/scorecard?quarter=2026Q2"
    italian = {
        a["title"]: a for a in api_get(client, history, path + "&lang=it").get_json()["actions"]
    }
    french = {
        a["title"]: a for a in api_get(client, history, path + "&lang=fr").get_json()["actions"]
    }
    assert italian["Portatili di scorta"]["public_summary"] == (
        "Un portatile di scorta attende allo sportello."
    )
    assert "Weekly check-in" in italian  # no translation: the default title
    assert french["Spare laptops"]["public_summary"] == "A spare laptop waits at the desk."
