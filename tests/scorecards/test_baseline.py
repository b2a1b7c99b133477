"""The frozen IQ baseline: stored once with what it was computed with, never moved by a change
of settings, replaced only by a re-base that keeps the old one; by command, scheduler and
administrator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from analysis.scorecard import priors_from_json
from survey.delivery.services.tick import TickSettings
from survey.delivery.tick_job import run_tick
from survey.models import Baseline
from survey.periods import previous_quarters
from survey.scorecards.services.scorecards import (
    Settings,
    build_scorecard,
    ensure_baseline,
)
from tests.conftest import post_form
from tests.scorecards.conftest import Org, load_models

Q = "2026Q1"
LATER = datetime(2027, 1, 1, tzinfo=UTC)


def _history(org: Org, quarters: list[str]) -> None:
    for i, q in enumerate(quarters):
        org.quarterly("IT", "SALES", q, [min(5, 2 + (i + j) // 3) for j in range(8)])
        org.quarterly("HR", "SALES", q, [max(1, 5 - (i + j) // 3) for j in range(8)])
        org.quarterly("FIN", "SALES", q, [3, 4, 3, 4, 3, 4, 3, 4])
        org.post_interaction("IT", "ENG", q, [5, 4, 2, 4, 1, 5, 4])
        org.post_interaction("HR", "ENG", q, [2, 4, 2, 1, 1, 5, 4])


def _card(org: Org, code: str, settings: Settings, quarter: str = Q):  # type: ignore[no-untyped-def]
    result, _p = build_scorecard(org.session, org.departments[code], quarter, settings, now=LATER)
    return result


@pytest.mark.postgres
def test_the_baseline_records_what_it_was_computed_with(org: Org, backend) -> None:
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    settings = Settings(weights={"T": 0.5, "R": 0.4, "C": 0.1})
    row = ensure_baseline(org.session, settings, now=LATER, by="command")
    org.session.commit()
    assert row is not None and row.active and row.frozen_by == "command"
    assert row.quarters == quarters[:4] and row.weights == {"T": 0.5, "R": 0.4, "C": 0.1}
    assert row.k == 5 and row.method == "isq-3" and row.version.startswith("v3-")
    # The priors, fitted on the baseline quarters, and the baseline's own uncertainty.
    priors = priors_from_json(row.priors)
    assert priors is not None and priors.version == 3
    assert priors.weights == pytest.approx((0.5, 0.4, 0.1))
    assert 1.0 <= priors.T.m <= 49.0 and 0 < priors.T.mean < 1
    assert priors.R.sigma2 > 0 and priors.R.tau2 > 0 and priors.R.groups == 3
    assert 0 < row.priors["baseline"]["mu0_se"] < row.sigma0
    assert 0 < row.priors["baseline"]["sigma0_se"] < row.sigma0


def test_changing_the_settings_does_not_move_a_past_iq(org: Org) -> None:
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    ensure_baseline(org.session, Settings(), now=LATER)
    org.session.commit()
    before = _card(org, "IT", Settings(), quarters[-1])
    other = Settings(k=5, weights={"T": 0.9, "R": 0.05, "C": 0.05})
    after = _card(org, "IT", other, quarters[-1])
    assert before.iq.value is not None and after.iq.value == pytest.approx(before.iq.value)
    assert after.settings.weights == before.settings.weights == {"T": 0.35, "R": 0.45, "C": 0.2}
    # A higher k from the settings still applies (it can only hide more).
    hidden = _card(org, "IT", Settings(k=50), quarters[-1])
    assert not hidden.isq.shown


def test_priors_are_frozen_with_the_baseline(org: Org) -> None:
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    provisional = load_models(org.session, quarters, Settings(), LATER)
    row = ensure_baseline(org.session, Settings(), now=LATER)
    org.session.commit()
    frozen = priors_from_json(row.priors)
    models = load_models(org.session, quarters, Settings(), LATER)
    for q in quarters:
        assert models[q].priors == frozen
    # Before freezing, the priors were pooled over all six released quarters, not four.
    assert provisional[quarters[0]].priors != frozen


def test_a_rebase_keeps_the_old_baseline_and_pages_name_the_one_in_use(org: Org) -> None:
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    first = ensure_baseline(org.session, Settings(), now=LATER)
    org.session.commit()
    assert first is not None
    second = ensure_baseline(org.session, Settings(), now=LATER, by="admin@x", rebase=True)
    org.session.commit()
    assert second is not None and second.version != first.version
    assert second.quarters == quarters[-4:]
    org.session.refresh(first)
    assert not first.active and first.superseded_at is not None
    result = _card(org, "FIN", Settings())
    assert result.baseline.version == second.version
    assert result.baseline.superseded == (first.version,)
    with pytest.raises(ValueError):
        ensure_baseline(org.session, Settings(), now=LATER, rebase=True, quarters=["2030Q1"])


def test_the_command_freezes_and_refuses_without_enough_quarters(app, runner, org: Org) -> None:
    result = runner.invoke(args=["survey", "freeze-baseline"])
    assert result.exit_code == 1 and "four released quarters" in result.output
    _history(org, previous_quarters(Q, 5))
    result = runner.invoke(args=["survey", "freeze-baseline"])
    assert result.exit_code == 0, result.output
    org.session.expire_all()
    assert org.session.scalar(select(Baseline.frozen_by)) == "command"
    bad = runner.invoke(args=["survey", "freeze-baseline", "--rebase", "--quarters", "1999Q1"])
    assert bad.exit_code == 1 and "1999Q1" in bad.output


def test_quarters_chosen_without_rebase_over_a_frozen_baseline_are_refused(
    app, runner, org: Org
) -> None:
    """``freeze-baseline --quarters ...`` when a baseline is already frozen kept the active one
    and exited 0, the chosen quarters (even malformed ones) silently ignored: the operator who
    meant a re-base learned nothing. It now says a baseline is frozen and to add --rebase."""
    _history(org, previous_quarters(Q, 5))
    assert runner.invoke(args=["survey", "freeze-baseline"]).exit_code == 0
    org.session.expire_all()
    before = org.session.scalars(select(Baseline.version)).all()
    for chosen in (",".join(previous_quarters(Q, 5)[-2:]), "bogus"):
        result = runner.invoke(args=["survey", "freeze-baseline", "--quarters", chosen])
        assert result.exit_code == 1, result.output
        assert "already frozen" in result.output and "--rebase" in result.output
    org.session.expire_all()
    assert org.session.scalars(select(Baseline.version)).all() == before


def test_the_scheduler_freezes_it_once(app, org: Org) -> None:
    from survey.db import database

    _history(org, previous_quarters(Q, 5))
    settings = TickSettings("http://x", "x", "salt", scores=Settings())
    report = run_tick(database(app).sessionmaker, settings, LATER)
    assert report.baseline is not None
    again = run_tick(database(app).sessionmaker, settings, LATER)
    assert again.baseline is None
    org.session.expire_all()
    assert org.session.scalar(select(Baseline.frozen_by)) == "scheduler"


def test_an_administrator_freezes_and_rebases_from_the_page(admin_client, org: Org) -> None:
    page = admin_client.get("/admin/baseline")
    assert page.status_code == 200 and "No baseline is frozen yet" in page.get_data(as_text=True)
    refused = post_form(admin_client, "/admin/baseline", {"quarters": "2025Q9"})
    assert refused.status_code == 422 and "2025Q9" in refused.get_data(as_text=True)
    _history(org, previous_quarters(Q, 5))
    done = post_form(admin_client, "/admin/baseline", {}, follow_redirects=True)
    assert done.status_code == 200
    org.session.rollback()  # a fresh snapshot: the page wrote in another connection
    first = org.session.scalar(select(Baseline))
    assert first is not None and first.active and "@" in first.frozen_by
    again = post_form(admin_client, "/admin/baseline", {"quarters": "2025Q1, 2025Q2"})
    assert again.status_code == 302
    org.session.rollback()
    rows = org.session.scalars(select(Baseline)).all()
    assert len(rows) == 2 and sum(r.active for r in rows) == 1
    text = admin_client.get("/admin/baseline").get_data(as_text=True)
    assert "replaced on" in text and "in use" in text
    # The mean and spread with their standard errors, and the model that froze them.
    se = rows[0].priors["baseline"]
    assert f"{rows[0].mu0:.1f} ± {se['mu0_se']:.1f}" in text and "isq-3" in text


def test_a_version_two_record_stays_readable_and_frozen(org: Org) -> None:
    """A baseline frozen by model version 2 keeps its μ0, σ0 and priors (the same fit): the
    priors are read as stored, not fitted again, and the IQ uses the stored scale."""
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    row = ensure_baseline(org.session, Settings(), now=LATER)
    assert row is not None
    stored = dict(row.priors)
    stored["version"] = 2
    row.priors, row.method, row.mu0, row.sigma0 = stored, "isq-2", 61.0, 7.0
    org.session.commit()
    models = load_models(org.session, quarters, Settings(), LATER)
    read = priors_from_json(stored)
    assert read is not None and read.version == 2
    assert all(models[q].priors == read for q in quarters)
    card = _card(org, "IT", Settings(), quarters[-1])
    assert card.baseline is not None and card.baseline.method == "isq-2"
    assert card.iq.value == pytest.approx(100 + 15 * (card.isq.value - 61.0) / 7.0)
