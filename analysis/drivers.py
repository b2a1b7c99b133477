"""Key drivers: which quarterly dimensions move customers' overall satisfaction most.

Plain language first: people who answer the quarterly survey rate a department on a few
dimensions (reliability, responsiveness, ...) and give an overall verdict. A linear regression
of the overall answer on the dimensions explains part of its spread (R²). The dimensions are
correlated with each other, so "how much does each explain" has no single answer; the LMG
method (after its authors' initials; also "Shapley decomposition of R²", or "general
dominance") averages each dimension's gain in R² over every order in which the dimensions
could enter the regression. The gains add up exactly to the full R², so each dimension gets a
**share** of what is explained (shares sum to 1). With p dimensions there are 2**p subsets
(5 dimensions: 32), each a small linear solve, so it is cheap.

Uncertainty: a percentile bootstrap over people (rows resampled with replacement, a fixed seed
so that the same data always give the same figures), vectorised as multinomial weights on the
rows' cross-products.

Inputs are per-person rows: ``x`` (n × p) the dimension answers and ``y`` (n) the overall
answer, in any unit (only correlations matter). Missing answers are ``NaN`` (or ``None``):
**a row with any missing value is dropped** (listwise deletion; the result says how many), so
the analysis rests on the people who answered everything. Degenerate inputs give ``None``:
fewer complete rows than ``min_rows`` (and never fewer than p + 2), a constant column
(a dimension or the overall answer everyone rated alike), or nothing explained (R² ≈ 0).
With ``spread`` (the anonymity gate k), a column also counts as degenerate while fewer than
``spread`` rows differ from its most common value: whether the analysis runs then tells only
that fewer than k people answered otherwise, never that nobody did (a constant column alone
would tell that one hidden person answered like everyone else).

Pure: numpy only; no flask, sqlalchemy or survey imports.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: The bootstrap's resamples and seed (fixed: the same data always publish the same figures).
RESAMPLES = 1000
SEED = 20260417
#: The bootstrap's weights are built for at most this many (resample, row) cells at a time
#: (4 MB of float64): whole batches for a department, slices for a large pooled organisation.
_CELLS = 500_000
#: Below this full R², shares of "what is explained" mean nothing.
MIN_R2 = 1e-6


@dataclass(frozen=True)
class Importance:
    """One dimension's part of the explained variance.

    ``share`` is its LMG share of R² (0..1; the shares of all dimensions sum to 1), ``low`` and
    ``high`` the 95 % percentile bootstrap interval of the share (None when fewer than half
    the resamples gave a value), ``lmg`` its part of R² itself (0..R²), ``rank`` 1 for the
    largest share, ``first`` how often (0..1) it ranked first across resamples."""

    code: str
    share: float
    low: float | None
    high: float | None
    lmg: float
    rank: int
    first: float


@dataclass(frozen=True)
class Drivers:
    """The key-driver result: ``importances`` in the order of the codes given, ``r2`` the full
    model's R² (0..1), ``n`` the complete rows used, ``dropped`` the rows left out for a
    missing answer, ``resamples`` the bootstrap resamples drawn."""

    codes: tuple[str, ...]
    importances: tuple[Importance, ...]
    r2: float
    n: int
    dropped: int
    resamples: int

    def ranked(self) -> tuple[Importance, ...]:
        """The importances, largest share first."""
        return tuple(sorted(self.importances, key=lambda i: i.rank))

    def of(self, code: str) -> Importance | None:
        return next((i for i in self.importances if i.code == code), None)


def _subsets(p: int) -> list[tuple[int, ...]]:
    """Every non-empty subset of range(p), as sorted index tuples."""
    return [s for size in range(1, p + 1) for s in itertools.combinations(range(p), size)]


def _r2_of_subsets(corr: np.ndarray, subsets: Sequence[tuple[int, ...]]) -> dict[tuple, np.ndarray]:
    """R² of the regression of the last variable on each subset of the others, from a stack
    of correlation matrices ``corr`` (..., p + 1, p + 1): R²(S) = r_yS' R_SS⁻¹ r_yS. A
    singular R_SS (in a resample) is solved by pseudo-inverse."""
    p = corr.shape[-1] - 1
    out: dict[tuple, np.ndarray] = {(): np.zeros(corr.shape[:-2])}
    for subset in subsets:
        idx = list(subset)
        r_ss = corr[..., idx, :][..., :, idx]
        r_sy = corr[..., idx, p]
        try:
            beta = np.linalg.solve(r_ss, r_sy[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a resample where two columns move as one
            beta = np.einsum("...ij,...j->...i", np.linalg.pinv(r_ss), r_sy)
        out[subset] = np.clip(np.einsum("...i,...i->...", r_sy, beta), 0.0, 1.0)
    return out


def lmg_from_correlation(corr: np.ndarray) -> np.ndarray:
    """The LMG (Shapley) parts of R² of each predictor, from correlation matrices ``corr``
    (..., p + 1, p + 1) whose last row and column are the outcome's. Returns (..., p); the
    parts sum to the full R².

    For predictor j: Σ over subsets S of the others of |S|!·(p − |S| − 1)!/p! ·
    (R²(S ∪ {j}) − R²(S))."""
    corr = np.asarray(corr, dtype=float)
    p = corr.shape[-1] - 1
    if p < 1:
        raise ValueError("need at least one predictor")
    r2 = _r2_of_subsets(corr, _subsets(p))
    parts = np.zeros((*corr.shape[:-2], p))
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                with_j = tuple(sorted((*subset, j)))
                parts[..., j] += weight * (r2[with_j] - r2[subset])
    return parts


def _weighted_corr(data: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Correlation matrices (b, q, q) of ``data`` (n, q) under row weights (b, n) (counts of
    each row in a resample). A constant column gives NaN in its row and column."""
    data = data - data.mean(axis=0)  # centred: the moments below lose no precision
    total = weights.sum(axis=1)
    mean = np.einsum("bn,nk->bk", weights, data) / total[:, None]
    q = data.shape[1]
    outer = (data[:, :, None] * data[:, None, :]).reshape(len(data), q * q)
    # einsum, not matmul: on a busy machine a threaded matrix product of this shape was
    # several times slower.
    second = np.einsum("bn,nk->bk", weights, outer).reshape(-1, q, q) / total[:, None, None]
    cov = second - mean[:, :, None] * mean[:, None, :]
    sd = np.sqrt(np.clip(np.einsum("bii->bi", cov), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / (sd[:, :, None] * sd[:, None, :])
    corr[:, np.arange(data.shape[1]), np.arange(data.shape[1])] = 1.0
    bad = sd < 1e-12
    corr[np.repeat(bad[:, :, None], data.shape[1], axis=2)] = np.nan
    corr[np.repeat(bad[:, None, :], data.shape[1], axis=1)] = np.nan
    return corr


def complete_rows(
    x: Sequence[Sequence[float | None]] | np.ndarray, y: Sequence[float | None] | np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """``x`` and ``y`` as float arrays with every row holding a missing value (None or NaN)
    dropped, and how many were dropped."""
    xa = np.array([[np.nan if v is None else v for v in row] for row in x], dtype=float).reshape(
        len(x), -1
    )
    ya = np.array([np.nan if v is None else v for v in y], dtype=float)
    if xa.shape[0] != ya.shape[0]:
        raise ValueError(f"x has {xa.shape[0]} rows and y {ya.shape[0]}")
    keep = ~(np.isnan(xa).any(axis=1) | np.isnan(ya))
    return xa[keep], ya[keep], int((~keep).sum())


def _least_spread(data: np.ndarray) -> int:
    """The fewest rows of any column of ``data`` (n × q) that differ from that column's most
    common value (0 for a constant column)."""
    least = data.shape[0]
    for column in data.T:
        _values, counts = np.unique(column, return_counts=True)
        least = min(least, int(data.shape[0] - counts.max()))
    return least


def key_drivers(
    codes: Sequence[str],
    x: Sequence[Sequence[float | None]] | np.ndarray,
    y: Sequence[float | None] | np.ndarray,
    min_rows: int = 30,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    spread: int = 0,
) -> Drivers | None:
    """The relative importance (LMG shares of R²) of each column of ``x`` (named by
    ``codes``) for ``y``, with 95 % percentile bootstrap intervals over rows.

    None when fewer than ``max(min_rows, len(codes) + 2)`` rows are complete, when a column
    or ``y`` is constant over the complete rows (or has fewer than ``spread`` rows away from
    its most common value), or when the full R² is below ``MIN_R2``."""
    codes = tuple(codes)
    xa, ya, dropped = complete_rows(x, y)
    p = len(codes)
    if xa.shape[1] != p:
        raise ValueError(f"{p} codes for {xa.shape[1]} columns")
    n = xa.shape[0]
    if p == 0 or n < max(min_rows, p + 2):
        return None
    data = np.column_stack([xa, ya])
    if (data.std(axis=0) < 1e-12).any() or _least_spread(data) < spread:
        return None
    corr = np.corrcoef(data, rowvar=False)
    parts = lmg_from_correlation(corr)
    r2 = float(parts.sum())
    if r2 < MIN_R2:
        return None
    shares = parts / r2

    rng = np.random.default_rng(seed)
    boot: list[np.ndarray] = []
    chunk_size = max(1, min(resamples, _CELLS // n))
    for start in range(0, resamples, chunk_size):
        b = min(chunk_size, resamples - start)
        # How often each row is drawn in each resample (n draws with replacement).
        picks = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        weights = np.bincount(picks.ravel(), minlength=b * n).reshape(b, n).astype(float)
        c = _weighted_corr(data, weights)
        ok = ~np.isnan(c).any(axis=(1, 2))
        chunk = np.full((b, p), np.nan)
        if ok.any():
            bp = lmg_from_correlation(c[ok])
            total = bp.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                chunk[ok] = np.where(total[:, None] >= MIN_R2, bp / total[:, None], np.nan)
        boot.append(chunk)
    draws = np.concatenate(boot) if boot else np.empty((0, p))
    valid = draws[~np.isnan(draws).any(axis=1)]
    enough = valid.shape[0] >= max(1, resamples // 2)
    if enough:
        low, high = np.percentile(valid, [2.5, 97.5], axis=0)
        firsts = np.bincount(valid.argmax(axis=1), minlength=p) / valid.shape[0]
    order = np.argsort(-shares, kind="stable")
    rank = np.empty(p, dtype=int)
    rank[order] = np.arange(1, p + 1)
    return Drivers(
        codes=codes,
        importances=tuple(
            Importance(
                code=code,
                share=float(shares[j]),
                low=float(low[j]) if enough else None,
                high=float(high[j]) if enough else None,
                lmg=float(parts[j]),
                rank=int(rank[j]),
                first=float(firsts[j]) if enough else 0.0,
            )
            for j, code in enumerate(codes)
        ),
        r2=r2,
        n=n,
        dropped=dropped,
        resamples=int(valid.shape[0]),
    )
