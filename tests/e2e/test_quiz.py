"""Journey 3: the self-assessment quiz in three steps (habits, situations, your department),
with JavaScript (Italian) and without it: progress, Next and Back with every answer kept, the
result whose bars share one axis from 0 to 100, the private link (a copy button with
JavaScript, the link shown for copying by hand without), then a retake that shows progress.
Every quiz page is axe-core clean and has no horizontal scroll at 320 and 390 px."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy.orm import Session

from survey.quiz.scoring import ItemKey
from survey.quiz.services import ensure_quiz, item_keys, live_items
from tests.e2e.conftest import Org, check_accessibility
from tests.e2e.flows import quiz_answers

pytestmark = pytest.mark.slow


def italian(app: Flask, text: str) -> str:
    """``text`` as the Italian catalog has it (failing when it is not translated)."""
    with app.test_request_context(), force_locale("it"):
        translated = gettext(text)
    assert translated != text, f"no Italian for {text!r}: run `make translations`"
    return translated


def quiz_keys(session: Session) -> list[ItemKey]:
    session.rollback()
    keys = item_keys(live_items(ensure_quiz(session)))
    session.rollback()
    return keys


def answer_shown(page: Page, answers: Mapping[str, int]) -> int:
    """Click the chosen option of every item shown on this step; returns how many."""
    shown = page.eval_on_selector_all(
        "form fieldset.quiz-item", "els => els.map(e => e.querySelector('input').name)"
    )
    for code in shown:
        radio = page.locator(f"input[name='{code}'][value='{answers[code]}']")
        page.locator(f"label[for='{radio.get_attribute('id')}']").click()
        assert radio.is_checked(), code
    return len(shown)


def step_of(page: Page) -> int:
    return int(page.locator(".quiz-progress progress").get_attribute("value") or 0)


def press(page: Page, go: str) -> None:
    with page.expect_navigation():
        page.locator(f"button[name=go][value={go}]").click()


def no_horizontal_scroll(page: Page, where: str) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll on {where}: {widths}"


def narrow_checks(context_factory, url: str, answers: Mapping[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Each step and the result at 320 and 390 px: nothing wider than the screen."""
    for width in (320, 390):
        page = context_factory("phone", viewport={"width": width, "height": 800}).new_page()
        page.goto(url)
        for step in (1, 2):
            no_horizontal_scroll(page, f"step {step} at {width}px")
            answer_shown(page, answers)
            press(page, "next")
        no_horizontal_scroll(page, f"step 3 at {width}px")
        press(page, "submit")
        assert re.search(r"/quiz/r/[\w-]+$", page.url), page.url
        no_horizontal_scroll(page, f"the result at {width}px")


def bars_share_one_axis(page: Page) -> None:
    boxes = [m.bounding_box() for m in page.locator("td.quiz-bar meter").all()]
    assert len(boxes) >= 5 and all(boxes)
    assert len({round(b["x"]) for b in boxes}) == 1, boxes  # one starting line
    assert len({round(b["width"]) for b in boxes}) == 1, boxes  # one scale, 0 to 100


def test_quiz_in_three_steps_with_javascript(
    app, session, org: Org, server, new_context, shots, artifacts
) -> None:
    keys = quiz_keys(session)
    middling = quiz_answers(keys, "middling")
    context: BrowserContext = new_context("desktop")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.goto(f"{server.url}/quiz?lang=it")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    assert step_of(page) == 1
    expect(page.locator(".quiz-steps li[aria-current=step]")).to_have_text(italian(app, "Habits"))
    check_accessibility(page, "quiz step 1", artifacts)
    shots(page, "step-1", doc="quiz-it", doc_full_page=False)
    habits = answer_shown(page, middling)
    press(page, "next")

    assert step_of(page) == 2
    situations = answer_shown(page, middling)
    assert habits + situations == len(keys)
    check_accessibility(page, "quiz step 2", artifacts)
    press(page, "back")  # back: the habits are still answered
    assert step_of(page) == 1
    expect(page.locator("form input[type=radio]:checked")).to_have_count(habits)
    press(page, "next")
    expect(page.locator("form input[type=radio]:checked")).to_have_count(situations)
    press(page, "next")

    assert step_of(page) == 3
    page.locator("select[name=department]").select_option("ENG")
    check_accessibility(page, "quiz step 3", artifacts)
    press(page, "submit")
    assert re.search(r"/quiz/r/[\w-]+$", page.url), page.url
    result_url = page.url
    expect(page.locator("h1")).to_have_text(italian(app, "Your internal service IQ"))
    bars_share_one_axis(page)
    check_accessibility(page, "quiz result", artifacts)
    copy = page.locator("button[data-copy-target]")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.locator(".quiz-copy [role=status]")).to_have_text(italian(app, "Copied"))
    assert page.evaluate("() => navigator.clipboard.readText()") == result_url
    page.locator("#practices-heading").evaluate("e => e.scrollIntoView()")  # for the camera
    shots(page, "result", doc="quiz-result-it", doc_full_page=False)

    # A retake through the private link: the department is remembered, the result shows both.
    first_iq = int(page.locator(".quiz-iq strong").inner_text())
    page.goto(f"{result_url}/retake")
    best = quiz_answers(keys, "best")
    for _step in (1, 2):
        answer_shown(page, best)
        press(page, "next")
    assert page.locator("select[name=department]").input_value() == "ENG"
    press(page, "submit")
    assert page.url == result_url
    assert int(page.locator(".quiz-iq strong").inner_text()) > first_iq
    expect(page.locator("table.quiz-history tbody tr")).to_have_count(2)
    page.locator("#progress-heading").evaluate("e => e.scrollIntoView()")  # for the camera
    shots(page, "retake-result", doc="quiz-progress-it", doc_full_page=False)

    narrow_checks(new_context, f"{server.url}/quiz", middling)


def test_quiz_in_three_steps_without_javascript(
    session, org: Org, server, new_context, shots
) -> None:
    keys = quiz_keys(session)
    answers = quiz_answers(keys, "middling")
    context = new_context("desktop", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/quiz")
    assert step_of(page) == 1

    # Next with one habit unanswered: the step comes back with a link to it, answers kept.
    shown = page.eval_on_selector_all(
        "form fieldset.quiz-item", "els => els.map(e => e.querySelector('input').name)"
    )
    skipped = shown[3]
    for code in shown:
        if code != skipped:
            radio = page.locator(f"input[name='{code}'][value='{answers[code]}']")
            page.locator(f"label[for='{radio.get_attribute('id')}']").click()
    press(page, "next")
    assert step_of(page) == 1
    summary = page.locator(".quiz-errors")
    expect(summary).to_contain_text("1 question still needs an answer")
    expect(page.locator("form input[type=radio]:checked")).to_have_count(len(shown) - 1)
    shots(page, "one-missing")
    answer_shown(page, answers)
    press(page, "next")
    assert step_of(page) == 2
    answer_shown(page, answers)
    press(page, "back")
    expect(page.locator("form input[type=radio]:checked")).to_have_count(len(shown))
    press(page, "next")
    press(page, "next")
    assert step_of(page) == 3
    press(page, "submit")
    assert re.search(r"/quiz/r/[\w-]+$", page.url), page.url
    # Without JavaScript the copy button stays hidden; the link is there to copy by hand.
    expect(page.locator("button[data-copy-target]")).to_be_hidden()
    expect(page.locator("#quiz-private-url")).to_have_text(page.url)
    bars_share_one_axis(page)
    shots(page, "result")

    no_js = lambda device, **o: new_context(device, java_script_enabled=False, **o)  # noqa: E731
    narrow_checks(no_js, f"{server.url}/quiz", answers)
