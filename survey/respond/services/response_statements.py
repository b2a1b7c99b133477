"""The statements that store one response, built once: filing runs them for each queued
submission (``filing.file_queued``), a submit having only claimed its link and queued.

Filing writes every response that waited, so it is a few statements rather than a unit of work:

- rows travel as one JSON array parameter that the database takes apart (``json_rows``): one
  statement text whatever the number of rows, parsed and planned once per connection, instead
  of an executemany (a round of the driver's pipeline per row on PostgreSQL) or a multi-row
  VALUES (a statement per row count, and psycopg parses anew any statement of more than 50
  parameters);
- on PostgreSQL, one statement stores the response, its answers and its score cells and locks
  the quarter's version row first (``STORE_ON_POSTGRESQL``); on SQLite, whose writers are
  serial and whose statements cost no round trip, three (``INSERT_RESPONSE``,
  ``SQLITE_INSERT_ANSWERS``, ``SQLITE_ADD_CELLS``).

Score cells are added to in the database (``INSERT ... ON CONFLICT DO UPDATE``), so concurrent
submits never lose a count. The triggers of migrations 0004 and 0005 then keep ``score_totals``
and ``score_versions``. They are module constants run with ``Connection.execute``, so
SQLAlchemy caches each statement's compiled form once per dialect.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.type_api import TypeEngine

from survey.models import Answer, RespondentMark, Response, ScoreCell, ScoreVersion

ANSWER_COLUMNS: dict[str, TypeEngine[Any]] = {
    "question_id": Integer(),
    "value": Integer(),
    "text": Text(),
}
CELL_COLUMNS: dict[str, TypeEngine[Any]] = {
    "metric": String(),
    "n": Integer(),
    "total": Float(),
    "total_sq": Float(),
}
# The columns every cell of one response shares: parameters of their own name.
CELL_KEY = ("provider_department_id", "customer_department_id", "quarter")


def json_rows(rows: Iterable[Mapping[str, Any]], columns: Mapping[str, Any]) -> str:
    """A JSON array of ``rows`` holding ``columns`` (absent ones are null): the ``rows`` or
    ``cells`` parameter of the statements here."""
    return json.dumps([{name: row.get(name) for name in columns} for row in rows])


def _json_records(parameter: str, columns: Mapping[str, TypeEngine[Any]], dialect: str) -> Any:
    """The rows of the JSON array parameter ``parameter`` as a table of ``columns``, taken
    apart by the database (PostgreSQL ``json_to_recordset``, SQLite ``json_each``)."""
    if dialect == "postgresql":
        records = func.json_to_recordset(cast(bindparam(parameter, type_=String), JSON))
        return records.table_valued(
            *(column(name, sql_type) for name, sql_type in columns.items())
        ).render_derived(with_types=True)
    each = func.json_each(bindparam(parameter, type_=String)).table_valued("value")
    fields = (
        func.json_extract(each.c.value, literal_column(f"'$.{name}'")).label(name)
        for name in columns
    )
    return select(*fields).select_from(each).subquery("r")


def _rows(selected: list[Any], records: Any, after: Any) -> Any:
    """``SELECT selected`` over ``records``, joined to the rows of ``after`` when given (so
    that ``after``, a data-modifying CTE, runs first). Without it a WHERE ends the SELECT,
    which SQLite's grammar needs before an upsert's ON CONFLICT."""
    if after is not None:
        return select(*selected).select_from(after).join(records, true())
    return select(*selected).select_from(records).where(true())


def _insert_answers(dialect: str, response_id: Any, after: Any = None) -> Any:
    """The answers of ``rows`` inserted for the response ``response_id``."""
    records = _json_records("rows", ANSWER_COLUMNS, dialect)
    return Answer.__table__.insert().from_select(
        ["response_id", *ANSWER_COLUMNS], _rows([response_id, *records.c], records, after)
    )


def _add_cells(dialect: str, after: Any = None) -> Any:
    """The cells of ``cells`` (of the provider, customer and quarter parameters of
    ``CELL_KEY``), each added to the stored cell of its key or inserted."""
    cells = ScoreCell.__table__
    records = _json_records("cells", CELL_COLUMNS, dialect)
    key = [bindparam(name, type_=cells.c[name].type) for name in CELL_KEY]
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = make_insert(cells).from_select(
        [*CELL_KEY, *CELL_COLUMNS], _rows([*key, *records.c], records, after)
    )
    added = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[cells.c[name] for name in (*CELL_KEY, "metric")],
        set_={
            "n": cells.c.n + added.n,
            "total": cells.c.total + added.total,
            "total_sq": cells.c.total_sq + added.total_sq,
        },
    )


def _lock_quarter() -> Any:
    """PostgreSQL: "lock the ``score_versions`` row of quarter ``q``", creating it if need be
    (an upsert that changes nothing)."""
    table = ScoreVersion.__table__
    statement = pg_insert(table).values(quarter=bindparam("q"), version=0, responses=0)
    return statement.on_conflict_do_update(
        index_elements=[table.c.quarter], set_={"version": table.c.version}
    )


LOCK_QUARTER = _lock_quarter()


def _store_on_postgresql() -> Any:
    """PostgreSQL: a response, its answers and its score cells in one statement.

    Parameters: the response's columns; ``q`` its quarter again; ``rows`` the answers and
    ``cells`` the cells, as ``json_rows`` makes them (cells in key order).

    Order inside the statement: the cells' rows are read joined to the quarter lock's returned
    row, so the quarter's version row is locked before any cell (as ``_lock_quarters_first``
    does for bulk writers: without it, a quarterly submit holding one provider's cells and
    waiting for the version row could deadlock with one holding the row). The response is
    inserted by a CTE whose returned id the answers read, so it comes before them; the
    answers' foreign keys are checked at the end of the statement."""
    responses = Response.__table__
    response = (
        responses.insert()
        .values({c.name: bindparam(c.name, type_=c.type) for c in responses.columns})
        .returning(responses.c.id)
        .cte("response")
    )
    answers = _insert_answers("postgresql", response.c.id, after=response).cte("answers")
    lock = LOCK_QUARTER.returning(ScoreVersion.__table__.c.quarter).cte("quarter_lock")
    return _add_cells("postgresql", after=lock).add_cte(answers)


INSERT_RESPONSE = Response.__table__.insert()
SQLITE_INSERT_ANSWERS = _insert_answers("sqlite", bindparam("response_id", type_=String))
SQLITE_ADD_CELLS = _add_cells("sqlite")
STORE_ON_POSTGRESQL = _store_on_postgresql()


MARK_KEY = ("provider_department_id", "customer_department_id", "quarter", "pseudonym")
MARK_SUMS = ("responses", "t_count", "t_sum", "r_count", "r_sum")
#: What the mark statements return: the sums after the change, then the mark's customer
#: department (the one of the person's first answer about the provider in the quarter).
MARK_RETURNS = (*MARK_SUMS, "customer_department_id")
#: The key a batch of ``ADD_MARKS`` returns each row under (before ``MARK_RETURNS``).
MARK_PERSON = ("provider_department_id", "quarter", "pseudonym")


def _mark_values() -> dict[str, Any]:
    """The values of a mark's row from ``ADD_MARK``'s parameters. The customer department is
    that of the person's mark of the same provider and quarter when there is one (a person who
    moved to another department within the quarter stays one person, in the department of
    their first answer; of marks written twice before that rule, the lowest id), else the
    ``customer_department_id`` given."""
    table = RespondentMark.__table__
    values = {name: bindparam(name, type_=table.c[name].type) for name in (*MARK_KEY, *MARK_SUMS)}
    earlier = table.alias("earlier")
    first_customer = (
        select(func.min(earlier.c.customer_department_id))
        .where(
            earlier.c.provider_department_id == values["provider_department_id"],
            earlier.c.quarter == values["quarter"],
            earlier.c.pseudonym == values["pseudonym"],
        )
        .scalar_subquery()
    )
    values["customer_department_id"] = func.coalesce(
        first_customer, values["customer_department_id"]
    )
    return values


def _add_mark(dialect: str, returns: tuple[str, ...] = MARK_RETURNS) -> Any:
    """A respondent's mark (``RespondentMark``) added to, or inserted, in one statement that
    returns the sums after the change and the mark's customer department (``MARK_RETURNS``,
    in that order): the writer works out the person's old sums as these minus what it added,
    and files the response under that department (``_mark_values``). It locks the mark's row,
    so two submits of one person wait for each other; every writer takes its marks before the
    quarter's version row, one lock order for all."""
    table = RespondentMark.__table__
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = make_insert(table).values(_mark_values())
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in MARK_KEY],
        set_={name: table.c[name] + statement.excluded[name] for name in MARK_SUMS},
    ).returning(*(table.c[name] for name in returns))


ADD_MARK = {"sqlite": _add_mark("sqlite"), "postgresql": _add_mark("postgresql")}


def _add_marks(dialect: str) -> Any:
    """``ADD_MARK`` for many people in one execution (a list of parameter sets, at most one
    per person: one writer loading many responses): SQLAlchemy sends them as multi-row
    inserts, which return their rows in no set order, so each row starts with its person's
    key (``MARK_PERSON``), then ``MARK_RETURNS``."""
    return _add_mark(dialect, (*MARK_PERSON, *MARK_RETURNS))


ADD_MARKS = {"sqlite": _add_marks("sqlite"), "postgresql": _add_marks("postgresql")}
