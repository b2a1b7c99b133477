"""Account emails (password reset), queued in the outbox in the caller's transaction."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey.accounts.services.passwords import issue_password_reset
from survey.models import OutboxMessage, User
from survey.services.outbox import enqueue_message, recipient


def reset_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/auth/reset/{token}"


def queue_password_reset(
    session: Session, user: User, base_url: str, mail_domain: str
) -> OutboxMessage:
    """Issue a reset token for ``user`` and queue its email in the user's language (English
    when none is set). Needs an app context. After sending, the dispatcher scrubs the token
    from the stored body like any link token."""
    token = issue_password_reset(session, user)
    with force_locale(user.locale or "en"):
        subject = _("Choose a new password for Service IQ")
        context = {"user": user, "link": reset_url(base_url, token)}
        text = render_template("email/password_reset.txt", **context)
        html = render_template("email/password_reset.html", **context)
    return enqueue_message(
        session,
        to_addr=recipient(user.name, user.email),
        subject=subject,
        body_text=text,
        body_html=html,
        purpose="account:password_reset",
        domain=mail_domain,
    )
