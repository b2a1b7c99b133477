"""Storing anonymous responses and keeping the score aggregates current.

Every stored response updates ``ScoreCell`` rows in the same transaction, so scorecards read a
few hundred cells instead of scanning answers. Metric names (``metric_name``):

- ``pi.n`` / ``q.n``: one per response (post-interaction / quarterly), the respondent count;
- ``pi.<code>`` / ``q.<code>``: the raw answer of each scale question (likert 1..5, nps 0..10,
  yes/no 1/0); for a comment, 1 per written comment (so the comment gate can be checked);
- ``T``: 100 when post-interaction overall satisfaction is 4 or 5, else 0;
- ``R``: the respondent's mean of the quarterly dimensions answered, each rescaled to 0..100
  (respondent-first averaging: a respondent counts once whatever the number of items).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey.models import Answer, Question, Questionnaire, Response, ScoreCell
from survey.models.base import random_id

PREFIX = {"post_interaction": "pi", "quarterly": "q"}
QUARTERLY_DIMENSIONS = ("reliability", "responsiveness", "competence", "courtesy", "tools")
SCALES = {"likert5": (1, 5), "nps": (0, 10), "yes_no": (0, 1), "consent": (0, 1)}
CellKey = tuple[int, int, str, str]  # provider, customer, quarter, metric


def metric_name(kind: str, code: str) -> str:
    """``pi.overall`` for the post-interaction question ``overall``."""
    return f"{PREFIX[kind]}.{code}"


@dataclass(frozen=True)
class ResponseInput:
    """One response to store: answers by question code (None or absent: not answered)."""

    kind: str
    provider_department_id: int
    customer_department_id: int
    quarter: str
    iso_week: str
    answers: Mapping[str, Any]
    service_id: int | None = None
    campaign_id: int | None = None
    contact_person_id: int | None = None


@dataclass
class _Delta:
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    histogram: dict[str, int] | None = None

    def add(self, value: float, bucket: str | None) -> None:
        self.n += 1
        self.total += value
        self.total_sq += value * value
        if bucket is not None:
            self.histogram = self.histogram or {}
            self.histogram[bucket] = self.histogram.get(bucket, 0) + 1


def _questions_by_code(questionnaire: Questionnaire) -> dict[str, Question]:
    return {q.code: q for q in questionnaire.questions if q.retired_at is None}


def _answer_rows(
    response_id: str, questions: Mapping[str, Question], answers: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Validated answer rows; ValueError names the code of a bad or unknown answer."""
    rows = []
    for code, value in answers.items():
        if value is None or value == "":
            continue
        question = questions.get(code)
        if question is None:
            raise ValueError(f"no live question with the code {code!r}")
        if question.qtype == "text":
            rows.append(
                {
                    "response_id": response_id,
                    "question_id": question.id,
                    "value": None,
                    "text": str(value),
                }
            )
            continue
        low, high = SCALES.get(question.qtype, (0, 10))
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"answer to {code!r} out of range {low}..{high}: {value!r}")
        rows.append(
            {"response_id": response_id, "question_id": question.id, "value": number, "text": None}
        )
    return rows


def _metrics(
    item: ResponseInput, questions: Mapping[str, Question]
) -> dict[str, tuple[float, str | None]]:
    """Metric -> (value, histogram bucket) for one response."""
    prefix = PREFIX[item.kind]
    out: dict[str, tuple[float, str | None]] = {f"{prefix}.n": (1.0, None)}
    for code, value in item.answers.items():
        if value is None or value == "":
            continue
        question = questions[code]
        if question.qtype == "text":
            out[f"{prefix}.{code}"] = (1.0, None)
        elif question.qtype != "consent":
            out[f"{prefix}.{code}"] = (float(int(value)), str(int(value)))
    overall = item.answers.get("overall")
    if item.kind == "post_interaction" and overall is not None:
        out["T"] = (100.0 if int(overall) >= 4 else 0.0, None)
    if item.kind == "quarterly":
        dims = [
            int(item.answers[d]) for d in QUARTERLY_DIMENSIONS if item.answers.get(d) is not None
        ]
        if dims:
            out["R"] = (sum(100.0 * (x - 1) / 4 for x in dims) / len(dims), None)
    return out


def _collect(
    items: Iterable[tuple[ResponseInput, Mapping[str, Question]]],
) -> dict[CellKey, _Delta]:
    deltas: dict[CellKey, _Delta] = defaultdict(_Delta)
    for item, questions in items:
        for metric, (value, bucket) in _metrics(item, questions).items():
            key = (item.provider_department_id, item.customer_department_id, item.quarter, metric)
            deltas[key].add(value, bucket)
    return deltas


def _merged_histogram(histogram: Mapping[str, Any] | None, delta: _Delta) -> dict[str, Any]:
    """A new histogram: ``histogram`` plus the delta's counts (neither is changed)."""
    merged = dict(histogram or {})
    for bucket, count in (delta.histogram or {}).items():
        merged[bucket] = int(merged.get(bucket, 0)) + count
    return merged


def _merge(cell: ScoreCell, delta: _Delta) -> None:
    cell.n = (cell.n or 0) + delta.n
    cell.total = (cell.total or 0.0) + delta.total
    cell.total_sq = (cell.total_sq or 0.0) + delta.total_sq
    if delta.histogram:
        cell.histogram = _merged_histogram(cell.histogram, delta)


def _key_filter(keys: list[CellKey]):  # type: ignore[no-untyped-def]
    return tuple_(
        ScoreCell.provider_department_id,
        ScoreCell.customer_department_id,
        ScoreCell.quarter,
        ScoreCell.metric,
    ).in_(keys)


def _apply_concurrent(session: Session, deltas: Mapping[CellKey, _Delta]) -> None:
    """Race-safe on PostgreSQL: make sure each row exists, then lock and update it. SQLite
    write transactions are already serial (BEGIN IMMEDIATE)."""
    dialect = session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    keys = sorted(deltas)  # a fixed lock order: no deadlock between two submitters
    rows = [
        {
            "provider_department_id": p,
            "customer_department_id": c,
            "quarter": q,
            "metric": m,
            "n": 0,
            "total": 0.0,
            "total_sq": 0.0,
            "histogram": {},
        }
        for p, c, q, m in keys
    ]
    session.connection().execute(make_insert(ScoreCell).on_conflict_do_nothing(), rows)
    table = ScoreCell.__table__
    locked = session.execute(
        select(
            table.c.provider_department_id,
            table.c.customer_department_id,
            table.c.quarter,
            table.c.metric,
            table.c.n,
            table.c.total,
            table.c.total_sq,
            table.c.histogram,
        )
        .where(_key_filter(keys))
        .order_by(
            table.c.provider_department_id,
            table.c.customer_department_id,
            table.c.quarter,
            table.c.metric,
        )
        .with_for_update()
    )
    # Plain rows and one executemany UPDATE: the ORM unit of work costs more than the SQL here.
    updates = []
    for p, c, q, m, n, total, total_sq, histogram in locked:
        delta = deltas[(p, c, q, m)]
        updates.append(
            {
                "k_p": p,
                "k_c": c,
                "k_q": q,
                "k_m": m,
                "n": (n or 0) + delta.n,
                "total": (total or 0.0) + delta.total,
                "total_sq": (total_sq or 0.0) + delta.total_sq,
                "histogram": _merged_histogram(histogram, delta),
            }
        )
    session.connection().execute(
        update(table).where(
            table.c.provider_department_id == bindparam("k_p"),
            table.c.customer_department_id == bindparam("k_c"),
            table.c.quarter == bindparam("k_q"),
            table.c.metric == bindparam("k_m"),
        ),
        updates,
    )
    # ORM copies of these cells loaded earlier in the session are now stale.
    for obj in [o for o in session.identity_map.values() if isinstance(o, ScoreCell)]:
        session.expire(obj)


def _apply_bulk(session: Session, deltas: Mapping[CellKey, _Delta]) -> None:
    """For one writer loading many responses (demo, imports): fewer statements."""
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
            p, c, q, m = key
            new_rows.append(
                {
                    "provider_department_id": p,
                    "customer_department_id": c,
                    "quarter": q,
                    "metric": m,
                    "n": delta.n,
                    "total": delta.total,
                    "total_sq": delta.total_sq,
                    "histogram": delta.histogram or {},
                }
            )
    if new_rows:
        session.execute(insert(ScoreCell), new_rows)
    session.flush()


def store_response(
    session: Session,
    *,
    kind: str,
    questionnaire: Questionnaire,
    provider_department_id: int,
    customer_department_id: int,
    quarter: str,
    iso_week: str,
    answers: Mapping[str, Any],
    service_id: int | None = None,
    campaign_id: int | None = None,
    contact_person_id: int | None = None,
) -> Response:
    """Store one anonymous response with its answers and update the aggregates.

    ``answers`` maps question codes to values (None: not answered). Raises ValueError for an
    unknown code or an out-of-range value; nothing is flushed then.
    """
    item = ResponseInput(
        kind=kind,
        provider_department_id=provider_department_id,
        customer_department_id=customer_department_id,
        quarter=quarter,
        iso_week=iso_week,
        answers=answers,
        service_id=service_id,
        campaign_id=campaign_id,
        contact_person_id=contact_person_id,
    )
    questions = _questions_by_code(questionnaire)
    response_id = random_id()
    rows = _answer_rows(response_id, questions, answers)
    response = Response(
        id=response_id,
        kind=kind,
        questionnaire_id=questionnaire.id,
        provider_department_id=provider_department_id,
        customer_department_id=customer_department_id,
        service_id=service_id,
        campaign_id=campaign_id,
        quarter=quarter,
        iso_week=iso_week,
        contact_person_id=contact_person_id,
    )
    session.add(response)
    session.flush()
    if rows:
        session.execute(insert(Answer), rows)
    _apply_concurrent(session, _collect([(item, questions)]))
    return response


def bulk_store_responses(
    session: Session, questionnaires: Mapping[str, Questionnaire], items: Iterable[ResponseInput]
) -> int:
    """Store many responses at once (one writer: demo history, imports). ``questionnaires``
    maps kind to questionnaire. Returns the number stored."""
    by_kind = {kind: _questions_by_code(q) for kind, q in questionnaires.items()}
    responses: list[dict[str, Any]] = []
    answer_rows: list[dict[str, Any]] = []
    collected = []
    for item in items:
        questions = by_kind[item.kind]
        response_id = random_id()
        answer_rows.extend(_answer_rows(response_id, questions, item.answers))
        responses.append(
            {
                "id": response_id,
                "kind": item.kind,
                "questionnaire_id": questionnaires[item.kind].id,
                "provider_department_id": item.provider_department_id,
                "customer_department_id": item.customer_department_id,
                "service_id": item.service_id,
                "campaign_id": item.campaign_id,
                "quarter": item.quarter,
                "iso_week": item.iso_week,
                "contact_person_id": item.contact_person_id,
            }
        )
        collected.append((item, questions))
    if responses:
        session.execute(insert(Response), responses)
    for start in range(0, len(answer_rows), 5000):
        session.execute(insert(Answer), answer_rows[start : start + 5000])
    _apply_bulk(session, _collect(collected))
    return len(responses)
