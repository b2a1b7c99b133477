"""The read step of a department's page: one call, ``read_page``, that reads what the page's
sections need and returns it as plain data (frozen dataclasses and tuples of sums, no ORM
objects); the pure functions of ``analysis.scorecard`` then compute the sections from it.

Every section of the page is read here, into the nouns of ``analysis.scorecard_inputs``: the
active departments, the dimension profile (``DimensionSnapshot``), the customer cells
(``customer_cells``), the self-view (``SelfView``), the requests and their compliance
(``ComplianceSnapshot``), the response counts and the comments (``CommentSnapshot``). The
headline sums of the model come from ``scorecard_models.read_inputs`` (kept per quarter
version; the models are computed from them by the page's compute half). Whatever is kept
here is keyed by the quarter's version (the dimension sums, the comment rows, every
provider's customer cells) or the compliance version (the compliance counts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy.orm import Session

from analysis.scorecard import Sums
from analysis.scorecard_inputs import (
    CUSTOMER_METRICS,
    CommentSnapshot,
    ComplianceSnapshot,
    CustomerCells,
    DimensionSnapshot,
    PageSnapshot,
)
from survey.scorecards.services import compliance_data
from survey.scorecards.services import scorecard_data as data
from survey.services.lru import Lru


def read_page(
    session: Session,
    department_id: int,
    quarter: str,
    versions: data.ScoreVersions,
    *,
    window: Sequence[str],
    now: datetime,
    locale: str | None,
    compliance_version: tuple[Any, ...],
    comments: bool,
) -> PageSnapshot:
    """The reads of ``department_id``'s page for ``quarter``, one statement each (nine on a
    warm page whose comment gate is open):

    - the active departments;
    - the dimension codes, then the dimension sums (a row per department and dimension of
      ``score_totals``), kept per process under the quarter's version, so a warm page reads
      only the codes;
    - the provider's customer cells (``score_cells``, ``customer_cells``);
    - the members' quiz results of the quarter (none read before it has ended at ``now``);
    - the provider's requests opened in the quarter, its compliance counts by service
      (cached under ``compliance_version``, what ``compliance_data.compliance_version``
      returned in this transaction, and the hour of ``now``; with ``BUSINESS_HOURS`` set,
      the judged requests' times instead, ``compliance_hours``), its service names in
      ``locale`` and the standards in force;
    - the response counts of the released quarters of ``window`` (none read when none is);
    - with ``comments`` (the caller's comment gate is open), the comment rows, kept per
      process under the quarter's version, and on every view the names of those who asked
      to be contacted (a name can change; none read when nobody asked).

    A quarter not released reads no dimensions, customer cells nor comments."""
    released = versions.released(quarter)
    counted = [q for q in window if versions.released(q)]
    counts = data.provider_sums(session, counted, data.COUNT_METRICS, provider_id=department_id)
    return PageSnapshot(
        departments=tuple(data.departments(session)),
        dimensions=_dimension_snapshot(session, quarter, versions) if released else None,
        customers=customer_cells(session, quarter, department_id).get(department_id, {})
        if released
        else None,
        self_view=data.member_self_view(
            session, department_id, quarter, now.astimezone(UTC).date()
        ),
        compliance=_compliance_snapshot(
            session, department_id, quarter, now, locale, compliance_version
        ),
        counts=MappingProxyType({q: MappingProxyType(dict(m)) for (_p, q), m in counts.items()}),
        comments=_comment_snapshot(session, department_id, quarter, versions)
        if released and comments
        else None,
    )


def _compliance_snapshot(
    session: Session,
    department_id: int,
    quarter: str,
    now: datetime,
    locale: str | None,
    version: tuple[Any, ...],
) -> ComplianceSnapshot:
    times = compliance_data.interaction_times(session, department_id, quarter)
    counts = compliance_data.compliance_counts(
        session, [quarter], now, department_id, by_service=True, version=version
    )
    return ComplianceSnapshot(
        times=tuple(times),
        by_service=MappingProxyType({service: c for (_p, _q, service), c in counts.items()}),
        service_names=MappingProxyType(
            compliance_data.service_names(session, department_id, locale)
        ),
        standards=tuple(compliance_data.standards_in_force(session, department_id, quarter)),
    )


def _comment_snapshot(
    session: Session, department_id: int, quarter: str, versions: data.ScoreVersions
) -> CommentSnapshot:
    """The rows are cached under the quarter's version (a new comment comes with a new
    response, which changes it); the names are read on every view."""
    key = (data.database_name(session), department_id, quarter, versions.of(quarter))
    rows = _comments_cache.get_or_make(
        key, lambda: tuple(data.comments(session, department_id, quarter))
    )
    names = data.person_names(
        session, (r.contact_person_id for r in rows if r.contact_person_id is not None)
    )
    return CommentSnapshot(rows, MappingProxyType(names))


_comments_cache: Lru[tuple[data.CommentRow, ...]] = Lru(
    64, max_weight=8 * 1024 * 1024, weigh=lambda rows: sum(len(r.text) for r in rows)
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


def every_customer_cells(
    session: Session, quarter: str, versions: data.ScoreVersions
) -> Mapping[int, CustomerCells]:
    """``customer_cells`` of every provider in ``quarter``, kept per database, quarter and
    version: what the overview's heatmap and the organisation's drivers both read."""
    key = (data.database_name(session), quarter, versions.of(quarter))
    return _every_cells_cache.get_or_make(
        key, lambda: MappingProxyType(customer_cells(session, quarter))
    )


# A 200-department organisation has up to 40,000 cells a quarter.
_every_cells_cache: Lru[Mapping[int, CustomerCells]] = Lru(8)


def _dimension_snapshot(
    session: Session, quarter: str, versions: data.ScoreVersions
) -> DimensionSnapshot:
    codes = tuple(data.quarterly_dimension_codes(session))
    key = (data.database_name(session), quarter, versions.of(quarter), codes)

    def read() -> DimensionSnapshot:
        metrics = [*(f"q.{c}" for c in codes), "R"]  # R: withhold_for_blanks
        sums = data.provider_sums(session, [quarter], metrics)
        by_department = {p: MappingProxyType(dict(m)) for (p, _q), m in sums.items()}
        return DimensionSnapshot(codes, MappingProxyType(by_department))

    return _dimension_cache.get_or_make(key, read)


_dimension_cache: Lru[DimensionSnapshot] = Lru(16)
