"""The README's production recipe runs gunicorn on 127.0.0.1 behind a TLS-terminating proxy.
Unless the app is told that one proxy sits in front (``SURVEY_PROXY_FIX_FOR=1``), every person
has the proxy's address: the per-address sign-in budget (ten accounts' worth of failures) is the
whole organisation's, so an outsider's failed sign-ins lock everyone out, again and again, and
every rate limit is shared by all. Attack: 10 x ``SIGNIN_MAX_FAILURES`` failed sign-ins with
made-up addresses through the proxy, then a colleague signs in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from survey import create_app
from tests.conftest import PASSWORD, post_form

README = Path(__file__).resolve().parents[2] / "README.md"
PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # every request arrives from the proxy


def _lock_out_attempt(app: Any, make_user: Any) -> int:
    """The outsider's failures, then the colleague's sign-in status, all through the proxy."""
    app.config["SIGNIN_MAX_FAILURES"] = 2
    colleague = make_user("viewer")
    outsider = app.test_client()
    for i in range(20):  # 2 x 10: the per-address budget
        post_form(
            outsider,
            "/auth/sign-in",
            {"email": f"nobody{i}@example.com", "password": "wrong"},
            environ_base=PROXY,
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    return post_form(
        app.test_client(),
        "/auth/sign-in",
        {"email": colleague.email, "password": PASSWORD},
        environ_base=PROXY,
        headers={"X-Forwarded-For": "198.51.100.7"},
    ).status_code


def test_without_the_proxy_setting_one_outsider_locks_everyone_out(app, make_user) -> None:
    assert _lock_out_attempt(app, make_user) == 429


def test_with_it_the_outsider_locks_out_only_their_own_address(app_config, make_user) -> None:
    app = create_app({**app_config, "PROXY_FIX_FOR": 1})
    assert _lock_out_attempt(app, make_user) == 302


def test_the_production_recipe_trusts_its_one_proxy() -> None:
    text = README.read_text(encoding="utf-8")
    recipe = text.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    [block] = [b for b in re.findall(r"```sh\n(.*?)```", recipe, re.S) if "gunicorn" in b][:1]
    assert "behind a TLS-terminating proxy" in block
    assert "SURVEY_PROXY_FIX_FOR=1" in block
