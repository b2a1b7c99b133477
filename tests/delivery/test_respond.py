"""Answering from a link: GET changes nothing, POST uses the link once, answers are kept on
every refusal, and the stored response carries nothing that points to the person."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from survey.models import Answer, Invitation, InvitationDraft, QueuedSubmission, Response
from tests.conftest import csrf_token
from tests.factories import file_submissions


def table_counts(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    session.rollback()
    names = ["responses", "answers", "invitations", "invitation_drafts", "invitation_tokens"]
    names.append("queued_submissions")
    return {n: session.scalar(text(f"SELECT count(*) FROM {n}")) for n in names}


def nothing_stored(session) -> bool:  # type: ignore[no-untyped-def]
    """No response stored and none queued to be."""
    counts = table_counts(session)
    return counts["responses"] == 0 and counts["queued_submissions"] == 0


def token_for_form(client, url: str) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, url)


def post_answers(client, url: str, **answers):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, url), **answers}
    return client.post(url, data=data)


@pytest.mark.postgres
def test_get_changes_nothing_and_prefills_the_score(client, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    before = table_counts(session)
    page = client.get(f"/r/{token}?score=4")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Information Technology" in html
    assert re.search(r'<input[^>]*checked[^>]*value="4"|<input[^>]*value="4"[^>]*checked', html)
    client.head(f"/r/{token}")
    assert table_counts(session) == before


@pytest.mark.postgres
def test_submit_stores_an_anonymous_response_once(app, client, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    url = f"/r/{token}"
    response = post_answers(
        client,
        url,
        overall="5",
        effort="4",
        on_time="1",
        opening="4",
        closing="3",
        comment="Quick and kind",
        contact_consent="",
    )
    assert response.status_code == 302
    assert token not in response.headers["Location"]
    # The submit queued one row and wrote no response; the next reader files it.
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0
    assert session.scalar(select(func.count()).select_from(QueuedSubmission)) == 1
    assert file_submissions(app) == 1
    session.rollback()
    stored = session.scalar(select(Response))
    assert stored.provider_department_id == org.it.id
    assert stored.customer_department_id == org.person(0).department_id
    assert stored.contact_person_id is None
    assert re.fullmatch(r"\d{4}-W\d{2}", stored.iso_week)
    assert len(stored.id) == 32
    values = {a.question_id: (a.value, a.text) for a in stored.answers}
    assert (None, "Quick and kind") in values.values() and (5, None) in values.values()
    # Used: the same link now says so, and a second POST stores nothing.
    again = client.get(url)
    assert again.status_code == 410 and "already been answered" in again.get_data(as_text=True)
    repost = post_answers(client, "/", overall="1")
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert repost.status_code in (400, 404, 405)


def test_consent_attributes_the_comment_only_when_given(app, client, session, invite, org) -> None:
    token = invite("post_interaction", org.person(1))
    sent = post_answers(
        client, f"/r/{token}", overall="2", comment="Please call me", contact_consent="y"
    )
    file_submissions(app)  # as the next page would
    session.rollback()
    assert session.scalar(select(Response.contact_person_id)) == org.person(1).id
    # The thank-you page does not call a named comment anonymous (in Italian, the person's).
    thanks = " ".join(client.get(sent.headers["Location"]).get_data(as_text=True).split())
    assert "Il suo commento arriva al reparto con il suo nome, come ha chiesto" in thanks
    assert "registrate in forma anonima" not in thanks
    other = invite("post_interaction", org.person(3))  # speaks English
    sent = post_answers(client, f"/r/{other}", overall="4", comment="Fine", contact_consent="")
    thanks = " ".join(client.get(sent.headers["Location"]).get_data(as_text=True).split())
    assert "Your answers have been recorded anonymously" in thanks
    assert "with your name" not in thanks


def test_missing_required_answer_keeps_the_others(client, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    response = post_answers(client, f"/r/{token}", effort="2", comment="Kept <b>text</b>")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kept &lt;b&gt;text&lt;/b&gt;" in html
    assert re.search(r'value="2"[^>]*checked|checked[^>]*value="2"', html)
    assert nothing_stored(session)


def test_expired_csrf_token_keeps_the_answers(client, session, invite, org) -> None:
    token = invite("post_interaction", org.person(0))
    response = client.post(
        f"/r/{token}", data={"csrf_token": "stale", "overall": "3", "comment": "still here"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "still here" in html and "send again" in html
    assert nothing_stored(session)
    # The re-shown form carries a fresh token and goes through.
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    ok = client.post(f"/r/{token}", data={"csrf_token": fresh, "overall": "3"})
    assert ok.status_code == 302


def test_unknown_and_expired_links(client, session, invite, org) -> None:
    from datetime import timedelta

    from survey.models.base import utcnow

    unknown = client.get("/r/abcdefghijklmnopqrstuv")
    assert unknown.status_code == 404 and "do not recognise" in unknown.get_data(as_text=True)
    token = invite("post_interaction", org.person(0), expires_at=utcnow() - timedelta(minutes=1))
    expired = client.get(f"/r/{token}")
    assert expired.status_code == 410 and "closed" in expired.get_data(as_text=True)
    assert post_answers(client, f"/r/{token}", overall="4").status_code == 410
    assert nothing_stored(session)


@pytest.mark.parametrize(("locale", "word"), [("it", "Invia"), ("fr", "Envoyer")])
def test_page_in_the_persons_language(client, invite, org, locale, word) -> None:
    person = next(p for p in org.people if p.locale == locale)
    html = client.get(f"/r/{invite('post_interaction', person)}").get_data(as_text=True)
    assert f'<html lang="{locale}">' in html and word in html


@pytest.mark.postgres
def test_quarterly_save_resume_and_submit(
    app, client, session, invite, org, open_campaign_for
) -> None:
    campaign = open_campaign_for()
    person = org.person(0)  # Sales depends on IT and HR
    token = invite("quarterly", person, campaign=campaign)
    url = f"/r/{token}"
    first = client.get(url).get_data(as_text=True)
    assert "Department 1 of 2" in first
    dims = dict(
        reliability="4", responsiveness="3", competence="5", courtesy="5", tools="4", overall="4"
    )
    saved = client.post(
        url, data={"csrf_token": csrf_token(client, url), "section": "0", "action": "save", **dims}
    )
    assert "saved" in saved.get_data(as_text=True).lower()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InvitationDraft)) == 1
    assert nothing_stored(session)
    # Coming back later opens the second department, with progress shown.
    resumed = client.get(url).get_data(as_text=True)
    assert "Department 2 of 2" in resumed
    done = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "section": "1",
            "action": "submit",
            "not_applicable": "y",
        },
    )
    assert done.status_code == 302 and token not in done.headers["Location"]
    # The submit queued one row and wrote no response; the next reader files it.
    assert table_counts(session)["responses"] == 0
    assert session.scalar(select(func.count()).select_from(QueuedSubmission)) == 1
    assert file_submissions(app) == 1
    session.rollback()
    responses = session.scalars(select(Response)).all()
    assert len(responses) == 1  # HR was "not dealt with"
    assert responses[0].provider_department_id in (org.it.id, org.hr.id)
    assert responses[0].quarter == campaign.quarter
    assert session.scalar(select(func.count()).select_from(InvitationDraft)) == 0
    assert session.scalar(select(Invitation.status)) == "answered"
    assert client.get(url).status_code == 410


def test_quarterly_submit_refuses_unanswered_sections(
    client, session, invite, org, open_campaign_for
) -> None:
    campaign = open_campaign_for()
    token = invite("quarterly", org.person(0), campaign=campaign)
    url = f"/r/{token}"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "section": "1",
            "action": "submit",
            "not_applicable": "y",
        },
    )
    assert response.status_code == 422
    assert "Department 1 of 2" in response.get_data(as_text=True)
    assert nothing_stored(session)


def test_answers_never_reference_the_person(session) -> None:
    columns = {c.name for c in Response.__table__.columns} | {
        c.name for c in Answer.__table__.columns
    }
    # Neither who, nor when, nor what the answer came through (a service, a campaign).
    telling = {"person_id", "invitation_id", "token_hash", "created_at", "submitted_at"}
    assert not (telling | {"service_id", "campaign_id"}) & columns


def test_opt_out_from_the_email_link(client, session, invite, org) -> None:
    from survey.models import Person

    person = org.person(3)
    token = invite("post_interaction", person)
    url = f"/r/{token}/stop"
    page = client.get(url)
    assert page.status_code == 200 and "Stop receiving" in page.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Person, person.id).opted_out is False  # a GET only asks
    done = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert done.status_code == 200 and "no more survey emails" in done.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Person, person.id).opted_out is True
    assert client.get("/r/unknown-token-value/stop").status_code == 404


def test_quarterly_half_answered_section_can_be_saved(
    client, session, invite, org, open_campaign_for
) -> None:
    """ "Save and finish later" keeps a section with the required rating still missing; a value
    that is wrong, not just missing, still sends the form back."""
    token = invite("quarterly", org.person(0), campaign=open_campaign_for())
    url = f"/r/{token}"
    wrong = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "section": "0",
            "action": "save",
            "reliability": "9",
        },
    )
    assert wrong.status_code == 422
    session.rollback()
    assert session.scalar(select(func.count()).select_from(InvitationDraft)) == 0
    saved = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "section": "0",
            "action": "save",
            "reliability": "2",
        },
    )
    assert saved.status_code == 200 and "saved" in saved.get_data(as_text=True).lower()
    resumed = client.get(url).get_data(as_text=True)
    assert "Department 1 of 2" in resumed  # the half-done section comes back first
    assert re.search(r'<input checked id="reliability-1" name="reliability"', resumed)


@pytest.mark.postgres
def test_an_edited_question_shows_on_the_next_page_view(app, client, session, invite, org) -> None:
    """Respondent pages use a per-process copy of the questionnaire; an edit committed by the
    admin (new wording, a retired question, a new one) shows on the very next request."""
    from survey.models import Question, Questionnaire
    from survey.services.questionnaires import add_question, retire_question, update_question_texts

    token = invite("post_interaction", org.person(0))
    url = f"/r/{token}"
    assert client.get(url).status_code == 200  # the copy is now cached
    questionnaire = session.scalar(
        select(Questionnaire).where(Questionnaire.kind == "post_interaction")
    )
    assert questionnaire is not None
    revision = questionnaire.revision
    overall = next(q for q in questionnaire.questions if q.code == "overall")
    effort = next(q for q in questionnaire.questions if q.code == "effort")
    update_question_texts(session, overall, {"en": {"prompt": "Freshly reworded prompt"}})
    retire_question(session, effort)
    add_question(
        session,
        questionnaire,
        code="followup",
        qtype="yes_no",
        texts={"en": {"prompt": "Would you ask them again?"}},
    )
    session.commit()
    session.refresh(questionnaire)
    assert questionnaire.revision > revision
    html = client.get(url).get_data(as_text=True)
    assert "Freshly reworded prompt" in html
    assert 'name="effort"' not in html
    assert "Would you ask them again?" in html
    # The stored answer goes to the new question, and the retired one is refused.
    response = post_answers(client, url, overall="4", followup="1")
    assert response.status_code == 302
    file_submissions(app)  # as the next page would
    session.rollback()
    stored = session.scalars(select(Answer.question_id)).all()
    followup = session.scalar(select(Question.id).where(Question.code == "followup"))
    assert followup in stored
    assert effort.id not in stored


def test_blank_forms_reused_per_language_and_score_stay_right(client, invite, org) -> None:
    """The unanswered form is rendered once per questionnaire revision, language and
    preselected score: each variant must still show its own language and selection."""
    checked = re.compile(r"<input[^>]*checked[^>]*>")
    url = f"/r/{invite('post_interaction', org.person(0))}"
    plain = client.get(url).get_data(as_text=True)
    four = client.get(f"{url}?score=4").get_data(as_text=True)
    italian = client.get(f"{url}?lang=it&score=2").get_data(as_text=True)
    again = client.get(url).get_data(as_text=True)
    assert checked.findall(plain) == [] and checked.findall(again) == []
    assert len(checked.findall(four)) == 1 and 'value="4"' in checked.findall(four)[0]
    assert len(checked.findall(italian)) == 1 and 'value="2"' in checked.findall(italian)[0]
    assert 'lang="it"' in italian and "Invia le mie risposte" in italian
    assert "Send my answers" in plain and "Send my answers" in again


def test_opting_out_withdraws_survey_emails_still_waiting(client, session, invite, org) -> None:
    """ "No more survey emails" holds at once: another invitation's email still queued in the
    outbox is withdrawn with the reason; other people's mail and sent mail are untouched."""
    from survey.models import Invitation, OutboxMessage
    from survey.services.fatigue import OPTED_OUT_ERROR
    from survey.services.outbox import enqueue_message

    person, other = org.person(3), org.person(4)
    token = invite("post_interaction", person)
    invite("post_interaction", person)
    invite("post_interaction", other)
    invitations = session.scalars(select(Invitation).order_by(Invitation.id)).all()
    queued = [
        enqueue_message(
            session,
            to_addr="someone@example.com",
            subject="Survey",
            body_text="Hello",
            body_html="",
            purpose="survey",
            domain="example.com",
            invitation_id=inv.id,
        )
        for inv in invitations
    ]
    queued[0].status = "sent"  # the first one already went out
    session.commit()
    url = f"/r/{token}/stop"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 200
    session.rollback()
    rows = {
        invitation_id: (status, error)
        for invitation_id, status, error in session.execute(
            select(OutboxMessage.invitation_id, OutboxMessage.status, OutboxMessage.last_error)
        )
    }
    first, second, third = (inv.id for inv in invitations)
    assert rows[first] == ("sent", None)
    assert rows[second] == ("failed", OPTED_OUT_ERROR)
    assert rows[third] == ("queued", None)


@pytest.mark.postgres
def test_one_person_answering_twice_is_counted_once(app, client, session, invite, org) -> None:
    """Two requests of the same person, both answered through their links: two responses,
    one respondent (the pseudonym recognises the second), who weighs one in T."""
    from survey.models import RespondentMark, ScoreCell

    person, other = org.person(0), org.person(1)
    for who, overall in ((person, "5"), (person, "1"), (other, "4")):
        token = invite("post_interaction", who)
        assert post_answers(client, f"/r/{token}", overall=overall).status_code in (200, 302, 303)
    file_submissions(app)  # as the next page would
    session.rollback()
    n: dict[str, int] = {}
    total: dict[str, float] = {}
    for c in session.scalars(select(ScoreCell)):
        n[c.metric] = n.get(c.metric, 0) + c.n
        total[c.metric] = total.get(c.metric, 0.0) + c.total
    assert n["pi.n"] == 3
    assert n["people"] == 2 and n["T"] == 2
    assert total["T"] == pytest.approx(50.0 + 100.0)  # person: 1 of 2; other: 1 of 1
    marks = session.scalars(select(RespondentMark)).all()
    assert sorted(m.responses for m in marks) == [1, 2]
    assert all(len(m.pseudonym) == 32 for m in marks)
