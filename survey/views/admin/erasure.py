"""Admin: erase one person's identifying data (the same service as
``flask survey erase-person``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.delivery import ErasureForm
from survey.db import get_session
from survey.services.erasure import ErasureError, erase_person
from survey.views.admin import bp


@bp.route("/erase", methods=["GET", "POST"])
def erase() -> str | WerkzeugResponse:
    form = ErasureForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("admin/erase.html", form=form), status  # type: ignore[return-value]
    email = (form.email.data or "").strip().lower()
    if email == current_user.email:
        form.email.errors = [_("You cannot erase your own account while signed in with it.")]
        return render_template("admin/erase.html", form=form), 422  # type: ignore[return-value]
    db = get_session()
    try:
        report = erase_person(db, email, actor=current_user._get_current_object())
    except ErasureError:
        db.rollback()
        form.email.errors = [
            _(
                "Nothing to erase: no person, account or suppressed address has this email "
                "address, or it is the only active administrator."
            )
        ]
        return render_template("admin/erase.html", form=form), 422  # type: ignore[return-value]
    db.commit()
    if report.already_erased:
        flash(_("This address was already erased: nothing left to remove."), "info")
    else:
        flash(
            _(
                "Erased: %(people)s person record(s) blanked, %(users)s account(s) deleted, "
                "%(messages)s message(s) deleted. Their anonymous answers keep counting.",
                people=report.people,
                users=report.users,
                messages=report.outbox,
            ),
            "success",
        )
    return redirect(url_for("admin.erase"))
