"""The scorecard services on small organisations: shrinkage, the gate and its remainder rule,
comments, the baseline and IQ, change flags, trends, compliance and the perception gap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from analysis import model
from survey.models import Baseline, Interaction, Questionnaire, QuizAttempt, ServiceStandard
from survey.periods import previous_quarters
from survey.scorecards.services.compliance_data import compliance_counts
from survey.scorecards.services.scorecards import (
    BELOW_COMMENT_K,
    BELOW_K,
    ONE_SIDED,
    REMAINDER,
    Settings,
    build_overview,
    build_scorecard,
    ensure_baseline,
)
from tests.scorecards.conftest import Org, load_models

Q = "2026Q1"
LATER = datetime(2027, 1, 1, tzinfo=UTC)


def card(org: Org, code: str, quarter: str = Q):  # type: ignore[no-untyped-def]
    result, _problem = build_scorecard(
        org.session, org.departments[code], quarter, Settings(), now=LATER
    )
    return result


@pytest.mark.postgres
def test_shrinkage_pulls_toward_the_organisation_and_never_past_it(org: Org, backend) -> None:
    org.post_interaction("IT", "SALES", Q, [5] * 8 + [4, 2, 1, 3, 2, 1])  # 9/14 satisfied
    org.post_interaction("HR", "SALES", Q, [1, 2, 1, 2, 4, 1, 2, 5, 1, 2, 4, 5, 4])  # 5/13
    org.post_interaction("FIN", "SALES", Q, [4, 4, 2, 5, 1, 3, 4, 5, 2, 1])  # 5/10
    model = load_models(org.session, [Q], Settings(), LATER)[Q]
    org_share = model.org["T"]
    assert org_share == pytest.approx(100 * 19 / 37)
    for code in ("IT", "HR", "FIN"):
        t = model.scores[org.id(code)].components["T"]
        assert min(t.raw, org_share) <= t.value <= max(t.raw, org_share)
        assert t.low <= t.value <= t.high
    it = model.scores[org.id("IT")].components["T"]
    assert it.raw == pytest.approx(900 / 14) and it.value < it.raw


@pytest.mark.parametrize("it_answers", [[5, 5, 5, 5, 5, 4], [5] * 12, [5] * 8 + [1, 2, 3, 2]])
def test_a_share_with_few_people_on_one_side_is_published_nowhere(
    org: Org, it_answers: list[int]
) -> None:
    """6 of 6 or 12 of 12 satisfied would tell each person's answer, and 8 of 12 (only 4
    dissatisfied) must look the same: the share is hidden as one-sided, and left out of the
    organisation's figure, which could otherwise be unpicked."""
    org.post_interaction("IT", "SALES", Q, it_answers)
    org.post_interaction("HR", "SALES", Q, [1, 2, 1, 2, 4, 1, 2, 5, 1, 2, 4, 5, 4])  # 5/13
    org.post_interaction("FIN", "SALES", Q, [4, 4, 2, 5, 1, 3, 4, 5, 2, 1])  # 5/10
    model = load_models(org.session, [Q], Settings(), LATER)[Q]
    it = model.scores[org.id("IT")].components["T"]
    assert not it.shown and it.reason == ONE_SIDED and it.raw is None
    assert model.org["T"] == pytest.approx(100 * 10 / 23)


def test_customer_table_applies_the_remainder_rule(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 5, 5, 3])  # 6: passes alone
    org.quarterly("IT", "ENG", Q, [1, 2, 1])  # 3: below k
    result = card(org, "IT")
    rows = {c.code: c for c in result.customers}
    # ENG is under k in every column: no row (a row of hidden cells would tell that somebody
    # of ENG answered), but its people count in the hidden remainder.
    assert "ENG" not in rows
    # Showing SALES would reveal ENG's mean from the department's R (9 respondents).
    assert rows["SALES"].relationship.reason == REMAINDER
    assert result.components[1].shown  # R itself rests on 9 respondents


def test_heatmap_hides_small_cells_and_their_remainder(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [4, 4, 4, 5, 5, 3])
    org.quarterly("IT", "ENG", Q, [1, 2, 1])
    org.quarterly("HR", "SALES", Q, [3, 3, 3, 3, 3])
    org.quarterly("HR", "ENG", Q, [2, 2, 2, 2, 2])
    overview, _p = build_overview(org.session, Q, Settings(), now=LATER)
    h = overview.heatmap
    providers = [code for code, _n in h.providers]
    customers = [code for code, _n in h.customers]
    it, hr = providers.index("IT"), providers.index("HR")
    sales, eng = customers.index("SALES"), customers.index("ENG")
    assert h.values[it][eng] is None and h.values[it][sales] is None
    assert h.reasons[it][eng] == BELOW_K and h.reasons[it][sales] == REMAINDER
    assert h.values[hr][sales] == pytest.approx(50.0) and h.values[hr][eng] == pytest.approx(25.0)


def test_comments_need_ten_respondents_and_consent_for_a_name(org: Org, make_person) -> None:
    org.quarterly("IT", "SALES", Q, [4] * 9, comments=["Faster please", "Great team"])
    assert card(org, "IT").comments_reason == BELOW_COMMENT_K
    assert card(org, "IT").comments == ()
    person = make_person(name="Ada Lovelace", department=org.departments["SALES"])
    # One requester more would be ten respondents, but a survey kind fewer than k people
    # answered does not count (it would tell whether that requester answered): five do.
    org.post_interaction("IT", "SALES", Q, [5], comment="Call me", contact_person_id=person.id)
    assert card(org, "IT").comments_reason == BELOW_COMMENT_K
    org.post_interaction("IT", "SALES", Q, [4, 5, 3, 5])
    result = card(org, "IT")
    assert result.comments_reason is None
    by_text = {c.text: c.attributed_to for c in result.comments}
    assert by_text == {"Faster please": None, "Great team": None, "Call me": "Ada Lovelace"}


def _history(org: Org, quarters: list[str]) -> None:
    """IT improves steadily, HR declines, FIN stays level."""
    for i, q in enumerate(quarters):
        org.quarterly("IT", "SALES", q, [min(5, 2 + (i + j) // 3) for j in range(8)])
        org.quarterly("HR", "SALES", q, [max(1, 5 - (i + j) // 3) for j in range(8)])
        org.quarterly("FIN", "SALES", q, [3, 4, 3, 4, 3, 4, 3, 4])


@pytest.mark.postgres
def test_baseline_is_frozen_once_and_iq_follows_it(org: Org, backend) -> None:
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    assert org.session.query(Baseline).count() == 0
    provisional = card(org, "IT")
    assert provisional.baseline is not None and provisional.baseline.provisional
    baseline = ensure_baseline(org.session, Settings(), now=LATER)
    org.session.commit()
    assert baseline is not None and baseline.quarters == quarters[:4]
    assert ensure_baseline(org.session, Settings(), now=LATER) is baseline  # only once
    result = card(org, "FIN")
    assert result.baseline is not None and not result.baseline.provisional
    expected = 100 + 15 * (result.isq.value - baseline.mu0) / baseline.sigma0
    assert result.iq.value == pytest.approx(expected)
    assert result.iq.low <= result.iq.value <= result.iq.high


def test_ensure_baseline_waits_for_four_complete_quarters(org: Org) -> None:
    _history(org, previous_quarters(Q, 3))
    assert ensure_baseline(org.session, Settings(), now=LATER) is None
    assert org.session.query(Baseline).count() == 0


def test_trend_markers_and_change_flags(org: Org) -> None:
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    it, hr, fin = card(org, "IT"), card(org, "HR"), card(org, "FIN")
    assert it.trend_marker is not None and it.trend_marker.direction == "rising"
    assert hr.trend_marker is not None and hr.trend_marker.direction == "falling"
    assert fin.trend_marker is None or fin.trend_marker.direction == "flat"
    assert len(it.trend) == 6


def test_a_large_jump_is_flagged_and_a_small_one_is_not(org: Org) -> None:
    before, after = "2025Q4", Q
    org.quarterly("IT", "SALES", before, [2, 2, 2, 3, 2, 2, 2, 3, 2, 2] * 3)
    org.quarterly("IT", "SALES", after, [5, 4, 5, 5, 4, 5, 5, 4, 5, 5] * 3)
    org.quarterly("FIN", "SALES", before, [3, 4, 3, 4, 3, 4, 3, 4, 3, 4] * 3)
    org.quarterly("FIN", "SALES", after, [3, 4, 3, 4, 3, 4, 3, 4, 4, 4] * 3)
    overview, _p = build_overview(org.session, after, Settings(), now=LATER)
    movers = {f.code: f for f in overview.movers}
    assert set(movers) == {"IT"}
    assert movers["IT"].direction == "up" and movers["IT"].delta >= 5
    # published: the level its adjusted p-value is below, never the p-value (attack 34)
    assert movers["IT"].p_adjusted == 0.05
    assert card(org, "IT").flag is not None and card(org, "FIN").flag is None


def test_the_trend_carries_every_past_flag(org: Org) -> None:
    """A jump two quarters ago stays marked on the trend after a later, quiet quarter."""
    ratings_by_quarter = {
        "2025Q3": [2, 2, 2, 3, 2] * 6,
        "2025Q4": [5, 4, 5, 5, 4] * 6,
        Q: [5, 4, 5, 4, 4] * 6,
    }
    for q, ratings in ratings_by_quarter.items():
        org.quarterly("IT", "SALES", q, ratings)
        org.quarterly("FIN", "SALES", q, [3, 4, 3, 4, 3, 4, 3, 4, 3, 4] * 3)
    result = card(org, "IT")
    flags = {p.quarter: p.flag for p in result.trend}
    assert flags["2025Q4"] is not None and flags["2025Q4"].direction == "up"
    assert flags[Q] is None and flags["2025Q3"] is None
    assert not any(p.partial for p in result.trend)


def test_a_quarter_missing_a_component_is_marked_on_the_trend(org: Org) -> None:
    org.quarterly("IT", "SALES", "2025Q4", [3, 4, 2, 4, 3, 4])
    org.post_interaction("IT", "SALES", "2025Q4", [5, 4, 2, 4, 1, 5, 3, 2, 1, 4])  # 5 of 10
    org.quarterly("IT", "SALES", Q, [3, 4, 2, 4, 3, 4])  # no post-interaction answers
    points = {p.quarter: p for p in card(org, "IT").trend}
    assert points[Q].partial and not points["2025Q4"].partial


@pytest.mark.postgres
def test_compliance_uses_the_standard_in_force_on_the_opening_day(org: Org, backend) -> None:
    service = org.service("IT", 60, 480)
    # From 1 February the promise tightens to 30 minutes / 2 hours.
    org.session.add(
        ServiceStandard(
            service_id=service.id,
            effective_from=date(2026, 2, 1),
            first_response_minutes=30,
            resolution_minutes=120,
        )
    )
    opened = [datetime(2026, 1, 10, 9, tzinfo=UTC), datetime(2026, 2, 10, 9, tzinfo=UTC)]
    for day in opened:
        for first, resolved in ((45, 100), (20, 100), (45, 300), (None, None)):
            org.session.add(
                Interaction(
                    provider_department_id=org.id("IT"),
                    service_id=service.id,
                    requester_person_id=org.requester.id,
                    opened_at=day,
                    first_response_at=None if first is None else day + timedelta(minutes=first),
                    resolved_at=None if resolved is None else day + timedelta(minutes=resolved),
                )
            )
    # An open request still inside its promised time is not judged yet.
    recent = LATER - timedelta(minutes=10)
    org.session.add(
        Interaction(
            provider_department_id=org.id("IT"),
            service_id=service.id,
            requester_person_id=org.requester.id,
            opened_at=recent,
        )
    )
    org.session.commit()
    counts = compliance_counts(org.session, [Q, "2026Q4"], LATER)
    # January (60/480): (45,100) and (20,100) and (45,300) comply; the open one does not.
    # February (30/120): only (20,100) complies.
    assert counts[(org.id("IT"), Q)].judged == 8
    assert counts[(org.id("IT"), Q)].compliant == 4
    assert (org.id("IT"), "2026Q4") not in counts
    by_service = compliance_counts(org.session, [Q], LATER, org.id("IT"), by_service=True)
    assert by_service[(org.id("IT"), Q, service.id)].compliant == 4


def test_compliance_section_of_the_page(org: Org) -> None:
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2])
    org.interactions("IT", Q, [(30, 200), (90, 300), (10, 600), (20, 100), (5, 50), (40, 400)])
    comp = card(org, "IT").compliance
    assert comp.share.value == pytest.approx(100 * 4 / 6)
    assert comp.interactions == 6
    assert comp.first_response is not None and sum(comp.first_response.counts) == 6
    assert comp.first_response.median_minutes == pytest.approx(25)
    assert comp.peak_hours is not None and sum(comp.peak_hours) == 6
    assert comp.peak_hours[9] == 1 and comp.peak_hours[14] == 1


def _quiz(
    org: Org, department: str, overall: float, series: str, day: date = date(2026, 2, 1)
) -> None:
    questionnaire = org.session.query(Questionnaire).filter_by(kind="quiz").first()
    if questionnaire is None:
        questionnaire = Questionnaire(kind="quiz", name="Quiz")
        org.session.add(questionnaire)
        org.session.flush()
    # A member's attempt (``member_key``); a newer one in the quarter takes the key over.
    for older in org.session.query(QuizAttempt).filter_by(member_key=f"member-{series}"):
        older.member_key = None
    org.session.flush()
    org.session.add(
        QuizAttempt(
            series_hash=series,
            member_key=f"member-{series}",
            questionnaire_id=questionnaire.id,
            department_id=org.id(department),
            scoring_version="1",
            taken_on=day,
            quarter=Q,
            overall=overall,
        )
    )
    org.session.commit()


def test_perception_gap_needs_k_quiz_takers(org: Org) -> None:
    org.quarterly("IT", "SALES", Q, [3, 3, 3, 3, 3, 3])  # customers: 50
    for i in range(4):
        _quiz(org, "IT", 70.0, f"s{i}")
    gap = card(org, "IT").gap
    assert gap.gap is None and gap.reason == BELOW_K and gap.self_view.value is None
    _quiz(org, "IT", 60.0, "s0", date(2026, 3, 1))  # a retake counts once (the later attempt)
    _quiz(org, "IT", 70.0, "s4")
    gap = card(org, "IT").gap
    assert gap.takers == 5
    assert gap.self_view.value == pytest.approx(68.0)
    assert gap.gap == pytest.approx(18.0)
    assert gap.label


def test_default_quarter_is_the_latest_finished_one() -> None:
    from survey.scorecards.services.scorecards import resolve_quarter

    today = datetime(2026, 4, 10, tzinfo=UTC)  # 2026Q2 has just begun
    assert resolve_quarter(["2025Q4", "2026Q1", "2026Q2"], None, today) == ("2026Q1", None)
    assert resolve_quarter(["2026Q2"], None, today) == ("2026Q2", None)  # nothing finished yet
    assert resolve_quarter([], None, today) == ("2026Q2", None)
    assert resolve_quarter(["2026Q1", "2026Q2"], "2026Q2", today) == ("2026Q2", None)
    assert resolve_quarter(["2026Q1", "2026Q2"], "2019Q1", today) == ("2026Q1", "no_data")


def test_the_overview_groups_departments_instead_of_ranking_them(org: Org, admin_client) -> None:
    org.quarterly("IT", "SALES", Q, [5, 4, 5, 5, 4, 5, 4, 5, 4, 4] * 3)  # high, tight
    org.quarterly("HR", "SALES", Q, [1, 2, 1, 2, 2, 1, 2, 1, 2, 2] * 3)  # low, tight
    org.quarterly("FIN", "SALES", Q, [3, 3, 4, 3, 2, 3, 4, 3, 2, 3] * 3)  # middle
    org.quarterly("ENG", "SALES", Q, [3, 4, 3, 2, 3, 4, 3, 3, 2, 4] * 3)  # middle
    overview, _p = build_overview(org.session, Q, Settings(), now=LATER)
    standing = {r.code: r.standing for r in overview.ranking}
    assert standing == {"IT": "above", "HR": "below", "FIN": "in_line", "ENG": "in_line"}
    # Above first, then in line (by name: Engineering before Finance), then below.
    assert [r.code for r in overview.ranking] == ["IT", "ENG", "FIN", "HR"]
    page = admin_client.get(f"/scorecards/?quarter={Q}").get_data(as_text=True)
    table = page.split('class="ranking"')[1].split("</table>")[0]
    assert "Clearly above the organisation" in table and ">#<" not in table


def test_a_standing_that_depends_on_the_weights_says_so(org: Org, admin_client) -> None:
    """IT: great relationship, poor satisfaction after requests. Its standing with the stated
    weights differs from the one when its relationship score counts double. Five departments:
    with three, the intervals (which carry the uncertainty of priors fitted on so few) place
    no one apart from the organisation under any weighting."""
    org.quarterly("IT", "SALES", Q, [5, 5, 4, 5, 5, 4, 5, 5, 4, 5] * 3)
    org.post_interaction("IT", "SALES", Q, [1, 2, 1, 2, 4, 1, 2, 1, 5, 2] * 3)
    for code, start in (("HR", 0), ("FIN", 1), ("OPS", 0), ("ENG", 1)):
        org.quarterly(code, "SALES", Q, [3, 4, 3, 3, 4, 3, 4, 3, 3, 4][start:] * 3)
        org.post_interaction(code, "SALES", Q, [4, 3, 4, 5, 2, 4, 4, 3, 5, 4][start:] * 3)
    it = card(org, "IT")
    assert it.standing is not None and it.standing_depends()
    names = dict(it.standing_elsewhere)
    assert set(names) == {"equal", "double_T", "double_R", "double_C"}
    page = admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True)
    assert "This depends on the weights" in page
    fin = card(org, "FIN")
    assert fin.standing is not None and fin.standing_depends() == []


def test_no_flag_rests_on_fewer_than_ten_people(org: Org) -> None:
    """The same jump that is flagged with 30 people (above) is not flagged with 9: no change
    test runs on a component with fewer than ``MIN_N_FLAG`` people in either quarter."""
    before, after = "2025Q4", Q
    org.quarterly("IT", "SALES", before, [2, 2, 2, 3, 2, 2, 2, 3, 2])
    org.quarterly("IT", "SALES", after, [5, 4, 5, 5, 4, 5, 5, 4, 4])
    for q in (before, after):
        org.quarterly("FIN", "SALES", q, [3, 4, 3, 4, 3, 4, 3, 4, 3, 4] * 3)
    result = card(org, "IT")
    assert result.isq.shown and result.trend[-2].isq.shown
    assert result.trend[-1].isq.value - result.trend[-2].isq.value >= 5  # a large move...
    assert result.flag is None  # ...on too few people to test
    overview, _p = build_overview(org.session, after, Settings(), now=LATER)
    assert overview.movers == ()


@pytest.mark.postgres
def test_relationship_scores_are_binned_per_person_inside_the_database(org: Org, backend) -> None:
    """The rank test's input: each person's R on the 5-point grid, counted per provider and
    quarter; the counts add up to R's people and no value leaves the database."""
    from analysis.scorecard import R_BIN_WIDTH, R_BINS
    from survey.scorecards.services.scorecard_data import provider_sums, r_histograms

    org.quarterly("IT", "SALES", Q, [4, 4, 4, 5, 5, 3, 2])  # 75, 75, 75, 100, 100, 50, 25
    org.quarterly("IT", "ENG", Q, [{"reliability": 5, "responsiveness": 4}] * 5)
    hists = r_histograms(org.session, [Q], R_BIN_WIDTH, R_BINS)
    it = hists[(org.id("IT"), Q)]
    assert len(it) == R_BINS
    assert sum(it) == provider_sums(org.session, [Q])[(org.id("IT"), Q)]["R"].n == 12
    assert it[15] == 3 and it[20] == 2 and it[10] == 1 and it[5] == 1
    assert sum(it) - sum(it[i] for i in (5, 10, 15, 20)) == 5  # the five mixed ratings


def test_a_version_one_baseline_keeps_its_scale_and_gets_fitted_priors(org: Org) -> None:
    """A record frozen by the old model (its priors in the old form) keeps its mu0, sigma0
    and weights; the priors are fitted on its quarters."""
    quarters = previous_quarters(Q, 6)
    _history(org, quarters)
    org.session.add(
        Baseline(
            version="v1-old",
            mu0=50.0,
            sigma0=10.0,
            quarters=quarters[:4],
            created_at=LATER,
            method="isq-1",
            weights={"T": 0.35, "R": 0.45, "C": 0.2},
            k=5,
            priors={"m_T": 3.0, "m_C": None, "sigma2_R": 300.0, "tau2_R": 20.0},
            active=True,
            frozen_by="command",
        )
    )
    org.session.commit()
    result = card(org, "FIN")
    assert result.baseline.version == "v1-old" and not result.baseline.provisional
    assert result.iq.value == pytest.approx(100 + 15 * (result.isq.value - 50.0) / 10.0)
    models = load_models(org.session, [Q], Settings(), LATER)
    assert models[Q].priors is not None and models[Q].priors.version == model.MODEL_VERSION


def _figures(org: Org) -> dict[str, tuple]:
    model = load_models(org.session, [Q], Settings(), LATER)[Q]
    return {
        code: (s.isq, tuple(sorted(s.components.items())))
        for code in ("IT", "HR", "FIN")
        if (s := model.scores.get(org.id(code))) is not None
    }


@pytest.mark.parametrize("hidden_t", [[5, 5, 5, 5, 5, 4], [4, 5, 2]])  # certain; under k
def test_a_hidden_component_changes_no_published_figure(org: Org, hidden_t: list[int]) -> None:
    """IT's hidden T (all satisfied, or under k) enters nothing: every department's
    components and ISQ are what they are with no T for IT at all. No request is recorded
    and every department's T is hidden (HR's and FIN's have fewer than k people on one
    side), so the organisation measures no T and no C: IT's ISQ is its R, whether or not
    its few requesters answered."""
    org.quarterly("IT", "SALES", Q, [4, 3, 4, 5, 3, 4, 4, 3])
    org.quarterly("HR", "SALES", Q, [2, 3, 2, 3, 3, 2, 4, 2])
    org.quarterly("FIN", "SALES", Q, [3, 4, 3, 4, 3, 4, 3, 4])
    org.post_interaction("HR", "SALES", Q, [1, 2, 4, 5, 1, 2, 4])
    org.post_interaction("FIN", "SALES", Q, [4, 5, 4, 3, 5, 4, 2])
    without = _figures(org)
    org.post_interaction("IT", "SALES", Q, hidden_t)
    with_hidden = _figures(org)
    it = load_models(org.session, [Q], Settings(), LATER)[Q].scores[org.id("IT")]
    assert not it.components["T"].shown and it.components["T"].value is None
    for code in ("HR", "FIN"):
        assert with_hidden[code] == without[code]
    assert with_hidden["IT"][0] == without["IT"][0]  # IT's ISQ
    r = it.components["R"].value
    assert it.isq.value == pytest.approx(r)


def test_no_model_output_for_a_department_without_a_survey_figure(org: Org) -> None:
    """Compliance alone: the raw share of judged interactions is shown, its shrunk value
    and any ISQ are not."""
    org.quarterly("HR", "SALES", Q, [2, 3, 2, 3, 3, 2, 4, 2])
    org.quarterly("FIN", "SALES", Q, [3, 4, 3, 4, 3, 4, 3, 4])
    org.interactions("IT", Q, [(30, 200), (90, 300), (10, 600), (20, 100), (5, 50), (40, 400)])
    result = card(org, "IT")
    assert not result.isq.shown and not result.iq.shown
    assert all(not c.shown and c.value is None for c in result.components)
    assert result.compliance.share.value == pytest.approx(100 * 4 / 6)
    overview, _p = build_overview(org.session, Q, Settings(), now=LATER)
    assert "IT" not in {r.code for r in overview.ranking}
