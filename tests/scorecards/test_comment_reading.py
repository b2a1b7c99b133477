"""The department page's comments: grouped by survey question and overall score band,
filtered with a plain GET form, duplicates folded, no week, every group behind the comment
gate of 10 people, named comments apart."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from survey.respond.services.responses import ResponseInput, bulk_store_responses
from tests.pdf_text import page_texts
from tests.scorecards.conftest import Org, api_get

Q = "2026Q1"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _comments_section(page: str) -> str:
    start = page.index('id="comments-heading"')
    return page[start : page.index("</section>", start)]


def answer(
    org: Org,
    kind: str,
    scores_and_comments: list[tuple[int, str | None]],
    week: str = "2026-W05",
    provider: str = "IT",
    same_person: bool = False,
) -> None:
    """One response per (overall score, comment), each from a new person (or all from one)."""
    person = f"test-{secrets.token_hex(8)}"
    items = []
    for score, comment in scores_and_comments:
        answers: dict[str, Any] = {"overall": score}
        if kind == "quarterly":
            answers.update(dict.fromkeys(("reliability", "responsiveness"), 4))
        if comment is not None:
            answers["comment"] = comment
        items.append(
            ResponseInput(
                kind=kind,
                provider_department_id=org.id(provider),
                customer_department_id=org.id("SALES"),
                quarter=Q,
                iso_week=week,
                answers=answers,
                respondent=person if same_person else f"test-{secrets.token_hex(8)}",
            )
        )
    bulk_store_responses(org.session, org.questionnaires, items)
    org.session.commit()


def _question_id(org: Org, kind: str) -> int:
    return next(q.id for q in org.questionnaires[kind].questions if q.code == "comment")


@pytest.mark.postgres
def test_a_lone_low_score_is_never_shown_beside_its_comment(
    admin_client, org: Org, backend
) -> None:
    """The attack: eleven people rated 5, one rated 1 and wrote "Awful". A band split would
    print that person's score next to their words: it is not offered, and asking for it by
    URL is refused."""
    answer(org, "post_interaction", [(5, "Great") for _ in range(3)] + [(5, None)] * 8)
    answer(org, "post_interaction", [(1, "Awful")], week="2026-W06")
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "Awful" in page and "Great" in page
    assert "Overall score" not in page and 'name="comment_band"' not in page
    asked = _comments_section(
        _text(admin_client.get(f"/scorecards/IT?quarter={Q}&comment_band=1-2"))
    )
    assert "This filter is not available" in asked
    assert "Overall score 1 to 2" not in asked and "Great" in asked  # everything, unsplit


@pytest.mark.postgres
def test_bands_filter_and_folded_duplicates_without_weeks(admin_client, org: Org, backend) -> None:
    answer(org, "post_interaction", [(1, "Too slow")] * 3 + [(2, None)] * 7, week="2026-W03")
    answer(org, "post_interaction", [(5, "Thank you")] + [(4, None)] * 9, week="2026-W07")
    answer(org, "post_interaction", [(2, "Too slow")], week="2026-W09")
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert '<form method="get"' in page and 'name="comment_band"' in page
    assert "Overall score 1 to 2" in page and "Overall score 4 to 5" in page
    # Folded: four responses said "Too slow", in two weeks; neither week nor day is shown.
    assert page.count("Too slow") == 1
    assert "4 responses say this" in page
    assert "Week" not in page and not re.search(r"\d{4}-W\d\d", page)
    low = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}&comment_band=1-2")))
    assert "Too slow" in low and "Thank you" not in low
    assert 'value="1-2" selected' in low
    high = _comments_section(
        _text(admin_client.get(f"/scorecards/IT?quarter={Q}&comment_band=4-5"))
    )
    assert "Thank you" in high and "Too slow" not in high


def test_groups_by_survey_and_filter(admin_client, org: Org) -> None:
    answer(org, "post_interaction", [(4, "About my ticket")] + [(4, None)] * 9)
    answer(org, "quarterly", [(4, "About the quarter")] + [(4, None)] * 9)
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert 'name="comment_group"' in page
    assert "<h3>After a request</h3>" in page and "<h3>Quarterly survey</h3>" in page
    quarterly = _question_id(org, "quarterly")
    only = _comments_section(
        _text(admin_client.get(f"/scorecards/IT?quarter={Q}&comment_group={quarterly}"))
    )
    assert "About the quarter" in only and "About my ticket" not in only


def test_a_small_group_is_not_split_off(admin_client, org: Org) -> None:
    answer(org, "post_interaction", [(4, "About my ticket")] + [(4, None)] * 11)
    answer(org, "quarterly", [(4, "About the quarter")] + [(4, None)] * 3)  # four people
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "About my ticket" in page and "About the quarter" in page
    assert 'name="comment_group"' not in page and "<h3>Quarterly survey</h3>" not in page
    quarterly = _question_id(org, "quarterly")
    asked = _comments_section(
        _text(admin_client.get(f"/scorecards/IT?quarter={Q}&comment_group={quarterly}"))
    )
    assert "This filter is not available" in asked and "About my ticket" in asked


def test_one_person_answering_often_does_not_count_as_many(admin_client, org: Org) -> None:
    """Ten low responses from one person are one person: no low band of its own."""
    answer(org, "post_interaction", [(1, "Never again")] * 10, same_person=True)
    answer(org, "post_interaction", [(5, "Fine")] + [(5, None)] * 11)
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "Never again" in page and "Overall score" not in page


def test_below_the_comment_gate_nothing_is_shown(admin_client, org: Org) -> None:
    answer(org, "post_interaction", [(1, "Secret words")] + [(5, None)] * 8)  # nine people
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "Secret words" not in page and "Week" not in page
    page = _text(admin_client.get(f"/scorecards/IT?quarter={Q}&comment_band=1-2"))
    assert "Secret words" not in page


@pytest.mark.parametrize(
    "query", ["comment_band=%3Cscript%3E", "comment_group=" + "9" * 500, "comment_band=3-5"]
)
def test_bad_filters_are_refused_cleanly(admin_client, org: Org, query: str) -> None:
    answer(org, "post_interaction", [(3, "Middle")] + [(3, None)] * 10)
    response = admin_client.get(f"/scorecards/IT?quarter={Q}&{query}")
    assert response.status_code == 200
    page = _comments_section(_text(response))
    assert "This filter is not available" in page and "Middle" in page
    assert "<script>" not in page


def test_comments_in_italian(admin_client, org: Org) -> None:
    answer(org, "post_interaction", [(1, "Lento")] * 10 + [(5, "Bravi")] * 10)
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}&lang=it")))
    assert "10 risposte dicono questo" in page and "Settimana" not in page


@pytest.mark.parametrize(
    ("low_here", "low_there"),
    [(1, 0), (9, 0), (9, 4)],
    ids=["one-low-scorer", "nine-low-scorers", "nine-against-four"],
)
def test_twin_departments_show_the_same_comments_whatever_a_small_band_scored(
    admin_client, org: Org, low_here: int, low_there: int
) -> None:
    """IT and HR have the same comments from the same number of people; only the overall
    scores of fewer than 10 people differ (low in one, high in the other). Whatever filter
    is asked for, the two comment sections are identical byte for byte."""
    for code, low in (("IT", low_here), ("HR", low_there)):
        comments = ["Awful", "Slow", "Fine", "Great", "Great"]
        scores = [1] * low + [5] * (13 - low)
        answer(
            org,
            "post_interaction",
            [(s, comments[i] if i < len(comments) else None) for i, s in enumerate(scores)],
            provider=code,
        )
    for query in (
        "",
        "&comment_band=1-2",
        "&comment_band=4-5",
        "&comment_band=1-5",
        "&comment_group=1",
    ):
        sections = [
            _comments_section(_text(admin_client.get(f"/scorecards/{code}?quarter={Q}{query}")))
            for code in ("IT", "HR")
        ]
        assert "Awful" in sections[0]
        assert sections[0] == sections[1], query


def test_named_comments_are_listed_apart_and_unfiltered(admin_client, org: Org) -> None:
    """A comment whose writer asked to be contacted is under its own heading, with the name,
    in every view: never under a band or a question, never dropped by a filter."""
    answer(org, "post_interaction", [(1, "Too slow")] * 3 + [(2, None)] * 7)
    answer(org, "post_interaction", [(5, "Thank you")] + [(4, None)] * 9)
    org.post_interaction("IT", "SALES", Q, [1], "Call me", contact_person_id=org.requester.id)
    contact = f"{org.requester.name} would like to be contacted about this comment."
    for query in ("", "&comment_band=1-2", "&comment_band=4-5"):
        page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}{query}")))
        assert 'name="comment_band"' in page, query
        named = page.index("Call me")
        assert page.count("Call me") == 1 and contact in page, query
        assert page.rindex("<h3>Asked to be contacted</h3>", 0, named) > page.rfind(
            "Overall score", 0, named
        ), query


def test_unnamed_comments_wait_for_ten_people_besides_the_named(admin_client, org: Org) -> None:
    """Ten people answered (the page's comment gate), one asked to be contacted: the other
    comments could only be from the nine others, and are withheld; the named one is shown."""
    answer(org, "post_interaction", [(2, "Only nine of us")] + [(5, None)] * 8)
    org.post_interaction("IT", "SALES", Q, [1], "Call me", contact_person_id=org.requester.id)
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "Call me" in page and "Only nine of us" not in page
    assert "once at least 10 people who did not ask to be contacted have answered" in page
    pdf = admin_client.get(f"/scorecards/IT.pdf?quarter={Q}").get_data()
    printed = re.sub(r"\s+", " ", " ".join(page_texts(pdf)))
    assert "Call me" in printed and "Only nine of us" not in printed
    assert "who did not ask to be contacted have answered" in printed
    # The API counts the comments the page shows: the withheld one is not even counted.
    api = api_get(admin_client, org, f"/api/v1/departments/IT/scorecard?quarter={Q}")
    assert api.get_json()["comments"] == {"visible": True, "count": 1, "reason": None}
    answer(org, "post_interaction", [(5, None)])
    page = _comments_section(_text(admin_client.get(f"/scorecards/IT?quarter={Q}")))
    assert "Call me" in page and "Only nine of us" in page
    api = api_get(admin_client, org, f"/api/v1/departments/IT/scorecard?quarter={Q}")
    assert api.get_json()["comments"]["count"] == 2
