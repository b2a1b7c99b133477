"""A department page carries each chart twice, wide and narrow (the phone CSS shows the
narrow one): the two are drawn and cached apart, with ids that do not collide, and a second
view draws nothing and shows the same page (but for its CSRF token, which is signed with the
second of the view: ``same_page``)."""

from __future__ import annotations

import re

import pytest

from survey.scorecards.services import chart_cache
from tests.scorecards.conftest import Org, same_page

Q = "2026Q1"


@pytest.fixture
def two_departments(org: Org) -> Org:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 4, 4])
    org.quarterly("HR", "SALES", Q, [2, 3, 2, 3, 2])
    return org


def test_department_page_has_a_narrow_rendition_of_its_charts(
    admin_client, two_departments: Org, ticking_signatures: None
) -> None:
    chart_cache.clear()
    html = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    narrow = re.findall(r'<title id="(chart-[a-z]+-narrow-[0-9a-f]{8})-title"', html)
    wide = re.findall(r'<title id="(chart-[a-z]+-[0-9a-f]{8})-title"', html)
    assert narrow, "no narrow chart on the page"
    assert len(narrow) == len(set(narrow))
    assert {n.split("-")[1] for n in narrow} == {w.split("-")[1] for w in wide}
    assert not set(narrow) & set(wide)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    # Each narrow chart is 252 pt wide; the wide ones keep their natural size.
    assert re.search(r'<div class="chart-narrow"><svg[^>]*width="252pt"', html)
    cached = len(chart_cache._cache)
    # The second view comes a second later (``ticking_signatures``): only its token differs.
    again = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    assert same_page(again) == same_page(html)
    assert len(chart_cache._cache) == cached
