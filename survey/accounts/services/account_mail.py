"""Account emails, queued in the outbox in the caller's transaction: the password reset the
owner asks for (valid an hour), and the link a new account gets to choose its first password
(valid ``SET_PASSWORD_HOURS``). Both are the same single-use token (``passwords``) and open
the same page (``/auth/reset/<token>``); only the wording and the lifetime differ."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from survey.accounts.services.passwords import RESET_LIFETIME, issue_password_reset
from survey.mail.bodies import render_bodies
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
    with force_locale(user.locale or "en"):
        subject = _("Choose a new password for Service IQ")
    return _queue(session, user, base_url, mail_domain, RESET_LIFETIME, subject, "password_reset")


def queue_set_password(
    session: Session, user: User, base_url: str, mail_domain: str, hours: int
) -> OutboxMessage:
    """Queue the link with which ``user`` chooses their password (a new account, or one whose
    owner has not chosen it yet), valid ``hours`` hours, in the user's language (English when
    none is set). Like a reset, it works once and an earlier unused link of the user stops
    working (``issue_password_reset``). Needs an app context."""
    with force_locale(user.locale or "en"):
        subject = _("Choose your password for Service IQ")
    return _queue(
        session, user, base_url, mail_domain, timedelta(hours=hours), subject, "set_password"
    )


def _queue(
    session: Session,
    user: User,
    base_url: str,
    mail_domain: str,
    lifetime: timedelta,
    subject: str,
    kind: str,
) -> OutboxMessage:
    """A token valid ``lifetime`` and its email from ``templates/email/<kind>.*``, purpose
    ``account:<kind>``."""
    token = issue_password_reset(session, user, lifetime=lifetime)
    hours = int(lifetime.total_seconds() // 3600)
    with force_locale(user.locale or "en"):
        context = {"user": user, "link": reset_url(base_url, token), "hours": hours}
        text, html = render_bodies(kind, **context)
    return enqueue_message(
        session,
        to_addr=recipient(user.name, user.email),
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=f"account:{kind}",
        domain=mail_domain,
    )
