"""What a department should work on: its key drivers crossed with where it stands lowest.

The drivers (``analysis.drivers``: LMG shares of R² of the quarterly dimensions for the
overall answer, with bootstrap intervals) are computed from the per-person rows of the
quarterly survey of one **released** quarter: each quarterly response holds one person's
answers about one provider (one quarterly link per person and campaign, one campaign per
person and quarter), so for one provider a response is a person.

Gates, in order (``docs/scoring.md``, "What to work on"):

- Only people of **shown** customer cells count: the rows of a customer department whose
  relationship figure the department's customer table hides (below k, or the hidden remainder)
  are left out, so the drivers never depend on a hidden group's answers.
- The department's own drivers when they rest on at least ``DRIVER_MIN_PEOPLE`` distinct people
  with every answer given. Thirty: a regression on five correlated dimensions needs several
  people per dimension before its shares mean anything (six per dimension here), and at thirty
  one person's answers move a share by a few points at most, well inside the interval shown.
- Otherwise the organisation's drivers: every provider's rows pooled (each provider's shown
  customer cells only), from at least ``ORG_MIN_ROWS`` complete rows. A person who rated three
  providers gives three rows there, so the pooled interval is somewhat too narrow; the page
  says these are the organisation's drivers.
- Otherwise none.
- Either analysis also counts as degenerate (so the department's falls back, the
  organisation's gives none) while a dimension or the overall answer has fewer than k people
  (the quarter's k) answering other than its most common answer (``key_drivers``'s
  ``spread``): a column everyone answered alike made the analysis fail outright, so which
  drivers a page showed told whether one hidden person answered like everyone else (a
  dimension at the top of the scale is hidden precisely so as not to tell that).

The priorities then use the department's own dimension means, which are already gated figures
of its scorecard (``Scorecard.dimensions``). Figures are rounded before they leave this
module (shares and their intervals to whole per cent, means to 0.1): nothing finer is
published.

The reads (the people counted, the per-person rows, every provider's customer cells) are kept
per process under the quarter's score version (a new answer changes it); the analysis is
memoised under the very rows and cells read, the shown customer cells and the gate size.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis import scorecard_page  # customer_rows: the customer table's own gate
from analysis.drivers import Drivers, key_drivers
from analysis.priorities import LIMIT, Priority, priorities
from analysis.scorecard_inputs import CustomerCells
from analysis.scorecard_results import Scorecard
from survey.models import Answer, Question, RespondentMark, Response
from survey.scorecards.services import scorecard_data as data
from survey.scorecards.services.scorecard_export import labels
from survey.scorecards.services.scorecard_snapshot import every_customer_cells
from survey.services.lru import IdentityMemo, Lru

#: Distinct people a department's own drivers need (see the module docstring).
DRIVER_MIN_PEOPLE = 30
#: Complete rows (person and provider) the organisation's pooled drivers need.
ORG_MIN_ROWS = 2 * DRIVER_MIN_PEOPLE
#: The overall question of the quarterly survey.
OVERALL = "overall"

DEPARTMENT = "department"
ORGANISATION = "organisation"
#: Why a department has no priorities.
NOT_RELEASED = "not_released"
TOO_FEW = "too_few"
NO_MEANS = "no_means"


@dataclass(frozen=True)
class Driver:
    """One dimension's importance as published: ``share`` and its 95 % interval in whole per
    cent (0..100), ``rank`` 1 for the largest share."""

    code: str
    share: int
    low: int | None
    high: int | None
    rank: int


@dataclass(frozen=True)
class PriorityItem:
    """One thing to work on, rounded for publication: importance ``share``/``low``/``high``
    in whole per cent, ``mean`` and ``org_mean`` on 0..100 to 0.1, ``below_org`` the points the
    department stands below the organisation (negative: above), ``practice`` the quiz practice
    code (``analysis.priorities.DIMENSION_PRACTICES``)."""

    code: str
    share: int
    low: int | None
    high: int | None
    rank: int
    mean: float
    org_mean: float | None
    below_org: float | None
    practice: str | None


@dataclass(frozen=True)
class Priorities:
    """A department's priorities for a quarter. ``basis`` says whose drivers were used
    (``DEPARTMENT``, ``ORGANISATION``, or None: no drivers), ``people`` how many complete rows
    they rest on, ``reason`` why ``items`` is empty (None when it is not)."""

    quarter: str
    basis: str | None
    people: int
    r2: int | None  # per cent of the overall answer's variance the dimensions explain
    drivers: tuple[Driver, ...]
    items: tuple[PriorityItem, ...]
    reason: str | None

    def dimension_name(self, code: str) -> str:
        """The dimension's name in the reader's language (for templates)."""
        return str(labels()["dimensions"].get(code, code))


def _pct(value: float | None) -> int | None:
    return None if value is None else round(100.0 * value)


def quarterly_rows(
    session: Session, quarter: str, providers: Collection[int]
) -> list[tuple[int, int, dict[str, int | None]]]:
    """Per quarterly response of ``quarter`` about one of ``providers``: its provider,
    customer department and answers by question code (the dimensions and the overall answer;
    None for "does not apply"). Read through the responses' (provider, quarter) index."""
    codes = [*data.quarterly_dimension_codes(session), OVERALL]
    stmt = (
        select(
            Response.id,
            Response.provider_department_id,
            Response.customer_department_id,
            Question.code,
            Answer.value,
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Response.kind == "quarterly",
            Response.quarter == quarter,
            Question.code.in_(codes),
        )
    )
    if len(providers) == 1:
        stmt = stmt.where(Response.provider_department_id == next(iter(providers)))
    else:
        stmt = stmt.where(Response.provider_department_id.in_(sorted(providers)))
    rows: dict[str, tuple[int, int, dict[str, int | None]]] = {}
    for response_id, provider, customer, code, value in session.execute(stmt):
        entry = rows.setdefault(response_id, (int(provider), int(customer), {}))
        entry[2][code] = None if value is None else int(value)
    # Sorted by content, not by the random response ids: the same answers give the same rows.
    return sorted(rows.values(), key=lambda r: (r[0], r[1], sorted(r[2].items(), key=str)))


def _analyse(
    codes: tuple[str, ...],
    rows: list[tuple[int, int, dict[str, int | None]]],
    min_rows: int,
    k: int,
) -> Drivers | None:
    x = [[answers.get(c) for c in codes] for _p, _c, answers in rows]
    y = [answers.get(OVERALL) for _p, _c, answers in rows]
    if not rows:
        return None
    return key_drivers(codes, x, y, min_rows=min_rows, spread=k)


def _people(session: Session, provider_id: int, customers: set[int], quarter: str) -> int:
    """Distinct people (pseudonyms of ``respondent_marks``) who gave ``provider_id`` a
    relationship score in ``quarter``, from the customer departments ``customers``."""
    if not customers:
        return 0
    m = RespondentMark
    count = session.scalar(
        select(func.count()).where(
            m.provider_department_id == provider_id,
            m.quarter == quarter,
            m.customer_department_id.in_(sorted(customers)),
            m.r_count > 0,
        )
    )
    return int(count or 0)


def _shown_customers(card: Scorecard, ids: dict[str, int]) -> frozenset[int]:
    return frozenset(
        ids[row.code] for row in card.customers if row.relationship.shown and row.code in ids
    )


@dataclass(frozen=True)
class QuarterlyRows:
    """The quarterly dimension codes and the per-person rows of some providers in a quarter
    (``quarterly_rows``), as read."""

    codes: tuple[str, ...]
    rows: tuple[tuple[int, int, dict[str, int | None]], ...]


def read_rows(
    session: Session, quarter: str, providers: Collection[int], versions: data.ScoreVersions
) -> QuarterlyRows:
    """``quarterly_rows`` of ``providers`` with the dimension codes, kept per database,
    quarter, version and providers (a new answer raises the version)."""
    wanted = tuple(sorted(providers))
    key = (data.database_name(session), quarter, versions.of(quarter), wanted)

    def read() -> QuarterlyRows:
        codes = tuple(data.quarterly_dimension_codes(session))
        return QuarterlyRows(codes, tuple(quarterly_rows(session, quarter, wanted)))

    return _rows_cache.get_or_make(key, read)


def read_people(
    session: Session,
    provider_id: int,
    customers: frozenset[int],
    quarter: str,
    versions: data.ScoreVersions,
) -> int:
    """``_people``, kept per database, quarter, version, provider and customers."""
    key = (data.database_name(session), quarter, versions.of(quarter), provider_id, customers)
    return _people_cache.get_or_make(
        key, lambda: _people(session, provider_id, set(customers), quarter)
    )


_rows_cache: Lru[QuarterlyRows] = Lru(32)
_people_cache: Lru[int] = Lru(64)


def department_drivers(
    session: Session,
    department_id: int,
    card: Scorecard,
    versions: data.ScoreVersions,
    departments: list[data.DepartmentRow],
) -> Drivers | None:
    """The department's own drivers from the people of its shown customer cells, or None
    below ``DRIVER_MIN_PEOPLE`` distinct people (or in a degenerate case, ``_analyse`` with
    the card's k). ``departments``:
    the active departments, as read (codes to ids). The reads (people, rows) are kept per
    version; the analysis is memoised under the rows read and the shown customers."""
    quarter, k = card.quarter, card.settings.k
    shown = _shown_customers(card, {d.code: d.id for d in departments})
    if read_people(session, department_id, shown, quarter, versions) < DRIVER_MIN_PEOPLE:
        return None
    read = read_rows(session, quarter, [department_id], versions)
    return _drivers.get_or_make(
        (read,),
        ("department", shown, k),
        lambda: (
            _analyse(read.codes, [r for r in read.rows if r[1] in shown], DRIVER_MIN_PEOPLE, k),
        ),
    )[0]


def organisation_drivers(
    session: Session,
    quarter: str,
    k: int,
    versions: data.ScoreVersions,
    departments: list[data.DepartmentRow] | None = None,
) -> Drivers | None:
    """The organisation's drivers: every active provider's rows from its shown customer cells,
    pooled; None below ``ORG_MIN_ROWS`` complete rows. Which cells are shown is the customer
    table's own gate (``analysis.scorecard_page.customer_rows``) over every provider's cells.
    The reads (every provider's cells and rows, ``departments`` the active departments, read
    here when not given) are kept per version; the analysis is memoised under them."""
    departments = departments if departments is not None else data.departments(session)
    cells = every_customer_cells(session, quarter, versions)
    read = read_rows(session, quarter, [d.id for d in departments], versions)
    return _drivers.get_or_make(
        (cells, read),
        ("organisation", tuple(departments), k),
        lambda: (_pooled(read, cells, departments, k),),
    )[0]


def _pooled(
    read: QuarterlyRows,
    cells: Mapping[int, CustomerCells],
    departments: list[data.DepartmentRow],
    k: int,
) -> Drivers | None:
    ids = {d.code: d.id for d in departments}
    shown = {
        d.id: {
            ids[row.code]
            for row in scorecard_page.customer_rows(cells.get(d.id, {}), departments, k)
            if row.relationship.shown
        }
        for d in departments
    }
    rows = [r for r in read.rows if r[1] in shown.get(r[0], ())]
    if not rows:
        return None
    return _analyse(read.codes, rows, ORG_MIN_ROWS, k)


_drivers: IdentityMemo[tuple[Drivers | None]] = IdentityMemo(64)


def department_priorities(
    session: Session,
    department_id: int,
    card: Scorecard,
    now: datetime | None = None,
    limit: int = LIMIT,
) -> Priorities:
    """What ``card``'s department should work on in ``card.quarter`` (see the module
    docstring for the gates and ``analysis.priorities`` for the rule)."""
    versions = data.score_versions(session, now or datetime.now(UTC))
    quarter = card.quarter
    if not versions.released(quarter) or not card.dimensions:
        return Priorities(quarter, None, 0, None, (), (), NOT_RELEASED)
    departments = data.departments(session)
    drivers = department_drivers(session, department_id, card, versions, departments)
    basis = DEPARTMENT
    if drivers is None:
        drivers = organisation_drivers(session, quarter, card.settings.k, versions, departments)
        basis = ORGANISATION
    if drivers is None:
        return Priorities(quarter, None, 0, None, (), (), TOO_FEW)
    means = {row.code: row.value.value for row in card.dimensions if row.value.shown}
    org = {row.code: row.org_value for row in card.dimensions}
    chosen: tuple[Priority, ...] = priorities(
        drivers, means, org, order=[row.code for row in card.dimensions], limit=limit
    )
    published = tuple(
        Driver(i.code, _pct(i.share) or 0, _pct(i.low), _pct(i.high), i.rank)
        for i in drivers.ranked()
    )
    items = tuple(
        PriorityItem(
            code=p.code,
            share=_pct(p.share) or 0,
            low=_pct(p.low),
            high=_pct(p.high),
            rank=p.rank,
            mean=round(p.mean, 1),
            org_mean=None if p.org_mean is None else round(p.org_mean, 1),
            below_org=None
            if p.org_mean is None
            else round(round(p.org_mean, 1) - round(p.mean, 1), 1),
            practice=p.practice,
        )
        for p in chosen
    )
    return Priorities(
        quarter,
        basis,
        drivers.n,
        _pct(drivers.r2),
        published,
        items,
        None if items else NO_MEANS,
    )


def priorities_json(result: Priorities) -> dict[str, Any]:
    """The API's ``priorities`` object (documented in ``survey/views/openapi.py``)."""
    return {
        "quarter": result.quarter,
        "basis": result.basis,
        "people": result.people,
        "r2_percent": result.r2,
        "reason": result.reason,
        "drivers": [
            {
                "dimension": d.code,
                "share_percent": d.share,
                "low_percent": d.low,
                "high_percent": d.high,
                "rank": d.rank,
            }
            for d in result.drivers
        ],
        "items": [
            {
                "dimension": i.code,
                "share_percent": i.share,
                "low_percent": i.low,
                "high_percent": i.high,
                "rank": i.rank,
                "mean": i.mean,
                "organisation_mean": i.org_mean,
                "below_organisation": i.below_org,
                "practice": i.practice,
            }
            for i in result.items
        ],
    }
