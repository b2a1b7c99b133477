"""The scorecards' quarter models: read the sums once, then compute in ``analysis``.

A page reads plain sums (``read_inputs``: the score totals and compliance counts of the
quarters it needs, one grouped query each, cached under the quarters' versions), then
``analysis.scorecard`` computes everything from them: the gated components, ISQ and rank
groups with the frozen priors (``model.score_quarter``), the change flags, the trend
badges. Reads and computations are cached apart. A read is kept under the versions of what
it read (``read_inputs``, ``read_histograms``: the sums of a quarter at a version never
change, so a kept read is the read). A computation is kept under the very input objects it
was computed from (``IdentityMemo``: the kept reads' objects, the priors, k), so each
memo wraps one pure function of ``analysis.scorecard`` and nothing else: it never reads, and a
cached model is never older than its sums.

Priors and baseline (``analysis.model``, version 3; a version-2 record's priors are read as
they are, the same fit): the active frozen baseline stores the
priors fitted on its quarters (``fit_priors``), its weights and k, μ0, σ0 and their standard
errors (``freeze_baseline2``). Before a baseline is frozen, pages use provisional priors
pooled over every released quarter and a provisional baseline from the first four; the page
says so. A version-1 record (priors of the old model) keeps its μ0, σ0, weights and k, and
its priors are fitted afresh on its quarters (released quarters no longer change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from analysis import model
from analysis import scorecard as sc
from analysis.model import Priors
from analysis.scorecard import DepartmentInput, QuarterModel
from analysis.scorecard_inputs import DimensionSnapshot, Histograms
from analysis.scorecard_page import ModelFunctions
from analysis.scorecard_results import (
    BASELINE_QUARTERS,
    TREND_WINDOW,
    BaselineInfo,
    Settings,
)
from survey.models import Baseline
from survey.periods import MAX_YEAR, MIN_YEAR, parse_quarter, quarter_of
from survey.scorecards.services import compliance_data
from survey.scorecards.services import scorecard_data as data
from survey.services.lru import IdentityMemo, Lru

Inputs = dict[int, DepartmentInput]


def hour_of(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def settings_key(settings: Settings) -> tuple[Any, ...]:
    return (
        settings.k,
        settings.comment_k,
        tuple(sorted(settings.weights.items())),
        tuple(sorted(settings.quarter_k.items())),
    )


# --- the read ---


V = TypeVar("V")


def _kept_per_quarter(
    cache: Lru[V], keys: Mapping[str, Hashable], read: Callable[[list[str]], Mapping[str, V]]
) -> dict[str, V]:
    """Each quarter's value of ``keys`` (quarter -> its cache key) from ``cache``, in quarter
    order whether kept or read; the quarters not kept are read in one call of ``read`` (a
    sorted list of them) and kept."""
    out = {q: v for q, key in keys.items() if (v := cache.get(key)) is not None}
    missing = sorted(q for q in keys if q not in out)
    if missing:
        for q, value in read(missing).items():
            out[q] = value
            cache.put(keys[q], value)
    return {q: out[q] for q in sorted(out)}


def read_inputs(
    session: Session,
    quarters: Sequence[str],
    now: datetime,
    versions: data.ScoreVersions,
    compliance_version: tuple[Any, ...],
) -> dict[str, Inputs]:
    """The plain sums of every department in ``quarters`` (a quarter not released reads as
    having no answers: nothing of it can show), kept per quarter under its version, the
    compliance version and the hour."""
    hour = hour_of(now)

    def read(missing: list[str]) -> dict[str, Inputs]:
        sums = data.provider_sums(session, [q for q in missing if versions.released(q)])
        compliance = compliance_data.compliance_counts(
            session, missing, now, version=compliance_version
        )
        requests = compliance_data.quarters_with_requests(session, missing)
        campaigns = data.quarters_with_campaigns(session, missing)
        out: dict[str, Inputs] = {}
        for q in missing:
            # What the organisation collected, whatever was answered (the same for every
            # department): whether a component leaves the quarter's ISQ never rests on answers.
            collected = frozenset(
                key for key, found in (("T", requests), ("R", campaigns)) if q in found
            )
            ids = {p for p, quarter in sums if quarter == q}
            ids |= {p for p, quarter in compliance if quarter == q}
            inputs = {}
            for d in ids:
                m = sums.get((d, q), {})
                t, r = m.get("T", data.Sums()), m.get("R", data.Sums())
                c = compliance.get((d, q), compliance_data.ComplianceCount())
                inputs[d] = DepartmentInput(
                    t.n,
                    t.total,
                    r.n,
                    r.total,
                    r.total_sq,
                    m.get("people", data.Sums()).n,
                    c.judged,
                    c.compliant,
                    collected,
                )
            out[q] = inputs
        return out

    keys = {
        q: (q, versions.of(q), versions.released(q), compliance_version, hour)
        for q in set(quarters)
    }
    return _kept_per_quarter(_inputs_cache, keys, read)


_inputs_cache: Lru[Inputs] = Lru(64)


# --- priors and baseline ---


def _stored_info(row: Baseline, superseded: Sequence[str]) -> BaselineInfo:
    extra = (row.priors or {}).get("baseline") or {}
    return BaselineInfo(
        version=row.version,
        mu0=row.mu0,
        sigma0=row.sigma0,
        quarters=tuple(row.quarters or ()),
        provisional=False,
        frozen_at=row.created_at,
        frozen_by=row.frozen_by or "",
        method=row.method or "",
        weights=dict(row.weights or {}),
        k=row.k,
        superseded=tuple(superseded),
        mu0_se=float(extra.get("mu0_se", 0.0)),
        sigma0_se=float(extra.get("sigma0_se", 0.0)),
    )


class Context:
    """What every quarter of a page is computed with: the settings in force, the priors and
    the baseline (frozen or provisional), and the versions read at the start of the page."""

    def __init__(
        self,
        settings: Settings,
        priors: Priors,
        baseline: BaselineInfo | None,
        versions: data.ScoreVersions,
        compliance_version: tuple[Any, ...],
        now: datetime,
    ) -> None:
        self.settings = settings
        self.priors_key = sc.priors_key(priors)
        # One object per value: the model memos key on the priors object they were given.
        self.priors = _priors.get_or_make(self.priors_key, lambda: priors)
        self.baseline = baseline
        self.versions = versions
        self.compliance_version = compliance_version
        self.now = now


_priors: Lru[Priors] = Lru(8)


def context(
    session: Session,
    settings: Settings,
    now: datetime,
    versions: data.ScoreVersions,
    stored: Baseline | None,
) -> Context:
    """The priors and baseline a page uses (see the module docstring), computed once per
    versions of the quarters they rest on. ``stored`` is the active baseline record as the
    page read it (``scorecard_data.stored_baseline``; None: none frozen yet)."""
    compliance_version = compliance_data.compliance_version(session)
    if stored is not None:
        priors = sc.priors_from_json(stored.priors)
        info = _stored_info(stored, data.superseded_baselines(session))
        if priors is None:
            quarters = [q for q in (stored.quarters or ()) if versions.released(q)]
            priors = _pooled(session, quarters, settings, now, versions, compliance_version)
        return Context(
            settings,
            sc.with_weights(priors, settings.weights),
            info,
            versions,
            compliance_version,
            now,
        )
    released = list(versions.quarters)
    inputs = read_inputs(session, released, now, versions, compliance_version)
    priors, info = _provisional_memo.get_or_make(
        tuple(inputs[q] for q in released),
        (tuple(released), settings_key(settings)),
        lambda: provisional(inputs, released, settings),
    )
    return Context(settings, priors, info, versions, compliance_version, now)


def provisional(
    inputs: Mapping[str, Inputs], released: Sequence[str], settings: Settings
) -> tuple[Priors, BaselineInfo | None]:
    """The provisional priors (pooled over every ``released`` quarter's sums) and the
    provisional baseline (frozen from the first four), before an administrator freezes one;
    None for the baseline when the first quarters cannot scale anything (``sc.freeze``).
    Pure: computed from ``inputs`` alone."""
    priors = sc.fit_pooled_priors(
        {q: inputs[q] for q in released}, settings.k, settings.weights, settings.quarter_k
    )
    first = list(released[:BASELINE_QUARTERS])
    frozen = sc.freeze(
        [sc.build_quarter_model(q, inputs[q], priors, settings.k_of(q)) for q in first], priors
    )
    if frozen is None:
        return priors, None
    return priors, BaselineInfo(
        version="provisional",
        mu0=frozen.mu0,
        sigma0=frozen.sigma0,
        quarters=tuple(first),
        provisional=True,
        method=f"isq-{model.MODEL_VERSION}",
        weights=dict(settings.weights),
        k=settings.k,
        mu0_se=frozen.mu0_se,
        sigma0_se=frozen.sigma0_se,
        provisional_priors=True,
    )


_provisional_memo: IdentityMemo[tuple[Priors, BaselineInfo | None]] = IdentityMemo(8)


def _pooled(
    session: Session,
    quarters: Sequence[str],
    settings: Settings,
    now: datetime,
    versions: data.ScoreVersions,
    compliance_version: tuple[Any, ...],
) -> Priors:
    inputs = read_inputs(session, quarters, now, versions, compliance_version)
    return sc.fit_pooled_priors(inputs, settings.k, settings.weights, settings.quarter_k)


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
    Each quarter is gated with at least the k its campaigns promised (``Settings.k_of``).

    The record keeps what its ISQs were computed with: the model version (``method``
    ``isq-3``, ``model.MODEL_VERSION``), the weights and k of ``settings``, the priors fitted
    on its quarters (``model.fit_priors`` on their gated department sums; every later
    quarter shrinks with them) and μ0, σ0 with their standard errors
    (``model.freeze_baseline2``). Flushes and returns the active ``Baseline``; None while
    fewer than four quarters are released (or the chosen ones give no spread). ValueError
    for a chosen quarter that is not released."""
    existing = data.stored_baseline(session)
    if existing is not None and not rebase:
        return existing
    settings = settings or Settings()
    now = now or datetime.now(UTC)
    versions = data.score_versions(session, now)
    released = list(versions.quarters)
    if quarters:
        unknown = [q for q in quarters if q not in released]
        if unknown:
            raise ValueError(f"not released quarters: {', '.join(unknown)}")
        chosen = sorted(quarters)
    else:
        chosen = released[-BASELINE_QUARTERS:] if rebase else released[:BASELINE_QUARTERS]
    if len(chosen) < (1 if quarters else BASELINE_QUARTERS):
        return None
    compliance_version = compliance_data.compliance_version(session)
    inputs = read_inputs(session, chosen, now, versions, compliance_version)
    # Each quarter gated with at least its own campaigns' k (as every page gates it).
    gate = replace(settings, quarter_k={**data.quarter_group_sizes(session), **settings.quarter_k})
    priors = sc.fit_pooled_priors(inputs, settings.k, settings.weights, gate.quarter_k)
    frozen = sc.freeze(
        [sc.build_quarter_model(q, inputs[q], priors, gate.k_of(q)) for q in chosen], priors
    )
    if frozen is None:
        return None
    digest = hashlib.sha256(
        repr((chosen, frozen.mu0, frozen.sigma0, sc.priors_key(priors))).encode()
    ).hexdigest()
    tag = f"v{model.MODEL_VERSION}"
    version = f"{tag}-{chosen[0]}-{chosen[-1]}" if len(chosen[0]) == 6 else f"{tag}-{digest[:12]}"
    taken = set(data.superseded_baselines(session))
    if existing is not None:
        taken.add(existing.version)
    if version in taken:
        version = f"{tag}-{digest[:12]}-r{len(taken) + 1}"[:20]
    if existing is not None:
        existing.active = False
        existing.superseded_at = now
    row = Baseline(
        version=version,
        mu0=frozen.mu0,
        sigma0=frozen.sigma0,
        quarters=list(chosen),
        created_at=now,
        method=f"isq-{model.MODEL_VERSION}",
        weights=dict(settings.weights),
        k=settings.k,
        priors=sc.priors_to_json(priors, frozen),
        active=True,
        frozen_by=by,
    )
    session.add(row)
    session.flush()
    return row


# --- quarter models, flags, trends ---


class MemoFunctions(ModelFunctions):
    """The model's pure functions (``analysis.scorecard_page.ModelFunctions``), each result
    kept under the very objects it was computed from (``IdentityMemo``): the kept reads'
    objects, the models built from them and the priors (one object per value, ``Context``),
    with the quarter and k. Nothing here reads; a result is the pure function's result."""

    def __init__(self) -> None:
        self._pure = ModelFunctions()
        self._models: IdentityMemo[QuarterModel] = IdentityMemo(64)  # a few pages' trends
        self._changes: IdentityMemo[Mapping[int, sc.Change]] = IdentityMemo(32)
        self._trends: IdentityMemo[Mapping[int, model.TrendResult]] = IdentityMemo(16)
        self._standings: IdentityMemo[Mapping[int, tuple[tuple[str, str], ...]]] = IdentityMemo(16)
        self._dimension_orgs: IdentityMemo[Mapping[str, float | None]] = IdentityMemo(16)

    def model(self, quarter: str, inputs: Inputs, priors: Priors, k: int) -> QuarterModel:
        return self._models.get_or_make(
            (inputs, priors), (quarter, k), lambda: self._pure.model(quarter, inputs, priors, k)
        )

    def changes(
        self,
        before: QuarterModel,
        after: QuarterModel,
        histograms_before: Histograms,
        histograms_after: Histograms,
        k: int,
    ) -> Mapping[int, sc.Change]:
        return self._changes.get_or_make(
            (before, after, histograms_before, histograms_after),
            k,
            lambda: self._pure.changes(before, after, histograms_before, histograms_after, k),
        )

    def trends(self, models: tuple[QuarterModel, ...]) -> Mapping[int, model.TrendResult]:
        return self._trends.get_or_make(models, None, lambda: self._pure.trends(models))

    def standings(self, model: QuarterModel, k: int) -> Mapping[int, tuple[tuple[str, str], ...]]:
        return self._standings.get_or_make((model,), k, lambda: self._pure.standings(model, k))

    def dimension_org(self, snapshot: DimensionSnapshot, k: int) -> Mapping[str, float | None]:
        return self._dimension_orgs.get_or_make(
            (snapshot,), k, lambda: self._pure.dimension_org(snapshot, k)
        )


#: The one set of memoised model functions every scorecard page, export and the API share.
FUNCTIONS = MemoFunctions()


def read_histograms(
    session: Session, quarters: Sequence[str], versions: data.ScoreVersions
) -> dict[str, Histograms]:
    """The binned per-person R values of every department in each of ``quarters``
    (``scorecard_data.r_histograms``; a quarter not released reads as empty), each kept per
    database, quarter and version; the quarters not kept are read in one query."""

    def read(missing: list[str]) -> dict[str, Histograms]:
        hists = data.r_histograms(
            session, [q for q in missing if versions.released(q)], sc.R_BIN_WIDTH, sc.R_BINS
        )
        return {
            q: MappingProxyType({key: h for key, h in hists.items() if key[1] == q})
            for q in missing
        }

    database = data.database_name(session)
    keys = {q: (database, q, versions.of(q), versions.released(q)) for q in set(quarters)}
    return _kept_per_quarter(_histograms_cache, keys, read)


_histograms_cache: Lru[Histograms] = Lru(64)


# --- what a page shows ---


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


def window(available: Sequence[str], quarter: str) -> list[str]:
    """The quarters with data up to ``quarter`` (at most TREND_WINDOW), oldest first."""
    return [q for q in available if q <= quarter][-TREND_WINDOW:]


def effective_settings(
    session: Session, settings: Settings, quarter: str, stored: Baseline | None
) -> Settings:
    """k never below the k a campaign of the quarter promised its respondents or the k the
    quarter was first released under, nor below the frozen baseline's (``stored``, the
    active baseline record as the page read it; None: none frozen yet); the weights are the
    frozen baseline's (past IQs keep their meaning: new weights take effect only when an
    administrator re-bases). ``quarter_k`` holds that k of every quarter
    (``scorecard_data.quarter_group_sizes``), so the other quarters a page shows (its trend,
    the quarter before a change) are gated with at least their own k (``Settings.k_of``)."""
    ks = data.quarter_group_sizes(session)
    k = max(settings.k, ks.get(quarter, 0))
    weights = dict(settings.weights)
    if stored is not None:
        k = max(k, stored.k or 0)
        weights = dict(stored.weights or weights)
    return Settings(
        k, max(settings.comment_k, k), weights, MappingProxyType(dict(sorted(ks.items())))
    )
