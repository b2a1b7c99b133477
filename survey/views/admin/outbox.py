"""Admin: the outbox (queued, sent and failed mail; retry a failed message).

A message that must not be sent now (its person opted out, its campaign is closed or
cancelled) cannot be retried: the same rule the dispatcher applies right before sending."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.mail import SuppressForm, UnsuppressForm
from survey.db import get_session
from survey.models import OutboxMessage, SoftBounce, SuppressedAddress
from survey.models.base import utcnow
from survey.services.audit import Target
from survey.services.outbox import readable_address, withdrawal_reasons
from survey.services.paging import page_arg, paginate
from survey.services.suppression import bare_address, suppress, unsuppress
from survey.views.admin import bp
from survey.views.admin.common import audit, per_page

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
    message = db.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    reason = withdrawal_reasons(db, [message_id]).get(message_id)
    if reason is not None:
        flash(_("This message cannot be sent: %(reason)s.", reason=reason), "error")
        return redirect(url_for("admin.outbox", status="failed"))
    changed = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "failed")
        .values(status="queued", next_attempt_at=utcnow(), attempts=0, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        label = f"{message.purpose} to {bare_address(message.to_addr)}"
        audit("retry", Target("message", str(message_id), label))
    db.commit()
    if changed:
        flash(_("The message will be sent again at the next dispatch."), "success")
    else:
        flash(_("Only a failed message can be retried."), "error")
    return redirect(url_for("admin.outbox", status="failed"))


@bp.route("/outbox/suppressed", methods=["GET", "POST"])
def outbox_suppressed() -> str | tuple[str, int] | WerkzeugResponse:
    """The suppression list: addresses no mail goes to, with why (bounce, complaint,
    unsubscribe, manual); an administrator adds one by hand or takes one off."""
    db = get_session()
    form = SuppressForm()
    if form.validate_on_submit():
        suppress(db, form.email.data or "", "manual", form.detail.data or "")
        audit(
            "suppress",
            _address_target(form.email.data or ""),
            {"reason": [None, "manual"], "detail": [None, form.detail.data or None]},
        )
        db.commit()
        flash(_("%(email)s gets no more mail.", email=form.email.data), "success")
        return redirect(url_for("admin.outbox_suppressed"))
    page = paginate(
        db,
        select(SuppressedAddress).order_by(SuppressedAddress.created_at.desc()),
        page_arg(request.args.get("page")),
        50,
    )
    soft = db.scalars(select(SoftBounce).order_by(SoftBounce.count.desc()).limit(20)).all()
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/suppressed.html", form=form, page=page, soft=soft, remove=UnsuppressForm()
    ), status


@bp.post("/outbox/suppressed/remove")
def outbox_unsuppress() -> WerkzeugResponse:
    db = get_session()
    form = UnsuppressForm()
    if form.validate_on_submit() and unsuppress(db, form.email.data or ""):
        audit("unsuppress", _address_target(form.email.data or ""))
        db.commit()
        flash(_("%(email)s can receive mail again.", email=form.email.data), "success")
    else:
        flash(_("This address is not on the list."), "error")
    return redirect(url_for("admin.outbox_suppressed"))


def _address_target(email: str) -> Target:
    """An address on the suppression list, as the audit log names it."""
    address = bare_address(email)
    return Target("address", address, address)
