"""What a department's scorecard is computed from: the plain snapshot its read step returns.

``survey.scorecards`` reads these (``read_scorecard`` and ``scorecard_snapshot.read_page``)
and ``analysis.scorecard_page.compute_scorecard`` turns them into the page, reading nothing.
Every noun here is plain data: named tuples, frozen dataclasses, tuples and read-only
mappings of numbers and texts, no database objects, so a snapshot can be written by hand
(``tests/scorecards/test_compute_by_hand.py``). Sums are ``analysis.scorecard.Sums``
(respondents, sum and sum of squares of a metric); minutes are elapsed or working minutes as
the organisation counts them; times are aware datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from analysis.model import Priors
from analysis.scorecard import DepartmentInput, Sums
from analysis.scorecard_results import BaselineInfo, Settings, StandardInForce


class DepartmentRow(NamedTuple):
    """What a scorecard needs of a department (plain values: cheap to read and to compare)."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CommentRow:
    text: str
    contact_person_id: int | None


@dataclass(frozen=True)
class SelfView:
    """The latest quiz attempt of each distinct quiz taker who named the department."""

    takers: int
    overall: tuple[float, ...]
    practices: Mapping[str, tuple[float, ...]]


@dataclass(frozen=True)
class ComplianceCount:
    """Interactions judged against the standard in force, and how many met it."""

    judged: int = 0
    compliant: int = 0

    def __add__(self, other: ComplianceCount) -> ComplianceCount:
        return ComplianceCount(self.judged + other.judged, self.compliant + other.compliant)


@dataclass(frozen=True)
class InteractionTimes:
    """One interaction's timing, minutes from opening (None: not yet)."""

    opened_at: datetime
    first_response_minutes: float | None
    resolution_minutes: float | None
    surveyed: bool


@dataclass(frozen=True)
class DimensionSnapshot:
    """The quarterly dimension codes (questionnaire order) and every department's sums of the
    metrics ``q.<code>`` in one quarter (respondents, sum and sum of squares on the 1..5
    scale), and of ``R`` (its people: ``analysis.scorecard.withhold_for_blanks``); a
    department with no answer to a dimension has no entry for it."""

    codes: tuple[str, ...]
    by_department: Mapping[int, Mapping[str, Sums]]


#: One provider's cells: customer department id -> metric ("R", "T") -> sums.
CustomerCells = Mapping[int, Mapping[str, Sums]]
CUSTOMER_METRICS = ("R", "T")


@dataclass(frozen=True)
class ComplianceSnapshot:
    """One provider's requests in one quarter: the ``times`` of every request opened in it,
    the compliance counts ``by_service`` (service id -> requests judged against the standard
    in force and how many met it), the provider's ``service_names`` in the reader's language
    and the ``standards`` in force on the quarter's last day."""

    times: tuple[InteractionTimes, ...]
    by_service: Mapping[int, ComplianceCount]
    service_names: Mapping[int, str]
    standards: tuple[StandardInForce, ...]


@dataclass(frozen=True)
class CommentSnapshot:
    """The comments about one provider in one quarter (random-id order) and the names of
    the people who asked to be contacted about theirs, by person id."""

    rows: tuple[CommentRow, ...]
    contact_names: Mapping[int, str]


@dataclass(frozen=True)
class PageSnapshot:
    """What a department's page reads for one quarter: the active departments by code
    (``departments``, which the page's names, flags and customer table share) and the
    sections' data. ``dimensions`` and ``customers`` are None when the quarter is not
    released (nothing of it shows); ``self_view`` is empty until the quarter has ended;
    ``counts`` holds the provider's response counts (metrics ``pi.n`` and ``q.n``) by
    quarter, for the released quarters of the trend window only; ``comments`` is None when
    they were not read (the comment gate is closed)."""

    departments: tuple[DepartmentRow, ...]
    dimensions: DimensionSnapshot | None
    customers: CustomerCells | None
    self_view: SelfView
    compliance: ComplianceSnapshot
    counts: Mapping[str, Mapping[str, Sums]]
    comments: CommentSnapshot | None


#: One quarter's stored sums of every department with any, by department id.
Inputs = Mapping[int, DepartmentInput]
#: One quarter's binned per-person R values, by (department id, quarter): how many people's
#: relationship means fall in each bin (``analysis.scorecard.R_BIN_WIDTH`` points wide).
Histograms = Mapping[tuple[int, str], tuple[int, ...]]


@dataclass(frozen=True)
class CardSnapshot:
    """Everything a department's scorecard is computed from, read by the application's
    ``read_scorecard``: plain values and sums. ``compute_scorecard`` builds the page from it
    and reads nothing.

    ``quarters`` are the released quarters (oldest first), ``settings`` those in force for
    ``quarter`` (k never lowered), ``baseline`` the IQ baseline (frozen or provisional; None:
    none can be formed yet) and ``priors`` the model's priors with the weights in force,
    ``window`` the trend's quarters, ``inputs`` every department's sums in each quarter the
    page needs (the window, the quarter shown, and the quarter before each; a quarter not
    released has none), ``pairs`` the transitions (before, after) tested for a flagged change
    (into each quarter of the window and into the quarter shown, where the quarter before is
    released) with ``histograms`` the binned R values of their quarters, ``zone`` the
    organisation's time zone (the hours of the day the page shows), ``problem`` what was wrong
    with the quarter asked for (None: nothing)."""

    department: DepartmentRow
    quarter: str
    problem: str | None
    quarters: tuple[str, ...]
    settings: Settings
    baseline: BaselineInfo | None
    priors: Priors
    window: tuple[str, ...]
    inputs: Mapping[str, Inputs]
    pairs: tuple[tuple[str, str], ...]
    histograms: Mapping[str, Histograms]
    page: PageSnapshot
    zone: tzinfo
    department_names: Mapping[str, str]
