"""Admin polish: question types in words, services filtered by department, success messages
styled as successes, SURVEY_PAGE_SIZE read by the lists, a favicon."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.models import Department, Questionnaire, Service
from survey.services.questionnaires import install_default_questionnaires


@pytest.fixture
def app_config(app_config):  # type: ignore[no-untyped-def]
    return {**app_config, "PAGE_SIZE": 5}


def test_question_types_are_words_in_the_readers_language(admin_client, session) -> None:
    install_default_questionnaires(session)
    session.commit()
    qid = session.scalar(select(Questionnaire.id).where(Questionnaire.kind == "quarterly"))
    page = admin_client.get(f"/admin/questionnaires/{qid}").get_data(as_text=True)
    cells = re.findall(r"<td>(likert5|yes_no|nps|text)</td>", page)
    assert not cells and "Scale 1 to 5" in page


def test_the_service_list_is_grouped_and_marked_by_department(admin_client, session) -> None:
    it, hr = (
        Department(code="IT", name="Information Technology"),
        Department(code="HR", name="Human Resources"),
    )
    session.add_all([it, hr])
    session.flush()
    session.add_all(
        [
            Service(provider_department_id=it.id, code="it-laptop", name="Laptops"),
            Service(provider_department_id=hr.id, code="hr-pay", name="Payroll"),
        ]
    )
    session.commit()
    page = admin_client.get("/admin/interactions/new").get_data(as_text=True)
    assert '<optgroup label="Information Technology">' in page
    assert re.search(
        r'<option data-provider="HR" value="hr-pay">|<option value="hr-pay" data-provider="HR">',
        page,
    ) or ('data-provider="HR"' in page)
    assert "service_filter.js" in page and "data-service-filter" in page
    script = admin_client.get("/static/service_filter.js")
    assert script.status_code == 200 and b"data-provider" in script.data
    script.close()


def test_lists_use_the_page_size_setting(admin_client, session) -> None:
    session.add_all(Department(code=f"D{i:02d}", name=f"Department {i:02d}") for i in range(7))
    session.commit()
    page = admin_client.get("/admin/departments").get_data(as_text=True)
    assert page.count("Department 0") == 5  # the first five of seven, on page one


def test_success_messages_look_like_successes(admin_client, session) -> None:
    from tests.conftest import post_form

    response = post_form(
        admin_client, "/admin/departments/new", {"code": "OPS", "name": "Operations"}
    )
    assert response.status_code == 302
    assert "flash-success" in admin_client.get(response.headers["Location"]).get_data(as_text=True)


def test_every_page_carries_its_favicon_inline(client) -> None:
    page = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page).group(1)
    assert href.startswith("data:image/svg+xml,") and "%3Csvg" in href
