"""Storing anonymous responses and keeping the score aggregates current.

Every stored response updates ``ScoreCell`` rows in the same transaction, so scorecards read a
few hundred cells instead of scanning answers. Metric names (the kind's ``PREFIX``, a dot,
the code):

- ``pi.n`` / ``q.n``: one per response (post-interaction / quarterly), the respondent count;
- ``pi.<code>`` / ``q.<code>``: the raw answer of each scale question (likert 1..5, nps 0..10,
  yes/no 1/0); for a comment, 1 per written comment (so the comment gate can be checked);
- ``T``: per person, the share (0..100) of their post-interaction answers whose overall
  satisfaction is 4 or 5: ``n`` counts people, ``total`` adds up their shares;
- ``R``: per person, their mean relationship score on 0..100 (each response's mean of the
  quarterly dimensions answered, rescaled), averaged over their quarterly responses;
- ``people``: distinct people who answered anything about the provider (either kind).

``T``, ``R`` and ``people`` count people, not responses (respondent-first: one person weighs
one however often they answer). A person is recognised by a keyed pseudonym of (person,
provider, quarter) whose running sums sit in ``RespondentMark``; the response itself stays
without any person. A response stored without a pseudonym counts as a person of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import insert, select, tuple_
from sqlalchemy.orm import Session

from survey.models import Answer, Question, Questionnaire, Response, ScoreCell
from survey.models.base import random_id
from survey.pseudonyms import pseudonym
from survey.question_types import QUESTION_TYPES
from survey.respond.services.response_statements import (
    ADD_MARK,
    ADD_MARKS,
    ANSWER_COLUMNS,
    CELL_COLUMNS,
    INSERT_RESPONSE,
    LOCK_QUARTER,
    MARK_PERSON,
    SQLITE_ADD_CELLS,
    SQLITE_INSERT_ANSWERS,
    STORE_ON_POSTGRESQL,
    json_rows,
)
from survey.services.live_questionnaires import QuestionCopy, QuestionnaireCopy

PREFIX = {"post_interaction": "pi", "quarterly": "q"}
QUARTERLY_DIMENSIONS = ("reliability", "responsiveness", "competence", "courtesy", "tools")
CellKey = tuple[int, int, str, str]  # provider, customer, quarter, metric


@dataclass(frozen=True)
class ResponseInput:
    """One response to store: answers by question code (None or absent: not answered)."""

    kind: str
    provider_department_id: int
    customer_department_id: int
    quarter: str
    iso_week: str
    answers: Mapping[str, Any]
    contact_person_id: int | None = None
    #: The respondent's pseudonym (``survey.pseudonyms``); None counts as a person of its own.
    respondent: str | None = None
    #: For bulk loads only: the person, turned into ``respondent`` by ``bulk_store_responses``
    #: and never stored.
    person_id: int | None = None


@dataclass
class _Delta:
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def add(self, value: float) -> None:
        self.n += 1
        self.total += value
        self.total_sq += value * value


QuestionnaireLike = Questionnaire | QuestionnaireCopy
QuestionLike = Question | QuestionCopy


def _questions_by_code(questionnaire: QuestionnaireLike) -> dict[str, QuestionLike]:
    return {q.code: q for q in questionnaire.questions if q.retired_at is None}


def _answer_rows(
    response_id: str, questions: Mapping[str, QuestionLike], answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Validated answer rows; ValueError names the code of a bad or unknown answer."""
    rows = []
    for code, value in answers.items():
        if value is None or value == "":
            continue
        question = questions.get(code)
        if question is None:
            raise ValueError(f"no live question with the code {code!r}")
        qtype = QUESTION_TYPES[question.qtype]
        if qtype.free_text:
            rows.append(
                {
                    "response_id": response_id,
                    "question_id": question.id,
                    "value": None,
                    "text": str(value),
                }
            )
            continue
        low, high = qtype.answer_range or (0, 10)
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"answer to {code!r} out of range {low}..{high}: {value!r}")
        rows.append(
            {"response_id": response_id, "question_id": question.id, "value": number, "text": None}
        )
    return rows


def _metrics(item: ResponseInput, questions: Mapping[str, QuestionLike]) -> dict[str, float]:
    """Metric -> value for one response (1 for the count; each answer what its question type
    adds, ``QuestionType.metric``: 1 for a comment, the answer for a scored type)."""
    prefix = PREFIX[item.kind]
    out: dict[str, float] = {f"{prefix}.n": 1.0}
    for code, value in item.answers.items():
        metric = QUESTION_TYPES[questions[code].qtype].metric(value)
        if metric is not None:
            out[f"{prefix}.{code}"] = metric
    return out


@dataclass(frozen=True)
class PersonValues:
    """What one response adds to its respondent's person-level scores: ``t`` 100 or 0 when
    a post-interaction response rates overall satisfaction (4-5 or not), ``r`` the mean of the
    quarterly dimensions answered on 0..100; None when the response has no such answer."""

    t: float | None = None
    r: float | None = None


def _person_values(item: ResponseInput) -> PersonValues:
    overall = item.answers.get("overall")
    t = None
    if item.kind == "post_interaction" and overall is not None and overall != "":
        t = 100.0 if int(overall) >= 4 else 0.0
    r = None
    if item.kind == "quarterly":
        dims = [
            int(item.answers[d]) for d in QUARTERLY_DIMENSIONS if item.answers.get(d) is not None
        ]
        if dims:
            r = sum(100.0 * (x - 1) / 4 for x in dims) / len(dims)
    return PersonValues(t, r)


@dataclass
class Mark:
    """A respondent's running sums for one (provider, customer, quarter); ``known`` when the
    person was already counted there."""

    t_count: int = 0
    t_sum: float = 0.0
    r_count: int = 0
    r_sum: float = 0.0
    known: bool = False
    responses: int = 0


def person_deltas(mark: Mark, values: Iterable[PersonValues]) -> dict[str, _Delta]:
    """Add ``values`` to ``mark`` (changed in place) and return what the person-level cells
    ``people``, ``T`` and ``R`` change by: a new person adds 1 to ``n``; a known one only moves
    the cell's total from their old mean to their new one (so they still weigh one)."""
    before = (mark.t_count, mark.t_sum, mark.r_count, mark.r_sum)
    for v in values:
        mark.responses += 1
        if v.t is not None:
            mark.t_count += 1
            mark.t_sum += v.t
        if v.r is not None:
            mark.r_count += 1
            mark.r_sum += v.r
    deltas: dict[str, _Delta] = {}
    if not mark.known:
        deltas["people"] = _Delta(1, 1.0, 1.0)
        mark.known = True
    pairs = (
        ("T", before[0], before[1], mark.t_count, mark.t_sum),
        ("R", before[2], before[3], mark.r_count, mark.r_sum),
    )
    for metric, c0, s0, c1, s1 in pairs:
        if c1 == c0:
            continue
        new = s1 / c1
        old = s0 / c0 if c0 else 0.0
        deltas[metric] = _Delta(0 if c0 else 1, new - old, new * new - old * old)
    return deltas


def _collect(
    items: Iterable[tuple[ResponseInput, Mapping[str, QuestionLike]]],
) -> dict[CellKey, _Delta]:
    deltas: dict[CellKey, _Delta] = defaultdict(_Delta)
    for item, questions in items:
        for metric, value in _metrics(item, questions).items():
            key = (item.provider_department_id, item.customer_department_id, item.quarter, metric)
            deltas[key].add(value)
    return deltas


def _merge(cell: ScoreCell, delta: _Delta) -> None:
    cell.n = (cell.n or 0) + delta.n
    cell.total = (cell.total or 0.0) + delta.total
    cell.total_sq = (cell.total_sq or 0.0) + delta.total_sq


def _key_filter(keys: list[CellKey]):  # type: ignore[no-untyped-def]
    return tuple_(
        ScoreCell.provider_department_id,
        ScoreCell.customer_department_id,
        ScoreCell.quarter,
        ScoreCell.metric,
    ).in_(keys)


def _cell_row(key: CellKey, delta: _Delta) -> dict[str, Any]:
    """A new score cell holding just ``delta``."""
    p, c, q, m = key
    return {
        "provider_department_id": p,
        "customer_department_id": c,
        "quarter": q,
        "metric": m,
        "n": delta.n,
        "total": delta.total,
        "total_sq": delta.total_sq,
    }


def _cells_of_one_response(deltas: Mapping[CellKey, _Delta]) -> dict[str, Any]:
    """The ``CELL_KEY`` and ``cells`` parameters of the statements that add the cells of one
    response (``response_statements``): one provider, customer and quarter (ValueError
    otherwise). Cells in key order: every writer locks
    them in the same order, so two submitters never deadlock on PostgreSQL."""
    if len({key[:3] for key in deltas}) != 1:
        raise ValueError("the cells of one response share provider, customer and quarter")
    provider, customer, quarter, _metric = next(iter(deltas))
    rows = (_cell_row(key, deltas[key]) for key in sorted(deltas))
    return {
        "provider_department_id": provider,
        "customer_department_id": customer,
        "quarter": quarter,
        "cells": json_rows(rows, CELL_COLUMNS),
    }


MarkKey = tuple[int, int, str, str]  # provider, customer, quarter, pseudonym
PersonKey = tuple[int, str, str]  # provider, quarter, pseudonym: one mark per person


def _add_to_mark(
    connection: Any, key: MarkKey, values: Sequence[PersonValues]
) -> tuple[int, dict[str, _Delta]]:
    """Add ``values`` (one person's responses about one provider and quarter, from the
    customer department of ``key``) to their mark in one statement (``ADD_MARK``). Returns
    the mark's customer department (the one of the person's first answer there, which may
    differ from ``key``'s after a move) and what its person-level cells change by. The
    statement returns the sums after the change; the person's sums before are these minus
    what was added, and ``responses`` above the number added means they were counted
    already."""
    parameters, added = _mark_parameters(key, values)
    row = connection.execute(ADD_MARK[connection.dialect.name], parameters).one()
    return row[-1], _deltas_after_mark(row, added, values)


def _mark_parameters(key: MarkKey, values: Sequence[PersonValues]) -> tuple[dict[str, Any], Mark]:
    """The parameters of ``ADD_MARK`` that add ``values`` to the mark of ``key``, and what
    they add (a ``Mark`` of ``values`` alone)."""
    added = Mark()
    person_deltas(added, values)
    provider, customer, quarter, pseudonym = key
    return {
        "provider_department_id": provider,
        "customer_department_id": customer,
        "quarter": quarter,
        "pseudonym": pseudonym,
        "responses": added.responses,
        "t_count": added.t_count,
        "t_sum": added.t_sum,
        "r_count": added.r_count,
        "r_sum": added.r_sum,
    }, added


def _deltas_after_mark(
    row: Sequence[Any], added: Mark, values: Sequence[PersonValues]
) -> dict[str, _Delta]:
    """What the person-level cells change by, from the mark's sums after ``added`` (a row of
    ``MARK_RETURNS``): the person's sums before are these minus what was added."""
    responses, t_count, t_sum, r_count, r_sum, _customer = row
    before = Mark(
        t_count - added.t_count,
        t_sum - added.t_sum,
        r_count - added.r_count,
        r_sum - added.r_sum,
        known=responses > added.responses,
        responses=responses - added.responses,
    )
    return person_deltas(before, values)


def _person_key(item: ResponseInput) -> PersonKey | None:
    if item.respondent is None:
        return None
    return (item.provider_department_id, item.quarter, item.respondent)


def _person_cells(
    connection: Any, items: Iterable[ResponseInput]
) -> tuple[dict[CellKey, _Delta], dict[PersonKey, int]]:
    """The person-level cell changes (``people``, ``T``, ``R``) of ``items``, their marks
    added to (one statement per person; a submit has one), and each person's customer
    department as their mark decided it (``_add_to_mark``): the responses are filed under it
    (``filed_under``). A person's items in one call join the mark of the first one's customer
    department. Items without a pseudonym are each a person of their own and leave no
    mark."""
    grouped: dict[PersonKey, list[PersonValues]] = defaultdict(list)
    candidates: dict[PersonKey, int] = {}
    deltas: dict[CellKey, _Delta] = {}
    for item in items:
        values = _person_values(item)
        person = _person_key(item)
        if person is None:
            cell = (item.provider_department_id, item.customer_department_id, item.quarter)
            for metric, delta in person_deltas(Mark(), [values]).items():
                _add_delta(deltas, (*cell, metric), delta)
            continue
        candidates.setdefault(person, item.customer_department_id)
        grouped[person].append(values)
    people = list(grouped)
    marks = [((p[0], candidates[p], p[1], p[2]), grouped[p]) for p in people]
    customers: dict[PersonKey, int] = {}
    for person, (customer, changes) in zip(people, _add_to_marks(connection, marks), strict=True):
        provider, quarter, _pseudonym = person
        customers[person] = customer
        for metric, delta in changes.items():
            _add_delta(deltas, (provider, customer, quarter, metric), delta)
    return deltas, customers


def _add_to_marks(
    connection: Any, marks: Sequence[tuple[MarkKey, Sequence[PersonValues]]]
) -> list[tuple[int, dict[str, _Delta]]]:
    """``_add_to_mark`` for each of ``marks`` (at most one per person), in their order: one
    statement for one person (a submit), one execution of ``ADD_MARKS`` for more (a bulk
    load: SQLAlchemy sends multi-row inserts, not a statement per person)."""
    if len(marks) <= 1:
        return [_add_to_mark(connection, key, values) for key, values in marks]
    prepared = [_mark_parameters(key, values) for key, values in marks]
    returned = {
        tuple(row[: len(MARK_PERSON)]): row[len(MARK_PERSON) :]
        for row in connection.execute(
            ADD_MARKS[connection.dialect.name], [parameters for parameters, _added in prepared]
        )
    }
    out = []
    for (key, values), (_parameters, added) in zip(marks, prepared, strict=True):
        provider, _customer, quarter, pseudonym_ = key
        row = returned[(provider, quarter, pseudonym_)]
        out.append((row[-1], _deltas_after_mark(row, added, values)))
    return out


def decided_customer(item: ResponseInput, customers: Mapping[PersonKey, int]) -> int:
    """The customer department ``item`` is filed under: its person's mark's (``customers``,
    from ``_person_cells``), or its own without a pseudonym."""
    person = _person_key(item)
    own = item.customer_department_id
    return own if person is None else customers.get(person, own)


def filed_under(item: ResponseInput, customers: Mapping[PersonKey, int]) -> ResponseInput:
    """``item`` with the customer department its person's mark decided (itself when that is
    its own)."""
    customer = decided_customer(item, customers)
    if customer == item.customer_department_id:
        return item
    return replace(item, customer_department_id=customer)


def _add_delta(deltas: dict[CellKey, _Delta], key: CellKey, delta: _Delta) -> None:
    into = deltas.setdefault(key, _Delta())
    into.n += delta.n
    into.total += delta.total
    into.total_sq += delta.total_sq


def _expire_cells(session: Session) -> None:
    """ORM copies of score cells loaded earlier in the session are stale after a write."""
    for obj in [o for o in session.identity_map.values() if isinstance(o, ScoreCell)]:
        session.expire(obj)


def _lock_quarters_first(session: Session, dialect: str, quarters: set[str]) -> None:
    """PostgreSQL: lock the quarters' ``score_versions`` rows before any cell. The triggers
    on ``score_cells`` raise that row for every statement that writes cells, so without this
    a transaction holding cells of one provider (a quarterly survey rates several) and
    waiting for the row could deadlock with one holding the row and waiting for those
    cells. Taking the row first orders every writer the same way: writers of one quarter
    queue here, then run. SQLite writers are serial anyway."""
    if dialect != "postgresql" or not quarters:
        return
    session.connection().execute(LOCK_QUARTER, [{"q": q} for q in sorted(quarters)])


def _apply_bulk(session: Session, deltas: Mapping[CellKey, _Delta]) -> None:
    """For one writer loading many responses (demo, imports): fewer statements."""
    _lock_quarters_first(session, session.get_bind().dialect.name, {key[2] for key in deltas})
    keys = list(deltas)
    existing: dict[CellKey, ScoreCell] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for cell in session.scalars(select(ScoreCell).where(_key_filter(chunk))):
            existing[
                (
                    cell.provider_department_id,
                    cell.customer_department_id,
                    cell.quarter,
                    cell.metric,
                )
            ] = cell
    new_rows = []
    for key, delta in deltas.items():
        if key in existing:
            _merge(existing[key], delta)
        else:
            new_rows.append(_cell_row(key, delta))
    if new_rows:
        session.execute(insert(ScoreCell), new_rows)
    session.flush()


@dataclass(frozen=True)
class PreparedResponse:
    """One response checked and turned into the parameters of its statements
    (``prepare_response``), before any database work: ``values`` the response row,
    ``answers`` its answers as JSON rows (``has_answers`` whether there is any), ``deltas``
    what it adds to its score cells before the person-level ones (``people``, ``T``, ``R``),
    which only the write can tell (they depend on the respondent's mark). Never changed
    after it is made."""

    id: str
    values: dict[str, Any]
    answers: str
    has_answers: bool
    item: ResponseInput
    deltas: dict[CellKey, _Delta]

    def to_entry(self) -> dict[str, Any]:
        """This response as plain JSON values (``from_entry`` reads it back): what a queued
        submission holds. A bulk load's ``person_id`` is never written (ValueError)."""
        if self.item.person_id is not None:
            raise ValueError("a prepared response names no person")
        item = asdict(self.item)
        del item["person_id"]
        return {
            "id": self.id,
            "values": self.values,
            "answers": self.answers,
            "has_answers": self.has_answers,
            "item": item,
            "deltas": [[*key, d.n, d.total, d.total_sq] for key, d in self.deltas.items()],
        }

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> PreparedResponse:
        """The response ``to_entry`` wrote."""
        deltas = {(p, c, q, m): _Delta(n, t, t2) for p, c, q, m, n, t, t2 in entry["deltas"]}
        return cls(
            id=entry["id"],
            values=entry["values"],
            answers=entry["answers"],
            has_answers=entry["has_answers"],
            item=ResponseInput(**entry["item"]),
            deltas=deltas,
        )


def prepare_response(
    *,
    kind: str,
    questionnaire: QuestionnaireLike,
    provider_department_id: int,
    customer_department_id: int,
    quarter: str,
    iso_week: str,
    answers: Mapping[str, Any],
    contact_person_id: int | None = None,
    respondent: str | None = None,
) -> PreparedResponse:
    """Check one response and build what ``write_response`` sends; touches no database (a
    submit does this before it takes SQLite's write lock, to hold the lock less).

    ``answers`` maps question codes to values (None: not answered). ``respondent`` is the
    respondent's pseudonym (``survey.pseudonyms``): with it a person who answers again about
    the same provider in the same quarter is counted once. Raises ValueError for an unknown
    code or an out-of-range value.
    """
    item = ResponseInput(
        kind=kind,
        provider_department_id=provider_department_id,
        customer_department_id=customer_department_id,
        quarter=quarter,
        iso_week=iso_week,
        answers=answers,
        contact_person_id=contact_person_id,
        respondent=respondent,
    )
    questions = _questions_by_code(questionnaire)
    response_id = random_id()
    rows = _answer_rows(response_id, questions, answers)
    values = {
        "id": response_id,
        "kind": kind,
        "questionnaire_id": questionnaire.id,
        "provider_department_id": provider_department_id,
        "customer_department_id": customer_department_id,
        "quarter": quarter,
        "iso_week": iso_week,
        "contact_person_id": contact_person_id,
    }
    return PreparedResponse(
        id=response_id,
        values=values,
        answers=json_rows(rows, ANSWER_COLUMNS),
        has_answers=bool(rows),
        item=item,
        deltas=_collect([(item, questions)]),
    )


def _refiled(prepared: PreparedResponse, customer: int) -> PreparedResponse:
    """``prepared`` filed under the customer department ``customer`` (its person's mark's:
    ``_person_cells``): the response's row, its cells and its input."""
    if customer == prepared.item.customer_department_id:
        return prepared
    return replace(
        prepared,
        values={**prepared.values, "customer_department_id": customer},
        item=replace(prepared.item, customer_department_id=customer),
        deltas={(p, customer, q, m): d for (p, _c, q, m), d in prepared.deltas.items()},
    )


def write_response(session: Session, prepared: PreparedResponse) -> str:
    """Store a prepared response with its answers and add it to the score aggregates, in
    the session's transaction; the response's id. Plain statements: the unit of work would
    cost more than the rest of the submit.

    The respondent's mark is added to first (one statement, ``ADD_MARK``); the response is
    filed under the mark's customer department (the person's first one this quarter, should
    they have moved since), and the person-level cells it changes join the response's
    cells."""
    connection = session.connection()
    person, customers = _person_cells(connection, [prepared.item])
    customer = decided_customer(prepared.item, customers)
    _store(session, connection, _refiled(prepared, customer), person)
    return prepared.id


def _store(
    session: Session,
    connection: Any,
    prepared: PreparedResponse,
    person: Mapping[CellKey, _Delta],
) -> None:
    """The response, its answers and its cells (the prepared deltas plus the ``person``-level
    ones) written: one statement on PostgreSQL, three on SQLite."""
    deltas = dict(prepared.deltas)  # the prepared deltas stay as they are: copied where added to
    for key, delta in person.items():
        base = deltas.get(key)
        deltas[key] = (
            delta
            if base is None
            else _Delta(base.n + delta.n, base.total + delta.total, base.total_sq + delta.total_sq)
        )
    cells = _cells_of_one_response(deltas)
    if connection.dialect.name == "postgresql":
        # One statement (see ``STORE_ON_POSTGRESQL``): one round trip, quarter locked first.
        connection.execute(
            STORE_ON_POSTGRESQL,
            {
                **prepared.values,
                **cells,
                "q": prepared.values["quarter"],
                "rows": prepared.answers,
            },
        )
    else:
        connection.execute(INSERT_RESPONSE, prepared.values)
        if prepared.has_answers:
            answers = {"response_id": prepared.id, "rows": prepared.answers}
            connection.execute(SQLITE_INSERT_ANSWERS, answers)
        connection.execute(SQLITE_ADD_CELLS, cells)
    _expire_cells(session)


def bulk_store_responses(
    session: Session,
    questionnaires: Mapping[str, Questionnaire],
    items: Iterable[ResponseInput],
    pseudonym_key: bytes | None = None,
) -> int:
    """Store many responses at once (one writer: demo history, imports). ``questionnaires``
    maps kind to questionnaire; with ``pseudonym_key``, an item's ``person_id`` becomes its
    respondent pseudonym (``survey.pseudonyms``). Returns the number stored."""
    by_kind = {kind: _questions_by_code(q) for kind, q in questionnaires.items()}
    if pseudonym_key is not None:
        items = (
            replace(
                item,
                respondent=pseudonym(
                    pseudonym_key, item.person_id, item.provider_department_id, item.quarter
                ),
                person_id=None,
            )
            if item.person_id is not None
            else item
            for item in items
        )
    # Every answer checked first (ValueError before anything is written), then the marks:
    # they decide each person's customer department, which the responses are filed under.
    checked = []
    for item in items:
        response_id = random_id()
        checked.append(
            (item, response_id, _answer_rows(response_id, by_kind[item.kind], item.answers))
        )
    connection = session.connection()
    person, customers = _person_cells(connection, [item for item, _id, _rows in checked])
    responses: list[dict[str, Any]] = []
    answer_rows: list[dict[str, Any]] = []
    collected = []
    for item, response_id, rows in checked:
        filed = filed_under(item, customers)
        answer_rows.extend(rows)
        responses.append(
            {
                "id": response_id,
                "kind": filed.kind,
                "questionnaire_id": questionnaires[filed.kind].id,
                "provider_department_id": filed.provider_department_id,
                "customer_department_id": filed.customer_department_id,
                "quarter": filed.quarter,
                "iso_week": filed.iso_week,
                "contact_person_id": filed.contact_person_id,
            }
        )
        collected.append((filed, by_kind[filed.kind]))
    # NULLs written as NULLs (``render_nulls``): every row then has the same columns and the
    # rows go as one batch; by default a None leaves its column out, and rows with and
    # without one (a number answer, a comment) were sent in batches of a few rows each.
    if responses:
        session.execute(insert(Response).execution_options(render_nulls=True), responses)
    for start in range(0, len(answer_rows), 5000):
        session.execute(
            insert(Answer).execution_options(render_nulls=True), answer_rows[start : start + 5000]
        )
    deltas = _collect(collected)
    for key, delta in person.items():
        _add_delta(deltas, key, delta)
    _apply_bulk(session, deltas)
    return len(responses)
