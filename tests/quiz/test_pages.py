"""The quiz pages: a plain form that works without JavaScript in every language, answers kept
on every refusal, a private unguessable result address, retakes showing progress."""

from __future__ import annotations

import hashlib
import re
from html import unescape

import pytest
from sqlalchemy import select, text

from survey.models import QuizAttempt
from survey.quiz.items import BAND_TEXTS, ITEMS, PRACTICE_TEXTS
from tests.conftest import csrf_token
from tests.quiz.conftest import best, form_data, key_of, worst


def attempts(session) -> list[QuizAttempt]:  # type: ignore[no-untyped-def]
    session.rollback()
    return list(session.scalars(select(QuizAttempt)))


def checked(html: str, name: str, value: str) -> bool:
    pattern = (
        rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked'
        rf'|<input[^>]*checked[^>]*name="{name}"[^>]*value="{value}"'
        rf'|<input[^>]*name="{name}"[^>]*checked[^>]*value="{value}"'
    )
    return re.search(pattern, html) is not None


@pytest.mark.parametrize("lang", ["en", "it", "fr"])
def test_quiz_renders_and_submits_without_javascript(
    lang, client, session, quiz, keys, take
) -> None:
    page = client.get(f"/quiz?lang={lang}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert "<script" not in html
    assert '<form method="post" action="/quiz"' in html
    # Three steps: the habits first, then (after "Next") the situations.
    assert "Step 1 of 3" in html or "1/3" in html
    step2 = client.post(
        f"/quiz?lang={lang}",
        data={
            "csrf_token": csrf_token(client, "/quiz"),
            "step": "1",
            "go": "next",
            **form_data(best(keys)),
        },
    )
    assert step2.status_code == 200
    html2 = step2.get_data(as_text=True)
    # Every item is a fieldset with a legend, in the chosen language, with labelled radios.
    assert html.count("<fieldset") + html2.count("<fieldset") == len(keys) == 22
    html = html + html2
    for item in ITEMS:
        assert unescape(item["texts"][lang]["prompt"]) in unescape(html)
    for key in keys:
        assert re.search(rf'<input[^>]*id="{key.code}-0"[^>]*type="radio"', html) or re.search(
            rf'<input[^>]*type="radio"[^>]*id="{key.code}-0"', html
        )
        assert f'<label for="{key.code}-0">' in html
    assert 'name="department"' in html
    assert '<input type="hidden" name="lang" value="' + lang + '">' in html

    response = take(best(keys), lang=lang)
    key = key_of(response)
    result = client.get(f"/quiz/r/{key}")
    body = unescape(result.get_data(as_text=True))
    assert result.status_code == 200
    assert f'<html lang="{lang}">' in body
    assert "145" in body
    assert BAND_TEXTS["champion"][lang]["name"] in body
    assert PRACTICE_TEXTS["standards"][lang]["name"] in body
    [stored] = attempts(session)
    assert stored.locale == lang and stored.scores["iq"] == 145


@pytest.mark.postgres
def test_missing_answers_show_the_form_again_with_answers_kept(
    client, session, keys, take, make_department
) -> None:
    make_department(code="FIN", name="Finance")
    answers = best(keys)
    del answers["self_clarity"]
    del answers["case_lateral"]
    answers["case_standards"] = 1
    response = take(answers, department="FIN")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert attempts(session) == []
    # The form comes back at the first step with a missing item: one clear error next to it,
    # and a summary linking to it.
    assert "Step 1 of 3" in html
    assert html.count("Please choose an answer.") == 1
    assert 'id="self_clarity-error"' in html
    assert 'aria-describedby="self_clarity-error"' in html
    assert '<a href="#self_clarity-0">' in html
    assert "1 question still needs an answer" in html
    # Everything answered stays: checked on this step, carried along for the others.
    assert checked(html, "self_standards", "5")
    assert checked(html, "self_courtesy", "1")
    assert '<input type="hidden" name="case_standards" value="1">' in html
    assert '<input type="hidden" name="department" value="FIN">' in html
    assert not checked(html, "self_clarity", "5")
    # With the habit answered, the final submit shows the situation still missing.
    answers["self_clarity"] = 5
    response = take(answers, department="FIN")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Step 2 of 3" in html
    assert 'id="case_lateral-error"' in html and '<a href="#case_lateral-0">' in html
    assert checked(html, "case_standards", "1")


def test_an_answer_that_is_not_a_choice_is_refused(session, keys, take) -> None:
    response = take({**best(keys), "self_standards": 9, "case_clarity": 3})
    assert response.status_code == 422
    assert attempts(session) == []


def test_an_unknown_department_is_refused(session, keys, take) -> None:
    response = take(best(keys), department="NOPE")
    assert response.status_code == 422
    assert attempts(session) == []


def test_expired_form_keeps_the_answers(client, session, keys) -> None:
    client.get("/quiz")
    # No CSRF token, posted from the first step: it comes back with every answer.
    response = client.post("/quiz", data=form_data(best(keys), step="1", go="next"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert checked(html, "self_standards", "5")
    assert '<input type="hidden" name="case_standards" value="' in html
    assert "Your answers are still here" in html
    assert attempts(session) == []


def test_get_changes_nothing(client, session, quiz) -> None:
    client.get("/quiz")
    client.get("/quiz?lang=fr")
    client.head("/quiz")
    assert attempts(session) == []
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM questionnaires WHERE kind = 'quiz'")) == 1


@pytest.mark.postgres
def test_the_first_visit_installs_the_quiz_once(client, session) -> None:
    assert client.get("/quiz").status_code == 200
    assert client.get("/quiz").status_code == 200
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM questionnaires WHERE kind = 'quiz'")) == 1
    assert session.scalar(text("SELECT count(*) FROM questions")) == 22


@pytest.mark.postgres
def test_result_address_is_private_and_only_its_hash_is_stored(client, session, keys, take) -> None:
    key = key_of(take(best(keys)))
    assert len(key) >= 22  # 128 random bits, URL-safe base64
    [stored] = attempts(session)
    assert stored.series_hash == hashlib.sha256(key.encode()).hexdigest()
    dump = " ".join(
        str(v) for row in session.execute(text("SELECT * FROM quiz_attempts")) for v in row
    )
    assert key not in dump
    page = client.get(f"/quiz/r/{key}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert f"http://localhost/quiz/r/{key}" in page.get_data(as_text=True)
    assert f'href="/quiz/r/{key}/retake"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/quiz/r/AAAAAAAAAAAAAAAAAAAAAA",
        "/quiz/r/short",
        "/quiz/r/AAAAAAAAAAAAAAAAAAAAAA/retake",
        "/quiz/r/" + "x" * 200,
    ],
)
def test_unknown_key_gives_404(client, quiz, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "We do not recognise this result address" in response.get_data(as_text=True)


def test_unknown_key_retake_post_gives_404_and_stores_nothing(client, session, keys, take) -> None:
    response = take(best(keys), url="/quiz/r/AAAAAAAAAAAAAAAAAAAAAA/retake")
    assert response.status_code == 404
    assert attempts(session) == []


@pytest.mark.postgres
def test_retake_through_the_private_link_shows_progress(
    client, session, keys, take, make_department
) -> None:
    make_department(code="OPS", name="Operations")
    key = key_of(take(worst(keys), department="OPS"))
    retake_url = f"/quiz/r/{key}/retake"
    form = client.get(retake_url)
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert f'action="{retake_url}"' in html
    assert '<input type="hidden" name="department" value="OPS">' in html
    assert not checked(html, "self_standards", "1")  # a fresh form, not the old answers

    again = take(best(keys), url=retake_url, department="OPS")
    assert key_of(again) == key
    rows = sorted(attempts(session), key=lambda a: a.scores["sequence"])
    assert [a.scores["sequence"] for a in rows] == [1, 2]
    assert len({a.series_hash for a in rows}) == 1
    assert [a.scores["iq"] for a in rows] == [55, 145]

    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "Your progress" in page
    assert "from 55 to 145" in page
    assert page.count("+100") == 11  # every practice went from 0 to 100
    history = page[page.index('class="quiz-history"') :]
    assert history.index(">55<") < history.index(">145<")  # oldest first


def test_retake_on_the_same_day_keeps_the_order(client, session, keys, take) -> None:
    key = key_of(take(best(keys)))
    key_of(take(worst(keys), url=f"/quiz/r/{key}/retake"))
    key_of(take(best(keys), url=f"/quiz/r/{key}/retake"))
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    assert "from 55 to 145" in page  # latest is the third attempt
    assert len(attempts(session)) == 3


def test_result_page_lists_tips_for_the_two_weakest_practices(client, keys, take) -> None:
    answers = best(keys)
    answers["self_lateral"] = 5  # reverse-scored: 0 points
    answers["case_lateral"] = keys[[k.code for k in keys].index("case_lateral")].ratings.index(
        "poor"
    )
    answers["self_recognition"] = 3  # 50
    key = key_of(take(answers, lang="en"))
    page = unescape(client.get(f"/quiz/r/{key}").get_data(as_text=True))
    tips = page[page.index('id="tips-heading"') :]
    lateral, recognition = PRACTICE_TEXTS["lateral"]["en"], PRACTICE_TEXTS["recognition"]["en"]
    assert tips.index(lateral["name"]) < tips.index(recognition["name"])  # 0 before 75
    for texts in (lateral, recognition):
        assert texts["try"] in tips
        for tip in texts["tips"]:
            assert tip in tips
    assert "Try this week:" in tips


def test_the_result_dates_are_written_in_the_takers_language(client, session, keys, take) -> None:
    """ "Auto-évaluation du 2026-12-06" read like a database: the result page writes its
    dates as the rest of the page does, in the language of the attempt."""
    from babel.dates import format_date

    key = key_of(take(worst(keys), lang="fr"))
    key_of(take(best(keys), url=f"/quiz/r/{key}/retake", lang="fr"))
    [taken_on] = {a.taken_on for a in attempts(session)}
    page = unescape(client.get(f"/quiz/r/{key}?lang=fr").get_data(as_text=True))
    assert taken_on.isoformat() not in page
    assert f"Auto-évaluation du {format_date(taken_on, 'medium', locale='fr')}" in page


def test_the_result_names_the_department_in_the_takers_language(
    client, keys, take, make_department
) -> None:
    """The result page said "You named Finance" to someone who chose "Finanza" from the
    quiz's own list: the department is named as the list named it."""
    make_department(code="FIN", name="Finance", names={"it": "Finanza", "fr": "Finances"})
    key = key_of(take(best(keys), lang="it", department="FIN"))
    page = unescape(client.get(f"/quiz/r/{key}?lang=it").get_data(as_text=True))
    assert "Finanza" in page and "Finance" not in page
