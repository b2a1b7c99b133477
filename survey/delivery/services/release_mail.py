""" "Your quarter's results are out": the email the people who read scorecards get when a
quarter's figures are released (``services.release``).

Who: every active account that can read scorecards (admin, manager, viewer) and has chosen
its password (an account still waiting for its set-password link would get a link to a page
it cannot sign in to). A manager's email links their own department's scorecard first, then
the overview; an administrator's or a viewer's links the overview. When the extension point
``mail.release`` adds it (``survey/actions/``), a manager's email also says how many actions of
the department's plan are open and how many of those are overdue: the department's own
records, not anyone's answers.

What: the quarter's name and the links, in the account's language (English when none is set),
as text and HTML. **No figure**: mail is forwarded and kept outside the access checks of the
pages, while a page behind sign-in applies the k gate to every figure it shows.

When, and once: ``publishing.publish_releases`` queues it in the transaction that records the
release, for the quarters that call recorded (``record_releases`` returns only those; of a
backlog recorded at once, the newest). The
release record is the quarter's primary key, so a quarter is recorded once, by one
transaction, and its email is queued once per account, whichever path (the tick, an
administrator's close) and however many hosts try. An account created or reactivated later
gets no email for a quarter already released; one deactivated between queueing and sending
still gets it (it holds no figure). With ``SURVEY_RELEASE_MAIL`` off nothing is queued, and a
quarter released meanwhile is not mailed when it is turned back on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from survey import hooks
from survey.local_time import local_today
from survey.mail.bodies import render_bodies
from survey.models import User
from survey.services.accounts import NO_PASSWORD
from survey.services.outbox import enqueue_message, recipient

#: The roles that read scorecards (``survey/scorecards/views.py``): all of them today.
READER_ROLES = ("admin", "manager", "viewer")


@dataclass(frozen=True)
class ReleaseMailSettings:
    """``base_url``: the site's root, for the links; ``mail_domain``: the Message-IDs';
    ``enabled``: ``SURVEY_RELEASE_MAIL`` (default on)."""

    base_url: str
    mail_domain: str
    enabled: bool = True

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> ReleaseMailSettings:
        from survey.config import mail_domain

        return cls(
            base_url=str(cfg["BASE_URL"]),
            mail_domain=mail_domain(cfg),
            enabled=bool(cfg.get("RELEASE_MAIL", True)),
        )


def readers(session: Session) -> list[User]:
    """The accounts told of a release: active, a reader's role, a password chosen; by id."""
    return list(
        session.scalars(
            select(User)
            .options(joinedload(User.department))
            .where(
                User.active.is_(True),
                User.role.in_(READER_ROLES),
                User.password_hash != NO_PASSWORD,
            )
            .order_by(User.id)
        )
    )


def scorecard_links(base_url: str, user: User, quarter: str) -> tuple[str | None, str]:
    """The department page of a manager (None for the others, and for a manager whose
    department is inactive) and the overview, both of ``quarter``."""
    root = base_url.rstrip("/")
    query = urlencode({"quarter": quarter})
    overview = f"{root}/scorecards/?{query}"
    dept = user.department
    if user.role != "manager" or dept is None or not dept.active:
        return None, overview
    return f"{root}/scorecards/{quote(dept.code, safe='')}?{query}", overview


def queue_release_mail(
    session: Session,
    quarters: Sequence[str],
    settings: ReleaseMailSettings,
    now: datetime | None = None,
) -> int:
    """Queue the email of ``quarters`` (just recorded as released, oldest first) to every
    reader: one each, naming the newest. Several quarters are recorded at once only after a
    backlog (the first tick of a database with history, a tick stopped for a quarter), and
    an email per old quarter would announce stale results; the newest page shows the trend.
    Returns how many were queued (0 with the setting off or outside an app context, which
    rendering needs). ``now`` (UTC) decides which actions are overdue, in the organisation's
    zone. Flushes only."""
    if not settings.enabled or not quarters or not has_app_context():
        return 0
    today = local_today(now)
    newest = max(quarters)
    people = readers(session)
    for user in people:
        _queue(session, user, newest, settings, today)
    return len(people)


def _queue(
    session: Session, user: User, quarter: str, settings: ReleaseMailSettings, today: Any
) -> None:
    department_link, overview_link = scorecard_links(settings.base_url, user, quarter)
    context: dict[str, Any] = {
        "user": user,
        "quarter": quarter,
        "department": user.department if department_link else None,
        "department_link": department_link,
        "overview_link": overview_link,
        "actions_link": None,
    }
    if department_link is not None and user.department_id is not None:
        extra = hooks.gather("mail.release", session, user.department_id, today)
        if extra.get("open_actions"):
            context.update(extra)
            context["actions_link"] = settings.base_url.rstrip("/") + "/actions/"
    with force_locale(user.locale or "en"):
        subject = _("Service IQ: the results of %(quarter)s are published", quarter=quarter)
        text, html = render_bodies("release", **context)
    enqueue_message(
        session,
        to_addr=recipient(user.name, user.email),
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=f"release:{quarter}",
        domain=settings.mail_domain,
    )
