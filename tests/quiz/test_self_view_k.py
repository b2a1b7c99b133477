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
    for _ in range(4):
        attempt(best(keys), "FIN")
    key = attempt(best(keys), "FIN")
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "at least 6 people" in page
    assert "people of Finance took the quiz" not in page
    attempt(best(keys), "FIN")
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "6 people of Finance took the quiz this quarter" in page
