"""Admin: which departments depend on which, as one matrix saved in one POST.

Rows are customer departments, columns provider departments; a ticked box means "the row
department depends on the column department". The diagonal has no box. Only active
departments are shown; links of inactive departments are kept as they are.
"""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import DependencyMatrixForm
from survey.db import get_session
from survey.models import Department, Dependency
from survey.org.services import OrgError, set_dependencies
from survey.services.audit import Target
from survey.views.admin import bp
from survey.views.admin.common import audit

PAIR = re.compile(r"^(\d{1,18})-(\d{1,18})$")


def _matrix_page(
    form: DependencyMatrixForm,
    departments: list[Department],
    ticked: set[tuple[int, int]],
    error: str = "",
    status: int = 200,
) -> tuple[str, int]:
    # Once some link exists, the departments left out of the quarterly survey on one side:
    # nobody rates them (their scorecard will say too few answered), or they rate nobody
    # (their people are not invited).
    shown = {(c, p) for c, p in ticked if c != p} if len(departments) > 1 else set()
    customers = {c for c, _p in shown}
    providers = {p for _c, p in shown}
    return render_template(
        "admin/dependencies.html",
        form=form,
        departments=departments,
        ticked=ticked,
        error=error,
        rated_by_none=[d for d in departments if d.id not in providers] if shown else [],
        rate_none=[d for d in departments if d.id not in customers] if shown else [],
    ), status


@bp.route("/dependencies", methods=["GET", "POST"])
def dependencies() -> tuple[str, int] | WerkzeugResponse:
    db = get_session()
    form = DependencyMatrixForm()
    departments = list(
        db.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code))
    )
    ids = {d.id for d in departments}
    if not form.validate_on_submit():
        stored = {
            (c, p)
            for c, p in db.execute(
                select(Dependency.customer_department_id, Dependency.provider_department_id)
            )
        }
        status = 422 if request.method == "POST" else 200
        return _matrix_page(form, departments, stored, status=status)

    ticked: set[tuple[int, int]] = set()
    unreadable = False
    for value in request.form.getlist("dep"):
        match = PAIR.match(value)
        if match is None:
            unreadable = True
            continue
        ticked.add((int(match[1]), int(match[2])))
    if unreadable:
        return _matrix_page(
            form, departments, ticked, _("Some ticks could not be read; please try again."), 422
        )
    before = _stored_labels(db)
    try:
        count = set_dependencies(db, ids, ticked)
        after = _stored_labels(db)
        changes = {}
        if after - before:
            changes["added"] = [None, sorted(after - before)]
        if before - after:
            changes["removed"] = [sorted(before - after), None]
        audit("save", Target("dependencies", None, f"{count} links"), changes)
        db.commit()
    except OrgError as error:
        # A department was deactivated meanwhile, or the form was altered.
        db.rollback()
        message = _("%(reason)s Please check the ticks and save again.", reason=error.message)
        return _matrix_page(form, departments, ticked & _valid(ids), message, 422)
    flash(_("Dependencies saved: %(n)s links.", n=count), "success")
    return redirect(url_for("admin.dependencies"))


def _stored_labels(db: Session) -> set[str]:
    """Every stored link as "CUSTOMER -> PROVIDER" codes (what the audit log compares)."""
    customer, provider = aliased(Department), aliased(Department)
    rows = db.execute(
        select(customer.code, provider.code)
        .select_from(Dependency)
        .join(customer, customer.id == Dependency.customer_department_id)
        .join(provider, provider.id == Dependency.provider_department_id)
    )
    return {f"{c} -> {p}" for c, p in rows}


def _valid(ids: set[int]) -> set[tuple[int, int]]:
    return {(c, p) for c in ids for p in ids if c != p}
