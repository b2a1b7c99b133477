"""Attacks on the published comments, through the real link flow, the department page, its
comment filters and the PDF: a comment must not be tied to its writer by the week it was
written in, nor a named comment to its writer's score.

Each test builds twin providers, HR and FIN, answered by the same people with the same words;
the two differ in one thing only that a reader must not learn (the week one known person
answered; the score of the person who asked to be contacted). Their comment sections, on the
page in every filtered view and in the PDF, must be the same byte for byte.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

import survey.respond.services.answering as answering
from survey.models.base import utcnow
from survey.periods import quarter_bounds, quarter_of
from tests.anonymity.channels import pdf_pages
from tests.anonymity.world import World
from tests.factories import file_submissions

ISO_WEEK = re.compile(r"\d{4}-W\d\d")
TWINS = ("HR", "FIN")
CONTACT = "Member ENG-0 would like to be contacted about this comment."


def _page_section(w: World, code: str, query: str = "") -> str:
    """The comments section of ``code``'s page for the released quarter."""
    html = w.admin.get(f"/scorecards/{code}?quarter={w.quarter}{query}").get_data(as_text=True)
    start = html.index('id="comments-heading"')
    return html[start : html.index("</section>", start)]


def _pdf_section(w: World, code: str) -> str:
    """The comments part of ``code``'s PDF as text, its department's name masked (the page
    headers print it)."""
    body = w.admin.get(f"/scorecards/{code}.pdf?quarter={w.quarter}").get_data()
    text = re.sub(r"\s+", " ", "\n".join(pdf_pages(body)))
    end = text.index("How is this calculated?")
    part = text[text.rindex("Comments", 0, end) : end]
    return part.replace(w.departments[code].name, "(department)")


def _two_weeks() -> tuple[datetime, datetime]:
    """Two moments of the quarter in progress, a week apart (so in two ISO weeks), before the
    links issued now expire."""
    start = quarter_bounds(quarter_of(utcnow()))[0]
    early = datetime(start.year, start.month, start.day, 12, tzinfo=UTC) + timedelta(days=1)
    return early, early + timedelta(days=7)


@pytest.mark.postgres
def test_a_comment_does_not_tell_the_week_its_writer_answered_in(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: twelve colleagues answered in one week, the requester of a ticket the
    provider's manager knows (resolved the next week) in the next. Printed with its week, or
    ordered by it, the requester's comment is theirs. In the twin provider the requester
    answered in the same week as everyone else: both publish the same comments."""
    w = World.build(app, session, {"HR": 1, "FIN": 1, "ENG": 13})
    early, late = _two_weeks()
    for provider, requester_week in (("HR", late), ("FIN", early)):
        monkeypatch.setattr(answering, "utcnow", lambda: early)
        for i in range(12):
            w.post_interaction(f"ENG-{i}", provider, 4 + i % 2, f"Fine service, remark {i}")
        monkeypatch.setattr(answering, "utcnow", lambda moment=requester_week: moment)
        w.post_interaction("ENG-12", provider, 1, "Slow and nobody told me anything")
    monkeypatch.undo()
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter()
    pages = [_page_section(w, code) for code in TWINS]
    assert "Slow and nobody told me anything" in pages[0]
    assert not ISO_WEEK.search(pages[0]) and "Week" not in pages[0], pages[0]
    assert pages[0] == pages[1]
    pdfs = [_pdf_section(w, code) for code in TWINS]
    assert "Slow and nobody told me anything" in pdfs[0]
    assert not ISO_WEEK.search(pdfs[0]) and "Week" not in pdfs[0], pdfs[0]
    assert pdfs[0] == pdfs[1]


def _last_heading_before(section: str, marker: str) -> str | None:
    """The text of the last ``<h3>`` before ``marker`` in a page's comments section."""
    at = section.index(marker)
    headings = re.findall(r"<h3>(.*?)</h3>", section[:at], re.S)
    return re.sub(r"\s+", " ", headings[-1]).strip() if headings else None


@pytest.mark.postgres
@pytest.mark.parametrize("others_low", [11, 9], ids=["low-band-holds", "low-band-at-the-gate"])
def test_a_named_comment_does_not_tell_its_writers_score(
    app: Flask, session: Session, others_low: int
) -> None:
    """The attack: a respondent asks to be contacted about their comment, so it is printed
    with their name; listed under its overall-score band (or in a band-filtered view), it
    would publish their rating beside their name. The named person rated HR 1 and FIN 5,
    everyone else the same; with ``others_low`` = 9 the low band holds 10 people only if the
    named person is counted in it. Every view of both providers is the same, and the named
    comment is always listed apart, never under a band."""
    w = World.build(app, session, {"HR": 1, "FIN": 1, "ENG": 24})
    for provider, named_score in (("HR", 1), ("FIN", 5)):
        for i in range(1, 24):
            overall = (1 + i % 2) if i <= others_low else 4 + i % 2
            w.post_interaction(f"ENG-{i}", provider, overall, f"Comment number {i} on the desk")
        w.post_interaction(
            "ENG-0", provider, named_score, "Please call me about the laptops", consent=True
        )
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter()
    for query in ("", "&comment_band=1-2", "&comment_band=4-5", "&comment_band=3-5"):
        sections = [_page_section(w, code, query) for code in TWINS]
        assert sections[0].count(CONTACT) == 1, query
        assert _last_heading_before(sections[0], CONTACT) == "Asked to be contacted", query
        assert sections[0] == sections[1], query
    pdfs = [_pdf_section(w, code) for code in TWINS]
    named = pdfs[0].index("Please call me about the laptops")
    assert pdfs[0].rindex("Asked to be contacted", 0, named) > pdfs[0].rfind(
        "Overall score", 0, named
    )
    assert pdfs[0] == pdfs[1]
