"""Every channel shows the same figures: the page, the PDF export, the CSV export, the API.

A figure one channel shows and another hides is a leak whatever the gate decided (a reader
takes the most telling channel). The PDF is read as a reader's tool reads it: its text
extracted by a PDF library from the served bytes. The second test checks that the comparison
can fail: a deliberately leaky PDF (hidden customer rows printed) must be caught.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey.scorecards.services import scorecard_pdf
from survey.scorecards.services.scorecards import Gated
from tests.anonymity import channels
from tests.anonymity.publication import _dimension_names
from tests.anonymity.world import World
from tests.factories import file_submissions


def _world(app: Flask, session: Session) -> World:
    """HR served by ENG (6, shown), FIN (5, hidden with OPS by the remainder rule) and OPS
    (2, under k in every column: no row, counted in the remainder); FIN also answers
    post-interaction surveys about HR (with ENG: 6 of 11 satisfied, so T has k people on
    each side), and ENG rates FIN."""
    w = World.build(app, session, {"HR": 1, "ENG": 6, "FIN": 5, "OPS": 2})
    for i in range(5):
        w.post_interaction(f"FIN-{i}", "HR", overall=(2, 4, 5, 4, 1)[i])
    for i in range(6):
        w.post_interaction(f"ENG-{i}", "HR", overall=(5, 4, 2, 1, 5, 3)[i])
    w.open_campaign()  # open when the quarter ends, so it is released once, when it closes
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter()
    ratings = {"ENG": [4, 5, 4, 3, 5, 4], "FIN": [3, 4, 2, 5, 2], "OPS": [2, 4]}
    for code, values in ratings.items():
        for i, rating in enumerate(values):
            w.quarterly(f"{code}-{i}", {"HR": rating} | ({"FIN": rating} if code == "ENG" else {}))
    w.close_campaign()
    return w


def test_page_pdf_csv_and_api_show_the_same_figures(app: Flask, session: Session) -> None:
    w = _world(app, session)
    names = _dimension_names(w.admin)
    shown = channels.figures(w.admin, w.api_key, "HR", w.quarter, names)
    pdf = shown["pdf"]
    # The PDF was really read: its headline, components, dimensions and customer rows.
    assert pdf[("ISQ",)] is not None
    assert pdf[("component", "R")] is not None and pdf[("component", "T")] is not None
    assert {k for k, f in pdf.items() if k[0] == "dimension" and f} == {
        ("dimension", n) for n in names.values()
    }
    assert pdf[("customer", "ENG", "R")] is not None
    assert pdf[("customer", "FIN", "R")] is None
    assert not any(key[:2] == ("customer", "OPS") for channel in shown.values() for key in channel)
    assert channels.disagreements(shown) == []
    publication = w.read()
    assert {f.source for f in publication.facts} >= {
        "pdf customers",
        "page customers",
        "overview heatmap text alternative",
        "api dimension reliability",
    }
    assert publication.gaps == []
    assert w.audit() == []


def test_a_pdf_showing_a_row_the_page_hides_is_caught(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deliberately leaky PDF export: every hidden customer figure printed as 42.0. The
    comparison must name the rows, and the audit of everything read must fail."""
    w = _world(app, session)
    honest = scorecard_pdf._figure_text

    def leaky(g: Gated, card: object) -> str:
        if g.reason in ("below_k", "remainder"):
            return "42.0 [30.0–54.0]"
        return honest(g, card)  # type: ignore[arg-type]

    monkeypatch.setattr(scorecard_pdf, "_figure_text", leaky)
    shown = channels.figures(w.admin, w.api_key, "HR", w.quarter, _dimension_names(w.admin))
    leaked = {d.key for d in channels.disagreements(shown)}
    assert ("customer", "FIN", "R") in leaked, leaked
    assert w.read().gaps, "the collector missed what the PDF printed"
