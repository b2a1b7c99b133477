"""Answering a survey from a link: which questions and providers, drafts of half-done
quarterly surveys, and the atomic submit that uses the link and stores anonymous responses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.delivery.services.campaigns import providers_for
from survey.models import (
    Department,
    Invitation,
    InvitationDraft,
)
from survey.models.base import utcnow
from survey.periods import iso_week_of, quarter_of
from survey.pseudonyms import app_key, pseudonym
from survey.question_types import FORM_TYPES
from survey.respond.services.filing import queue_submission
from survey.respond.services.responses import PreparedResponse, prepare_response
from survey.services.invitations import Link, claim_invitation
from survey.services.live_questionnaires import QuestionCopy, QuestionnaireCopy

CONSENT_CODE = "contact_consent"
COMMENT_CODE = "comment"


def live_questions(questionnaire: QuestionnaireCopy) -> list[QuestionCopy]:
    return [q for q in questionnaire.questions if q.retired_at is None and q.qtype in FORM_TYPES]


def quarterly_providers(session: Session, invitation: Invitation) -> list[Department]:
    """The departments this respondent rates, in name order."""
    assert invitation.campaign is not None
    ids = providers_for(session, [invitation.person], invitation.campaign.quarter)[
        invitation.person_id
    ]
    if not ids:
        return []
    return list(
        session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.name))
    )


def load_draft(session: Session, invitation: Invitation) -> dict[str, Any]:
    """``{"sections": {provider_id (str): raw form values}}``; empty when nothing saved."""
    draft = session.get(InvitationDraft, invitation.id)
    return dict(draft.data) if draft is not None else {"sections": {}}


def save_draft(
    session: Session, invitation: Invitation, data: Mapping[str, Any], now: datetime | None = None
) -> None:
    draft = session.get(InvitationDraft, invitation.id)
    if draft is None:
        session.add(
            InvitationDraft(
                invitation_id=invitation.id, data=dict(data), updated_at=now or utcnow()
            )
        )
    else:
        draft.data = dict(data)
        draft.updated_at = now or utcnow()
    session.flush()


def asked_to_be_contacted(answers: Mapping[str, Any]) -> bool:
    """Whether these answers (one form or one section) give the comment with the respondent's
    name: they consented and wrote a comment."""
    return bool(answers.get(CONSENT_CODE) and answers.get(COMMENT_CODE))


def _contact(person_id: int, answers: Mapping[str, Any]) -> int | None:
    """Attribute the response only when the respondent consented and wrote a comment."""
    return person_id if asked_to_be_contacted(answers) else None


def prepare_post_interaction(
    link: Link,
    answers: Mapping[str, Any],
    questionnaire: QuestionnaireCopy,
    now: datetime | None = None,
) -> PreparedResponse:
    """Check and turn one post-interaction form's ``answers`` into the statements' parameters,
    before any lock is taken (no database). ``questionnaire``: the one the form was built from
    (``look_up_link`` names it); ``now`` (UTC) dates the response's quarter and week."""
    now = now or utcnow()
    quarter = quarter_of(now)
    provider = link.provider
    assert provider is not None, "a post-interaction link names its provider"
    return prepare_response(
        kind="post_interaction",
        questionnaire=questionnaire,
        provider_department_id=provider.id,
        customer_department_id=link.customer_department_id,
        quarter=quarter,
        iso_week=iso_week_of(now),
        answers=dict(answers),
        contact_person_id=_contact(link.person_id, answers),
        respondent=pseudonym(app_key(), link.person_id, provider.id, quarter),
    )


def submit_post_interaction(
    session: Session,
    link: Link,
    prepared: PreparedResponse,
    questionnaire: QuestionnaireCopy,
    now: datetime | None = None,
) -> str | None:
    """Use the link and queue the ``prepared`` response (``prepare_post_interaction``, from
    ``questionnaire``) in the session's transaction (``filing.queue_submission``: filed into
    the responses and figures before anything reads them); the response's id. None when the
    link was used (or closed) meanwhile: then nothing is queued. Call it in a ``db.writing``
    block, which on SQLite holds the write lock from the claim to the commit.

    ``now`` (UTC, taken under the lock) decides the quarter: an answer prepared in a quarter
    that ended before the lock was had is prepared again for the quarter it arrives in. A
    quarter that has ended may be released at once, and a released quarter must not move
    (one more person in a published figure would tell that person's answer)."""
    now = now or utcnow()
    if quarter_of(now) != prepared.item.quarter:
        prepared = prepare_post_interaction(link, prepared.item.answers, questionnaire, now)
    if not claim_invitation(session, link.invitation_id, now):
        return None
    queue_submission(session, [prepared])
    return prepared.id


def submit_quarterly(
    session: Session,
    link: Link,
    sections: Mapping[int, Mapping[str, Any]],
    questionnaire: QuestionnaireCopy,
    now: datetime | None = None,
) -> list[str] | None:
    """Use the link and queue one response per rated provider (sections with no answer are
    the "did not deal with them" ones and give none) as one queued submission; the
    responses' ids. None when the link was used. ``questionnaire`` as for
    ``submit_post_interaction``; ValueError for a bad answer, and then nothing is queued."""
    now = now or utcnow()
    assert link.quarter is not None, "a quarterly link names its campaign's quarter"
    key = app_key()
    responses = [
        prepare_response(
            kind="quarterly",
            questionnaire=questionnaire,
            provider_department_id=provider_id,
            customer_department_id=link.customer_department_id,
            quarter=link.quarter,
            iso_week=iso_week_of(now),
            answers=dict(answers),
            contact_person_id=_contact(link.person_id, answers),
            respondent=pseudonym(key, link.person_id, provider_id, link.quarter),
        )
        for provider_id, answers in sorted(sections.items())
        if any(v is not None for v in answers.values())
    ]
    if not claim_invitation(session, link.invitation_id, now):
        return None
    if responses:
        queue_submission(session, responses)
    session.execute(
        delete(InvitationDraft).where(InvitationDraft.invitation_id == link.invitation_id)
    )
    session.flush()
    return [r.id for r in responses]
