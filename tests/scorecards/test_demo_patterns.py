"""The demo organisation's documented profiles (docs/demo.md) show on the scorecards: the
improving department carries a rising trend marker, the declining one a falling marker, and
Customer Service's low rating of Engineering stands out in the who-serves-whom heatmap."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from survey.db import make_engine
from survey.demo import build_demo
from survey.scorecards.services.scorecard_data import department_by_code
from survey.scorecards.services.scorecards import Settings, build_overview, build_scorecard

TODAY = date(2026, 5, 15)
NOW = datetime(2026, 5, 15, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_engine(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The demo built once for the module (about 3 s with 256 people): the tests only read."""
    path = tmp_path_factory.mktemp("demo-patterns") / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine) as db:
        build_demo(db, seed=1, admin_password="demo-pass", today=TODAY)
        db.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def demo(demo_engine: Engine) -> Iterator[Session]:
    with Session(demo_engine) as session:
        yield session


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
