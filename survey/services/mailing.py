"""Survey emails: rendered from templates in the person's language, queued in the outbox in the
caller's transaction."""

from __future__ import annotations

from email.utils import formataddr

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey.models import Invitation, OutboxMessage, Person
from survey.services.invitations import link_url
from survey.services.outbox import enqueue_message, header_safe

SCORES = (1, 2, 3, 4, 5)


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
    }
    with force_locale(person.locale):
        if kind == "post_interaction":
            subject = _("How did %(provider)s handle your request?", provider=provider_name or "")
        elif reminder:
            subject = _("Reminder: your quarterly survey on the departments you work with")
        else:
            subject = _("Your quarterly survey on the departments you work with")
        text = render_template(f"email/{kind}.txt", **context)
        html = render_template(f"email/{kind}.html", **context)
    return enqueue_message(
        session,
        to_addr=formataddr((header_safe(person.name), person.email)),
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=("reminder" if reminder else "invitation") + ":" + kind,
        domain=mail_domain,
        invitation_id=invitation.id,
    )
