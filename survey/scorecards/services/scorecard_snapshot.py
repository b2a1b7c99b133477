"""The read step of a department's page: one call, ``read_page``, that reads what the page's
sections need and returns it as plain data (frozen dataclasses and tuples of sums, no ORM
objects); the pure functions of ``analysis.scorecard`` then compute the sections from it.

Sections read here so far: the dimension profile (``DimensionSnapshot``) and the self-view
(``scorecard_data.SelfView``). The headline sums of the model come from
``scorecard_models.read_inputs``; the customer table, the compliance details, counts and
comments still read on their own (docs/architecture.md, "Scorecards: what a page reads").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy.orm import Session

from analysis.scorecard import Sums
from survey.scorecards.services import scorecard_data as data
from survey.services.lru import Lru


@dataclass(frozen=True)
class DimensionSnapshot:
    """The quarterly dimension codes (questionnaire order) and every department's sums of the
    metrics ``q.<code>`` in one quarter (respondents, sum and sum of squares on the 1..5
    scale); a department with no answer to a dimension has no entry for it."""

    codes: tuple[str, ...]
    by_department: Mapping[int, Mapping[str, Sums]]


#: One provider's cells: customer department id -> metric ("R", "T") -> sums.
CustomerCells = Mapping[int, Mapping[str, Sums]]
CUSTOMER_METRICS = ("R", "T")


@dataclass(frozen=True)
class PageSnapshot:
    """What a department's page reads for one quarter: the active departments by code
    (``departments``, which the page's names, flags and customer table share) and the
    sections' data. ``dimensions`` and ``customers`` are None when the quarter is not
    released (nothing of it shows); ``self_view`` is empty until the quarter has ended."""

    departments: tuple[data.DepartmentRow, ...]
    dimensions: DimensionSnapshot | None
    customers: CustomerCells | None
    self_view: data.SelfView


def read_page(
    session: Session, department_id: int, quarter: str, versions: data.ScoreVersions
) -> PageSnapshot:
    """The reads of ``department_id``'s page for ``quarter``: the active departments (one
    read); the dimension sums (one read, a row per department and dimension of
    ``score_totals``, kept per process under the quarter's version, so a warm page reads
    only the dimension codes); the provider's customer cells (one read of ``score_cells``,
    ``customer_cells``); the members' quiz results of ``department_id`` (one read)."""
    released = versions.released(quarter)
    return PageSnapshot(
        departments=tuple(data.departments(session)),
        dimensions=_dimension_snapshot(session, quarter, versions) if released else None,
        customers=customer_cells(session, quarter, department_id).get(department_id, {})
        if released
        else None,
        self_view=data.member_self_view(session, department_id, quarter),
    )


def customer_cells(
    session: Session, quarter: str, provider_id: int | None = None
) -> dict[int, CustomerCells]:
    """The sums of R and T per customer department of one provider (``provider_id``) or of
    every provider (None) in ``quarter``, by provider: one read of ``score_cells``. Every
    customer department is there, inactive ones included: they all count in the provider's
    total, and so in the remainder rule of its customer table. A provider without cells has
    no entry."""
    pairs = data.pair_sums(session, quarter, CUSTOMER_METRICS, provider_id=provider_id)
    by_provider: dict[int, dict[int, Mapping[str, Sums]]] = {}
    for (provider, customer), sums in pairs.items():
        by_provider.setdefault(provider, {})[customer] = MappingProxyType(dict(sums))
    return {p: MappingProxyType(cells) for p, cells in by_provider.items()}


def _dimension_snapshot(
    session: Session, quarter: str, versions: data.ScoreVersions
) -> DimensionSnapshot:
    codes = tuple(data.quarterly_dimension_codes(session))
    key = (data.database_name(session), quarter, versions.of(quarter), codes)

    def read() -> DimensionSnapshot:
        sums = data.provider_sums(session, [quarter], [f"q.{c}" for c in codes])
        by_department = {p: MappingProxyType(dict(m)) for (p, _q), m in sums.items()}
        return DimensionSnapshot(codes, MappingProxyType(by_department))

    return _dimension_cache.get_or_make(key, read)


_dimension_cache: Lru[DimensionSnapshot] = Lru(16)
