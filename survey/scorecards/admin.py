"""The IQ baseline: which one is in use, and freezing or re-basing it (admin only), a page of
the ``admin`` blueprint; importing this module adds it."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from forms.baseline import BaselineForm
from survey.db import get_session
from survey.models import Baseline
from survey.scorecards.services.scorecard_data import quarters_with_data
from survey.scorecards.services.scorecards import Settings, ensure_baseline
from survey.services.audit import created, snapshot
from survey.views.admin import bp
from survey.views.admin.common import audit


def _page(form: BaselineForm, status: int = 200) -> tuple[str, int]:
    db = get_session()
    baselines = db.scalars(select(Baseline).order_by(Baseline.created_at.desc())).all()
    return (
        render_template(
            "admin/baseline.html",
            form=form,
            baselines=baselines,
            released=quarters_with_data(db),
            settings=Settings.from_config(current_app.config),
        ),
        status,
    )


@bp.get("/baseline")
def baseline() -> tuple[str, int]:
    return _page(BaselineForm())


@bp.post("/baseline")
def baseline_freeze() -> Response | tuple[str, int]:
    form = BaselineForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    db = get_session()
    previous = db.scalar(select(Baseline.version).where(Baseline.active.is_(True)))
    rebase = previous is not None
    try:
        row = ensure_baseline(
            db,
            Settings.from_config(current_app.config),
            by=current_user.email,
            rebase=rebase,
            quarters=form.chosen() or None,
        )
    except ValueError:
        form.quarters.errors = [_("Only released quarters (ended, surveys closed) can be used.")]
        return _page(form, 422)
    if row is None:
        form.quarters.errors = [_("A baseline needs four released quarters with answers.")]
        return _page(form, 422)
    changes = created(snapshot(row))
    if previous is not None:
        changes["replaces"] = [None, previous]
    audit("rebase" if rebase else "freeze", row, changes)
    db.commit()
    flash(_("Baseline %(version)s is now in use.", version=row.version), "success")
    return redirect(url_for("admin.baseline"))
