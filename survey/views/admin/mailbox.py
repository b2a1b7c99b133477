"""Admin: the local mailbox, every email as its recipient sees it, while no SMTP server is set.

In development (and whenever ``SURVEY_SMTP_URL`` is unset) nothing is delivered: the messages
stay queued in the outbox, links intact, and this page shows them, newest first, with their
HTML part in a sandboxed frame (served by its own route under a strict Content-Security-Policy:
no scripts, no forms, nothing loaded from elsewhere) and their text part. With an SMTP server
set (and outside debug) the page does not exist: delivered bodies belong to the recipients.
"""

from __future__ import annotations

from flask import abort, current_app, make_response, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.db import get_session
from survey.models import OutboxMessage
from survey.services.outbox import readable_address
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
    return render_template("admin/mailbox.html", page=page, readable=readable_address)


@bp.get("/mailbox/<int:message_id>")
def mailbox_message(message_id: int) -> str:
    message = _message(message_id)
    return render_template(
        "admin/mailbox_message.html", message=message, to=readable_address(message.to_addr)
    )


@bp.get("/mailbox/<int:message_id>/body.html")
def mailbox_body(message_id: int) -> WerkzeugResponse:
    """The HTML part alone, for the frame of the message page. Links open in the top window
    (a ``<base target="_top">`` is put first), so a survey link leads to the survey."""
    message = _message(message_id)
    body, base = message.body_html, '<base target="_top">'
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
