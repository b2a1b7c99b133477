"""Hot statements are compiled once and sent through the driver: their parameters are
converted by their types as SQLAlchemy would (SQLite keeps dates as text in its own format),
and their constants travel with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, DateTime, MetaData, Table, bindparam, create_engine, select

from survey.models.base import UTCDateTime
from survey.services import precompiled
from survey.services import response_statements as statements


def test_a_date_parameter_is_converted_as_sqlalchemy_converts_it() -> None:
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("at", UTCDateTime()))
    when = datetime(2026, 11, 26, 8, 30, 15, 250, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(table.insert(), {"at": when})
        stored = conn.exec_driver_sql("SELECT at FROM t").scalar()
        sent = precompiled.execute(conn, select(bindparam("at", type_=UTCDateTime())), {"at": when})
        assert sent.scalar() == stored == "2026-11-26 06:30:15.000250"  # in UTC, as text
        found = precompiled.execute(
            conn, select(table).where(table.c.at == bindparam("at")), {"at": when}
        )
        assert len(found.all()) == 1


def test_a_naive_date_is_refused_as_by_sqlalchemy() -> None:
    engine = create_engine("sqlite://")
    typed = select(bindparam("when", type_=UTCDateTime()))
    with engine.connect() as conn, pytest.raises(ValueError, match="naive"):
        precompiled.execute(conn, typed, {"when": datetime(2026, 11, 26)})


def test_a_parameter_without_conversion_is_passed_as_it_is() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        aware = datetime(2026, 11, 26, tzinfo=UTC)
        assert precompiled.execute(conn, select(bindparam("n")), {"n": 41}).scalar() == 41
        text = precompiled.execute(
            conn, select(bindparam("when", type_=DateTime())), {"when": aware}
        )
        assert text.scalar() == "2026-11-26 00:00:00.000000"


def test_constants_of_a_statement_travel_with_it() -> None:
    sql, constants, _ = precompiled.compile_once(statements.STORE_ON_POSTGRESQL, "postgresql")
    assert sorted(constants.values()) == [0, 0]  # the quarter lock's version and count
    assert all(f"%({name})s" in sql for name in constants)
    sql, constants, converters = precompiled.compile_once(statements.SQLITE_ADD_CELLS, "sqlite")
    assert constants == {} and converters == {}
    assert ":cells" in sql and ":quarter" in sql
