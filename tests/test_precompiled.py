"""Hot statements are compiled once and sent through the driver: their parameters are
converted by their types as SQLAlchemy would (SQLite keeps dates as text in its own format),
and their constants travel with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    select,
)

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
    compiled = precompiled.compile_once(statements.STORE_ON_POSTGRESQL, "postgresql")
    assert sorted(compiled.constants.values()) == [0, 0]  # the quarter lock's version and count
    assert all(f"%({name})s" in compiled.sql for name in compiled.constants)
    compiled = precompiled.compile_once(statements.SQLITE_ADD_CELLS, "sqlite")
    assert compiled.constants == {} and compiled.parameters == {}
    assert ":cells" in compiled.sql and ":quarter" in compiled.sql


def test_a_row_comes_back_as_sqlalchemy_would_return_it() -> None:
    engine = create_engine("sqlite://")
    table = Table(
        "t",
        MetaData(),
        Column("at", UTCDateTime()),
        Column("ok", Boolean()),
        Column("n", Integer()),
    )
    query = select(table.c.at, table.c.ok, table.c.n).where(table.c.n == bindparam("n"))
    when = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(
            table.insert(), [{"at": when, "ok": True, "n": 1}, {"at": None, "ok": False, "n": 2}]
        )
        for n in (1, 2):
            expected = tuple(conn.execute(query, {"n": n}).one())
            assert precompiled.first_row(conn, query, {"n": n}) == expected
        assert precompiled.first_row(conn, query, {"n": 1}) == (when, True, 1)
        assert precompiled.first_row(conn, query, {"n": 3}) is None
