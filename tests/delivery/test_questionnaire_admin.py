"""Admin: the order of a questionnaire's questions and the words of a scale's points.

An administrator could add, reword and retire questions but not put them in another order,
nor say what the points of a scale mean: a question added last stayed last, and "1 – Very
poor .. 5 – Excellent" could not become "1 – Never .. 5 – Always"."""

from __future__ import annotations

from html import unescape

import pytest

from survey.models import Question, Questionnaire
from survey.services.questionnaires import (
    install_default_questionnaires,
    move_question,
    retire_question,
)
from tests.admin.test_audit import entries
from tests.conftest import post_form


def _live_codes(session, questionnaire_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    session.rollback()
    session.expire_all()
    questions = session.get(Questionnaire, questionnaire_id).questions
    return [q.code for q in sorted(questions, key=lambda q: q.position) if q.retired_at is None]


def _order_on(page: str, codes: list[str]) -> list[str]:
    """``codes`` in the order their fields appear on a respondent page."""
    return sorted(codes, key=lambda code: page.index(f'id="q-{code}"'))


@pytest.fixture
def post_interaction(session):  # type: ignore[no-untyped-def]
    questionnaire = install_default_questionnaires(session)["post_interaction"]
    session.commit()
    return questionnaire


def test_moving_a_question_changes_the_order_respondents_see(
    admin_client, client, session, org, invite, post_interaction
) -> None:
    pi_id = post_interaction.id
    before = _live_codes(session, pi_id)
    assert len(before) >= 3
    second = next(q for q in post_interaction.questions if q.code == before[1])
    # Read before the move: the respondent pages keep a copy per questionnaire revision.
    first_page = client.get(f"/r/{invite('post_interaction', org.person(1))}")
    assert _order_on(first_page.get_data(as_text=True), before[:2]) == before[:2]

    moved = post_form(admin_client, f"/admin/questions/{second.id}/move", {"direction": "up"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"#question-{second.id}")
    after = _live_codes(session, pi_id)
    assert after == [before[1], before[0], *before[2:]]
    page = client.get(f"/r/{invite('post_interaction', org.person(2))}").get_data(as_text=True)
    assert _order_on(page, before[:2]) == [before[1], before[0]]
    audit = [e for e in entries(session, "question") if e.action == "move"]
    assert [e.changes for e in audit] == [{"place": [2, 1]}]

    admin_page = unescape(admin_client.get(f"/admin/questionnaires/{pi_id}").get_data(as_text=True))
    assert admin_page.index(f'id="question-{second.id}"') < admin_page.index(
        f'id="question-{next(q.id for q in post_interaction.questions if q.code == before[0])}"'
    )


def test_a_question_at_an_end_or_retired_does_not_move(
    admin_client, session, post_interaction
) -> None:
    pi_id = post_interaction.id
    before = _live_codes(session, pi_id)
    by_code = {q.code: q.id for q in session.get(Questionnaire, pi_id).questions}
    first, last = by_code[before[0]], by_code[before[-1]]
    page = post_form(admin_client, f"/admin/questions/{first}/move", {"direction": "up"})
    assert page.status_code == 302
    post_form(admin_client, f"/admin/questions/{last}/move", {"direction": "down"})
    assert _live_codes(session, pi_id) == before
    assert "already at that end" in admin_client.get(f"/admin/questionnaires/{pi_id}").get_data(
        as_text=True
    )
    # Neither a direction it does not know nor a question of no questionnaire it may edit.
    assert (
        post_form(admin_client, f"/admin/questions/{first}/move", {"direction": "sideways"})
    ).status_code == 400
    assert (
        post_form(admin_client, "/admin/questions/999999/move", {"direction": "up"}).status_code
        == 404
    )
    # A retired question (of an answered questionnaire) keeps its place and is not moved.
    retired = session.get(Question, by_code[before[1]])
    retire_question(session, retired)
    session.commit()
    place = retired.position
    moved = post_form(admin_client, f"/admin/questions/{retired.id}/move", {"direction": "up"})
    assert moved.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Question, retired.id).position == place
    assert [e for e in entries(session, "question") if e.action == "move"] == []


def test_questions_sharing_a_position_move_one_place(session, post_interaction) -> None:
    """Questions written with the same position (an older install, a hand-made import) are
    numbered in the order shown first: a move is one place, never a jump."""
    questions = sorted(post_interaction.questions, key=lambda q: (q.position, q.id))
    for question in questions:
        question.position = 0
    session.flush()
    third = questions[2]
    assert move_question(session, third, -1) is True
    order = [q.code for q in sorted(post_interaction.questions, key=lambda q: q.position)]
    assert order == [questions[0].code, third.code, questions[1].code] + [
        q.code for q in questions[3:]
    ]
    with pytest.raises(ValueError):
        move_question(session, third, 2)


def _words_form(question: Question, **labels: str) -> dict[str, str]:
    data = {}
    for loc in ("en", "it", "fr"):
        data[f"prompt_{loc}"] = question.text(loc)
        data[f"help_{loc}"] = question.text(loc, "help")
        data[f"labels_{loc}"] = labels.get(loc, "\n".join(question.texts[loc]["labels"]))
    return data


def test_an_administrator_words_the_points_of_a_scale(
    admin_client, client, session, org, invite, post_interaction
) -> None:
    effort = next(q for q in post_interaction.questions if q.code == "effort")
    page = admin_client.get(f"/admin/questions/{effort.id}").get_data(as_text=True)
    assert "labels_fr" in page and unescape(page).count("Très facile") == 1  # today's words
    words = "Jamais\nRarement\nParfois\nSouvent\nToujours"
    saved = post_form(admin_client, f"/admin/questions/{effort.id}", _words_form(effort, fr=words))
    assert saved.status_code == 302
    session.rollback()
    session.expire_all()
    effort = session.get(Question, effort.id)
    assert effort.texts["fr"]["labels"] == words.split("\n")
    assert effort.texts["en"]["labels"][-1] == "Very easy"  # the other languages as they were
    person = org.person(3)
    person.locale = "fr"
    session.commit()
    respondent = unescape(
        client.get(f"/r/{invite('post_interaction', person)}").get_data(as_text=True)
    )
    field = respondent[respondent.index('id="q-effort"') :]
    field = field[: field.index("</fieldset>")]
    assert "1 – Jamais" in field and "5 – Toujours" in field
    assert [e.action for e in entries(session, "question")] == ["edit"]


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("Un\nDeux\nTrois", "Give 5 lines"),
        ("\nDeux\nTrois\nQuatre\nCinq", "Name at least the two ends"),
        ("x" * 61 + "\nb\nc\nd\ne", "at most 60 characters"),
        ("", "Give 5 lines"),
    ],
)
def test_wrong_scale_words_show_the_form_again_with_what_was_typed(
    admin_client, session, post_interaction, typed, error
) -> None:
    effort = next(q for q in post_interaction.questions if q.code == "effort")
    before = dict(effort.texts)
    data = _words_form(effort, it=typed)
    data["prompt_fr"] = "Nouvelle question ?"
    page = post_form(admin_client, f"/admin/questions/{effort.id}", data)
    assert page.status_code == 422
    html = unescape(page.get_data(as_text=True))
    assert error in html
    assert "Nouvelle question ?" in html
    assert typed.strip() == "" or typed.split("\n")[1] in html
    session.rollback()
    session.expire_all()
    assert session.get(Question, effort.id).texts == before


def test_two_lines_name_the_ends_of_a_long_scale(admin_client, session, post_interaction) -> None:
    """Eleven lines for a 0-to-10 scale, nine of them empty, is no way to ask: two lines are
    its two ends."""
    install_default_questionnaires(session)
    url = f"/admin/questionnaires/{post_interaction.id}"
    texts = {f"prompt_{loc}": f"Q {loc}" for loc in ("en", "it", "fr")}
    assert (
        post_form(admin_client, url, {"code": "again", "qtype": "nps", **texts}).status_code == 302
    )
    session.rollback()
    session.expire_all()
    again = next(
        q for q in session.get(Questionnaire, post_interaction.id).questions if q.code == "again"
    )
    page = admin_client.get(f"/admin/questions/{again.id}").get_data(as_text=True)
    assert "labels_en" in page
    saved = post_form(
        admin_client,
        f"/admin/questions/{again.id}",
        _words_form(again, en="Never\nCertainly\n\n"),
    )
    assert saved.status_code == 302
    session.rollback()
    session.expire_all()
    assert session.get(Question, again.id).texts["en"]["labels"] == [
        "Never",
        *[""] * 9,
        "Certainly",
    ]


def test_a_question_without_a_scale_has_no_words_to_edit(
    admin_client, session, post_interaction
) -> None:
    comment = next(q for q in post_interaction.questions if q.code == "comment")
    page = admin_client.get(f"/admin/questions/{comment.id}").get_data(as_text=True)
    assert "labels_en" not in page
    data = {f"prompt_{loc}": comment.text(loc) for loc in ("en", "it", "fr")}
    assert post_form(admin_client, f"/admin/questions/{comment.id}", data).status_code == 302
    session.rollback()
    session.expire_all()
    assert "labels" not in session.get(Question, comment.id).texts["en"]
