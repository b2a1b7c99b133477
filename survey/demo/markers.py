"""Does the scoring model (``analysis.model``, version 2) find the demo's planted patterns?

Reads what the application stores for a built demo and scores it with the pure model, so the
check does not depend on how ``survey.scorecards.services.scorecards`` assembles its pages:

- T and R per provider and quarter from ``score_totals`` (``scorecard_data.provider_sums``:
  T's ``total`` is the sum of people's shares on 0..100, so successes = total / 100 and
  trials = n; R as n, Σ and Σ²), C from ``compliance_data.compliance_counts``;
- for the R change test (Mann-Whitney), the histogram of the per-person R values on the
  21-point grid 0, 5, …, 100 the pages use (``scorecard_data.r_histograms``, counted in the
  database from the respondent marks the R totals are built from; each mark is one person's
  running R of one provider and quarter).

The bounded check scores the stored sums as they are (the model's own power: can it find the
patterns at all?); with ``gated=True`` the sums pass the anonymity gate first, as on the pages
(``analysis.scorecard.model_sums``: a T with fewer than k people on one side, an R at an end of
its scale, anything under k enters as missing), which shows what a reader of the published
scorecards would see; ``main`` prints both, the gated rows as reported figures. Priors are
fitted on the first ``BASELINE_QUARTERS`` quarters (all departments) and frozen, as the
baseline would be; every quarter is scored with them (``score_quarter``). Trend badges
(``trend_badges``) run over each department's comparable ISQs
(``analysis.scorecard.comparable``: the quarters sharing its most frequent set of shown
components) on the real quarter axis, corrected across departments; change flags
(``change_flags``) over each pair of consecutive quarters, corrected across the departments of
that page.

``python -m survey.demo.markers --seeds 30`` builds the demo for seeds 1..30 into temporary
SQLite databases and prints one row per planted pattern with its bound; exit status 1 when a
row is outside its bound (``make validate`` runs it). About 4 s per seed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis import model, scorecard
from analysis.anonymity import K_FIGURES as K
from survey.models import Department
from survey.scorecards.services.compliance_data import compliance_counts
from survey.scorecards.services.scorecard_data import provider_sums, r_histograms

#: Quarters the priors are fitted on (the baseline is frozen after four complete quarters).
BASELINE_QUARTERS = 4
#: The demo's planted trends (``survey.demo.profiles``) and the flat departments.
PLANTED_TRENDS: Mapping[str, str] = {"IT": "rising", "HR": "falling", "SALES": "rising"}
FLAT = ("FIN", "PROC", "FAC", "LEGAL", "CS", "MKT")
#: The planted change: Engineering's release crunch in the sixth history quarter (index 5).
PLANTED_CHANGE = ("ENG", 5, "down")
#: Bounds over 30 seeds (issue 16): a planted marker found in at least 27, a flat department
#: falsely flagged in at most 3.
MIN_FOUND = 0.9
MAX_FALSE = 0.1
TODAY = date(2026, 5, 15)


@dataclass(frozen=True)
class QuarterSums:
    """One department-quarter as stored: the model's sums and the per-person R histogram."""

    sums: model.DepartmentSums
    r_hist: tuple[int, ...]


@dataclass(frozen=True)
class Markers:
    """What model v2 shows for a demo: ``trends`` per department code, ``flags`` per
    department code with one entry per pair of consecutive quarters (index i: quarter i-1 to
    quarter i, so index 0 is always None) — "up", "down" or None."""

    quarters: tuple[str, ...]
    trends: Mapping[str, model.TrendResult]
    flags: Mapping[str, tuple[str | None, ...]]

    def false_flag(self, code: str) -> bool:
        """A trend badge or any change flag on a department planted flat."""
        return self.trends[code].direction != "flat" or any(self.flags[code])


def stored_sums(
    session: Session, quarters: Sequence[str], now: datetime, gated: bool = False
) -> dict[str, list[QuarterSums]]:
    """Per department code, one ``QuarterSums`` per quarter of ``quarters`` (zeros where
    nothing is stored; with ``gated``, zeros where the page would hide the component)."""
    codes = dict(session.execute(select(Department.id, Department.code)).all())
    totals = provider_sums(session, quarters, ("T", "R"))
    compliance = compliance_counts(session, quarters, now)
    # The pages' own histograms (counted in the database, the bins of analysis.scorecard).
    hist = r_histograms(session, quarters, scorecard.R_BIN_WIDTH, scorecard.R_BINS)
    out: dict[str, list[QuarterSums]] = {}
    for dept_id, code in sorted(codes.items(), key=lambda kv: kv[1]):
        series = []
        for quarter in quarters:
            metrics = totals.get((dept_id, quarter), {})
            t, r = metrics.get("T"), metrics.get("R")
            c = compliance.get((dept_id, quarter))
            stored = scorecard.DepartmentInput(
                t_n=t.n if t else 0,
                t_total=t.total if t else 0.0,
                r_n=r.n if r else 0,
                r_total=r.total if r else 0.0,
                r_total_sq=r.total_sq if r else 0.0,
                c_judged=c.judged if c else 0,
                c_compliant=c.compliant if c else 0,
            )
            sums = (
                scorecard.model_sums(stored, K)
                if gated
                else model.DepartmentSums(
                    t_successes=stored.t_total / 100,
                    t_trials=stored.t_n,
                    r_n=stored.r_n,
                    r_total=stored.r_total,
                    r_total_sq=stored.r_total_sq,
                    c_successes=stored.c_compliant,
                    c_trials=stored.c_judged,
                )
            )
            empty = (0,) * scorecard.R_BINS
            r_hist = hist.get((dept_id, quarter), empty) if sums.r_n else empty
            series.append(QuarterSums(sums, tuple(r_hist)))
        out[code] = series
    return out


def find_markers(data: Mapping[str, Sequence[QuarterSums]], quarters: Sequence[str]) -> Markers:
    """Score every quarter with priors frozen on the first ``BASELINE_QUARTERS`` and return
    the trend badges and change flags model v2 gives (see the module docstring)."""
    codes = list(data)
    base = [data[c][i].sums for c in codes for i in range(BASELINE_QUARTERS)]

    def col(field: str) -> list[float]:
        return [getattr(s, field) for s in base]

    priors = model.fit_priors(
        col("t_successes"),
        col("t_trials"),
        col("r_n"),
        col("r_total"),
        col("r_total_sq"),
        col("c_successes"),
        col("c_trials"),
        groups=len(codes),
    )
    scores = [
        model.score_quarter([data[c][i].sums for c in codes], priors) for i in range(len(quarters))
    ]

    def shown_parts(score: model.DepartmentScore) -> frozenset[str]:
        parts = (("T", score.T), ("R", score.R), ("C", score.C))
        return frozenset(key for key, est in parts if not est.missing)

    series = [
        scorecard.comparable(
            [
                (
                    float(scorecard.quarter_index(q)),
                    scores[i][j].isq.value,
                    shown_parts(scores[i][j]),
                )
                for i, q in enumerate(quarters)
                if scores[i][j].shown
            ]
        )
        for j in range(len(codes))
    ]
    trends = dict(zip(codes, model.trend_badges(series), strict=True))
    flags: dict[str, list[str | None]] = {c: [None] for c in codes}
    for i in range(1, len(quarters)):
        tests = []
        for j, code in enumerate(codes):
            before, after = data[code][i - 1], data[code][i]
            tests.append(
                {
                    "t1": (before.sums.t_successes, before.sums.t_trials),
                    "t2": (after.sums.t_successes, after.sums.t_trials),
                    "c1": (before.sums.c_successes, before.sums.c_trials),
                    "c2": (after.sums.c_successes, after.sums.c_trials),
                    "r_hist1": before.r_hist,
                    "r_hist2": after.r_hist,
                    "delta": _comparable_change(scores[i - 1][j], scores[i][j], priors),
                }
            )
        for code, flag in zip(codes, model.change_flags(tests), strict=True):
            flags[code].append(flag.direction)
    return Markers(tuple(quarters), trends, {c: tuple(f) for c, f in flags.items()})


def _comparable_change(
    then: model.DepartmentScore, now: model.DepartmentScore, priors: model.Priors
) -> float:
    """The shrunk ISQ's change over the components shown in both quarters, as the pages
    flag it (``analysis.scorecard.comparable_change``)."""
    parts = zip(priors.weights, (then.T, then.R, then.C), (now.T, now.R, now.C), strict=True)
    return sum(w * (b.value - a.value) for w, a, b in parts if not (a.missing or b.missing))


def demo_markers(
    session: Session, quarters: Sequence[str], now: datetime, gated: bool = False
) -> Markers:
    """The markers of the demo stored in ``session`` (see ``find_markers``)."""
    return find_markers(stored_sums(session, quarters, now, gated), quarters)


@dataclass(frozen=True)
class Row:
    """One printed row: how many of ``seeds`` show ``what``, and its bound."""

    what: str
    count: int
    seeds: int
    at_least: int | None = None
    at_most: int | None = None

    @property
    def ok(self) -> bool:
        return (self.at_least is None or self.count >= self.at_least) and (
            self.at_most is None or self.count <= self.at_most
        )

    def line(self) -> str:
        bound = f">= {self.at_least}" if self.at_least is not None else f"<= {self.at_most}"
        verdict = "ok" if self.ok else "OUTSIDE"
        return f"  {self.what:<52} {self.count:>3} / {self.seeds:<3} {bound:>6}  {verdict}"


def tally(results: Sequence[Markers]) -> list[Row]:
    """The rows over a set of seeds: each planted trend found, the planted change flagged,
    each flat department falsely flagged (and any of them)."""
    n = len(results)
    found = int(np.ceil(MIN_FOUND * n))
    allowed = int(np.floor(MAX_FALSE * n))
    rows = [
        Row(
            f"{code} {direction} trend badge",
            sum(m.trends[code].direction == direction for m in results),
            n,
            at_least=found,
        )
        for code, direction in PLANTED_TRENDS.items()
    ]
    code, index, direction = PLANTED_CHANGE
    rows.append(
        Row(
            f"{code} change flag {direction} in quarter {index + 1}",
            sum(m.flags[code][index] == direction for m in results),
            n,
            at_least=found,
        )
    )
    rows += [
        Row(
            f"{code} (flat) trend badge or change flag",
            sum(m.false_flag(code) for m in results),
            n,
            at_most=allowed,
        )
        for code in FLAT
    ]
    rows.append(
        Row(
            "any flat department falsely flagged (reported)",
            sum(any(m.false_flag(c) for c in FLAT) for m in results),
            n,
        )
    )
    return rows


def build_both(seeds: Sequence[int], today: date = TODAY) -> list[tuple[Markers, Markers]]:
    """Build the demo (history only) for each seed into a temporary SQLite database; each
    seed's markers from the stored sums as they are and from the gated ones (what the
    published scorecards rest on)."""
    from survey.db import make_engine
    from survey.demo.build import build_demo
    from survey.migrate import upgrade

    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.sqlite3"
        engine = make_engine(f"sqlite:///{template}")
        upgrade(engine)
        engine.dispose()
        for seed in seeds:
            path = Path(tmp) / f"seed{seed}.sqlite3"
            shutil.copy(template, path)
            engine = make_engine(f"sqlite:///{path}")
            with Session(engine) as session:
                summary = build_demo(session, seed=seed, today=today, present=False)
                session.commit()
                out.append(
                    (
                        demo_markers(session, summary.quarters, now),
                        demo_markers(session, summary.quarters, now, gated=True),
                    )
                )
            engine.dispose()
            path.unlink()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30, help="seeds 1..N (default 30)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    both = build_both(range(1, args.seeds + 1))
    rows = tally([plain for plain, _g in both])
    print(
        f"Demo markers with model v{model.MODEL_VERSION} over seeds 1..{args.seeds}"
        f" ({time.perf_counter() - start:.0f} s):"
    )
    for row in rows:
        print(
            row.line()
            if row.at_least is not None or row.at_most is not None
            else f"  {row.what:<52} {row.count:>3} / {row.seeds}"
        )
    print("As published, after the anonymity gate (reported, no bound):")
    for row in tally([gated for _p, gated in both]):
        print(f"  {row.what:<52} {row.count:>3} / {row.seeds}")
    return 0 if all(row.ok for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
