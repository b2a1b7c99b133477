"""Rate limits on the private-link pages and on sign-in: over the limit a friendly 429 page in
the house look (JSON under /api), while another link or another address is still served."""

from __future__ import annotations

from typing import Any

import pytest

from survey.extensions import limiter
from tests.conftest import csrf_token


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The per-account throttle is raised so that the per-address limit is what answers here.
    return {**app_config, "RATELIMIT_ENABLED": True, "SIGNIN_MAX_FAILURES": 1000}


@pytest.fixture(autouse=True)
def fresh_counters(app) -> None:  # type: ignore[no-untyped-def]
    limiter.reset()


def _get(client, url: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.get(url, environ_base={"REMOTE_ADDR": address})


def test_limits_are_off_in_tests_unless_switched_on(tmp_path) -> None:
    from survey import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_one_link_asked_too_often_gets_the_friendly_page(client, world) -> None:
    url = f"/r/{world['token']}"
    statuses = [_get(client, url).status_code for _ in range(30)]
    assert statuses == [200] * 30
    over = _get(client, url)
    html = over.get_data(as_text=True)
    assert over.status_code == 429
    assert "Please slow down a little" in html
    assert "Nothing you entered has been lost" in html
    assert 'class="error-page"' in html or "error-page" in html
    assert "Retry-After" in over.headers
    # Another link from the same address, and the same link from elsewhere, still work
    # (the per-address budget is 120 a minute).
    assert _get(client, f"/quiz/r/{world['key']}").status_code == 200
    assert _get(client, f"/r/{world['token']}/stop").status_code == 200


def test_guessing_links_from_one_address_is_cut_off(client, world) -> None:
    statuses = [_get(client, f"/r/guess-{i}").status_code for i in range(120)]
    assert set(statuses) == {404}  # unknown links: their own clear page, until the limit
    assert _get(client, "/r/guess-x").status_code == 429
    assert _get(client, f"/quiz/r/{world['key']}").status_code == 429  # one budget for both
    # Another address (another office) is still served.
    assert _get(client, f"/r/{world['token']}", address="10.0.0.2").status_code == 200


def test_sign_in_posts_are_limited_per_address(app, make_user) -> None:
    user = make_user("viewer")
    client = app.test_client()
    token = csrf_token(client)
    data = {"email": "nobody@example.com", "password": "wrong", "csrf_token": token}
    env = {"REMOTE_ADDR": "10.0.0.9"}
    statuses = [
        client.post("/auth/sign-in", data=data, environ_base=env).status_code for _ in range(30)
    ]
    assert 429 not in statuses
    over = client.post("/auth/sign-in", data=data, environ_base=env)
    assert over.status_code == 429
    assert "Please slow down a little" in over.get_data(as_text=True)
    # The page itself still shows, and another address can sign in.
    assert client.get("/auth/sign-in", environ_base=env).status_code == 200
    other = app.test_client()
    ok = other.post(
        "/auth/sign-in",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": csrf_token(other),
        },
        environ_base={"REMOTE_ADDR": "10.0.0.10"},
    )
    assert ok.status_code == 302


def test_the_api_answers_429_in_json(app) -> None:
    from werkzeug.exceptions import TooManyRequests

    from survey.errors import render_error

    with app.test_request_context("/api/v1/departments"):
        response, status = render_error(TooManyRequests())
    assert status == 429
    assert response.get_json() == {"error": "Too many attempts", "status": 429}


def test_an_office_behind_one_address_can_raise_the_link_budget(app_config, world) -> None:
    """Everyone of a large office may reach the site from one address (a shared gateway):
    on the morning the invitations go out, 120 link-page requests a minute is about twenty
    respondents. ``SURVEY_LINK_REQUESTS_PER_MINUTE`` raises it."""
    from survey import create_app

    app = create_app({**app_config, "LINK_REQUESTS_PER_MINUTE": 400})
    limiter.reset()
    client = app.test_client()
    statuses = [_get(client, f"/r/guess-{i}").status_code for i in range(300)]
    assert set(statuses) == {404}
    assert _get(client, f"/quiz/r/{world['key']}").status_code == 200


def test_a_throttled_answer_is_kept_on_the_page_to_send_again(app_config, world) -> None:
    """An answer posted over the limit is not stored: the page holds it to send again once
    the minute has passed, as the busy page does, so nothing typed is lost."""
    from survey import create_app

    app = create_app({**app_config, "LINK_REQUESTS_PER_MINUTE": 10})
    limiter.reset()
    client = app.test_client()
    url = f"/r/{world['token']}"
    token = csrf_token(client, url)
    for i in range(10):
        _get(client, f"/r/guess-{i}")
    answers = {"csrf_token": token, "lang": "fr", "overall": "4", "comment": 'Très "bien" <ok>'}
    over = client.post(url, data=answers, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    html = over.get_data(as_text=True)
    assert over.status_code == 429
    assert f'<form method="post" action="{url}">' in html
    assert '<input type="hidden" name="overall" value="4">' in html
    assert 'value="Très &#34;bien&#34; &lt;ok&gt;"' in html
    assert "Envoyer de nouveau" in html  # in the language the form was posted in
