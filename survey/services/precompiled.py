"""Hot statements compiled once and sent through the driver (``execute``, ``first_row``).

SQLAlchemy's ``Connection.execute`` looks the compiled form of a statement up in its cache and
builds its parameters and result on every call: about 65 µs a statement on this machine
against 30 for ``exec_driver_sql`` with SQL compiled beforehand. The respondent pages are the
hot path of the product, so their few statements go this way (the link lookup; on a submit the
claim and the response's rows, while SQLite's write lock is held and the other workers wait);
everything else uses ``execute`` as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg
from sqlalchemy.engine import Connection, CursorResult

# Each dialect as the statements are compiled for (SQLite with named parameters, so that
# parameters are passed by name as to any other statement).
_DIALECTS = {"sqlite": sqlite.dialect(paramstyle="named"), "postgresql": psycopg.dialect()}

Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Compiled:
    """One statement compiled for one dialect: its ``sql``; the values of its constant
    parameters (``constants``); the converters of the parameters whose type turns values
    into what the driver takes (``parameters``: SQLite's dates become text in SQLAlchemy's
    format, an aware datetime is checked and moved to UTC by ``UTCDateTime``); for a SELECT,
    the converter of each selected column, None where the driver's value stands (``columns``:
    SQLite's text dates become aware datetimes, its integers booleans)."""

    sql: str
    constants: dict[str, Any]
    parameters: dict[str, Convert]
    columns: tuple[Convert | None, ...]


@functools.cache
def compile_once(statement: Any, dialect_name: str) -> Compiled:
    """``statement`` compiled once for the dialect. Statements must be module constants: the
    cache holds each for the life of the process."""
    dialect = _DIALECTS[dialect_name]
    compiled = statement.compile(dialect=dialect)
    parameters: dict[str, Convert] = {}
    for name, bind in compiled.binds.items():
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            parameters[name] = convert
    constants = {
        name: parameters[name](value) if name in parameters else value
        for name, value in compiled.params.items()
        if value is not None
    }
    columns = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in getattr(statement, "selected_columns", ())
    )
    return Compiled(str(compiled), constants, parameters, columns)


def execute(connection: Connection, statement: Any, params: Mapping[str, Any]) -> CursorResult:
    """Run ``statement`` with ``params`` (by name) as ``connection.execute`` would, compiled
    once per dialect and sent through ``exec_driver_sql``, which keeps SQLAlchemy's events
    and error handling but not its per-call processing. Parameter values are converted by
    their types as SQLAlchemy would; result rows are the driver's (see ``first_row``)."""
    return _send(connection, compile_once(statement, connection.dialect.name), params)


def first_row(
    connection: Connection, statement: Any, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of the SELECT ``statement`` run as by ``execute``, its values converted
    by their columns' types as SQLAlchemy would; None when there is no row."""
    compiled = compile_once(statement, connection.dialect.name)
    row = _send(connection, compiled, params).first()
    if row is None:
        return None
    return tuple(v if c is None else c(v) for v, c in zip(row, compiled.columns, strict=True))


def _send(connection: Connection, compiled: Compiled, params: Mapping[str, Any]) -> CursorResult:
    values = {**compiled.constants, **params}
    for name, convert in compiled.parameters.items():
        if name in params:
            values[name] = convert(params[name])
    return connection.exec_driver_sql(compiled.sql, values)
