"""The quarterly survey's steps (``survey.respond.sections.step``), without a browser or the
database: what is kept in the draft, where the respondent lands, and what a submit sends."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from forms.survey import QuestionSpec, make_survey_form
from survey.respond.sections import first_open_section, section_index, step

SPECS = (
    QuestionSpec("reliability", "likert5", "Reliable?", required=True),
    QuestionSpec("comment", "text", "Anything else?"),
)
IDS = [11, 22, 33]


@pytest.fixture
def posted(app):  # type: ignore[no-untyped-def]
    """A form of one section as posted (inside a request, as the view builds it)."""
    with app.test_request_context("/"):
        yield lambda **values: make_survey_form(
            SPECS, formdata=MultiDict(values), with_not_applicable=True
        )


def test_a_wrong_value_is_sent_back_and_never_kept(posted) -> None:  # type: ignore[no-untyped-def]
    draft: dict[str, Any] = {"sections": {}}
    for action in ("next", "back", "save", "submit"):
        taken = step(SPECS, draft, IDS, 1, action, posted(reliability="9", comment="x"))
        assert (taken.outcome, taken.index, taken.status, taken.keep) == ("show", 1, 422, False)
        assert taken.form is not None and taken.form["reliability"].errors
    assert draft == {"sections": {}}


def test_half_answered_sections_are_kept_by_back_and_save_only(posted) -> None:  # type: ignore[no-untyped-def]
    draft: dict[str, Any] = {}
    back = step(SPECS, draft, IDS, 1, "back", posted(comment="later"))
    assert (back.outcome, back.index, back.keep) == ("show", 0, True)
    assert draft["sections"]["22"]["comment"] == "later"
    assert step(SPECS, draft, IDS, 2, "save", posted(comment="x")).outcome == "saved"
    refused = step(SPECS, draft, IDS, 0, "next", posted(comment="no score"))
    assert (refused.status, refused.keep) == (422, False) and "11" not in draft["sections"]


def test_next_moves_on_and_an_unknown_action_counts_as_next(posted) -> None:  # type: ignore[no-untyped-def]
    draft: dict[str, Any] = {}
    assert step(SPECS, draft, IDS, 0, "next", posted(reliability="4")).index == 1
    assert step(SPECS, draft, IDS, 1, "jump", posted(reliability="5")).index == 2
    assert step(SPECS, draft, IDS, 2, "next", posted(reliability="3")).index == 2  # the last


def test_submit_lands_on_the_first_incomplete_section(posted) -> None:  # type: ignore[no-untyped-def]
    draft: dict[str, Any] = {"sections": {"11": {"reliability": "4", "comment": ""}}}
    taken = step(SPECS, draft, IDS, 2, "submit", posted(reliability="2"))
    assert (taken.outcome, taken.index, taken.status, taken.incomplete) == ("show", 1, 422, True)
    assert taken.keep and draft["sections"]["33"]["reliability"] == "2"
    assert first_open_section(draft, IDS, SPECS) == 1


def test_submit_sends_every_rated_section_and_leaves_skipped_ones_out(posted) -> None:  # type: ignore[no-untyped-def]
    draft: dict[str, Any] = {"sections": {"11": {"reliability": "4", "comment": " kind "}}}
    step(SPECS, draft, IDS, 1, "next", posted(not_applicable="y"))
    taken = step(SPECS, draft, IDS, 2, "submit", posted(reliability="1"))
    assert taken.outcome == "submit"
    assert taken.answers == {
        11: {"reliability": 4, "comment": "kind"},
        33: {"reliability": 1, "comment": None},
    }


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 2), ("0", 0), ("2", 2), ("7", 2), ("-3", 0), ("x", 1), ("", 1)]
)
def test_section_index_stays_within_the_sections(raw, expected) -> None:  # type: ignore[no-untyped-def]
    assert section_index(raw, 3, 2 if raw is None else 1) == expected
