"""The scorecard charts write their numbers and quarters in the reader's language: "85,1"
in Italian and French, "85.1" in English; "T1 2026" and "Q1 2026" under the trend."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from flask_babel import force_locale

from analysis.scorecard import Gated
from survey.scorecards.services.scorecard_charts import _forest_alt
from tests.scorecards.conftest import Org

Q = "2026Q1"


@pytest.fixture
def small_org(org: Org) -> Org:
    org.post_interaction("IT", "SALES", Q, [4, 5, 5, 3, 4, 2, 5, 4, 1, 2, 3, 4])
    org.quarterly("IT", "SALES", Q, [4, 5, 4, 3, 4])
    org.interactions("IT", Q, [(30, 120)] * 6, hour=9)
    return org


def _chart_texts(page: str, name: str) -> list[str]:
    """The text elements of the inline chart ``name`` (its svg id starts chart-<name>-)."""
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    svgs = [  # the wide rendition (the phone's narrow one draws the same texts, fewer ticks)
        svg
        for svg in svgs
        if f'id="chart-{name}-' in svg and f'id="chart-{name}-narrow-' not in svg
    ]
    assert len(svgs) == 1, name
    return [
        html_lib.unescape(t).strip()
        for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svgs[0], flags=re.S)
    ]


def _numbers(texts: list[str]) -> list[str]:
    return [t for t in texts if re.fullmatch(r"-?\d+([.,]\d+)?", t)]


@pytest.mark.parametrize("lang", ["it", "fr"])
def test_chart_numbers_and_quarters_follow_the_reader(
    admin_client, small_org: Org, lang: str
) -> None:
    english = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=en").get_data(as_text=True)
    local = admin_client.get(f"/scorecards/IT?quarter={Q}&lang={lang}").get_data(as_text=True)

    # The dimension bars carry their value with one decimal, as the page's table does.
    en_values = [t for t in _numbers(_chart_texts(english, "dimensions")) if "." in t]
    local_values = [t for t in _numbers(_chart_texts(local, "dimensions")) if "," in t]
    assert en_values, _chart_texts(english, "dimensions")
    assert local_values == [v.replace(".", ",") for v in en_values]
    assert not any("." in t for t in _numbers(_chart_texts(local, "dimensions")))

    # The trend's quarters as the reader writes them.
    assert "Q1 2026" in _chart_texts(english, "trend")
    local_trend = _chart_texts(local, "trend")
    assert "T1 2026" in local_trend and Q not in local_trend


def _desc(page: str, name: str) -> str:
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    svg = next(svg for svg in svgs if f'id="chart-{name}-' in svg)
    match = re.search(r"<desc[^>]*>(.*?)</desc>", svg, flags=re.S)
    assert match, name
    return html_lib.unescape(match.group(1))


def test_chart_descriptions_are_in_the_reader_language(admin_client, small_org: Org) -> None:
    english = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=en").get_data(as_text=True)
    italian = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it").get_data(as_text=True)
    en_desc, it_desc = _desc(english, "dimensions"), _desc(italian, "dimensions")
    assert "Scores out of 100 by dimension" in en_desc
    assert "Punteggi su 100 per dimensione" in it_desc
    en_numbers = re.findall(r"\d+\.\d", en_desc)
    assert en_numbers and re.findall(r"\d+,\d", it_desc) == [
        n.replace(".", ",") for n in en_numbers
    ]


def test_the_ranking_chart_is_described_in_the_reader_language(app) -> None:
    rows = [
        ("Vendite", Gated(112.4, 104.0, 121.0)),
        ("Sistemi", Gated(93.6, 85.2, 99.0)),
        ("Personale", Gated(101.0)),
    ]
    with app.test_request_context(), force_locale("it"):
        text = _forest_alt("IQ", rows)
    assert text == (
        "IQ. 3 reparti; il più alto Vendite 112 (intervallo da 104 a 121); il più basso "
        "Sistemi 94 (intervallo da 85 a 99); 1 con l'intero intervallo sopra 100, 1 con "
        "l'intero intervallo sotto."
    )


def test_the_chart_cache_keeps_one_image_per_language(admin_client, small_org: Org) -> None:
    first_it = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it").get_data(as_text=True)
    en = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=en").get_data(as_text=True)
    again_it = admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it").get_data(as_text=True)
    assert _chart_texts(first_it, "dimensions") == _chart_texts(again_it, "dimensions")
    assert _chart_texts(first_it, "dimensions") != _chart_texts(en, "dimensions")
