"""Admin: the outbox (queued, sent and failed mail; retry a failed message)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.db import get_session
from survey.models import OutboxMessage
from survey.models.base import utcnow
from survey.services.outbox import readable_address
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import per_page

STATUSES = ("queued", "sending", "sent", "failed")


@bp.get("/outbox")
def outbox() -> str:
    db = get_session()
    status = request.args.get("status", "")
    stmt = select(OutboxMessage)
    if status in STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    page = paginate(
        db,
        stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
        page_arg(request.args.get("page")),
        per_page(),
    )
    counts = dict(
        db.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    )
    return render_template(
        "admin/outbox.html", page=page, status=status, counts=counts, readable=readable_address
    )


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int) -> WerkzeugResponse:
    db = get_session()
    if db.get(OutboxMessage, message_id) is None:
        abort(404)
    changed = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="queued", next_attempt_at=utcnow(), attempts=0, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.commit()
    if changed:
        flash(_("The message will be sent again at the next dispatch."), "success")
    else:
        flash(_("Only a failed message can be retried."), "error")
    return redirect(url_for("admin.outbox", status="failed"))
