"""Steps shared by the journeys: reading the emails, answering the survey forms and the quiz as
a person would (a tap or a click on a label, or the keyboard alone), and running the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from playwright.sync_api import Page

from survey.quiz.scoring import FREQUENCY, ItemKey
from tests.factories import best_answer

FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), name: e.getAttribute('name') || '',
          type: e.getAttribute('type') || '', value: e.value || '',
          href: e.getAttribute('href') || '', text: (e.innerText || '').trim()};
}"""


def cli(app: Flask, runner: FlaskCliRunner, *args: str, **config: Any) -> str:
    """Run ``flask survey <args>`` on the test's app (the server's database) and return its
    output; ``config`` overrides settings first (BASE_URL, SMTP_URL)."""
    app.config.update(config)
    result = runner.invoke(args=["survey", *args])
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def message_to(messages: list[EmailMessage], address: str) -> EmailMessage:
    found = [m for m in messages if m["To"].addresses[0].addr_spec == address]
    assert len(found) == 1, [m["To"] for m in messages]
    return found[0]


def survey_link(message: EmailMessage, base_url: str) -> str:
    """The survey link of an email's plain-text part (not the opt-out or rating links)."""
    text = message.get_body(("plain",)).get_content()
    links = [
        url for url, rest in re.findall(rf"({re.escape(base_url)}/r/[\w-]+)(\S*)", text) if not rest
    ]
    assert links, text
    return links[0]


def html_body(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


def choose_on_every_scale(page: Page, value: str = "4", *, touch: bool = False) -> int:
    """On every radio question of the page's form pick the option ``value`` (or the first one
    when the question has no such value) by its label: a tap on a phone, a click otherwise.
    Returns how many questions were answered."""
    count = 0
    for fieldset in page.locator("form fieldset.question").all():
        wanted = fieldset.locator(f"input[type=radio][value='{value}']")
        radio = wanted if wanted.count() else fieldset.locator("input[type=radio]").first
        label = page.locator(f"label[for='{radio.get_attribute('id')}']")
        if touch:
            label.tap()
        else:
            label.click()
        assert radio.is_checked(), radio.get_attribute("id")
        count += 1
    return count


def focused(page: Page) -> dict[str, str]:
    return dict(page.evaluate(FOCUSED))


def tab_until(page: Page, wanted: Callable[[dict[str, str]], bool], limit: int = 80) -> None:
    """Press Tab until the focused element satisfies ``wanted``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return
        seen.append(now)
    raise AssertionError(f"not reached with {limit} Tab presses; focus went through {seen}")


def quiz_answers(keys: list[ItemKey], level: str) -> dict[str, int]:
    """A full answer set: ``best`` scores the most; ``middling`` answers "sometimes" to every
    statement and picks an acceptable (else the first) option in every situation."""
    answers = {}
    for key in keys:
        if level == "best":
            answers[key.code] = best_answer(key)
        elif key.kind == FREQUENCY:
            answers[key.code] = 3
        else:
            ratings = list(key.ratings)
            answers[key.code] = ratings.index("acceptable") if "acceptable" in ratings else 0
    return answers


def answer_quiz_by_clicking(page: Page, answers: Mapping[str, int]) -> None:
    """Click the label of each item's chosen option."""
    for code, value in answers.items():
        radio = page.locator(f"input[name='{code}'][value='{value}']")
        page.locator(f"label[for='{radio.get_attribute('id')}']").click()
        assert radio.is_checked(), code


def answer_quiz_with_keyboard(page: Page, answers: Mapping[str, int]) -> None:
    """Tab into each item's radio group in page order; Space picks its first option and each
    ArrowRight moves to, and picks, the next one. Nothing is clicked."""
    groups: list[list[list[str]]] = page.eval_on_selector_all(
        "form fieldset.quiz-item",
        "els => els.map(e => Array.from(e.querySelectorAll('input[type=radio]'))"
        ".map(r => [r.name, r.value]))",
    )
    assert groups and set(answers) == {g[0][0] for g in groups}, "the form's items changed"
    tab_until(page, lambda f: f["name"] == groups[0][0][0])
    for index, radios in enumerate(groups):
        name = radios[0][0]
        values = [value for _name, value in radios]
        if index:
            page.keyboard.press("Tab")
        assert focused(page)["name"] == name, (focused(page), name)
        position = values.index(str(answers[name]))
        if position == 0:
            page.keyboard.press("Space")
        for _ in range(position):
            page.keyboard.press("ArrowRight")
        checked = page.locator(f"input[name='{name}']:checked")
        assert checked.get_attribute("value") == str(answers[name]), name
