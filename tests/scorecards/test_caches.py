"""Warm pages come from per-process caches keyed by cheap data versions: a new answer, a
renamed department, a stored baseline, another reader or language must each show at once,
and an unchanged organisation is not rebuilt."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from analysis import overview_page
from analysis.scorecard_results import Heatmap
from survey.models import Baseline, Department
from survey.scorecards.services import chart_cache
from survey.services.lru import Lru
from tests.conftest import PASSWORD, post_form
from tests.scorecards.conftest import Org, same_page

Q = "2026Q1"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def two_departments(org: Org) -> Org:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 4, 4])
    org.quarterly("HR", "SALES", Q, [2, 3, 2, 3, 2])
    return org


def test_an_unchanged_overview_is_built_once(
    admin_client, two_departments: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = overview_page.compute_overview

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("overview")
        return original(*args, **kwargs)

    monkeypatch.setattr(overview_page, "compute_overview", counting)
    for _ in range(3):
        assert admin_client.get(f"/scorecards/?quarter={Q}").status_code == 200
    assert calls == ["overview"]
    two_departments.quarterly("FIN", "SALES", Q, [5, 5, 4, 4, 3])
    page = _text(admin_client.get(f"/scorecards/?quarter={Q}"))
    assert calls == ["overview", "overview"]
    ranking = page.split('class="ranking"')[1].split("</table>")[0]
    assert "Finance" in ranking  # the new department is ranked at once


def test_new_answers_renames_and_baselines_show_at_once(admin_client, two_departments: Org) -> None:
    org = two_departments
    before = _text(admin_client.get(f"/scorecards/?quarter={Q}"))
    card = _text(admin_client.get(f"/scorecards/IT?quarter={Q}"))
    assert "Human Resources" in before and "provisional" in before and "provisional" in card
    org.quarterly("HR", "ENG", Q, [5, 5, 5, 5, 5, 5, 5, 5, 5, 5])
    after = _text(admin_client.get(f"/scorecards/?quarter={Q}"))
    assert after != before
    org.session.execute(
        update(Department).where(Department.code == "HR").values(name="People and Culture")
    )
    org.session.commit()
    renamed = _text(admin_client.get(f"/scorecards/?quarter={Q}"))
    assert "People and Culture" in renamed and "Human Resources" not in renamed
    org.session.add(
        Baseline(version="v1-test", mu0=50.0, sigma0=10.0, quarters=["2025Q1", "2025Q2"])
    )
    org.session.commit()
    for path in (f"/scorecards/?quarter={Q}", f"/scorecards/IT?quarter={Q}"):
        page = _text(admin_client.get(path))
        assert "v1-test" in page and "provisional" not in page


def test_the_rendered_figures_depend_on_the_reader(
    app, client, two_departments: Org, make_user, sign_in
) -> None:
    """A manager's overview links only to their own department, even right after a viewer's
    overview of the same figures was rendered; a reader's language gets its own copy."""
    sign_in(make_user("viewer"))
    page = client.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    assert f'href="/scorecards/HR?quarter={Q}"' in page
    manager = make_user("manager", department_id=two_departments.id("IT"), locale="it")
    other = app.test_client()
    post_form(other, "/auth/sign-in", {"email": manager.email, "password": PASSWORD})
    page = other.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    assert f'href="/scorecards/IT?quarter={Q}"' in page
    assert f'href="/scorecards/HR?quarter={Q}"' not in page
    assert "Human Resources" in page  # listed, not linked
    assert 'lang="it"' in page and "Chi serve chi" in page


def test_department_page_follows_new_answers(
    admin_client, two_departments: Org, ticking_signatures: None
) -> None:
    first = _text(admin_client.get(f"/scorecards/IT?quarter={Q}"))
    # A second later (``ticking_signatures``) the same page, but for its CSRF token.
    assert same_page(first) == same_page(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "75.0" in first  # R of five respondents rating 4
    two_departments.quarterly("IT", "SALES", Q, [1, 1, 1, 1, 1])
    again = _text(admin_client.get(f"/scorecards/IT?quarter={Q}"))
    assert "37.5" in again  # ten respondents now: (75 + 0) / 2


def test_chart_cache_is_bounded_by_bytes() -> None:
    chart_cache.clear()
    size = chart_cache.MAX_BYTES // 4 + 1
    for index in range(6):
        chart_cache.cached(f"big-{index}", lambda: "x" * size)
    # The module's own cache, read directly: the app has no use for its size.
    assert chart_cache._cache.weight <= chart_cache.MAX_BYTES
    assert len(chart_cache._cache) == 3
    chart_cache.clear()


def test_lru_drops_the_least_recently_used_by_weight() -> None:
    cache: Lru[str] = Lru(10, max_weight=10, weigh=len)
    cache.put("a", "aaaa")
    cache.put("b", "bbbb")
    assert cache.get("a") == "aaaa"  # now the most recently used
    cache.put("c", "cccc")
    assert cache.get("b") is None and cache.get("a") == "aaaa" and cache.weight == 8
    cache.put("huge", "h" * 11)  # heavier than the whole budget: returned, never kept
    assert cache.get("huge") is None and len(cache) == 2
    assert cache.get_or_make("d", lambda: "dd") == "dd" and cache.weight == 10


def test_a_warm_overview_hashes_its_heatmap_once(
    admin_client, two_departments: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview's digests (what keys its rendered charts and page) are kept per overview
    object; names in the reader's language make a new object unless the same names give the
    same one, and a 200-department heatmap hashed on every view doubled a warm page."""
    hashed: list[str] = []
    honest = chart_cache.data_key

    def counting(*parts, **kwargs):  # type: ignore[no-untyped-def]
        if any(isinstance(p, Heatmap) for p in parts):
            hashed.append("heatmap")
        return honest(*parts, **kwargs)

    monkeypatch.setattr(chart_cache, "data_key", counting)
    for _ in range(3):
        assert admin_client.get(f"/scorecards/?quarter={Q}").status_code == 200
    assert hashed == ["heatmap"]
    # New names are new figures to draw: hashed again, once.
    two_departments.session.execute(
        update(Department).where(Department.code == "HR").values(name="People and Culture")
    )
    two_departments.session.commit()
    for _ in range(2):
        page = _text(admin_client.get(f"/scorecards/?quarter={Q}"))
    assert "People and Culture" in page and hashed == ["heatmap", "heatmap"]
