"""The newcomer's journey from ``make run``: the demo is built (with its present), the
administrator opens the local mailbox, reads a survey email as its recipient sees it, follows
its link and answers; then resends another person's invitation. Respondent pages never scroll
sideways at 320 or 390 px, and axe-core finds nothing serious on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from survey.models import Invitation, OutboxMessage, Person, Response
from tests.e2e.conftest import DEMO_PASSWORD, check_accessibility, sign_in
from tests.e2e.flows import choose_on_every_scale, cli

pytestmark = pytest.mark.slow


def _no_sideways_scroll(page: Page, where: str) -> None:
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 800})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {width}px"
        # Each five-point scale keeps its five choices on one line.
        tops = page.evaluate(
            "[...document.querySelectorAll('.scale-5')].map(s => new Set("
            "[...s.querySelectorAll('.choice')].map(c => c.getBoundingClientRect().top)).size)"
        )
        assert all(rows == 1 for rows in tops), (where, width, tops)


def test_from_the_mailbox_to_an_answered_survey_and_a_resend(
    app, runner, session, server, new_context, shots, artifacts
) -> None:
    base = server.url
    built = cli(app, runner, "demo", BASE_URL=base)
    assert "surveys waiting" in built
    desk = new_context("desktop").new_page()
    sign_in(desk, base, "admin@demo.example", DEMO_PASSWORD)
    desk.goto(f"{base}/admin/mailbox")
    expect(desk.locator("h1")).to_have_text("Mailbox")
    check_accessibility(desk, "mailbox", artifacts)
    shots(desk, "mailbox", doc="admin-mailbox")

    # A post-interaction email, in its recipient's language, its link followed from the frame.
    message = session.scalar(
        select(OutboxMessage)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .join(Person, Person.id == Invitation.person_id)
        .where(OutboxMessage.purpose == "invitation:post_interaction", Person.locale == "en")
        .order_by(OutboxMessage.id)
    )
    assert message is not None
    desk.goto(f"{base}/admin/mailbox/{message.id}")
    frame = desk.frame_locator("iframe.mail-frame")
    expect(frame.get_by_role("link", name="Open the survey")).to_be_visible()
    shots(desk, "mailbox-message", doc="admin-mailbox-message")
    check_accessibility(desk, "mailbox message", artifacts)
    with desk.expect_navigation():
        frame.get_by_role("link", name="Open the survey").click()
    assert re.search(r"/r/[\w-]+$", desk.url), desk.url
    expect(desk.locator("h1")).to_contain_text("handle your request")
    expect(desk.locator(".request-facts")).to_contain_text("Reference")
    _no_sideways_scroll(desk, "post-interaction survey")
    desk.set_viewport_size({"width": 1280, "height": 900})
    check_accessibility(desk, "post-interaction survey", artifacts)

    # A refused submit moves the focus to the first question needing an answer.
    desk.get_by_role("button", name="Send my answers").click()
    expect(desk.locator(".flash-error")).to_be_visible()
    # ``autofocus`` is applied by the browser at its next rendering step, not at once: polled
    # through a locator (a string predicate polled by ``wait_for_function`` is evaluated in the
    # page, which the page's policy forbids, ``script-src 'self'``, once it has to poll).
    expect(desk.locator("input[type=radio]:focus")).to_have_count(1, timeout=5000)
    assert choose_on_every_scale(desk, "4") >= 1
    desk.get_by_role("button", name="Send my answers").click()
    expect(desk.locator("h1")).to_contain_text("Thank")
    _no_sideways_scroll(desk, "thank-you page")
    session.rollback()
    assert (
        session.scalar(
            select(func.count()).select_from(Response).where(Response.quarter.is_not(None))
        )
        > 0
    )

    # A quarterly invitation of the open campaign: its page fits a phone, then a resend.
    quarterly = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.purpose == "invitation:quarterly")
        .order_by(OutboxMessage.id)
    )
    link = re.search(r"http://127\.0\.0\.1:\d+(/r/[\w-]+)", quarterly.body_text).group(1)
    phone = new_context("phone").new_page()
    phone.goto(base + link)
    expect(phone.locator("ol.sections li").first).to_be_visible()
    assert phone.locator("progress").get_attribute("value") == "1"
    _no_sideways_scroll(phone, "quarterly survey")
    check_accessibility(phone, "quarterly survey", artifacts)
    shots(phone, "quarterly-phone")
    phone.get_by_role("button", name="Save and finish later").click()
    expect(phone.locator("h1")).to_be_visible()
    _no_sideways_scroll(phone, "saved for later")
    phone.goto(f"{base}{link}/stop")  # a GET changes nothing: the link stays open
    _no_sideways_scroll(phone, "no more surveys page")

    session.rollback()  # a fresh snapshot: the page saved a draft meanwhile
    invitation = session.get(Invitation, quarterly.invitation_id)
    session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id)
        .values(last_mailed_at=invitation.created_at.replace(year=invitation.created_at.year - 1))
    )
    session.commit()
    desk.goto(f"{base}/admin/people/{invitation.person_id}")
    desk.get_by_role("button", name="Resend the invitation").first.click()
    expect(desk.locator(".flash-success")).to_contain_text("new link")
    phone.goto(base + link)
    expect(phone.locator("h1")).not_to_contain_text("serve you")
    _no_sideways_scroll(phone, "spent link")
    phone.goto(f"{base}/r/no-such-link")
    _no_sideways_scroll(phone, "unknown link")
    session.rollback()
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.invitation_id == invitation.id)
        )
        == 2
    )
