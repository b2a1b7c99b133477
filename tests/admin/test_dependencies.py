"""The dependency matrix: saved in one POST, no box on the diagonal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import Dependency
from tests.admin.conftest import count
from tests.conftest import post_form


def pairs(session) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    session.rollback()
    return set(
        session.execute(
            select(Dependency.customer_department_id, Dependency.provider_department_id)
        ).all()
    )


@pytest.mark.postgres
def test_matrix_round_trip(admin_client, session, make_department) -> None:
    it, hr, sales = (make_department(code=c) for c in ("IT", "HR", "SALES"))
    old = make_department(code="OLD", active=False)
    session.add(Dependency(customer_department_id=old.id, provider_department_id=it.id))
    session.add(Dependency(customer_department_id=hr.id, provider_department_id=it.id))
    session.commit()

    page = admin_client.get("/admin/dependencies").get_data(as_text=True)
    assert f'value="{hr.id}-{it.id}"' in page
    assert f'value="{it.id}-{it.id}"' not in page  # no box on the diagonal
    assert "OLD" not in page  # inactive departments are not shown

    ticks = [f"{sales.id}-{it.id}", f"{sales.id}-{hr.id}", f"{it.id}-{hr.id}"]
    response = post_form(admin_client, "/admin/dependencies", {"dep": ticks})
    assert response.status_code == 302
    assert pairs(session) == {
        (sales.id, it.id),
        (sales.id, hr.id),
        (it.id, hr.id),
        (old.id, it.id),  # the inactive department keeps its link
    }
    page = admin_client.get("/admin/dependencies").get_data(as_text=True)
    assert f'value="{sales.id}-{it.id}"\n' in page or f'value="{sales.id}-{it.id}"' in page
    assert "Dependencies saved: 3 links." in page

    assert post_form(admin_client, "/admin/dependencies", {}).status_code == 302
    assert pairs(session) == {(old.id, it.id)}


def test_self_dependency_and_garbage_are_refused(admin_client, session, make_department):
    it, hr = make_department(code="IT"), make_department(code="HR")
    response = post_form(
        admin_client, "/admin/dependencies", {"dep": [f"{it.id}-{it.id}", f"{hr.id}-{it.id}"]}
    )
    assert response.status_code == 422
    assert "cannot depend on itself" in response.get_data(as_text=True)
    response = post_form(admin_client, "/admin/dependencies", {"dep": ["1;DROP", "9-x"]})
    assert response.status_code == 422
    response = post_form(admin_client, "/admin/dependencies", {"dep": [f"{hr.id}-999999"]})
    assert response.status_code == 422
    assert count(session, Dependency) == 0


def test_the_page_names_who_rates_no_one_and_whom_no_one_rates(
    admin_client, session, make_department
) -> None:
    """Nothing said that a department nobody depends on gets no quarterly ratings (its
    scorecard then reads "too few respondents"), nor that the people of a department that
    depends on no one get no quarterly survey at all (left out of a campaign's count). The
    page names both, once some link exists."""
    it, _hr, sales = (make_department(code=c) for c in ("IT", "HR", "SALES"))
    make_department(code="BOARD", name="Board")
    empty = admin_client.get("/admin/dependencies").get_data(as_text=True)
    assert "Rated by no department" not in empty  # nothing ticked yet: nothing to point out
    post_form(admin_client, "/admin/dependencies", {"dep": [f"{sales.id}-{it.id}"]})
    page = admin_client.get("/admin/dependencies").get_data(as_text=True)
    rated_by_none = page[page.index("Rated by no department") :]
    rated_by_none = rated_by_none[: rated_by_none.index("</p>")]
    assert "BOARD" in rated_by_none and "HR" in rated_by_none and "SALES" in rated_by_none
    assert "IT" not in rated_by_none
    rate_none = page[page.index("Rate no department") :]
    rate_none = rate_none[: rate_none.index("</p>")]
    assert "BOARD" in rate_none and "HR" in rate_none and "IT" in rate_none
    assert "SALES" not in rate_none
    italian = admin_client.get("/admin/dependencies?lang=it").get_data(as_text=True)
    assert "Non valutati da nessun reparto" in italian
