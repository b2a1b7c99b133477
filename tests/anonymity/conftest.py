"""Fixtures of the anonymity audits: every test starts and ends with an empty chart and
document cache, so that no figure computed for one world is served to another."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from survey.scorecards.services import chart_cache


@pytest.fixture(autouse=True)
def _fresh_chart_cache() -> Iterator[None]:
    chart_cache.clear()
    yield
    chart_cache.clear()
