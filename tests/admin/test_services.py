"""Services and service standards (history kept, never edited in place)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Service, ServiceStandard
from tests.admin.conftest import count, fresh
from tests.conftest import post_form


def service_data(provider_id: int, **over: str) -> dict[str, str]:
    data = {
        "provider": str(provider_id),
        "code": "IT-LAPTOP",
        "name": "Laptop repair",
        "description": "Broken laptops fixed or replaced.",
        "sampling_rate": "0.25",
        "active": "y",
    }
    data.update(over)
    return data


@pytest.mark.postgres
def test_create_edit_and_standards(admin_client, session, make_department) -> None:
    it = make_department(code="IT")
    hr = make_department(code="HR")
    response = post_form(admin_client, "/admin/services/new", service_data(it.id))
    assert response.status_code == 302
    session.rollback()
    service = session.scalar(select(Service))
    assert (service.code, service.sampling_rate, service.provider_department_id) == (
        "IT-LAPTOP",
        0.25,
        it.id,
    )
    assert response.headers["Location"].endswith(f"/admin/services/{service.id}")

    response = post_form(
        admin_client,
        f"/admin/services/{service.id}",
        service_data(hr.id, code="HR-ONBOARD", name="Onboarding", sampling_rate="1"),
    )
    assert response.status_code == 302
    service = fresh(session, Service, service.id)
    assert (service.code, service.name, service.provider_department_id) == (
        "HR-ONBOARD",
        "Onboarding",
        hr.id,
    )

    url = f"/admin/services/{service.id}/standards"
    first = {
        "effective_from": "2025-01-01",
        "first_response_minutes": "60",
        "resolution_minutes": "480",
    }
    assert post_form(admin_client, url, first).status_code == 302
    second = {
        "effective_from": "2026-01-01",
        "first_response_minutes": "30",
        "resolution_minutes": "240",
    }
    assert post_form(admin_client, url, second).status_code == 302
    session.rollback()
    rows = session.execute(
        select(
            ServiceStandard.effective_from,
            ServiceStandard.first_response_minutes,
            ServiceStandard.resolution_minutes,
        ).order_by(ServiceStandard.effective_from)
    ).all()
    assert [(str(d), f, r) for d, f, r in rows] == [
        ("2025-01-01", 60, 480),
        ("2026-01-01", 30, 240),
    ]
    page = admin_client.get(f"/admin/services/{service.id}").get_data(as_text=True)
    # Dates in the reader's language; standards in hours or days, never "480 min".
    assert "Jan 1, 2025" in page and "Jan 1, 2026" in page
    assert '<td class="num">8 h</td>' in page and "480" not in page
    listing = admin_client.get("/admin/services?q=onboard").get_data(as_text=True)
    assert "HR-ONBOARD" in listing
    assert "first response within 30 min, resolution within 4 h" in listing


def test_standard_errors(admin_client, session, make_department) -> None:
    it = make_department(code="IT")
    service = Service(provider_department_id=it.id, code="S1", name="S")
    session.add(service)
    session.commit()
    url = f"/admin/services/{service.id}/standards"
    shorter = {
        "effective_from": "2026-01-01",
        "first_response_minutes": "60",
        "resolution_minutes": "30",
    }
    response = post_form(admin_client, url, shorter)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "cannot be shorter than the first response time" in body
    assert 'value="60"' in body  # the values are kept
    good = {**shorter, "resolution_minutes": "120"}
    assert post_form(admin_client, url, good).status_code == 302
    response = post_form(admin_client, url, good)
    assert response.status_code == 422
    assert "already starts on that day" in response.get_data(as_text=True)
    bad = {"effective_from": "someday", "first_response_minutes": "0", "resolution_minutes": "x"}
    assert post_form(admin_client, url, bad).status_code == 422
    for year_one in ("0001-01-01", "9999-12-31"):
        response = post_form(admin_client, url, {**good, "effective_from": year_one})
        assert response.status_code == 422
        assert "Choose a year between 1970 and 9998." in response.get_data(as_text=True)
    assert count(session, ServiceStandard) == 1


@pytest.mark.postgres
def test_service_errors(admin_client, session, make_department) -> None:
    it = make_department(code="IT")
    session.add(Service(provider_department_id=it.id, code="Laptop", name="L"))
    session.commit()
    response = post_form(admin_client, "/admin/services/new", service_data(it.id, code="LAPTOP"))
    assert response.status_code == 422
    assert "Another service already has the code LAPTOP." in response.get_data(as_text=True)
    for rate in ("1.5", "-0.1", "abc", "nan", ""):
        response = post_form(
            admin_client, "/admin/services/new", service_data(it.id, code="X1", sampling_rate=rate)
        )
        assert response.status_code == 422, rate
        assert 'id="sampling_rate-error"' in response.get_data(as_text=True)
    response = post_form(admin_client, "/admin/services/new", service_data(9999, code="X2"))
    assert response.status_code == 422
    assert count(session, Service) == 1
