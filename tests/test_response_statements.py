"""The submit's statements are compiled once and sent through the driver as they are; a
parameter that would need converting (SQLite stores dates as text in its own format) is
refused rather than passed on unconverted."""

from __future__ import annotations

import pytest
from sqlalchemy import DateTime, bindparam, select

from survey.services import response_statements as statements


def test_a_parameter_needing_conversion_is_refused() -> None:
    when = select(bindparam("when", type_=DateTime()))
    with pytest.raises(TypeError, match="when"):
        statements._driver_sql(when, "sqlite")


def test_constants_of_a_statement_travel_with_it() -> None:
    sql, constants = statements._driver_sql(statements.STORE_ON_POSTGRESQL, "postgresql")
    assert sorted(constants.values()) == [0, 0]  # the quarter lock's version and count
    assert all(f"%({name})s" in sql for name in constants)
    sql, constants = statements._driver_sql(statements.SQLITE_ADD_CELLS, "sqlite")
    assert constants == {}
    assert ":cells" in sql and ":quarter" in sql
