"""Whether a known person answered, and what they have saved so far, through channels that
carry no figure: the post-interaction decision the JSON API returns, the questionnaire page of
the administrators, and a link mailed again after the person's address was changed.

Each test plays the attack through the real API, pages and scheduler and requires that the
reader cannot tell the person who answered from the one who did not.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from survey.models import (
    Interaction,
    Invitation,
    InvitationDraft,
    OutboxMessage,
    Question,
    Questionnaire,
)
from survey.models.base import utcnow
from survey.services.invitations import issue_invitation
from tests.anonymity.world import DIMENSIONS, World
from tests.conftest import csrf_token, post_form

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"[^>]*name="csrf_token"')


def _report(w: World, person: str, ref: str, at: str) -> dict[str, Any]:
    """The ticketing tool reports (or reports again) a request opened and resolved ``at``."""
    body = {
        "source": "jira",
        "external_ref": ref,
        "provider": "HR",
        "requester_email": w.people[person].email,
        "opened_at": at,
        "resolved_at": at,
    }
    headers = {"Authorization": f"Bearer {w.api_key}"}
    response = w.admin.post("/api/v1/interactions", json=body, headers=headers)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response.get_json()


def test_the_api_decision_does_not_tell_who_answered_the_quarterly_survey(
    app: Flask, session: Session
) -> None:
    """Two people invited to the open campaign, one of whom answered it: a request of each is
    decided alike (no post-interaction survey while the campaign is open for them), and the
    API's answers about the two requests are the same."""
    w = World.build(app, session, {"HR": 1, "ENG": 6})
    campaign = w.open_campaign()
    w.quarterly("ENG-0", {"HR": 4})
    now = utcnow()
    issue_invitation(
        session,
        w.people["ENG-1"],
        "quarterly",
        now + timedelta(days=14),
        campaign=campaign,
        now=now,
    )
    session.commit()
    at = (now - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    _report(w, "ENG-0", "REQ-1", at), _report(w, "ENG-1", "REQ-2", at)
    result = app.test_cli_runner().invoke(args=["survey", "tick"])
    assert result.exit_code == 0, result.output
    answered, waiting = _report(w, "ENG-0", "REQ-1", at), _report(w, "ENG-1", "REQ-2", at)
    assert answered["survey"] == waiting["survey"] == "skipped"
    assert {k: v for k, v in answered.items() if k not in ("id", "external_ref")} == {
        k: v for k, v in waiting.items() if k not in ("id", "external_ref")
    }
    session.commit()
    reasons = session.scalars(
        select(Interaction.skip_reason).order_by(Interaction.external_ref)
    ).all()
    assert reasons == ["open_quarterly", "open_quarterly"]
    # The administrators' list of requests says the same of both.
    page = w.admin.get("/admin/interactions").get_data(as_text=True)
    assert page.count("A quarterly survey is open for the person") >= 2


def _questionnaire_page(w: World, questionnaire_id: int) -> str:
    response = w.admin.get(f"/admin/questionnaires/{questionnaire_id}")
    assert response.status_code == 200
    return CSRF_FIELD.sub("csrf", response.get_data(as_text=True))


def test_the_questionnaire_page_does_not_move_with_one_known_persons_answer(
    app: Flask, session: Session
) -> None:
    """Read the questionnaire page, let a known person answer (writing a comment, which
    nobody had), read it again: once the questionnaire has answers at all, the page is the
    same, and removing a question nobody answered retires it like any other (the outcome
    would otherwise tell whether anyone answered that very question)."""
    w = World.build(app, session, {"HR": 1, "ENG": 8})
    questionnaire_id = session.scalar(
        select(Questionnaire.id).where(Questionnaire.kind == "post_interaction")
    )
    session.commit()
    fresh = _questionnaire_page(w, questionnaire_id)
    for i in range(5):
        w.post_interaction(f"ENG-{i}", "HR", overall=4)
    before = _questionnaire_page(w, questionnaire_id)
    w.post_interaction("ENG-7", "HR", overall=2, comment="I had to chase them three times")
    after = _questionnaire_page(w, questionnaire_id)
    assert after == before
    assert fresh != before  # the one change: the questionnaire now has answers
    untouched = session.scalar(
        select(Question).where(
            Question.questionnaire_id == questionnaire_id, Question.code == "effort"
        )
    )
    session.commit()
    removed = post_form(w.admin, f"/admin/questions/{untouched.id}/remove")
    assert removed.status_code == 302
    session.commit()
    session.refresh(untouched)
    assert untouched.retired_at is not None


RATING = re.compile(r"<input[^>]*\bchecked\b[^>]*>")


def _save_draft(w: World, token: str, provider: str) -> None:
    """The person rates ``provider`` 1 out of 5 on everything and presses "Save and finish
    later"."""
    index = w._sections(token).index(provider)
    respondent = w.app.test_client()
    url = f"/r/{token}"
    data = {"section": str(index), "action": "save", "overall": "1", **{d: "1" for d in DIMENSIONS}}
    response = respondent.post(url, data={"csrf_token": csrf_token(respondent, url), **data})
    assert response.status_code == 200
    w.session.commit()


def _invite(w: World, person: str) -> tuple[Invitation, str]:
    """``person`` invited to the open campaign, mailed two hours ago (past the resend pause)."""
    now = utcnow()
    assert w.campaign is not None
    invitation, token = issue_invitation(
        w.session,
        w.people[person],
        "quarterly",
        w.campaign.closes_at,
        campaign=w.campaign,
        now=now - timedelta(hours=2),
    )
    w.session.commit()
    return invitation, token


def _change_address(w: World, person: str, email: str) -> None:
    row = w.people[person]
    fields = {
        "email": email,
        "name": row.name,
        "department": str(row.department_id),
        "locale": "en",
        "active": "y",
    }
    assert post_form(w.admin, f"/admin/people/{row.id}", fields).status_code == 302
    w.session.commit()


def _newest_link_to(w: World, email: str) -> str:
    w.session.commit()
    body = w.session.scalar(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.to_addr.contains(email))
        .order_by(OutboxMessage.id.desc())
    )
    w.session.commit()
    assert body is not None, f"no mail to {email}"
    found = re.search(r"/r/([A-Za-z0-9_-]{20,})", body)
    assert found is not None
    return found.group(1)


def _ticked(w: World, token: str, provider: str) -> list[str]:
    """The answers shown ticked on the link's page for ``provider``."""
    index = w._sections(token).index(provider)
    page = w.app.test_client().get(f"/r/{token}?section={index}")
    assert page.status_code == 200
    return RATING.findall(page.get_data(as_text=True))


def _drafts(w: World, invitation: Invitation) -> int:
    w.session.commit()
    n = w.session.scalar(
        select(func.count())
        .select_from(InvitationDraft)
        .where(InvitationDraft.invitation_id == invitation.id)
    )
    w.session.commit()
    return n or 0


def test_a_resent_link_does_not_show_the_answers_saved_so_far(app: Flask, session: Session) -> None:
    """The administrator sets the person's address to one they read and resends the
    invitation: the new link shows an empty form, and no draft is left. A resend without any
    address change starts afresh too."""
    w = World.build(app, session, {"HR": 1, "FIN": 1, "ENG": 6})
    w.open_campaign()
    for person, email in (("ENG-0", "admin-reads-this@example.com"), ("ENG-1", None)):
        invitation, token = _invite(w, person)
        _save_draft(w, token, "HR")
        assert _ticked(w, token, "HR")  # the person's own link shows what they saved
        if email is not None:
            _change_address(w, person, email)
        back = {"back": "person"}
        resent = post_form(w.admin, f"/admin/invitations/{invitation.id}/resend", back)
        assert resent.status_code == 302
        new_link = _newest_link_to(w, email or w.people[person].email)
        assert _ticked(w, new_link, "HR") == []
        assert _drafts(w, invitation) == 0


def test_a_reminder_to_a_changed_address_does_not_show_the_answers_saved_so_far(
    app: Flask, session: Session
) -> None:
    """The administrator sets the address to one they read and waits for the reminder, before
    the person saved anything (ENG-0) or after (ENG-1): the links mailed to the old address
    stop working (the person cannot save through them any more), the draft is gone, and the
    reminder's link shows an empty form. A reminder to an unchanged address keeps the draft
    (ENG-2 goes on where they stopped)."""
    w = World.build(app, session, {"HR": 1, "FIN": 1, "ENG": 6})
    w.open_campaign()
    invited = {person: _invite(w, person) for person in ("ENG-0", "ENG-1", "ENG-2")}
    _change_address(w, "ENG-0", "admin-reads-this@example.com")
    _save_draft(w, invited["ENG-1"][1], "HR")
    _save_draft(w, invited["ENG-2"][1], "HR")
    _change_address(w, "ENG-1", "admin-reads-that@example.com")
    for person in ("ENG-0", "ENG-1"):
        invitation, token = invited[person]
        assert w.app.test_client().get(f"/r/{token}").status_code == 404
        assert _drafts(w, invitation) == 0
    session.execute(
        update(Invitation)
        .where(Invitation.id.in_([invitation.id for invitation, _token in invited.values()]))
        .values(last_mailed_at=utcnow() - timedelta(days=6))
    )
    session.commit()
    result = app.test_cli_runner().invoke(args=["survey", "tick"])
    assert result.exit_code == 0, result.output
    for email in ("admin-reads-this@example.com", "admin-reads-that@example.com"):
        assert _ticked(w, _newest_link_to(w, email), "HR") == []
    reminded = _newest_link_to(w, w.people["ENG-2"].email)
    assert reminded != invited["ENG-2"][1]
    assert _ticked(w, reminded, "HR")


def test_cancelling_a_surveyed_request_does_not_tell_whether_it_was_answered(
    app: Flask, session: Session
) -> None:
    """Two requests surveyed, their mail gone; one requester answered. The ticketing tool
    then cancels both: the API's answers about the two stay the same."""
    w = World.build(app, session, {"HR": 1, "ENG": 6})
    at = (utcnow() - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    _report(w, "ENG-0", "REQ-1", at), _report(w, "ENG-1", "REQ-2", at)
    result = app.test_cli_runner().invoke(args=["survey", "tick"])
    assert result.exit_code == 0, result.output
    link = _newest_link_to(w, w.people["ENG-0"].email)
    session.execute(update(OutboxMessage).values(status="sent"))
    session.execute(update(Invitation).values(status="sent"))
    session.commit()
    w._answer(link, {"overall": "5"})
    headers = {"Authorization": f"Bearer {w.api_key}"}
    later = (utcnow() - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    answers = []
    for ref in ("REQ-1", "REQ-2"):
        body = {"source": "jira", "external_ref": ref, "event": "cancelled", "at": later}
        response = w.admin.post("/api/v1/interactions/events", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        answers.append(
            {k: v for k, v in response.get_json().items() if k not in ("id", "external_ref")}
        )
    assert answers[0] == answers[1]
    again = [_report(w, "ENG-0", "REQ-1", at), _report(w, "ENG-1", "REQ-2", at)]
    assert again[0]["survey"] == again[1]["survey"] == "invited"


def _mailbox_links(w: World, message_id: int) -> list[str]:
    """Every link token an administrator reads in the mailbox: its list and the message's
    page, text part and HTML part."""
    pages = [
        w.admin.get("/admin/mailbox"),
        w.admin.get(f"/admin/mailbox/{message_id}"),
        w.admin.get(f"/admin/mailbox/{message_id}/body.html"),
    ]
    assert all(page.status_code == 200 for page in pages)
    assert f"/admin/mailbox/{message_id}" in pages[0].get_data(as_text=True)
    text = "".join(page.get_data(as_text=True) for page in pages)
    return re.findall(r"/(?:r|quiz/i|auth/reset)/([A-Za-z0-9_-]{20,})", text)


def test_the_mailbox_of_a_deployment_without_mail_server_does_not_show_the_answers_saved_so_far(
    app: Flask, session: Session
) -> None:
    """No mail server set yet on a real installation (its links lead elsewhere than this
    machine): the reminder of a person who saved part of the quarterly survey waits in the
    mailbox. The administrator reading it gets no working link, so neither the answers saved
    so far nor a submit in the person's name; the mail itself keeps its link for the day a
    server is set (through it the person goes on where they stopped)."""
    w = World.build(app, session, {"HR": 1, "FIN": 1, "ENG": 6})
    w.open_campaign()
    invitation, token = _invite(w, "ENG-2")
    _save_draft(w, token, "HR")
    app.config["BASE_URL"] = "https://survey.example.com"
    assert not app.debug and not app.config.get("SMTP_URL")
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(last_mailed_at=utcnow() - timedelta(days=6))
    )
    session.commit()
    result = app.test_cli_runner().invoke(args=["survey", "tick"])
    assert result.exit_code == 0, result.output
    reminded = _newest_link_to(w, w.people["ENG-2"].email)
    assert reminded != token and _ticked(w, reminded, "HR")  # the mail itself works
    message_id = w.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.body_text.contains(reminded))
    )
    w.session.commit()
    shown = _mailbox_links(w, message_id)
    assert reminded not in shown
    for seen in shown:
        assert w.app.test_client().get(f"/r/{seen}").status_code == 404
