"""k comes from the settings (``MIN_GROUP_SIZE``): here 6 instead of the default 5."""

from __future__ import annotations

from html import unescape

import pytest

from tests.quiz.conftest import best


@pytest.fixture
def finance(make_department):  # type: ignore[no-untyped-def]
    return make_department(code="FIN", name="Finance")


@pytest.fixture
def app_config(app_config):  # type: ignore[no-untyped-def]
    return {**app_config, "MIN_GROUP_SIZE": 6}


def test_result_page_uses_the_configured_k(client, keys, attempt, finance) -> None:
    for n in range(6):
        attempt(best(keys), "FIN", member=f"person:{n}")
    key = attempt(best(keys), "FIN", member="person:9")
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "at least 6 of its members" in page
    assert "Your department's average" not in page
