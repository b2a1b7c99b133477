"""Properties of the scoring model (``analysis.model``) over random inputs (hypothesis):
shrinkage moves toward the organisation and never past it, the baseline mean maps to IQ 100,
and the row suppression never shows a small cell nor leaves a small remainder in a row
whose total is known."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analysis import anonymity, model

fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
scores = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
#: Uncorrelated components (the shares and means below are scored one department at a time).
INDEPENDENT = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))


@given(
    n=st.integers(min_value=0, max_value=500),
    share=fractions,
    p_bar=st.floats(min_value=0.01, max_value=0.99),
    m=st.floats(min_value=1.0, max_value=49.0),
)
def test_proportion_shrinks_toward_the_organisation_never_past(
    n: int, share: float, p_bar: float, m: float
) -> None:
    x = round(share * n)
    prior = model.SharePrior(p_bar, m, 10)
    priors = model.Priors(prior, model.MeanPrior(50.0, 100.0, 25.0, 10), prior, INDEPENDENT)
    [scored] = model.score_quarter([model.DepartmentSums(x, n)], priors, None, k=1)
    est = scored.T
    shrunk = est.value / 100
    raw = x / n if n else p_bar
    assert min(raw, p_bar) - 1e-9 <= shrunk <= max(raw, p_bar) + 1e-9
    assert abs(shrunk - p_bar) <= abs(raw - p_bar) + 1e-9
    assert est.low - 1e-9 <= est.value <= est.high + 1e-9


@given(
    raw=scores,
    grand=scores,
    n=st.integers(min_value=0, max_value=500),
    sigma2=st.floats(min_value=1.0, max_value=2500.0),
    tau2=st.floats(min_value=1.0, max_value=2500.0),
)
def test_mean_shrinks_toward_the_organisation_never_past(
    raw: float, grand: float, n: int, sigma2: float, tau2: float
) -> None:
    flat = model.SharePrior(0.5, 10.0, 10)
    priors = model.Priors(flat, model.MeanPrior(grand, sigma2, tau2, 10), flat, INDEPENDENT)
    sums = model.DepartmentSums(r_n=n, r_total=raw * n)
    est = model.score_quarter([sums], priors, None, k=1)[0].R
    assert min(raw, grand) - 1e-9 <= est.value <= max(raw, grand) + 1e-9
    assert abs(est.value - grand) <= abs(raw - grand) + 1e-9


@given(st.lists(scores, min_size=2, max_size=40).filter(lambda v: max(v) - min(v) > 1e-3))
def test_a_department_at_the_baseline_mean_has_iq_100(values: list[float]) -> None:
    flat = model.SharePrior(0.5, 10.0, 5)
    priors = model.Priors(flat, model.MeanPrior(50.0, 100.0, 25.0, 5), flat, ((1.0,),) * 3)
    baseline = model.freeze_baseline2(values, 2, priors, ["2025Q1", "2025Q4"])
    iq, low, high = model.iq_arrays(baseline.mu0, baseline.mu0 - 1, baseline.mu0 + 1, baseline)
    assert abs(float(iq) - 100.0) < 1e-9
    # and the map is increasing: a higher ISQ never gets a lower IQ
    assert float(low) < 100.0 < float(high)


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=cols, max_size=cols),
        min_size=1,
        max_size=5,
    )
)


@given(table=tables, k=st.integers(min_value=2, max_value=10))
def test_no_small_cell_shown_and_no_small_remainder(table: list[list[int]], k: int) -> None:
    shown = [anonymity.suppress_cells(row, k) for row in table]
    for counts, mask in zip(table, shown, strict=True):
        for count, visible in zip(counts, mask, strict=True):
            if visible and count > 0:
                assert count >= k
        hidden = sum(c for c, visible in zip(counts, mask, strict=True) if not visible)
        # The row total minus what is shown reveals nothing, unless the whole row rests on
        # fewer than k (then the row's own figure is under the gate and never published).
        assert hidden == 0 or hidden >= k or sum(counts) < k
