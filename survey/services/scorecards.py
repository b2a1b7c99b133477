"""Scorecards as results: the organisation overview and a department's scorecard.

Inputs are the aggregates read by ``survey.services.scorecard_data``; the formulas live in
``analysis`` (see docs/scoring.md). This module decides what is shown: every figure passes the
anonymity gate here, and a hidden figure keeps its reason instead of its value.

Per department d and quarter q (all on 0..100):

- T, the share of post-interaction respondents whose overall satisfaction was 4 or 5
  (score cell ``T``: n respondents, total = 100 x successes);
- R, the mean of the respondents' quarterly relationship scores (score cell ``R``, each
  respondent's mean of the dimensions: respondent-first averaging);
- C, the share of interactions first answered and resolved within the service standard in
  force on the day they were opened (interaction timestamps).

T and C are shrunk toward the organisation with the beta-binomial prior
(x + m p) / (n + m); R with the normal-normal weight tau2 / (tau2 + sigma2 / n), sigma2 the
pooled within-department variance and tau2 the method-of-moments between-department variance.
The organisation reference of a quarter uses only departments that pass the gate, so no hidden
department leaks into a shown figure. ISQ is the weighted mean of the components present
(T or R must be present: compliance alone says nothing about customers' views), and
IQ = 100 + 15 (ISQ - mu0) / sigma0 against a frozen baseline.

**Intervals on the aggregate path.** The design asks for bootstrap (BCa) intervals over
respondents; the aggregates keep only n, sum and sum of squares per cell, not the respondents'
values, so a page cannot resample them without scanning answers. This module replaces the
bootstrap with closed forms: a Wilson interval for T and C computed on the shrunk counts
(x + m p successes out of n + m, the prior counted as m pseudo-respondents), a normal
interval for R from the empirical-Bayes posterior variance B sigma2 / n plus
(1 - B)^2 sigma2 / N for the organisation mean (N its respondents), and for ISQ the
components' standard errors (half-width / 1.96) combined in quadrature with the normalised
weights (components treated as independent). IQ intervals are the ISQ interval mapped
linearly. ``analysis.scoring.bootstrap_bca`` stays the reference for offline analyses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy.orm import Session

from analysis import anonymity, scoring, stats
from survey.models import Baseline, Department
from survey.periods import parse_quarter, quarter_of, shift_quarter
from survey.services import scorecard_data as data
from survey.services.lru import IdentityMemo, Lru
from survey.services.scorecard_data import ComplianceCount, Sums

DEFAULT_WEIGHTS: Mapping[str, float] = {"T": 0.35, "R": 0.45, "C": 0.20}
COMPONENTS = ("T", "R", "C")
TREND_WINDOW = 12
BASELINE_QUARTERS = 4
CHANGE_ALPHA = 0.05
CHANGE_MIN_ISQ = 5.0
MIN_YEAR, MAX_YEAR = 1970, 9998  # quarters outside make no sense and break date arithmetic
Z95 = 1.959963984540054

# Why a figure is not shown (machine names; pages and the API translate or pass them on).
NO_DATA = "no_data"
BELOW_K = "below_k"
REMAINDER = "remainder"
#: A satisfaction share that is all or none of one outcome: it would tell each person's answer.
CERTAIN = "certain"
BELOW_COMMENT_K = "below_comment_k"
NO_SURVEY_COMPONENT = "no_survey_component"
NO_BASELINE = "no_baseline"

FIRST_RESPONSE_BUCKETS = (60, 240, 480, 1440, 4320)  # minutes: 1 h, 4 h, 8 h, 1 day, 3 days
RESOLUTION_BUCKETS = (240, 1440, 4320, 10080, 20160)  # 4 h, 1 day, 3 days, 1 week, 2 weeks


@dataclass(frozen=True)
class Settings:
    """The gate and the weights a result was computed with (written down with it)."""

    k: int = anonymity.K_FIGURES
    comment_k: int = anonymity.K_COMMENTS
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

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
class Gated:
    """A figure on 0..100 (or a count) that may be hidden; ``reason`` says why it is."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None and self.value is not None

    @classmethod
    def hidden(cls, reason: str) -> Gated:
        return cls(None, None, None, None, reason)


@dataclass(frozen=True)
class Component:
    """One ISQ component: ``raw`` before shrinkage, ``value`` after, its interval, and n
    (respondents for T and R, judged interactions for C)."""

    key: str
    n: int
    raw: float | None
    value: float | None
    low: float | None
    high: float | None
    reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None and self.value is not None


@dataclass(frozen=True)
class QuarterScore:
    """A department's components and ISQ in one quarter (gated)."""

    department_id: int
    quarter: str
    components: Mapping[str, Component]
    isq: Gated
    respondents: int
    t: Sums
    r: Sums
    c: ComplianceCount


@dataclass(frozen=True)
class QuarterModel:
    """Every department's scores in one quarter and the organisation's reference values
    (from departments passing the gate only)."""

    quarter: str
    scores: Mapping[int, QuarterScore]
    org: Mapping[str, float | None]
    org_isq: float | None
    prior: Mapping[str, float | None]


@dataclass(frozen=True)
class BaselineInfo:
    """The IQ baseline a result uses: frozen (stored, with what it was computed with) or
    provisional (computed from the first quarters, stored nowhere, may still change)."""

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


@dataclass(frozen=True)
class IqFigure:
    """IQ with its interval (the ISQ interval mapped linearly), or the reason it is hidden."""

    value: float | None
    low: float | None
    high: float | None
    reason: str | None = None

    @property
    def shown(self) -> bool:
        return self.reason is None and self.value is not None


@dataclass(frozen=True)
class ChangeFlag:
    """A significant quarter-over-quarter change of one department."""

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
    the organisation's ISQ, ``in_line`` when it overlaps it (``standing_of``)."""

    code: str
    name: str
    isq: Gated
    iq: IqFigure
    respondents: int
    flag: ChangeFlag | None
    standing: str = "in_line"


STANDINGS = ("above", "in_line", "below")


def standing_of(isq: Gated, org_isq: float | None) -> str:
    """``above``/``below`` the organisation when the 95 % interval of ``isq`` excludes
    ``org_isq``, else ``in_line`` (also without an organisation figure or an interval)."""
    if org_isq is None or isq.low is None or isq.high is None:
        return "in_line"
    if isq.low > org_isq:
        return "above"
    if isq.high < org_isq:
        return "below"
    return "in_line"


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
        """(provider, customer, value, reason) for every pair with answers, row by row: what a
        large organisation's page lists instead of the mostly empty matrix."""
        out = []
        rows = zip(self.providers, self.values, self.reasons, strict=True)
        for provider, values, reasons in rows:
            for customer, value, reason in zip(self.customers, values, reasons, strict=True):
                if reason != NO_DATA:
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


@dataclass(frozen=True)
class TrendPoint:
    """One quarter of a department's trend: its ISQ and IQ, the organisation's ISQ, the
    significant change into that quarter if any, and ``partial`` when the ISQ is shown with
    a component missing (its weight then falls on the others)."""

    quarter: str
    isq: Gated
    iq: IqFigure
    org_isq: float | None
    flag: ChangeFlag | None = None
    partial: bool = False


@dataclass(frozen=True)
class TrendMarker:
    """Mann-Kendall with Theil-Sen slope over the ISQ series (from 5 quarters)."""

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
class Distribution:
    """Counts per bucket; ``edges`` are upper bounds in minutes (the last bucket is open)."""

    edges: tuple[int, ...]
    counts: tuple[int, ...]
    median_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class Compliance:
    share: Gated
    org_share: float | None
    services: tuple[ServiceCompliance, ...]
    interactions: int
    first_response: Distribution | None
    resolution: Distribution | None
    peak_hours: tuple[int, ...] | None  # 24 counts, opening hour in UTC
    reason: str | None


@dataclass(frozen=True)
class ResponseCount:
    quarter: str
    post_interaction: int
    quarterly: int


@dataclass(frozen=True)
class Comment:
    text: str
    attributed_to: str | None


@dataclass(frozen=True)
class PerceptionGap:
    self_view: Gated
    customer_view: Gated
    gap: float | None
    label: str | None
    takers: int
    reason: str | None


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
    response_rate: float | None  # post-interaction answers per survey sent, 0..100
    gap: PerceptionGap
    #: Where the department stands against the organisation with the stated weights, and with
    #: each alternative weighting (``weight_sensitivity``): does the standing depend on them?
    standing: str | None = None
    standing_elsewhere: tuple[tuple[str, str], ...] = ()

    def standing_depends(self) -> list[str]:
        """The other standings some alternative weighting gives (empty: it holds)."""
        return sorted({s for _name, s in self.standing_elsewhere if s != self.standing})


# --- sensitivity to the weights ---

#: Alternative weightings a standing is checked against: equal weights, and each component's
#: weight doubled (the others keeping their ratio).
def _alternative_weights(weights: Mapping[str, float]) -> list[tuple[str, dict[str, float]]]:
    keys = [k for k in COMPONENTS if weights.get(k, 0) > 0]
    out = [("equal", {k: 1.0 for k in keys})]
    for key in keys:
        out.append((f"double_{key}", {k: (2.0 if k == key else 1.0) * weights[k] for k in keys}))
    return out


def weight_sensitivity(
    model: QuarterModel, department_id: int, weights: Mapping[str, float]
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The department's standing (``standing_of``) with ``weights`` and with each alternative
    weighting (equal weights; each component doubled): the organisation's ISQ is recomputed
    with the same weights. (None, ()) when the department has no ISQ."""
    score = model.scores.get(department_id)
    if score is None or not score.isq.shown:
        return None, ()

    def standing(w: Mapping[str, float]) -> str:
        isqs = {d: _isq(s.components, w) for d, s in model.scores.items()}
        shown = [g.value for g in isqs.values() if g.shown and g.value is not None]
        org = sum(shown) / len(shown) if shown else None
        return standing_of(isqs[department_id], org)

    others = tuple((name, standing(w)) for name, w in _alternative_weights(weights))
    return standing(weights), others


# --- the per-quarter model ---


def _successes(t: Sums) -> int:
    return round(t.total / 100.0)


def _wilson(x: float, n: float) -> tuple[float, float]:
    low, high = stats.wilson_interval(x, n)
    return 100.0 * low, 100.0 * high


def _share_component(
    key: str, x: int, n: int, k: int, p_bar: float | None, m: float | None
) -> Component:
    """T or C: raw share, shrunk share and the Wilson interval on the shrunk counts."""
    if n == 0:
        return Component(key, 0, None, None, None, None, NO_DATA)
    if not anonymity.passes_gate(n, k):
        return Component(key, n, None, None, None, None, BELOW_K)
    raw = 100.0 * x / n
    if p_bar is None or m is None:
        low, high = _wilson(x, n)
        return Component(key, n, raw, raw, low, high)
    shrunk = 100.0 * scoring.shrink_proportion(x, n, p_bar, m)
    low, high = _wilson(x + m * p_bar, n + m)
    return Component(key, n, raw, shrunk, min(low, shrunk), max(high, shrunk))


def _mean_component(
    r: Sums,
    k: int,
    grand: float | None,
    sigma2: float | None,
    tau2: float | None,
    grand_n: int = 0,
) -> Component:
    """R: raw mean, empirical-Bayes mean and its posterior normal interval."""
    if r.n == 0:
        return Component("R", 0, None, None, None, None, NO_DATA)
    if not anonymity.passes_gate(r.n, k):
        return Component("R", r.n, None, None, None, None, BELOW_K)
    raw = r.mean or 0.0
    own_var = sigma2 if sigma2 is not None else (r.variance or 0.0)
    if grand is None or tau2 is None or sigma2 is None or grand_n == 0:
        variance = own_var / r.n
        value = raw
    else:
        value = scoring.shrink_mean(raw, r.n, sigma2, grand, tau2)
        weight = tau2 / (tau2 + sigma2 / r.n) if (tau2 + sigma2 / r.n) > 0 else 1.0
        # Posterior variance, plus the uncertainty of the organisation mean itself, so that
        # full pooling (tau2 = 0) does not claim a zero-width interval.
        variance = weight * own_var / r.n + (1.0 - weight) ** 2 * own_var / grand_n
    half = Z95 * math.sqrt(max(variance, 0.0))
    return Component("R", r.n, raw, value, max(0.0, value - half), min(100.0, value + half))


def _isq(components: Mapping[str, Component], weights: Mapping[str, float]) -> Gated:
    present = {key: c for key, c in components.items() if c.shown}
    if not any(key in present for key in ("T", "R")):
        answered = any(c.n for key, c in components.items() if key in ("T", "R"))
        return Gated.hidden(BELOW_K if answered else NO_SURVEY_COMPONENT)
    used = {key: c for key, c in present.items() if weights.get(key, 0) > 0}
    value = scoring.isq({key: c.value for key, c in used.items()}, weights)
    total_weight = sum(weights[key] for key in used)
    se2 = 0.0
    for key, c in used.items():
        se = ((c.high or 0.0) - (c.low or 0.0)) / (2 * Z95)
        se2 += (weights[key] / total_weight) ** 2 * se * se
    half = Z95 * math.sqrt(se2)
    n = max((c.n for key, c in used.items() if key in ("T", "R")), default=0)
    return Gated(value, max(0.0, value - half), min(100.0, value + half), n)


def _pooled_variance(sums: Sequence[Sums]) -> float | None:
    dof = sum(s.n - 1 for s in sums if s.n > 1)
    if dof <= 0:
        return None
    return sum((s.n - 1) * (s.variance or 0.0) for s in sums if s.n > 1) / dof


def _between_variance(sums: Sequence[Sums], sigma2: float) -> float | None:
    """Method-of-moments tau2: variance of the department means minus their mean sampling
    variance, floored at zero; None with fewer than two departments."""
    if len(sums) < 2:
        return None
    means = [s.mean or 0.0 for s in sums]
    grand = sum(means) / len(means)
    spread = sum((m - grand) ** 2 for m in means) / (len(means) - 1)
    return max(spread - sum(sigma2 / s.n for s in sums) / len(sums), 0.0)


def _fit_m(pairs: Sequence[tuple[int, int]]) -> float | None:
    if len(pairs) < 2:
        return None
    return float(scoring.fit_beta_binomial_m(pairs))


def build_quarter_model(
    quarter: str,
    sums: Mapping[int, Mapping[str, Sums]],
    compliance: Mapping[int, ComplianceCount],
    settings: Settings,
    priors: Mapping[str, float | None] | None = None,
) -> QuarterModel:
    """Every department's gated components and ISQ for one quarter. ``sums`` maps department
    id to its metric sums (T, R, people, pi.n, q.n); ``compliance`` to its compliance counts.
    ``priors`` (m_T, m_C, sigma2_R, tau2_R), when given, are the frozen baseline's: used
    instead of this quarter's own estimates (a None entry: the quarter's estimate)."""
    k = settings.k
    ids = set(sums) | set(compliance)
    t_sums = {d: sums.get(d, {}).get("T", Sums()) for d in ids}
    r_sums = {d: sums.get(d, {}).get("R", Sums()) for d in ids}
    c_counts = {d: compliance.get(d, ComplianceCount()) for d in ids}

    # A share that is all or none of one outcome is published nowhere, not even inside the
    # organisation's figure or the prior (both could be unpicked against the other departments).
    t_pairs = [
        (_successes(s), s.n)
        for s in t_sums.values()
        if anonymity.passes_gate(s.n, k) and not anonymity.share_is_certain(s.total / 100.0, s.n, k)
    ]
    c_pairs = [
        (c.compliant, c.judged) for c in c_counts.values() if anonymity.passes_gate(c.judged, k)
    ]
    r_gated = [
        s
        for s in r_sums.values()
        if anonymity.passes_gate(s.n, k) and not anonymity.share_is_certain(s.total / 100.0, s.n, k)
    ]

    t_bar = sum(x for x, _ in t_pairs) / sum(n for _, n in t_pairs) if t_pairs else None
    c_bar = sum(x for x, _ in c_pairs) / sum(n for _, n in c_pairs) if c_pairs else None
    r_grand = sum(s.total for s in r_gated) / sum(s.n for s in r_gated) if r_gated else None
    m_t, m_c = _fit_m(t_pairs), _fit_m(c_pairs)
    sigma2 = _pooled_variance(r_gated)
    tau2 = _between_variance(r_gated, sigma2) if sigma2 is not None else None
    frozen = priors or {}
    m_t = frozen.get("m_T") if frozen.get("m_T") is not None else m_t
    m_c = frozen.get("m_C") if frozen.get("m_C") is not None else m_c
    if frozen.get("sigma2_R") is not None and frozen.get("tau2_R") is not None:
        sigma2, tau2 = frozen["sigma2_R"], frozen["tau2_R"]

    scores: dict[int, QuarterScore] = {}
    for d in ids:
        t, r, c = t_sums[d], r_sums[d], c_counts[d]
        t_component = _share_component("T", _successes(t), t.n, k, t_bar, m_t)
        if t_component.shown and anonymity.share_is_certain(t.total / 100.0, t.n, k):
            t_component = Component("T", t.n, None, None, None, None, CERTAIN)
        components = {
            "T": t_component,
            "R": _mean_component(r, k, r_grand, sigma2, tau2, sum(s.n for s in r_gated))
            if not anonymity.share_is_certain(r.total / 100.0, r.n, k)
            or not anonymity.passes_gate(r.n, k)
            else Component("R", r.n, None, None, None, None, CERTAIN),
            "C": _share_component("C", c.compliant, c.judged, k, c_bar, m_c),
        }
        metric = sums.get(d, {})
        respondents = metric.get("people", Sums()).n
        scores[d] = QuarterScore(
            d, quarter, components, _isq(components, settings.weights), respondents, t, r, c
        )
    shown = [s.isq.value for s in scores.values() if s.isq.shown]
    org = {
        "T": None if t_bar is None else 100.0 * t_bar,
        "R": r_grand,
        "C": None if c_bar is None else 100.0 * c_bar,
    }
    return QuarterModel(
        quarter=quarter,
        scores=scores,
        org=org,
        org_isq=sum(shown) / len(shown) if shown else None,  # type: ignore[arg-type]
        prior={"m_T": m_t, "m_C": m_c, "sigma2_R": sigma2, "tau2_R": tau2},
    )


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def load_models(
    session: Session,
    quarters: Sequence[str],
    settings: Settings,
    now: datetime,
    versions: data.ScoreVersions | None = None,
    *,
    frozen_priors: bool = True,
) -> dict[str, QuarterModel]:
    """Quarter models for ``quarters``, from the per-process cache or built from one read of
    the score totals and one of the compliance counts of the quarters not cached.

    A model is cached under its quarter's fingerprint (``data.score_versions``: any new
    answer changes it), the compliance version (any new interaction or standard changes it),
    the hour (compliance judges open requests against the time) and the settings, so a
    cached model is never older than its key. The key is read before the figures, so a
    model built from newer figures than its key can only be fresher, never staler.
    With ``frozen_priors`` the active baseline's priors are used (``build_quarter_model``);
    freezing a baseline itself estimates them afresh."""
    quarters = sorted(set(quarters))
    versions = versions or data.score_versions(session, now)
    compliance_version = data.compliance_version(session)
    hour = _hour(now)
    stored = data.stored_baseline(session) if frozen_priors else None
    priors = dict(stored.priors or {}) if stored is not None else None
    common = (
        _settings_key(settings),
        compliance_version,
        hour,
        tuple(sorted((priors or {}).items())),
    )
    keys = {q: (q, versions.of(q), versions.released(q), *common) for q in quarters}
    models: dict[str, QuarterModel] = {}
    for q in quarters:
        cached = _models_cache.get(keys[q])
        if cached is not None:
            models[q] = cached
    missing = [q for q in quarters if q not in models]
    if missing:
        # A quarter not released yet is built from no answers: nothing of it can show.
        sums = data.provider_sums(session, [q for q in missing if versions.released(q)])
        compliance = data.compliance_counts(session, missing, now, version=compliance_version)
        for q in missing:
            q_sums = {p: m for (p, quarter), m in sums.items() if quarter == q}
            q_comp = {p: c for (p, quarter), c in compliance.items() if quarter == q}
            models[q] = build_quarter_model(q, q_sums, q_comp, settings, priors)
            _models_cache.put(keys[q], models[q])
    return models


_models_cache: Lru[QuarterModel] = Lru(64)  # quarter models: a few pages' worth of trends


# --- baseline and IQ ---


def _baseline_from_models(
    models: Mapping[str, QuarterModel], quarters: Sequence[str], provisional: bool
) -> BaselineInfo | None:
    values = [
        s.isq.value
        for q in quarters
        for s in models[q].scores.values()
        if s.isq.shown and s.isq.value is not None
    ]
    if len(values) < 2:
        return None
    frozen = scoring.freeze_baseline(values, quarters=list(quarters))
    if not frozen.sigma0 or frozen.sigma0 <= 0:
        return None
    return BaselineInfo(
        version=str(frozen.version),
        mu0=float(frozen.mu0),
        sigma0=float(frozen.sigma0),
        quarters=tuple(quarters),
        provisional=provisional,
    )


def _stored(baseline: Baseline, superseded: Sequence[str] = ()) -> BaselineInfo:
    return BaselineInfo(
        version=baseline.version,
        mu0=baseline.mu0,
        sigma0=baseline.sigma0,
        quarters=tuple(baseline.quarters or ()),
        provisional=False,
        frozen_at=baseline.created_at,
        frozen_by=baseline.frozen_by or "",
        method=baseline.method or "",
        weights=dict(baseline.weights or {}),
        k=baseline.k,
        superseded=tuple(superseded),
    )


def current_baseline(
    session: Session,
    settings: Settings,
    now: datetime,
    available: Sequence[str] | None = None,
    versions: data.ScoreVersions | None = None,
) -> BaselineInfo | None:
    """The frozen baseline; without one, a provisional baseline built by the same rule from
    the first (up to) four quarters with data, computed but not stored (a page only reads)."""
    stored = data.stored_baseline(session)
    if stored is not None:
        return _stored(stored, data.superseded_baselines(session))
    versions = versions or data.score_versions(session, now)
    quarters = list(available if available is not None else versions.quarters)
    first = quarters[:BASELINE_QUARTERS]
    if not first:
        return None
    models = load_models(session, first, settings, now, versions)
    return _baseline_from_models(models, first, provisional=True)


def ensure_baseline(
    session: Session,
    settings: Settings | None = None,
    now: datetime | None = None,
    *,
    by: str = "scheduler",
    rebase: bool = False,
    quarters: Sequence[str] | None = None,
) -> Baseline | None:
    """Freeze the IQ baseline: once, from the first four released quarters (the scheduler
    and ``survey freeze-baseline``), or again when ``rebase`` (an administrator's choice:
    the latest four released quarters, or ``quarters``), keeping the old one as superseded.

    The baseline records what its ISQs were computed with: the method, the weights and k of
    ``settings``, and the priors pooled over its quarters (``pooled_priors``), which every
    later quarter then shrinks with, so that priors no longer move with each quarter's
    handful of departments. Flushes and returns the active ``Baseline``; None while fewer
    than four quarters are released (or the chosen ones give no spread). ValueError for a
    chosen quarter that is not released."""
    existing = data.stored_baseline(session)
    if existing is not None and not rebase:
        return existing
    settings = settings or Settings()
    now = now or datetime.now(UTC)
    released = data.quarters_with_data(session, now)
    if quarters:
        unknown = [q for q in quarters if q not in released]
        if unknown:
            raise ValueError(f"not released quarters: {', '.join(unknown)}")
        chosen = sorted(quarters)
    else:
        chosen = released[-BASELINE_QUARTERS:] if rebase else released[:BASELINE_QUARTERS]
    if len(chosen) < (1 if quarters else BASELINE_QUARTERS):
        return None
    plain = Settings(settings.k, settings.comment_k, dict(settings.weights))
    models = load_models(session, chosen, plain, now, frozen_priors=False)
    info = _baseline_from_models(models, chosen, False)
    if info is None:
        return None
    version = info.version
    taken = {b for b in data.superseded_baselines(session)}
    if existing is not None:
        taken.add(existing.version)
    if version in taken:
        version = f"{version[:16]}-r{len(taken) + 1}"
    if existing is not None:
        existing.active = False
        existing.superseded_at = now
    row = Baseline(
        version=version,
        mu0=info.mu0,
        sigma0=info.sigma0,
        quarters=list(chosen),
        created_at=now,
        method=f"isq-{scoring.BASELINE_METHOD}",
        weights=dict(settings.weights),
        k=settings.k,
        priors=pooled_priors([models[q] for q in chosen]),
        active=True,
        frozen_by=by,
    )
    session.add(row)
    session.flush()
    return row


def pooled_priors(models: Sequence[QuarterModel]) -> dict[str, float | None]:
    """Prior hyper-parameters pooled over quarters: the median of each quarter's estimate
    (m_T, m_C clipped as ever to [2, 50]; sigma2_R and tau2_R), so that one noisy quarter
    does not set them. Missing everywhere: None (each quarter then estimates its own)."""
    out: dict[str, float | None] = {}
    for name in ("m_T", "m_C", "sigma2_R", "tau2_R"):
        values = sorted(float(v) for m in models if (v := m.prior.get(name)) is not None)
        out[name] = values[len(values) // 2] if values else None
    return out


def _iq(isq: Gated, baseline: BaselineInfo | None) -> IqFigure:
    if not isq.shown:
        return IqFigure(None, None, None, isq.reason)
    if baseline is None:
        return IqFigure(None, None, None, NO_BASELINE)
    frozen = scoring.Baseline(
        version=baseline.version,
        mu0=baseline.mu0,
        sigma0=baseline.sigma0,
        quarters=tuple(baseline.quarters),
    )

    def to_iq(value: float | None) -> float | None:
        return None if value is None else float(scoring.iq(value, frozen))

    return IqFigure(to_iq(isq.value), to_iq(isq.low), to_iq(isq.high))


# --- changes and trends ---


def _mean_z(a: Sums, b: Sums) -> float | None:
    """Two-sided p of a z-test on two means from their sums (None when undefined)."""
    if a.n < 2 or b.n < 2:
        return None
    se2 = (a.variance or 0.0) / a.n + (b.variance or 0.0) / b.n
    if se2 <= 0:
        return None if a.mean == b.mean else 0.0
    z = ((b.mean or 0.0) - (a.mean or 0.0)) / math.sqrt(se2)
    return math.erfc(abs(z) / math.sqrt(2.0))


def _proportion_p(x1: int, n1: int, x2: int, n2: int) -> float | None:
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return None
    _z, p = stats.two_proportion_z(x1, n1, x2, n2)
    return float(p)


def change_flags(
    before: QuarterModel | None,
    after: QuarterModel,
    names: Mapping[int, tuple[str, str]],
    settings: Settings,
) -> dict[int, ChangeFlag]:
    """Departments whose ISQ changed significantly from ``before`` to ``after``.

    Per department and component shown in both quarters: a two-proportion z-test for T and
    C, a z-test on means for R. All p-values of the quarter are Benjamini-Hochberg adjusted
    together; a department is flagged when one of its adjusted p-values is below 0.05 and
    its |delta ISQ| is at least 5 points.
    """
    if before is None:
        return {}
    tests: list[tuple[int, str, float]] = []
    for d, now_score in after.scores.items():
        then = before.scores.get(d)
        if then is None or not (now_score.isq.shown and then.isq.shown):
            continue
        for key in COMPONENTS:
            if not (now_score.components[key].shown and then.components[key].shown):
                continue
            if key == "T":
                p = _proportion_p(
                    _successes(then.t), then.t.n, _successes(now_score.t), now_score.t.n
                )
            elif key == "C":
                p = _proportion_p(
                    then.c.compliant, then.c.judged, now_score.c.compliant, now_score.c.judged
                )
            else:
                p = _mean_z(then.r, now_score.r)
            if p is not None:
                tests.append((d, key, p))
    if not tests:
        return {}
    adjusted = stats.benjamini_hochberg([p for _d, _k, p in tests])
    best: dict[int, tuple[float, list[str]]] = {}
    for (d, key, _p), p_adj in zip(tests, adjusted, strict=True):
        if p_adj < CHANGE_ALPHA:
            current, keys = best.get(d, (1.0, []))
            best[d] = (min(current, float(p_adj)), [*keys, key])
    flags = {}
    for d, (p_adj, keys) in best.items():
        isq_before = before.scores[d].isq.value or 0.0
        isq_after = after.scores[d].isq.value or 0.0
        delta = isq_after - isq_before
        if abs(delta) >= CHANGE_MIN_ISQ:
            code, name = names.get(d, (str(d), str(d)))
            flags[d] = ChangeFlag(
                code,
                name,
                after.quarter,
                before.quarter,
                isq_before,
                isq_after,
                delta,
                p_adj,
                tuple(keys),
            )
    return flags


# Flags of a quarter against the previous one, per pair of cached models.
_flags_cache: IdentityMemo[dict[int, ChangeFlag]] = IdentityMemo(16)


def _flags(
    before: QuarterModel | None,
    after: QuarterModel,
    names: Mapping[int, tuple[str, str]],
    settings: Settings,
) -> dict[int, ChangeFlag]:
    """``change_flags``, computed once per pair of models: every department page of a
    quarter needs the same organisation-wide family of tests."""
    return _flags_cache.get_or_make(
        (before, after),
        (_settings_key(settings), tuple(sorted(names.items()))),
        lambda: change_flags(before, after, names, settings),
    )


def _trend_marker(values: Sequence[float]) -> TrendMarker | None:
    result = scoring.trend(list(values))
    if result is None:
        return None
    direction = getattr(result, "direction", None)
    p = float(result.p)
    slope = float(result.slope)
    if direction is None:
        direction = "flat" if p >= CHANGE_ALPHA else ("rising" if slope > 0 else "falling")
    direction = {
        "up": "rising",
        "down": "falling",
        "increasing": "rising",
        "decreasing": "falling",
        "none": "flat",
        "no trend": "flat",
    }.get(str(direction), str(direction))
    return TrendMarker(direction, p, slope, len(values))


# --- quarters ---


def resolve_quarter(
    available: Sequence[str], raw: str | None, today: datetime, fallback: bool = True
) -> tuple[str, str | None]:
    """The quarter to show and a problem to tell the reader, if any.

    No value: the latest finished quarter with data (a quarter in progress holds only the
    first few answers, mostly under the gate); the quarter in progress when it is the only
    one with data; the current quarter when nothing has data. The quarter in progress can
    always be chosen explicitly.
    With ``fallback`` (pages), a malformed value or one without data gives the same latest
    quarter and names the problem (``"invalid"`` or ``"no_data"``). Without it (the API), a
    malformed value raises ValueError and a well-formed quarter is kept even without data.
    """
    current = quarter_of(today)
    finished = [q for q in available if q < current]
    latest = finished[-1] if finished else (available[-1] if available else current)
    if raw is None or raw == "":
        return latest, None
    try:
        year, _n = parse_quarter(raw)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"quarter out of range: {raw!r}")
    except ValueError:
        if not fallback:
            raise
        return latest, "invalid"
    if raw not in available:
        return (latest, "no_data") if fallback else (raw, None)
    return raw, None


def _window(available: Sequence[str], quarter: str) -> list[str]:
    """The quarters with data up to ``quarter`` (at most TREND_WINDOW), oldest first."""
    return [q for q in available if q <= quarter][-TREND_WINDOW:]


def _names(departments: Sequence[data.DepartmentRow]) -> dict[int, tuple[str, str]]:
    return {d.id: (d.code, d.name) for d in departments}


# --- organisation overview ---


def _heatmap(
    session: Session, quarter: str, departments: Sequence[data.DepartmentRow], k: int
) -> Heatmap:
    pairs = data.pair_sums(session, quarter, ("R",))
    by_id = {d.id: d for d in departments}
    provider_ids = sorted({p for p, _c in pairs if p in by_id}, key=lambda i: by_id[i].code)
    customer_ids = sorted({c for _p, c in pairs if c in by_id}, key=lambda i: by_id[i].code)
    # Plain lookups: a 200-department organisation has 40,000 cells, most of them empty.
    r_sums = {key: m["R"] for key, m in pairs.items() if "R" in m}
    grid = [[r_sums.get((p, c)) for c in customer_ids] for p in provider_ids]
    counts = [[s.n if s is not None else 0 for s in row] for row in grid]
    # A row's total is the provider's R over every customer, inactive ones included.
    totals = defaultdict(int)
    for (p, _c), s in r_sums.items():
        totals[p] += s.n
    sums = [[(s.total / 100.0 if s is not None else 0.0) for s in row] for row in grid]
    everyone = defaultdict(float)
    for (p, _c), s in r_sums.items():
        everyone[p] += s.total / 100.0
    visible = _visible_table(
        counts, k, [totals[p] for p in provider_ids], sums, [everyone[p] for p in provider_ids]
    )
    values, reasons = [], []
    for row, shown_row in zip(grid, visible, strict=True):
        row_values: list[float | None] = []
        row_reasons: list[str | None] = []
        for s, shown in zip(row, shown_row, strict=True):
            if s is None or s.n == 0:
                row_values.append(None)
                row_reasons.append(NO_DATA)
            elif shown:
                row_values.append(s.mean)
                row_reasons.append(None)
            else:
                row_values.append(None)
                row_reasons.append(BELOW_K if s.n < k else REMAINDER)
        values.append(tuple(row_values))
        reasons.append(tuple(row_reasons))
    return Heatmap(
        providers=tuple((by_id[p].code, by_id[p].name) for p in provider_ids),
        customers=tuple((by_id[c].code, by_id[c].name) for c in customer_ids),
        values=tuple(values),
        reasons=tuple(reasons),
    )


def _visible_table(
    counts: Sequence[Sequence[int]],
    k: int,
    totals: Sequence[int],
    sums: Sequence[Sequence[float]],
    total_sums: Sequence[float],
) -> list[list[bool]]:
    """Heatmap cells that may be shown. A provider's row total is published (its R), so each
    row obeys the remainder rule and the rule of no row or remainder at one end of the scale
    (``anonymity.suppress_shares``; ``sums`` are the cells' totals in people's worth, i.e.
    the 0..100 total over 100); no customer department's total across providers is
    published anywhere, so columns need no protection. Empty cells are always shown and weigh
    nothing, so each row is decided on its answered cells only: a 200-department map is
    mostly empty. ``totals``/``total_sums`` are the rows' totals over every customer, those
    in no column (an inactive department) included: they count as hidden."""
    out = []
    for index, row in enumerate(counts):
        answered = [i for i, n in enumerate(row) if n]
        mask = [True] * len(row)
        if answered or totals[index]:
            cells = anonymity.suppress_shares(
                [row[i] for i in answered],
                [sums[index][i] for i in answered],
                k,
                totals[index],
                total_sums[index],
            )
            for i, shown in zip(answered, cells, strict=True):
                mask[i] = bool(shown)
        out.append(mask)
    return out


def _settings_key(settings: Settings) -> tuple[Any, ...]:
    return (settings.k, settings.comment_k, tuple(sorted(settings.weights.items())))


def _baseline_key(stored: Baseline | None) -> tuple[Any, ...] | None:
    if stored is None:
        return None
    return (stored.version, stored.mu0, stored.sigma0, tuple(stored.quarters or ()))


def build_overview(
    session: Session, raw_quarter: str | None, settings: Settings, now: datetime | None = None
) -> tuple[OrgOverview, str | None]:
    """The organisation overview of a quarter, and the quarter problem to tell the reader.

    The overview is cached per process under everything it is built from, each read cheaply:
    the score fingerprints of every quarter (a new answer changes its quarter's), the
    compliance version and the hour, the settings (with the quarter's campaign k), the
    departments' codes and names, and the stored baseline. A warm view therefore reads a few
    small rows and builds nothing, whatever the number of answers."""
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    available = list(versions.quarters)
    quarter, problem = resolve_quarter(available, raw_quarter, now)
    settings = _effective_settings(session, settings, quarter)
    departments = data.departments(session)
    key = (
        data.compliance_version(session),  # names the database, too
        _hour(now),
        quarter,
        tuple(sorted(versions.by_quarter.items())),
        versions.quarters,
        _settings_key(settings),
        tuple((d.id, d.code, d.name) for d in departments),
        _baseline_key(data.stored_baseline(session)),
    )
    overview = _overviews.get_or_make(
        key, lambda: _make_overview(session, quarter, settings, now, versions, departments)
    )
    return overview, problem


# Overviews of a 200-department organisation weigh about a megabyte each (the heatmap).
_overviews: Lru[OrgOverview] = Lru(8)


def _make_overview(
    session: Session,
    quarter: str,
    settings: Settings,
    now: datetime,
    versions: data.ScoreVersions,
    departments: Sequence[data.DepartmentRow],
) -> OrgOverview:
    available = list(versions.quarters)
    names = _names(departments)
    previous = shift_quarter(quarter, -1)
    models = load_models(session, [quarter, previous], settings, now, versions)
    baseline = current_baseline(session, settings, now, available, versions)
    model = models[quarter]
    before = models[previous] if previous in available else None
    flags = change_flags(before, model, names, settings)
    ranking, hidden = [], []
    for dept in departments:
        score = model.scores.get(dept.id)
        if score is None or not score.isq.shown:
            reason = score.isq.reason if score is not None else NO_DATA
            hidden.append(HiddenDepartment(dept.code, dept.name, reason or NO_DATA))
            continue
        ranking.append(
            RankRow(
                dept.code,
                dept.name,
                score.isq,
                _iq(score.isq, baseline),
                score.respondents,
                flags.get(dept.id),
                standing_of(score.isq, model.org_isq),
            )
        )
    # Groups, not ranks: within a group the intervals overlap, so departments are listed by
    # name.
    ranking.sort(key=lambda r: (STANDINGS.index(r.standing), r.name.casefold(), r.code))
    movers = sorted(flags.values(), key=lambda f: -abs(f.delta))
    return OrgOverview(
        quarter=quarter,
        quarters=tuple(available),
        settings=settings,
        baseline=baseline,
        ranking=tuple(ranking),
        hidden=tuple(hidden),
        heatmap=_heatmap(session, quarter, departments, settings.k)
        if versions.released(quarter)
        else Heatmap((), (), (), ()),
        movers=tuple(movers),
        org_isq=model.org_isq,
    )


def _effective_settings(session: Session, settings: Settings, quarter: str) -> Settings:
    """k never below the k a campaign of the quarter promised its respondents, nor below
    the frozen baseline's; the weights are the frozen baseline's (past IQs keep their
    meaning: new weights take effect only when an administrator re-bases)."""
    k = max(settings.k, data.campaign_group_size(session, quarter) or 0)
    weights = dict(settings.weights)
    stored = data.stored_baseline(session)
    if stored is not None:
        k = max(k, stored.k or 0)
        weights = dict(stored.weights or weights)
    if k == settings.k and weights == dict(settings.weights):
        return settings
    return Settings(k, max(settings.comment_k, k), weights)


# --- department scorecard ---


def _dimension_sums(
    session: Session, quarter: str, k: int, versions: data.ScoreVersions
) -> tuple[tuple[str, ...], dict[int, data.MetricSums], dict[str, float | None]]:
    """The quarterly dimension codes, every department's sums of them in ``quarter`` and the
    organisation's value of each (0..100, from the departments passing the gate), cached
    under the quarter's fingerprint: one row per department and dimension to read."""
    codes = tuple(data.quarterly_dimension_codes(session))
    key = (data.database_name(session), quarter, versions.of(quarter), codes, k)

    def read() -> tuple[dict[int, data.MetricSums], dict[str, float | None]]:
        sums = data.provider_sums(session, [quarter], [f"q.{c}" for c in codes])
        by_department = {p: m for (p, _q), m in sums.items()}
        org: dict[str, float | None] = {}
        for code in codes:
            metric = f"q.{code}"
            gated = [
                m[metric]
                for m in by_department.values()
                if metric in m
                and anonymity.passes_gate(m[metric].n, k)
                and not _likert_certain(m[metric], k)
            ]
            org_n = sum(s.n for s in gated)
            org[code] = (
                float(scoring.rescale(sum(s.total for s in gated) / org_n, 1, 5)) if org_n else None
            )
        return by_department, org

    by_department, org = _dimension_cache.get_or_make(key, read)
    return codes, by_department, org


_dimension_cache: Lru[tuple[dict[int, data.MetricSums], dict[str, float | None]]] = Lru(16)


def _likert_certain(sums: Sums, k: int) -> bool:
    """A 1..5 mean too near an end of the scale (``anonymity.share_is_certain``)."""
    return anonymity.share_is_certain((sums.total - sums.n) / 4.0, sums.n, k)


def _dimensions(
    session: Session, department_id: int, quarter: str, k: int, versions: data.ScoreVersions
) -> tuple[DimensionRow, ...]:
    codes, sums, org = _dimension_sums(session, quarter, k, versions)
    rows = []
    for code in codes:
        own = sums.get(department_id, {}).get(f"q.{code}", Sums())
        if own.n == 0:
            value = Gated.hidden(NO_DATA)
        elif not anonymity.passes_gate(own.n, k):
            value = Gated.hidden(BELOW_K)
        elif _likert_certain(own, k):
            value = Gated.hidden(CERTAIN)
        else:
            mean = own.mean or 0.0
            sd = math.sqrt(own.variance or 0.0)
            half = Z95 * sd / math.sqrt(own.n)
            value = Gated(
                float(scoring.rescale(mean, 1, 5)),
                float(scoring.rescale(max(1.0, mean - half), 1, 5)),
                float(scoring.rescale(min(5.0, mean + half), 1, 5)),
                own.n,
            )
        rows.append(DimensionRow(code, value, org[code]))
    return tuple(rows)


def _customers(
    session: Session, department_id: int, quarter: str, k: int
) -> tuple[CustomerRow, ...]:
    """The customer departments' rows of a provider's scorecard.

    Rows are listed for active customer departments only, but every customer department
    (inactive ones too) is counted in the row's total: the provider's overall figures rest on
    all of them, so a customer missing from the table is part of the hidden remainder, and
    the remainder rule sees it. Both columns (0..100) follow ``anonymity.suppress_shares``:
    no shown row, and no hidden remainder, sits at one end of the scale."""
    pairs = data.pair_sums(session, quarter, ("R", "T"), provider_id=department_id)
    active = {d.id: d for d in data.departments(session)}
    customer_ids = sorted((c for _p, c in pairs if c in active), key=lambda i: active[i].code)

    def sums_of(metric: str) -> tuple[list[Sums], Sums]:
        everyone = Sums()
        for (_p, _c), m in pairs.items():
            everyone = everyone + m.get(metric, Sums())
        return [
            pairs.get((department_id, c), {}).get(metric, Sums()) for c in customer_ids
        ], everyone

    def column(metric: str) -> list[Gated]:
        sums, everyone = sums_of(metric)
        visible = (
            anonymity.suppress_shares(
                [s.n for s in sums],
                [s.total / 100.0 for s in sums],
                k,
                everyone.n,
                everyone.total / 100.0,
            )
            if sums
            else []
        )
        out = []
        for s, show in zip(sums, visible, strict=True):
            if s.n == 0:
                out.append(Gated.hidden(NO_DATA))
            elif not show:
                out.append(Gated.hidden(BELOW_K if s.n < k else REMAINDER))
            elif metric == "T":
                share = s.total / s.n
                low, high = _wilson(share * s.n / 100.0, s.n)
                out.append(Gated(share, low, high, s.n))
            else:
                half = Z95 * math.sqrt((s.variance or 0.0) / s.n)
                mean = s.mean or 0.0
                out.append(Gated(mean, max(0.0, mean - half), min(100.0, mean + half), s.n))
        return out

    relationship, satisfaction = column("R"), column("T")
    return tuple(
        CustomerRow(active[c].code, active[c].name, relationship[i], satisfaction[i])
        for i, c in enumerate(customer_ids)
    )


def _distribution(values: Sequence[float], edges: Sequence[int]) -> Distribution:
    counts = [0] * (len(edges) + 1)
    for v in values:
        index = next((i for i, edge in enumerate(edges) if v <= edge), len(edges))
        counts[index] += 1
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)] if ordered else None
    return Distribution(tuple(edges), tuple(counts), median(ordered) if ordered else None, p90)


def _compliance(
    session: Session,
    department_id: int,
    quarter: str,
    score: QuarterScore | None,
    model: QuarterModel,
    k: int,
    now: datetime,
) -> tuple[Compliance, int]:
    times = data.interaction_times(session, department_id, quarter)
    by_service = data.compliance_counts(session, [quarter], now, department_id, by_service=True)
    names = data.service_names(session, department_id)
    services = []
    for (_p, _q, service_id), count in sorted(
        by_service.items(), key=lambda item: names.get(item[0][2], "")
    ):
        if not anonymity.passes_gate(count.judged, k):
            share = Gated.hidden(BELOW_K)
        else:
            low, high = _wilson(count.compliant, count.judged)
            share = Gated(100.0 * count.compliant / count.judged, low, high, count.judged)
        services.append(ServiceCompliance(names.get(service_id, str(service_id)), share))
    component = score.components["C"] if score is not None else None
    if component is None or component.n == 0:
        share = Gated.hidden(NO_DATA)
    elif not component.shown:
        share = Gated.hidden(component.reason or BELOW_K)
    else:
        low, high = _wilson(score.c.compliant, score.c.judged)  # type: ignore[union-attr]
        share = Gated(component.raw, low, high, component.n)
    surveyed = sum(1 for t in times if t.surveyed)
    if not anonymity.passes_gate(len(times), k):
        reason = NO_DATA if not times else BELOW_K
        return (
            Compliance(
                share, model.org.get("C"), tuple(services), len(times), None, None, None, reason
            ),
            surveyed,
        )
    first = [t.first_response_minutes for t in times if t.first_response_minutes is not None]
    resolved = [t.resolution_minutes for t in times if t.resolution_minutes is not None]
    hours = [0] * 24
    for t in times:
        hours[t.opened_at.astimezone(UTC).hour] += 1
    return (
        Compliance(
            share=share,
            org_share=model.org.get("C"),
            services=tuple(services),
            interactions=len(times),
            first_response=_distribution(first, FIRST_RESPONSE_BUCKETS) if first else None,
            resolution=_distribution(resolved, RESOLUTION_BUCKETS) if resolved else None,
            peak_hours=tuple(hours),
            reason=None,
        ),
        surveyed,
    )


def _gap(
    session: Session,
    department_id: int,
    quarter: str,
    score: QuarterScore | None,
    k: int,
) -> PerceptionGap:
    view = data.member_self_view(session, department_id, quarter)
    customer = score.components["R"] if score is not None else None
    customer_view = (
        Gated(customer.raw, None, None, customer.n)
        if customer is not None and customer.shown
        else Gated.hidden(customer.reason if customer is not None else NO_DATA)  # type: ignore[arg-type]
    )
    if view.takers == 0:
        return PerceptionGap(Gated.hidden(NO_DATA), customer_view, None, None, 0, NO_DATA)
    if not anonymity.passes_gate(view.takers, k):
        return PerceptionGap(Gated.hidden(BELOW_K), customer_view, None, None, view.takers, BELOW_K)
    own = sum(view.overall) / len(view.overall)
    self_gated = Gated(own, None, None, view.takers)
    if not customer_view.shown:
        return PerceptionGap(
            self_gated, customer_view, None, None, view.takers, customer_view.reason
        )
    gap, label = scoring.perception_gap(own, customer_view.value)
    return PerceptionGap(self_gated, customer_view, float(gap), str(label), view.takers, None)


def _comments(
    session: Session, department_id: int, quarter: str, versions: data.ScoreVersions
) -> tuple[Comment, ...]:
    """The comments about a department in a quarter. The rows are cached under the quarter's
    version (a new comment comes with a new response, which changes it); the names of those
    who asked to be contacted are read on every view, since a name can change."""
    key = (data.database_name(session), department_id, quarter, versions.of(quarter))
    rows = _comments_cache.get_or_make(
        key, lambda: tuple(data.comments(session, department_id, quarter))
    )
    names = data.person_names(
        session, (r.contact_person_id for r in rows if r.contact_person_id is not None)
    )
    return tuple(
        Comment(r.text, None if r.contact_person_id is None else names.get(r.contact_person_id))
        for r in rows
    )


_comments_cache: Lru[tuple[data.CommentRow, ...]] = Lru(
    64, max_weight=8 * 1024 * 1024, weigh=lambda rows: sum(len(r.text) for r in rows)
)


def _response_rate(answers: int, sent: int) -> float | None:
    """Answers after a request per survey sent for requests opened in the quarter. Answers
    are counted by the quarter they arrived in, so a late answer can push the share over the
    real rate: it is capped at 100."""
    if sent == 0:
        return None
    return min(100.0, 100.0 * answers / sent)


def build_scorecard(
    session: Session,
    department: Department,
    raw_quarter: str | None,
    settings: Settings,
    now: datetime | None = None,
    fallback: bool = True,
) -> tuple[Scorecard, str | None]:
    """The scorecard of ``department`` for a quarter, and the quarter problem, if any (see
    ``resolve_quarter`` for ``fallback``; without it a malformed quarter raises ValueError)."""
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    available = list(versions.quarters)
    quarter, problem = resolve_quarter(available, raw_quarter, now, fallback)
    settings = _effective_settings(session, settings, quarter)
    k = settings.k
    departments = data.departments(session)
    if all(d.id != department.id for d in departments):
        departments = [
            *departments,
            data.DepartmentRow(department.id, department.code, department.name),
        ]
    names = _names(departments)
    window = _window(available, quarter) or [quarter]
    previous = shift_quarter(quarter, -1)
    before_window = {shift_quarter(q, -1) for q in window}
    models = load_models(
        session, sorted({*window, *before_window, quarter, previous}), settings, now, versions
    )
    baseline = current_baseline(session, settings, now, available, versions)
    model = models[quarter]
    score = model.scores.get(department.id)
    before = models[previous] if previous in available else None
    flag = _flags(before, model, names, settings).get(department.id)

    def shown_components(q: str) -> set[str]:
        s = models[q].scores.get(department.id)
        return {c.key for c in s.components.values() if c.shown} if s is not None else set()

    # A component shown in some quarter of the trend but not in another: that quarter's ISQ
    # rests on fewer parts, and the chart marks it.
    ever = set().union(*(shown_components(q) for q in window))
    trend = []
    for q in window:
        s = models[q].scores.get(department.id)
        isq = s.isq if s is not None else Gated.hidden(NO_DATA)
        prior_q = shift_quarter(q, -1)
        earlier = models[prior_q] if prior_q in available else None
        partial = isq.shown and not ever <= shown_components(q)
        trend.append(
            TrendPoint(
                q,
                isq,
                _iq(isq, baseline),
                models[q].org_isq,
                _flags(earlier, models[q], names, settings).get(department.id),
                partial,
            )
        )
    series = [p.isq.value for p in trend if p.isq.shown and p.isq.value is not None]
    marker = _trend_marker(series)

    released = versions.released(quarter)
    counts = data.provider_sums(
        session,
        [q for q in window if versions.released(q)],
        data.COUNT_METRICS,
        provider_id=department.id,
    )
    responses = tuple(
        ResponseCount(
            q,
            counts.get((department.id, q), {}).get("pi.n", Sums()).n,
            counts.get((department.id, q), {}).get("q.n", Sums()).n,
        )
        for q in window
    )
    respondents = score.respondents if score is not None else 0
    if released and anonymity.comments_visible(respondents) and respondents >= settings.comment_k:
        comments = _comments(session, department.id, quarter, versions)
        comments_reason = None
    else:
        comments, comments_reason = (), BELOW_COMMENT_K
    compliance, surveyed = _compliance(session, department.id, quarter, score, model, k, now)
    isq = score.isq if score is not None else Gated.hidden(NO_DATA)
    standing, elsewhere = weight_sensitivity(model, department.id, settings.weights)
    empty = {key: Component(key, 0, None, None, None, None, NO_DATA) for key in COMPONENTS}
    components = score.components if score is not None else empty
    return (
        Scorecard(
            code=department.code,
            name=department.name,
            quarter=quarter,
            quarters=tuple(available),
            settings=settings,
            baseline=baseline,
            isq=isq,
            iq=_iq(isq, baseline),
            components=tuple(components[key] for key in COMPONENTS),
            org_components=dict(model.org),
            org_isq=model.org_isq,
            trend=tuple(trend),
            trend_marker=marker,
            flag=flag,
            dimensions=_dimensions(session, department.id, quarter, k, versions)
            if released
            else (),
            customers=_customers(session, department.id, quarter, k) if released else (),
            compliance=compliance,
            comments=comments,
            comments_reason=comments_reason,
            responses=responses,
            surveys_sent=surveyed,
            response_rate=_response_rate(responses[-1].post_interaction, surveyed)
            if responses and responses[-1].quarter == quarter
            else None,
            gap=_gap(session, department.id, quarter, score, k),
            standing=standing,
            standing_elsewhere=elsewhere,
        ),
        problem,
    )
