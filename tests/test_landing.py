"""Where sign-in lands each role, and the home page's Scorecards card once signed in."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, post_form


def _land(client, user) -> str:
    response = post_form(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.postgres
def test_a_manager_lands_on_their_department_page(client, make_user, session) -> None:
    manager = make_user("manager")
    code = manager.department.code
    assert _land(client, manager) == f"/scorecards/{code}"
    page = client.get(f"/scorecards/{code}")
    assert page.status_code == 200
    # Signed in already: the sign-in page sends the manager to the same place.
    assert client.get("/auth/sign-in").headers["Location"] == f"/scorecards/{code}"


def test_a_viewer_lands_on_the_overview(client, make_user) -> None:
    viewer = make_user("viewer")
    assert _land(client, viewer) == "/scorecards/"
    assert client.get("/scorecards/").status_code == 200


def test_an_administrator_lands_on_the_dashboard(client, make_user) -> None:
    admin = make_user("admin")
    assert _land(client, admin) == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_next_page_still_wins_over_the_landing(client, make_user) -> None:
    viewer = make_user("viewer")
    response = post_form(
        client,
        "/auth/sign-in",
        {"email": viewer.email, "password": PASSWORD, "next": "/quiz"},
    )
    assert response.headers["Location"] == "/quiz"


def test_the_home_page_scorecards_card_does_not_ask_a_signed_in_user_to_sign_in(
    client, make_user, sign_in
) -> None:
    anonymous = client.get("/").get_data(as_text=True)
    assert 'href="/auth/sign-in"' in anonymous
    sign_in(make_user("viewer"))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/auth/sign-in"' not in html
    assert 'href="/scorecards/"' in html and "Open the scorecards" in html
