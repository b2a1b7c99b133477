"""Journey 3: the self-assessment quiz in Italian with the keyboard alone (Tab, Space, arrows,
Enter; never a click): the language switch, every item, the optional department, the result,
then a retake whose result shows the earlier attempt."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from survey.services.quiz import ensure_quiz, item_keys, live_items
from survey.services.quiz_scoring import ItemKey
from tests.e2e.conftest import Org
from tests.e2e.flows import answer_quiz_with_keyboard, focused, quiz_answers, tab_until

pytestmark = pytest.mark.slow


def italian(app: Flask, text: str) -> str:
    """``text`` as the Italian catalog has it (failing when it is not translated)."""
    with app.test_request_context(), force_locale("it"):
        translated = gettext(text)
    assert translated != text, f"no Italian for {text!r}: run `make translations`"
    return translated


def quiz_keys(session: Session) -> list[ItemKey]:
    session.rollback()
    return item_keys(live_items(ensure_quiz(session)))


def test_quiz_in_italian_with_the_keyboard_alone(
    app, session, org: Org, server, new_context, shots
) -> None:
    page = new_context("desktop").new_page()
    page.goto(f"{server.url}/quiz")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The language switcher, from the keyboard.
    tab_until(page, lambda f: f["href"] == "?lang=it")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("h1")).to_have_text(italian(app, "What is your internal service IQ?"))
    shots(page, "quiz-in-italian", doc="quiz-it", doc_full_page=False)

    # Every item: Tab into its group, Space or arrows to choose; then the department.
    keys = quiz_keys(session)
    answer_quiz_with_keyboard(page, quiz_answers(keys, "middling"))
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "department"
    page.keyboard.press("ArrowDown")  # from "I prefer not to say" to the first department
    assert page.locator("select[name=department]").input_value() == "ENG"
    page.keyboard.press("Tab")
    assert focused(page)["text"] == italian(app, "See my result")
    shots(page, "answered")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/quiz/r/[\w-]+$", page.url), page.url
    result_url = page.url
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("h1")).to_have_text(italian(app, "Your internal service IQ"))
    first_iq = int(page.locator(".quiz-iq strong").inner_text())
    expect(page.locator(".quiz-progress-line")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Engineering")
    shots(page, "result", doc="quiz-result-it", doc_full_page=False)

    # The retake, reached from the result page with the keyboard.
    tab_until(page, lambda f: f["href"].endswith("/retake"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{result_url}/retake"
    expect(page.locator("html")).to_have_attribute("lang", "it")
    assert page.locator("select[name=department]").input_value() == "ENG"  # remembered
    answer_quiz_with_keyboard(page, quiz_answers(keys, "best"))
    tab_until(page, lambda f: f["text"] == italian(app, "See my result"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == result_url

    # The new result shows the earlier attempt: the change and a two-row history.
    best_iq = int(page.locator(".quiz-iq strong").inner_text())
    assert best_iq > first_iq
    progress = page.locator(".quiz-progress-line")
    expect(progress).to_contain_text(str(first_iq))
    expect(progress).to_contain_text(str(best_iq))
    expect(page.locator("h2#progress-heading")).to_have_text(italian(app, "Your progress"))
    expect(page.locator("table.quiz-history tbody tr")).to_have_count(2)
    page.locator("#progress-heading").evaluate("e => e.scrollIntoView()")  # for the camera
    shots(page, "retake-result", doc="quiz-progress-it", doc_full_page=False)
