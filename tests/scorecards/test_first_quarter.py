"""A first quarter without a ticketing tool: quarterly surveys only, so no department has T or
C. Those components leave the quarter's ISQ (the weights renormalised over R) instead of
entering every ISQ as vague priors, which put every department "in line"; the page, the API,
the CSV and the PDF say what the ISQ rests on. A component the organisation collects stays
in, at its prior, whatever anyone answered."""

from __future__ import annotations

import csv
import html
import io
from datetime import UTC, datetime

import pytest
from matplotlib.text import Text

from survey.models import Campaign
from survey.scorecards.services.scorecard_pdf import _pdf_pages
from survey.scorecards.services.scorecards import Settings, build_scorecard
from tests.scorecards.conftest import Org, api_get

Q = "2026Q1"
BASIS = "This quarter's ISQ rests on R only, with weights R 1.00."
NO_REQUESTS = "No requests were reported this quarter"


@pytest.fixture
def r_only(org: Org) -> Org:
    """60 people rate each provider: IT well (mean 87.5), HR poorly (37.5), the rest alike
    (62.5); no request is recorded and no post-interaction survey answered."""
    org.quarterly("IT", "SALES", Q, [4] * 30 + [5] * 30)
    org.quarterly("HR", "SALES", Q, [2] * 30 + [3] * 30)
    for code in ("FIN", "ENG", "OPS"):
        org.quarterly(code, "SALES", Q, [3] * 30 + [4] * 30)
    return org


def _card(org: Org, code: str):  # type: ignore[no-untyped-def]
    return build_scorecard(org.session, org.departments[code], Q, Settings())[0]


@pytest.mark.postgres
def test_an_r_only_quarter_tells_departments_apart(r_only: Org, backend) -> None:
    it, hr, fin = (_card(r_only, code) for code in ("IT", "HR", "FIN"))
    assert (it.standing, hr.standing, fin.standing) == ("above", "below", "in_line")
    assert it.isq_weights == {"T": 0.0, "R": 1.0, "C": 0.0}
    r = next(c for c in it.components if c.key == "R")
    assert it.isq.value == pytest.approx(r.value)
    assert it.isq.high - it.isq.low == pytest.approx(r.high - r.low)


@pytest.mark.postgres
def test_the_page_and_exports_name_what_the_isq_rests_on(
    admin_client, r_only: Org, backend
) -> None:
    page = html.unescape(admin_client.get(f"/scorecards/IT?quarter={Q}").get_data(as_text=True))
    assert BASIS in page and NO_REQUESTS in page
    assert "Clearly above the organisation" in page
    overview = html.unescape(admin_client.get(f"/scorecards/?quarter={Q}").get_data(as_text=True))
    assert BASIS in overview
    body = api_get(admin_client, r_only, f"/api/v1/departments/IT/scorecard?quarter={Q}")
    data = body.get_json()
    assert data["isq_weights"] == {"T": 0.0, "R": 1.0, "C": 0.0}
    assert data["isq_components"] == ["R"] and NO_REQUESTS in data["isq_basis"]
    assert data["weights"] == {"T": 0.35, "R": 0.45, "C": 0.2}  # the stated ones, as before
    assert data["components"]["R"]["weight"] == 1.0
    text = admin_client.get(f"/scorecards/IT.csv?quarter={Q}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    used = {r[1]: float(r[3]) for r in rows if r[1].startswith("isq weight ")}
    assert used == {"isq weight T": 0.0, "isq weight R": 1.0, "isq weight C": 0.0}
    assert any(BASIS in r[-1] for r in rows)


def test_the_pdf_names_what_the_isq_rests_on(app, r_only: Org) -> None:
    with app.test_request_context():
        card = _card(r_only, "IT")
        words = " ".join(a.get_text() for page in _pdf_pages(card) for a in page.findobj(Text))
    assert "rests on R only" in " ".join(words.split())


@pytest.mark.postgres
def test_a_component_the_organisation_collects_stays_whatever_was_answered(
    r_only: Org, backend
) -> None:
    """A request recorded in the quarter (post-interaction surveys could follow it) keeps T in
    the ISQ at its prior although nobody answered one: leaving it out would depend on the
    answers, and would tell that the organisation's few requesters did not answer."""
    r_only.interactions("ENG", Q, [(None, None)])
    it = _card(r_only, "IT")
    assert it.isq_weights["T"] == pytest.approx(0.35) and it.isq_weights["R"] > 0
    assert next(c for c in it.components if c.key == "T").reason is not None


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("it", "In questo trimestre l'ISQ si basa solo su R, con pesi R 1,00."),
        ("fr", "Ce trimestre, l'ISQ repose uniquement sur R, avec les pondérations R 1,00."),
    ],
)
def test_the_basis_is_said_in_the_readers_language(
    admin_client, r_only: Org, lang: str, words: str
) -> None:
    path = f"/api/v1/departments/IT/scorecard?quarter={Q}&lang={lang}"
    assert words in api_get(admin_client, r_only, path).get_json()["isq_basis"]


@pytest.fixture
def no_quarterly(org: Org) -> Org:
    """Requests and post-interaction answers only: T and C, no quarterly answer."""
    for code, ratings in (("IT", [5] * 14 + [2] * 6), ("HR", [2] * 14 + [5] * 6)):
        org.post_interaction(code, "SALES", Q, ratings)
    org.interactions("IT", Q, [(30, 200)] * 6)
    org.interactions("HR", Q, [(30, 200)] * 3 + [(200, 900)] * 3)
    return org


@pytest.mark.postgres
@pytest.mark.parametrize("campaign", [False, True])
def test_a_quarterly_campaign_keeps_r_in_whatever_was_answered(
    no_quarterly: Org, backend, campaign: bool
) -> None:
    """Without a campaign, R leaves the ISQ and the card says why; with a campaign of the
    quarter that nobody answered, R stays at its prior (the answers decide nothing)."""
    if campaign:
        no_quarterly.session.add(
            Campaign(
                name="Quarterly",
                quarter=Q,
                opens_at=datetime(2026, 2, 1, tzinfo=UTC),
                closes_at=datetime(2026, 2, 20, tzinfo=UTC),
                min_group_size=5,
                status="closed",
            )
        )
        no_quarterly.session.commit()
    it = _card(no_quarterly, "IT")
    if campaign:
        assert it.isq_weights == pytest.approx({"T": 0.35, "R": 0.45, "C": 0.2})
    else:
        assert it.isq_weights == pytest.approx({"T": 0.35 / 0.55, "R": 0.0, "C": 0.2 / 0.55})
        assert it.standing == "above"
