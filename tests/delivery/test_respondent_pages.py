"""Respondent pages: five-point scales on one line with their end labels, the stepper as a
numbered list with a progress bar counting the current step, focus on the first error after a
refused submit, and the request named on the form and in the email."""

from __future__ import annotations

import re
from datetime import timedelta

from babel import dates as babel_dates
from sqlalchemy import select

from survey.delivery.services.interactions import (
    InteractionInput,
    decide_pending_surveys,
    record_interaction,
)
from survey.models import Interaction, OutboxMessage
from survey.models.base import utcnow
from tests.conftest import csrf_token


def test_five_point_scales_show_numbers_and_end_labels(client, invite, org) -> None:
    page = client.get(f"/r/{invite('post_interaction', org.person(0))}").get_data(as_text=True)
    scale = page[page.index('class="scale scale-5"') :]
    scale = scale[: scale.index("</fieldset>")]
    assert scale.count('type="radio"') == 5
    assert '<span class="visually-hidden"> – ' in scale  # every label whole for screen readers
    ends = re.search(
        r'<p class="scale-ends" aria-hidden="true">'
        r"<span>(1 – [^<]+)</span><span>(5 – [^<]+)</span>",
        scale,
    )
    assert ends is not None


def test_the_form_names_the_request(client, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    interaction = session.scalar(select(Interaction))
    interaction.source, interaction.external_ref = "service-desk", "IT-04242"
    session.commit()
    page = client.get(f"/r/{token}").get_data(as_text=True)
    facts = page[page.index('class="request-facts"') :]
    assert "Laptop repair" in facts and "IT-04242" in facts
    # The day in the respondent's language (English here) and the organisation's zone (UTC).
    assert babel_dates.format_date(interaction.resolved_at, "medium", locale="en") in facts


def test_the_email_names_the_request_in_the_recipients_language(app, session, org) -> None:
    now = utcnow()
    person = org.person(1)  # writes in Italian
    with app.test_request_context():
        record_interaction(
            session,
            InteractionInput(
                provider="IT",
                requester_email=person.email,
                opened_at=now - timedelta(hours=5),
                service="IT-LAPTOP",
                source="service-desk",
                external_ref="IT-<07>",
                resolved_at=now - timedelta(hours=1),
            ),
            now=now,
        )
        decide_pending_surveys(session, "http://localhost", "localhost", "salt", now=now)
    session.commit()
    message = session.scalar(select(OutboxMessage))
    assert "riferimento IT-<07>" in message.body_text and "Laptop repair" in message.body_text
    assert "IT-&lt;07&gt;" in message.body_html and "IT-<07>" not in message.body_html


def test_the_stepper_is_a_numbered_list_and_counts_the_current_step(
    client, invite, org, open_campaign_for
) -> None:
    url = f"/r/{invite('quarterly', org.person(0), campaign=open_campaign_for())}"
    page = client.get(url).get_data(as_text=True)
    assert '<ol class="sections"' in page and page.count("<li") >= 2
    assert '<progress max="2" value="1"' in page


def test_a_refused_submit_focuses_the_first_error(client, invite, org) -> None:
    url = f"/r/{invite('post_interaction', org.person(0))}"
    refused = client.post(url, data={"csrf_token": csrf_token(client, url)})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert page.count(" autofocus") == 1
    first = re.search(
        r'<input checked autofocus id="([\w-]+)"|<input autofocus id="([\w-]+)"', page
    )
    assert first is not None
    link = re.search(r'<a href="#(q-[\w-]+)">', page)
    assert link is not None and f'id="{link.group(1)}"' in page
    assert page.index(f'id="{link.group(1)}"') < page.index(" autofocus")


def test_a_used_or_expired_link_speaks_its_persons_language(client, invite, org) -> None:
    """The respondent's pages are in their language whatever the browser says, and so is
    the page a second click on a used link (or a double submit) lands on, and an expired
    link's: a French colleague on an English laptop reads French. An unknown link has no
    person: the language asked for, else the browser's."""
    english_browser = {"Accept-Language": "en-GB,en;q=0.9"}
    french = org.person(2)
    token = invite("post_interaction", french)
    url = f"/r/{token}"
    form = client.get(url, headers=english_browser).get_data(as_text=True)
    assert 'lang="fr"' in form
    sent = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "lang": "fr", "overall": "4"},
        headers=english_browser,
    )
    assert sent.status_code == 302
    again = client.get(url, headers=english_browser)
    assert again.status_code == 410
    assert "Vous avez déjà répondu à cette enquête" in again.get_data(as_text=True)
    repost = client.post(
        url, data={"csrf_token": csrf_token(client, "/"), "overall": "1"}, headers=english_browser
    )
    assert "Vous avez déjà répondu à cette enquête" in repost.get_data(as_text=True)

    italian = org.person(1)
    expired = invite("post_interaction", italian, expires_at=utcnow() - timedelta(minutes=1))
    page = client.get(f"/r/{expired}", headers=english_browser).get_data(as_text=True)
    assert 'lang="it"' in page and "This survey has closed" not in page

    unknown = client.get("/r/" + "x" * 22 + "?lang=it", headers=english_browser)
    assert unknown.status_code == 404 and 'lang="it"' in unknown.get_data(as_text=True)
