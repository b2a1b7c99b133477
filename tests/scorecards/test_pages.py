"""The overview and department pages: figures worked out by hand, the gate, access rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.scorecards.conftest import Org

Q = "2026Q1"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


@pytest.fixture
def small_org(org: Org) -> Org:
    """IT: 12 post-interaction respondents (7 answered 4 or 5 -> T 7/12: a share needs k people
    on each side) and 5 quarterly ones (every dimension 4 -> R 75). HR: only 4 respondents,
    below the gate."""
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4])
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 4, 4])
    org.post_interaction("HR", "SALES", Q, [1, 1, 5, 5])
    return org


def test_overview_needs_sign_in(client, small_org: Org) -> None:
    response = client.get("/scorecards/")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


@pytest.mark.postgres
def test_department_page_shows_hand_computed_figures(admin_client, small_org: Org, backend) -> None:
    response = admin_client.get(f"/scorecards/IT?quarter={Q}")
    assert response.status_code == 200
    page = _text(response)
    # The raw figures beside the adjusted ones.
    assert "58.3" in page  # T = 7/12
    assert "75.0" in page  # R = 100 * (4 - 1) / 4
    # No standard and no request anywhere: the organisation measures no C this quarter, so C
    # leaves the ISQ and T and R share its weight (35:45); the page says so.
    card, _p = build_scorecard(
        small_org.session,
        small_org.departments["IT"],
        Q,
        Settings(),
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    t, r, c = card.components
    assert t.raw == pytest.approx(700 / 12) and r.raw == pytest.approx(75.0) and not c.shown
    assert card.isq.value == pytest.approx((0.35 * t.value + 0.45 * r.value) / 0.80)
    assert f"{card.isq.value:.1f}" in page
    assert "rests on T, R only" in page and "so there is no compliance (C)" in page
    assert card.isq.low < card.isq.value < card.isq.high
    assert "<svg" in page and "<title" in page


@pytest.mark.postgres
def test_gate_hides_department_with_four_respondents(admin_client, small_org: Org, backend) -> None:
    page = _text(admin_client.get(f"/scorecards/HR?quarter={Q}"))
    assert "fewer than 5 respondents" in page
    assert "50.0" not in page  # HR's raw share 2/4 must not appear
    overview = _text(admin_client.get(f"/scorecards/?quarter={Q}"))
    assert "Human Resources" in overview  # listed as not shown, with its reason
    assert "50.0" not in overview


def test_manager_sees_overview_and_own_department_only(
    client, small_org: Org, make_user, sign_in
) -> None:
    manager = make_user("manager", department_id=small_org.id("IT"))
    sign_in(manager)
    assert client.get("/scorecards/").status_code == 200
    assert client.get("/scorecards/IT").status_code == 200
    assert client.get("/scorecards/IT.csv").status_code == 200
    assert client.get("/scorecards/HR").status_code == 403
    assert client.get("/scorecards/HR.csv").status_code == 403
    assert client.get("/scorecards/HR.pdf").status_code == 403


def test_viewer_sees_every_department(client, small_org: Org, make_user, sign_in) -> None:
    sign_in(make_user("viewer"))
    for code in ("IT", "HR", "FIN"):
        assert client.get(f"/scorecards/{code}").status_code == 200


def test_unknown_department_is_404(admin_client, small_org: Org) -> None:
    assert admin_client.get("/scorecards/NOPE").status_code == 404
    assert admin_client.get("/scorecards/NOPE.csv").status_code == 404


@pytest.mark.parametrize(
    "value", ["2026Q5", "garbage", "2019Q1", "", "<script>", "9999Q4", "2026q1", "%00"]
)
def test_bad_quarter_never_fails(admin_client, small_org: Org, value: str) -> None:
    for path in ("/scorecards/", "/scorecards/IT", "/scorecards/IT.csv", "/scorecards/IT.pdf"):
        response = admin_client.get(path, query_string={"quarter": value})
        assert response.status_code == 200, (path, value)
    page = _text(admin_client.get("/scorecards/IT", query_string={"quarter": value}))
    assert Q in page
    if value:
        assert "showing 2026Q1 instead" in page
    assert "<script>" not in page


def test_inline_charts_meet_the_content_security_policy(admin_client, small_org: Org) -> None:
    for path in (f"/scorecards/?quarter={Q}", f"/scorecards/IT?quarter={Q}"):
        response = admin_client.get(path)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        html = response.get_data(as_text=True)
        svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
        assert svgs, path
        for svg in svgs:
            assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
            assert " style=" not in svg and "<style" not in svg  # blocked by style-src 'self'
            assert "<script" not in svg
        # No inline script (script-src 'self'): only the page's own static files, such as
        # the one that folds the detail on a phone.
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all(re.search(r'src="/static/[\w.-]+\.js"', s) for s in scripts), scripts
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "duplicate ids between charts"


def test_charts_are_drawn_once_for_the_same_data(
    admin_client, small_org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey.scorecards.services import scorecard_charts

    calls: list[str] = []
    original = scorecard_charts.charts.dimension_profile

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("dimension_profile")
        return original(*args, **kwargs)

    monkeypatch.setattr(scorecard_charts.charts, "dimension_profile", counting)
    admin_client.get(f"/scorecards/IT?quarter={Q}")
    admin_client.get(f"/scorecards/IT?quarter={Q}")
    # Once for each rendition (wide, and narrow for phones), not again on the second view.
    assert calls == ["dimension_profile"] * 2
    small_org.quarterly("IT", "SALES", Q, [2, 2, 2, 2, 2])  # new data: a new picture
    admin_client.get(f"/scorecards/IT?quarter={Q}")
    assert calls == ["dimension_profile"] * 4


def test_large_organisation_lists_answered_pairs(admin_client, org: Org) -> None:
    """Past 900 cells the matrix table gives way to a list of the pairs resting on at least
    k people (a pair under k is not listed: it would tell that somebody answered)."""
    from survey.models import Department

    # 31 providers and 31 customers (a pair under k is on neither axis: it does not count).
    extra = [Department(code=f"X{i:02d}", name=f"Extra {i}") for i in range(31)]
    org.session.add_all(extra)
    org.session.commit()
    org.departments.update({d.code: d for d in extra})
    for i in range(31):
        org.quarterly(f"X{i:02d}", f"X{(i + 1) % 31:02d}", Q, [4, 4, 4, 4, 4])
    org.quarterly("IT", "SALES", Q, [4, 4, 4])  # under the gate: not listed
    page = admin_client.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    assert 'class="heatmap-pairs"' in page and "heatmap-table" not in page
    pairs = page.split('class="heatmap-pairs"')[1]
    rows = re.findall(r"<tr><th scope=\"row\">", pairs)
    assert len(rows) == 31  # the 31 pairs of five people, nothing else
    assert 'X00</abbr></th><td><abbr title="Extra 1">X01' in page
