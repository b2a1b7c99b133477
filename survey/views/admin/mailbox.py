"""Admin: the local mailbox, every email as its recipient sees it, while no SMTP server is set.

In development (and whenever ``SURVEY_SMTP_URL`` is unset) nothing is delivered: the messages
stay queued in the outbox, links intact, and this page shows them, newest first, with their
HTML part in a sandboxed frame (served by its own route under a strict Content-Security-Policy:
no scripts, no forms, nothing loaded from elsewhere) and their text part. With an SMTP server
set (and outside debug) the page does not exist: delivered bodies belong to the recipients.

The links stay working on the page only on a local installation (``links_live``: debug, or a
``SURVEY_BASE_URL`` on this machine, as ``make run``'s demo). Anywhere else the page shows
every message with its personal links removed (``outbox.scrub_links``), while the queued mail
keeps them for the day a server is set: a person's link opens their survey saved part way and
answers in their name, which no administrator may do.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, make_response, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.db import get_session
from survey.models import OutboxMessage
from survey.services.outbox import readable_address, scrub_links
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import per_page

#: The email's HTML may style itself; it may not run scripts, submit forms or load anything.
BODY_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
)


def mailbox_enabled() -> bool:
    """The local mailbox exists in debug and whenever no SMTP server is configured."""
    return bool(current_app.debug or not current_app.config.get("SMTP_URL"))


def links_live() -> bool:
    """Whether the mailbox shows messages with their links working: in debug, or when the
    links lead to this machine only (``SURVEY_BASE_URL`` on a loopback address), where nobody
    else can follow them: the local demo. A malformed address counts as not local."""
    if current_app.debug:
        return True
    host = urlsplit(str(current_app.config.get("BASE_URL") or "")).hostname
    return host in ("127.0.0.1", "localhost", "::1")


def _shown(body: str) -> str:
    return body if links_live() else scrub_links(body)


def _message(message_id: int) -> OutboxMessage:
    if not mailbox_enabled():
        abort(404)
    message = get_session().get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


@bp.get("/mailbox")
def mailbox() -> str:
    if not mailbox_enabled():
        abort(404)
    db = get_session()
    page = paginate(
        db,
        select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page_arg(request.args.get("page")),
        per_page(),
    )
    return render_template(
        "admin/mailbox.html", page=page, readable=readable_address, live=links_live()
    )


@bp.get("/mailbox/<int:message_id>")
def mailbox_message(message_id: int) -> str:
    message = _message(message_id)
    return render_template(
        "admin/mailbox_message.html",
        message=message,
        to=readable_address(message.to_addr),
        body_text=_shown(message.body_text),
    )


@bp.get("/mailbox/<int:message_id>/body.html")
def mailbox_body(message_id: int) -> WerkzeugResponse:
    """The HTML part alone, for the frame of the message page. Links open in the top window
    (a ``<base target="_top">`` is put first), so a survey link leads to the survey."""
    message = _message(message_id)
    body, base = _shown(message.body_html), '<base target="_top">'
    head = body.find("<head>")
    html = body[: head + 6] + base + body[head + 6 :] if head >= 0 else base + body
    response = make_response(html)
    response.headers["Content-Security-Policy"] = BODY_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _mailbox_flag() -> dict[str, object]:
    return {"mailbox_enabled": mailbox_enabled}
