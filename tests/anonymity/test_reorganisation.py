"""Attacks by changes an administrator makes to the directory between two readings of a
released quarter (people erased, moved, deactivated): nothing published about the quarter may
move so that a reader learns what fewer than k people answered.

Each test reads the released quarter, makes the change through the service an administrator
uses, then reads again as a freshly started process would (the per-process caches emptied:
another worker, or the service restarted).
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey.scorecards.services import scorecard_comments, scorecard_snapshot
from survey.services.erasure import erase_person
from tests.anonymity.test_comment_attacks import (
    CONTACT,
    TWINS,
    _last_heading_before,
    _page_section,
    _pdf_section,
)
from tests.anonymity.world import World
from tests.factories import file_submissions

NAMED = "Please call me about the laptops"
BAND_VIEWS = ("", "&comment_band=1-2", "&comment_band=4-5", "&comment_band=3-5")


def _new_process() -> None:
    """What a restarted service (or another worker) holds: no comment rows read before."""
    scorecard_comments._cache.clear()
    scorecard_snapshot._comments_cache.clear()


@pytest.mark.postgres
def test_erasing_a_person_does_not_file_their_named_comment_under_their_score(
    app: Flask, session: Session
) -> None:
    """The attack: ENG-0 asked to be contacted about a comment, which the department page
    printed with their name, apart from the score bands. After the quarter's release ENG-0 is
    erased (a GDPR request). Erasure cleared the comment's contact, so the same text came
    back as an anonymous comment, under the score band of ENG-0's answer (and counted among
    the anonymous respondents of the bands): a reader who had read the page before learned
    ENG-0's rating. Twin providers: ENG-0 rated HR 1 and FIN 5, everyone else the same; every
    view of both must stay the same after the erasure, the comment apart."""
    w = World.build(app, session, {"HR": 1, "FIN": 1, "ENG": 24})
    for provider, named_score in (("HR", 1), ("FIN", 5)):
        for i in range(1, 24):
            overall = (1 + i % 2) if i <= 11 else 4 + i % 2
            w.post_interaction(f"ENG-{i}", provider, overall, f"Comment number {i} on the desk")
        w.post_interaction("ENG-0", provider, named_score, NAMED, consent=True)
    file_submissions(app)  # the answers filed in their own quarter, before time passes
    w.end_quarter()
    before = {query: [_page_section(w, code, query) for code in TWINS] for query in BAND_VIEWS}
    assert before["&comment_band=1-2"][0].count("Comment number") > 0, "no control: no bands"
    for query, sections in before.items():
        assert sections[0].count(CONTACT) == 1, query
        assert sections[0] == sections[1], query

    erase_person(session, w.people["ENG-0"].email, actor=None)
    session.commit()
    _new_process()
    for query in BAND_VIEWS:
        sections = [_page_section(w, code, query) for code in TWINS]
        assert sections[0] == sections[1], f"ENG-0's score shows after the erasure ({query})"
        assert sections[0].count(NAMED) == 1, query
        assert _last_heading_before(sections[0], NAMED) == "Asked to be contacted", query
    pdfs = [_pdf_section(w, code) for code in TWINS]
    assert pdfs[0] == pdfs[1]
