"""Properties of the scoring model over random inputs (hypothesis): shrinkage moves toward the
organisation and never past it, the baseline mean maps to IQ 100, and the table suppression
never shows a small cell nor leaves a small remainder in a row whose total is known."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analysis import anonymity, scoring

fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
scores = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)


@given(
    n=st.integers(min_value=0, max_value=500),
    share=fractions,
    p_bar=fractions,
    m=st.floats(min_value=2.0, max_value=50.0),
)
def test_proportion_shrinks_toward_the_organisation_never_past(
    n: int, share: float, p_bar: float, m: float
) -> None:
    x = round(share * n)
    shrunk = scoring.shrink_proportion(x, n, p_bar, m)
    raw = x / n if n else p_bar
    assert min(raw, p_bar) - 1e-12 <= shrunk <= max(raw, p_bar) + 1e-12
    assert abs(shrunk - p_bar) <= abs(raw - p_bar) + 1e-12


@given(
    raw=scores,
    grand=scores,
    n=st.integers(min_value=0, max_value=500),
    sigma2=st.floats(min_value=0.0, max_value=2500.0),
    tau2=st.floats(min_value=0.0, max_value=2500.0),
)
def test_mean_shrinks_toward_the_organisation_never_past(
    raw: float, grand: float, n: int, sigma2: float, tau2: float
) -> None:
    shrunk = scoring.shrink_mean(raw, n, sigma2, grand, tau2)
    assert min(raw, grand) - 1e-9 <= shrunk <= max(raw, grand) + 1e-9
    assert abs(shrunk - grand) <= abs(raw - grand) + 1e-9


@given(st.lists(scores, min_size=2, max_size=40).filter(lambda v: max(v) - min(v) > 1e-3))
def test_a_department_at_the_baseline_mean_has_iq_100(values: list[float]) -> None:
    baseline = scoring.freeze_baseline(values, quarters=["2025Q1", "2025Q4"])
    assert abs(scoring.iq(baseline.mu0, baseline) - 100.0) < 1e-9
    # and the map is increasing: a higher ISQ never gets a lower IQ
    assert scoring.iq(baseline.mu0 + 1, baseline) > 100.0


tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=cols, max_size=cols),
        min_size=1,
        max_size=5,
    )
)


@given(table=tables, k=st.integers(min_value=2, max_value=10))
def test_no_small_cell_shown_and_no_small_remainder(table: list[list[int]], k: int) -> None:
    shown = anonymity.suppress_table(table, k, column_totals=False)
    for counts, mask in zip(table, shown, strict=True):
        for count, visible in zip(counts, mask, strict=True):
            if visible and count > 0:
                assert count >= k
        hidden = sum(c for c, visible in zip(counts, mask, strict=True) if not visible)
        # The row total minus what is shown reveals nothing, unless the whole row rests on
        # fewer than k (then the row's own figure is under the gate and never published).
        assert hidden == 0 or hidden >= k or sum(counts) < k
