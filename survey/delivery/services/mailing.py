"""Survey emails: rendered from templates in the person's language, queued in the outbox in the
caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.orm import Session

from survey import hooks
from survey.config import min_group_size
from survey.mail.bodies import render_bodies
from survey.models import Campaign, Invitation, OutboxMessage, Person
from survey.services.invitations import link_url
from survey.services.outbox import enqueue_message, header_safe, new_message_id, recipient

SCORES = (1, 2, 3, 4, 5)
# Stand-ins rendered once per language, then replaced per person (see ``quarterly_messages``).
# Letters and underscores only: no escaping step, in HTML or in URLs, can alter them.
_NAME = "SIQ_SENTINEL_NAME_7f3a"
_KEY = "SIQ_SENTINEL_KEY_7f3a"


def promised_group_size(campaign: Campaign | None) -> int:
    """The k the email promises: the app's ``MIN_GROUP_SIZE``, or the campaign's k when it is
    larger (a quarter is gated with the larger of the two). Needs an app context."""
    k = min_group_size(current_app.config)
    return max(k, campaign.min_group_size) if campaign is not None else k


def queue_invitation_email(
    session: Session,
    invitation: Invitation,
    person: Person,
    token: str,
    base_url: str,
    mail_domain: str,
    *,
    provider_name: str | None = None,
    reminder: bool = False,
) -> OutboxMessage:
    """Queue the invitation (or reminder) email for ``invitation``. Needs an app context."""
    kind = invitation.kind
    context = {
        "person": person,
        "link": link_url(base_url, token),
        "stop_link": link_url(base_url, token) + "/stop",
        "score_links": [(s, link_url(base_url, token, s)) for s in SCORES],
        "provider_name": provider_name,
        "expires_at": invitation.expires_at,
        "reminder": reminder,
        "campaign": invitation.campaign,
        "interaction": invitation.interaction,
        "group_size": promised_group_size(invitation.campaign),
    }
    if kind == "quarterly" and invitation.campaign is not None:
        from survey.delivery.services.campaigns import (
            providers_for,  # campaigns imports this module
        )

        rated = providers_for(session, [person], invitation.campaign.quarter)[person.id]
        context.update(hooks.gather("mail.quarterly", session, rated))
    with force_locale(person.locale):
        if kind == "post_interaction":
            subject = _("How did %(provider)s handle your request?", provider=provider_name or "")
        elif reminder:
            subject = _("Reminder: your quarterly survey on the departments you work with")
        else:
            subject = _("Your quarterly survey on the departments you work with")
        text, html = render_bodies(kind, **context)
    return enqueue_message(
        session,
        to_addr=recipient(person.name, person.email),
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=("reminder" if reminder else "invitation") + ":" + kind,
        domain=mail_domain,
        invitation_id=invitation.id,
    )


@dataclass(frozen=True)
class Recipient:
    """One person to mail in a batch: the invitation already exists, the token is fresh."""

    invitation_id: int
    name: str
    email: str
    locale: str
    token: str
    rated: tuple[int, ...] = ()  # the provider departments they rate (quarterly)


def _quarterly_subject(reminder: bool) -> str:
    if reminder:
        return _("Reminder: your quarterly survey on the departments you work with")
    return _("Your quarterly survey on the departments you work with")


def quarterly_messages(
    recipients: Iterable[Recipient],
    campaign: Campaign,
    expires_at: datetime,
    base_url: str,
    mail_domain: str,
    *,
    reminder: bool = False,
    now: datetime,
    session: Session | None = None,
) -> list[dict[str, Any]]:
    """Outbox rows (dicts for one bulk INSERT) for many quarterly invitations at once.

    The templates are rendered once per language with stand-ins for the name and the token,
    which are then replaced per person (the name HTML-escaped in the HTML part), so the text
    equals what ``queue_invitation_email`` renders for each person while costing one render per
    language instead of one per person. With ``session``, a message also carries what the
    extension point ``mail.quarterly`` adds for the departments its person rates (rendered
    once per language and set of departments). Needs an app context.
    """
    rendered: dict[tuple[str, tuple[int, ...]], tuple[str, str, str]] = {}
    stand_in = Person(name=_NAME, email="x@example.invalid")
    rows = []
    for r in recipients:
        key = (r.locale, r.rated)
        if key not in rendered:
            context = {
                "person": stand_in,
                "link": link_url(base_url, _KEY),
                "stop_link": link_url(base_url, _KEY) + "/stop",
                "score_links": [(s, link_url(base_url, _KEY, s)) for s in SCORES],
                "provider_name": None,
                "expires_at": expires_at,
                "reminder": reminder,
                "campaign": campaign,
                "group_size": promised_group_size(campaign),
            }
            if session is not None:
                context.update(hooks.gather("mail.quarterly", session, r.rated))
            with force_locale(r.locale):
                rendered[key] = (
                    _quarterly_subject(reminder),
                    *render_bodies("quarterly", **context),
                )
        subject, text, html = rendered[key]
        rows.append(
            {
                "message_id": new_message_id(mail_domain),
                "purpose": ("reminder" if reminder else "invitation") + ":quarterly",
                "invitation_id": r.invitation_id,
                "to_addr": recipient(r.name, r.email),
                "subject": header_safe(subject)[:300],
                "body_text": text.replace(_KEY, r.token).replace(_NAME, r.name),
                "body_html": html.replace(_KEY, r.token).replace(_NAME, str(escape(r.name))),
                "status": "queued",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    return rows
