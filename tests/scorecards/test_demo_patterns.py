"""The demo organisation's documented profiles (docs/demo.md) show on the scorecards: the
improving department carries a rising trend marker, the declining one a falling marker, and
Customer Service's low rating of Engineering stands out in the who-serves-whom heatmap."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from survey.demo import build_demo
from survey.services.scorecard_data import department_by_code
from survey.services.scorecards import Settings, build_overview, build_scorecard

TODAY = date(2026, 5, 15)
NOW = datetime(2026, 5, 15, 12, tzinfo=UTC)


@pytest.fixture
def demo(session):  # type: ignore[no-untyped-def]
    build_demo(session, seed=1, admin_password="demo-pass", today=TODAY)
    session.commit()
    return session


@pytest.mark.parametrize(("code", "direction"), [("IT", "rising"), ("HR", "falling")])
def test_trend_markers_follow_the_profiles(demo, code: str, direction: str) -> None:
    card, _problem = build_scorecard(demo, department_by_code(demo, code), None, Settings(), NOW)
    assert card.quarter == "2026Q1" and len(card.trend) == 8
    assert card.trend_marker is not None and card.trend_marker.direction == direction
    assert card.trend_marker.p < 0.05


def test_steady_department_has_no_trend(demo) -> None:
    card, _problem = build_scorecard(demo, department_by_code(demo, "FIN"), None, Settings(), NOW)
    assert card.trend_marker is None or card.trend_marker.direction == "flat"


def test_customer_service_rating_of_engineering_stands_out(demo) -> None:
    overview, _problem = build_overview(demo, None, Settings(), NOW)
    heat = overview.heatmap
    providers = [code for code, _name in heat.providers]
    customers = [code for code, _name in heat.customers]
    cell = heat.values[providers.index("ENG")][customers.index("CS")]
    shown = [v for row in heat.values for v in row if v is not None]
    assert cell is not None and cell == min(shown)
    engineering_row = [v for v in heat.values[providers.index("ENG")] if v is not None]
    assert max(engineering_row) - cell >= 15  # far below how Engineering's other customers rate it
