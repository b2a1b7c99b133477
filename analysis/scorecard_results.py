"""The scorecards' result nouns: what a page, an export or the API shows.

Gated figures (``Gated``, ``Component``) and the per-quarter model (``QuarterModel``) come from
``analysis.scorecard``, the pure half; the nouns here assemble a page: the organisation
overview (``OrgOverview``) and a department's scorecard (``Scorecard``), with the baseline
(``BaselineInfo``) and the settings (``Settings``) they were computed with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analysis import anonymity, model
from analysis.scorecard import (  # noqa: F401  (re-exported: the pages' vocabulary)
    BELOW_COMMENT_K,
    BELOW_K,
    CERTAIN,
    NO_BASELINE,
    NO_DATA,
    NO_SURVEY_COMPONENT,
    ONE_SIDED,
    REMAINDER,
    WITHHELD,
    Component,
    Distribution,
    Gated,
    PerceptionGap,
    PracticeGap,
    QuarterModel,
    QuarterScore,
)

DEFAULT_WEIGHTS: Mapping[str, float] = dict(model.WEIGHTS)
COMPONENTS = model.COMPONENTS
TREND_WINDOW = 12
BASELINE_QUARTERS = 4
MIN_YEAR, MAX_YEAR = 1970, 9998  # quarters outside make no sense and break date arithmetic

FIRST_RESPONSE_BUCKETS = (60, 240, 480, 1440, 4320)  # minutes: 1 h, 4 h, 8 h, 1 day, 3 days
RESOLUTION_BUCKETS = (240, 1440, 4320, 10080, 20160)  # 4 h, 1 day, 3 days, 1 week, 2 weeks


@dataclass(frozen=True)
class Settings:
    """The gate and the weights a result was computed with (written down with it).

    ``k`` is the gate of the quarter shown; ``quarter_k`` the k the campaigns of each quarter
    promised (quarter -> k; none: the settings' k). Every other quarter a result shows (a
    trend, the quarter before a change) is gated with ``k_of`` it, never below its own
    campaigns' k, whichever later quarter's page shows it."""

    k: int = anonymity.K_FIGURES
    comment_k: int = anonymity.K_COMMENTS
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    quarter_k: Mapping[str, int] = field(default_factory=dict)

    def k_of(self, quarter: str) -> int:
        """The gate of ``quarter``'s figures: ``k``, raised to its campaigns' k."""
        return max(self.k, self.quarter_k.get(quarter, 0))

    def k_between(self, before: str, after: str) -> int:
        """The gate of a change from ``before`` into ``after``: the larger of their gates (a
        change shows the figures of both quarters)."""
        return max(self.k_of(before), self.k_of(after))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """From the app settings ``MIN_GROUP_SIZE``, ``COMMENT_GROUP_SIZE`` and the optional
        ``SCORE_WEIGHTS`` mapping; the gates never go below the analysis defaults' meaning
        (k from the settings, comments at least k)."""
        k = int(config.get("MIN_GROUP_SIZE") or anonymity.K_FIGURES)
        comment_k = max(int(config.get("COMMENT_GROUP_SIZE") or anonymity.K_COMMENTS), k)
        weights = dict(config.get("SCORE_WEIGHTS") or DEFAULT_WEIGHTS)
        return cls(k, comment_k, weights)


# --- result nouns ---


@dataclass(frozen=True)
class BaselineInfo:
    """The IQ baseline a result uses: frozen (stored, with what it was computed with) or
    provisional (computed from the first quarters, stored nowhere, may still change).
    ``mu0_se``/``sigma0_se``: the standard errors of μ0 and σ0 (what a re-base could move;
    0 for a version-1 record, which did not keep them); ``provisional_priors``: the priors
    are pooled over the released quarters, not frozen."""

    version: str
    mu0: float
    sigma0: float
    quarters: tuple[str, ...]
    provisional: bool
    frozen_at: datetime | None = None
    frozen_by: str = ""
    method: str = ""
    weights: Mapping[str, float] = field(default_factory=dict)
    k: int | None = None
    superseded: tuple[str, ...] = ()
    mu0_se: float = 0.0
    sigma0_se: float = 0.0
    provisional_priors: bool = False


# IQ with its interval (the ISQ interval mapped linearly), or the reason it is hidden: the same
# gated figure as ISQ's (``analysis.scorecard.iq_of`` builds it), on the IQ scale, ``n`` None.
IqFigure = Gated


@dataclass(frozen=True)
class ChangeFlag:
    """A flagged quarter-over-quarter change of one department (``analysis.model``: exact
    tests per component, BH across the quarter's departments, shrunk ISQ change ≥ 5).
    ``p_adjusted`` is the level the BH-adjusted p-value is below (0.05), not the p-value
    itself, whose digits depend on how alike the answers were
    (``analysis.scorecard_page.change_flag``)."""

    code: str
    name: str
    quarter: str
    previous: str
    isq_before: float
    isq_after: float
    delta: float
    p_adjusted: float
    components: tuple[str, ...]

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down"


@dataclass(frozen=True)
class RankRow:
    """A department on the overview. ``standing`` places it against the organisation without
    a rank number: ``above`` or ``below`` when its ISQ interval lies wholly on one side of
    the organisation's ISQ, ``in_line`` when it overlaps it (``analysis.model.rank_groups``)."""

    code: str
    name: str
    isq: Gated
    iq: IqFigure
    respondents: int
    flag: ChangeFlag | None
    standing: str = "in_line"


STANDINGS = ("above", "in_line", "below")


@dataclass(frozen=True)
class HiddenDepartment:
    code: str
    name: str
    reason: str


# (provider code and name, customer code and name, value or None, reason or None)
AnsweredPair = tuple[tuple[str, str], tuple[str, str], float | None, str | None]


@dataclass(frozen=True)
class Heatmap:
    """Who serves whom: the relationship score R of each provider (row) as rated by each
    customer department (column); ``None`` cells are hidden (no data or the gate)."""

    providers: tuple[tuple[str, str], ...]
    customers: tuple[tuple[str, str], ...]
    values: tuple[tuple[float | None, ...], ...]
    reasons: tuple[tuple[str | None, ...], ...]

    def answered_pairs(self) -> list[AnsweredPair]:
        """(provider, customer, value, reason) for every pair resting on at least k people,
        row by row: what a large organisation's page lists instead of the mostly empty
        matrix (a pair under k, none included, is not listed: listing it would tell that
        somebody of a small department answered)."""
        out = []
        rows = zip(self.providers, self.values, self.reasons, strict=True)
        for provider, values, reasons in rows:
            for customer, value, reason in zip(self.customers, values, reasons, strict=True):
                if reason not in (NO_DATA, BELOW_K):
                    out.append((provider, customer, value, reason))
        return out


@dataclass(frozen=True)
class OrgOverview:
    quarter: str
    quarters: tuple[str, ...]
    settings: Settings
    baseline: BaselineInfo | None
    ranking: tuple[RankRow, ...]
    hidden: tuple[HiddenDepartment, ...]
    heatmap: Heatmap
    movers: tuple[ChangeFlag, ...]
    org_isq: float | None
    #: The ISQ weights the quarter used (T, R, C; 0 for a component the organisation measured
    #: nowhere that quarter, which left every ISQ; empty: the stated ones).
    isq_weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class TrendPoint:
    """One quarter of a department's trend: its ISQ and IQ, the organisation's ISQ, the
    flagged change into that quarter if any, and ``partial`` when the ISQ is shown with a
    component missing that other quarters of the trend have (it then holds that component's
    prior, with the prior's spread; or, when the organisation measured it nowhere that
    quarter, the ISQ rests on the other components, their weights renormalised)."""

    quarter: str
    isq: Gated
    iq: IqFigure
    org_isq: float | None
    flag: ChangeFlag | None = None
    partial: bool = False


@dataclass(frozen=True)
class TrendMarker:
    """A trend badge (``analysis.model.trend_badges``): Mann-Kendall on the real time axis,
    Theil-Sen ``slope`` in ISQ points per quarter, ``p`` adjusted (Benjamini-Hochberg) across
    the departments of the organisation; from ``model.MIN_TREND_QUARTERS`` quarters."""

    direction: str  # "rising", "falling" or "flat"
    p: float
    slope: float
    quarters: int


@dataclass(frozen=True)
class DimensionRow:
    code: str
    value: Gated
    org_value: float | None


@dataclass(frozen=True)
class CustomerRow:
    code: str
    name: str
    relationship: Gated
    satisfaction: Gated


@dataclass(frozen=True)
class ServiceCompliance:
    name: str
    share: Gated


@dataclass(frozen=True)
class StandardInForce:
    """A service's promised times in minutes (elapsed, or working minutes when business
    hours are set), as in force on a given day."""

    service: str
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class Compliance:
    share: Gated
    org_share: float | None
    services: tuple[ServiceCompliance, ...]
    interactions: int
    first_response: Distribution | None
    resolution: Distribution | None
    peak_hours: tuple[int, ...] | None  # 24 counts, opening hour in UTC (exports, API)
    reason: str | None
    # The same counts by opening hour in the organisation's time zone (SURVEY_TIMEZONE), for
    # the page and its chart; gated with ``peak_hours``.
    peak_hours_local: tuple[int, ...] | None = None
    # The promised times of the department's services in force at the quarter's end
    # (configuration, shown in hours or days beside the figures).
    standards: tuple[StandardInForce, ...] = ()


@dataclass(frozen=True)
class ResponseCount:
    """A quarter's answers about a department per survey kind; None: fewer than k people
    gave them (``scorecard_page.response_count``)."""

    quarter: str
    post_interaction: int | None
    quarterly: int | None


@dataclass(frozen=True)
class Comment:
    text: str
    attributed_to: str | None


#: What the change test since the previous released quarter says of a department
#: (``Scorecard.change_status``; the API's ``change_test.status``): a significant change
#: (``flag`` set); tested, nothing significant; not tested, as fewer than ``model.MIN_N_FLAG``
#: people answered in one of the two quarters (or its ISQ is hidden in one); not tested, as
#: there is no earlier released quarter to compare with.
CHANGE_FLAGGED = "flagged"
CHANGE_NOT_SIGNIFICANT = "not_significant"
CHANGE_TOO_FEW = "too_few_respondents"
CHANGE_NO_PREVIOUS = "no_previous_quarter"
CHANGE_STATUSES = (CHANGE_FLAGGED, CHANGE_NOT_SIGNIFICANT, CHANGE_TOO_FEW, CHANGE_NO_PREVIOUS)


@dataclass(frozen=True)
class Scorecard:
    code: str
    name: str
    quarter: str
    quarters: tuple[str, ...]
    settings: Settings
    baseline: BaselineInfo | None
    isq: Gated
    iq: IqFigure
    components: tuple[Component, ...]
    org_components: Mapping[str, float | None]
    org_isq: float | None
    trend: tuple[TrendPoint, ...]
    trend_marker: TrendMarker | None
    flag: ChangeFlag | None
    dimensions: tuple[DimensionRow, ...]
    customers: tuple[CustomerRow, ...]
    compliance: Compliance
    comments: tuple[Comment, ...]
    comments_reason: str | None
    responses: tuple[ResponseCount, ...]
    surveys_sent: int
    # Post-interaction answers per survey sent, 0..100; None unless k answered and k did not.
    response_rate: float | None
    gap: PerceptionGap
    #: Where the department stands against the organisation with the stated weights, and with
    #: each alternative weighting (``analysis.model.standings_under``): does it depend on them?
    standing: str | None = None
    standing_elsewhere: tuple[tuple[str, str], ...] = ()
    #: One of ``CHANGE_STATUSES``: whether the change since the previous released quarter
    #: was flagged, tested without a flag, or not tested (and why).
    change_status: str = CHANGE_NO_PREVIOUS
    #: The ISQ weights the quarter used (T, R, C; 0 for a component the organisation measured
    #: nowhere that quarter, which left every ISQ; empty: the stated ones).
    isq_weights: Mapping[str, float] = field(default_factory=dict)

    def standing_depends(self) -> list[str]:
        """The other standings some alternative weighting gives (empty: it holds)."""
        return sorted({s for _name, s in self.standing_elsewhere if s != self.standing})
